/* web.h — the web thread: one libwebsockets context that serves the pages,
 * the REST API and the WebSocket, and talks to the core only through the
 * bridge.  Debian's lws 4.1.6 cannot share the core's libevent loop, so it
 * runs its own service loop in its own thread. */
#ifndef HALLQ_WEB_H
#define HALLQ_WEB_H

#include <stddef.h>
#include <stdint.h>

struct bridge;
struct web;

struct web_conf {
	const char	*host;		/* listen address */
	int		 port;
	const char	*root;		/* the pages */
	const char	*voice_dir;	/* served as /voice/ */
	int		 max_clients;	/* WebSocket sessions at once */
};

/* Called from the web thread when commands wait for the core. */
typedef void (*web_wake_fn)(void *);

struct web	*web_new(const struct web_conf *, struct bridge *, web_wake_fn,
		     void *, char *err, size_t errlen);
int		 web_start(struct web *);
void		 web_wake(struct web *);
void		 web_quiesce(struct web *);
void		 web_free(struct web *);
/* From the core: GET /api/public/queue's new body (taken). */
void		 web_public_set(struct web *, char *body, uint64_t tag);

#endif

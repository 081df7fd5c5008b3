/* gate.h — the front door of the web side: it accepts HTTP connections,
 * reads one whole request (head and body) under strict rules, time and size
 * limits, answers bad ones itself with the JSON error shape, and hands good
 * ones to libwebsockets (lws_adopt_socket) untouched: it only peeks.
 *
 * Debian's lws 4.1.6 holds a header table for every connection that has not
 * finished its head, keeps it for as long as the peer likes, and answers what
 * it cannot parse with an HTML 403 page or not at all.  The gate keeps that
 * away from it: lws only ever sees complete, well-formed requests. */
#ifndef HALLQ_GATE_H
#define HALLQ_GATE_H

#include <stddef.h>
#include <stdint.h>

struct gate;

/* Called from the gate thread when requests wait to be adopted. */
typedef void (*gate_wake_fn)(void *);

/* A request handed over: the socket, its request whole in its buffer. */
struct gate_req {
	int		 fd;
};

/* Counters since start, read from any thread. */
struct gate_stats {
	uint64_t	 accepted;	/* connections accepted */
	uint64_t	 handed;	/* requests handed to the web thread */
	uint64_t	 refused[8];	/* by enum gate_refusal */
	uint64_t	 evicted;	/* oldest incomplete head dropped for room */
};

enum gate_refusal {
	GATE_R_BAD,		/* 400: malformed request */
	GATE_R_METHOD,		/* 405 */
	GATE_R_TIMEOUT,		/* 408: head or body not sent in time */
	GATE_R_LENGTH,		/* 411/413: body framing or size */
	GATE_R_URI,		/* 414 */
	GATE_R_HEADERS,		/* 431 */
	GATE_R_PEER,		/* 429: too many incomplete requests from one peer */
	GATE_R_BUSY,		/* 503: the web thread has too many waiting */
	GATE_R_MAX
};

/* Limits; see gate.c for why each is what it is. */
#define GATE_HEAD_MAX		8192	/* request line and headers */
#define GATE_TARGET_MAX		2048	/* the request target */
#define GATE_HEADERS_MAX	64	/* header lines */

struct gate	*gate_new(const char *host, int port,
		     char *err, size_t errlen);
int		 gate_start(struct gate *, gate_wake_fn, void *);
int		 gate_take(struct gate *, struct gate_req *);
void		 gate_stats(struct gate *, struct gate_stats *);
void		 gate_free(struct gate *);

/* Pure: check one request head (bytes up to and including the blank line).
 * Returns 0, or the HTTP status to refuse with and a code and message for
 * the JSON error.  Exposed for the unit test. */
struct gate_head {
	char		 method[8];
	long long	 content_length;	/* -1: none */
	int		 expect_continue;
	int		 upgrade;		/* a WebSocket upgrade */
	size_t		 body_max;		/* api_body_max() of the request */
	const char	*code;			/* on refusal */
	const char	*message;
};
int		 gate_parse(const char *head, size_t len, struct gate_head *);

#endif

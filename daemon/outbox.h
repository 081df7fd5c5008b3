/* outbox.h — the sender of messages to citizens: takes due rows of the
 * outbox and hands them to the SMS gateway over HTTP, on the core's event
 * loop, never blocking it. */
#ifndef HALLQ_OUTBOX_H
#define HALLQ_OUTBOX_H

#include <jansson.h>

struct event_base;
struct config;
struct hall;
struct store;
struct outbox;

/* What the sender asks of the core: one change in its own transaction
 * (hall_write) with its events published. */
struct outbox_host {
	int	(*write)(void *, int (*fn)(struct store *, void *), void *arg,
		    const char *type, json_t *o);
};

struct outbox	*outbox_new(struct event_base *, const struct config *,
		     struct hall *, struct store *, const struct outbox_host *,
		     void *);
/* Rows may be due: look now rather than at the next second. */
void		 outbox_kick(struct outbox *);
void		 outbox_free(struct outbox *);

#endif

/* bridge.h — all that the core and web threads share: a bounded command
 * queue (web → core), a bounded reply queue (core → web), and the ring of
 * recent committed events that WebSocket clients read with their own cursor.
 * One mutex guards the three. */
#ifndef HALLQ_BRIDGE_H
#define HALLQ_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct hall_event;

struct bridge_cmd {
	uint64_t	 conn;		/* who asked: web connection id */
	json_t		*msg;		/* {"op":..., "token":..., "window":..., "body":{...}} */
};

struct bridge_reply {
	uint64_t		 conn;
	int			 status;
	char			*body;	/* JSON text or NULL */
	struct hall_event	*items;	/* "events" command: the log entries */
	size_t			 nitems;
	const char		*ctype;	/* NULL: application/json (HTTP only) */
	char			*filename;	/* an attachment's name, or NULL */
};

struct bridge;

struct bridge	*bridge_new(size_t ncmds, size_t nring);
void		 bridge_free(struct bridge *);
int		 bridge_cmd_push(struct bridge *, uint64_t conn, json_t *msg);
int		 bridge_cmd_pop(struct bridge *, struct bridge_cmd *);
void		 bridge_reply_push(struct bridge *, struct bridge_reply *);
int		 bridge_reply_pop(struct bridge *, struct bridge_reply *);
void		 bridge_reply_clear(struct bridge_reply *);
void		 bridge_events_start(struct bridge *, int64_t seq);
void		 bridge_events_push(struct bridge *, const struct hall_event *,
		     size_t n);
int		 bridge_event_get(struct bridge *, int64_t seq, char **json,
		     size_t *len);
int64_t		 bridge_next_seq(struct bridge *);
size_t		 bridge_cmd_count(struct bridge *);
void		 bridge_ring_bounds(struct bridge *, int64_t *first, int64_t *next);

#endif

/* event.h — the hall's events as typed values, and the subscribers that
 * receive them once they are committed.
 *
 * An event is written to the log (SQLite, `seq` strictly increasing) in the
 * transaction of the change that caused it.  After the commit the bus hands
 * the batch to every subscriber in the order they subscribed: the web
 * broadcast, the devices and the voice player today; the outbox, the uplink
 * and the public figures later.  Each receives the type as an enum and the
 * body parsed once, never the text to parse again.
 *
 * A durable subscriber keeps its cursor — the last `seq` it has fully
 * handled — in the database (table `cursors`), advances it in the same
 * transaction as its own rows, and at start is handed every event after its
 * cursor from the log before anything new: an outage or kill -9 costs it
 * time, never an event.  One that writes its rows in the very transaction of
 * the change has a `stage` hook: the bus calls it inside that transaction
 * and moves the cursor there too. */
#ifndef HALLQ_EVENT_H
#define HALLQ_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct store;

enum event_type {
	EVT_UNKNOWN,		/* a type this build does not know (an older log) */
	EVT_TICKET_ISSUED,
	EVT_TICKET_CALLED,
	EVT_TICKET_RECALLED,
	EVT_TICKET_SERVING,
	EVT_TICKET_DONE,
	EVT_TICKET_NO_SHOW,
	EVT_TICKET_HELD,
	EVT_TICKET_TRANSFERRED,
	EVT_TICKET_CANCELLED,
	EVT_TICKET_REQUEUED,
	EVT_WINDOW_OPENED,
	EVT_WINDOW_PAUSED,
	EVT_WINDOW_RESUMED,
	EVT_WINDOW_CLOSED,
	EVT_WINDOW_RELEASED,
	EVT_WINDOW_TIERS,
	EVT_RATING_RECORDED,
	EVT_DAY_ROLLOVER,
	EVT_DEVICE_UP,
	EVT_DEVICE_DOWN,
	EVT_DEVICE_LEARNED,
	EVT_CALL_ANNOUNCE,
	EVT_APPT_BOOKED,
	EVT_APPT_CANCELLED,
	EVT_APPT_RESCHEDULED,
	EVT_APPT_CHECKED_IN,
	EVT_APPT_NO_SHOW,
	EVT_SLOTS_BLOCKED,
	EVT_SLOTS_UNBLOCKED,
	EVT_NOTIFY_SENT,
	EVT_NOTIFY_DELIVERED,
	EVT_NOTIFY_FAILED,
	EVT_CASE_OPENED,
	EVT_CASE_STEP,
	EVT_CASE_OVERDUE,
	EVT_CASE_CLOSED,
	EVT_RATING_STRUCK,
	EVT_ADVICE_AUTO,
	EVT_BACKUP_DONE,
	EVT_BACKUP_FAILED,
	EVT_AUDIT,
	EVT_HALL_RESTORED,
	EVT_MAX
};

#define EVT_IS_TICKET(t)	((t) >= EVT_TICKET_ISSUED && (t) <= EVT_TICKET_REQUEUED)
#define EVT_IS_WINDOW(t)	((t) >= EVT_WINDOW_OPENED && (t) <= EVT_WINDOW_TIERS)

struct event {
	int64_t		 seq;
	int64_t		 at;		/* ms since the epoch */
	enum event_type	 type;
	json_t		*body;		/* the whole event object, parsed once */
	char		*json;		/* its text, as the log holds it */
	/* Read from the body once, for the subscribers that route on them: */
	int		 window;	/* the window concerned, 0 if none */
	int64_t		 ticket;	/* the ticket's id, 0 if none */
	const char	*number;	/* the ticket's number (in body), or NULL */
};

const char	*event_type_name(enum event_type);
enum event_type	 event_type_parse(const char *);
/* Build from an object the hall made (takes `o`, which carries seq, type and
 * at already) or from the log's text.  0, or -1 when the text is not an
 * event. */
void		 event_make(struct event *, json_t *o);
int		 event_parse(struct event *, int64_t seq, const char *json);
void		 event_clear(struct event *);
void		 event_clear_all(struct event *, size_t);

/* ---------------------------------------------------------------- the bus */

struct event_sub {
	const char	*name;		/* for the log; the cursor's key if durable */
	int		 durable;
	/* In the change's own transaction, before its commit: write rows.
	 * -1 undoes the change (it is answered storage_failed). */
	int		(*stage)(void *, const struct event *, size_t);
	/* After the commit (and at start, from the cursor, if durable). */
	void		(*deliver)(void *, const struct event *, size_t);
};

struct events;

struct events	*events_new(struct store *);
void		 events_free(struct events *);
void		 events_subscribe(struct events *, const struct event_sub *,
		     void *);
/* Inside the writer's transaction: every stage hook, and the cursors of
 * durable subscribers with one.  -1 when a hook or a cursor failed. */
int		 events_stage(struct events *, const struct event *, size_t);
/* After the commit. */
void		 events_publish(struct events *, const struct event *, size_t);
/* At start, before any change: each durable subscriber is handed the log
 * after its cursor, in pages.  Returns the number of events handed, -1 on a
 * database error. */
int64_t		 events_replay(struct events *);
/* A durable subscriber without a stage hook says how far it has got, inside
 * a transaction of its own (store_begin .. store_commit). */
int		 events_cursor_set(struct store *, const char *name, int64_t seq);
int64_t		 events_cursor_get(struct store *, const char *name);

#endif

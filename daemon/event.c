/* event.c — typed events and the bus that hands committed ones to the
 * subscribers; durable subscribers' cursors and their replay from the log.
 * Knows nothing of what the events mean: hall_*.c make them, subscribers
 * read them.  Runs on the core thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "store.h"
#include "util.h"

#define EVENTS_SUBS_MAX		16
#define EVENTS_REPLAY_PAGE	500

static const char *const event_names[EVT_MAX] = {
	[EVT_UNKNOWN] = "unknown",
	[EVT_TICKET_ISSUED] = "ticket.issued",
	[EVT_TICKET_CALLED] = "ticket.called",
	[EVT_TICKET_RECALLED] = "ticket.recalled",
	[EVT_TICKET_SERVING] = "ticket.serving",
	[EVT_TICKET_DONE] = "ticket.done",
	[EVT_TICKET_NO_SHOW] = "ticket.no_show",
	[EVT_TICKET_HELD] = "ticket.held",
	[EVT_TICKET_TRANSFERRED] = "ticket.transferred",
	[EVT_TICKET_CANCELLED] = "ticket.cancelled",
	[EVT_TICKET_REQUEUED] = "ticket.requeued",
	[EVT_WINDOW_OPENED] = "window.opened",
	[EVT_WINDOW_PAUSED] = "window.paused",
	[EVT_WINDOW_RESUMED] = "window.resumed",
	[EVT_WINDOW_CLOSED] = "window.closed",
	[EVT_WINDOW_RELEASED] = "window.released",
	[EVT_WINDOW_TIERS] = "window.tiers",
	[EVT_RATING_RECORDED] = "rating.recorded",
	[EVT_DAY_ROLLOVER] = "day.rollover",
	[EVT_DEVICE_UP] = "device.up",
	[EVT_DEVICE_DOWN] = "device.down",
	[EVT_DEVICE_LEARNED] = "device.learned",
	[EVT_CALL_ANNOUNCE] = "call.announce",
	[EVT_APPT_BOOKED] = "appointment.booked",
	[EVT_APPT_CANCELLED] = "appointment.cancelled",
	[EVT_APPT_RESCHEDULED] = "appointment.rescheduled",
	[EVT_APPT_CHECKED_IN] = "appointment.checked_in",
	[EVT_APPT_NO_SHOW] = "appointment.no_show",
	[EVT_SLOTS_BLOCKED] = "slots.blocked",
	[EVT_SLOTS_UNBLOCKED] = "slots.unblocked",
	[EVT_NOTIFY_SENT] = "notify.sent",
	[EVT_NOTIFY_DELIVERED] = "notify.delivered",
	[EVT_NOTIFY_FAILED] = "notify.failed",
	[EVT_CASE_OPENED] = "case.opened",
	[EVT_CASE_STEP] = "case.step",
	[EVT_CASE_OVERDUE] = "case.overdue",
	[EVT_CASE_CLOSED] = "case.closed",
	[EVT_RATING_STRUCK] = "rating.struck",
	[EVT_ADVICE_AUTO] = "advice.auto",
	[EVT_BACKUP_DONE] = "backup.done",
	[EVT_BACKUP_FAILED] = "backup.failed",
	[EVT_AUDIT] = "audit",
	[EVT_HALL_RESTORED] = "hall.restored",
};

const char *
event_type_name(enum event_type t)
{
	return t > EVT_UNKNOWN && t < EVT_MAX ? event_names[t] : "unknown";
}

enum event_type
event_type_parse(const char *s)
{
	int i;

	for (i = EVT_UNKNOWN + 1; s != NULL && i < EVT_MAX; i++)
		if (strcmp(event_names[i], s) == 0)
			return (enum event_type)i;
	return EVT_UNKNOWN;
}

/* The fields subscribers route on: "window" is a number or a WINDOW object,
 * "ticket" a TICKET object or (rating, announcement) an id. */
static void
event_fields(struct event *e)
{
	json_t *o = e->body, *w, *t;

	e->type = event_type_parse(json_string_value(json_object_get(o, "type")));
	e->at = json_integer_value(json_object_get(o, "at"));
	w = json_object_get(o, "window");
	e->window = json_is_integer(w) ? (int)json_integer_value(w) :
	    json_is_object(w) ? (int)json_integer_value(json_object_get(w,
	    "number")) : 0;
	t = json_object_get(o, "ticket");
	if (json_is_object(t)) {
		e->ticket = json_integer_value(json_object_get(t, "id"));
		e->number = json_string_value(json_object_get(t, "number"));
	} else {
		e->ticket = json_is_integer(t) ? json_integer_value(t) : 0;
		e->number = json_string_value(json_object_get(o, "number"));
	}
}

void
event_make(struct event *e, json_t *o)
{
	memset(e, 0, sizeof *e);
	e->body = o;
	e->seq = json_integer_value(json_object_get(o, "seq"));
	if ((e->json = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("json_dumps");
	event_fields(e);
}

int
event_parse(struct event *e, int64_t seq, const char *json)
{
	memset(e, 0, sizeof *e);
	if ((e->body = json_loads(json, 0, NULL)) == NULL ||
	    !json_is_object(e->body)) {
		json_decref(e->body);
		e->body = NULL;
		return -1;
	}
	e->seq = seq;
	e->json = xstrdup(json);
	event_fields(e);
	return 0;
}

void
event_clear(struct event *e)
{
	json_decref(e->body);
	free(e->json);
	memset(e, 0, sizeof *e);
}

void
event_clear_all(struct event *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		event_clear(&e[i]);
}

/* ---------------------------------------------------------------- the bus */

struct events {
	struct store		*store;
	struct {
		struct event_sub sub;
		void		*arg;
	}			 subs[EVENTS_SUBS_MAX];
	int			 nsubs;
};

struct events *
events_new(struct store *store)
{
	struct events *b = xcalloc(1, sizeof *b);

	b->store = store;
	return b;
}

void
events_free(struct events *b)
{
	free(b);
}

void
events_subscribe(struct events *b, const struct event_sub *sub, void *arg)
{
	if (b->nsubs == EVENTS_SUBS_MAX)
		fatalx("events: more than %d subscribers", EVENTS_SUBS_MAX);
	b->subs[b->nsubs].sub = *sub;
	b->subs[b->nsubs].arg = arg;
	b->nsubs++;
}

int
events_stage(struct events *b, const struct event *ev, size_t n)
{
	int i;

	if (b == NULL || n == 0)
		return 0;
	for (i = 0; i < b->nsubs; i++) {
		const struct event_sub *s = &b->subs[i].sub;
		if (s->stage == NULL)
			continue;
		if (s->stage(b->subs[i].arg, ev, n) == -1)
			return -1;
		if (s->durable &&
		    store_cursor_put(b->store, s->name, ev[n - 1].seq) == -1)
			return -1;
	}
	return 0;
}

void
events_publish(struct events *b, const struct event *ev, size_t n)
{
	int i;

	if (b == NULL || n == 0)
		return;
	for (i = 0; i < b->nsubs; i++)
		if (b->subs[i].sub.deliver != NULL)
			b->subs[i].sub.deliver(b->subs[i].arg, ev, n);
}

struct replay_page {
	struct event	 ev[EVENTS_REPLAY_PAGE];
	size_t		 n;
	int64_t		 last;
};

static int
events_replay_cb(void *arg, int64_t seq, const char *json)
{
	struct replay_page *p = arg;

	p->last = seq;
	if (event_parse(&p->ev[p->n], seq, json) == -1) {
		log_warnx("events: event %lld in the log is not JSON: skipped",
		    (long long)seq);
		return 0;
	}
	p->n++;
	return 0;
}

/* One durable subscriber, from its cursor to the end of the log. */
static int64_t
events_replay_one(struct events *b, int k)
{
	const struct event_sub *s = &b->subs[k].sub;
	struct replay_page *p;
	int64_t cursor, handed = 0;
	int rc;

	if ((cursor = store_cursor_get(b->store, s->name)) == -2)
		return -1;
	if (cursor == -1) {
		/* New: it starts from now, not from the hall's first day. */
		cursor = store_event_max_seq(b->store);
		if (cursor < 0 || store_begin(b->store) == -1)
			return -1;
		if (store_cursor_put(b->store, s->name, cursor) == -1 ||
		    store_commit(b->store) == -1) {
			store_rollback(b->store);
			return -1;
		}
		return 0;
	}
	p = xmalloc(sizeof *p);
	for (;;) {
		p->n = 0;
		p->last = cursor;
		if (store_events(b->store, cursor, EVENTS_REPLAY_PAGE,
		    events_replay_cb, p) < 0) {
			free(p);
			return -1;
		}
		if (p->last == cursor)
			break;
		if (s->stage != NULL) {
			/* Its rows and its cursor, as if the change were now. */
			rc = store_begin(b->store);
			if (rc == 0 && p->n > 0)
				rc = s->stage(b->subs[k].arg, p->ev, p->n);
			if (rc == 0)
				rc = store_cursor_put(b->store, s->name, p->last);
			if (rc == 0)
				rc = store_commit(b->store);
			if (rc != 0) {
				store_rollback(b->store);
				event_clear_all(p->ev, p->n);
				free(p);
				return -1;
			}
		}
		if (s->deliver != NULL && p->n > 0)
			s->deliver(b->subs[k].arg, p->ev, p->n);
		handed += (int64_t)p->n;
		event_clear_all(p->ev, p->n);
		cursor = p->last;
	}
	free(p);
	if (handed > 0)
		log_info("events: %s caught up %lld events from the log",
		    s->name, (long long)handed);
	return handed;
}

int64_t
events_replay(struct events *b)
{
	int64_t total = 0, n;
	int i;

	for (i = 0; i < b->nsubs; i++) {
		if (!b->subs[i].sub.durable)
			continue;
		if ((n = events_replay_one(b, i)) == -1)
			return -1;
		total += n;
	}
	return total;
}

int
events_cursor_set(struct store *s, const char *name, int64_t seq)
{
	return store_cursor_put(s, name, seq);
}

int64_t
events_cursor_get(struct store *s, const char *name)
{
	return store_cursor_get(s, name);
}

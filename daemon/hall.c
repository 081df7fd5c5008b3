/* hall.c — owns the hall's live state: today's tickets, the windows, the
 * numbering counters, the per-matter service-time estimates, and the event
 * sequence.  Every change goes through hall_exec(): check, decide, write one
 * transaction (rows and events), commit, and only then is it answered.  If a
 * write fails, the transaction is rolled back and the state is rebuilt from
 * the database, so memory never holds what the disk does not.
 * Must not touch sockets or devices: the caller publishes the events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "dispatch.h"
#include "event.h"
#include "hall_int.h"
#include "metrics.h"
#include "store.h"
#include "util.h"
#include "voice.h"

/* ---------------------------------------------------------------- writes */

void
hall_put_ticket(struct hall *h, struct ticket *t)
{
	struct store_ticket st = {
		.id = t->id, .day = t->day, .number = t->number,
		.prefix = t->prefix, .seqno = t->seqno, .matter = t->matter,
		.cls = t->cls, .channel = t->channel,
		.state = tstate_names[t->state], .window = t->window,
		.target_window = t->target_window,
		.held_by = t->state == TS_HELD ? t->window : 0,
		.issued_at = t->issued_at, .arrival = t->arrival,
		.slot_start = t->slot_start, .called_at = t->called_at,
		.first_called_at = t->first_called_at,
		.serving_at = t->serving_at, .ended_at = t->ended_at,
		.no_show_at = t->no_show_at, .recalls = t->recalls,
		.transfers = t->transfers, .phone = t->phone,
		.id_number = t->id_number, .token = t->token,
		.finished_by = t->finished_by[0] ? t->finished_by : NULL,
		.rated = t->rated, .notify = t->notify,
		.appointment = t->appointment[0] ? t->appointment : NULL,
	};

	if (!h->failed && store_ticket_put(h->store, &st) == -1)
		h->failed = 1;
}

void
hall_put_window(struct hall *h, struct win *w)
{
	struct store_window sw = {
		.number = w->number, .state = wstate_names[w->state],
		.ticket = w->cur ? w->cur->id : 0, .since = w->since,
	};

	if (!h->failed && store_window_put(h->store, &sw) == -1)
		h->failed = 1;
}

/* Append an event: takes ownership of `o` (its members), adds seq/type/at. */
void
hall_emit(struct hall *h, const char *type, json_t *o)
{
	struct hall_result *r = h->res;
	int64_t seq = h->seq + 1;
	struct event *ev;

	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "at", json_integer(h->now));
	r->events = xrealloc(r->events, (r->nevents + 1) * sizeof *r->events);
	ev = &r->events[r->nevents++];
	event_make(ev, o);
	if (ev->type == EVT_UNKNOWN)
		fatalx("event type %s is not in event.c's table", type);
	if (!h->failed && store_event_put(h->store, seq, h->now, type,
	    ev->json) == -1)
		h->failed = 1;
	h->seq = seq;
}

void
hall_emit_ticket(struct hall *h, const char *type, struct ticket *t)
{
	hall_emit(h, type, json_pack("{s:o, s:o}", "ticket", view_ticket(h, t),
	    "window", view_window_no(t->window)));
}

/* What the voice says for a call: its clip list (displays/voice.c), in the
 * same transaction as the call, so a board that replays gets both or none. */
void
hall_announce(struct hall *h, struct ticket *t, int recall)
{
	const struct voice_conf *vc = &h->conf->voice;
	const char *clips[VOICE_CLIPS_MAX];
	json_t *a, *langs;
	int n, i;

	if (vc->nlangs == 0)
		return;
	n = voice_compose(t->number, t->window, (const char *const *)vc->langs,
	    vc->nlangs, vc->repeat, clips, VOICE_CLIPS_MAX);
	if (n <= 0)
		return;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(clips[i]));
	langs = json_array();
	for (i = 0; i < vc->nlangs; i++)
		json_array_append_new(langs, json_string(vc->langs[i]));
	hall_emit(h, "call.announce", json_pack("{s:I, s:s, s:i, s:b, s:o, s:i, s:o}",
	    "ticket", (json_int_t)t->id, "number", t->number, "window", t->window,
	    "recall", recall, "languages", langs, "repeat", vc->repeat, "clips", a));
}

void
hall_emit_window(struct hall *h, const char *type, struct win *w)
{
	hall_emit(h, type, json_pack("{s:o}", "window", view_window(h, w)));
}

/* ---------------------------------------------------------------- loading */

void
hall_business_day(int64_t now, char *buf, size_t len)
{
	time_t t = (time_t)(now / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

static void
hall_load_ticket_cb(void *arg, const struct store_ticket *st)
{
	struct hall *h = arg;

	ticket_link(h, ticket_from_row(h, st));
}

static int
hall_counter_index(struct hall *h, const char *prefix)
{
	int i;

	for (i = 0; i < h->ncounters; i++)
		if (strcmp(h->counters[i].prefix, prefix) == 0)
			return i;
	h->counters = xrealloc(h->counters, (h->ncounters + 1) * sizeof *h->counters);
	memset(&h->counters[h->ncounters], 0, sizeof h->counters[0]);
	snprintf(h->counters[h->ncounters].prefix, sizeof h->counters[0].prefix,
	    "%s", prefix);
	h->counters[h->ncounters].last = -1;	/* not read yet */
	return h->ncounters++;
}

static void
hall_params(struct hall *h)
{
	h->policy = dispatch_policy_find(h->conf->policy);
	config_dispatch(h->conf, &h->params, &h->rule, h->head_start);
}

/* Everything in memory, from the database: at start and after a failed write. */
static int
hall_rebuild(struct hall *h, char *err, size_t errlen)
{
	size_t i;
	struct ticket **done = NULL;
	size_t ndone = 0;
	char *day;
	int k;

	ticket_clear_all(h);
	dispatch_free(h->disp);
	h->disp = dispatch_new(h->conf->nmatters, h->conf->nclasses);
	free(h->counters);
	h->counters = NULL;
	h->ncounters = 0;
	free(h->service_ms);
	h->service_ms = xcalloc(h->conf->nmatters + 1, sizeof *h->service_ms);
	for (k = 0; k < h->conf->nmatters; k++)
		h->service_ms[k] = h->conf->matters[k].service_ms;
	hall_params(h);
	window_build_all(h);

	if ((day = store_meta_get(h->store, "business_day")) != NULL) {
		snprintf(h->day, sizeof h->day, "%s", day);
		free(day);
	} else
		hall_business_day(h->now, h->day, sizeof h->day);
	if ((h->seq = store_event_max_seq(h->store)) < 0 ||
	    (h->next_id = store_ticket_max_id(h->store)) < 0 ||
	    store_tickets_live(h->store, h->day, hall_load_ticket_cb, h) < 0 ||
	    store_windows(h->store, window_load_cb, h) < 0) {
		snprintf(err, errlen, "loading the hall: %s", store_errmsg(h->store));
		return -1;
	}
	h->next_id++;
	for (k = 0; k < h->nwins; k++)
		window_tiers_load(h, &h->wins[k]);
	for (i = 0; i < h->nbuckets; i++) {
		struct ticket *t;
		for (t = h->buckets[i]; t != NULL; t = t->hnext) {
			ticket_queue(h, t);
			if (t->state == TS_DONE) {
				done = xrealloc(done, (ndone + 1) * sizeof *done);
				done[ndone++] = t;
			}
		}
	}
	/* Learn today's service times in the order they ended. */
	for (i = 1; i < ndone; i++) {
		struct ticket *x = done[i];
		size_t j = i;
		while (j > 0 && done[j - 1]->ended_at > x->ended_at) {
			done[j] = done[j - 1];
			j--;
		}
		done[j] = x;
	}
	for (i = 0; i < ndone; i++)
		ticket_learn_service(h, done[i]);
	free(done);
	window_held_rebuild(h);
	hours_setup(h);
	if (appt_load(h) == -1) {
		snprintf(err, errlen, "loading blocked slots: %s",
		    store_errmsg(h->store));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- rollover */

/*
 * A new business day: every ticket still open from the old day ends as
 * expired, windows let go of their tickets, numbering starts again.
 */
static void
hall_rollover(struct hall *h, const char *today)
{
	char from[16];
	size_t i, n = 0;
	int k;

	snprintf(from, sizeof from, "%s", h->day);
	for (i = 0; i < h->nbuckets; i++) {
		struct ticket *t;
		for (t = h->buckets[i]; t != NULL; t = t->hnext) {
			if (strcmp(t->day, today) == 0)
				continue;
			/* A no-show past its grace is over already: it stays. */
			if (t->state == TS_NO_SHOW &&
			    h->now - t->no_show_at > h->conf->no_show_grace_ms)
				continue;
			if (ticket_move(t, TMOVE_EXPIRE) == -1)
				continue;	/* done, cancelled, expired */
			ticket_unqueue(h, t);
			t->ended_at = h->now;
			hall_put_ticket(h, t);
			n++;
		}
	}
	for (k = 0; k < h->nwins; k++) {
		struct win *w = &h->wins[k];
		if (w->cur != NULL && strcmp(w->cur->day, today) != 0) {
			w->cur = NULL;
			w->since = h->now;
			hall_put_window(h, w);
		}
		/* A manager's tiers were for that day: the file's again. */
		free(w->otiers);
		free(w->omatters);
		w->otiers = NULL;
		w->omatters = NULL;
		w->dw.tiers = w->conf->tiers;
		w->dw.ntiers = w->conf->ntiers;
	}
	snprintf(h->day, sizeof h->day, "%s", today);
	if (!h->failed && store_meta_put(h->store, "business_day", today) == -1)
		h->failed = 1;
	for (k = 0; k < h->ncounters; k++)
		h->counters[k].last = -1;
	window_held_rebuild(h);
	hall_emit(h, "day.rollover", json_pack("{s:s, s:s, s:I}", "from", from,
	    "to", today, "expired", (json_int_t)n));
}

/* Forget the old day's finished tickets; they stay in the database. */
static void
hall_forget_old(struct hall *h)
{
	size_t i;

	for (i = 0; i < h->nbuckets; i++) {
		struct ticket **pp = &h->buckets[i], *t;
		while ((t = *pp) != NULL) {
			int busy = 0, k;
			for (k = 0; k < h->nwins; k++)
				if (h->wins[k].cur == t)
					busy = 1;
			if (strcmp(t->day, h->day) != 0 && !busy && !t->queued &&
			    t->state != TS_HELD) {
				*pp = t->hnext;
				ticket_free(t);
				h->ntickets--;
			} else
				pp = &t->hnext;
		}
	}
}

int
hall_next_number(struct hall *h, const char *prefix, int64_t *seqno)
{
	int i = hall_counter_index(h, prefix);

	if (h->counters[i].last < 0 &&
	    (h->counters[i].last = store_counter_get(h->store, h->day, prefix)) < 0) {
		h->failed = 1;
		return -1;
	}
	*seqno = ++h->counters[i].last;
	if (!h->failed && store_counter_put(h->store, h->day, prefix, *seqno) == -1)
		h->failed = 1;
	return 0;
}

/* The rater as the record keeps them: masked now, while the ticket (or
 * the booking it was checked in from) still holds the person's data. */
struct rater_read {
	char	*id, *phone;
};

static void
rater_appt_cb(void *arg, const struct store_appt *a)
{
	struct rater_read *rr = arg;

	if (rr->id == NULL && a->id_number != NULL)
		rr->id = view_mask(a->id_number);
	if (rr->phone == NULL && a->phone != NULL)
		rr->phone = view_mask(a->phone);
}

void
hall_rating_write(struct hall *h, struct ticket *t, int score,
    const char *source, const char *comment, const char *terminal)
{
	const char *channel = cases_rating_channel(source, terminal);
	struct rater_read rr = {
		t->id_number ? view_mask(t->id_number) : NULL,
		t->phone ? view_mask(t->phone) : NULL,
	};
	struct store_rating r;
	json_t *o;

	if (score > 0 && t->appointment[0] != '\0' &&
	    (rr.id == NULL || rr.phone == NULL) &&
	    store_appt_get(h->store, t->appointment, rater_appt_cb, &rr) == -1)
		h->failed = 1;
	r = (struct store_rating){
		.ticket = t->id, .day = t->day, .window = t->window,
		.clerk = t->finished_by[0] ? t->finished_by : NULL,
		.matter = t->matter, .score = score, .source = source,
		.comment = comment, .at = h->now, .channel = channel,
		.terminal = terminal, .rater_id = rr.id, .rater_phone = rr.phone,
		.real_name = rr.id != NULL,
	};
	t->rated = score > 0 ? 1 : 2;
	if (!h->failed && store_rating_put(h->store, &r) == -1)
		h->failed = 1;
	free(rr.id);
	free(rr.phone);
	hall_put_ticket(h, t);
	o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:o, s:s, s:b}",
	    "ticket", (json_int_t)t->id, "number", t->number,
	    "window", view_window_no(t->window), "matter", t->matter,
	    "clerk", t->finished_by, "score", score > 0 ? json_integer(score) :
	    json_null(), "source", source, "not_rated", score == 0);
	if (comment != NULL)
		json_object_set_new(o, "comment", json_string(comment));
	hall_emit(h, "rating.recorded", o);
	if (score == 1 || score == 2)
		cases_open_rating(h, t, score, comment, channel);
}

static void
hall_result_body(struct hall_result *r, struct op_ctx *c)
{
	if (c->text != NULL && r->body == NULL) {
		r->body = c->text;
		r->ctype = METRICS_CTYPE;
		c->text = NULL;
	}
	free(c->text);
	c->text = NULL;
	if (c->reply != NULL && r->body == NULL)
		r->body = view_text(c->reply);
	json_decref(c->reply);
	c->reply = NULL;
}

static void
hall_drop_events(struct hall_result *r)
{
	event_clear_all(r->events, r->nevents);
	free(r->events);
	r->events = NULL;
	r->nevents = 0;
}

/* After a failed write: nothing of it stands, memory comes back from disk. */
static void
hall_recover(struct hall *h)
{
	char err[256];

	if (!h->batch)
		store_rollback(h->store);
	else if (store_rollback_to(h->store) == -1)
		h->batch_failed = 1;	/* the whole batch will be undone */
	hall_drop_events(h->res);
	h->failed = 0;
	if (hall_rebuild(h, err, sizeof err) == -1)
		fatalx("cannot rebuild the hall after a failed write: %s", err);
}

/* Seconds on a clock that only goes forward: a commit's time. */
static double
hall_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The one way to write, for commands, timers, device notes and learning:
 * hall_txn_begin() opens the change (a savepoint inside a batch, else a
 * transaction); hall_txn_end() lets the subscribers with a stage hook write
 * their rows and cursors over its events, then commits — or, if any write
 * failed, undoes it all and rebuilds memory from the disk.  0 or -1.
 */
int
hall_txn_begin(struct hall *h)
{
	h->failed = 0;
	return h->batch ? store_savepoint(h->store) : store_begin(h->store);
}

int
hall_txn_end(struct hall *h)
{
	struct hall_result *r = h->res;
	double t0;

	if (!h->failed && events_stage(h->bus, r->events, r->nevents) == -1)
		h->failed = 1;
	if (!h->failed && h->batch && store_release(h->store) == 0)
		return 0;
	if (!h->failed && !h->batch) {
		t0 = hall_mono();
		if (store_commit(h->store) == 0) {
			metrics_commit(h->metrics, hall_mono() - t0, 0);
			return 0;
		}
	}
	hall_recover(h);
	return -1;
}

/* A result for the change about to be made at `now`. */
static void
hall_res_open(struct hall *h, struct hall_result *r, int64_t now)
{
	memset(r, 0, sizeof *r);
	h->now = now;
	h->res = r;
	h->failed = 0;
}

static void
hall_roll_if_due(struct hall *h)
{
	char today[16];

	hall_business_day(h->now, today, sizeof today);
	if (strcmp(today, h->day) > 0)
		hall_rollover(h, today);
}

void
hall_exec(struct hall *h, json_t *cmd, int64_t now, struct hall_result *r)
{
	struct op_ctx c = { .cmd = cmd };
	const struct op *op = NULL;
	json_t *name = json_object_get(cmd, "op");

	hall_res_open(h, r, now);
	c.body = json_object_get(cmd, "body");
	if (c.body == NULL)
		c.body = json_object();
	else
		json_incref(c.body);
	if (json_is_string(name))
		op = cmd_find(json_string_value(name));
	if (op == NULL)
		c.status = cmd_error(&c, 400, "unknown_op", "unknown command");
	else if ((c.status = cmd_check(h, &c, op)) != 0)
		;
	else if (!op->writes) {
		c.status = op->fn(h, &c);
		if (h->failed) {
			h->failed = 0;
			c.status = cmd_error(&c, 500, "storage_failed",
			    "the database could not be read");
		}
	} else if (hall_txn_begin(h) == -1) {
		c.status = cmd_error(&c, 500, "storage_failed",
		    "the database is not available");
	} else {
		if (h->batch)
			h->batch_writes++;
		hall_roll_if_due(h);
		if (op->window && c.win != NULL && (c.device != NULL ||
		    (c.token != NULL && c.token->role == ROLE_CLERK)))
			cmd_clerk_name(h, &c, c.win->clerk, sizeof c.win->clerk);
		c.status = op->fn(h, &c);
		if (!h->failed)
			hall_audit_cmd(h, &c, op->name);
		if (hall_txn_end(h) == -1)
			c.status = cmd_error(&c, 500, "storage_failed",
			    "the change could not be written; nothing was changed");
	}
	r->status = c.status;
	/* As answered now: a group commit that fails later turns its
	 * replies into 500s, which are not counted again. */
	metrics_command(h->metrics, op != NULL ? op->name : "unknown", c.status);
	hall_result_body(r, &c);
	json_decref(c.body);
	ticket_free(c.loose);
	h->res = NULL;
}

/*
 * Group commit.  The core runs the commands that are waiting inside one
 * transaction, each in its own savepoint (so a failing one is undone alone),
 * and commits once: one fsync for the lot.  Every reply of the batch waits
 * for that commit; if it fails, nothing of the batch stands and the hall is
 * rebuilt from the disk, and the caller answers each with hall_result_fail().
 */
int
hall_batch_begin(struct hall *h)
{
	if (store_begin(h->store) == -1)
		return -1;
	h->batch = 1;
	h->batch_failed = 0;
	h->batch_writes = 0;
	return 0;
}

int
hall_batch_end(struct hall *h)
{
	char err[256];
	double t0 = hall_mono();

	h->batch = 0;
	if (!h->batch_failed && store_commit(h->store) == 0) {
		/* Reads alone commit nothing: only batches that wrote count. */
		if (h->batch_writes > 0)
			metrics_commit(h->metrics, hall_mono() - t0,
			    h->batch_writes);
		return 0;
	}
	store_rollback(h->store);
	if (hall_rebuild(h, err, sizeof err) == -1)
		fatalx("cannot rebuild the hall after a failed commit: %s", err);
	return -1;
}

/* A result whose batch did not commit: its events never happened. */
void
hall_result_fail(struct hall_result *r)
{
	size_t i;

	hall_drop_events(r);
	for (i = 0; i < r->nitems; i++)
		free(r->items[i].json);
	free(r->items);
	r->items = NULL;
	r->nitems = 0;
	free(r->body);
	r->status = 500;
	r->ctype = NULL;
	r->body = xstrdup("{\"error\":{\"code\":\"storage_failed\",\"message\":"
	    "\"the change could not be written; nothing was changed\"}}");
}

/* Timers: the day rolls over even when nobody issues a ticket. */
/* Served tickets nobody rated in time are recorded as not rated. */
#define UNRATED_PER_TICK	256
static void
hall_unrated(struct hall *h)
{
	struct ticket *due[UNRATED_PER_TICK], *t;
	size_t i, n = 0;

	for (i = 0; i < h->nbuckets && n < UNRATED_PER_TICK; i++)
		for (t = h->buckets[i]; t != NULL && n < UNRATED_PER_TICK; t = t->hnext)
			if (t->state == TS_DONE && t->rated == 0 && t->ended_at > 0 &&
			    t->ended_at + h->conf->rating_timeout_ms <= h->now)
				due[n++] = t;
	if (n == 0 || h->failed)
		return;
	if (hall_txn_begin(h) == -1) {
		h->failed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		hall_rating_write(h, due[i], 0, "none", NULL, NULL);
	(void)hall_txn_end(h);
}

void
hall_tick(struct hall *h, int64_t now, struct hall_result *r)
{
	char today[16];

	hall_res_open(h, r, now);
	hall_business_day(now, today, sizeof today);
	if (strcmp(today, h->day) > 0) {
		if (hall_txn_begin(h) == -1)
			h->failed = 1;
		else {
			hall_rollover(h, today);
			if (hall_txn_end(h) == 0)
				hall_forget_old(h);
		}
	}
	hall_unrated(h);
	if (!h->failed && (hours_tick_due(h) || appt_tick_due(h))) {
		if (hall_txn_begin(h) == -1)
			h->failed = 1;
		else {
			hours_tick(h);
			appt_tick(h);
			(void)hall_txn_end(h);
		}
	}
	if (!h->failed && advice_tick_due(h)) {
		if (hall_txn_begin(h) == -1)
			h->failed = 1;
		else {
			advice_tick(h);
			(void)hall_txn_end(h);
		}
	}
	if (!h->failed && cases_tick_due(h))
		cases_tick(h);
	r->status = 200;
	h->res = NULL;
}

/*
 * Something outside any command happened (a device came or went): one event
 * in its own transaction.  Takes `o`.  Returns -1 if it could not be written.
 */
int
hall_note(struct hall *h, const char *type, json_t *o, int64_t now,
    struct hall_result *r)
{
	return hall_write(h, NULL, NULL, type, o, now, r);
}

/* A change outside any command (a device's note, the outbox's sender):
 * fn's rows (fn may be NULL) and the event in one transaction.  Takes o.
 * 0, or -1 when nothing was written. */
int
hall_write(struct hall *h, int (*fn)(struct store *, void *), void *arg,
    const char *type, json_t *o, int64_t now, struct hall_result *r)
{
	hall_res_open(h, r, now);
	if (h->batch || hall_txn_begin(h) == -1) {
		json_decref(o);
		h->res = NULL;
		return -1;
	}
	if (fn != NULL && fn(h->store, arg) == -1)
		h->failed = 1;
	if (type != NULL)
		hall_emit(h, type, o);
	else
		json_decref(o);
	if (hall_txn_end(h) == -1) {
		h->res = NULL;
		return -1;
	}
	r->status = 200;
	h->res = NULL;
	return 0;
}

void
hall_set_events(struct hall *h, struct events *bus)
{
	h->bus = bus;
}

void
hall_set_metrics(struct hall *h, struct metrics *m)
{
	h->metrics = m;
}

int64_t
hall_ticket_first_call(void *arg, int64_t id)
{
	struct ticket *t = ticket_find(arg, id);

	return t != NULL ? t->first_called_at : 0;
}

void
hall_set_devices(struct hall *h, const struct hall_devices *d, void *arg)
{
	h->devices = d;
	h->devices_arg = arg;
}

/* A remote bound to a window by learning: kept, and said. */
int
hall_learned(struct hall *h, const char *device, int64_t remote, int window,
    int64_t now, struct hall_result *r)
{
	char hex[16];

	hall_res_open(h, r, now);
	if (h->batch || hall_txn_begin(h) == -1) {
		h->res = NULL;
		return -1;
	}
	if (store_remote_put(h->store, device, remote, window, now) == -1)
		h->failed = 1;
	snprintf(hex, sizeof hex, "%05llX", (unsigned long long)remote);
	hall_emit(h, "device.learned", json_pack("{s:s, s:s, s:i}", "device",
	    device, "remote", hex, "window", window));
	if (hall_txn_end(h) == -1) {
		h->res = NULL;
		return -1;
	}
	r->status = 200;
	h->res = NULL;
	return 0;
}

int
hall_remotes(struct hall *h, const char *device, void (*cb)(void *, int64_t, int),
    void *arg)
{
	return store_remotes(h->store, device, cb, arg);
}

void
hall_result_clear(struct hall_result *r)
{
	size_t i;

	hall_drop_events(r);
	for (i = 0; i < r->nitems; i++)
		free(r->items[i].json);
	free(r->items);
	free(r->body);
	json_decref(r->defer);
	memset(r, 0, sizeof *r);
}

struct hall *
hall_new(struct config *conf, struct store *store, int64_t now, char *err,
    size_t errlen)
{
	struct hall *h = xcalloc(1, sizeof *h);
	struct hall_result r;
	char *day;

	h->conf = conf;
	h->store = store;
	h->now = now;
	if (hall_rebuild(h, err, errlen) == -1) {
		hall_free(h);
		return NULL;
	}
	if ((day = store_meta_get(h->store, "business_day")) == NULL) {
		/* A new database: record the day and the windows' first states. */
		int i;
		hall_res_open(h, &r, now);
		if (hall_txn_begin(h) == -1)
			h->failed = 1;
		for (i = 0; i < h->nwins; i++)
			hall_put_window(h, &h->wins[i]);
		if (!h->failed && store_meta_put(store, "business_day", h->day) == -1)
			h->failed = 1;
		if (h->failed || hall_txn_end(h) == -1) {
			snprintf(err, errlen, "initialising the database: %s",
			    store_errmsg(store));
			store_rollback(store);
			hall_result_clear(&r);
			hall_free(h);
			return NULL;
		}
		hall_result_clear(&r);
		h->res = NULL;
	}
	free(day);
	return h;
}

void
hall_free(struct hall *h)
{
	if (h == NULL)
		return;
	ticket_clear_all(h);
	dispatch_free(h->disp);
	hours_free(h);
	appt_free(h);
	window_free_all(h);
	config_free(h->pending_conf);
	free(h->held);
	free(h->counters);
	free(h->service_ms);
	json_decref(h->auto_conf);
	free(h->fc);
	free(h);
}

/* SIGHUP: a checked config replaces the old; queues are rebuilt against it. */
void
hall_reconfigure(struct hall *h, struct config *conf)
{
	char err[256];

	h->conf = conf;
	free(h->fc);		/* matters and forecast may have changed */
	h->fc = NULL;
	if (hall_rebuild(h, err, sizeof err) == -1)
		fatalx("reconfigure: %s", err);
}

/*
 * Started on a backup copy (backup.c marks each "backup.of SEQ AT"): events
 * after the copy's last may have gone out before the disaster (the uplink,
 * pages, the city), and a receiver that deduplicates by seq would drop new
 * events that reused their numbers.  So the log goes on after a gap of
 * HALL_RESTORE_GAP numbers, at hall.restored, and the mark is taken away.
 * Before the bus and the bridge start: they begin from the new seq.  0, or
 * -1 when it could not be written (the hall must not serve then).
 */
#define HALL_RESTORE_GAP	10000000LL
static int
hall_unmark_restored(struct store *s, void *arg)
{
	(void)arg;
	return store_meta_put(s, "backup.of", "");
}

int
hall_restored(struct hall *h, int64_t now)
{
	struct hall_result r;
	long long from, at;
	char *v;

	if ((v = store_meta_get(h->store, "backup.of")) == NULL)
		return 0;
	if (*v == '\0' || sscanf(v, "%lld %lld", &from, &at) != 2) {
		free(v);
		return 0;
	}
	free(v);
	h->seq += HALL_RESTORE_GAP - 1;
	if (hall_write(h, hall_unmark_restored, NULL, "hall.restored",
	    json_pack("{s:I, s:I, s:I}", "backup_seq", (json_int_t)from,
	    "backup_at", (json_int_t)at, "skipped",
	    (json_int_t)(HALL_RESTORE_GAP - 1)), now, &r) == -1) {
		hall_result_clear(&r);
		return -1;
	}
	hall_result_clear(&r);
	log_warnx("started on a backup copy whose last event is seq %lld: "
	    "events after it are lost; seq goes on at %lld (hall.restored) so "
	    "nobody mistakes new events for the lost ones", from,
	    (long long)h->seq);
	return 0;
}

/* A configuration a command wrote, for the core to apply once the command
 * is committed (a later one in the same batch replaces it). */
void
hall_set_pending_config(struct hall *h, struct config *conf)
{
	config_free(h->pending_conf);
	h->pending_conf = conf;
}

struct config *
hall_take_config(struct hall *h)
{
	struct config *conf = h->pending_conf;

	h->pending_conf = NULL;
	return conf;
}

/* -a: the hours are shown but not enforced. */
void
hall_set_any_hour(struct hall *h, int any)
{
	h->any_hour = any;
	h->hours_enforced = h->conf->has_hours && !any;
}

int64_t
hall_seq(struct hall *h)
{
	return h->seq;
}

const char *
hall_day(struct hall *h)
{
	return h->day;
}

size_t
hall_tickets_in_memory(struct hall *h)
{
	return h->ntickets;
}

/* hall.c — owns the hall's live state: today's tickets, the windows, the
 * numbering counters, the per-matter service-time estimates, and the event
 * sequence.  Every change goes through hall_exec(): check, decide, write one
 * transaction (rows and events), commit, and only then is it answered.  If a
 * write fails, the transaction is rolled back and the state is rebuilt from
 * the database, so memory never holds what the disk does not.
 * Must not touch sockets or devices: the caller publishes the events. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "config.h"
#include "dispatch.h"
#include "estimate.h"
#include "hall.h"
#include "store.h"
#include "util.h"
#include "voice.h"

#define HALL_VERSION	"0.1.0"

enum tstate {
	TS_WAITING,
	TS_CALLED,
	TS_SERVING,
	TS_HELD,
	TS_DONE,
	TS_NO_SHOW,
	TS_CANCELLED,
	TS_TRANSFERRED,		/* waiting again after a transfer */
	TS_EXPIRED,		/* still open when its business day ended */
	TS_MAX
};

static const char *const tstate_names[TS_MAX] = {
	"waiting", "called", "serving", "held", "done", "no_show",
	"cancelled", "transferred", "expired"
};

enum wstate {
	WS_CLOSED,
	WS_OPEN,
	WS_PAUSED,
	WS_MAX
};

static const char *const wstate_names[WS_MAX] = { "closed", "open", "paused" };

struct ticket {
	int64_t		 id;
	char		 day[16];
	char		 number[24];
	char		 prefix[8];
	int64_t		 seqno;
	char		 matter[40];	/* code; index below may be -1 after reload */
	int		 mi;
	char		 cls[40];
	int		 ci;
	char		 channel[16];
	enum tstate	 state;
	int		 window;	/* window serving, holding or that no-showed it */
	int		 target_window;	/* transferred to this window only */
	int64_t		 issued_at;
	int64_t		 arrival;	/* virtual arrival: fairness clock */
	int64_t		 slot_start;
	int64_t		 called_at;
	int64_t		 serving_at;
	int64_t		 ended_at;
	int64_t		 no_show_at;
	int		 recalls;
	int		 transfers;
	char		*phone;
	char		*id_number;
	char		 token[33];
	char		 finished_by[68];	/* clerk's name */
	int		 rated;		/* 0 not yet, 1 rated, 2 not rated in time */
	int		 queued;	/* in the dispatcher */
	struct dispatch_ticket dt;	/* as queued */
	struct ticket	*hnext;
};

struct win {
	const struct window_conf *conf;
	int		 number;
	enum wstate	 state;
	struct ticket	*cur;
	int64_t		 since;		/* state or ticket change */
	char		 clerk[68];	/* who last acted here (not kept) */
	struct dispatch_window dw;
	/* A manager's tiers for today (POST .../tiers), else the file's. */
	struct dispatch_tier *otiers;
	int		*omatters;
};

struct counter {
	char		 prefix[8];
	int64_t		 last;
};

struct hall {
	struct config	*conf;
	struct store	*store;
	const struct dispatch_policy *policy;
	struct dispatch_params params;
	struct dispatch_rule rule;	/* class and key: the fairness rule */
	int64_t		 head_start[DISPATCH_MAX_CLASSES];
	struct dispatch	*disp;
	char		 day[16];
	int64_t		 seq;
	int64_t		 next_id;

	struct ticket	**buckets;
	size_t		 nbuckets;
	size_t		 ntickets;

	struct win	*wins;
	int		 nwins;
	struct ticket	**held;		/* every held ticket: windows list theirs */
	size_t		 nheld;
	struct counter	*counters;
	int		 ncounters;
	int64_t		*service_ms;	/* per matter: EWMA of service time */

	/* The command being applied. */
	int64_t		 now;
	struct hall_result *res;
	int		 failed;	/* a write failed: roll back */
	int		 batch;		/* inside hall_batch_begin/end */
	int		 batch_failed;	/* a savepoint could not be undone */

	/* GET /api/devices and learn: the device manager answers. */
	const struct hall_devices *devices;
	void		*devices_arg;
	struct events	*bus;		/* stage hooks run in our transactions */
};

/* ---------------------------------------------------------------- tickets */

static size_t
hall_hash(int64_t id, size_t n)
{
	return (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 20) & (n - 1);
}

static void
hall_ticket_link(struct hall *h, struct ticket *t)
{
	size_t i;

	if (h->ntickets + 1 > h->nbuckets) {
		size_t n = h->nbuckets ? h->nbuckets * 2 : 1024;
		struct ticket **b = xcalloc(n, sizeof *b);
		for (i = 0; i < h->nbuckets; i++) {
			struct ticket *x, *next;
			for (x = h->buckets[i]; x != NULL; x = next) {
				size_t k = hall_hash(x->id, n);
				next = x->hnext;
				x->hnext = b[k];
				b[k] = x;
			}
		}
		free(h->buckets);
		h->buckets = b;
		h->nbuckets = n;
	}
	i = hall_hash(t->id, h->nbuckets);
	t->hnext = h->buckets[i];
	h->buckets[i] = t;
	h->ntickets++;
}

static struct ticket *
hall_ticket_find(struct hall *h, int64_t id)
{
	struct ticket *t;

	if (h->nbuckets == 0)
		return NULL;
	for (t = h->buckets[hall_hash(id, h->nbuckets)]; t != NULL; t = t->hnext)
		if (t->id == id)
			return t;
	return NULL;
}

static void
ticket_free(struct ticket *t)
{
	if (t == NULL)
		return;
	free(t->phone);
	free(t->id_number);
	free(t);
}

static void
hall_tickets_clear(struct hall *h)
{
	size_t i;

	for (i = 0; i < h->nbuckets; i++) {
		struct ticket *t, *next;
		for (t = h->buckets[i]; t != NULL; t = next) {
			next = t->hnext;
			ticket_free(t);
		}
	}
	free(h->buckets);
	h->buckets = NULL;
	h->nbuckets = h->ntickets = 0;
}

static int
tstate_parse(const char *s)
{
	int i;

	for (i = 0; i < TS_MAX; i++)
		if (strcmp(tstate_names[i], s) == 0)
			return i;
	return -1;
}

static int
ticket_in_queue_state(const struct ticket *t)
{
	return t->state == TS_WAITING || t->state == TS_TRANSFERRED;
}

/* The class a ticket waits as (dispatch_class_of(): the pure rule).  It is
 * queued under this class too, so within a (matter, class) queue key order
 * stays arrival order (dispatch_oldest() and the overflow thresholds rely on
 * it). */
static int
hall_ticket_class(struct hall *h, const struct ticket *t)
{
	return dispatch_class_of(&h->rule, t->ci, t->issued_at, t->slot_start);
}

static int64_t
hall_ticket_key(struct hall *h, const struct ticket *t)
{
	return dispatch_key(&h->rule, hall_ticket_class(h, t), t->arrival);
}

static void
hall_queue(struct hall *h, struct ticket *t)
{
	if (t->queued || !ticket_in_queue_state(t) || t->mi < 0)
		return;
	t->dt.id = t->id;
	t->dt.matter = t->mi;
	t->dt.cls = hall_ticket_class(h, t);
	t->dt.window = t->target_window;
	t->dt.arrival = t->arrival;
	t->dt.key = hall_ticket_key(h, t);
	dispatch_add(h->disp, &t->dt);
	t->queued = 1;
}

static void
hall_unqueue(struct hall *h, struct ticket *t)
{
	if (!t->queued)
		return;
	if (dispatch_remove(h->disp, &t->dt) == -1)
		log_warnx("ticket %lld was not in its queue", (long long)t->id);
	t->queued = 0;
}

static struct win *
hall_win(struct hall *h, int number)
{
	int i;

	for (i = 0; i < h->nwins; i++)
		if (h->wins[i].number == number)
			return &h->wins[i];
	return NULL;
}

/* ---------------------------------------------------------------- estimates */

static int
hall_open_windows(struct hall *h, int mi)
{
	int i, j, k, n = 0;

	for (i = 0; i < h->nwins; i++) {
		const struct win *w = &h->wins[i];
		int serves = 0;
		if (w->state != WS_OPEN)
			continue;
		for (j = 0; j < w->dw.ntiers && !serves; j++)
			for (k = 0; k < w->dw.tiers[j].nmatters; k++)
				if (w->dw.tiers[j].matters[k] == mi)
					serves = 1;
		n += serves;
	}
	return n;
}

/*
 * The estimated wait behind `ahead` tickets of matter mi, shared by its open
 * windows, or by window `target` alone (a ticket transferred to it; 0: none).
 * -1 when no open window would take it: the wait is unknown, not 0.
 */
static int64_t
hall_eta_s(struct hall *h, int mi, size_t ahead, int target)
{
	const struct win *w;
	int open;

	if (mi < 0)
		return -1;
	if (target != 0)
		open = (w = hall_win(h, target)) != NULL && w->state == WS_OPEN;
	else
		open = hall_open_windows(h, mi);
	return estimate_eta_s(ahead, h->service_ms[mi], open);
}

static json_t *
json_eta(int64_t eta_s)
{
	return eta_s >= 0 ? json_integer(eta_s) : json_null();
}

/* Rolling mean of service time (estimate_learn()), from the configured prior. */
static void
hall_learn_service(struct hall *h, const struct ticket *t)
{
	if (t->mi >= 0)
		h->service_ms[t->mi] = estimate_learn(h->service_ms[t->mi],
		    t->called_at, t->ended_at);
}

/* ---------------------------------------------------------------- JSON */

static json_t *
json_ms(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *
json_window_no(int v)
{
	return v ? json_integer(v) : json_null();
}

/* Show the first three and last four of a number, never the whole. */
static char *
mask_digits(const char *s)
{
	size_t n = strlen(s), i;
	char *m = xstrdup(s);

	for (i = 0; i < n; i++)
		if (n <= 7 || (i >= 3 && i + 4 < n))
			m[i] = '*';
	return m;
}

/* json_string copies: the masked text is ours to free. */
static json_t *
json_masked(const char *s)
{
	char *m = mask_digits(s);
	json_t *v = json_string_nocheck(m);

	free(m);
	return v;
}

static json_t *
ticket_json(struct hall *h, struct ticket *t)
{
	size_t ahead = 0;
	int64_t eta = 0;
	json_t *o;

	if (t->queued)
		ahead = dispatch_ahead(h->disp, &t->dt);
	/* Waiting (a matter no longer configured is never queued): -1 when
	 * no open window would call it now. */
	if (ticket_in_queue_state(t))
		eta = t->queued ? hall_eta_s(h, t->mi, ahead,
		    t->target_window) : -1;
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o,"
	    " s:I, s:o, s:b, s:s, s:o, s:i, s:i}",
	    "id", (json_int_t)t->id,
	    "number", t->number,
	    "matter", t->matter,
	    "class", t->cls,
	    "channel", t->channel,
	    "state", tstate_names[t->state],
	    "window", json_window_no(t->window),
	    "issued_at", (json_int_t)t->issued_at,
	    "called_at", json_ms(t->called_at),
	    "serving_at", json_ms(t->serving_at),
	    "ended_at", json_ms(t->ended_at),
	    "ahead", (json_int_t)ahead,
	    "eta_s", json_eta(eta),
	    "no_open_window", eta < 0,
	    "business_day", t->day,
	    "target_window", json_window_no(t->target_window),
	    "recalls", t->recalls,
	    "transfers", t->transfers);
	if (o == NULL)
		fatalx("json_pack ticket");
	if (t->mi >= 0)
		json_object_set_new(o, "matter_name",
		    json_string(h->conf->matters[t->mi].name));
	if (t->phone != NULL)
		json_object_set_new(o, "phone", json_masked(t->phone));
	if (t->id_number != NULL)
		json_object_set_new(o, "id_number", json_masked(t->id_number));
	if (t->slot_start)
		json_object_set_new(o, "slot_start", json_integer(t->slot_start));
	return o;
}

static json_t *
window_json(struct hall *h, struct win *w)
{
	json_t *tiers = json_array(), *held = json_array(), *o;
	json_t *waiting = json_array();
	size_t i;
	int j, k;

	for (j = 0; j < w->dw.ntiers; j++) {
		json_t *tier = json_array();
		for (k = 0; k < w->dw.tiers[j].nmatters; k++)
			json_array_append_new(tier, json_string(
			    h->conf->matters[w->dw.tiers[j].matters[k]].code));
		json_array_append_new(tiers, tier);
	}
	for (i = 0; i < h->nheld; i++)
		if (h->held[i]->window == w->number)
			json_array_append_new(held, json_integer(h->held[i]->id));
	/* Who waits for each tier: its matters' queues. */
	for (j = 0; j < w->dw.ntiers; j++) {
		size_t n = 0;
		for (k = 0; k < w->dw.tiers[j].nmatters; k++)
			n += dispatch_waiting(h->disp, w->dw.tiers[j].matters[k]);
		json_array_append_new(waiting, json_integer((json_int_t)n));
	}
	o = json_pack("{s:i, s:s, s:s?, s:s, s:o, s:o, s:o, s:I, s:o, s:o}",
	    "number", w->number,
	    "name", w->conf->name,
	    "kind", w->conf->kind,
	    "state", wstate_names[w->state],
	    "ticket", w->cur ? ticket_json(h, w->cur) : json_null(),
	    "tiers", tiers,
	    "held", held,
	    "since", (json_int_t)w->since,
	    "waiting", waiting,
	    "clerk", w->clerk[0] ? json_string(w->clerk) : json_null());
	if (o == NULL)
		fatalx("json_pack window");
	return o;
}

/* The held list follows the tickets' states: kept by hold and call, made
 * anew from all tickets after a rebuild or a rollover. */
static void
hall_held_add(struct hall *h, struct ticket *t)
{
	h->held = xrealloc(h->held, (h->nheld + 1) * sizeof *h->held);
	h->held[h->nheld++] = t;
}

static void
hall_held_del(struct hall *h, struct ticket *t)
{
	size_t i;

	for (i = 0; i < h->nheld; i++) {
		if (h->held[i] == t) {
			h->held[i] = h->held[--h->nheld];
			return;
		}
	}
}

static void
hall_held_rebuild(struct hall *h)
{
	struct ticket *t;
	size_t i;

	h->nheld = 0;
	for (i = 0; i < h->nbuckets; i++)
		for (t = h->buckets[i]; t != NULL; t = t->hnext)
			if (t->state == TS_HELD)
				hall_held_add(h, t);
}

static json_t *
matter_load_json(struct hall *h, int mi, int64_t now)
{
	const struct matter *m = &h->conf->matters[mi];
	size_t waiting = dispatch_waiting(h->disp, mi);
	int64_t oldest = dispatch_oldest(h->disp, mi), wait_s = 0;

	if (oldest > 0 && now > oldest)
		wait_s = (now - oldest) / 1000;
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:i, s:I, s:I}",
	    "code", m->code,
	    "name", m->name,
	    "domain", h->conf->domains[m->domain].code,
	    "domain_name", h->conf->domains[m->domain].name,
	    "waiting", (json_int_t)waiting,
	    "oldest_wait_s", (json_int_t)wait_s,
	    "eta_s", json_eta(hall_eta_s(h, mi, waiting, 0)),
	    "open_windows", hall_open_windows(h, mi),
	    "target_wait_s", (json_int_t)(m->target_wait_ms / 1000),
	    "service_s", (json_int_t)(h->service_ms[mi] / 1000));
}

static json_t *
hall_snapshot_json(struct hall *h, int64_t now)
{
	json_t *matters = json_array(), *windows = json_array();
	int i;

	for (i = 0; i < h->conf->nmatters; i++)
		json_array_append_new(matters, matter_load_json(h, i, now));
	for (i = 0; i < h->nwins; i++)
		json_array_append_new(windows, window_json(h, &h->wins[i]));
	return json_pack("{s:I, s:s, s:s, s:o, s:o}",
	    "seq", (json_int_t)h->seq,
	    "business_day", h->day,
	    "hall", h->conf->hall_name,
	    "matters", matters,
	    "windows", windows);
}

static char *
json_text(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s == NULL)
		fatalx("json_dumps");
	return s;
}

/* ---------------------------------------------------------------- writes */

static void
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
		.serving_at = t->serving_at, .ended_at = t->ended_at,
		.no_show_at = t->no_show_at, .recalls = t->recalls,
		.transfers = t->transfers, .phone = t->phone,
		.id_number = t->id_number, .token = t->token,
		.finished_by = t->finished_by[0] ? t->finished_by : NULL,
		.rated = t->rated,
	};

	if (!h->failed && store_ticket_put(h->store, &st) == -1)
		h->failed = 1;
}

static void
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
static void
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

static void
hall_emit_ticket(struct hall *h, const char *type, struct ticket *t)
{
	hall_emit(h, type, json_pack("{s:o, s:o}", "ticket", ticket_json(h, t),
	    "window", json_window_no(t->window)));
}

/* What the voice says for a call: its clip list (displays/voice.c), in the
 * same transaction as the call, so a board that replays gets both or none. */
static void
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

static void
hall_emit_window(struct hall *h, const char *type, struct win *w)
{
	hall_emit(h, type, json_pack("{s:o}", "window", window_json(h, w)));
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
hall_resolve(struct hall *h, struct ticket *t)
{
	t->mi = config_matter(h->conf, t->matter);
	t->ci = config_class(h->conf, t->cls);
	if (t->mi < 0 && ticket_in_queue_state(t))
		log_warnx("ticket %s: matter %s is no longer configured; it "
		    "waits until it is transferred", t->number, t->matter);
}

/* A ticket from its row, not linked anywhere yet. */
static struct ticket *
hall_ticket_from_row(struct hall *h, const struct store_ticket *st)
{
	struct ticket *t = xcalloc(1, sizeof *t);
	int s;

	t->id = st->id;
	snprintf(t->day, sizeof t->day, "%s", st->day);
	snprintf(t->number, sizeof t->number, "%s", st->number);
	snprintf(t->prefix, sizeof t->prefix, "%s", st->prefix);
	t->seqno = st->seqno;
	snprintf(t->matter, sizeof t->matter, "%s", st->matter);
	snprintf(t->cls, sizeof t->cls, "%s", st->cls);
	snprintf(t->channel, sizeof t->channel, "%s", st->channel);
	if ((s = tstate_parse(st->state)) < 0) {
		log_warnx("ticket %lld: unknown state %s", (long long)st->id, st->state);
		s = TS_EXPIRED;
	}
	t->state = s;
	t->window = st->window;
	t->target_window = st->target_window;
	t->issued_at = st->issued_at;
	t->arrival = st->arrival;
	t->slot_start = st->slot_start;
	t->called_at = st->called_at;
	t->serving_at = st->serving_at;
	t->ended_at = st->ended_at;
	t->no_show_at = st->no_show_at;
	t->recalls = st->recalls;
	t->transfers = st->transfers;
	t->phone = st->phone ? xstrdup(st->phone) : NULL;
	t->id_number = st->id_number ? xstrdup(st->id_number) : NULL;
	snprintf(t->token, sizeof t->token, "%s", st->token ? st->token : "");
	snprintf(t->finished_by, sizeof t->finished_by, "%s",
	    st->finished_by ? st->finished_by : "");
	t->rated = st->rated;
	hall_resolve(h, t);
	return t;
}

static void
hall_load_ticket_cb(void *arg, const struct store_ticket *st)
{
	struct hall *h = arg;

	hall_ticket_link(h, hall_ticket_from_row(h, st));
}

static void
hall_load_window_cb(void *arg, const struct store_window *sw)
{
	struct hall *h = arg;
	struct win *w = hall_win(h, sw->number);
	int i;

	if (w == NULL)
		return;		/* no longer configured: its row stays */
	for (i = 0; i < WS_MAX; i++)
		if (strcmp(wstate_names[i], sw->state) == 0)
			w->state = i;
	w->since = sw->since;
	w->cur = sw->ticket ? hall_ticket_find(h, sw->ticket) : NULL;
}

static void
hall_wins_free(struct hall *h)
{
	int i;

	for (i = 0; h->wins != NULL && i < h->nwins; i++) {
		free(h->wins[i].otiers);
		free(h->wins[i].omatters);
	}
	free(h->wins);
	h->wins = NULL;
}

/*
 * Tiers given as [["SB01","SB02"],["YB01"]]: checked, then the window's
 * dispatcher uses them.  Classes and overflow of a tier stay those of the
 * file's tier at the same place (a new tier: every class, no overflow).
 * Returns 0, or -1 with why.
 */
static int
hall_tiers_set(struct hall *h, struct win *w, json_t *tiers, char *why,
    size_t whylen)
{
	struct dispatch_tier *t;
	json_t *tier, *code;
	size_t i, j, total = 0;
	int *m, k, mi;

	if (!json_is_array(tiers) || json_array_size(tiers) == 0 ||
	    json_array_size(tiers) > 8) {
		snprintf(why, whylen, "tiers is a list of 1 to 8 tiers");
		return -1;
	}
	json_array_foreach(tiers, i, tier) {
		if (!json_is_array(tier) || json_array_size(tier) == 0 ||
		    json_array_size(tier) > 64) {
			snprintf(why, whylen, "tier %zu is a list of 1 to 64 matter codes", i);
			return -1;
		}
		total += json_array_size(tier);
	}
	t = xcalloc(json_array_size(tiers), sizeof *t);
	m = xcalloc(total, sizeof *m);
	total = 0;
	json_array_foreach(tiers, i, tier) {
		t[i].matters = m + total;
		t[i].class_mask = i < (size_t)w->conf->ntiers ?
		    w->conf->tiers[i].class_mask : (1u << h->conf->nclasses) - 1;
		t[i].overflow_ms = i < (size_t)w->conf->ntiers ?
		    w->conf->tiers[i].overflow_ms : 0;
		json_array_foreach(tier, j, code) {
			if (!json_is_string(code) ||
			    (mi = config_matter(h->conf, json_string_value(code))) < 0) {
				snprintf(why, whylen, "tier %zu: no matter %.40s", i,
				    json_is_string(code) ? json_string_value(code) : "(not a code)");
				goto fail;
			}
			for (k = 0; k < t[i].nmatters; k++)
				if (t[i].matters[k] == mi) {
					snprintf(why, whylen, "tier %zu: %s twice", i,
					    json_string_value(code));
					goto fail;
				}
			m[total++] = mi;
			t[i].nmatters++;
		}
	}
	free(w->otiers);
	free(w->omatters);
	w->otiers = t;
	w->omatters = m;
	w->dw.tiers = t;
	w->dw.ntiers = (int)json_array_size(tiers);
	return 0;
fail:
	free(t);
	free(m);
	return -1;
}

/* Today's tiers set by a manager, kept as "DAY JSON" in meta. */
static void
hall_tiers_load(struct hall *h, struct win *w)
{
	char key[32], why[128], *v;
	json_t *tiers;

	snprintf(key, sizeof key, "tiers.%d", w->number);
	if ((v = store_meta_get(h->store, key)) == NULL)
		return;
	if (strncmp(v, h->day, strlen(h->day)) == 0 && v[strlen(h->day)] == ' ' &&
	    (tiers = json_loads(v + strlen(h->day) + 1, 0, NULL)) != NULL) {
		if (hall_tiers_set(h, w, tiers, why, sizeof why) == -1)
			log_warnx("window %d: today's tiers no longer fit: %s",
			    w->number, why);
		json_decref(tiers);
	}
	free(v);
}

static void
hall_wins_build(struct hall *h)
{
	int i;

	hall_wins_free(h);
	h->nwins = h->conf->nwindows;
	h->wins = xcalloc(h->nwins + 1, sizeof *h->wins);
	for (i = 0; i < h->nwins; i++) {
		struct win *w = &h->wins[i];
		w->conf = &h->conf->windows[i];
		w->number = w->conf->number;
		w->state = w->conf->initially_open ? WS_OPEN : WS_CLOSED;
		w->since = h->now;
		w->dw.number = w->number;
		w->dw.tiers = w->conf->tiers;
		w->dw.ntiers = w->conf->ntiers;
	}
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
	const struct config *c = h->conf;
	int i;

	h->policy = dispatch_policy_find(c->policy);
	h->params.nclasses = c->nclasses;
	h->params.aging_ms = c->aging_ms;
	h->rule.nclasses = c->nclasses;
	h->rule.normal_class = c->normal_class;
	h->rule.late_ms = c->late_appointment_ms;
	h->rule.appointment_class = -1;
	for (i = 0; i < c->nclasses && i < DISPATCH_MAX_CLASSES; i++) {
		h->head_start[i] = c->classes[i].head_start_ms;
		if (strcmp(c->classes[i].name, "appointment") == 0)
			h->rule.appointment_class = i;
	}
	h->rule.head_start_ms = h->head_start;
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

	hall_tickets_clear(h);
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
	hall_wins_build(h);

	if ((day = store_meta_get(h->store, "business_day")) != NULL) {
		snprintf(h->day, sizeof h->day, "%s", day);
		free(day);
	} else
		hall_business_day(h->now, h->day, sizeof h->day);
	if ((h->seq = store_event_max_seq(h->store)) < 0 ||
	    (h->next_id = store_ticket_max_id(h->store)) < 0 ||
	    store_tickets_live(h->store, h->day, hall_load_ticket_cb, h) < 0 ||
	    store_windows(h->store, hall_load_window_cb, h) < 0) {
		snprintf(err, errlen, "loading the hall: %s", store_errmsg(h->store));
		return -1;
	}
	h->next_id++;
	for (k = 0; k < h->nwins; k++)
		hall_tiers_load(h, &h->wins[k]);
	for (i = 0; i < h->nbuckets; i++) {
		struct ticket *t;
		for (t = h->buckets[i]; t != NULL; t = t->hnext) {
			hall_queue(h, t);
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
		hall_learn_service(h, done[i]);
	free(done);
	hall_held_rebuild(h);
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
			if (t->state == TS_DONE || t->state == TS_CANCELLED ||
			    t->state == TS_EXPIRED)
				continue;
			if (t->state == TS_NO_SHOW &&
			    h->now - t->no_show_at > h->conf->no_show_grace_ms)
				continue;
			hall_unqueue(h, t);
			t->state = TS_EXPIRED;
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
	hall_held_rebuild(h);
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

/* ---------------------------------------------------------------- commands */

struct op_ctx {
	json_t			*cmd;
	json_t			*body;		/* never NULL: {} when absent */
	const struct token	*token;
	const char		*device;	/* a window's pad or evaluator */
	struct win		*win;		/* window commands */
	struct ticket		*loose;		/* an older day's ticket, read for
						   this command only (op_find_ticket) */
	json_t			*reply;		/* owned; NULL with 204 */
	int			 status;
};

static int
op_error(struct op_ctx *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void	op_clerk_name(struct hall *, struct op_ctx *, char *, size_t);
static void	hall_rating_write(struct hall *, struct ticket *, int,
		    const char *, const char *);

static int
op_error(struct op_ctx *c, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_decref(c->reply);
	c->reply = json_pack("{s:{s:s, s:s}}", "error", "code", code,
	    "message", msg);
	c->status = status;	/* callers of body_*() return c->status */
	return status;
}

static int
op_ticket_reply(struct hall *h, struct op_ctx *c, int status, struct ticket *t)
{
	c->reply = json_pack("{s:o}", "ticket", ticket_json(h, t));
	return status;
}

static int
op_window_reply(struct hall *h, struct op_ctx *c, struct win *w)
{
	c->reply = json_pack("{s:o}", "window", window_json(h, w));
	return 200;
}

/* A body member: absent is fine, a wrong type is a 400. */
static int
body_string(struct op_ctx *c, const char *key, size_t maxlen, const char **out)
{
	json_t *v = json_object_get(c->body, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > maxlen)
		return op_error(c, 400, "bad_request",
		    "\"%s\" must be a string of 1 to %zu bytes", key, maxlen), -1;
	*out = json_string_value(v);
	return 0;
}

static int
body_int(struct op_ctx *c, const char *key, int64_t lo, int64_t hi, int64_t *out,
    int required)
{
	json_t *v = json_object_get(c->body, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return op_error(c, 400, "bad_request",
			    "\"%s\" is required", key), -1;
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return op_error(c, 400, "bad_request",
		    "\"%s\" must be an integer from %lld to %lld", key,
		    (long long)lo, (long long)hi), -1;
	*out = json_integer_value(v);
	return 0;
}

static int
all_digits(const char *s, size_t lo, size_t hi, int allow_x)
{
	size_t n = strlen(s), i;

	if (n < lo || n > hi)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    !(allow_x && i == n - 1 && (s[i] == 'X' || s[i] == 'x')))
			return 0;
	return 1;
}

static int
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

static const char *const channels[] = {
	"kiosk", "reception", "appointment", "web", "mobile", NULL
};

static int
op_issue(struct hall *h, struct op_ctx *c)
{
	const char *matter, *cls, *channel, *phone, *idn, *appt;
	int64_t seqno;
	struct ticket *t;
	int mi, ci, i;
	unsigned char rnd[16];

	if (body_string(c, "matter", 32, &matter) == -1 ||
	    body_string(c, "class", 32, &cls) == -1 ||
	    body_string(c, "channel", 16, &channel) == -1 ||
	    body_string(c, "phone", 20, &phone) == -1 ||
	    body_string(c, "id_number", 18, &idn) == -1 ||
	    body_string(c, "appointment", 64, &appt) == -1)
		return c->status;
	/* The slot, and with it the appointment head start, comes from a
	 * booking only (check-in with "appointment"), never from the asking. */
	if (json_object_get(c->body, "slot_start") != NULL)
		return op_error(c, 400, "slot_start_not_allowed",
		    "\"slot_start\" is set by a booking only: check in with "
		    "\"appointment\"");
	/* An appointment names its own matter: check-in needs none. */
	if (appt != NULL)
		return op_error(c, 501, "appointments_unavailable",
		    "appointments are not available in this hall yet");
	if (matter == NULL)
		return op_error(c, 400, "bad_request", "\"matter\" is required");
	if ((mi = config_matter(h->conf, matter)) < 0)
		return op_error(c, 404, "unknown_matter", "no matter \"%s\"", matter);
	if (cls == NULL)
		cls = "normal";
	if ((ci = config_class(h->conf, cls)) < 0)
		return op_error(c, 400, "unknown_class", "no class \"%s\"", cls);
	if (channel == NULL)
		channel = "kiosk";
	for (i = 0; channels[i] != NULL; i++)
		if (strcmp(channels[i], channel) == 0)
			break;
	if (channels[i] == NULL)
		return op_error(c, 400, "unknown_channel", "no channel \"%s\"", channel);
	if (phone != NULL && !all_digits(phone, 5, 20, 0))
		return op_error(c, 400, "bad_phone", "a phone number is 5 to 20 digits");
	if (idn != NULL && !all_digits(idn, 15, 18, 1))
		return op_error(c, 400, "bad_id_number",
		    "an ID number is 15 to 18 digits, the last may be X");
	if (appt != NULL)
		return op_error(c, 501, "appointments_unavailable",
		    "appointment check-in is not available yet");

	t = xcalloc(1, sizeof *t);
	t->id = h->next_id++;
	snprintf(t->day, sizeof t->day, "%s", h->day);
	snprintf(t->prefix, sizeof t->prefix, "%s", h->conf->matters[mi].prefix);
	if (hall_next_number(h, t->prefix, &seqno) == -1) {
		ticket_free(t);
		return 500;
	}
	t->seqno = seqno;
	snprintf(t->number, sizeof t->number, "%s%0*lld", t->prefix,
	    h->conf->number_width, (long long)seqno);
	snprintf(t->matter, sizeof t->matter, "%s", matter);
	snprintf(t->cls, sizeof t->cls, "%s", cls);
	snprintf(t->channel, sizeof t->channel, "%s", channel);
	t->mi = mi;
	t->ci = ci;
	t->state = TS_WAITING;
	t->issued_at = h->now;
	t->arrival = h->now;
	t->phone = phone ? xstrdup(phone) : NULL;
	t->id_number = idn ? xstrdup(idn) : NULL;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		fatal("getrandom");
	for (i = 0; i < 16; i++)
		snprintf(t->token + 2 * i, 3, "%02x", rnd[i]);
	hall_ticket_link(h, t);
	hall_queue(h, t);
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.issued", t);
	op_ticket_reply(h, c, 201, t);
	/* Only the issuer learns the ticket's own token (its QR code: the
	 * status page and the citizen's rating); no event carries it. */
	json_object_set_new(c->reply, "token", json_string(t->token));
	return 201;
}

struct loose_read {
	struct hall	*h;
	struct ticket	*t;
};

static void
hall_loose_cb(void *arg, const struct store_ticket *st)
{
	struct loose_read *lr = arg;

	ticket_free(lr->t);
	lr->t = hall_ticket_from_row(lr->h, st);
}

/*
 * A ticket by id, or NULL.  Memory holds today's tickets and every open one;
 * any other is an older day's, finished: it is read from its row for this
 * command alone (c->loose, freed when the command ends), never linked, so
 * reads of old tickets, refused or not, cost no memory and the timers
 * (hall_unrated) never see them.
 */
static struct ticket *
op_read_ticket(struct hall *h, struct op_ctx *c, int64_t id)
{
	struct loose_read lr = { h, NULL };
	struct ticket *t;

	if ((t = hall_ticket_find(h, id)) != NULL)
		return t;
	if (c->loose != NULL && c->loose->id == id)
		return c->loose;
	if (store_ticket_get(h->store, id, hall_loose_cb, &lr) < 0) {
		h->failed = 1;
		ticket_free(lr.t);
		return NULL;
	}
	ticket_free(c->loose);
	c->loose = lr.t;
	return lr.t;
}

static struct ticket *
op_find_ticket(struct hall *h, struct op_ctx *c, int64_t id)
{
	struct ticket *t = op_read_ticket(h, c, id);

	if (t == NULL)
		op_error(c, 404, "unknown_ticket", "no ticket %lld", (long long)id);
	return t;
}

static int
op_ticket_id(struct op_ctx *c, int64_t *id)
{
	json_t *v = json_object_get(c->cmd, "ticket");

	if (v == NULL)
		v = json_object_get(c->body, "ticket");
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return op_error(c, 400, "bad_request",
		    "\"ticket\" must be a ticket id"), -1;
	*id = json_integer_value(v);
	return 0;
}

/* A role's token reads any ticket; the ticket's own token (its QR code)
 * reads that ticket only, and learns nothing about others. */
static int
op_get_ticket(struct hall *h, struct op_ctx *c)
{
	json_t *tok = json_object_get(c->cmd, "token");
	struct ticket *t;
	int64_t id;

	if (op_ticket_id(c, &id) == -1)
		return c->status;
	if (c->token == NULL) {
		/* Checked against the row: nothing is kept for a refused read. */
		t = op_read_ticket(h, c, id);
		if (t == NULL || !json_is_string(tok) || t->token[0] == '\0' ||
		    strcmp(json_string_value(tok), t->token) != 0)
			return op_error(c, 401, "unauthorized",
			    "this needs a token (Authorization: Bearer TOKEN)");
		return op_ticket_reply(h, c, 200, t);
	}
	if ((t = op_find_ticket(h, c, id)) == NULL)
		return 404;
	return op_ticket_reply(h, c, 200, t);
}

static int
op_illegal(struct op_ctx *c, const struct ticket *t, const char *what)
{
	return op_error(c, 409, "illegal_transition", "ticket %s is %s: cannot %s",
	    t->number, tstate_names[t->state], what);
}

static void	op_release(struct hall *, struct win *);

/*
 * Cancel.  A kiosk cancels a waiting ticket (the citizen changed their
 * mind); a manager or admin any open one — waiting, called, serving, held,
 * or a no-show still in its grace period — and the window that was on it or
 * held it lets go (event window.released), so no ticket is ever stranded.
 */
static int
op_cancel(struct hall *h, struct op_ctx *c)
{
	struct win *w = NULL;
	struct ticket *t;
	int64_t id;
	int manager;

	if (op_ticket_id(c, &id) == -1)
		return c->status;
	if ((t = op_find_ticket(h, c, id)) == NULL)
		return 404;
	manager = c->token != NULL && (c->token->role == ROLE_MANAGER ||
	    c->token->role == ROLE_ADMIN);
	if (t == c->loose)	/* an older day's: finished, or expired */
		return op_illegal(c, t, "cancel");
	switch (t->state) {
	case TS_WAITING:
	case TS_TRANSFERRED:
		break;
	case TS_CALLED:
	case TS_SERVING:
	case TS_HELD:
		if (!manager)
			return op_illegal(c, t, "cancel (a manager can)");
		w = hall_win(h, t->window);
		break;
	case TS_NO_SHOW:
		if (!manager || h->now - t->no_show_at > h->conf->no_show_grace_ms)
			return op_illegal(c, t, "cancel");
		break;
	default:
		return op_illegal(c, t, "cancel");
	}
	if (t->state == TS_HELD)
		hall_held_del(h, t);
	else if (w != NULL && w->cur == t)
		op_release(h, w);
	else
		w = NULL;
	hall_unqueue(h, t);
	t->state = TS_CANCELLED;
	t->ended_at = h->now;
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.cancelled", t);
	if (w != NULL)
		hall_emit_window(h, "window.released", w);
	return op_ticket_reply(h, c, 200, t);
}

/* The window may take calls: open, and not already busy with a ticket. */
static int
op_window_ready(struct op_ctx *c)
{
	struct win *w = c->win;

	if (w->state == WS_PAUSED)
		return op_error(c, 409, "window_paused", "window %d is paused",
		    w->number);
	if (w->state == WS_CLOSED)
		return op_error(c, 409, "window_closed", "window %d is closed",
		    w->number);
	if (w->cur != NULL)
		return op_error(c, 409, "window_busy",
		    "window %d is still on ticket %s (%s)", w->number,
		    w->cur->number, tstate_names[w->cur->state]);
	return 0;
}

static int
op_do_call(struct hall *h, struct op_ctx *c, struct ticket *t)
{
	struct win *w = c->win;

	hall_unqueue(h, t);
	if (t->state == TS_HELD)
		hall_held_del(h, t);
	t->state = TS_CALLED;
	t->window = w->number;
	t->target_window = 0;
	t->called_at = h->now;
	t->serving_at = 0;
	w->cur = t;
	w->since = h->now;
	hall_put_ticket(h, t);
	hall_put_window(h, w);
	hall_emit_ticket(h, "ticket.called", t);
	hall_announce(h, t, 0);
	return op_ticket_reply(h, c, 200, t);
}

static int
op_call_next(struct hall *h, struct op_ctx *c)
{
	struct dispatch_ticket pick;
	int rc;

	if ((rc = op_window_ready(c)) != 0)
		return rc;
	if (h->policy->pick(h->disp, &c->win->dw, &h->params, h->now, &pick) == -1)
		return 204;
	return op_do_call(h, c, hall_ticket_find(h, pick.id));
}

/* Would this window take the ticket if it were waiting? */
static int
op_serves(struct hall *h, struct win *w, const struct ticket *t)
{
	struct dispatch_ticket dt = {
		.id = t->id, .matter = t->mi, .cls = hall_ticket_class(h, t),
	};

	return t->mi >= 0 && dispatch_eligible(&w->dw, &dt);
}

static int
op_call(struct hall *h, struct op_ctx *c)
{
	struct ticket *t;
	struct win *hw;
	int64_t id;
	int rc;

	if (op_ticket_id(c, &id) == -1)
		return c->status;
	if ((t = op_find_ticket(h, c, id)) == NULL)
		return 404;
	if ((rc = op_window_ready(c)) != 0)
		return rc;
	switch (t->state) {
	case TS_WAITING:
	case TS_TRANSFERRED:
		if (!t->queued || !dispatch_eligible(&c->win->dw, &t->dt))
			return op_error(c, 409, "not_for_this_window",
			    "window %d does not serve ticket %s", c->win->number,
			    t->number);
		break;
	case TS_HELD:
		/* Called back by the window that holds it.  Held by a window
		 * that is closed or gone (a database from before closing
		 * handed them back), it is nobody's: one that serves it may. */
		if (t->window == c->win->number)
			break;
		if ((hw = hall_win(h, t->window)) != NULL && hw->state != WS_CLOSED)
			return op_error(c, 409, "held_by_other_window",
			    "ticket %s is held by window %d", t->number, t->window);
		if (!op_serves(h, c->win, t))
			return op_error(c, 409, "not_for_this_window",
			    "window %d does not serve ticket %s", c->win->number,
			    t->number);
		break;
	case TS_NO_SHOW:
		if (h->now - t->no_show_at > h->conf->no_show_grace_ms)
			return op_error(c, 409, "grace_expired",
			    "ticket %s missed its call more than %lld s ago",
			    t->number, (long long)(h->conf->no_show_grace_ms / 1000));
		/* Called back by the window that missed it, or one that serves
		 * its matter. */
		if (t->window != c->win->number && !op_serves(h, c->win, t))
			return op_error(c, 409, "not_for_this_window",
			    "window %d does not serve ticket %s", c->win->number,
			    t->number);
		break;
	default:
		return op_illegal(c, t, "call");
	}
	if (strcmp(t->day, h->day) != 0)
		return op_illegal(c, t, "call (it is from another day)");
	return op_do_call(h, c, t);
}

/* The window's current ticket in one of the given states, or a 409. */
static struct ticket *
op_current(struct op_ctx *c, unsigned states, const char *what)
{
	struct ticket *t = c->win->cur;

	if (t == NULL) {
		op_error(c, 409, "no_current_ticket", "window %d has no ticket to %s",
		    c->win->number, what);
		return NULL;
	}
	if (!(states & (1u << t->state))) {
		op_illegal(c, t, what);
		return NULL;
	}
	return t;
}

static void
op_release(struct hall *h, struct win *w)
{
	w->cur = NULL;
	w->since = h->now;
	hall_put_window(h, w);
}

static int
op_recall(struct hall *h, struct op_ctx *c)
{
	struct ticket *t = op_current(c, 1u << TS_CALLED, "recall");

	if (t == NULL)
		return 409;
	t->recalls++;
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.recalled", t);
	hall_announce(h, t, 1);
	return op_ticket_reply(h, c, 200, t);
}

static int
op_start(struct hall *h, struct op_ctx *c)
{
	struct ticket *t = op_current(c, 1u << TS_CALLED, "start");

	if (t == NULL)
		return 409;
	t->state = TS_SERVING;
	t->serving_at = h->now;
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.serving", t);
	return op_ticket_reply(h, c, 200, t);
}

static int
op_finish(struct hall *h, struct op_ctx *c)
{
	struct ticket *t;
	const char *outcome;

	if (body_string(c, "outcome", 16, &outcome) == -1)
		return c->status;
	if (outcome != NULL && strcmp(outcome, "done") != 0)
		return op_error(c, 400, "bad_request", "outcome must be \"done\"");
	if ((t = op_current(c, 1u << TS_CALLED | 1u << TS_SERVING, "finish")) == NULL)
		return 409;
	t->state = TS_DONE;
	t->ended_at = h->now;
	op_clerk_name(h, c, t->finished_by, sizeof t->finished_by);
	hall_learn_service(h, t);
	op_release(h, c->win);
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.done", t);
	return op_ticket_reply(h, c, 200, t);
}

static int
op_no_show(struct hall *h, struct op_ctx *c)
{
	struct ticket *t = op_current(c, 1u << TS_CALLED, "mark as no-show");

	if (t == NULL)
		return 409;
	t->state = TS_NO_SHOW;
	t->no_show_at = h->now;
	op_release(h, c->win);
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.no_show", t);
	return op_ticket_reply(h, c, 200, t);
}

static int
op_hold(struct hall *h, struct op_ctx *c)
{
	struct ticket *t = op_current(c, 1u << TS_CALLED | 1u << TS_SERVING, "hold");

	if (t == NULL)
		return 409;
	t->state = TS_HELD;
	hall_held_add(h, t);
	op_release(h, c->win);
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.held", t);
	return op_ticket_reply(h, c, 200, t);
}

static int
op_transfer(struct hall *h, struct op_ctx *c)
{
	const char *matter;
	int64_t to = 0;
	struct ticket *t;
	struct win *tw = NULL;
	int mi = -1, rc;

	if (body_string(c, "matter", 32, &matter) == -1 ||
	    (rc = body_int(c, "window", 1, 9999, &to, 0)) == -1)
		return c->status;
	if (rc == 1)
		to = 0;
	if ((matter == NULL) == (to == 0))
		return op_error(c, 400, "bad_request",
		    "transfer takes either \"matter\" or \"window\"");
	if (matter != NULL && (mi = config_matter(h->conf, matter)) < 0)
		return op_error(c, 404, "unknown_matter", "no matter \"%s\"", matter);
	if (to != 0 && (tw = hall_win(h, (int)to)) == NULL)
		return op_error(c, 404, "unknown_window", "no window %lld",
		    (long long)to);
	/* It would wait for that window alone, and a closed one calls no one
	 * (a paused one comes back). */
	if (tw != NULL && tw->state == WS_CLOSED)
		return op_error(c, 409, "window_closed", "window %d is closed: "
		    "transfer to an open window or to the matter", tw->number);
	if ((t = op_current(c, 1u << TS_CALLED | 1u << TS_SERVING, "transfer")) == NULL)
		return 409;
	if (mi >= 0) {
		snprintf(t->matter, sizeof t->matter, "%s", matter);
		t->mi = mi;
		t->target_window = 0;
	} else
		t->target_window = (int)to;
	/* It keeps its arrival: the new queue takes it in its old place. */
	t->state = TS_TRANSFERRED;
	t->transfers++;
	t->window = 0;
	op_release(h, c->win);
	hall_queue(h, t);
	hall_put_ticket(h, t);
	hall_emit(h, "ticket.transferred", json_pack("{s:o, s:i, s:o, s:o}",
	    "ticket", ticket_json(h, t), "window", c->win->number,
	    "to_matter", mi >= 0 ? json_string(matter) : json_null(),
	    "to_window", json_window_no((int)to)));
	return op_ticket_reply(h, c, 200, t);
}

/* Window states: from which states each command moves, and to what. */
struct wmove {
	const char	*what;
	unsigned	 from;		/* mask of wstate */
	enum wstate	 to;
	const char	*event;
};

static const struct wmove wmoves[] = {
	{ "pause", 1u << WS_OPEN, WS_PAUSED, "window.paused" },
	{ "resume", 1u << WS_PAUSED, WS_OPEN, "window.resumed" },
	{ "open", 1u << WS_CLOSED | 1u << WS_PAUSED, WS_OPEN, "window.opened" },
	{ "close", 1u << WS_OPEN | 1u << WS_PAUSED, WS_CLOSED, "window.closed" },
};

static int
cmp_ticket_id(const void *a, const void *b)
{
	const struct ticket *x = *(struct ticket *const *)a;
	const struct ticket *y = *(struct ticket *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * A window that closes hands back what only it would call, so nothing is
 * stranded behind a closed window: the tickets it holds (挂起) wait again,
 * and those transferred to it alone wait for any window of their matter,
 * each in its old place in its matter's queue (the arrival is kept).  One
 * ticket.requeued each, in issue order.
 */
static void
hall_hand_back(struct hall *h, struct win *w)
{
	struct ticket **back = NULL, *t;
	size_t n = 0, i;

	for (i = 0; i < h->nheld; i++)
		if (h->held[i]->window == w->number) {
			back = xrealloc(back, (n + 1) * sizeof *back);
			back[n++] = h->held[i];
		}
	for (i = 0; i < h->nbuckets; i++)
		for (t = h->buckets[i]; t != NULL; t = t->hnext)
			if (ticket_in_queue_state(t) && t->target_window == w->number) {
				back = xrealloc(back, (n + 1) * sizeof *back);
				back[n++] = t;
			}
	if (n > 1)
		qsort(back, n, sizeof *back, cmp_ticket_id);
	for (i = 0; i < n; i++) {
		t = back[i];
		if (t->state == TS_HELD) {
			hall_held_del(h, t);
			t->state = TS_WAITING;
			t->window = 0;
		} else {
			hall_unqueue(h, t);
			t->target_window = 0;
		}
		hall_queue(h, t);
		hall_put_ticket(h, t);
		hall_emit(h, "ticket.requeued", json_pack("{s:o, s:i, s:s}",
		    "ticket", ticket_json(h, t), "window", w->number,
		    "reason", "window_closed"));
	}
	free(back);
}

static int
op_window_move(struct hall *h, struct op_ctx *c, const struct wmove *m)
{
	struct win *w = c->win;

	if (!(m->from & (1u << w->state)))
		return op_error(c, 409, "illegal_transition",
		    "window %d is %s: cannot %s", w->number,
		    wstate_names[w->state], m->what);
	if (m->to == WS_CLOSED && w->cur != NULL)
		return op_error(c, 409, "window_busy",
		    "window %d is still on ticket %s: finish, hold or transfer "
		    "it first", w->number, w->cur->number);
	w->state = m->to;
	w->since = h->now;
	if (m->to == WS_CLOSED)
		hall_hand_back(h, w);
	hall_put_window(h, w);
	hall_emit_window(h, m->event, w);
	return op_window_reply(h, c, w);
}

static int op_pause(struct hall *h, struct op_ctx *c) { return op_window_move(h, c, &wmoves[0]); }
static int op_resume(struct hall *h, struct op_ctx *c) { return op_window_move(h, c, &wmoves[1]); }
static int op_open(struct hall *h, struct op_ctx *c) { return op_window_move(h, c, &wmoves[2]); }
static int op_close(struct hall *h, struct op_ctx *c) { return op_window_move(h, c, &wmoves[3]); }

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

#define STATS_BUCKET_MS	(600 * 1000)
#define STATS_BUCKETS	(24 * 6 + 1)

/* The first bucket whose end is past `at` (0 before the start, nb after). */
static int
stats_bucket(int64_t at, int64_t start, int nb)
{
	int64_t b;

	if (at < start)
		return 0;
	b = (at - start) / STATS_BUCKET_MS;
	return b > nb ? nb : (int)b;
}

/*
 * Today's figures for the dashboard: counts, waits (first call − issue),
 * ratings, and per matter the waiting count at the end of each 10 minutes
 * and the mean wait of the tickets first called in it.
 */
static int
op_stats(struct hall *h, struct op_ctx *c)
{
	struct ticket *t;
	int64_t *waits = NULL, by[6], first = 0, start;
	size_t nw = 0, i, cap = 0;
	json_int_t issued = 0, served = 0, noshow = 0, cancelled = 0;
	json_t *series, *byscore;
	json_int_t *diff, *nwait;
	double sum = 0, *swait;
	int nb, b, mi, nm, rated = 0;

	for (i = 0; i < h->nbuckets; i++)
		for (t = h->buckets[i]; t != NULL; t = t->hnext) {
			if (strcmp(t->day, h->day) != 0)
				continue;
			issued++;
			served += t->state == TS_DONE;
			noshow += t->state == TS_NO_SHOW;
			cancelled += t->state == TS_CANCELLED;
			if (first == 0 || t->issued_at < first)
				first = t->issued_at;
			if (t->called_at > 0) {
				if (nw == cap) {
					cap = cap ? cap * 2 : 256;
					waits = xrealloc(waits, cap * sizeof *waits);
				}
				waits[nw++] = t->called_at - t->issued_at;
				sum += (double)(t->called_at - t->issued_at);
			}
		}
	if (nw > 1)
		qsort(waits, nw, sizeof *waits, cmp_i64);
	if (store_ratings_day(h->store, h->day, by) < 0)
		h->failed = 1;
	byscore = json_array();
	for (b = 1; b <= 5; b++) {
		json_array_append_new(byscore, json_integer(by[b]));
		rated += (int)by[b];
	}
	/* The series, from the first ticket's 10 minutes to now. */
	start = first > 0 ? first - first % STATS_BUCKET_MS : h->now - h->now % STATS_BUCKET_MS;
	nb = (int)((h->now - start) / STATS_BUCKET_MS) + 1;
	if (nb > STATS_BUCKETS) {
		start = h->now - h->now % STATS_BUCKET_MS - (STATS_BUCKETS - 1) * (int64_t)STATS_BUCKET_MS;
		nb = STATS_BUCKETS;
	}
	/*
	 * One pass over the tickets.  A ticket waits in bucket b when it was
	 * issued before b's end and had not gone (called, cancelled, expired)
	 * by then: +1 at the bucket it came in, -1 at the one it went in.
	 */
	nm = h->conf->nmatters;
	diff = xcalloc((size_t)nm * (size_t)(nb + 1), sizeof *diff);
	nwait = xcalloc((size_t)nm * (size_t)nb, sizeof *nwait);
	swait = xcalloc((size_t)nm * (size_t)nb, sizeof *swait);
	for (i = 0; i < h->nbuckets; i++)
		for (t = h->buckets[i]; t != NULL; t = t->hnext) {
			int64_t gone;
			int bi, bg;

			if (t->mi < 0 || strcmp(t->day, h->day) != 0)
				continue;
			gone = t->called_at > 0 ? t->called_at :
			    t->state == TS_CANCELLED || t->state == TS_EXPIRED ?
			    t->ended_at : 0;
			bi = stats_bucket(t->issued_at, start, nb);
			bg = gone > 0 ? stats_bucket(gone, start, nb) : nb;
			if (bi < bg) {
				diff[t->mi * (nb + 1) + bi]++;
				diff[t->mi * (nb + 1) + bg]--;
			}
			if (t->called_at >= start && (b = stats_bucket(t->called_at,
			    start, nb)) < nb) {
				nwait[t->mi * nb + b]++;
				swait[t->mi * nb + b] += (double)(t->called_at -
				    t->issued_at) / 1000.0;
			}
		}
	series = json_object();
	for (mi = 0; mi < nm; mi++) {
		json_t *aw = json_array(), *am = json_array();
		json_int_t run = 0;

		for (b = 0; b < nb; b++) {
			int k = mi * nb + b;

			run += diff[mi * (nb + 1) + b];
			json_array_append_new(aw, json_integer(run));
			json_array_append_new(am, nwait[k] ? json_integer(
			    (json_int_t)(swait[k] / (double)nwait[k] + 0.5)) : json_null());
		}
		json_object_set_new(series, h->conf->matters[mi].code,
		    json_pack("{s:o, s:o}", "waiting", aw, "mean_wait_s", am));
	}
	free(diff);
	free(nwait);
	free(swait);
	c->reply = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:{s:i, s:o, s:I, s:o},"
	    " s:{s:I, s:i, s:o}}",
	    "business_day", h->day, "issued", issued, "served", served,
	    "no_shows", noshow, "cancelled", cancelled,
	    "waiting", (json_int_t)dispatch_total(h->disp),
	    "mean_wait_s", nw ? json_integer((json_int_t)(sum / (double)nw / 1000.0 + 0.5)) :
	    json_null(),
	    "p90_wait_s", nw ? json_integer((json_int_t)(waits[(nw * 9 + 9) / 10 - 1] / 1000)) :
	    json_null(),
	    "ratings", "count", rated, "mean", rated ? json_real(
	    (double)(by[1] + 2 * by[2] + 3 * by[3] + 4 * by[4] + 5 * by[5]) / rated) :
	    json_null(), "not_rated", (json_int_t)by[0], "by_score", byscore,
	    "series", "start", (json_int_t)start, "bucket_s", STATS_BUCKET_MS / 1000,
	    "matters", series);
	free(waits);
	return 200;
}

/* A manager changes a window's tiers for the rest of the business day. */
static int
op_tiers(struct hall *h, struct op_ctx *c)
{
	json_t *tiers = json_object_get(c->body, "tiers");
	char why[160], key[32], *v, *text;

	if (hall_tiers_set(h, c->win, tiers, why, sizeof why) == -1)
		return op_error(c, 400, "bad_tiers", "%s", why);
	text = json_dumps(tiers, JSON_COMPACT);
	snprintf(key, sizeof key, "tiers.%d", c->win->number);
	xasprintf(&v, "%s %s", h->day, text);
	if (!h->failed && store_meta_put(h->store, key, v) == -1)
		h->failed = 1;
	free(v);
	free(text);
	hall_emit_window(h, "window.tiers", c->win);
	return op_window_reply(h, c, c->win);
}

static int
op_window_get(struct hall *h, struct op_ctx *c)
{
	return op_window_reply(h, c, c->win);
}

static int
op_hall(struct hall *h, struct op_ctx *c)
{
	c->reply = hall_snapshot_json(h, h->now);
	return 200;
}

static int
op_snapshot(struct hall *h, struct op_ctx *c)
{
	c->reply = hall_snapshot_json(h, h->now);
	json_object_set_new(c->reply, "type", json_string("hall.snapshot"));
	return 200;
}

/* The clerk a command comes from: its token's name, or — from a window's
 * pad — the clerk of that window. */
static void
op_clerk_name(struct hall *h, struct op_ctx *c, char *out, size_t len)
{
	const struct token *t = c->token;

	if (t == NULL && c->win != NULL)
		t = config_window_clerk(h->conf, c->win->number);
	snprintf(out, len, "%s", t != NULL && t->role == ROLE_CLERK && t->name ?
	    t->name : t != NULL ? config_role_name(t->role) : "");
}

static void
hall_rating_write(struct hall *h, struct ticket *t, int score,
    const char *source, const char *comment)
{
	struct store_rating r = {
		.ticket = t->id, .day = t->day, .window = t->window,
		.clerk = t->finished_by[0] ? t->finished_by : NULL,
		.matter = t->matter, .score = score, .source = source,
		.comment = comment, .at = h->now,
	};
	json_t *o;

	t->rated = score > 0 ? 1 : 2;
	if (!h->failed && store_rating_put(h->store, &r) == -1)
		h->failed = 1;
	hall_put_ticket(h, t);
	o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:o, s:s, s:b}",
	    "ticket", (json_int_t)t->id, "number", t->number,
	    "window", json_window_no(t->window), "matter", t->matter,
	    "clerk", t->finished_by, "score", score > 0 ? json_integer(score) :
	    json_null(), "source", source, "not_rated", score == 0);
	if (comment != NULL)
		json_object_set_new(o, "comment", json_string(comment));
	hall_emit(h, "rating.recorded", o);
}

/*
 * 好差评: one score per served ticket, from the window's clerk (the soft
 * evaluator on the pad), the window's hardware evaluator, or the citizen
 * with the ticket's own token (printed in its QR code).
 */
static int
op_rate(struct hall *h, struct op_ctx *c)
{
	json_t *tok = json_object_get(c->cmd, "token");
	const char *comment, *source;
	struct ticket *t;
	int64_t id, score;

	if (op_ticket_id(c, &id) == -1 ||
	    body_int(c, "score", 1, 5, &score, 1) != 0 ||
	    body_string(c, "comment", 500, &comment) == -1)
		return c->status;
	if ((t = op_find_ticket(h, c, id)) == NULL)
		return c->status;
	if (c->device != NULL)
		source = "evaluator";
	else if (c->token != NULL && c->token->role == ROLE_CLERK)
		source = "clerk";
	else if (c->token != NULL)
		return op_error(c, 403, "forbidden", "a %s token cannot rate",
		    config_role_name(c->token->role));
	else if (json_is_string(tok) && t->token[0] != '\0' &&
	    strcmp(json_string_value(tok), t->token) == 0)
		source = "ticket";
	else
		return op_error(c, 401, "unauthorized",
		    "a rating needs the window clerk's token or the ticket's own");
	if (t->state != TS_DONE)
		return op_error(c, 409, "not_served", "ticket %s is %s: only a "
		    "served ticket is rated", t->number, tstate_names[t->state]);
	if (c->token != NULL && !config_token_has_window(c->token, t->window))
		return op_error(c, 403, "forbidden", "only the clerk of window %d "
		    "or the ticket's holder rates ticket %s", t->window, t->number);
	if (t->rated == 1)
		return op_error(c, 409, "already_rated", "ticket %s is rated already",
		    t->number);
	/* Out of time even when no timer recorded it (an older day's ticket
	 * read from its row: hall_unrated only sees memory). */
	if (t->rated == 2 || t->ended_at + h->conf->rating_timeout_ms <= h->now)
		return op_error(c, 409, "rating_closed", "ticket %s was not rated "
		    "in time", t->number);
	hall_rating_write(h, t, (int)score, source, comment);
	c->reply = json_pack("{s:I, s:I, s:s}", "ticket", (json_int_t)t->id,
	    "score", (json_int_t)score, "source", source);
	return 201;
}

static int
op_devices(struct hall *h, struct op_ctx *c)
{
	c->reply = h->devices != NULL ? h->devices->list(h->devices_arg) :
	    json_pack("{s:[]}", "devices");
	return 200;
}

/* A remote receiver binds the next unknown remote to a window. */
static int
op_learn(struct hall *h, struct op_ctx *c)
{
	json_t *name = json_object_get(c->cmd, "name");
	char err[200];
	int64_t window;
	int st;

	if (body_int(c, "window", 1, 9999, &window, 1) != 0)
		return c->status;
	if (hall_win(h, (int)window) == NULL || hall_win(h, (int)window)->number != window)
		return op_error(c, 404, "unknown_window", "no window %lld",
		    (long long)window);
	if (!json_is_string(name) || h->devices == NULL)
		return op_error(c, 404, "unknown_device", "no such device");
	st = h->devices->learn(h->devices_arg, json_string_value(name),
	    (int)window, h->now, err, sizeof err);
	if (st >= 400)
		return op_error(c, st, st == 404 ? "unknown_device" : "not_a_receiver",
		    "%s", err);
	c->reply = json_pack("{s:s, s:I, s:i}", "device", json_string_value(name),
	    "window", (json_int_t)window, "expires_in_s", 60);
	return st;
}

/* The WebSocket's first question: is this token good, and for what role. */
static int
op_auth(struct hall *h, struct op_ctx *c)
{
	c->reply = json_pack("{s:s, s:s, s:I}", "type", "auth",
	    "role", config_role_name(c->token->role), "seq", (json_int_t)h->seq);
	return 200;
}

static int
op_status(struct hall *h, struct op_ctx *c)
{
	c->reply = json_pack("{s:b, s:s, s:I, s:s, s:s}", "ok", 1,
	    "version", HALL_VERSION, "seq", (json_int_t)h->seq,
	    "business_day", h->day, "hall", h->conf->hall_name);
	return 200;
}

struct events_page {
	struct hall_result	*r;
	size_t			 bytes;		/* event text so far */
};

static int
op_events_cb(void *arg, int64_t seq, const char *json)
{
	struct events_page *pg = arg;
	struct hall_result *r = pg->r;

	r->items = xrealloc(r->items, (r->nitems + 1) * sizeof *r->items);
	r->items[r->nitems].seq = seq;
	r->items[r->nitems].json = xstrdup(json);
	r->nitems++;
	pg->bytes += strlen(json) + 1;
	return pg->bytes >= HALL_EVENTS_PAGE_BYTES ? -1 : 0;
}

/* The log after `since`; the reply body is assembled as text, not re-parsed. */
static int
op_events(struct hall *h, struct op_ctx *c)
{
	int64_t since = 0, limit = 100, next;
	struct hall_result *r = h->res;
	struct events_page pg;
	size_t i, len = 64;
	char *p;

	if (body_int(c, "since", 0, INT64_MAX / 2, &since, 0) == -1 ||
	    body_int(c, "limit", 1, HALL_EVENTS_MAX_LIMIT, &limit, 0) == -1)
		return c->status;
	if (json_object_get(c->body, "since") == NULL)
		since = 0;
	if (json_object_get(c->body, "limit") == NULL)
		limit = 100;
	if (since > h->seq)
		return op_error(c, 400, "since_ahead",
		    "since %lld is past the newest event %lld: start again "
		    "from a snapshot", (long long)since, (long long)h->seq);
	pg.r = r;
	pg.bytes = 0;
	if (store_events(h->store, since, (int)limit, op_events_cb, &pg) < 0)
		return op_error(c, 500, "storage_failed", "cannot read the event log");
	next = r->nitems ? r->items[r->nitems - 1].seq : since;
	for (i = 0; i < r->nitems; i++)
		len += strlen(r->items[i].json) + 1;
	r->body = p = xmalloc(len);
	p += sprintf(p, "{\"events\":[");
	for (i = 0; i < r->nitems; i++) {
		size_t n = strlen(r->items[i].json);
		if (i)
			*p++ = ',';
		memcpy(p, r->items[i].json, n);
		p += n;
	}
	sprintf(p, "],\"next\":%lld}", (long long)next);
	return 200;
}

enum {
	R_NONE = 1u << ROLE_NONE,	/* no token needed */
	R_KIOSK = 1u << ROLE_KIOSK,
	R_CLERK = 1u << ROLE_CLERK,
	R_MANAGER = 1u << ROLE_MANAGER,
	R_ADMIN = 1u << ROLE_ADMIN,
	R_DISPLAY = 1u << ROLE_DISPLAY,
	R_ANY = R_KIOSK | R_CLERK | R_MANAGER | R_ADMIN | R_DISPLAY,
};

/* Every command: who may send it, what it carries, whether it writes. */
struct op {
	const char	*name;
	unsigned	 roles;
	int		 window;	/* needs "window" */
	int		 writes;
	const char	*fields[8];	/* body members it accepts */
	int		(*fn)(struct hall *, struct op_ctx *);
};

static const struct op ops[] = {
	{ "status", R_NONE | R_ANY, 0, 0, { NULL }, op_status },
	{ "auth", R_ANY, 0, 0, { NULL }, op_auth },
	{ "issue", R_KIOSK | R_CLERK | R_MANAGER | R_ADMIN, 0, 1,
	    { "matter", "class", "channel", "phone", "id_number", "appointment",
	      "slot_start", NULL }, op_issue },
	{ "ticket", R_NONE | R_ANY, 0, 0, { "ticket", NULL }, op_get_ticket },
	{ "cancel", R_KIOSK | R_MANAGER | R_ADMIN, 0, 1, { "ticket", NULL }, op_cancel },
	{ "call-next", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_call_next },
	{ "call", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { "ticket", NULL }, op_call },
	{ "recall", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_recall },
	{ "start", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_start },
	{ "finish", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { "outcome", NULL }, op_finish },
	{ "no-show", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_no_show },
	{ "hold", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_hold },
	{ "transfer", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { "matter", "window", NULL },
	    op_transfer },
	{ "pause", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_pause },
	{ "resume", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_resume },
	{ "open", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_open },
	{ "close", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, op_close },
	{ "window", R_ANY, 1, 0, { NULL }, op_window_get },
	{ "tiers", R_MANAGER | R_ADMIN, 1, 1, { "tiers", NULL }, op_tiers },
	{ "stats", R_MANAGER | R_ADMIN, 0, 0, { NULL }, op_stats },
	{ "hall", R_ANY, 0, 0, { NULL }, op_hall },
	{ "snapshot", R_ANY, 0, 0, { NULL }, op_snapshot },
	{ "events", R_ANY, 0, 0, { "since", "limit", NULL }, op_events },
	{ "devices", R_MANAGER | R_ADMIN, 0, 0, { NULL }, op_devices },
	{ "learn", R_MANAGER | R_ADMIN, 0, 0, { "window", NULL }, op_learn },
	/* Its own checks: a clerk token or the ticket's own token. */
	{ "rate", R_NONE | R_CLERK, 0, 1, { "ticket", "score", "comment", NULL },
	    op_rate },
};

static int
hall_check(struct hall *h, struct op_ctx *c, const struct op *op)
{
	json_t *tok = json_object_get(c->cmd, "token"), *v;
	const char *key;
	int i;

	(void)h;
	/* A window's own pad or evaluator (never from the web: the web
	 * thread builds its commands without this member). */
	if (json_is_string(json_object_get(c->cmd, "device")) && tok == NULL) {
		if (!(op->roles & R_CLERK))
			return op_error(c, 403, "forbidden", "a device cannot %s",
			    op->name);
		c->device = json_string_value(json_object_get(c->cmd, "device"));
	} else if (op->roles & R_NONE && json_is_string(tok))
		c->token = config_token(h->conf, json_string_value(tok));
	else if (!(op->roles & R_NONE)) {
		if (!json_is_string(tok))
			return op_error(c, 401, "unauthorized",
			    "this needs a token (Authorization: Bearer TOKEN)");
		if ((c->token = config_token(h->conf, json_string_value(tok))) == NULL)
			return op_error(c, 401, "unauthorized", "unknown token");
		if (!(op->roles & (1u << c->token->role)))
			return op_error(c, 403, "forbidden", "a %s token cannot %s",
			    config_role_name(c->token->role), op->name);
	}
	if (!json_is_object(c->body))
		return op_error(c, 400, "bad_request", "the body must be a JSON object");
	json_object_foreach(c->body, key, v) {
		for (i = 0; op->fields[i] != NULL; i++)
			if (strcmp(op->fields[i], key) == 0)
				break;
		if (op->fields[i] == NULL)
			return op_error(c, 400, "unknown_field",
			    "%s takes no field \"%.64s\"", op->name, key);
	}
	if (op->window) {
		json_t *wn = json_object_get(c->cmd, "window");
		if (!json_is_integer(wn))
			return op_error(c, 400, "bad_request", "\"window\" must be a number");
		if ((c->win = hall_win(h, (int)json_integer_value(wn))) == NULL ||
		    json_integer_value(wn) != c->win->number)
			return op_error(c, 404, "unknown_window", "no window %lld",
			    (long long)json_integer_value(wn));
		if (c->token != NULL && c->token->role == ROLE_CLERK &&
		    op->writes && !config_token_has_window(c->token, c->win->number))
			return op_error(c, 403, "forbidden",
			    "this clerk token is not for window %d", c->win->number);
	}
	return 0;
}

static void
hall_result_body(struct hall_result *r, struct op_ctx *c)
{
	if (c->reply != NULL && r->body == NULL)
		r->body = json_text(c->reply);
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

/*
 * The one way to write, for commands, timers, device notes and learning:
 * hall_txn_begin() opens the change (a savepoint inside a batch, else a
 * transaction); hall_txn_end() lets the subscribers with a stage hook write
 * their rows and cursors over its events, then commits — or, if any write
 * failed, undoes it all and rebuilds memory from the disk.  0 or -1.
 */
static int
hall_txn_begin(struct hall *h)
{
	h->failed = 0;
	return h->batch ? store_savepoint(h->store) : store_begin(h->store);
}

static int
hall_txn_end(struct hall *h)
{
	struct hall_result *r = h->res;

	if (!h->failed && events_stage(h->bus, r->events, r->nevents) == -1)
		h->failed = 1;
	if (!h->failed && (h->batch ? store_release(h->store) :
	    store_commit(h->store)) == 0)
		return 0;
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
	size_t i;

	hall_res_open(h, r, now);
	c.body = json_object_get(cmd, "body");
	if (c.body == NULL)
		c.body = json_object();
	else
		json_incref(c.body);
	for (i = 0; json_is_string(name) && i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, json_string_value(name)) == 0)
			op = &ops[i];
	if (op == NULL)
		c.status = op_error(&c, 400, "unknown_op", "unknown command");
	else if ((c.status = hall_check(h, &c, op)) != 0)
		;
	else if (!op->writes) {
		c.status = op->fn(h, &c);
		if (h->failed) {
			h->failed = 0;
			c.status = op_error(&c, 500, "storage_failed",
			    "the database could not be read");
		}
	} else if (hall_txn_begin(h) == -1) {
		c.status = op_error(&c, 500, "storage_failed",
		    "the database is not available");
	} else {
		hall_roll_if_due(h);
		if (op->window && c.win != NULL && (c.device != NULL ||
		    (c.token != NULL && c.token->role == ROLE_CLERK)))
			op_clerk_name(h, &c, c.win->clerk, sizeof c.win->clerk);
		c.status = op->fn(h, &c);
		if (hall_txn_end(h) == -1)
			c.status = op_error(&c, 500, "storage_failed",
			    "the change could not be written; nothing was changed");
	}
	r->status = c.status;
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
	return 0;
}

int
hall_batch_end(struct hall *h)
{
	char err[256];

	h->batch = 0;
	if (!h->batch_failed && store_commit(h->store) == 0)
		return 0;
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
		hall_rating_write(h, due[i], 0, "none", NULL);
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
	hall_res_open(h, r, now);
	if (h->batch || hall_txn_begin(h) == -1) {
		json_decref(o);
		h->res = NULL;
		return -1;
	}
	hall_emit(h, type, o);
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

static int
hall_tier_has(const struct dispatch_tier *t, int mi)
{
	int k;

	for (k = 0; k < t->nmatters; k++)
		if (t->matters[k] == mi)
			return 1;
	return 0;
}

/* What a window's display needs: its state, its ticket, who waits for it. */
int
hall_window_view(struct hall *h, int number, struct hall_window_view *v)
{
	struct win *w = hall_win(h, number);
	size_t n = 0;
	int i, j, k;

	memset(v, 0, sizeof *v);
	if (w == NULL || w->number != number)
		return -1;
	v->number = w->number;
	v->state = wstate_names[w->state];
	v->paused = w->state == WS_PAUSED;
	v->closed = w->state == WS_CLOSED;
	v->paused_text = w->conf->paused_text;
	v->closed_text = w->conf->closed_text;
	if (w->cur != NULL) {
		snprintf(v->ticket, sizeof v->ticket, "%s", w->cur->number);
		v->ticket_id = w->cur->id;
		v->serving = w->cur->state == TS_SERVING;
		v->called_at = w->cur->called_at;
		if (w->cur->mi >= 0)
			v->matter = h->conf->matters[w->cur->mi].name;
	}
	/* Waiting for it: each matter of its tiers (today's, if a manager
	 * changed them) counted once. */
	for (i = 0; i < w->dw.ntiers; i++)
		for (j = 0; j < w->dw.tiers[i].nmatters; j++) {
			int mi = w->dw.tiers[i].matters[j], seen = 0;
			for (k = 0; k < i && !seen; k++)
				seen = hall_tier_has(&w->dw.tiers[k], mi);
			if (!seen)
				n += dispatch_waiting(h->disp, mi);
		}
	v->waiting = (int)n;
	return 0;
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
	hall_tickets_clear(h);
	dispatch_free(h->disp);
	hall_wins_free(h);
	free(h->held);
	free(h->counters);
	free(h->service_ms);
	free(h);
}

/* SIGHUP: a checked config replaces the old; queues are rebuilt against it. */
void
hall_reconfigure(struct hall *h, struct config *conf)
{
	char err[256];

	h->conf = conf;
	if (hall_rebuild(h, err, sizeof err) == -1)
		fatalx("reconfigure: %s", err);
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

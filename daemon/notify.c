/* notify.c — messages to citizens, the hall's side: the outbox rows written
 * in the change's own transaction (the "notify" stage hook, a durable
 * subscriber of the event log), what a row needs at sending time (is its
 * reason still there?), delivery reports, and GET /api/notifications.  The
 * sending itself is outbox.c's, on the core loop. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hall_int.h"
#include "util.h"

/* ------------------------------------------------------------ the texts */

/* The template with {name} taken from params (a JSON object of strings). */
char *
notify_render(const char *tmpl, json_t *params)
{
	size_t len = 0, cap = strlen(tmpl) + 64;
	char *out = xmalloc(cap), key[16];
	const char *p = tmpl, *e, *v;

	while (*p != '\0') {
		if (*p == '{' && (e = strchr(p, '}')) != NULL &&
		    (size_t)(e - p - 1) < sizeof key) {
			memcpy(key, p + 1, (size_t)(e - p - 1));
			key[e - p - 1] = '\0';
			v = json_string_value(json_object_get(params, key));
			if (v == NULL)
				v = "";
			p = e + 1;
		} else {
			static char one[2];
			one[0] = *p++;
			v = one;
		}
		if (len + strlen(v) + 1 > cap) {
			cap = (len + strlen(v) + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, v, strlen(v));
		len += strlen(v);
	}
	out[len] = '\0';
	return out;
}

static void
param(json_t *o, const char *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
param(json_t *o, const char *k, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_object_set_new(o, k, json_string(buf));
}

/* The date and time of ms in the hall's zone: "12月1日", "10:00". */
static void
notify_when(struct hall *h, int64_t ms, json_t *o)
{
	const struct calendar *cal = &h->conf->cal;
	int32_t day = calendar_day_of(cal, ms);
	int y, m, d, min = (int)((ms - calendar_day_start(cal, day)) / 60000);

	calendar_ymd(day, &y, &m, &d);
	param(o, "date", "%d月%d日", m, d);
	param(o, "time", "%02d:%02d", min / 60, min % 60);
}

/* Writes one row of kind k (template params taken). */
static int
notify_add(struct hall *h, int k, int64_t ticket, const char *appt,
    const char *phone, json_t *params, int64_t at)
{
	const struct notify_conf *n = &h->conf->notify;
	struct store_outbox o;
	char *text, *ps;
	int64_t id;

	if (n->disabled[k] || phone == NULL) {
		json_decref(params);
		return 0;
	}
	param(params, "hall", "%s", h->conf->hall_name);
	text = notify_render(n->templates[k], params);
	ps = view_text_free(params);
	memset(&o, 0, sizeof o);
	o.kind = notify_kind_names[k];
	o.ticket = ticket;
	o.appointment = appt;
	o.phone = phone;
	o.text = text;
	o.params = ps;
	o.next_at = at;
	o.created_at = h->now;
	id = store_outbox_add(h->store, &o);
	free(text);
	free(ps);
	return id < 0 ? -1 : 0;
}

/* ------------------------------------------------------- tickets' phones */

struct phone_read {
	char	 phone[32];
	int	 notify;
	char	 state[16];
	int64_t	 start;
	char	 code[12];
	char	 matter[40];
};

static void
phstore_outbox_keep(void *arg, const struct store_appt *a)
{
	struct phone_read *r = arg;

	snprintf(r->phone, sizeof r->phone, "%s", a->phone ? a->phone : "");
	r->notify = a->notify && a->phone != NULL;
	snprintf(r->state, sizeof r->state, "%s", a->state);
	snprintf(r->code, sizeof r->code, "%s", a->code);
	snprintf(r->matter, sizeof r->matter, "%s", a->matter);
	r->start = a->start;
}

/* The phone a ticket's messages go to, with consent; NULL without: its
 * own (given at the kiosk or its status page), else its booking's. */
const char *
notify_ticket_phone(struct hall *h, const struct ticket *t, char *buf, size_t len)
{
	struct phone_read r;

	if (!t->notify)
		return NULL;
	if (t->phone != NULL || t->appointment[0] == '\0')
		return t->phone;
	memset(&r, 0, sizeof r);
	if (store_appt_get(h->store, t->appointment, phstore_outbox_keep, &r) != 1 ||
	    !r.notify)
		return NULL;
	snprintf(buf, len, "%s", r.phone);
	return buf;
}

static int
ticket_msg(struct hall *h, struct ticket *t, int k, json_t *params)
{
	char buf[32];
	const char *phone;
	int rc;

	if ((t->notified & (1u << k)) || h->conf->notify.disabled[k] ||
	    (phone = notify_ticket_phone(h, t, buf, sizeof buf)) == NULL) {
		json_decref(params);
		return 0;
	}
	/* At most max_per_ticket messages: counted in memory, the row's
	 * uniqueness (ticket, kind) holds across restarts. */
	if ((int)__builtin_popcount(t->notified) >= h->conf->notify.max_per_ticket) {
		json_decref(params);
		return 0;
	}
	param(params, "number", "%s", t->number);
	param(params, "matter", "%s", h->conf->matters[t->mi >= 0 ? t->mi : 0].name);
	rc = notify_add(h, k, t->id, t->appointment[0] ? t->appointment : NULL,
	    phone, params, h->now);
	if (rc == 0)
		t->notified |= 1u << k;
	return rc;
}

/* Cancels the unsent rows of a ticket or a booking (its reason is gone). */
struct pending {
	int64_t		 id[64];
	int		 kind[64];
	int		 n;
};

static void
pending_cb(void *arg, const struct store_outbox *o)
{
	struct pending *p = arg;

	if (p->n < 64) {
		p->id[p->n] = o->id;
		p->kind[p->n++] = notify_kind(o->kind);
	}
}

static int notify_cancel_rows(struct hall *, int64_t, const char *, unsigned,
    int);

/* Cancels the unsent rows; with `events`, each says so (notify.failed,
 * state cancelled) — from a command, never from the stage hook, which
 * may not add events. */
static int
notify_cancel(struct hall *h, int64_t ticket, const char *appt, unsigned kinds)
{
	return notify_cancel_rows(h, ticket, appt, kinds, 0);
}

/* A booking's own messages: confirmed now, the day before, the hour before. */
static int
notify_booking(struct hall *h, const char *code)
{
	const struct notify_conf *n = &h->conf->notify;
	const struct calendar *cal = &h->conf->cal;
	struct phone_read r;
	json_t *ps;
	int64_t at;
	int mi;

	memset(&r, 0, sizeof r);
	if (store_appt_get(h->store, code, phstore_outbox_keep, &r) != 1)
		return -1;
	if (!r.notify || strcmp(r.state, "booked") != 0)
		return 0;
	mi = config_matter(h->conf, r.matter);
	ps = json_object();
	notify_when(h, r.start, ps);
	param(ps, "code", "%s", r.code);
	param(ps, "matter", "%s", mi >= 0 ? h->conf->matters[mi].name : r.matter);
	if (notify_add(h, NK_BOOKED, 0, code, r.phone, json_deep_copy(ps),
	    h->now) == -1)
		goto fail;
	at = calendar_day_start(cal, calendar_day_of(cal, r.start) - 1) +
	    (int64_t)n->reminder_at * 60000;
	if (at > h->now && notify_add(h, NK_REMINDER, 0, code, r.phone,
	    json_deep_copy(ps), at) == -1)
		goto fail;
	at = r.start - (int64_t)n->soon_min * 60000;
	if (n->soon_min > 0 && at > h->now && notify_add(h, NK_SOON, 0, code,
	    r.phone, json_deep_copy(ps), at) == -1)
		goto fail;
	json_decref(ps);
	return 0;
fail:
	json_decref(ps);
	return -1;
}

#define BOOKING_KINDS	(1u << NK_BOOKED | 1u << NK_REMINDER | 1u << NK_SOON)
#define TICKET_KINDS	(1u << NK_AHEAD | 1u << NK_CALLED | 1u << NK_NO_SHOW | \
			 1u << NK_RATE)

/* Near its turn: ahead_at or fewer ahead, or (ahead_min) an estimated
 * wait of ahead_min minutes or less. */
static int
notify_near(struct hall *h, struct ticket *t)
{
	const struct notify_conf *n = &h->conf->notify;
	size_t ahead = dispatch_ahead(h->disp, &t->dt);
	int64_t eta;

	if (n->ahead_at > 0 && ahead <= (size_t)n->ahead_at)
		return 1;
	if (n->ahead_min > 0) {
		eta = window_eta_s(h, t->mi, ahead, t->target_window);
		return eta >= 0 && eta <= (int64_t)n->ahead_min * 60;
	}
	return 0;
}

/* Consent given (at issue, or later on the ticket's page) while ahead_at
 * or fewer are ahead: the person sees it on the kiosk or the page, so no
 * "ahead" message — and none taken from the ticket's budget. */
void
hall_notify_consented(struct hall *h, struct ticket *t)
{
	if (t->notify && t->queued && notify_near(h, t))
		t->ahead_skipped = 1;
}

/* "N ahead": a consenting waiting ticket whose people ahead fell to
 * ahead_at or fewer gets its one message. */
static int
notify_ahead(struct hall *h)
{
	const struct notify_conf *n = &h->conf->notify;
	struct ticket *t;
	size_t i, ahead;
	int64_t eta;
	json_t *ps;

	if ((n->ahead_at <= 0 && n->ahead_min <= 0) || n->disabled[NK_AHEAD])
		return 0;
	for (i = 0; i < h->nbuckets; i++)
		for (t = h->buckets[i]; t != NULL; t = t->hnext) {
			if (!t->notify || (t->notified & (1u << NK_AHEAD)) ||
			    t->ahead_skipped || !t->queued ||
			    !ticket_in_queue_state(t))
				continue;
			if (!notify_near(h, t))
				continue;
			ahead = dispatch_ahead(h->disp, &t->dt);
			eta = window_eta_s(h, t->mi, ahead, t->target_window);
			ps = json_object();
			param(ps, "ahead", "%zu", ahead);
			param(ps, "minutes", "%lld", eta >= 0 ?
			    (long long)(eta + 59) / 60 : 0LL);
			if (ticket_msg(h, t, NK_AHEAD, ps) == -1)
				return -1;
		}
	return 0;
}

/*
 * The stage hook (in the change's transaction): the rows the change calls
 * for.  -1 undoes the change.
 */
int
hall_notify_stage(struct hall *h, const struct event *evs, size_t n)
{
	const struct notify_conf *nc = &h->conf->notify;
	struct ticket *t;
	int tickets = 0;
	json_t *ps, *a;
	const char *code;
	size_t i;

	if (!nc->enabled)
		return 0;
	for (i = 0; i < n; i++) {
		const struct event *ev = &evs[i];

		if (EVT_IS_TICKET(ev->type))
			tickets = 1;
		t = ev->ticket ? ticket_find(h, ev->ticket) : NULL;
		switch (ev->type) {
		case EVT_TICKET_CALLED:
			if (t == NULL)
				break;
			ps = json_object();
			param(ps, "window", "%d", ev->window);
			if (ticket_msg(h, t, NK_CALLED, ps) == -1)
				return -1;
			break;
		case EVT_TICKET_NO_SHOW:
			if (t == NULL)
				break;
			ps = json_object();
			param(ps, "window", "%d", ev->window);
			param(ps, "minutes", "%lld",
			    (long long)(h->conf->no_show_grace_ms / 60000));
			if (ticket_msg(h, t, NK_NO_SHOW, ps) == -1)
				return -1;
			break;
		case EVT_TICKET_DONE:
			if (t == NULL)
				break;
			ps = json_object();
			param(ps, "link", "%s/t/%lld?token=%s", h->conf->public_url,
			    (long long)t->id, t->token);
			if (ticket_msg(h, t, NK_RATE, ps) == -1)
				return -1;
			break;
		case EVT_APPT_BOOKED:
		case EVT_APPT_RESCHEDULED:
		case EVT_APPT_CANCELLED:
		case EVT_APPT_CHECKED_IN:
		case EVT_APPT_NO_SHOW:
			a = json_object_get(ev->body, "appointment");
			if ((code = json_string_value(json_object_get(a, "code"))) == NULL)
				break;
			/* Cancelled and rescheduled bookings had theirs
			 * cancelled by the command (hall_notify_cancelled). */
			if ((ev->type == EVT_APPT_CHECKED_IN ||
			    ev->type == EVT_APPT_NO_SHOW) &&
			    notify_cancel(h, 0, code, BOOKING_KINDS) == -1)
				return -1;
			if ((ev->type == EVT_APPT_BOOKED ||
			    ev->type == EVT_APPT_RESCHEDULED) &&
			    notify_booking(h, code) == -1)
				return -1;
			break;
		default:
			break;
		}
	}
	if (tickets && notify_ahead(h) == -1)
		return -1;
	return 0;
}

static int
notify_cancel_rows(struct hall *h, int64_t ticket, const char *appt,
    unsigned kinds, int events)
{
	struct pending p = { .n = 0 };
	struct store_outbox o;
	int i;

	if (store_outbox_pending(h->store, ticket, appt, pending_cb, &p) < 0)
		return -1;
	for (i = 0; i < p.n; i++) {
		if (p.kind[i] < 0 || !(kinds & (1u << p.kind[i])))
			continue;
		if (events) {
			struct store_outbox_copy *r = notify_row_read(h, p.id[i]);

			if (r == NULL)
				return -1;
			notify_row_cancel(h, r);
			continue;
		}
		memset(&o, 0, sizeof o);
		o.id = p.id[i];
		o.state = "cancelled";
		o.next_at = h->now;
		o.done_at = h->now;
		if (store_outbox_set(h->store, &o) == -1)
			return -1;
	}
	return 0;
}

/* A ticket or a booking is cancelled (in the command): its messages not
 * yet sent are cancelled, each with a notify.failed event. */
void
hall_notify_cancelled(struct hall *h, int64_t ticket, const char *appt)
{
	if (!h->conf->notify.enabled)
		return;
	if (notify_cancel_rows(h, ticket, appt, ticket ? TICKET_KINDS :
	    BOOKING_KINDS, 1) == -1)
		h->failed = 1;
}

/* ------------------------------------------------ at sending time */

/*
 * Whether the reason of a row still stands: 1 send, 0 expired.  A ticket
 * no longer in memory is an older day's: its reason has passed.
 */
int
hall_notify_valid(struct hall *h, const struct store_outbox *o)
{
	struct phone_read r;
	struct ticket *t;
	int k = notify_kind(o->kind);

	if (o->ticket != 0) {
		if ((t = ticket_find(h, o->ticket)) == NULL)
			return 0;
		switch (k) {
		case NK_AHEAD:
			return ticket_in_queue_state(t);
		case NK_CALLED:
			return t->state == TS_CALLED;
		case NK_NO_SHOW:
			return t->state == TS_NO_SHOW;
		case NK_RATE:
			return t->state == TS_DONE && t->rated == 0;
		default:
			return 1;
		}
	}
	if (o->appointment == NULL)
		return 0;
	memset(&r, 0, sizeof r);
	if (store_appt_get(h->store, o->appointment, phstore_outbox_keep, &r) != 1)
		return 0;
	return strcmp(r.state, "booked") == 0 ||
	    (k == NK_BOOKED && strcmp(r.state, "checked_in") == 0);
}

/* NOTIFICATION: masked. */
json_t *
notify_json(const struct store_outbox *o)
{
	char ph[32];
	size_t n, i;

	snprintf(ph, sizeof ph, "%s", o->phone ? o->phone : "");
	n = strlen(ph);
	for (i = 3; i + 4 < n; i++)
		ph[i] = '*';
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:i, s:I, s:o, s:o,"
	    " s:o}",
	    "id", (json_int_t)o->id, "kind", o->kind, "state", o->state,
	    "ticket", o->ticket ? json_integer(o->ticket) : json_null(),
	    "appointment", o->appointment ? json_string(o->appointment) :
	    json_null(),
	    "phone", o->phone ? json_string(ph) : json_null(),
	    "text", o->text, "attempts", o->attempts,
	    "created_at", (json_int_t)o->created_at,
	    "sent_at", o->sent_at ? json_integer(o->sent_at) : json_null(),
	    "done_at", o->done_at ? json_integer(o->done_at) : json_null(),
	    "error", o->error ? json_string(o->error) : json_null());
}

/* ------------------------------------------------ reports and reads */

/* The hall's report key, made at first use and kept in the database. */
const char *
hall_notify_key(struct hall *h)
{
	unsigned char rnd[16];
	char *k;
	int i;

	if (h->notify_key[0] != '\0')
		return h->notify_key;
	if ((k = store_meta_get(h->store, "notify_key")) != NULL) {
		snprintf(h->notify_key, sizeof h->notify_key, "%s", k);
		free(k);
		return h->notify_key;
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		fatal("getrandom");
	for (i = 0; i < 16; i++)
		snprintf(h->notify_key + 2 * i, 3, "%02x", rnd[i]);
	if (store_meta_put(h->store, "notify_key", h->notify_key) == -1)
		h->failed = 1;
	return h->notify_key;
}

/* A row read whole (owned strings), or NULL. */
struct store_outbox_copy *
notify_row_read(struct hall *h, int64_t id)
{
	struct store_outbox_copy *r = xcalloc(1, sizeof *r);

	if (store_outbox_get(h->store, id, store_outbox_keep, r) < 0 || !r->found) {
		store_outbox_copy_free(r);
		free(r);
		return NULL;
	}
	return r;
}

/* Cancels the row, with its event; frees r. */
void
notify_row_cancel(struct hall *h, struct store_outbox_copy *r)
{
	r->o.state = "cancelled";
	r->o.done_at = h->now;
	r->o.next_at = h->now;
	if (store_outbox_set(h->store, &r->o) == -1)
		h->failed = 1;
	else
		hall_emit(h, "notify.failed", json_pack("{s:o}", "notification",
		    notify_json(&r->o)));
	store_outbox_copy_free(r);
	free(r);
}

static int
notify_key_ok(struct hall *h, struct op_ctx *c)
{
	const char *key;

	if (cmd_body_string(c, "key", 64, &key) == -1)
		return -1;
	if (!h->conf->notify.enabled)
		return cmd_error(c, 404, "not_found", "this hall sends no messages"),
		    -1;
	if (key == NULL || !secret_eq(key, hall_notify_key(h)))
		return cmd_error(c, 403, "forbidden", "wrong report key"), -1;
	return 0;
}

/* A report on row id: delivered (1), failed (0) or only accepted (-1). */
static int
notify_report(struct hall *h, int64_t id, int outcome, const char *error)
{
	struct store_outbox_copy r = { .found = 0 };
	const char *ev = NULL;
	int rc = 0;

	if (store_outbox_get(h->store, id, store_outbox_keep, &r) < 0)
		return -1;
	if (!r.found) {
		store_outbox_copy_free(&r);
		return 0;	/* a report on a row we never made: dropped */
	}
	if (strcmp(r.o.state, "sending") == 0 || strcmp(r.o.state, "queued") == 0) {
		/* A report after a time-out: the gateway had it after all. */
		r.o.state = "sent";
		r.o.sent_at = h->now;
		ev = "notify.sent";
	}
	if (outcome == 1 && strcmp(r.o.state, "sent") == 0) {
		r.o.state = "delivered";
		r.o.done_at = h->now;
		ev = "notify.delivered";
	} else if (outcome == 0 && strcmp(r.o.state, "sent") == 0) {
		r.o.state = "failed";
		r.o.done_at = h->now;
		r.o.error = error;
		ev = "notify.failed";
	}
	if (ev != NULL) {
		if (store_outbox_set(h->store, &r.o) == -1)
			rc = -1;
		else
			hall_emit(h, ev, json_pack("{s:o}", "notification",
			    notify_json(&r.o)));
	}
	store_outbox_copy_free(&r);
	return rc;
}

/* GET /api/notify/kannel?key=&id=&type= (Kannel's dlr-url). */
int
cmd_notify_kannel(struct hall *h, struct op_ctx *c)
{
	int64_t id, type;
	char why[32];

	if (notify_key_ok(h, c) == -1 ||
	    cmd_body_int(c, "id", 1, INT64_C(1) << 50, &id, 1) == -1 ||
	    cmd_body_int(c, "type", 0, 255, &type, 1) == -1)
		return c->status;
	snprintf(why, sizeof why, "kannel report %lld", (long long)type);
	if (notify_report(h, id, type & 1 ? 1 : type & (2 | 16) ? 0 : -1, why) == -1)
		return cmd_error(c, 500, "storage_failed", "the report could not be "
		    "written");
	c->reply = json_pack("{s:b}", "ok", 1);
	return 200;
}

static int
report_one(struct hall *h, json_t *r)
{
	const char *out_id = json_string_value(json_object_get(r, "out_id"));
	json_t *ok = json_object_get(r, "success");
	const char *err = json_string_value(json_object_get(r, "err_code"));
	char *end;
	long long id;

	if (out_id == NULL || !json_is_boolean(ok))
		return 1;
	id = strtoll(out_id, &end, 10);
	if (*end != '\0' || id <= 0)
		return 1;
	return notify_report(h, id, json_is_true(ok) ? 1 : 0,
	    err ? err : "not delivered") == -1 ? -1 : 0;
}

/* POST /api/notify/report?key= (an http gateway's reports). */
int
cmd_notify_report(struct hall *h, struct op_ctx *c)
{
	json_t *list = json_object_get(c->body, "reports"), *r;
	size_t i;
	int bad = 0, rc;

	if (notify_key_ok(h, c) == -1)
		return c->status;
	if (list == NULL) {
		if ((rc = report_one(h, c->body)) == -1)
			return cmd_error(c, 500, "storage_failed", "not written");
		bad += rc;
	} else if (json_is_array(list) && json_array_size(list) <= 1000) {
		json_array_foreach(list, i, r) {
			if ((rc = report_one(h, r)) == -1)
				return cmd_error(c, 500, "storage_failed",
				    "not written");
			bad += rc;
		}
	} else
		return cmd_error(c, 400, "bad_request", "reports are a JSON array "
		    "of at most 1000");
	if (bad > 0)
		log_info("notify: %d report%s without a known out_id dropped", bad,
		    bad == 1 ? "" : "s");
	c->reply = json_pack("{s:i}", "code", 0);
	return 200;
}

static void
list_cb(void *arg, const struct store_outbox *o)
{
	json_array_append_new(arg, notify_json(o));
}

/* GET /api/notifications?ticket=|appointment= */
int
cmd_notify_list(struct hall *h, struct op_ctx *c)
{
	const char *code;
	int64_t ticket = 0, queued, failed, first = 0;
	json_t *a = json_array();
	char *base;

	if (cmd_body_int(c, "ticket", 1, INT64_C(1) << 50, &ticket, 0) == -1 ||
	    cmd_body_string(c, "appointment", 12, &code) == -1) {
		json_decref(a);
		return c->status;
	}
	if (ticket > 0 || code != NULL) {
		if (store_outbox_of(h->store, ticket, code, list_cb, a) < 0)
			h->failed = 1;
		c->reply = json_pack("{s:o}", "notifications", a);
		return 200;
	}
	if (store_outbox_newest(h->store, 100, list_cb, a) < 0)
		h->failed = 1;
	queued = store_outbox_count(h->store, "queued", &first);
	failed = store_outbox_count(h->store, "failed", NULL);
	if (h->conf->notify.report_url != NULL)
		base = xstrdup(h->conf->notify.report_url);
	else
		xasprintf(&base, "http://%s:%d", h->conf->listen_host,
		    h->conf->listen_port);
	c->reply = json_pack("{s:o, s:s?, s:I, s:I, s:{s:s+++, s:s+++}}",
	    "notifications", a,
	    "gateway", !h->conf->notify.enabled ? NULL :
	    h->conf->notify.gateway == NOTIFY_KANNEL ? "kannel" : "http",
	    "queued", (json_int_t)queued, "failed", (json_int_t)failed,
	    "report_urls",
	    "kannel", base, "/api/notify/kannel?key=", hall_notify_key(h),
	    "&id=ID&type=%d",
	    "http", base, "/api/notify/report?key=", hall_notify_key(h), "");
	free(base);
	return 200;
}

/* The report base for the sender: report_url, or the listen address. */
char *
hall_notify_report_base(struct hall *h)
{
	char *base;

	if (h->conf->notify.report_url != NULL)
		return xstrdup(h->conf->notify.report_url);
	xasprintf(&base, "http://%s:%d", h->conf->listen_host, h->conf->listen_port);
	return base;
}

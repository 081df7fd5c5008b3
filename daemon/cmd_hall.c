/* cmd_hall.c — the commands on the hall as a whole: status, auth, hall,
 * snapshot, the event log, today's figures (stats), devices and learning.
 * They read; must not change tickets or windows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "hall_int.h"
#include "limit.h"
#include "metrics.h"
#include "util.h"

#ifndef HALL_VERSION		/* from VERSION, by the Makefile */
#define HALL_VERSION	"0.1.0"
#endif

int
cmd_hall_hall(struct hall *h, struct op_ctx *c)
{
	c->reply = view_snapshot(h, h->now);
	return 200;
}

int
cmd_hall_snapshot(struct hall *h, struct op_ctx *c)
{
	c->reply = view_snapshot(h, h->now);
	json_object_set_new(c->reply, "type", json_string("hall.snapshot"));
	return 200;
}

int
cmd_hall_devices(struct hall *h, struct op_ctx *c)
{
	c->reply = h->devices != NULL ? h->devices->list(h->devices_arg) :
	    json_pack("{s:[]}", "devices");
	return 200;
}

/* A remote receiver binds the next unknown remote to a window. */
int
cmd_hall_learn(struct hall *h, struct op_ctx *c)
{
	json_t *name = json_object_get(c->cmd, "name");
	char err[200];
	int64_t window;
	int st;

	if (cmd_body_int(c, "window", 1, LIMIT_WINDOW_MAX, &window, 1) != 0)
		return c->status;
	if (window_find(h, (int)window) == NULL || window_find(h, (int)window)->number != window)
		return cmd_error(c, 404, "unknown_window", "no window %lld",
		    (long long)window);
	if (!json_is_string(name) || h->devices == NULL)
		return cmd_error(c, 404, "unknown_device", "no such device");
	st = h->devices->learn(h->devices_arg, json_string_value(name),
	    (int)window, h->now, err, sizeof err);
	if (st >= 400)
		return cmd_error(c, st, st == 404 ? "unknown_device" : "not_a_receiver",
		    "%s", err);
	c->reply = json_pack("{s:s, s:I, s:i}", "device", json_string_value(name),
	    "window", (json_int_t)window, "expires_in_s", LIMIT_LEARN_S);
	return st;
}

/* The WebSocket's first question: is this token good, and for what role. */
int
cmd_hall_auth(struct hall *h, struct op_ctx *c)
{
	c->reply = json_pack("{s:s, s:s, s:I}", "type", "auth",
	    "role", config_role_name(c->token->role), "seq", (json_int_t)h->seq);
	return 200;
}

int
cmd_hall_status(struct hall *h, struct op_ctx *c)
{
	c->reply = json_pack("{s:b, s:s, s:I, s:s, s:s, s:b}", "ok", 1,
	    "version", HALL_VERSION, "seq", (json_int_t)h->seq,
	    "business_day", h->day, "hall", h->conf->hall_name,
	    /* the hall sends SMS: pages offer them only then */
	    "notify", h->conf->notify.enabled);
	view_hall_clock(h, c->reply, h->now);
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
int
cmd_hall_events(struct hall *h, struct op_ctx *c)
{
	int64_t since = 0, limit = 100, next;
	struct hall_result *r = h->res;
	struct events_page pg;
	size_t i, len = 64;
	char *p;

	if (cmd_body_int(c, "since", 0, INT64_MAX / 2, &since, 0) == -1 ||
	    cmd_body_int(c, "limit", 1, LIMIT_EVENTS_PAGE, &limit, 0) == -1)
		return c->status;
	if (json_object_get(c->body, "since") == NULL)
		since = 0;
	if (json_object_get(c->body, "limit") == NULL)
		limit = 100;
	if (since > h->seq)
		return cmd_error(c, 400, "since_ahead",
		    "since %lld is past the newest event %lld: start again "
		    "from a snapshot", (long long)since, (long long)h->seq);
	pg.r = r;
	pg.bytes = 0;
	if (store_events(h->store, since, (int)limit, op_events_cb, &pg) < 0)
		return cmd_error(c, 500, "storage_failed", "cannot read the event log");
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
int
cmd_hall_stats(struct hall *h, struct op_ctx *c)
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

/*
 * GET /api/reports?from=&to=&group=&format= (web/README.md, "Reports"):
 * checked here, made by the reporter's thread.  The job carries what the
 * report needs of the configuration (names, targets), copied: a SIGHUP may
 * replace it while the report runs.  202 with the job in the result; the
 * core hands it on and answers nothing itself.
 */
int
cmd_report(struct hall *h, struct op_ctx *c)
{
	static const char *const groups[] = { "matter", "window", "clerk", "day",
	    "hour", "channel", NULL };
	const char *from, *to, *group, *format, *via;
	int32_t dfrom, dto;
	char err[96];
	int i, csv = 0;

	if (cmd_body_string(c, "from", 10, &from) == -1 ||
	    cmd_body_string(c, "to", 10, &to) == -1 ||
	    cmd_body_string(c, "group", 16, &group) == -1 ||
	    cmd_body_string(c, "format", 8, &format) == -1 ||
	    cmd_body_string(c, "via", 8, &via) == -1)
		return c->status;
	if (from == NULL)
		from = h->day;
	if (to == NULL)
		to = h->day;
	if (calendar_parse_date(from, &dfrom, err, sizeof err) == -1)
		return cmd_error(c, 400, "bad_range", "from: %s", err);
	if (calendar_parse_date(to, &dto, err, sizeof err) == -1)
		return cmd_error(c, 400, "bad_range", "to: %s", err);
	if (dto < dfrom)
		return cmd_error(c, 400, "bad_range", "to (%s) is before from (%s)",
		    to, from);
	if (dto - dfrom + 1 > 400)
		return cmd_error(c, 400, "bad_range", "a report covers at most 400 "
		    "days");
	if (group == NULL)
		group = "matter";
	for (i = 0; groups[i] != NULL && strcmp(groups[i], group) != 0; i++)
		;
	if (groups[i] == NULL)
		return cmd_error(c, 400, "bad_request", "group is matter, window, "
		    "clerk, day, hour or channel");
	if (format != NULL && strcmp(format, "csv") == 0)
		csv = 1;
	else if (format != NULL && strcmp(format, "json") != 0)
		return cmd_error(c, 400, "bad_request", "format is json or csv");
	if (csv && (via == NULL || strcmp(via, "http") != 0))
		return cmd_error(c, 400, "bad_request", "CSV is answered over HTTP "
		    "only (GET /api/reports?format=csv)");
	h->res->defer = hall_report_job(h, from, to, group, csv);
	return 202;
}

json_t *
hall_report_job(struct hall *h, const char *from, const char *to,
    const char *group, int csv)
{
	const struct calendar *cal = &h->conf->cal;
	int32_t dfrom, dto;
	json_t *job, *ms, *ws;
	int i;

	if (calendar_parse_date(from, &dfrom, NULL, 0) == -1 ||
	    calendar_parse_date(to, &dto, NULL, 0) == -1)
		return NULL;
	ms = json_array();
	for (i = 0; i < h->conf->nmatters; i++)
		json_array_append_new(ms, json_pack("[s, s, I]",
		    h->conf->matters[i].code, h->conf->matters[i].name,
		    (json_int_t)h->conf->matters[i].target_wait_ms));
	ws = json_array();
	for (i = 0; i < h->conf->nwindows; i++)
		json_array_append_new(ws, json_pack("[i, s]",
		    h->conf->windows[i].number, h->conf->windows[i].name));
	job = json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:I, s:i, s:s, s:o, s:o}",
	    "from", from, "to", to,
	    "from_ms", (json_int_t)calendar_day_start(cal, dfrom),
	    "to_ms", (json_int_t)calendar_day_start(cal, dto + 1),
	    "group", group, "csv", csv, "now", (json_int_t)h->now,
	    "utc_offset_s", (int)cal->utc_offset_s, "hall", h->conf->hall_name,
	    "matters", ms, "windows", ws);
	if (job == NULL)
		fatalx("report job");
	return job;
}

/* GET /api/uplink */
int
cmd_hall_uplink(struct hall *h, struct op_ctx *c)
{
	c->reply = h->uplink_status != NULL ? h->uplink_status(h->uplink_arg) :
	    json_pack("{s:b}", "configured", 0);
	return 200;
}

void
hall_set_uplink(struct hall *h, json_t *(*status)(void *), void *arg)
{
	h->uplink_status = status;
	h->uplink_arg = arg;
}

/* ---------------------------------------------------------------- /metrics */

/* One device's families from GET /api/devices's object. */
static void
metrics_devices(struct mbuf *b, json_t *list)
{
	static const struct {
		const char	*name, *type, *key, *help;
	} fams[] = {
		{ "hallq_device_up", "gauge", "up",
		    "1 when the device's line is up, else 0." },
		{ "hallq_device_errors_total", "counter", "errors",
		    "Transport errors, NAKs, time-outs and garbled replies since "
		    "start." },
		{ "hallq_device_reconnects_total", "counter", "reconnects",
		    "Reopenings of the device's line since start." },
		{ "hallq_device_dropped_total", "counter", "dropped",
		    "Frames dropped from a full transmit queue since start." },
	};
	json_t *d;
	size_t f, i;

	for (f = 0; f < sizeof fams / sizeof fams[0]; f++) {
		mbuf_family(b, fams[f].name, fams[f].type, fams[f].help);
		json_array_foreach(list, i, d) {
			json_t *v = json_object_get(d, fams[f].key);

			mbuf_printf(b, "%s{device=\"", fams[f].name);
			mbuf_label(b, json_string_value(json_object_get(d, "name")));
			if (f == 0) {
				mbuf_printf(b, "\",role=\"");
				mbuf_label(b, json_string_value(json_object_get(d,
				    "role")));
			}
			mbuf_printf(b, "\"} %lld\n", json_is_boolean(v) ?
			    (long long)json_is_true(v) :
			    (long long)json_integer_value(v));
		}
	}
}

/*
 * GET /metrics, the core's part (the web thread adds its own, web.c): the
 * counters of metrics.c, today's queues, devices, the outbox, the uplink
 * and the log's seq.  Reads memory, two indexed counts and the devices'
 * and uplink's own figures: no ticket is walked, whatever the day's size.
 * Its text is no JSON, so only HTTP may ask (api.c says "via").
 */
int
cmd_hall_metrics(struct hall *h, struct op_ctx *c)
{
	static const char *const wstates[] = { "open", "paused", "closed" };
	static const enum wstate wsv[] = { WS_OPEN, WS_PAUSED, WS_CLOSED };
	const struct config *conf = h->conf;
	const char **codes;
	const char *via;
	struct mbuf b = { NULL, 0, 0 };
	size_t *waiting, i;
	json_t *o, *v;
	int64_t queued, sending;
	int k, n;

	if (cmd_body_string(c, "via", 8, &via) == -1)
		return c->status;
	if (via == NULL || strcmp(via, "http") != 0)
		return cmd_error(c, 400, "bad_request", "metrics are read over "
		    "HTTP only (GET /metrics)");
	codes = xcalloc((size_t)conf->nmatters + 1, sizeof *codes);
	waiting = xcalloc((size_t)conf->nmatters + 1, sizeof *waiting);
	for (k = 0; k < conf->nmatters; k++) {
		codes[k] = conf->matters[k].code;
		waiting[k] = dispatch_waiting(h->disp, k);
	}
	metrics_render(h->metrics, &b, codes, waiting, (size_t)conf->nmatters);
	free(codes);
	free(waiting);

	mbuf_family(&b, "hallq_windows", "gauge", "Windows by state.");
	for (i = 0; i < sizeof wsv / sizeof wsv[0]; i++) {
		for (n = 0, k = 0; k < h->nwins; k++)
			n += h->wins[k].state == wsv[i];
		mbuf_printf(&b, "hallq_windows{state=\"%s\"} %d\n", wstates[i], n);
	}
	mbuf_family(&b, "hallq_tickets_in_memory", "gauge",
	    "Tickets held in memory: today's and the open ones.");
	mbuf_printf(&b, "hallq_tickets_in_memory %zu\n", h->ntickets);
	mbuf_family(&b, "hallq_event_seq", "gauge",
	    "The event log's last seq.");
	mbuf_printf(&b, "hallq_event_seq %lld\n", (long long)h->seq);

	o = h->devices != NULL ? h->devices->list(h->devices_arg) : NULL;
	metrics_devices(&b, o != NULL ? json_object_get(o, "devices") : NULL);
	json_decref(o);

	queued = store_outbox_count(h->store, "queued", NULL);
	sending = store_outbox_count(h->store, "sending", NULL);
	mbuf_family(&b, "hallq_outbox_messages", "gauge",
	    "Messages to citizens not yet taken by the SMS gateway, by state.");
	mbuf_printf(&b, "hallq_outbox_messages{state=\"queued\"} %lld\n"
	    "hallq_outbox_messages{state=\"sending\"} %lld\n",
	    (long long)(queued > 0 ? queued : 0),
	    (long long)(sending > 0 ? sending : 0));

	o = h->uplink_status != NULL ? h->uplink_status(h->uplink_arg) : NULL;
	mbuf_family(&b, "hallq_uplink_configured", "gauge",
	    "1 when an uplink to the city's broker is configured.");
	mbuf_printf(&b, "hallq_uplink_configured %d\n",
	    json_is_true(json_object_get(o, "configured")));
	mbuf_family(&b, "hallq_uplink_connected", "gauge",
	    "1 while the uplink is connected to the broker.");
	mbuf_printf(&b, "hallq_uplink_connected %d\n",
	    json_is_true(json_object_get(o, "connected")));
	mbuf_family(&b, "hallq_uplink_backlog_events", "gauge",
	    "Events of the log the broker has not acknowledged.");
	v = json_object_get(o, "backlog");
	mbuf_printf(&b, "hallq_uplink_backlog_events %lld\n",
	    (long long)json_integer_value(v));
	mbuf_family(&b, "hallq_uplink_inflight", "gauge",
	    "Messages sent to the broker and not yet acknowledged.");
	mbuf_printf(&b, "hallq_uplink_inflight %lld\n",
	    (long long)json_integer_value(json_object_get(o, "inflight")));
	json_decref(o);

	c->text = b.p != NULL ? b.p : xstrdup("");
	return 200;
}

/* view.c — what the hall shows: the JSON of a ticket (with masked phone and
 * ID numbers), of a window, of each matter's load and of the whole hall, and
 * a window's display view.  Reads state only: never changes or writes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch.h"
#include "hall_int.h"
#include "util.h"

static json_t *
json_eta(int64_t eta_s)
{
	return eta_s >= 0 ? json_integer(eta_s) : json_null();
}

/* ---------------------------------------------------------------- JSON */

static json_t *
json_ms(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

json_t *
view_window_no(int v)
{
	return v ? json_integer(v) : json_null();
}

/* Show the first three and last four of a number, never the whole. */
char *
view_mask(const char *s)
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
	char *m = view_mask(s);
	json_t *v = json_string_nocheck(m);

	free(m);
	return v;
}

json_t *
view_ticket(struct hall *h, struct ticket *t)
{
	size_t ahead = 0;
	int64_t eta = 0;
	json_t *o;

	if (t->queued)
		ahead = dispatch_ahead(h->disp, &t->dt);
	/* Waiting (a matter no longer configured is never queued): -1 when
	 * no open window would call it now. */
	if (ticket_in_queue_state(t))
		eta = t->queued ? window_eta_s(h, t->mi, ahead,
		    t->target_window) : -1;
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o,"
	    " s:I, s:o, s:b, s:s, s:o, s:i, s:i}",
	    "id", (json_int_t)t->id,
	    "number", t->number,
	    "matter", t->matter,
	    "class", t->cls,
	    "channel", t->channel,
	    "state", tstate_names[t->state],
	    "window", view_window_no(t->window),
	    "issued_at", (json_int_t)t->issued_at,
	    "called_at", json_ms(t->called_at),
	    "serving_at", json_ms(t->serving_at),
	    "ended_at", json_ms(t->ended_at),
	    "ahead", (json_int_t)ahead,
	    "eta_s", json_eta(eta),
	    "no_open_window", eta < 0,
	    "business_day", t->day,
	    "target_window", view_window_no(t->target_window),
	    "recalls", t->recalls,
	    "transfers", t->transfers);
	if (o == NULL)
		fatalx("json_pack ticket");
	if (t->mi >= 0) {
		const struct matter *m = &h->conf->matters[t->mi];

		json_object_set_new(o, "matter_name", json_string(m->name));
		json_object_set_new(o, "matter_name_en", m->name_en != NULL ?
		    json_string(m->name_en) : json_null());
	}
	if (t->phone != NULL)
		json_object_set_new(o, "phone", json_masked(t->phone));
	/* Messages to its phone were asked for (issue 14). */
	json_object_set_new(o, "notify", json_boolean(t->notify));
	if (t->id_number != NULL)
		json_object_set_new(o, "id_number", json_masked(t->id_number));
	if (t->slot_start)
		json_object_set_new(o, "slot_start", json_integer(t->slot_start));
	return o;
}

json_t *
view_window(struct hall *h, struct win *w)
{
	json_t *tiers = json_array(), *held = json_array(), *o;
	json_t *waiting = json_array();
	size_t i;
	int j, k;

	/* Each tier's matters, and who waits for it: their queues. */
	for (j = 0; j < w->dw.ntiers; j++) {
		json_t *tier = json_array();
		size_t n = 0;

		for (k = 0; k < w->dw.tiers[j].nmatters; k++) {
			int mi = w->dw.tiers[j].matters[k];

			json_array_append_new(tier,
			    json_string(h->conf->matters[mi].code));
			n += dispatch_waiting(h->disp, mi);
		}
		json_array_append_new(tiers, tier);
		json_array_append_new(waiting, json_integer((json_int_t)n));
	}
	for (i = 0; i < h->nheld; i++)
		if (h->held[i]->window == w->number)
			json_array_append_new(held, json_integer(h->held[i]->id));
	o = json_pack("{s:i, s:s, s:s?, s:s?, s:s?, s:s, s:o, s:o, s:o, s:I, s:o,"
	    " s:o}",
	    "number", w->number,
	    "name", w->conf->name,
	    "name_en", w->conf->name_en,
	    "kind", w->conf->kind,
	    "kind_en", w->conf->kind_en,
	    "state", wstate_names[w->state],
	    "ticket", w->cur ? view_ticket(h, w->cur) : json_null(),
	    "tiers", tiers,
	    "held", held,
	    "since", (json_int_t)w->since,
	    "waiting", waiting,
	    "clerk", w->clerk[0] ? json_string(w->clerk) : json_null());
	if (o == NULL)
		fatalx("json_pack window");
	if (w->conf->ledger)		/* a 办不成事 window: said only when it is */
		json_object_set_new(o, "ledger", json_true());
	return o;
}

static json_t *
matter_load_json(struct hall *h, int mi, int64_t now)
{
	const struct matter *m = &h->conf->matters[mi];
	size_t waiting = dispatch_waiting(h->disp, mi);
	int64_t oldest = dispatch_oldest(h->disp, mi), wait_s = 0;
	json_t *o;

	if (oldest > 0 && now > oldest)
		wait_s = (now - oldest) / 1000;
	o = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:I, s:I, s:o, s:i,"
	    " s:I, s:I}",
	    "code", m->code,
	    "name", m->name,
	    "name_en", m->name_en,
	    "domain", h->conf->domains[m->domain].code,
	    "domain_name", h->conf->domains[m->domain].name,
	    "domain_name_en", h->conf->domains[m->domain].name_en,
	    "waiting", (json_int_t)waiting,
	    "oldest_wait_s", (json_int_t)wait_s,
	    "eta_s", json_eta(window_eta_s(h, mi, waiting, 0)),
	    "open_windows", window_open_count(h, mi),
	    "target_wait_s", (json_int_t)(m->target_wait_ms / 1000),
	    "service_s", (json_int_t)(h->service_ms[mi] / 1000));
	hours_matter_json(h, mi, now, o);
	return o;
}

/*
 * The hall's name in English and its clock, for status and snapshots:
 * "hall_en" (null when not configured), "timezone" (hall.timezone), "now"
 * (ms) and "utc_offset_s", the zone's offset from UTC at that moment, from
 * the daemon's own tz database (TZ is the hall's zone), so that a page
 * without one still shows the hall's time.
 */
void
view_hall_clock(struct hall *h, json_t *o, int64_t now)
{
	time_t t = (time_t)(now / 1000);
	long off = 0;
	struct tm tm;

	if (localtime_r(&t, &tm) != NULL)
		off = tm.tm_gmtoff;
	json_object_set_new(o, "hall_en", h->conf->hall_name_en != NULL ?
	    json_string(h->conf->hall_name_en) : json_null());
	json_object_set_new(o, "timezone", json_string(h->conf->timezone));
	json_object_set_new(o, "now", json_integer(now));
	json_object_set_new(o, "utc_offset_s", json_integer(off));
}

json_t *
view_snapshot(struct hall *h, int64_t now)
{
	json_t *matters = json_array(), *windows = json_array(), *o;
	int i;

	for (i = 0; i < h->conf->nmatters; i++)
		json_array_append_new(matters, matter_load_json(h, i, now));
	for (i = 0; i < h->nwins; i++)
		json_array_append_new(windows, view_window(h, &h->wins[i]));
	o = json_pack("{s:I, s:s, s:s, s:o, s:o}",
	    "seq", (json_int_t)h->seq,
	    "business_day", h->day,
	    "hall", h->conf->hall_name,
	    "matters", matters,
	    "windows", windows);
	if (o == NULL)
		fatalx("json_pack snapshot");
	view_hall_clock(h, o, now);
	hours_hall_json(h, now, o);
	return o;
}

/*
 * GET /api/public/queue: what anybody may see of the hall, nothing personal
 * (made by the core, served by the web thread from its copy).
 */
char *
hall_public_queue(struct hall *h, int64_t now, uint64_t *tag)
{
	const struct config *c = h->conf;
	json_t *ms = json_array(), *o;
	char *q_url, *book_url = NULL;
	int i, bookable = 0;

	for (i = 0; i < c->nmatters; i++) {
		const struct matter *m = &c->matters[i];
		size_t waiting = dispatch_waiting(h->disp, i);
		json_t *mo, *tmp = json_object();
		int b = c->appt.enabled && c->has_hours && m->capacity_per_slot > 0;

		bookable |= b;
		hours_matter_json(h, i, now, tmp);
		mo = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:I, s:o, s:i, s:O,"
		    " s:b}",
		    "code", m->code, "name", m->name, "name_en", m->name_en,
		    "domain", c->domains[m->domain].code,
		    "domain_name", c->domains[m->domain].name,
		    "domain_name_en", c->domains[m->domain].name_en,
		    "waiting", (json_int_t)waiting,
		    "eta_s", json_eta(window_eta_s(h, i, waiting, 0)),
		    "open_windows", window_open_count(h, i),
		    "accepting", json_object_get(tmp, "accepting"),
		    "bookable", b);
		json_decref(tmp);
		json_array_append_new(ms, mo);
	}
	xasprintf(&q_url, "%s/q", c->public_url);
	if (bookable)
		xasprintf(&book_url, "%s/book", c->public_url);
	o = json_pack("{s:s, s:s, s:s?, s:o}", "hall", c->hall_name,
	    "q_url", q_url, "book_url", book_url, "matters", ms);
	free(q_url);
	free(book_url);
	hours_hall_json(h, now, o);
	/* The tag is the figures' own, without the clock: the same figures
	 * keep their tag (and phones their 304) while time passes. */
	{
		char *text = view_text(o);
		const unsigned char *p;

		*tag = 1469598103934665603ULL;
		for (p = (const unsigned char *)text; *p != '\0'; p++)
			*tag = (*tag ^ *p) * 1099511628211ULL;
		free(text);
	}
	json_object_set_new(o, "at", json_integer(now));
	/* The zone, not a "now": this copy is served as it is for as long as
	 * the figures stand, so a clock in it would be stale. */
	view_hall_clock(h, o, now);
	json_object_del(o, "now");
	return view_text_free(o);
}

/* The text of o, which is released. */
char *
view_text_free(json_t *o)
{
	char *s = view_text(o);

	json_decref(o);
	return s;
}

char *
view_text(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s == NULL)
		fatalx("json_dumps");
	return s;
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
	struct win *w = window_find(h, number);
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

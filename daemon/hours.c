/* hours.c — the hall's hours at work: whether the hall is open, the issuing
 * cutoff of a matter, the windows opened and closed at their hours' edges,
 * and GET /api/hours.  The rules themselves are calendar.c's (pure); this
 * file applies them to the live hall.  Must not open transactions except in
 * hours_tick (a timer, like hall_tick). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hall_int.h"
#include "util.h"

/* The zone's offset at `now` (the daemon runs with TZ = hall.timezone). */
static int32_t
hours_offset(int64_t now)
{
	time_t t = (time_t)(now / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	return (int32_t)tm.tm_gmtoff;
}

const struct calendar_hours *
hours_of_window(const struct window_conf *wc)
{
	return wc != NULL && wc->has_hours ? &wc->hours : NULL;
}

/* After every rebuild: the calendar's offset, each matter's serving windows
 * (any tier of the configured tiers). */
void
hours_setup(struct hall *h)
{
	struct config *c = h->conf;
	int mi, i, t, k;

	c->cal.utc_offset_s = hours_offset(h->now);
	h->hours_enforced = c->has_hours && !h->any_hour;
	for (mi = 0; mi < h->nserving; mi++) {
		free(h->serving[mi].hours);
		free(h->serving[mi].win);
	}
	free(h->serving);
	h->serving = xcalloc((size_t)c->nmatters + 1, sizeof *h->serving);
	h->nserving = c->nmatters;
	for (mi = 0; mi < c->nmatters; mi++) {
		struct serving *s = &h->serving[mi];

		s->hours = xcalloc((size_t)c->nwindows + 1, sizeof *s->hours);
		s->win = xcalloc((size_t)c->nwindows + 1, sizeof *s->win);
		for (i = 0; i < c->nwindows; i++) {
			const struct window_conf *wc = &c->windows[i];
			int found = 0;

			for (t = 0; t < wc->ntiers && !found; t++)
				for (k = 0; k < wc->tiers[t].nmatters; k++)
					if (wc->tiers[t].matters[k] == mi)
						found = 1;
			if (found) {
				s->win[s->n] = i;
				s->hours[s->n++] = hours_of_window(wc);
			}
		}
	}
	/* Kept across a rebuild after a failed write: only edges move
	 * windows, and a rebuild is not one. */
	if (h->sched == NULL || h->nsched != h->nwins) {
		int64_t since = store_event_last_at(h->store), edge;
		const struct calendar_hours *hw;

		free(h->sched);
		h->sched = xcalloc((size_t)h->nwins + 1, sizeof *h->sched);
		h->nsched = h->nwins;
		/*
		 * At start: a window whose hours had an edge since the hall
		 * last wrote anything (the daemon was down across it) is put
		 * as its hours say at the first tick (-1); any other stays as
		 * people left it.  A new database has no events: its windows
		 * start as their hours say.
		 */
		for (i = 0; i < h->nwins; i++) {
			hw = hours_of_window(h->wins[i].conf);
			if (since <= 0) {
				h->sched[i] = -1;
				continue;
			}
			edge = calendar_is_open(&c->cal, hw, since) ?
			    calendar_closing(&c->cal, hw, since) :
			    calendar_next_open(&c->cal, hw, since);
			h->sched[i] = edge >= 0 && edge <= h->now ? -1 :
			    calendar_is_open(&c->cal, hw, h->now);
		}
	}
}

void
hours_free(struct hall *h)
{
	int mi;

	for (mi = 0; mi < h->nserving; mi++) {
		free(h->serving[mi].hours);
		free(h->serving[mi].win);
	}
	free(h->serving);
	free(h->sched);
	h->serving = NULL;
	h->sched = NULL;
	h->nsched = 0;
	h->nserving = 0;
}

/* The hall is open when its own hours or any window's include ms. */
int
hours_hall_open(struct hall *h, int64_t ms)
{
	const struct calendar *cal = &h->conf->cal;
	int i;

	if (!h->conf->has_hours)
		return 1;
	if (calendar_is_open(cal, NULL, ms))
		return 1;
	for (i = 0; i < h->conf->nwindows; i++)
		if (h->conf->windows[i].has_hours &&
		    calendar_is_open(cal, &h->conf->windows[i].hours, ms))
			return 1;
	return 0;
}

/* When the open stretch holding ms ends, the hall's or a window's, whichever
 * is latest; -1 when closed. */
static int64_t
hours_hall_closing(struct hall *h, int64_t ms)
{
	const struct calendar *cal = &h->conf->cal;
	int64_t best = calendar_closing(cal, NULL, ms), e;
	int i;

	for (i = 0; i < h->conf->nwindows; i++)
		if (h->conf->windows[i].has_hours &&
		    (e = calendar_closing(cal, &h->conf->windows[i].hours, ms)) > best)
			best = e;
	return best;
}

static int64_t
min_pos(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* The next moment at or after ms that the hall is open; -1: none. */
int64_t
hours_next_open(struct hall *h, int64_t ms)
{
	const struct calendar *cal = &h->conf->cal;
	int64_t best;
	int i;

	if (!h->conf->has_hours)
		return ms;
	best = calendar_next_open(cal, NULL, ms);
	for (i = 0; i < h->conf->nwindows; i++)
		if (h->conf->windows[i].has_hours)
			best = min_pos(best, calendar_next_open(cal,
			    &h->conf->windows[i].hours, ms));
	return best;
}

/* The last closing today of the windows serving matter mi; -1: none today. */
int64_t
hours_matter_close(struct hall *h, int mi, int64_t now)
{
	const struct calendar *cal = &h->conf->cal;

	return calendar_last_close_any(cal, h->serving[mi].hours,
	    h->serving[mi].n, calendar_day_of(cal, now));
}

/* The next opening of a window serving mi at or after ms; -1: none. */
static int64_t
hours_matter_next_open(struct hall *h, int mi, int64_t ms)
{
	const struct calendar *cal = &h->conf->cal;
	int64_t best = -1;
	size_t i;

	for (i = 0; i < h->serving[mi].n; i++)
		best = min_pos(best, calendar_next_open(cal,
		    h->serving[mi].hours[i], ms));
	return best;
}

/* The matter's next opening on a later day than now's. */
static int64_t
hours_matter_next_day(struct hall *h, int mi, int64_t now)
{
	const struct calendar *cal = &h->conf->cal;
	int32_t day = calendar_day_of(cal, now);

	return hours_matter_next_open(h, mi, calendar_day_start(cal, day + 1));
}

/*
 * The estimated wait (s) of a ticket of mi issued now: the live estimate
 * while a window serving it is open; else from the next opening today of one
 * of its windows, the queue shared by the windows that serve it.  -1 when no
 * window serving it opens again today.
 */
int64_t
hours_matter_wait_s(struct hall *h, int mi, int64_t now)
{
	size_t waiting = dispatch_waiting(h->disp, mi);
	int64_t eta = window_eta_s(h, mi, waiting, 0), next, close;
	size_t n;

	if (eta >= 0)
		return eta;
	close = hours_matter_close(h, mi, now);
	next = hours_matter_next_open(h, mi, now);
	if (next < 0 || close < 0 || next >= close)
		return -1;
	n = h->serving[mi].n > 0 ? h->serving[mi].n : 1;
	return (next - now) / 1000 +
	    (int64_t)(waiting + 1) * (h->service_ms[mi] / 1000) / (int64_t)n;
}

/* What issuing a ticket of mi now would meet: 0 issue, else an error in c.
 * accept: the person was told the wait and takes the number anyway. */
int
hours_issue_check(struct hall *h, struct op_ctx *c, int mi, int accept)
{
	int64_t next, close, wait;
	enum calendar_cutoff cut;
	char when[32];

	if (!h->hours_enforced)
		return 0;
	if (!hours_hall_open(h, h->now)) {
		next = hours_next_open(h, h->now);
		hours_say(h, next, when, sizeof when);
		cmd_error(c, 409, "hall_closed", "the hall is closed; it opens "
		    "%s", when);
		json_object_set_new(c->reply, "next_open", next > 0 ?
		    json_integer(next) : json_null());
		return c->status;
	}
	close = hours_matter_close(h, mi, h->now);
	wait = hours_matter_wait_s(h, mi, h->now);
	cut = wait < 0 ? CALENDAR_CUTOFF_CLOSED :
	    calendar_cutoff(h->now, wait, close, h->conf->closing_notice_ms / 1000);
	if (cut == CALENDAR_CUTOFF_CLOSED) {
		next = hours_matter_next_day(h, mi, h->now);
		hours_say(h, next, when, sizeof when);
		cmd_error(c, 409, "matter_closed_for_today", "%s takes no more "
		    "numbers today: it would not be called before its windows "
		    "close; next opening %s", h->conf->matters[mi].code, when);
		json_object_set_new(c->reply, "next_open", next > 0 ?
		    json_integer(next) : json_null());
		json_object_set_new(c->reply, "closes_at", close > 0 ?
		    json_integer(close) : json_null());
		return c->status;
	}
	if (cut == CALENDAR_CUTOFF_NEAR && !accept) {
		cmd_error(c, 409, "closing_soon", "the estimated wait is about %lld "
		    "min and the windows of %s close soon: send \"accept_wait\": "
		    "true to take the number", (long long)(wait + 59) / 60,
		    h->conf->matters[mi].code);
		json_object_set_new(c->reply, "eta_s", json_integer(wait));
		json_object_set_new(c->reply, "closes_at", json_integer(close));
		return c->status;
	}
	return 0;
}

/* "2026-12-01 08:30" in the hall's zone, or "not within a year". */
void
hours_say(struct hall *h, int64_t ms, char *buf, size_t len)
{
	const struct calendar *cal = &h->conf->cal;
	int32_t day;
	int y, m, d, min;

	if (ms < 0) {
		snprintf(buf, len, "not within a year");
		return;
	}
	day = calendar_day_of(cal, ms);
	calendar_ymd(day, &y, &m, &d);
	min = (int)((ms - calendar_day_start(cal, day)) / 60000);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", y, m, d, min / 60, min % 60);
}

/* The matter load's hours members (MATTER_LOAD). */
void
hours_matter_json(struct hall *h, int mi, int64_t now, json_t *o)
{
	int64_t close, wait;
	enum calendar_cutoff cut = CALENDAR_CUTOFF_ACCEPT;

	if (!h->conf->has_hours) {
		json_object_set_new(o, "accepting", json_true());
		json_object_set_new(o, "closes_at", json_null());
		json_object_set_new(o, "near_close", json_false());
		return;
	}
	close = hours_matter_close(h, mi, now);
	wait = hours_matter_wait_s(h, mi, now);
	if (!hours_hall_open(h, now) || wait < 0)
		cut = CALENDAR_CUTOFF_CLOSED;
	else
		cut = calendar_cutoff(now, wait, close,
		    h->conf->closing_notice_ms / 1000);
	json_object_set_new(o, "accepting", json_boolean(!h->hours_enforced ||
	    cut != CALENDAR_CUTOFF_CLOSED));
	json_object_set_new(o, "closes_at", close > 0 ? json_integer(close) :
	    json_null());
	json_object_set_new(o, "near_close", json_boolean(h->hours_enforced &&
	    cut == CALENDAR_CUTOFF_NEAR));
}

/* The hall object's members: open, next_open, hours_enforced. */
void
hours_hall_json(struct hall *h, int64_t now, json_t *o)
{
	int open = hours_hall_open(h, now);

	json_object_set_new(o, "open", json_boolean(open));
	json_object_set_new(o, "next_open", open ? json_null() :
	    json_integer(hours_next_open(h, now)));
	json_object_set_new(o, "hours_enforced", json_boolean(h->hours_enforced));
}

/* ------------------------------------------------------ windows by the clock */

static void
hours_move(struct hall *h, struct win *w, enum wmove_id id)
{
	const struct wmove *m = &window_moves[id];

	w->state = m->to;
	w->since = h->now;
	w->close_due = 0;
	if (m->to == WS_CLOSED)
		window_hand_back(h, w);
	hall_put_window(h, w);
	hall_emit(h, m->event, json_pack("{s:o, s:s}", "window",
	    view_window(h, w), "by", "hours"));
}

/*
 * Once a second (hall_tick's transaction): a window opens at its hours'
 * opening and closes at their closing — a busy window when its ticket is
 * done.  Only edges move windows, so a person's open or close stands until
 * the next edge; the first tick after start applies the hours once, for a
 * daemon that was down across an edge.  Returns how many windows moved.
 */
int
hours_tick(struct hall *h)
{
	const struct calendar *cal = &h->conf->cal;
	int i, open, moved = 0, first;

	if (!h->hours_enforced)
		return 0;
	for (i = 0; i < h->nwins; i++) {
		struct win *w = &h->wins[i];

		open = calendar_is_open(cal, hours_of_window(w->conf), h->now);
		first = h->sched[i] == -1;
		if (first || open != h->sched[i]) {
			if (open && w->state == WS_CLOSED) {
				hours_move(h, w, WMOVE_OPEN);
				moved++;
			} else if (!open && w->state != WS_CLOSED)
				w->close_due = 1;
			else if (open)
				w->close_due = 0;
			h->sched[i] = open;
		}
		if (w->close_due && w->cur == NULL && w->state != WS_CLOSED) {
			hours_move(h, w, WMOVE_CLOSE);
			moved++;
		} else if (w->close_due && w->state == WS_CLOSED)
			w->close_due = 0;
	}
	return moved;
}

/* A person opened, closed, paused or resumed w: that stands until the next
 * edge of its hours (a look at the hours still due from the start is
 * dropped; a window opened or resumed after its closing keeps serving). */
void
hours_person_moved(struct hall *h, struct win *w)
{
	int i = (int)(w - h->wins);

	if (w->state == WS_OPEN)
		w->close_due = 0;
	if (h->sched != NULL && i >= 0 && i < h->nsched && h->sched[i] == -1)
		h->sched[i] = calendar_is_open(&h->conf->cal,
		    hours_of_window(w->conf), h->now);
}

/* Whether the tick has anything to do (no transaction otherwise). */
int
hours_tick_due(struct hall *h)
{
	const struct calendar *cal = &h->conf->cal;
	int i, open;

	if (!h->hours_enforced)
		return 0;
	for (i = 0; i < h->nwins; i++) {
		struct win *w = &h->wins[i];

		open = calendar_is_open(cal, hours_of_window(w->conf), h->now);
		if (h->sched[i] == -1 || open != h->sched[i] ||
		    (w->close_due && w->cur == NULL))
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ GET /api/hours */

static json_t *
hours_periods(struct hall *h, const struct calendar_hours *ch, int32_t day)
{
	const struct calendar *cal = &h->conf->cal;
	int64_t base = calendar_day_start(cal, day), s, e;
	json_t *a = json_array();

	/* Walk the day's periods through the public functions: the next
	 * opening from the day's start, its closing, and on. */
	s = calendar_next_open(cal, ch, base);
	while (s >= 0 && s < base + CALENDAR_DAY_MS) {
		e = calendar_closing(cal, ch, s);
		if (e <= s)
			break;
		json_array_append_new(a, json_pack("[I, I]", (json_int_t)s,
		    (json_int_t)e));
		s = calendar_next_open(cal, ch, e);
	}
	return a;
}

int
cmd_hall_hours(struct hall *h, struct op_ctx *c)
{
	const struct calendar *cal = &h->conf->cal;
	const char *dstr;
	char why[128], today[16];
	json_t *wins;
	int32_t day;
	int open, i;

	if (cmd_body_string(c, "day", 10, &dstr) == -1)
		return c->status;
	if (dstr == NULL)
		day = calendar_day_of(cal, h->now);
	else if (calendar_parse_date(dstr, &day, why, sizeof why) == -1)
		return cmd_error(c, 400, "bad_request", "day: %s", why);
	if (!h->conf->has_hours)
		c->reply = json_pack("{s:s?, s:b, s:b, s:b, s:b, s:b, s:n, s:n,"
		    " s:[], s:[]}", "day", dstr, "working_day", 1, "holiday", 0,
		    "makeup", 0, "enforced", 0, "open", 1, "next_open", "closes_at",
		    "hall", "windows");
	else {
		wins = json_array();
		for (i = 0; i < h->conf->nwindows; i++)
			json_array_append_new(wins, json_pack("{s:i, s:o}", "number",
			    h->conf->windows[i].number, "periods", hours_periods(h,
			    hours_of_window(&h->conf->windows[i]), day)));
		open = hours_hall_open(h, h->now);
		c->reply = json_pack("{s:b, s:b, s:b, s:b, s:b, s:o, s:o, s:o, s:o}",
		    "working_day", calendar_is_working_day(cal, day),
		    "holiday", calendar_is_holiday(cal, day),
		    "makeup", calendar_is_workday(cal, day),
		    "enforced", h->hours_enforced,
		    "open", open,
		    "next_open", open ? json_null() :
		    json_integer(hours_next_open(h, h->now)),
		    "closes_at", open ? json_integer(hours_hall_closing(h,
		    h->now)) : json_null(),
		    "hall", hours_periods(h, NULL, day),
		    "windows", wins);
	}
	calendar_format_day(day, today, sizeof today);
	json_object_set_new(c->reply, "day", json_string(today));
	return 200;
}

/* report.c — a hall's figures over a range of business days, from the
 * database (see report.h and web/README.md, "Reports").
 *
 * One pass over each source, each row handed to the group it belongs to
 * and to the total:
 *   - tickets of the range's days, each with its rating (LEFT JOIN);
 *   - bookings of the range's days, with their ticket's window and clerk;
 *   - rating cases of the range's tickets, and ledger entries opened in it;
 *   - window events of the range (and, before it, the last of each window),
 *     for the time windows were open; tickets for the time they were busy.
 * Groups live in a small open hash table keyed by text; waits are kept per
 * group for the percentile.  Everything runs on the reporter's own
 * read-only connection inside one read transaction: a consistent snapshot
 * while the hall goes on writing (WAL).  The worker also makes the staffing
 * plan checked by simulation (sim/plan_job.c): it needs no database. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plan_job.h"
#include "report.h"
#include "util.h"

const char *const report_group_names[RG_MAX] = {
	"matter", "window", "clerk", "day", "hour", "channel"
};

static const struct {
	const char	*key, *name;
} channel_names[] = {
	{ "kiosk", "现场取号" }, { "reception", "窗口代取" },
	{ "appointment", "预约签到" }, { "web", "网上取号" },
	{ "mobile", "手机取号" }, { "counter", "窗口预约" },
	{ "phone", "电话预约" },
};

#define HOUR_MS		3600000LL
#define DAY_MS		86400000LL

struct acc {
	char		*key;
	int64_t		 ikey;		/* window number or hour */
	int64_t		 issued, green, called, served, no_shows, cancelled;
	int64_t		*waits;		/* ms */
	size_t		 nwaits, capwaits;
	int64_t		 wait_sum, within;
	int64_t		 handle_sum, handled;
	int64_t		 open_ms, busy_ms;
	int64_t		 booked, checked_in, on_time, late, appt_no_shows,
			 appt_cancelled;
	int64_t		 ratings[5], struck;
	int64_t		 cases, cases_open, cases_overdue, rectified, revisited;
	int64_t		 ledger;
};

struct table {
	struct acc	**slot;
	size_t		 cap, n;
};

struct run {
	sqlite3			*db;
	const struct report_req	*req;
	struct table		 t;
	struct acc		 total;
	char			 err[200];
	int			 failed;
};

/* ---------------------------------------------------------------- groups */

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void
table_grow(struct table *t)
{
	struct acc **old = t->slot;
	size_t oldcap = t->cap, i, j;

	t->cap = t->cap ? t->cap * 2 : 64;
	t->slot = xcalloc(t->cap, sizeof *t->slot);
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL)
			continue;
		for (j = hash_str(old[i]->key) & (t->cap - 1); t->slot[j] != NULL;
		    j = (j + 1) & (t->cap - 1))
			;
		t->slot[j] = old[i];
	}
	free(old);
}

static struct acc *
table_get(struct table *t, const char *key, int64_t ikey)
{
	size_t j;

	if ((t->n + 1) * 2 > t->cap)
		table_grow(t);
	for (j = hash_str(key) & (t->cap - 1); t->slot[j] != NULL;
	    j = (j + 1) & (t->cap - 1))
		if (strcmp(t->slot[j]->key, key) == 0)
			return t->slot[j];
	t->slot[j] = xcalloc(1, sizeof **t->slot);
	t->slot[j]->key = xstrdup(key);
	t->slot[j]->ikey = ikey;
	t->n++;
	return t->slot[j];
}

static void
acc_clear(struct acc *a)
{
	free(a->key);
	free(a->waits);
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		if (t->slot[i] != NULL) {
			acc_clear(t->slot[i]);
			free(t->slot[i]);
		}
	free(t->slot);
}

static int
local_hour(const struct report_req *q, int64_t ms)
{
	int64_t s = ms / 1000 + q->utc_offset_s;
	int64_t d = s % 86400;

	if (d < 0)
		d += 86400;
	return (int)(d / 3600);
}

/* The group of a row: its key by the report's grouping, or NULL when the
 * row belongs to none (a ticket that reached no window, say). */
static struct acc *
group_of(struct run *r, const char *matter, int window, const char *clerk,
    const char *day, int64_t at, const char *channel)
{
	char buf[32];

	switch (r->req->group) {
	case RG_MATTER:
		return matter ? table_get(&r->t, matter, 0) : NULL;
	case RG_WINDOW:
		if (window <= 0)
			return NULL;
		snprintf(buf, sizeof buf, "%d", window);
		return table_get(&r->t, buf, window);
	case RG_CLERK:
		return clerk && *clerk ? table_get(&r->t, clerk, 0) : NULL;
	case RG_DAY:
		return day ? table_get(&r->t, day, 0) : NULL;
	case RG_HOUR:
		if (at <= 0)
			return NULL;
		snprintf(buf, sizeof buf, "%02d", local_hour(r->req, at));
		return table_get(&r->t, buf, local_hour(r->req, at));
	case RG_CHANNEL:
		return channel ? table_get(&r->t, channel, 0) : NULL;
	default:
		return NULL;
	}
}

static void
push_wait(struct acc *a, int64_t w)
{
	if (a->nwaits == a->capwaits) {
		a->capwaits = a->capwaits ? a->capwaits * 2 : 64;
		a->waits = xrealloc(a->waits, a->capwaits * sizeof *a->waits);
	}
	a->waits[a->nwaits++] = w;
}

static int64_t
matter_target(const struct report_req *q, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < q->nmatters; i++)
		if (strcmp(q->matters[i].code, code) == 0)
			return q->matters[i].target_ms;
	return 1800 * 1000;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static sqlite3_stmt *
prep(struct run *r, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(r->err, sizeof r->err, "%s", sqlite3_errmsg(r->db));
		r->failed = 1;
		return NULL;
	}
	return st;
}

static void
finish(struct run *r, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE && !r->failed) {
		snprintf(r->err, sizeof r->err, "%s", sqlite3_errmsg(r->db));
		r->failed = 1;
	}
	sqlite3_finalize(st);
}

/* Time [start, end) clipped to the range, added to the group's field (and
 * the total's); by the hour or the day for those groupings, so each hour
 * or day gets the part that fell in it. */
static void
add_time(struct run *r, int window, int64_t start, int64_t end, int busy)
{
	const struct report_req *q = r->req;
	struct acc *a;
	char buf[32];
	int64_t lo, hi, cut;

	if (start < q->from_ms)
		start = q->from_ms;
	if (end > q->to_ms)
		end = q->to_ms;
	if (end > q->now)
		end = q->now;
	if (end <= start)
		return;
	if (busy)
		r->total.busy_ms += end - start;
	else
		r->total.open_ms += end - start;
	for (lo = start; lo < end; lo = hi) {
		int64_t local = lo + (int64_t)q->utc_offset_s * 1000;

		a = NULL;
		switch (q->group) {
		case RG_WINDOW:
			snprintf(buf, sizeof buf, "%d", window);
			a = table_get(&r->t, buf, window);
			hi = end;
			break;
		case RG_HOUR:
			cut = local - ((local % HOUR_MS) + HOUR_MS) % HOUR_MS + HOUR_MS;
			hi = cut - (int64_t)q->utc_offset_s * 1000;
			if (hi > end)
				hi = end;
			snprintf(buf, sizeof buf, "%02d", local_hour(q, lo));
			a = table_get(&r->t, buf, local_hour(q, lo));
			break;
		case RG_DAY: {
			time_t dsec;
			struct tm tm;

			cut = local - ((local % DAY_MS) + DAY_MS) % DAY_MS + DAY_MS;
			hi = cut - (int64_t)q->utc_offset_s * 1000;
			if (hi > end)
				hi = end;
			dsec = (time_t)((local - ((local % DAY_MS) + DAY_MS) % DAY_MS) /
			    1000);
			gmtime_r(&dsec, &tm);
			strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
			a = table_get(&r->t, buf, 0);
			break;
		}
		default:
			return;		/* no window figures for this grouping */
		}
		if (busy)
			a->busy_ms += hi - lo;
		else
			a->open_ms += hi - lo;
	}
}

/* ---------------------------------------------------------------- tickets */

static void
ticket_row(struct run *r, sqlite3_stmt *st)
{
	const char *day = col(st, 1), *matter = col(st, 2), *cls = col(st, 3),
	    *channel = col(st, 4), *state = col(st, 5), *clerk = col(st, 12);
	int window = sqlite3_column_int(st, 6);
	int64_t issued = sqlite3_column_int64(st, 7),
	    first = sqlite3_column_int64(st, 8),
	    called = sqlite3_column_int64(st, 9),
	    serving = sqlite3_column_int64(st, 10),
	    ended = sqlite3_column_int64(st, 11),
	    no_show_at = sqlite3_column_int64(st, 15);
	int has_score = sqlite3_column_type(st, 13) != SQLITE_NULL;
	int score = sqlite3_column_int(st, 13), struck = sqlite3_column_int(st, 14);
	struct acc *g[2];
	int i, n = 0;

	if (state == NULL)
		return;
	g[n++] = &r->total;
	if ((g[n] = group_of(r, matter, window, clerk, day, issued, channel)) !=
	    NULL)
		n++;
	if (first == 0)
		first = called;
	for (i = 0; i < n; i++) {
		struct acc *a = g[i];

		a->issued++;
		if (cls != NULL && strcmp(cls, "green") == 0)
			a->green++;
		if (first > 0) {
			int64_t w = first - issued;

			if (w < 0)
				w = 0;
			a->called++;
			push_wait(a, w);
			a->wait_sum += w;
			if (w <= matter_target(r->req, matter))
				a->within++;
		}
		if (strcmp(state, "done") == 0) {
			int64_t from = serving > 0 ? serving : called;

			a->served++;
			if (from > 0 && ended >= from) {
				a->handle_sum += ended - from;
				a->handled++;
			}
		} else if (strcmp(state, "no_show") == 0)
			a->no_shows++;
		else if (strcmp(state, "cancelled") == 0)
			a->cancelled++;
		if (has_score && score >= 1 && score <= 5) {
			if (struck)
				a->struck++;
			else
				a->ratings[score - 1]++;
		}
	}
	/* The window was busy from the last call to the ticket's end. */
	if (window > 0 && called > 0) {
		int64_t end = strcmp(state, "done") == 0 ? ended :
		    strcmp(state, "no_show") == 0 ? no_show_at : 0;

		if (end > called)
			add_time(r, window, called, end, 1);
	}
}

static void
read_tickets(struct run *r)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = prep(r, "SELECT t.id, t.day, t.matter, t.class, t.channel, "
	    "t.state, t.window, t.issued_at, t.first_called_at, t.called_at, "
	    "t.serving_at, t.ended_at, t.finished_by, g.score, g.struck, "
	    "t.no_show_at FROM tickets t LEFT JOIN ratings g ON g.ticket = t.id "
	    "WHERE t.day >= ? AND t.day <= ?")) == NULL)
		return;
	sqlite3_bind_text(st, 1, r->req->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->req->to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ticket_row(r, st);
	finish(r, st, rc);
}

/* ---------------------------------------------------------------- bookings */

static void
read_appointments(struct run *r)
{
	sqlite3_stmt *st;
	int rc, i, n;

	if ((st = prep(r, "SELECT a.matter, a.day, a.start, a.channel, a.state, "
	    "a.late, t.window, t.finished_by FROM appointments a LEFT JOIN "
	    "tickets t ON t.id = a.ticket WHERE a.day >= ? AND a.day <= ?")) == NULL)
		return;
	sqlite3_bind_text(st, 1, r->req->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->req->to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = col(st, 4);
		struct acc *g[2];

		if (state == NULL)
			continue;
		n = 0;
		g[n++] = &r->total;
		if ((g[n] = group_of(r, col(st, 0), sqlite3_column_int(st, 6),
		    col(st, 7), col(st, 1), sqlite3_column_int64(st, 2),
		    col(st, 3))) != NULL)
			n++;
		for (i = 0; i < n; i++) {
			if (strcmp(state, "cancelled") == 0) {
				g[i]->appt_cancelled++;
				continue;
			}
			g[i]->booked++;
			if (strcmp(state, "checked_in") == 0) {
				g[i]->checked_in++;
				if (sqlite3_column_int(st, 5))
					g[i]->late++;
				else
					g[i]->on_time++;
			} else if (strcmp(state, "no_show") == 0)
				g[i]->appt_no_shows++;
		}
	}
	finish(r, st, rc);
}

/* ---------------------------------------------------------------- cases */

static void
read_cases(struct run *r)
{
	sqlite3_stmt *st;
	int rc, i, n;

	/* Rating cases of the range's tickets, grouped as their ticket. */
	if ((st = prep(r, "SELECT t.matter, t.window, t.finished_by, t.day, "
	    "t.issued_at, t.channel, c.state, c.founded, c.due_at, c.closed_at, "
	    "instr(c.steps, '\"action\":\"rectify\"') > 0, "
	    "instr(c.steps, '\"action\":\"revisit\"') > 0 "
	    "FROM cases c JOIN tickets t ON t.id = c.ticket WHERE c.kind = "
	    "'rating' AND c.struck = 0 AND t.day >= ? AND t.day <= ?")) == NULL)
		return;
	sqlite3_bind_text(st, 1, r->req->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->req->to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = col(st, 6);
		int closed = state != NULL && strcmp(state, "closed") == 0;
		int64_t due = sqlite3_column_int64(st, 8),
		    closed_at = sqlite3_column_int64(st, 9);
		int overdue = closed ? closed_at > due : r->req->now > due;
		int rectified = sqlite3_column_int(st, 10) ||
		    (sqlite3_column_type(st, 7) != SQLITE_NULL &&
		    sqlite3_column_int(st, 7) == 0);
		struct acc *g[2];

		n = 0;
		g[n++] = &r->total;
		if ((g[n] = group_of(r, col(st, 0), sqlite3_column_int(st, 1),
		    col(st, 2), col(st, 3), sqlite3_column_int64(st, 4),
		    col(st, 5))) != NULL)
			n++;
		for (i = 0; i < n; i++) {
			g[i]->cases++;
			g[i]->cases_open += !closed;
			g[i]->cases_overdue += overdue;
			g[i]->rectified += rectified;
			g[i]->revisited += sqlite3_column_int(st, 11);
		}
	}
	finish(r, st, rc);
	if (r->failed)
		return;
	/* 办不成事 entries opened on the range's days. */
	if ((st = prep(r, "SELECT matter, window, NULL, day, opened_at FROM cases "
	    "WHERE kind = 'ledger' AND day >= ? AND day <= ?")) == NULL)
		return;
	sqlite3_bind_text(st, 1, r->req->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->req->to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct acc *g;

		r->total.ledger++;
		/* By window, matter, day and hour: a ledger entry is the
		 * hall's, not the clerk's who wrote it down. */
		if (r->req->group != RG_CLERK && (g = group_of(r, col(st, 0),
		    sqlite3_column_int(st, 1), NULL, col(st, 3),
		    sqlite3_column_int64(st, 4), NULL)) != NULL)
			g->ledger++;
	}
	finish(r, st, rc);
}

/* ---------------------------------------------------------------- windows */

enum { WOPEN = 1, WSHUT = 2 };

static int
window_event(const char *type)
{
	if (strcmp(type, "window.opened") == 0 ||
	    strcmp(type, "window.resumed") == 0)
		return WOPEN;
	if (strcmp(type, "window.paused") == 0 ||
	    strcmp(type, "window.closed") == 0)
		return WSHUT;
	return 0;
}

static int
event_window_no(const char *body)
{
	json_t *o = json_loads(body, 0, NULL), *w;
	int n = 0;

	w = json_object_get(o, "window");
	if (json_is_object(w))
		n = (int)json_integer_value(json_object_get(w, "number"));
	else if (json_is_integer(w))
		n = (int)json_integer_value(w);
	json_decref(o);
	return n;
}

/* The first seq whose event is at or after ms (the log's times rise with
 * its seq), by bisection on the key: max + 1 when none. */
static int64_t
seq_at(struct run *r, int64_t ms, int64_t max)
{
	sqlite3_stmt *st;
	int64_t lo = 1, hi = max + 1, mid;

	if ((st = prep(r, "SELECT at FROM events WHERE seq >= ? ORDER BY seq "
	    "LIMIT 1")) == NULL)
		return -1;
	while (lo < hi) {
		int64_t at = INT64_MAX;

		mid = lo + (hi - lo) / 2;
		sqlite3_bind_int64(st, 1, mid);
		if (sqlite3_step(st) == SQLITE_ROW)
			at = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (at < ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	sqlite3_finalize(st);
	return lo;
}

struct wstate {
	int		 number;
	int		 known;
	int		 open;
	int64_t		 since;
};

static struct wstate *
wstate_of(struct wstate *ws, size_t n, int number)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ws[i].number == number)
			return &ws[i];
	return NULL;
}

static void
read_windows(struct run *r)
{
	const struct report_req *q = r->req;
	static const char types[] = "type IN ('window.opened','window.resumed',"
	    "'window.paused','window.closed')";
	char sql[256];
	sqlite3_stmt *st;
	struct wstate *ws;
	int64_t max = 0, first, last, born = 0;
	size_t i, unknown;
	int rc;

	if ((st = prep(r, "SELECT COALESCE(MAX(seq), 0), (SELECT at FROM events "
	    "ORDER BY seq LIMIT 1) FROM events")) == NULL)
		return;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		max = sqlite3_column_int64(st, 0);
		born = sqlite3_column_type(st, 1) == SQLITE_NULL ? q->now :
		    sqlite3_column_int64(st, 1);
		rc = SQLITE_DONE;
	}
	finish(r, st, rc);
	if (r->failed || (first = seq_at(r, q->from_ms, max)) < 0 ||
	    (last = seq_at(r, q->to_ms, max)) < 0)
		return;
	ws = xcalloc(q->nwindows + 1, sizeof *ws);
	for (i = 0; i < q->nwindows; i++)
		ws[i].number = q->windows[i].number;
	/* Each window's state when the range starts: its last event before. */
	snprintf(sql, sizeof sql, "SELECT type, body FROM events WHERE seq < ? "
	    "AND at >= ? AND %s ORDER BY seq DESC", types);
	if ((st = prep(r, sql)) == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, q->from_ms - (int64_t)REPORT_MAX_DAYS * DAY_MS);
	unknown = q->nwindows;
	while (unknown > 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct wstate *w = wstate_of(ws, q->nwindows,
		    event_window_no(col(st, 1)));

		if (w == NULL || w->known)
			continue;
		w->known = 1;
		w->open = window_event(col(st, 0)) == WOPEN;
		w->since = q->from_ms;
		unknown--;
	}
	finish(r, st, unknown == 0 ? SQLITE_DONE : rc);
	if (r->failed)
		goto done;
	/* The range's events. */
	snprintf(sql, sizeof sql, "SELECT at, type, body FROM events WHERE "
	    "seq >= ? AND seq < ? AND %s ORDER BY seq", types);
	if ((st = prep(r, sql)) == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t at = sqlite3_column_int64(st, 0);
		int what = window_event(col(st, 1));
		struct wstate *w = wstate_of(ws, q->nwindows,
		    event_window_no(col(st, 2)));

		if (w == NULL)
			continue;
		if (!w->known && what == WSHUT) {
			/* No event before the range: it was open (as the
			 * configuration opens it) since the hall began. */
			w->open = 1;
			w->since = q->from_ms > born ? q->from_ms : born;
		}
		if (w->open && what == WSHUT)
			add_time(r, w->number, w->since, at, 0);
		if (what == WOPEN && !w->open)
			w->since = at;
		w->open = what == WOPEN;
		w->known = 1;
	}
	finish(r, st, rc);
	if (r->failed)
		goto done;
	/* Windows with no event at all: as the hall has them now. */
	if ((st = prep(r, "SELECT number, state FROM windows")) == NULL)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct wstate *w = wstate_of(ws, q->nwindows,
		    sqlite3_column_int(st, 0));
		const char *state = col(st, 1);

		if (w == NULL || w->known || state == NULL)
			continue;
		w->known = 1;
		if (strcmp(state, "open") == 0) {
			w->open = 1;
			w->since = q->from_ms > born ? q->from_ms : born;
		}
	}
	finish(r, st, rc);
	for (i = 0; i < q->nwindows; i++)
		if (ws[i].open)
			add_time(r, ws[i].number, ws[i].since, q->to_ms, 0);
done:
	free(ws);
}

/* ---------------------------------------------------------------- output */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* ms to whole seconds, rounded to the nearest. */
static json_t *
secs(int64_t ms)
{
	return json_integer((ms + 500) / 1000);
}

static json_t *
pct(int64_t num, int64_t den)
{
	if (den <= 0)
		return json_null();
	/* one decimal, rounded half up, exactly in integers */
	return json_real((double)((num * 2000 + den) / (2 * den)) / 10.0);
}

static json_t *
fields(struct acc *a, int window_figures)
{
	json_t *o = json_object();
	size_t p90;
	int64_t rated = 0, bad;
	int i;

	if (a->nwaits > 0)
		qsort(a->waits, a->nwaits, sizeof *a->waits, cmp_i64);
	json_object_set_new(o, "issued", json_integer(a->issued));
	json_object_set_new(o, "green", json_integer(a->green));
	json_object_set_new(o, "called", json_integer(a->called));
	json_object_set_new(o, "served", json_integer(a->served));
	json_object_set_new(o, "no_shows", json_integer(a->no_shows));
	json_object_set_new(o, "cancelled", json_integer(a->cancelled));
	if (a->nwaits > 0) {
		p90 = (a->nwaits * 9 + 9) / 10;		/* ⌈0.9 n⌉ */
		json_object_set_new(o, "wait_mean_s", json_integer(
		    (a->wait_sum * 2 + (int64_t)a->nwaits * 1000) /
		    ((int64_t)a->nwaits * 2000)));
		json_object_set_new(o, "wait_p90_s", secs(a->waits[p90 - 1]));
		json_object_set_new(o, "wait_max_s", secs(a->waits[a->nwaits - 1]));
	} else {
		json_object_set_new(o, "wait_mean_s", json_null());
		json_object_set_new(o, "wait_p90_s", json_null());
		json_object_set_new(o, "wait_max_s", json_null());
	}
	json_object_set_new(o, "wait_within_target_pct", pct(a->within,
	    a->called));
	json_object_set_new(o, "handle_mean_s", a->handled ? json_integer(
	    (a->handle_sum * 2 + a->handled * 1000) / (a->handled * 2000)) :
	    json_null());
	if (window_figures) {
		json_object_set_new(o, "open_s", secs(a->open_ms));
		json_object_set_new(o, "busy_s", secs(a->busy_ms));
		json_object_set_new(o, "utilisation_pct", pct(a->busy_ms,
		    a->open_ms));
	} else {
		json_object_set_new(o, "open_s", json_null());
		json_object_set_new(o, "busy_s", json_null());
		json_object_set_new(o, "utilisation_pct", json_null());
	}
	json_object_set_new(o, "booked", json_integer(a->booked));
	json_object_set_new(o, "checked_in", json_integer(a->checked_in));
	json_object_set_new(o, "on_time", json_integer(a->on_time));
	json_object_set_new(o, "late", json_integer(a->late));
	json_object_set_new(o, "appointment_no_shows",
	    json_integer(a->appt_no_shows));
	json_object_set_new(o, "appointments_cancelled",
	    json_integer(a->appt_cancelled));
	json_object_set_new(o, "ratings", json_pack("[I,I,I,I,I]",
	    (json_int_t)a->ratings[0], (json_int_t)a->ratings[1],
	    (json_int_t)a->ratings[2], (json_int_t)a->ratings[3],
	    (json_int_t)a->ratings[4]));
	for (i = 0; i < 5; i++)
		rated += a->ratings[i];
	bad = a->ratings[0] + a->ratings[1];
	json_object_set_new(o, "rated", json_integer(rated));
	json_object_set_new(o, "active_rating_pct", pct(rated, a->served));
	json_object_set_new(o, "bad_ratings", json_integer(bad));
	json_object_set_new(o, "struck", json_integer(a->struck));
	json_object_set_new(o, "cases", json_integer(a->cases));
	json_object_set_new(o, "cases_open", json_integer(a->cases_open));
	json_object_set_new(o, "cases_overdue", json_integer(a->cases_overdue));
	json_object_set_new(o, "rectified_pct", pct(a->rectified, a->cases));
	json_object_set_new(o, "revisited_pct", pct(a->revisited, a->cases));
	json_object_set_new(o, "ledger", json_integer(a->ledger));
	return o;
}

static const char *
group_name(const struct report_req *q, struct acc *a, char *buf, size_t len)
{
	size_t i;

	switch (q->group) {
	case RG_MATTER:
		for (i = 0; i < q->nmatters; i++)
			if (strcmp(q->matters[i].code, a->key) == 0)
				return q->matters[i].name;
		return a->key;
	case RG_WINDOW:
		for (i = 0; i < q->nwindows; i++)
			if (q->windows[i].number == a->ikey)
				return q->windows[i].name;
		return a->key;
	case RG_HOUR:
		snprintf(buf, len, "%02d:00–%02d:00", (int)a->ikey,
		    (int)a->ikey + 1);
		return buf;
	case RG_CHANNEL:
		for (i = 0; i < sizeof channel_names / sizeof channel_names[0]; i++)
			if (strcmp(channel_names[i].key, a->key) == 0)
				return channel_names[i].name;
		return a->key;
	default:
		return a->key;
	}
}

static int
cmp_group(const void *x, const void *y)
{
	const struct acc *a = *(struct acc *const *)x, *b = *(struct acc *const *)y;

	if (a->ikey != b->ikey)
		return a->ikey < b->ikey ? -1 : 1;
	return strcmp(a->key, b->key);
}

json_t *
report_run(sqlite3 *db, const struct report_req *q, char *err, size_t errlen)
{
	struct run r;
	struct acc **list;
	json_t *o, *groups;
	size_t i, n = 0;
	char buf[48];
	int wf = q->group == RG_WINDOW || q->group == RG_DAY ||
	    q->group == RG_HOUR;

	memset(&r, 0, sizeof r);
	r.db = db;
	r.req = q;
	r.total.key = NULL;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return NULL;
	}
	read_tickets(&r);
	if (!r.failed)
		read_appointments(&r);
	if (!r.failed)
		read_cases(&r);
	if (!r.failed)
		read_windows(&r);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (r.failed) {
		snprintf(err, errlen, "%s", r.err);
		table_free(&r.t);
		free(r.total.waits);
		return NULL;
	}
	list = xcalloc(r.t.n + 1, sizeof *list);
	for (i = 0; i < r.t.cap; i++)
		if (r.t.slot[i] != NULL)
			list[n++] = r.t.slot[i];
	qsort(list, n, sizeof *list, cmp_group);
	groups = json_array();
	for (i = 0; i < n; i++) {
		json_t *g = fields(list[i], wf);

		if (q->group == RG_WINDOW || q->group == RG_HOUR)
			json_object_set_new(g, "key", json_integer(list[i]->ikey));
		else
			json_object_set_new(g, "key", json_string(list[i]->key));
		json_object_set_new(g, "name", json_string(group_name(q, list[i],
		    buf, sizeof buf)));
		json_array_append_new(groups, g);
	}
	o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:o}", "from", q->from,
	    "to", q->to, "group", report_group_names[q->group],
	    "generated_at", (json_int_t)q->now, "hall", q->hall ? q->hall : "",
	    "groups", groups, "total", fields(&r.total, 1));
	free(list);
	table_free(&r.t);
	free(r.total.waits);
	return o;
}

/* ---------------------------------------------------------------- CSV */

static const struct {
	const char	*field, *head;
} csv_cols[] = {
	{ "issued", "取号" }, { "green", "绿色通道" }, { "called", "叫号" },
	{ "served", "办结" }, { "no_shows", "过号" }, { "cancelled", "取消" },
	{ "wait_mean_s", "平均等候(秒)" }, { "wait_p90_s", "P90等候(秒)" },
	{ "wait_max_s", "最长等候(秒)" },
	{ "wait_within_target_pct", "目标内等候(%)" },
	{ "handle_mean_s", "平均办理(秒)" }, { "open_s", "窗口开放(秒)" },
	{ "busy_s", "窗口忙碌(秒)" }, { "utilisation_pct", "窗口利用率(%)" },
	{ "booked", "预约" }, { "checked_in", "预约签到" }, { "on_time", "准时" },
	{ "late", "迟到" }, { "appointment_no_shows", "预约爽约" },
	{ "appointments_cancelled", "预约取消" },
	{ "ratings", NULL },
	{ "rated", "评价数" }, { "active_rating_pct", "主动评价率(%)" },
	{ "bad_ratings", "差评" }, { "struck", "申诉撤销" },
	{ "cases", "差评工单" }, { "cases_open", "未办结" },
	{ "cases_overdue", "超期" }, { "rectified_pct", "整改率(%)" },
	{ "revisited_pct", "回访率(%)" }, { "ledger", "办不成事" },
};

static const char *const level_heads[5] = {
	"非常不满意", "不满意", "基本满意", "满意", "非常满意"
};

struct buf {
	char	*s;
	size_t	 n, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		while (b->n + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 4096;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* One cell: quoted when it holds a comma, quote or line end; a text that
 * a spreadsheet would take for a formula is led by a quote mark. */
static void
csv_cell(struct buf *b, const char *s)
{
	const char *p;

	if (*s == '=' || *s == '+' || *s == '-' || *s == '@') {
		buf_str(b, "\"'");
		for (p = s; *p != '\0'; p++)
			buf_add(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
		buf_str(b, "\"");
		return;
	}
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_str(b, s);
		return;
	}
	buf_str(b, "\"");
	for (p = s; *p != '\0'; p++)
		buf_add(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	buf_str(b, "\"");
}

static void
csv_value(struct buf *b, json_t *v)
{
	char num[48];

	if (json_is_integer(v))
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(num, sizeof num, "%.1f", json_real_value(v));
	else if (json_is_string(v)) {
		csv_cell(b, json_string_value(v));
		return;
	} else
		num[0] = '\0';
	buf_str(b, num);
}

static void
csv_row(struct buf *b, json_t *key, const char *name, json_t *g)
{
	size_t i;
	int k;

	csv_value(b, key);
	buf_str(b, ",");
	csv_cell(b, name);
	for (i = 0; i < sizeof csv_cols / sizeof csv_cols[0]; i++) {
		if (csv_cols[i].head == NULL) {
			json_t *a = json_object_get(g, csv_cols[i].field);
			for (k = 0; k < 5; k++) {
				buf_str(b, ",");
				csv_value(b, json_array_get(a, (size_t)k));
			}
			continue;
		}
		buf_str(b, ",");
		csv_value(b, json_object_get(g, csv_cols[i].field));
	}
	buf_str(b, "\r\n");
}

char *
report_csv(json_t *rep)
{
	struct buf b = { NULL, 0, 0 };
	json_t *g, *total;
	size_t i;
	int k;

	buf_str(&b, "\xEF\xBB\xBF" "分组,名称");
	for (i = 0; i < sizeof csv_cols / sizeof csv_cols[0]; i++) {
		if (csv_cols[i].head == NULL) {
			for (k = 0; k < 5; k++) {
				buf_str(&b, ",");
				buf_str(&b, level_heads[k]);
			}
			continue;
		}
		buf_str(&b, ",");
		buf_str(&b, csv_cols[i].head);
	}
	buf_str(&b, "\r\n");
	json_array_foreach(json_object_get(rep, "groups"), i, g)
		csv_row(&b, json_object_get(g, "key"), json_string_value(
		    json_object_get(g, "name")) ? json_string_value(
		    json_object_get(g, "name")) : "", g);
	total = json_object_get(rep, "total");
	{
		json_t *k2 = json_string("合计");
		csv_row(&b, k2, "", total);
		json_decref(k2);
	}
	return b.s;
}

/* ---------------------------------------------------------------- requests */

void
report_req_free(struct report_req *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->nmatters; i++) {
		free(q->matters[i].code);
		free(q->matters[i].name);
	}
	for (i = 0; i < q->nwindows; i++)
		free(q->windows[i].name);
	free(q->matters);
	free(q->windows);
	free(q->hall);
	json_decref(q->staffing);
	free(q);
}

struct report_req *
report_req_from_json(json_t *job, uint64_t conn)
{
	struct report_req *q = xcalloc(1, sizeof *q);
	const char *from = json_string_value(json_object_get(job, "from")),
	    *to = json_string_value(json_object_get(job, "to")),
	    *group = json_string_value(json_object_get(job, "group"));
	json_t *a, *e;
	size_t i;
	int gi;

	q->conn = conn;
	if (json_is_object(job) && json_object_get(job, "kind") != NULL) {
		if (strcmp(json_string_value(json_object_get(job, "kind")) ?
		    json_string_value(json_object_get(job, "kind")) : "",
		    "staffing") != 0) {
			free(q);
			return NULL;
		}
		/* A copy of its own: the core frees the job meanwhile. */
		q->staffing = json_deep_copy(job);
		return q;
	}
	if (from == NULL || to == NULL || group == NULL ||
	    strlen(from) >= sizeof q->from || strlen(to) >= sizeof q->to) {
		free(q);
		return NULL;
	}
	snprintf(q->from, sizeof q->from, "%s", from);
	snprintf(q->to, sizeof q->to, "%s", to);
	for (gi = 0; gi < RG_MAX && strcmp(report_group_names[gi], group) != 0;
	    gi++)
		;
	if (gi == RG_MAX) {
		free(q);
		return NULL;
	}
	q->group = gi;
	q->csv = json_is_true(json_object_get(job, "csv"));
	q->from_ms = json_integer_value(json_object_get(job, "from_ms"));
	q->to_ms = json_integer_value(json_object_get(job, "to_ms"));
	q->now = json_integer_value(json_object_get(job, "now"));
	q->utc_offset_s = (int32_t)json_integer_value(json_object_get(job,
	    "utc_offset_s"));
	q->hall = xstrdup(json_string_value(json_object_get(job, "hall")) ?
	    json_string_value(json_object_get(job, "hall")) : "");
	a = json_object_get(job, "matters");
	q->matters = xcalloc(json_array_size(a) + 1, sizeof *q->matters);
	json_array_foreach(a, i, e) {
		const char *c = json_string_value(json_array_get(e, 0)),
		    *n = json_string_value(json_array_get(e, 1));

		if (c == NULL || n == NULL)
			continue;
		q->matters[q->nmatters].code = xstrdup(c);
		q->matters[q->nmatters].name = xstrdup(n);
		q->matters[q->nmatters++].target_ms =
		    json_integer_value(json_array_get(e, 2));
	}
	a = json_object_get(job, "windows");
	q->windows = xcalloc(json_array_size(a) + 1, sizeof *q->windows);
	json_array_foreach(a, i, e) {
		const char *n = json_string_value(json_array_get(e, 1));

		q->windows[q->nwindows].number =
		    (int)json_integer_value(json_array_get(e, 0));
		q->windows[q->nwindows++].name = xstrdup(n ? n : "");
	}
	return q;
}

/* ---------------------------------------------------------------- worker */

struct reporter {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct report_req	*q[REPORT_QUEUE];
	size_t			 head, n;	/* waiting */
	int			 busy;		/* one running */
	int			 stop;
	char			*path;
	sqlite3			*db;
	report_done_fn		 done;
	void			*arg;
};

static void
reporter_answer(struct reporter *rp, struct report_req *q)
{
	char err[256], *body, *fname = NULL;
	json_t *o;
	int tries;

	if (q->staffing != NULL) {	/* the staffing plan, checked */
		o = plan_job_run(q->staffing);
		if ((body = json_dumps(o, JSON_COMPACT)) == NULL)
			fatalx("json_dumps");
		json_decref(o);
		rp->done(rp->arg, q->conn, 200, body, NULL, NULL);
		return;
	}
	for (tries = 0; rp->db == NULL && tries < 5; tries++) {
		if (tries > 0)
			usleep(100000);
		if (sqlite3_open_v2(rp->path, &rp->db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
			sqlite3_busy_timeout(rp->db, 5000);
			break;
		}
		log_warnx("reports: %s: %s", rp->path, rp->db ?
		    sqlite3_errmsg(rp->db) : "cannot open");
		sqlite3_close(rp->db);
		rp->db = NULL;
	}
	if (rp->db == NULL) {
		rp->done(rp->arg, q->conn, 500, xstrdup("{\"error\":{\"code\":"
		    "\"storage_failed\",\"message\":\"the database could not "
		    "be opened for reading\"}}"), NULL, NULL);
		return;
	}
	if ((o = report_run(rp->db, q, err, sizeof err)) == NULL) {
		/* Once more on a fresh connection before giving up. */
		log_warnx("reports: %s; trying again", err);
		sqlite3_close(rp->db);
		if (sqlite3_open_v2(rp->path, &rp->db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
			sqlite3_busy_timeout(rp->db, 5000);
			o = report_run(rp->db, q, err, sizeof err);
		} else {
			sqlite3_close(rp->db);
			rp->db = NULL;
		}
	}
	if (o == NULL) {
		log_warnx("reports: %s", err);
		rp->done(rp->arg, q->conn, 500, xstrdup("{\"error\":{\"code\":"
		    "\"storage_failed\",\"message\":\"the database could not be "
		    "read\"}}"), NULL, NULL);
		return;
	}
	if (q->csv) {
		body = report_csv(o);
		xasprintf(&fname, "hallq-report-%s-%s-%s.csv",
		    report_group_names[q->group], q->from, q->to);
		rp->done(rp->arg, q->conn, 200, body, "text/csv; charset=utf-8",
		    fname);
	} else {
		if ((body = json_dumps(o, JSON_COMPACT)) == NULL)
			fatalx("json_dumps");
		rp->done(rp->arg, q->conn, 200, body, NULL, NULL);
	}
	json_decref(o);
}

static void *
reporter_main(void *arg)
{
	struct reporter *rp = arg;
	struct report_req *q;

	pthread_mutex_lock(&rp->mu);
	for (;;) {
		while (!rp->stop && rp->n == 0)
			pthread_cond_wait(&rp->cv, &rp->mu);
		if (rp->stop)
			break;
		q = rp->q[rp->head];
		rp->head = (rp->head + 1) % REPORT_QUEUE;
		rp->n--;
		rp->busy = 1;
		pthread_mutex_unlock(&rp->mu);
		reporter_answer(rp, q);
		report_req_free(q);
		pthread_mutex_lock(&rp->mu);
		rp->busy = 0;
	}
	pthread_mutex_unlock(&rp->mu);
	return NULL;
}

struct reporter *
reporter_new(const char *path, report_done_fn done, void *arg)
{
	struct reporter *rp = xcalloc(1, sizeof *rp);

	rp->path = xstrdup(path);
	rp->done = done;
	rp->arg = arg;
	pthread_mutex_init(&rp->mu, NULL);
	pthread_cond_init(&rp->cv, NULL);
	if (pthread_create(&rp->thread, NULL, reporter_main, rp) != 0)
		fatalx("reports: cannot start the worker thread");
	return rp;
}

int
reporter_submit(struct reporter *rp, struct report_req *q)
{
	pthread_mutex_lock(&rp->mu);
	if (rp->n + (size_t)rp->busy >= REPORT_QUEUE) {
		pthread_mutex_unlock(&rp->mu);
		report_req_free(q);
		return -1;
	}
	rp->q[(rp->head + rp->n) % REPORT_QUEUE] = q;
	rp->n++;
	pthread_cond_signal(&rp->cv);
	pthread_mutex_unlock(&rp->mu);
	return 0;
}

void
reporter_free(struct reporter *rp)
{
	size_t i;

	if (rp == NULL)
		return;
	pthread_mutex_lock(&rp->mu);
	rp->stop = 1;
	pthread_cond_signal(&rp->cv);
	pthread_mutex_unlock(&rp->mu);
	pthread_join(rp->thread, NULL);
	for (i = 0; i < rp->n; i++)
		report_req_free(rp->q[(rp->head + i) % REPORT_QUEUE]);
	if (rp->db != NULL)
		sqlite3_close(rp->db);
	pthread_mutex_destroy(&rp->mu);
	pthread_cond_destroy(&rp->cv);
	free(rp->path);
	free(rp);
}

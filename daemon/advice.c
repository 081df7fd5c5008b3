/* advice.c — staffing per matter and hour (GET /api/staffing), from the
 * arrival forecast by lagged SIPP and Erlang C (staffing.c).
 *
 * The forecast is the same weekday's history in the database (the last
 * `staffing.history_weeks` of them that had tickets), or before any
 * history the configuration's `staffing.forecast` (the demo hall's is its
 * workload's).  Erlang C staffs each matter as if it had windows of its
 * own; the hall pools them (无差别 windows serve many matters), so the sum
 * over matters is what the hall needs at most and the pooled figure (every
 * matter as one queue with the mean service time) what it needs at least.
 * The plan for the hall's real windows is then checked by simulation
 * (sim/plan.c) on the reporter's thread: cmd_staffing hands it a job. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "hall_int.h"
#include "project.h"
#include "staffing.h"
#include "util.h"

#define STAFFING_MAX	200	/* windows a matter may need, at most */

struct hist {
	struct hall	*h;
	double		*count;		/* [matter][24] */
	int		 any;
};

static void
hist_cb(void *arg, const struct store_ticket *t)
{
	struct hist *x = arg;
	int mi = config_matter(x->h->conf, t->matter);
	int64_t s = t->issued_at / 1000 + x->h->conf->cal.utc_offset_s;
	int hour = (int)(((s % 86400) + 86400) % 86400 / 3600);

	x->any = 1;
	if (mi >= 0)
		x->count[mi * 24 + hour] += 1.0;
}

/*
 * The arrivals forecast of `day`, per matter and hour (count[matter * 24 +
 * hour]): the same weekday's history, averaged over the days of the last
 * `history_weeks` that had tickets (their dates go into hdays, if given),
 * else the configured forecast; nothing on a day that is not a working day.
 * Returns the source ("history", "forecast" or "none"), NULL on a database
 * error.
 */
static const char *
forecast_day(struct hall *h, int32_t day, double *count, json_t *hdays)
{
	const struct config *conf = h->conf;
	const struct staffing_conf *sc = &conf->staffing;
	struct hist x = { h, count, 0 };
	const char *source = "none";
	size_t n = (size_t)conf->nmatters * 24;
	char dstr[16];
	int k, mi, hr, ndays = 0;

	memset(count, 0, n * sizeof *count);
	for (k = 1; k <= sc->history_weeks; k++) {
		x.any = 0;
		calendar_format_day(day - 7 * k, dstr, sizeof dstr);
		if (store_tickets_day(h->store, dstr, hist_cb, &x) == -1)
			return NULL;
		if (x.any && hdays != NULL)
			json_array_append_new(hdays, json_string(dstr));
		ndays += x.any;
	}
	if (ndays > 0) {
		source = "history";
		for (k = 0; k < (int)n; k++)
			count[k] /= (double)ndays;
	} else if (sc->has_forecast) {
		source = "forecast";
		for (mi = 0; mi < conf->nmatters; mi++)
			for (hr = 0; hr < 24; hr++)
				count[mi * 24 + hr] = sc->tickets_per_day *
				    sc->profile[hr] * sc->share[mi];
	}
	if (!calendar_is_working_day(&conf->cal, day))
		memset(count, 0, n * sizeof *count);
	return source;
}

/* Today's forecast, read once a day (the advice asks for it at every
 * look; the history of past days does not change). NULL on an error. */
static const double *
forecast_today(struct hall *h, int32_t day)
{
	if (h->fc != NULL && h->fc_day == day)
		return h->fc;
	free(h->fc);
	h->fc = xcalloc((size_t)h->conf->nmatters * 24, sizeof *h->fc);
	if (forecast_day(h, day, h->fc, NULL) == NULL) {
		free(h->fc);
		h->fc = NULL;
		return NULL;
	}
	h->fc_day = day;
	return h->fc;
}

/* GET /api/staffing?day=YYYY-MM-DD: the Erlang C figures here, then the
 * plan checked by simulation on the reporter's thread (202 and a job). */
int
cmd_staffing(struct hall *h, struct op_ctx *c)
{
	const struct config *conf = h->conf;
	const struct staffing_conf *sc = &conf->staffing;
	const struct calendar *cal = &conf->cal;
	const char *dayarg, *source;
	struct hist x = { h, NULL, 0 };
	json_t *hours, *hdays, *o, *rates, *svcs, *codes;
	int32_t day;
	int64_t start;
	double lambda[24], target_min = sc->target_s / 60.0,
	    level = sc->level_pct / 100.0;
	char err[96], *text;
	int k, mi, hr, w, working;

	if (cmd_body_string(c, "day", 10, &dayarg) == -1)
		return c->status;
	if (dayarg == NULL)
		dayarg = h->day;
	if (calendar_parse_date(dayarg, &day, err, sizeof err) == -1)
		return cmd_error(c, 400, "bad_request", "day: %s", err);
	working = calendar_is_working_day(cal, day);
	start = calendar_day_start(cal, day);
	x.count = xcalloc((size_t)conf->nmatters * 24, sizeof *x.count);
	hdays = json_array();
	if ((source = forecast_day(h, day, x.count, hdays)) == NULL) {
		free(x.count);
		json_decref(hdays);
		h->failed = 1;
		return 500;
	}

	hours = json_array();
	for (hr = 0; hr < 24; hr++) {
		json_t *ms = json_array();
		double tot_l = 0, tot_work = 0, tot_arr = 0;
		int open = 0, need = 0, short_of = 0, pooled;
		int64_t mid = start + (int64_t)hr * 3600000 + 1800000;

		for (w = 0; w < conf->nwindows; w++)
			if (!conf->has_hours ? conf->windows[w].initially_open :
			    calendar_is_open(cal, hours_of_window(&conf->windows[w]),
			    mid))
				open++;
		for (mi = 0; mi < conf->nmatters; mi++) {
			double svc = h->service_ms[mi] / 60000.0, l;
			int n;

			if (svc <= 0)
				svc = conf->matters[mi].service_ms / 60000.0;
			for (k = 0; k < 24; k++)
				lambda[k] = x.count[mi * 24 + k];
			l = staffing_lagged(lambda, 24, hr, svc / 60.0);
			/* Listed when its tickets come this hour or its lagged
			 * load is staffed now (a long service's lag). */
			if (l <= 0 && lambda[hr] <= 0)
				continue;
			n = l > 0 ? staffing_windows(l / 60.0, 1.0 / svc, target_min,
			    level, STAFFING_MAX) : 0;
			if (n < 0) {
				short_of = 1;
				n = STAFFING_MAX;
			}
			need += n;
			tot_l += l;
			tot_work += l * svc;
			tot_arr += lambda[hr];
			json_array_append_new(ms, json_pack("{s:s, s:f, s:f, s:f, s:i}",
			    "code", conf->matters[mi].code,
			    "arrivals", round(lambda[hr] * 10) / 10,
			    "lagged", round(l * 10) / 10,
			    "service_min", round(svc * 10) / 10, "windows", n));
		}
		if (json_array_size(ms) == 0 && open == 0) {
			json_decref(ms);
			continue;
		}
		pooled = tot_l > 0 ? staffing_windows(tot_l / 60.0, tot_l /
		    tot_work, target_min, level, STAFFING_MAX) : 0;
		o = json_pack("{s:i, s:i, s:i, s:i, s:b, s:f, s:o}",
		    "hour", hr, "open_windows", open, "recommended", need,
		    "pooled", pooled < 0 ? STAFFING_MAX : pooled, "over_max", short_of,
		    "arrivals", round(tot_arr * 10) / 10, "matters", ms);
		json_array_append_new(hours, o);
	}
	o = json_pack("{s:s, s:b, s:s, s:o, s:i, s:i, s:o}", "day", dayarg,
	    "working_day", working, "source", source, "history_days", hdays,
	    "target_wait_min", sc->target_s / 60, "level_pct", sc->level_pct,
	    "hours", hours);
	/* The check by simulation takes a while: the reporter's thread makes
	 * it and answers (sim/plan_job.c), as for a report. */
	rates = json_array();
	svcs = json_array();
	codes = json_array();
	for (mi = 0; mi < conf->nmatters; mi++) {
		json_t *row = json_array();

		for (hr = 0; hr < 24; hr++)
			json_array_append_new(row, json_real(x.count[mi * 24 + hr]));
		json_array_append_new(rates, row);
		json_array_append_new(svcs, json_integer(h->service_ms[mi] > 0 ?
		    h->service_ms[mi] : conf->matters[mi].service_ms));
		json_array_append_new(codes, json_string(conf->matters[mi].code));
	}
	free(x.count);
	/* The configuration in force, as text: the job parses its own (the
	 * reporter's thread), never the file, which may have been edited. */
	text = json_dumps(conf->raw, JSON_COMPACT);
	h->res->defer = json_pack("{s:s, s:o, s:s, s:s%, s:o, s:o, s:o, s:i, s:i,"
	    " s:I, s:i}", "kind", "staffing", "reply", o, "config", conf->path ?
	    conf->path : "", "config_text", text ? text : "", text ? strlen(text) :
	    0, "matters", codes, "rates", rates, "service_ms", svcs,
	    "target_s", sc->target_s, "level_pct", sc->level_pct, "day_start",
	    (json_int_t)start, "utc_offset_s", (int)cal->utc_offset_s);
	free(text);
	if (h->res->defer == NULL)
		fatalx("staffing job");
	return 202;
}

/* ---------------------------------------------------------------- advice */

#define ADVICE_HORIZON_MS	(60 * 60 * 1000)	/* arrivals of the next hour */
#define ADVICE_SERVE_MS		(8 * 60 * 60 * 1000)	/* served within this */
#define ADVICE_MAX		8			/* suggestions at most */

/* Each matter's arrivals per hour now: the forecast of this hour (history
 * or the configured one), as GET /api/staffing has it. */
static void
advice_rates(struct hall *h, double *per_hour)
{
	const struct calendar *cal = &h->conf->cal;
	int64_t s = h->now / 1000 + cal->utc_offset_s;
	int hour = (int)(((s % 86400) + 86400) % 86400 / 3600), mi;
	const double *fc = forecast_today(h, calendar_day_of(cal, h->now));

	for (mi = 0; mi < h->conf->nmatters; mi++)
		per_hour[mi] = fc != NULL ? fc[mi * 24 + hour] : 0;
}

/* The state the projection starts from: waiting tickets and open windows,
 * window `change` (index, or -1) opened or given `tiers` instead. */
struct advice_state {
	struct dispatch_ticket	*waiting;
	int			 nwaiting;
	struct project_window	*win;
	int			 nwin;
	double			*rates;
	int64_t			*service;
};

static void
advice_state(struct hall *h, struct advice_state *st)
{
	struct ticket *t;
	size_t i;
	int k;

	memset(st, 0, sizeof *st);
	for (i = 0; i < h->nbuckets; i++)
		for (t = h->buckets[i]; t != NULL; t = t->hnext)
			if (t->queued) {
				st->waiting = xrealloc(st->waiting, (size_t)(st->nwaiting
				    + 1) * sizeof *st->waiting);
				st->waiting[st->nwaiting++] = t->dt;
			}
	st->win = xcalloc((size_t)h->nwins + 1, sizeof *st->win);
	st->rates = xcalloc((size_t)h->conf->nmatters, sizeof *st->rates);
	st->service = xcalloc((size_t)h->conf->nmatters, sizeof *st->service);
	for (k = 0; k < h->conf->nmatters; k++)
		st->service[k] = h->service_ms[k] > 0 ? h->service_ms[k] :
		    h->conf->matters[k].service_ms;
	advice_rates(h, st->rates);
}

static void
advice_state_free(struct advice_state *st)
{
	free(st->waiting);
	free(st->win);
	free(st->rates);
	free(st->service);
}

/* The open windows, with window index `add` opened too (or -1) and window
 * index `retier` served by `dw` instead of its own tiers (or -1). */
static void
advice_windows(struct hall *h, struct advice_state *st, int add, int retier,
    const struct dispatch_window *dw)
{
	int i;

	st->nwin = 0;
	for (i = 0; i < h->nwins; i++) {
		struct win *w = &h->wins[i];
		struct project_window *p;

		if (w->state != WS_OPEN && i != add)
			continue;
		p = &st->win[st->nwin++];
		p->dw = i == retier ? *dw : w->dw;
		p->free_at = h->now;
		if (w->cur != NULL) {
			int64_t from = w->cur->serving_at ? w->cur->serving_at :
			    w->cur->called_at;
			int mi = w->cur->mi >= 0 ? w->cur->mi : 0;

			p->free_at = from + st->service[mi];
		}
	}
}

static void
advice_project(struct hall *h, struct advice_state *st, double *mean_s,
    int64_t *max_s)
{
	int nm = h->conf->nmatters, k;
	int64_t *n = xcalloc((size_t)nm, sizeof *n);
	double *sum = xcalloc((size_t)nm, sizeof *sum);
	int64_t *mx = xcalloc((size_t)nm, sizeof *mx);
	struct project_out out = { n, sum, mx };
	struct project_in in = {
		.policy = h->policy, .params = &h->params, .rule = &h->rule,
		.nmatters = nm, .nclasses = h->conf->nclasses,
		.waiting = st->waiting, .nwaiting = st->nwaiting,
		.windows = st->win, .nwindows = st->nwin,
		.per_hour = st->rates, .service_ms = st->service,
		.now = h->now, .arrive_until = h->now + ADVICE_HORIZON_MS,
		.until = h->now + ADVICE_SERVE_MS,
	};

	(void)project_run(&in, &out);
	for (k = 0; k < nm; k++) {
		mean_s[k] = n[k] ? sum[k] / n[k] / 1000.0 : 0;
		max_s[k] = mx[k] / 1000;
	}
	free(n);
	free(sum);
	free(mx);
}

static int
dw_serves(const struct dispatch_window *dw, int mi, int *tier)
{
	int j, k;

	for (j = 0; j < dw->ntiers; j++)
		for (k = 0; k < dw->tiers[j].nmatters; k++)
			if (dw->tiers[j].matters[k] == mi) {
				*tier = j;
				return 1;
			}
	return 0;
}

/* The window's tiers with mi moved into (or added to) tier 0, as codes. */
static json_t *
tiers_with(struct hall *h, const struct dispatch_window *dw, int mi)
{
	json_t *a = json_array(), *t;
	int j, k;

	for (j = 0; j < dw->ntiers; j++) {
		t = json_array();
		if (j == 0)
			json_array_append_new(t, json_string(
			    h->conf->matters[mi].code));
		for (k = 0; k < dw->tiers[j].nmatters; k++)
			if (dw->tiers[j].matters[k] != mi)
				json_array_append_new(t, json_string(h->conf->matters[
				    dw->tiers[j].matters[k]].code));
		if (json_array_size(t) > 0)
			json_array_append_new(a, t);
		else
			json_decref(t);
	}
	return a;
}

/* The same as a dispatch window (arrays owned by the caller's buffers). */
static void
dw_with(const struct dispatch_window *dw, int mi, struct dispatch_tier *tiers,
    int *ms, struct dispatch_window *out)
{
	int j, k, n = 0;

	*out = *dw;
	out->tiers = tiers;
	for (j = 0; j < dw->ntiers && j < 8; j++) {
		tiers[j] = dw->tiers[j];
		tiers[j].matters = ms + n;
		tiers[j].nmatters = 0;
		if (j == 0)
			ms[n + tiers[j].nmatters++] = mi;
		for (k = 0; k < dw->tiers[j].nmatters; k++)
			if (dw->tiers[j].matters[k] != mi)
				ms[n + tiers[j].nmatters++] = dw->tiers[j].matters[k];
		n += tiers[j].nmatters;
	}
	out->ntiers = j;
}

struct move {
	double	 score;		/* the matter's gain less the others' loss, s */
	int	 adds;		/* opens or resumes a window (no one loses) */
	int	 matter;
	int	 window;
	json_t	*o;
};

/* Best first: the larger net gain; at a tie a window opened before one
 * lent, then the lower number. */
static int
cmp_move(const void *a, const void *b)
{
	const struct move *x = a, *y = b;

	if ((int64_t)x->score != (int64_t)y->score)
		return x->score < y->score ? 1 : -1;
	if (x->adds != y->adds)
		return y->adds - x->adds;
	return x->window - y->window;
}

#define ADVICE_PER_MATTER	3

/* The effect on every matter whose projected mean wait moved a minute. */
static json_t *
advice_effect(struct hall *h, int mi, const double *before, const double *after)
{
	json_t *others = json_array();
	int k;

	for (k = 0; k < h->conf->nmatters; k++)
		if (k != mi && (after[k] - before[k] >= 60 ||
		    before[k] - after[k] >= 60))
			json_array_append_new(others, json_pack("{s:s, s:I, s:I}",
			    "matter", h->conf->matters[k].code,
			    "wait_mean_s_before", (json_int_t)before[k],
			    "wait_mean_s_after", (json_int_t)after[k]));
	return json_pack("{s:s, s:I, s:I, s:o}", "matter", h->conf->matters[mi].code,
	    "wait_mean_s_before", (json_int_t)before[mi],
	    "wait_mean_s_after", (json_int_t)after[mi], "others", others);
}

static json_t	*advice_auto_json(struct hall *);

/*
 * GET /api/advice: for each matter whose backlog is heading past its target
 * (the estimate of the last one waiting, or the oldest wait, over
 * target_wait_s), the moves that would help — open a closed window that
 * serves it and is in its hours, resume a paused one, or give an open
 * window the matter as tier 0 for now — each projected an hour ahead from
 * the hall as it is (project.c, the real dispatcher) against doing nothing.
 * Only moves that shorten the matter's mean wait by a minute or more are
 * said, best first.
 */
static size_t
advice_compute(struct hall *h, json_t *late, struct move **movesp)
{
	const struct config *conf = h->conf;
	struct advice_state st;
	struct move *moves = NULL;
	size_t nmoves = 0;
	double *base, *after;
	int64_t *bmax, *amax;
	int mi, k, tier, j2;
	struct dispatch_tier tiers[8];
	int *ms = xcalloc((size_t)conf->nmatters + 1, sizeof *ms);

	advice_state(h, &st);
	base = xcalloc((size_t)conf->nmatters, sizeof *base);
	after = xcalloc((size_t)conf->nmatters, sizeof *after);
	bmax = xcalloc((size_t)conf->nmatters, sizeof *bmax);
	amax = xcalloc((size_t)conf->nmatters, sizeof *amax);
	advice_windows(h, &st, -1, -1, NULL);
	advice_project(h, &st, base, bmax);
	for (mi = 0; mi < conf->nmatters; mi++) {
		size_t waiting = dispatch_waiting(h->disp, mi);
		int64_t oldest = dispatch_oldest(h->disp, mi), target =
		    conf->matters[mi].target_wait_ms / 1000, eta, old_s;
		int open = window_open_count(h, mi);

		/* Nothing waiting and nothing late projected: nothing to say. */
		if (waiting == 0 && base[mi] <= target)
			continue;
		eta = waiting > 0 ? estimate_eta_s(waiting, st.service[mi], open) :
		    0;
		old_s = oldest > 0 && h->now > oldest ? (h->now - oldest) / 1000 : 0;
		if ((eta >= 0 && eta <= target) && old_s <= target &&
		    base[mi] <= target)
			continue;
		json_array_append_new(late, json_pack("{s:s, s:s, s:I, s:o, s:I,"
		    " s:I, s:I, s:i}", "matter", conf->matters[mi].code, "name",
		    conf->matters[mi].name, "waiting", (json_int_t)waiting,
		    "eta_s", eta >= 0 ? json_integer(eta) : json_null(),
		    "oldest_wait_s", (json_int_t)old_s, "target_s",
		    (json_int_t)target, "projected_wait_s", (json_int_t)base[mi],
		    "open_windows", open));
		for (k = 0; k < h->nwins; k++) {
			struct win *w = &h->wins[k];
			const char *action = NULL;
			struct dispatch_window dw;
			json_t *req, *o;
			int serves = dw_serves(&w->dw, mi, &tier);

			if ((w->state == WS_CLOSED || w->state == WS_PAUSED) &&
			    serves && (!conf->has_hours || h->any_hour ||
			    calendar_is_open(&conf->cal, hours_of_window(w->conf),
			    h->now))) {
				action = w->state == WS_CLOSED ? "open" : "resume";
				advice_windows(h, &st, k, -1, NULL);
			} else if (w->state == WS_OPEN && (!serves || tier > 0) &&
			    w->dw.ntiers > 0 && w->dw.ntiers <= 8) {
				int total = 0, j;

				for (j = 0; j < w->dw.ntiers; j++)
					total += w->dw.tiers[j].nmatters;
				if (total + 1 > conf->nmatters + 1)
					continue;
				action = "tiers";
				dw_with(&w->dw, mi, tiers, ms, &dw);
				advice_windows(h, &st, -1, k, &dw);
			} else
				continue;
			advice_project(h, &st, after, amax);
			if (base[mi] - after[mi] < 60)
				continue;
			if (strcmp(action, "tiers") == 0) {
				json_t *tj = tiers_with(h, &w->dw, mi);

				req = json_pack("{s:s, s:s, s:{s:o}}", "method", "POST",
				    "path", "", "body", "tiers", tj);
			} else
				req = json_pack("{s:s, s:s, s:{}}", "method", "POST",
				    "path", "", "body");
			{
				char path[64];

				snprintf(path, sizeof path, "/api/windows/%d/%s",
				    w->number, action);
				json_object_set_new(req, "path", json_string(path));
			}
			o = json_pack("{s:s, s:i, s:s, s:o, s:o}", "action", action,
			    "window", w->number, "matter", conf->matters[mi].code,
			    "request", req, "effect", advice_effect(h, mi, base,
			    after));
			moves = xrealloc(moves, (nmoves + 1) * sizeof *moves);
			moves[nmoves].score = base[mi] - after[mi];
			for (j2 = 0; j2 < conf->nmatters; j2++)
				if (j2 != mi && after[j2] > base[j2])
					moves[nmoves].score -= after[j2] - base[j2];
			moves[nmoves].adds = strcmp(action, "tiers") != 0;
			moves[nmoves].matter = mi;
			moves[nmoves].window = w->number;
			moves[nmoves++].o = o;
		}
	}
	if (nmoves > 0)
		qsort(moves, nmoves, sizeof *moves, cmp_move);
	free(base);
	free(after);
	free(bmax);
	free(amax);
	free(ms);
	advice_state_free(&st);
	*movesp = moves;
	return nmoves;
}

int
cmd_advice(struct hall *h, struct op_ctx *c)
{
	json_t *late = json_array(), *list = json_array();
	struct move *moves = NULL;
	size_t nmoves, i;

	nmoves = advice_compute(h, late, &moves);
	for (i = 0; i < nmoves; i++) {
		size_t j, same = 0;

		for (j = 0; j < i; j++)
			same += moves[j].matter == moves[i].matter;
		if (moves[i].score >= 60 && same < ADVICE_PER_MATTER &&
		    json_array_size(list) < ADVICE_MAX)
			json_array_append_new(list, moves[i].o);
		else
			json_decref(moves[i].o);
	}
	free(moves);
	c->reply = json_pack("{s:I, s:i, s:o, s:o, s:o}", "at", (json_int_t)h->now,
	    "horizon_min", ADVICE_HORIZON_MS / 60000, "late", late,
	    "suggestions", list, "auto", advice_auto_json(h));
	return 200;
}

/* ---------------------------------------------------------------- auto */

/*
 * The automatic mode (the peak emergency mechanism): within the bounds a
 * manager set (POST /api/advice/auto), every minute the best "tiers" move
 * that gains at least min_gain_min is applied — a late matter given to an
 * open window as tier 0 — on at most max_windows windows at once, each for
 * hold_min, then the window's tiers go back to what they were.  Each change
 * is a window.tiers event with "by": "advice" (and "revert": true going
 * back); turning the mode off takes every change back at once.  The mode
 * and the changes in force are kept in meta ("advice.auto"), so a restart
 * keeps both.
 */
#define AUTO_EVERY_MS	(60 * 1000)
#define AUTO_KEY	"advice.auto"

static void
auto_load(struct hall *h)
{
	char *v;
	json_t *o;

	if (h->auto_loaded)
		return;
	h->auto_loaded = 1;
	h->auto_conf = json_pack("{s:b, s:i, s:i, s:i, s:[]}", "enabled", 0,
	    "max_windows", 2, "min_gain_min", 5, "hold_min", 60, "active");
	if ((v = store_meta_get(h->store, AUTO_KEY)) == NULL)
		return;
	if ((o = json_loads(v, 0, NULL)) != NULL && json_is_object(o) &&
	    json_is_array(json_object_get(o, "active"))) {
		json_decref(h->auto_conf);
		h->auto_conf = o;
	} else
		json_decref(o);
	free(v);
}

static void
auto_save(struct hall *h)
{
	char *v = json_dumps(h->auto_conf, JSON_COMPACT);

	if (v == NULL)
		fatalx("json_dumps");
	if (!h->failed && store_meta_put(h->store, AUTO_KEY, v) == -1)
		h->failed = 1;
	free(v);
}

static int
auto_int(struct hall *h, const char *k)
{
	return (int)json_integer_value(json_object_get(h->auto_conf, k));
}

static json_t *
advice_auto_json(struct hall *h)
{
	auto_load(h);
	return json_deep_copy(h->auto_conf);
}

/* Set a window's tiers (codes) as the day's, with its event. */
static int
auto_set_tiers(struct hall *h, struct win *w, json_t *tiers, const char *matter,
    int revert, int64_t until)
{
	char why[160];
	json_t *o;

	if (window_tiers_apply(h, w, tiers, why, sizeof why) == -1) {
		log_warnx("advice: window %d: %s", w->number, why);
		return -1;
	}
	o = json_pack("{s:o, s:s, s:s, s:b}", "window", view_window(h, w), "by",
	    "advice", "matter", matter, "revert", revert);
	if (!revert)
		json_object_set_new(o, "until", json_integer(until));
	hall_emit(h, "window.tiers", o);
	return 0;
}

/* A window's tiers as codes now. */
static json_t *
tiers_codes(struct hall *h, const struct dispatch_window *dw)
{
	json_t *a = json_array(), *t;
	int j, k;

	for (j = 0; j < dw->ntiers; j++) {
		t = json_array();
		for (k = 0; k < dw->tiers[j].nmatters; k++)
			json_array_append_new(t, json_string(h->conf->matters[
			    dw->tiers[j].matters[k]].code));
		json_array_append_new(a, t);
	}
	return a;
}

/* Take back the changes due (all of them with `all`).  Returns how many. */
static int
auto_revert(struct hall *h, int all)
{
	json_t *active = json_object_get(h->auto_conf, "active"), *a;
	size_t i;
	int n = 0;

	for (i = 0; i < json_array_size(active); ) {
		a = json_array_get(active, i);
		if (!all && json_integer_value(json_object_get(a, "until")) > h->now) {
			i++;
			continue;
		}
		{
			struct win *w = window_find(h, (int)json_integer_value(
			    json_object_get(a, "window")));

			if (w != NULL)
				(void)auto_set_tiers(h, w, json_object_get(a,
				    "previous"), json_string_value(json_object_get(a,
				    "matter")), 1, 0);
		}
		json_array_remove(active, i);
		n++;
	}
	return n;
}

int
advice_tick_due(struct hall *h)
{
	auto_load(h);
	if (!json_is_true(json_object_get(h->auto_conf, "enabled")) &&
	    json_array_size(json_object_get(h->auto_conf, "active")) == 0)
		return 0;
	return h->now >= h->next_auto;
}

/* In the tick's transaction. */
void
advice_tick(struct hall *h)
{
	json_t *active, *late, *a;
	struct move *moves = NULL;
	size_t nmoves, i, j;
	int changed;

	h->next_auto = h->now + AUTO_EVERY_MS;
	changed = auto_revert(h, 0);
	active = json_object_get(h->auto_conf, "active");
	/* A change taken back is not made again in the same minute. */
	if (!changed && json_is_true(json_object_get(h->auto_conf, "enabled")) &&
	    (int)json_array_size(active) < auto_int(h, "max_windows")) {
		late = json_array();
		nmoves = advice_compute(h, late, &moves);
		for (i = 0; i < nmoves; i++) {
			const char *action = json_string_value(json_object_get(
			    moves[i].o, "action"));
			struct win *w = window_find(h, moves[i].window);
			int taken = 0;

			json_array_foreach(active, j, a)
				if (json_integer_value(json_object_get(a, "window")) ==
				    moves[i].window)
					taken = 1;
			/* The 办不成事 window is never lent by itself: it is
			 * where what the other windows could not do is taken
			 * up (a manager may still move it by hand). */
			if (taken || w == NULL || strcmp(action, "tiers") != 0 ||
			    w->conf->ledger ||
			    moves[i].score < auto_int(h, "min_gain_min") * 60.0)
				continue;
			a = json_pack("{s:i, s:s, s:I, s:I, s:o}", "window",
			    w->number, "matter", h->conf->matters[moves[i].matter].code,
			    "at", (json_int_t)h->now, "until", (json_int_t)(h->now +
			    (int64_t)auto_int(h, "hold_min") * 60000), "previous",
			    tiers_codes(h, &w->dw));
			if (auto_set_tiers(h, w, json_object_get(json_object_get(
			    json_object_get(moves[i].o, "request"), "body"), "tiers"),
			    h->conf->matters[moves[i].matter].code, 0,
			    json_integer_value(json_object_get(a, "until"))) == 0) {
				json_array_append_new(active, a);
				changed++;
			} else
				json_decref(a);
			break;		/* one a minute */
		}
		for (i = 0; i < nmoves; i++)
			json_decref(moves[i].o);
		free(moves);
		json_decref(late);
	}
	if (changed)
		auto_save(h);
}

/* POST /api/advice/auto {"enabled", "max_windows", "min_gain_min",
 * "hold_min"}: the manager's bounds; off takes every change back. */
int
cmd_advice_auto(struct hall *h, struct op_ctx *c)
{
	json_t *en = json_object_get(c->body, "enabled");
	int64_t maxw = 0, gain = 0, hold = 0;
	int rc;
	char by[68];

	auto_load(h);
	if (!json_is_boolean(en))
		return cmd_error(c, 400, "bad_request", "\"enabled\" (true or "
		    "false) is required");
	if ((rc = cmd_body_int(c, "max_windows", 1, 10, &maxw, 0)) == -1 ||
	    cmd_body_int(c, "min_gain_min", 1, 120, &gain, 0) == -1 ||
	    cmd_body_int(c, "hold_min", 10, 240, &hold, 0) == -1)
		return c->status;
	if (maxw > 0)
		json_object_set_new(h->auto_conf, "max_windows", json_integer(maxw));
	if (gain > 0)
		json_object_set_new(h->auto_conf, "min_gain_min", json_integer(gain));
	if (hold > 0)
		json_object_set_new(h->auto_conf, "hold_min", json_integer(hold));
	json_object_set(h->auto_conf, "enabled", en);
	if (!json_is_true(en))
		(void)auto_revert(h, 1);
	h->next_auto = h->now;		/* at the next tick */
	auto_save(h);
	snprintf(by, sizeof by, "%s", c->token != NULL && c->token->name ?
	    c->token->name : c->token != NULL ?
	    config_role_name(c->token->role) : "");
	hall_emit(h, "advice.auto", json_pack("{s:O, s:O, s:O, s:O, s:s}",
	    "enabled", en, "max_windows", json_object_get(h->auto_conf,
	    "max_windows"), "min_gain_min", json_object_get(h->auto_conf,
	    "min_gain_min"), "hold_min", json_object_get(h->auto_conf,
	    "hold_min"), "by", by));
	c->reply = json_pack("{s:o}", "auto", json_deep_copy(h->auto_conf));
	return 200;
}

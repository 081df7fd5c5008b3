/* advice.c — staffing per matter and hour (GET /api/staffing), from the
 * arrival forecast by lagged SIPP and Erlang C (staffing.c).
 *
 * The forecast is the same weekday's history in the database (the last
 * `staffing.history_weeks` of them that had tickets), or before any
 * history the configuration's `staffing.forecast` (the demo hall's is its
 * workload's).  Erlang C staffs each matter as if it had windows of its
 * own; the hall pools them (无差别 windows serve many matters), so the sum
 * over matters is what the hall needs at most and the pooled figure (every
 * matter as one queue with the mean service time) what it needs at least. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hall_int.h"
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

static void
day_str(int32_t day, char *buf, size_t len)
{
	int y, m, d;

	calendar_ymd(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

/* GET /api/staffing?day=YYYY-MM-DD */
int
cmd_staffing(struct hall *h, struct op_ctx *c)
{
	const struct config *conf = h->conf;
	const struct staffing_conf *sc = &conf->staffing;
	const struct calendar *cal = &conf->cal;
	const char *dayarg, *source = "none";
	struct hist x = { h, NULL, 0 };
	json_t *hours, *hdays, *o;
	int32_t day;
	int64_t start;
	double lambda[24], target_min = sc->target_s / 60.0,
	    level = sc->level_pct / 100.0;
	char err[96], dstr[16];
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
	/* The same weekday, week by week back, the days that had tickets. */
	for (k = 1; k <= sc->history_weeks; k++) {
		int before = x.any;

		x.any = 0;
		day_str(day - 7 * k, dstr, sizeof dstr);
		if (store_tickets_day(h->store, dstr, hist_cb, &x) == -1) {
			free(x.count);
			json_decref(hdays);
			h->failed = 1;
			return 500;
		}
		if (x.any)
			json_array_append_new(hdays, json_string(dstr));
		x.any = before || x.any;
	}
	if (json_array_size(hdays) > 0) {
		source = "history";
		for (k = 0; k < conf->nmatters * 24; k++)
			x.count[k] /= (double)json_array_size(hdays);
	} else if (sc->has_forecast) {
		source = "forecast";
		for (mi = 0; mi < conf->nmatters; mi++)
			for (hr = 0; hr < 24; hr++)
				x.count[mi * 24 + hr] = sc->tickets_per_day *
				    sc->profile[hr] * sc->share[mi];
	}
	if (!working)
		memset(x.count, 0, (size_t)conf->nmatters * 24 * sizeof *x.count);

	hours = json_array();
	for (hr = 0; hr < 24; hr++) {
		json_t *ms = json_array();
		double tot_l = 0, tot_work = 0;
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
			if (l <= 0)
				continue;
			n = staffing_windows(l / 60.0, 1.0 / svc, target_min, level,
			    STAFFING_MAX);
			if (n < 0) {
				short_of = 1;
				n = STAFFING_MAX;
			}
			need += n;
			tot_l += l;
			tot_work += l * svc;
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
		    "arrivals", round(tot_l * 10) / 10, "matters", ms);
		json_array_append_new(hours, o);
	}
	free(x.count);
	c->reply = json_pack("{s:s, s:b, s:s, s:o, s:i, s:i, s:o}", "day", dayarg,
	    "working_day", working, "source", source, "history_days", hdays,
	    "target_wait_min", sc->target_s / 60, "level_pct", sc->level_pct,
	    "hours", hours);
	return 200;
}

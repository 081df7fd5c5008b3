/* main.c — hallq-sim's command line: reads the hall's configuration (the
 * daemon's own parser) and a workload, runs seeded replications of the
 * engine (sim.c) and prints figures, as text or JSON.  The engine stays pure;
 * files, the zone and the output are this file's. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "calendar.h"
#include "config.h"
#include "plan.h"
#include "sim.h"
#include "staffing.h"
#include "util.h"

#define SIM_REPS_MAX	10000
#define SIM_DAYS_MAX	366
#define MMC_CLASSES	2		/* green (0), normal (1) */
#define MMC_STRICT_MS	1000000000000LL	/* a head start past any run: strict priority */

struct opts {
	const char	*config;
	const char	*workload;
	const char	*mmc;
	const char	*policy;
	const char	*date;
	uint64_t	 seed;
	int		 reps;		/* 0: the mode's default */
	int		 days;
	int		 json;
	long		 arrivals;	/* --mmc: arrivals observed per replication */
	double		 volume;	/* workload: tickets_per_day multiplied */
	int64_t		 noshow_ms;
	int		 staff;		/* windows as staffing recommends */
	int		 check;		/* ... checked by simulation first */
};

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr,
	    "usage: hallq-sim -f CONFIG -w WORKLOAD.json [--seed N] [--reps N] [--days N]\n"
	    "                 [--policy NAME] [--date YYYY-MM-DD] [--volume X] [--noshow-s N]\n"
	    "                 [--staff [--check]] [--json]\n"
	    "       hallq-sim --mmc LAMBDA_PER_MIN,SERVICE_MIN,WINDOWS[,GREEN_SHARE]\n"
	    "                 [--reps N] [--seed N] [--arrivals N] [--json]\n"
	    "       hallq-sim --list-policies\n");
	exit(2);
}

static json_t *
jci(double mean, double half, int reps)
{
	if (reps < 2)
		return json_null();
	return json_pack("[ff]", mean - half, mean + half);
}

static void
json_print(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(1) | JSON_REAL_PRECISION(8));

	if (s == NULL)
		fatalx("cannot encode the output");
	printf("%s\n", s);
	free(s);
}

/* ------------------------------------------------------------------- M/M/c */

static int
mmc_main(const struct opts *o)
{
	double lambda, service, green = 0;
	int c, n, reps = o->reps > 0 ? o->reps : 20, r, k;
	long arrivals = o->arrivals > 0 ? o->arrivals : 20000;
	int64_t obs_from, obs_to, until;
	double *v[MMC_CLASSES + 1][4], little_max = 0, lq = 0, lw = 0;
	static const char *const cname[MMC_CLASSES] = { "green", "normal" };
	int64_t hs[MMC_CLASSES] = { MMC_STRICT_MS, 0 };
	int matters[1] = { 0 };
	struct dispatch_tier tier = { matters, 1, (1u << MMC_CLASSES) - 1, 0 };
	struct sim_window *w;
	struct sim_model m;
	double mu, a, lam[MMC_CLASSES];

	if ((n = sscanf(o->mmc, "%lf,%lf,%d,%lf", &lambda, &service, &c, &green)) < 3 ||
	    !(lambda > 0) || !(service > 0) || c < 1 || c > SIM_WINDOWS_MAX ||
	    !(green >= 0 && green < 1)) {
		fprintf(stderr, "hallq-sim: --mmc wants LAMBDA_PER_MIN,SERVICE_MIN,"
		    "WINDOWS[,GREEN_SHARE] (lambda > 0, service > 0, 1 <= windows "
		    "<= %d, 0 <= share < 1)\n", SIM_WINDOWS_MAX);
		return 2;
	}
	if (lambda * service >= c) {
		fprintf(stderr, "hallq-sim: lambda x service >= windows: the queue "
		    "grows without bound\n");
		return 2;
	}
	if (reps > SIM_REPS_MAX || arrivals > 5000000) {
		fprintf(stderr, "hallq-sim: at most %d replications of 5000000 "
		    "arrivals\n", SIM_REPS_MAX);
		return 2;
	}
	/* Ciw's way: a warm-up of a tenth discarded, arrivals counted only in
	 * the window observed, a tenth more after it so the last counted
	 * tickets still meet later ones. */
	obs_from = (int64_t)(arrivals / 10.0 / lambda * 60000);
	obs_to = obs_from + (int64_t)(arrivals / lambda * 60000);
	until = obs_to + (obs_to - obs_from) / 10;
	memset(&m, 0, sizeof m);
	m.nmatters = 1;
	m.policy = dispatch_policy_find(o->policy ? o->policy : "default");
	if (m.policy == NULL) {
		fprintf(stderr, "hallq-sim: no policy \"%s\"\n", o->policy);
		return 2;
	}
	m.params.nclasses = MMC_CLASSES;
	m.params.aging_ms = 0;
	m.rule.nclasses = MMC_CLASSES;
	m.rule.head_start_ms = hs;
	m.rule.normal_class = 1;
	m.rule.appointment_class = -1;
	m.noshow_ms = 0;
	m.obs_from = obs_from;
	m.obs_to = obs_to;
	w = xcalloc((size_t)c, sizeof *w);
	for (k = 0; k < c; k++) {
		w[k].dw.number = k + 1;
		w[k].dw.tiers = &tier;
		w[k].dw.ntiers = 1;
		w[k].nopen = 1;
		w[k].open_from[0] = 0;
		w[k].open_to[0] = INT64_MAX / 4;
	}
	for (k = 0; k <= MMC_CLASSES; k++)
		for (n = 0; n < 4; n++)
			v[k][n] = xcalloc((size_t)reps, sizeof(double));
	for (r = 0; r < reps; r++) {
		struct sim_rng rng;
		struct sim_ticket *t;
		struct sim_result res;
		double fig[SF_MAX], sumw = 0, T = (double)(obs_to - obs_from), rel;
		size_t nt, i;

		sim_rng_seed(&rng, o->seed, (uint64_t)r);
		nt = sim_gen_poisson(lambda / 60000, service * 60000, green, 0, 1,
		    until, &rng, &t);
		sim_result_init(&res, c);
		if (sim_run(&m, w, c, t, nt, &res) == -1)
			fatalx("replication %d did not end", r);
		for (k = 0; k <= MMC_CLASSES; k++) {
			struct sim_filter f = { -1, -1, k < MMC_CLASSES ? k : -1,
			    obs_from, obs_to };
			sim_figures(t, nt, &f, NULL, fig);
			v[k][0][r] = fig[SF_P_WAIT];
			v[k][1][r] = fig[SF_WAIT_MEAN] / 60;
			v[k][2][r] = fig[SF_SL20];
			v[k][3][r] = fig[SF_TICKETS];
		}
		/* Little: the time-average queue length, from the dispatcher's
		 * count, against arrivals per time times their mean wait. */
		for (i = 0; i < nt; i++)
			if (t[i].issued >= obs_from && t[i].issued < obs_to)
				sumw += (double)((t[i].called >= 0 ? t[i].called :
				    res.t_end) - t[i].issued);
		rel = fabs(res.q_area - sumw) / (sumw > 0 ? sumw : 1);
		if (rel > little_max)
			little_max = rel;
		lq += res.q_area / T / reps;
		lw += sumw / T / reps;
		sim_result_free(&res);
		free(t);
	}
	mu = 1 / service;
	a = lambda / mu;
	lam[0] = lambda * green;
	lam[1] = lambda * (1 - green);
	if (o->json) {
		json_t *root = json_object(), *cls = json_object(), *all, *th;
		double mean[4], half[4];

		for (k = 0; k <= MMC_CLASSES; k++) {
			json_t *x;
			if (k < MMC_CLASSES && green == 0 && k == 0)
				continue;
			for (n = 0; n < 4; n++)
				sim_spread(v[k][n], reps, &mean[n], &half[n]);
			x = json_pack("{sfsfsosososf}", "p_wait", mean[0],
			    "wq_min", mean[1], "ci95", jci(mean[1], half[1], reps),
			    "p_wait_ci95", jci(mean[0], half[0], reps),
			    "sl_20s_ci95", jci(mean[2], half[2], reps),
			    "tickets", mean[3]);
			json_object_set_new(x, "sl_20s", json_real(mean[2]));
			if (k < MMC_CLASSES)
				json_object_set_new(x, "theory_wq_min", json_real(green > 0 ?
				    staffing_priority_wq(c, mu, lam, MMC_CLASSES, k) :
				    staffing_wq(c, lambda, mu)));
			if (k < MMC_CLASSES)
				json_object_set_new(cls, cname[k], x);
			else
				all = x;
		}
		th = json_pack("{sfsfsf}", "p_wait", staffing_erlang_c(c, a),
		    "wq_min", staffing_wq(c, lambda, mu),
		    "sl_20s", staffing_p_within(c, lambda, mu, 20.0 / 60));
		json_object_set_new(all, "theory", th);
		json_object_set_new(all, "little_max_rel_err", json_real(little_max));
		json_object_set_new(all, "lq", json_real(lq));
		json_object_set_new(all, "lambda_wq", json_real(lw));
		json_object_set_new(root, "classes", cls);
		json_object_set_new(root, "all", all);
		json_object_set_new(root, "lambda_per_min", json_real(lambda));
		json_object_set_new(root, "service_min", json_real(service));
		json_object_set_new(root, "windows", json_integer(c));
		json_object_set_new(root, "green_share", json_real(green));
		json_object_set_new(root, "reps", json_integer(reps));
		json_object_set_new(root, "seed", json_integer((json_int_t)o->seed));
		json_object_set_new(root, "arrivals_per_rep", json_integer(arrivals));
		json_print(root);
		json_decref(root);
	} else {
		double mean[4], half[4];

		printf("M/M/%d  lambda %g/min  service %g min  green %g  %d reps x "
		    "%ld arrivals, seed %llu\n", c, lambda, service, green, reps,
		    arrivals, (unsigned long long)o->seed);
		printf("%-7s %-24s %-24s %-24s\n", "class", "p_wait (95%)",
		    "wq_min (95%)", "P(Wq<=20s) (95%)");
		for (k = 0; k <= MMC_CLASSES; k++) {
			if (k < MMC_CLASSES && green == 0)
				continue;
			for (n = 0; n < 4; n++)
				sim_spread(v[k][n], reps, &mean[n], &half[n]);
			printf("%-7s %.6f +- %-12.6f %.6f +- %-12.6f %.6f +- %.6f",
			    k < MMC_CLASSES ? cname[k] : "all", mean[0], half[0],
			    mean[1], half[1], mean[2], half[2]);
			if (k < MMC_CLASSES)
				printf("   theory wq %.6f", staffing_priority_wq(c,
				    mu, lam, MMC_CLASSES, k));
			printf("\n");
		}
		printf("theory  p_wait %.6f  wq_min %.6f  P(Wq<=20s) %.6f\n",
		    staffing_erlang_c(c, a), staffing_wq(c, lambda, mu),
		    staffing_p_within(c, lambda, mu, 20.0 / 60));
		printf("little  Lq %.6f  lambda*Wq %.6f  worst run off by %.2g\n",
		    lq, lw, little_max);
	}
	for (k = 0; k <= MMC_CLASSES; k++)
		for (n = 0; n < 4; n++)
			free(v[k][n]);
	free(w);
	return 0;
}

/* ------------------------------------------------------------- the workload */

struct workload {
	struct sim_workload	 wl;
	double			*share, *service_ms, *cv;
	struct calendar_hours	 hours;		/* business_hours, if the config has none */
	int			 has_hours;
};

/* "HH:MM" (24:00 allowed: an end) as minutes, or -1. */
static int
hhmm(const char *s)
{
	char err[96];
	int m;

	return calendar_parse_hhmm(s, 1, &m, err, sizeof err) == -1 ? -1 : m;
}

/* A number of the workload in [lo, hi] (absent: dflt); -1 said. */
static int
wl_num(const char *path, json_t *o, const char *key, double lo, double hi,
    double dflt, double *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	if (!json_is_number(v) || json_number_value(v) < lo ||
	    json_number_value(v) > hi) {
		fprintf(stderr, "%s: \"%s\" is a number from %g to %g\n", path,
		    key, lo, hi);
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

static int
workload_load(const char *path, const struct config *conf, struct workload *w)
{
	json_error_t je;
	json_t *root, *v, *x;
	const char *key;
	size_t i;
	int mi, d;
	char err[128], *seen = NULL;
	double shares = 0;

	memset(w, 0, sizeof *w);
	if ((root = json_load_file(path, 0, &je)) == NULL) {
		fprintf(stderr, "%s:%d:%d: %s\n", path, je.line, je.column, je.text);
		return -1;
	}
	seen = xcalloc((size_t)conf->nmatters + 1, 1);
	w->share = xcalloc((size_t)conf->nmatters + 1, sizeof *w->share);
	w->service_ms = xcalloc((size_t)conf->nmatters + 1, sizeof *w->service_ms);
	w->cv = xcalloc((size_t)conf->nmatters + 1, sizeof *w->cv);
	for (mi = 0; mi < conf->nmatters; mi++)
		w->service_ms[mi] = (double)conf->matters[mi].service_ms;
	w->wl.nmatters = conf->nmatters;
	w->wl.share = w->share;
	w->wl.service_ms = w->service_ms;
	w->wl.cv = w->cv;
	/* As the configuration's staffing.forecast bounds it. */
	if (json_object_get(root, "tickets_per_day") == NULL) {
		fprintf(stderr, "%s: \"tickets_per_day\" is missing\n", path);
		goto fail;
	}
	if (wl_num(path, root, "tickets_per_day", 0, 1e6, 0,
	    &w->wl.tickets_per_day) == -1 ||
	    wl_num(path, root, "no_show_rate", 0, 1, 0, &w->wl.no_show) == -1 ||
	    wl_num(path, root, "appointment_share", 0, 1, 0,
	    &w->wl.appt_share) == -1 ||
	    wl_num(path, root, "appointment_no_show_rate", 0, 1, 0,
	    &w->wl.appt_no_show) == -1 ||
	    wl_num(path, root, "green_channel_share", 0, 1, 0,
	    &w->wl.green_share) == -1)
		goto fail;
	if (w->wl.appt_share + w->wl.green_share > 1) {
		fprintf(stderr, "%s: appointment_share and green_channel_share "
		    "together are over 1\n", path);
		goto fail;
	}
	if (!json_is_object(v = json_object_get(root, "arrival_profile_per_hour"))) {
		fprintf(stderr, "%s: \"arrival_profile_per_hour\" is an object of "
		    "hours (\"08\": share)\n", path);
		goto fail;
	}
	json_object_foreach(v, key, x) {
		char *end;
		long h = strtol(key, &end, 10);

		if (*key == '\0' || *end != '\0' || h < 0 || h >= SIM_HOURS ||
		    !json_is_number(x) || json_number_value(x) < 0) {
			fprintf(stderr, "%s: arrival_profile_per_hour: bad hour \"%s\"\n",
			    path, key);
			goto fail;
		}
		w->wl.profile[h] = json_number_value(x);
	}
	if (!json_is_array(v = json_object_get(root, "matters"))) {
		fprintf(stderr, "%s: \"matters\" is an array\n", path);
		goto fail;
	}
	json_array_foreach(v, i, x) {
		const char *code = json_string_value(json_object_get(x, "code"));
		double sm;

		if (code == NULL || (mi = config_matter(conf, code)) < 0) {
			fprintf(stderr, "%s: matter %s is not in %s\n", path,
			    code ? code : "(no code)", conf->path);
			goto fail;
		}
		if (seen[mi]++) {
			fprintf(stderr, "%s: matter %s is given twice\n", path, code);
			goto fail;
		}
		if (wl_num(path, x, "share", 0, 1, 0, &w->share[mi]) == -1 ||
		    wl_num(path, x, "service_min", 0, 24 * 60, 0, &sm) == -1 ||
		    wl_num(path, x, "cv", 0, 10, 0, &w->cv[mi]) == -1)
			goto fail;
		if (sm > 0)
			w->service_ms[mi] = sm * 60000;
		shares += w->share[mi];
	}
	if (shares <= 0) {
		fprintf(stderr, "%s: the matters' shares are all 0\n", path);
		goto fail;
	}
	calendar_hours_init(&w->hours);
	if (json_is_array(v = json_object_get(root, "business_hours"))) {
		json_array_foreach(v, i, x) {
			int s = hhmm(json_string_value(json_array_get(x, 0)));
			int e = hhmm(json_string_value(json_array_get(x, 1)));
			for (d = CALENDAR_MON; d < CALENDAR_WEEKDAY_MAX; d++)
				if (s < 0 || e <= s || calendar_hours_add(&w->hours,
				    d, s, e, err, sizeof err) == -1) {
					fprintf(stderr, "%s: business_hours: bad period\n",
					    path);
					goto fail;
				}
		}
		w->has_hours = 1;
	}
	json_decref(root);
	free(seen);
	return 0;
fail:
	json_decref(root);
	free(seen);
	return -1;
}

static void
workload_free(struct workload *w)
{
	free(w->share);
	free(w->service_ms);
	free(w->cv);
}

/* --------------------------------------------------------------- the hall */

/* The zone's offset on a day (the daemon runs with TZ = hall.timezone). */
static int32_t
zone_offset(const char *tz, int32_t day)
{
	time_t t = (time_t)((int64_t)day * 86400 + 43200);
	struct tm tm;

	if (tz == NULL || *tz == '\0')
		return 28800;
	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&t, &tm);
	return (int32_t)tm.tm_gmtoff;
}

/* ------------------------------------------------------------ the staffing */

static const char *
hour_name(int h)
{
	static char buf[SIM_HOURS][3];

	h = h < 0 ? 0 : h % SIM_HOURS;
	buf[h][0] = (char)('0' + h / 10);
	buf[h][1] = (char)('0' + h % 10);
	buf[h][2] = '\0';
	return buf[h];
}

/* --staff: the windows open each hour as staffing recommends, planned by
 * plan.c (the same planner as GET /api/staffing); with --check the plan is
 * first checked on the simulated day and adjusted.
 * {"groups": [{"windows": [1, ...], "clones": N, "need": {"08": n, ...}}],
 *  "checked": {"evals": n, "level": {"08": x, ...}} (with --check)} */
static json_t *
hall_plan_json(const struct config *conf, const struct plan *pl)
{
	json_t *groups = json_array(), *x, *ws, *need;
	int g, i, h;

	for (g = 0; g < pl->ngroups; g++) {
		int clones = 0;

		ws = json_array();
		for (i = 0; i < conf->nwindows; i++)
			if (pl->group[i] == g)
				json_array_append_new(ws, json_integer(conf->windows[i].number));
		for (i = 0; i < pl->nclones; i++)
			clones += pl->group[pl->clone_of[i]] == g;
		need = json_object();
		for (h = 0; h < SIM_HOURS; h++)
			if (pl->need[g * SIM_HOURS + h] > 0)
				json_object_set_new(need, hour_name(h),
				    json_integer(pl->need[g * SIM_HOURS + h]));
		x = json_pack("{sosiso}", "windows", ws, "clones", clones,
		    "need", need);
		json_object_set_new(x, "planned", json_boolean(
		    pl->need[g * SIM_HOURS] >= 0));
		json_array_append_new(groups, x);
	}
	x = json_pack("{so}", "groups", groups);
	if (pl->checked) {
		json_t *lv = json_object();

		for (h = 0; h < SIM_HOURS; h++)
			if (pl->level[h] >= 0)
				json_object_set_new(lv, hour_name(h),
				    json_real(pl->level[h]));
		json_object_set_new(x, "checked", json_pack("{sisiso}",
		    "evals", pl->evals, "reps", PLAN_REPS, "level", lv));
	}
	return x;
}

static void
hall_plan_text(const struct config *conf, const struct plan *pl)
{
	int g, i, h;

	printf("\nstaffing (windows open per hour; + copies past the group's size):\n");
	for (g = 0; g < pl->ngroups; g++) {
		if (pl->need[g * SIM_HOURS] < 0)
			continue;
		printf("  windows");
		for (i = 0; i < conf->nwindows; i++)
			if (pl->group[i] == g)
				printf(" %d", conf->windows[i].number);
		printf(":");
		for (h = 0; h < SIM_HOURS; h++)
			if (pl->need[g * SIM_HOURS + h] > 0)
				printf(" %02d:%d", h, pl->need[g * SIM_HOURS + h]);
		printf("\n");
	}
}

enum { G_ALL };

struct hallrun {
	const struct config	*conf;
	int			 nm, nc, nw, ngroups;
	int			 g_matter, g_hour, g_class, g_window;
	double			*v;		/* reps x groups x SF_MAX */
	int64_t			*target;
};

static double *
hall_fig(struct hallrun *hr, int rep, int g)
{
	return &hr->v[((size_t)rep * hr->ngroups + g) * SF_MAX];
}

static json_t *
hall_json_group(struct hallrun *hr, int reps, int g)
{
	json_t *o = json_object();
	double *col = xcalloc((size_t)reps, sizeof *col), mean, half, lo, hi;
	int f, r;

	for (f = 0; f < SF_MAX; f++) {
		if (f == SF_P_WAIT || f == SF_SL20)
			continue;
		for (r = 0; r < reps; r++)
			col[r] = hall_fig(hr, r, g)[f];
		if (isnan(col[0]))
			continue;
		sim_spread(col, reps, &mean, &half);
		lo = hi = col[0];
		for (r = 1; r < reps; r++) {
			lo = col[r] < lo ? col[r] : lo;
			hi = col[r] > hi ? col[r] : hi;
		}
		json_object_set_new(o, sim_fig_names[f], json_pack("{sfsosfsf}",
		    "mean", mean, "ci95", jci(mean, half, reps), "min", lo,
		    "max", hi));
	}
	free(col);
	return o;
}

static void
hall_text_cell(struct hallrun *hr, int reps, int g, int f, const char *fmt)
{
	double *col = xcalloc((size_t)reps, sizeof *col), mean, half;
	char buf[64];
	int r;

	for (r = 0; r < reps; r++)
		col[r] = hall_fig(hr, r, g)[f];
	sim_spread(col, reps, &mean, &half);
	if (isnan(mean))
		snprintf(buf, sizeof buf, "-");
	else if (reps > 1) {
		int n = snprintf(buf, sizeof buf, fmt, mean);
		snprintf(buf + n, sizeof buf - n, "±");
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), fmt, half);
	} else
		snprintf(buf, sizeof buf, fmt, mean);
	printf(" %*s", reps > 1 ? 15 : 8, buf);
	free(col);
}

static void
hall_text_row(struct hallrun *hr, int reps, const char *label, int g, int util)
{
	printf("%-7s", label);
	hall_text_cell(hr, reps, g, SF_TICKETS, "%.0f");
	hall_text_cell(hr, reps, g, SF_WAIT_MEAN, "%.0f");
	hall_text_cell(hr, reps, g, SF_WAIT_P90, "%.0f");
	hall_text_cell(hr, reps, g, SF_WAIT_MAX, "%.0f");
	hall_text_cell(hr, reps, g, SF_TARGET, "%.3f");
	hall_text_cell(hr, reps, g, SF_10MIN, "%.3f");
	hall_text_cell(hr, reps, g, SF_PASSOVER, "%.0f");
	if (util)
		hall_text_cell(hr, reps, g, SF_UTIL, "%.3f");
	printf("\n");
}

static void
hall_text_head(int reps, const char *first, int util)
{
	static const char *const h[] = { "tickets", "wait_s", "p90_s", "max_s",
	    "target", "10min", "passed_s", "util" };
	int i;

	printf("%-7s", first);
	for (i = 0; i < 7 + util; i++)
		printf(" %*s", reps > 1 ? 15 : 8, h[i]);
	printf("\n");
}

/* --check: the plan checked on the first day simulated (plan.c); -1 when
 * it needs more windows than the simulator takes. */
static int
hall_check(const struct opts *o, struct config *conf, const struct workload *wk,
    const struct sim_model *m, int32_t day, struct plan *pl)
{
	struct sim_window *base = xcalloc((size_t)conf->nwindows + 1, sizeof *base);
	struct plan_day d;
	int i, guard, rc;

	for (guard = 0; guard < CALENDAR_SEARCH_DAYS &&
	    !calendar_is_working_day(&conf->cal, day); guard++)
		day++;
	conf->cal.utc_offset_s = zone_offset(conf->timezone, day);
	memset(&d, 0, sizeof d);
	d.conf = conf;
	d.wl = &wk->wl;
	d.model = m;
	d.base = base;
	d.day_start = calendar_day_start(&conf->cal, day);
	d.target_ms = (int64_t)conf->staffing.target_s * 1000;
	d.level = conf->staffing.level_pct / 100.0;
	d.seed = o->seed;
	d.reps = PLAN_REPS;
	for (i = 0; i < conf->nwindows; i++) {
		base[i].dw.number = conf->windows[i].number;
		base[i].dw.tiers = conf->windows[i].tiers;
		base[i].dw.ntiers = conf->windows[i].ntiers;
		plan_periods(conf, wk->has_hours ? &wk->hours : NULL, i,
		    d.day_start, &base[i]);
	}
	rc = plan_check(&d, pl);
	free(base);
	return rc;
}

static int
hall_main(const struct opts *o)
{
	char err[512];
	struct config *conf;
	struct workload wk;
	struct sim_model m;
	struct sim_window *w;
	struct hallrun hr;
	struct plan pl;
	int64_t hs[DISPATCH_MAX_CLASSES], *prior;
	int32_t day0, day;
	int reps = o->reps > 0 ? o->reps : 1, days = o->days > 0 ? o->days : 1;
	int i, r, k, g, nw, rc = 1;
	double little_max = 0;
	size_t booked_no_show_total = 0;

	if (o->config == NULL || o->workload == NULL)
		usage();
	if (reps > SIM_REPS_MAX || days > SIM_DAYS_MAX) {
		fprintf(stderr, "hallq-sim: at most %d replications of %d days\n",
		    SIM_REPS_MAX, SIM_DAYS_MAX);
		return 2;
	}
	if ((conf = config_load(o->config, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (conf->nwindows > SIM_WINDOWS_MAX || conf->nmatters > SIM_MATTERS_MAX ||
	    conf->nclasses > DISPATCH_MAX_CLASSES) {
		fprintf(stderr, "%s: too many windows, matters or classes for the "
		    "simulator\n", o->config);
		config_free(conf);
		return 1;
	}
	if (workload_load(o->workload, conf, &wk) == -1) {
		config_free(conf);
		return 1;
	}
	if (calendar_parse_date(o->date ? o->date : "2026-12-01", &day0, err,
	    sizeof err) == -1) {
		fprintf(stderr, "hallq-sim: --date: %s\n", err);
		goto out;
	}

	/* The rule and the knobs as the daemon sets them (hall.c, hall_params). */
	if (plan_model(conf, o->policy, hs, &m) == -1) {
		fprintf(stderr, "hallq-sim: no policy \"%s\"\n", o->policy);
		goto out;
	}
	m.noshow_ms = o->noshow_ms;
	prior = xcalloc((size_t)conf->nmatters + 1, sizeof *prior);
	for (i = 0; i < conf->nmatters; i++)
		prior[i] = conf->matters[i].service_ms;
	m.prior_ms = prior;

	wk.wl.tickets_per_day *= o->volume;
	wk.wl.green_class = config_class(conf, "green");
	wk.wl.appt_class = m.rule.appointment_class;
	wk.wl.normal_class = conf->normal_class;
	wk.wl.slot_ms = (int64_t)(conf->appt.enabled ? conf->appt.slot_min : 30) * 60000;
	wk.wl.appt_early = 0.8;

	memset(&pl, 0, sizeof pl);
	if (o->staff)
		plan_make(conf, &wk.wl, conf->staffing.target_s / 60.0,
		    conf->staffing.level_pct / 100.0, &pl);
	if ((o->staff && conf->nwindows + pl.nclones > SIM_WINDOWS_MAX) ||
	    (o->staff && o->check &&
	    hall_check(o, conf, &wk, &m, day0, &pl) == -1)) {
		fprintf(stderr, "hallq-sim: the plan needs more than %d windows, "
		    "more than the simulator takes\n", SIM_WINDOWS_MAX);
		plan_free(&pl);
		free(prior);
		goto out;
	}
	nw = conf->nwindows + pl.nclones;
	w = xcalloc((size_t)nw + 1, sizeof *w);
	for (i = 0; i < conf->nwindows; i++) {
		w[i].dw.number = conf->windows[i].number;
		w[i].dw.tiers = conf->windows[i].tiers;
		w[i].dw.ntiers = conf->windows[i].ntiers;
	}

	memset(&hr, 0, sizeof hr);
	hr.conf = conf;
	hr.nm = conf->nmatters;
	hr.nc = conf->nclasses;
	hr.nw = nw;
	hr.g_matter = 1;
	hr.g_hour = hr.g_matter + hr.nm;
	hr.g_class = hr.g_hour + SIM_HOURS;
	hr.g_window = hr.g_class + hr.nc;
	hr.ngroups = hr.g_window + hr.nw;
	hr.v = xcalloc((size_t)reps * hr.ngroups * SF_MAX, sizeof *hr.v);
	hr.target = xcalloc((size_t)conf->nmatters + 1, sizeof *hr.target);
	for (i = 0; i < conf->nmatters; i++)
		hr.target[i] = conf->matters[i].target_wait_ms;

	for (r = 0; r < reps; r++) {
		struct sim_ticket *all = NULL;
		size_t nall = 0;
		double *busy = xcalloc((size_t)hr.nw * SIM_HOURS + 1, sizeof *busy);
		double *open = xcalloc((size_t)hr.nw * SIM_HOURS + 1, sizeof *open);

		day = day0;
		for (k = 0; k < days; k++) {
			struct sim_rng rng;
			struct sim_ticket *t;
			struct sim_result res;
			size_t nt, bns, j;
			double sumw = 0, rel;
			int guard;

			for (guard = 0; guard < CALENDAR_SEARCH_DAYS &&
			    !calendar_is_working_day(&conf->cal, day); guard++)
				day++;
			conf->cal.utc_offset_s = zone_offset(conf->timezone, day);
			m.day_start = calendar_day_start(&conf->cal, day);
			m.obs_from = m.day_start;
			m.obs_to = m.day_start + 2 * CALENDAR_DAY_MS;
			for (i = 0; i < conf->nwindows; i++)
				plan_periods(conf, wk.has_hours ? &wk.hours : NULL, i,
				    m.day_start, &w[i]);
			if (o->staff)
				plan_apply(conf, &pl, w, m.day_start);
			sim_rng_seed(&rng, o->seed, (uint64_t)r << 20 | (uint64_t)k);
			nt = sim_gen_day(&wk.wl, w, nw, m.day_start, &rng, &t, &bns);
			booked_no_show_total += bns;
			sim_result_init(&res, nw);
			if (sim_run(&m, w, nw, t, nt, &res) == -1)
				fatalx("replication %d, day %d did not end", r, k);
			sim_passover(t, nt, conf->nmatters);
			/* Little over the whole day: the queue's area is the sum
			 * of every ticket's time in it. */
			for (j = 0; j < nt; j++)
				if (!t[j].refused)
					sumw += (double)((t[j].called >= 0 ?
					    t[j].called : res.t_end) - t[j].issued);
			rel = fabs(res.q_area - sumw) / (sumw > 0 ? sumw : 1);
			if (rel > little_max)
				little_max = rel;
			for (j = 0; j < (size_t)hr.nw * SIM_HOURS; j++) {
				busy[j] += res.busy[j];
				open[j] += res.open[j];
			}
			all = xrealloc(all, (nall + nt + 1) * sizeof *all);
			memcpy(all + nall, t, nt * sizeof *t);
			nall += nt;
			sim_result_free(&res);
			free(t);
			day++;
		}
		for (g = 0; g < hr.ngroups; g++) {
			struct sim_filter f = { -1, -1, -1, 0, 0 };
			double *fig = hall_fig(&hr, r, g), b = 0, op = 0;
			int h;

			if (g >= hr.g_window) {
				for (h = 0; h < SIM_HOURS; h++) {
					b += busy[(size_t)(g - hr.g_window) * SIM_HOURS + h];
					op += open[(size_t)(g - hr.g_window) * SIM_HOURS + h];
				}
				for (h = 0; h < SF_MAX; h++)
					fig[h] = NAN;
				fig[SF_UTIL] = op > 0 ? b / op : NAN;
				continue;
			}
			if (g >= hr.g_class)
				f.cls = g - hr.g_class;
			else if (g >= hr.g_hour)
				f.hour = g - hr.g_hour;
			else if (g >= hr.g_matter)
				f.matter = g - hr.g_matter;
			sim_figures(all, nall, &f, hr.target, fig);
			fig[SF_UTIL] = NAN;
			if (g == G_ALL || f.hour >= 0) {
				for (i = 0; i < hr.nw; i++)
					for (h = 0; h < SIM_HOURS; h++)
						if (f.hour < 0 || f.hour == h) {
							b += busy[(size_t)i * SIM_HOURS + h];
							op += open[(size_t)i * SIM_HOURS + h];
						}
				fig[SF_UTIL] = op > 0 ? b / op : NAN;
			}
		}
		free(all);
		free(busy);
		free(open);
	}

	if (o->json) {
		json_t *root = json_object(), *x;

		json_object_set_new(root, "config", json_string(o->config));
		json_object_set_new(root, "workload", json_string(o->workload));
		json_object_set_new(root, "policy", json_string(m.policy->name));
		json_object_set_new(root, "seed", json_integer((json_int_t)o->seed));
		json_object_set_new(root, "reps", json_integer(reps));
		json_object_set_new(root, "days", json_integer(days));
		json_object_set_new(root, "volume", json_real(o->volume));
		json_object_set_new(root, "max_head_start_s", json_integer(0));
		for (i = 0; i < conf->nclasses; i++)
			if (hs[i] / 1000 > json_integer_value(json_object_get(root,
			    "max_head_start_s")))
				json_object_set_new(root, "max_head_start_s",
				    json_integer(hs[i] / 1000));
		json_object_set_new(root, "booked_no_shows_per_rep",
		    json_real((double)booked_no_show_total / reps));
		json_object_set_new(root, "little_max_rel_err", json_real(little_max));
		json_object_set_new(root, "all", hall_json_group(&hr, reps, G_ALL));
		x = json_object();
		for (i = 0; i < hr.nm; i++)
			json_object_set_new(x, conf->matters[i].code,
			    hall_json_group(&hr, reps, hr.g_matter + i));
		json_object_set_new(root, "matters", x);
		x = json_object();
		for (i = 0; i < SIM_HOURS; i++) {
			double tk = 0;
			for (r = 0; r < reps; r++)
				tk += hall_fig(&hr, r, hr.g_hour + i)[SF_TICKETS] +
				    hall_fig(&hr, r, hr.g_hour + i)[SF_REFUSED];
			if (tk > 0 || !isnan(hall_fig(&hr, 0, hr.g_hour + i)[SF_UTIL]))
				json_object_set_new(x, hour_name(i),
				    hall_json_group(&hr, reps, hr.g_hour + i));
		}
		json_object_set_new(root, "hours", x);
		x = json_object();
		for (i = 0; i < hr.nc; i++)
			json_object_set_new(x, conf->classes[i].name,
			    hall_json_group(&hr, reps, hr.g_class + i));
		json_object_set_new(root, "classes", x);
		x = json_object();
		for (i = 0; i < hr.nw; i++) {
			char num[16];
			snprintf(num, sizeof num, "%d", w[i].dw.number);
			json_object_set_new(x, num,
			    hall_json_group(&hr, reps, hr.g_window + i));
		}
		json_object_set_new(root, "windows", x);
		if (o->staff)
			json_object_set_new(root, "plan", hall_plan_json(conf, &pl));
		json_print(root);
		json_decref(root);
	} else {
		printf("hallq-sim: %s + %s, policy %s, seed %llu, %d rep%s x %d "
		    "day%s%s\n", o->config, o->workload, m.policy->name,
		    (unsigned long long)o->seed, reps, reps == 1 ? "" : "s", days,
		    days == 1 ? "" : "s", reps > 1 ? " (mean ± 95% half-width)" : "");
		hall_text_head(reps, "", 1);
		hall_text_row(&hr, reps, "all", G_ALL, 1);
		printf("  refused (matter closed for today) %.1f, never called %.1f, "
		    "no-shows %.1f, bookings never come %.1f per rep; Little off by "
		    "%.2g\n\n", hall_fig(&hr, 0, G_ALL)[SF_REFUSED],
		    hall_fig(&hr, 0, G_ALL)[SF_UNSERVED],
		    hall_fig(&hr, 0, G_ALL)[SF_NO_SHOWS],
		    (double)booked_no_show_total / reps, little_max);
		hall_text_head(reps, "matter", 0);
		for (i = 0; i < hr.nm; i++)
			hall_text_row(&hr, reps, conf->matters[i].code,
			    hr.g_matter + i, 0);
		printf("\n");
		hall_text_head(reps, "hour", 1);
		for (i = 0; i < SIM_HOURS; i++)
			if (hall_fig(&hr, 0, hr.g_hour + i)[SF_TICKETS] > 0 ||
			    !isnan(hall_fig(&hr, 0, hr.g_hour + i)[SF_UTIL]))
				hall_text_row(&hr, reps, hour_name(i), hr.g_hour + i, 1);
		printf("\n");
		hall_text_head(reps, "class", 0);
		for (i = 0; i < hr.nc; i++)
			hall_text_row(&hr, reps, conf->classes[i].name,
			    hr.g_class + i, 0);
		if (o->staff)
			hall_plan_text(conf, &pl);
		printf("\nwindow utilisation:");
		for (i = 0; i < hr.nw; i++)
			printf("%s %d:%.2f", i % 10 == 0 ? "\n " : "",
			    w[i].dw.number,
			    hall_fig(&hr, 0, hr.g_window + i)[SF_UTIL]);
		printf("\n");
	}
	rc = 0;
	plan_free(&pl);
	free(hr.v);
	free(hr.target);
	free(w);
	free(prior);
out:
	workload_free(&wk);
	config_free(conf);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "days", required_argument, NULL, 'd' },
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "mmc", required_argument, NULL, 'm' },
		{ "arrivals", required_argument, NULL, 'a' },
		{ "date", required_argument, NULL, 'D' },
		{ "volume", required_argument, NULL, 'V' },
		{ "noshow-s", required_argument, NULL, 'N' },
		{ "list-policies", no_argument, NULL, 'L' },
		{ "staff", no_argument, NULL, 'S' },
		{ "check", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	const struct dispatch_policy *p;
	char *end;
	int ch;

	memset(&o, 0, sizeof o);
	o.seed = 1;
	o.volume = 1;
	o.noshow_ms = 60000;
	log_init(1, 0);
	while ((ch = getopt_long(argc, argv, "f:w:", longopts, NULL)) != -1) {
		errno = 0;
		switch (ch) {
		case 'f':
			o.config = optarg;
			break;
		case 'w':
			o.workload = optarg;
			break;
		case 's':
			o.seed = strtoull(optarg, &end, 10);
			if (errno || *end != '\0')
				usage();
			break;
		case 'r':
			o.reps = (int)strtol(optarg, &end, 10);
			if (errno || *end != '\0' || o.reps < 1)
				usage();
			break;
		case 'd':
			o.days = (int)strtol(optarg, &end, 10);
			if (errno || *end != '\0' || o.days < 1)
				usage();
			break;
		case 'a':
			o.arrivals = strtol(optarg, &end, 10);
			if (errno || *end != '\0' || o.arrivals < 100)
				usage();
			break;
		case 'V':
			o.volume = strtod(optarg, &end);
			if (errno || *end != '\0' || !(o.volume >= 0 && o.volume <= 100))
				usage();
			break;
		case 'N':
			o.noshow_ms = strtol(optarg, &end, 10) * 1000;
			if (errno || *end != '\0' || o.noshow_ms < 0 ||
			    o.noshow_ms > 3600000)
				usage();
			break;
		case 'p':
			o.policy = optarg;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'm':
			o.mmc = optarg;
			break;
		case 'D':
			o.date = optarg;
			break;
		case 'S':
			o.staff = 1;
			break;
		case 'C':
			o.staff = o.check = 1;
			break;
		case 'L':
			for (p = dispatch_policies; p->name != NULL; p++)
				printf("%s\n", p->name);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (o.mmc != NULL)
		return mmc_main(&o);
	return hall_main(&o);
}

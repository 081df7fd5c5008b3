/* plan_job.c — hallqd's staffing job (plan_job.h): reads the job, the
 * configuration file itself, simulates the day under the plan (plan.c) and
 * writes "checked" into the answer.  Runs on the reporter's thread: it
 * touches no hall state, only the job it was given. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limit.h"
#include "plan.h"
#include "plan_job.h"
#include "util.h"

static double
pj_round1(double x)
{
	return round(x * 10) / 10;
}

/* One hour's "checked": the windows each group opens (the most at once
 * in the hour), those beyond the hall's, the level the simulation reached. */
static json_t *
pj_hour(const struct config *conf, const struct plan *pl, int h)
{
	json_t *groups = json_array(), *ws, *o;
	int g, i, total = 0, beyond = 0, kept = 0;

	for (g = 0; g < pl->ngroups; g++) {
		int open = pl->open[g * SIM_HOURS + h], planned =
		    pl->need[g * SIM_HOURS + h] >= 0;

		if (open == 0)
			continue;
		if (planned) {
			total += open;
			beyond += pl->beyond[g * SIM_HOURS + h];
		} else
			kept += open;
		ws = json_array();
		for (i = 0; i < conf->nwindows; i++)
			if (pl->group[i] == g)
				json_array_append_new(ws,
				    json_integer(conf->windows[i].number));
		o = json_pack("{s:o, s:i, s:i, s:b}", "windows", ws, "open", open,
		    "beyond", pl->beyond[g * SIM_HOURS + h], "planned", planned);
		if (conf->windows[pl->first[g]].kind != NULL)
			json_object_set_new(o, "kind",
			    json_string(conf->windows[pl->first[g]].kind));
		json_array_append_new(groups, o);
	}
	return json_pack("{s:i, s:i, s:i, s:o, s:o}", "windows", total,
	    "beyond", beyond, "kept", kept, "groups", groups,
	    "level_pct_reached", pl->level[h] >= 0 ?
	    json_real(pj_round1(pl->level[h] * 100)) : json_null());
}

static json_t *
pj_unchecked(json_t *reply, const char *why)
{
	json_object_set_new(reply, "checked_by", json_null());
	json_object_set_new(reply, "check_error", json_string(why));
	return reply;
}

json_t *
plan_job_run(const json_t *job)
{
	json_t *reply = json_deep_copy(json_object_get(job, "reply")), *a, *e;
	const char *path = json_string_value(json_object_get(job, "config"));
	/* The configuration in force (advice.c), not the file: it may have
	 * been edited since it was read. */
	const char *text = json_string_value(json_object_get(job, "config_text"));
	json_t *rates = json_object_get(job, "rates"),
	    *svc = json_object_get(job, "service_ms"),
	    *codes = json_object_get(job, "matters");
	struct config *conf;
	struct sim_workload wl;
	struct sim_model m;
	struct sim_window *base;
	struct plan pl;
	struct plan_day d;
	double *rate, *service, *cv, *share;
	int64_t hs[DISPATCH_MAX_CLASSES], *prior;
	char err[512];
	int nm, mi, h, i;
	size_t k;

	if (reply == NULL)
		reply = json_object();
	if (text == NULL || *text == '\0' ||
	    (conf = config_parse(path ? path : "configuration", text, err,
	    sizeof err)) == NULL)
		return pj_unchecked(reply, text == NULL || *text == '\0' ?
		    "no configuration" : err);
	nm = conf->nmatters;
	if ((size_t)nm != json_array_size(codes) || (size_t)nm !=
	    json_array_size(rates) || (size_t)nm != json_array_size(svc) ||
	    conf->nwindows > SIM_WINDOWS_MAX || nm > SIM_MATTERS_MAX ||
	    plan_model(conf, NULL, hs, &m) == -1) {
		config_free(conf);
		return pj_unchecked(reply, "the hall is larger than the "
		    "simulator takes");
	}
	conf->cal.utc_offset_s = (int32_t)json_integer_value(json_object_get(job,
	    "utc_offset_s"));
	rate = xcalloc((size_t)nm * SIM_HOURS + 1, sizeof *rate);
	service = xcalloc((size_t)nm + 1, sizeof *service);
	cv = xcalloc((size_t)nm + 1, sizeof *cv);
	share = xcalloc((size_t)nm + 1, sizeof *share);
	prior = xcalloc((size_t)nm + 1, sizeof *prior);
	for (mi = 0; mi < nm; mi++) {
		a = json_array_get(rates, (size_t)mi);
		json_array_foreach(a, k, e)
			if (k < SIM_HOURS && json_number_value(e) > 0)
				rate[mi * SIM_HOURS + (int)k] = json_number_value(e);
		prior[mi] = json_integer_value(json_array_get(svc, (size_t)mi));
		if (prior[mi] <= 0)
			prior[mi] = conf->matters[mi].service_ms;
		service[mi] = (double)prior[mi];
		cv[mi] = 1;	/* as variable as Erlang C's exponential */
	}
	/* The forecast has no classes: everyone comes as a normal ticket,
	 * nobody fails to come. */
	memset(&wl, 0, sizeof wl);
	wl.nmatters = nm;
	wl.share = share;
	wl.service_ms = service;
	wl.cv = cv;
	wl.rate = rate;
	wl.green_class = wl.appt_class = -1;
	wl.normal_class = conf->normal_class;
	wl.slot_ms = 30 * 60000;
	m.prior_ms = prior;
	m.noshow_ms = 0;

	memset(&d, 0, sizeof d);
	d.conf = conf;
	d.wl = &wl;
	d.model = &m;
	d.day_start = json_integer_value(json_object_get(job, "day_start"));
	d.target_ms = json_integer_value(json_object_get(job, "target_s")) * 1000;
	d.level = (double)json_integer_value(json_object_get(job, "level_pct")) /
	    100;
	d.seed = PLAN_JOB_SEED;
	d.reps = PLAN_REPS;
	base = xcalloc((size_t)conf->nwindows + 1, sizeof *base);
	for (i = 0; i < conf->nwindows; i++) {
		base[i].dw.number = conf->windows[i].number;
		base[i].dw.tiers = conf->windows[i].tiers;
		base[i].dw.ntiers = conf->windows[i].ntiers;
		plan_periods(conf, NULL, i, d.day_start, &base[i]);
	}
	d.base = base;
	plan_make(conf, &wl, (double)d.target_ms / 60000, d.level, &pl);
	if (plan_check(&d, &pl) == -1) {
		pj_unchecked(reply, "the plan needs more windows than the "
		    "simulator takes (" LIMIT_STR(SIM_WINDOWS_MAX) ")");
		goto done;
	}
	json_array_foreach(json_object_get(reply, "hours"), k, e) {
		h = (int)json_integer_value(json_object_get(e, "hour"));
		if (h >= 0 && h < SIM_HOURS)
			json_object_set_new(e, "checked", pj_hour(conf, &pl, h));
	}
	json_object_set_new(reply, "checked_by", json_string("simulation"));
	json_object_set_new(reply, "seed", json_integer(PLAN_JOB_SEED));
	json_object_set_new(reply, "reps", json_integer(PLAN_REPS));
	json_object_set_new(reply, "evals", json_integer(pl.evals));
done:
	plan_free(&pl);
	free(base);
	free(rate);
	free(service);
	free(cv);
	free(share);
	free(prior);
	config_free(conf);
	return reply;
}

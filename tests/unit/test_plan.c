/* test_plan.c — the staffing planner (sim/plan.c) on a small hall where
 * pooling matters: two matters of 2 erlangs each in the busy hours, either
 * on windows of their own (6 + 6) or on the same 12 windows as one pool.
 * Erlang C per matter ignores the pool; the plan checked by simulation
 * needs fewer windows for the pooled hall than the per-matter sum, reaches
 * the level in every hour, says copies past the hall's size, and is the
 * same for the same seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "config.h"
#include "plan.h"
#include "staffing.h"
#include "util.h"

#define HEAD	"{\"hall\": {\"name\": \"t\", \"timezone\": \"Asia/Shanghai\"}," \
		" \"listen\": \"127.0.0.1:8080\", \"database\": \"t.db\"," \
		" \"web\": {\"root\": \"web\"}, \"tokens\": {\"manager\": [\"m1\"]}," \
		" \"classes\": {\"green\": {\"head_start_s\": 900}, \"normal\": {\"head_start_s\": 0}}," \
		" \"domains\": {\"A\": \"甲\", \"B\": \"乙\"}," \
		" \"matters\": [{\"code\": \"A01\", \"name\": \"甲\", \"domain\": \"A\"," \
		" \"prefix\": \"A\", \"service_s\": 600}, {\"code\": \"B01\", \"name\": \"乙\"," \
		" \"domain\": \"B\", \"prefix\": \"B\", \"service_s\": 600}], \"windows\": ["

#define TARGET_MIN	15.0
#define LEVEL		0.8
#define BUSY_FROM	9
#define BUSY_TO		17

/* The windows' JSON: n windows numbered from `from` with these tiers. */
static void
windows(char *buf, size_t len, int from, int n, const char *tiers, int more)
{
	size_t at = strlen(buf);
	int i;

	for (i = 0; i < n; i++)
		at += (size_t)snprintf(buf + at, len - at, "{\"number\": %d, "
		    "\"tiers\": %s}%s", from + i, tiers, i + 1 < n || more ? ", " :
		    "");
}

static struct config *
hall(const char *a, int na, const char *b, int nb)
{
	static char text[8192];
	char err[256];
	struct config *c;

	snprintf(text, sizeof text, "%s", HEAD);
	windows(text, sizeof text, 1, na, a, nb > 0);
	windows(text, sizeof text, 1 + na, nb, b, 0);
	strcat(text, "]}");
	if ((c = config_parse("t.json", text, err, sizeof err)) == NULL) {
		fprintf(stderr, "test bug: %s\n", err);
		abort();
	}
	return c;
}

struct day {
	double			 rate[2 * SIM_HOURS], svc[2], cv[2], share[2];
	int64_t			 hs[DISPATCH_MAX_CLASSES];
	struct sim_workload	 wl;
	struct sim_model	 m;
	struct sim_window	*base;
	struct plan_day		 d;
};

static void
day_init(struct day *x, struct config *c)
{
	int h, i;

	memset(x, 0, sizeof *x);
	for (h = BUSY_FROM; h < BUSY_TO; h++)
		x->rate[h] = x->rate[SIM_HOURS + h] = 12;	/* 2 erlangs each */
	x->svc[0] = x->svc[1] = 600000;
	x->cv[0] = x->cv[1] = 1;
	x->wl.nmatters = 2;
	x->wl.share = x->share;
	x->wl.service_ms = x->svc;
	x->wl.cv = x->cv;
	x->wl.rate = x->rate;
	x->wl.green_class = x->wl.appt_class = -1;
	x->wl.normal_class = c->normal_class;
	x->wl.slot_ms = 1800000;
	if (plan_model(c, NULL, x->hs, &x->m) == -1)
		abort();
	x->base = xcalloc((size_t)c->nwindows, sizeof *x->base);
	for (i = 0; i < c->nwindows; i++) {
		x->base[i].dw.number = c->windows[i].number;
		x->base[i].dw.tiers = c->windows[i].tiers;
		x->base[i].dw.ntiers = c->windows[i].ntiers;
		plan_periods(c, NULL, i, 0, &x->base[i]);
	}
	x->d.conf = c;
	x->d.wl = &x->wl;
	x->d.model = &x->m;
	x->d.base = x->base;
	x->d.day_start = 0;
	x->d.target_ms = (int64_t)(TARGET_MIN * 60000);
	x->d.level = LEVEL;
	x->d.seed = 20261201;
	x->d.reps = 12;		/* a small hall: more days for the same noise */
}

/* Erlang C for each matter alone, summed (GET /api/staffing's
 * "recommended"). */
static int
per_matter_sum(const struct day *x, int h)
{
	int mi, n = 0;

	for (mi = 0; mi < 2; mi++) {
		double l = staffing_lagged(&x->rate[mi * SIM_HOURS], SIM_HOURS, h,
		    x->svc[mi] / 3600000);
		if (l > 0)
			n += staffing_windows(l / 60, 60000 / x->svc[mi], TARGET_MIN,
			    LEVEL, 100);
	}
	return n;
}

static int
planned_open(const struct plan *pl, int h, int *beyond)
{
	int g, n = 0;

	*beyond = 0;
	for (g = 0; g < pl->ngroups; g++)
		if (pl->need[g * SIM_HOURS + h] >= 0) {
			n += pl->open[g * SIM_HOURS + h];
			*beyond += pl->beyond[g * SIM_HOURS + h];
		}
	return n;
}

int
main(void)
{
	struct config *sep = hall("[[\"A01\"]]", 6, "[[\"B01\"]]", 6);
	struct config *pool = hall("[[\"A01\", \"B01\"]]", 12, NULL, 0);
	struct config *small = hall("[[\"A01\", \"B01\"]]", 2, NULL, 0);
	struct day xs, xp, xq;
	struct plan ps, pp, pp2, pq;
	int h, beyond, open_s, open_p, sum, fewer = 0;

	log_init(1, 0);
	day_init(&xs, sep);
	day_init(&xp, pool);
	day_init(&xq, small);

	/* Groups: windows with the same tiers; each matter's home. */
	plan_make(sep, &xs.wl, TARGET_MIN, LEVEL, &ps);
	plan_make(pool, &xp.wl, TARGET_MIN, LEVEL, &pp);
	CHECK_EQ_INT(ps.ngroups, 2);
	CHECK_EQ_INT(pp.ngroups, 1);
	CHECK_EQ_INT(ps.home[0], 0);
	CHECK_EQ_INT(ps.home[1], 1);
	CHECK_EQ_INT(pp.home[0], 0);
	CHECK_EQ_INT(pp.home[1], 0);
	/* Erlang C: the separate hall's groups are the per-matter figures,
	 * the pooled hall's one group the pooled figure. */
	for (h = BUSY_FROM + 1; h < BUSY_TO; h++) {
		CHECK_EQ_INT(ps.need[h] + ps.need[SIM_HOURS + h], per_matter_sum(&xs, h));
		CHECK_EQ_INT(pp.need[h], pp.pooled[h]);
		CHECK(pp.pooled[h] < per_matter_sum(&xp, h));
	}

	plan_check(&xs.d, &ps);
	plan_check(&xp.d, &pp);
	CHECK(ps.checked && pp.checked);
	CHECK(pp.evals >= 1 && pp.evals <= 1 + PLAN_ADD_ROUNDS + 2 * PLAN_CUT_TRIES *
	    SIM_HOURS);
	for (h = BUSY_FROM + 1; h < BUSY_TO; h++) {
		sum = per_matter_sum(&xp, h);
		open_p = planned_open(&pp, h, &beyond);
		if (getenv("TEST_PLAN_VERBOSE") != NULL)
			printf("%02d: per matter %d, pooled %d; checked: pooled "
			    "hall %d (level %.3f), separate %d + %d (level %.3f)\n",
			    h, sum, pp.pooled[h], open_p, pp.level[h], ps.need[h],
			    ps.need[SIM_HOURS + h], ps.level[h]);
		CHECK_EQ_INT(beyond, 0);
		open_s = planned_open(&ps, h, &beyond);
		/* Pooled: fewer than the Erlang C sum, never below pooled. */
		CHECK(open_p < sum);
		CHECK(open_p >= pp.pooled[h]);
		CHECK(open_p <= open_s);
		fewer += open_p < open_s;
		/* Both reach the level in the simulation. */
		CHECK(pp.level[h] >= LEVEL);
		CHECK(ps.level[h] >= LEVEL);
	}
	CHECK(fewer > 0);
	for (h = 0; h < SIM_HOURS; h++)
		if (h < BUSY_FROM || h >= BUSY_TO + 1)
			CHECK(pp.level[h] < 0);	/* nobody came */

	/* The same seed, the same plan. */
	plan_make(pool, &xp.wl, TARGET_MIN, LEVEL, &pp2);
	plan_check(&xp.d, &pp2);
	CHECK(memcmp(pp.need, pp2.need, SIM_HOURS * sizeof *pp.need) == 0);
	CHECK(memcmp(pp.open, pp2.open, SIM_HOURS * sizeof *pp.open) == 0);
	CHECK(memcmp(pp.level, pp2.level, sizeof pp.level) == 0);

	/* Two windows for four erlangs: the plan opens copies (numbered from
	 * 1001) and says so. */
	plan_make(small, &xq.wl, TARGET_MIN, LEVEL, &pq);
	plan_check(&xq.d, &pq);
	open_p = planned_open(&pq, 12, &beyond);
	CHECK(open_p > 2);
	CHECK_EQ_INT(beyond, open_p - 2);
	CHECK(pq.nclones >= beyond);
	CHECK(pq.level[12] >= LEVEL);
	{
		struct sim_window *w = xcalloc((size_t)(2 + pq.nclones),
		    sizeof *w);

		memcpy(w, xq.base, 2 * sizeof *w);
		plan_apply(small, &pq, w, 0);
		CHECK_EQ_INT(w[2].dw.number, 1001);
		CHECK(w[2].nopen > 0);
		free(w);
	}

	if (getenv("TEST_PLAN_VERBOSE") != NULL)
		printf("busy hour 12: per-matter Erlang C %d, pooled %d; checked: "
		    "separate %d, pooled %d; 2-window hall %d (%d beyond)\n",
		    per_matter_sum(&xp, 12), pp.pooled[12], planned_open(&ps, 12,
		    &h), planned_open(&pp, 12, &h), open_p, beyond);
	plan_free(&ps);
	plan_free(&pp);
	plan_free(&pp2);
	plan_free(&pq);
	plan_free(NULL);
	free(xs.base);
	free(xp.base);
	free(xq.base);
	config_free(sep);
	config_free(pool);
	config_free(small);
	return t_done("test_plan");
}

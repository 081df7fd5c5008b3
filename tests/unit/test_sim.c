/* test_sim.c — the simulator's engine (sim/sim.c) on hand-built days whose
 * every call time is known: longest idle window first, head starts, no-shows,
 * tiers opening on overflow, hours with overtime, appointments, the
 * pass-over; Little's law as an identity; the random numbers and the day's
 * demand against their definitions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../sim/sim.h"
#include "util.h"

#define S	1000LL		/* ms per second */
#define FOREVER	(1000000 * S)

enum { GREEN, APPT, NORMAL, NCLASSES };

static int64_t head_start[NCLASSES] = { 900 * S, 600 * S, 0 };

static void
model_init(struct sim_model *m, int nmatters)
{
	memset(m, 0, sizeof *m);
	m->nmatters = nmatters;
	m->policy = dispatch_policy_find("default");
	m->params.nclasses = NCLASSES;
	m->params.aging_ms = 600 * S;
	m->rule.nclasses = NCLASSES;
	m->rule.head_start_ms = head_start;
	m->rule.normal_class = NORMAL;
	m->rule.appointment_class = APPT;
	m->rule.late_ms = 900 * S;
	m->noshow_ms = 60 * S;
	m->day_start = 0;
	m->obs_from = 0;
	m->obs_to = FOREVER;
}

static void
window_init(struct sim_window *w, int number, const struct dispatch_tier *t,
    int ntiers, int64_t from, int64_t to)
{
	memset(w, 0, sizeof *w);
	w->dw.number = number;
	w->dw.tiers = t;
	w->dw.ntiers = ntiers;
	w->nopen = 1;
	w->open_from[0] = from;
	w->open_to[0] = to;
}

static void
ticket(struct sim_ticket *t, int matter, int cls, int64_t issued, int64_t service)
{
	memset(t, 0, sizeof *t);
	t->matter = matter;
	t->cls = cls;
	t->issued = issued;
	t->service_ms = service;
}

/* The queue's area is every ticket's time in it, exactly. */
static void
check_little(const struct sim_ticket *t, size_t n, const struct sim_result *res)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (!t[i].refused)
			sum += (double)((t[i].called >= 0 ? t[i].called : res->t_end) -
			    t[i].issued);
	CHECK(fabs(sum - res->q_area) < 1e-6);
}

static const int m0[] = { 0 }, m1[] = { 1 };

/* Two windows of one matter: the longest idle calls; green's head start
 * takes it past an older normal ticket; pass-over of that ticket. */
static void
test_timeline(void)
{
	struct dispatch_tier tier = { m0, 1, 7, 0 };
	struct sim_window w[2];
	struct sim_ticket t[5];
	struct sim_model m;
	struct sim_result res;

	model_init(&m, 1);
	window_init(&w[0], 1, &tier, 1, 0, FOREVER);
	window_init(&w[1], 2, &tier, 1, 0, FOREVER);
	ticket(&t[0], 0, NORMAL, 0, 100 * S);
	ticket(&t[1], 0, NORMAL, 10 * S, 50 * S);
	ticket(&t[2], 0, NORMAL, 20 * S, 30 * S);
	ticket(&t[3], 0, GREEN, 30 * S, 40 * S);
	ticket(&t[4], 0, NORMAL, 200 * S, 10 * S);
	sim_result_init(&res, 2);
	CHECK_EQ_INT(sim_run(&m, w, 2, t, 5, &res), 0);
	sim_passover(t, 5, 1);
	CHECK_EQ_INT(t[0].called, 0);
	CHECK_EQ_INT(t[0].window, 0);
	CHECK_EQ_INT(t[1].called, 10 * S);
	CHECK_EQ_INT(t[1].window, 1);
	CHECK_EQ_INT(t[3].called, 60 * S);	/* green before the older T2 */
	CHECK_EQ_INT(t[3].window, 1);
	CHECK_EQ_INT(t[2].called, 100 * S);
	CHECK_EQ_INT(t[2].window, 0);
	CHECK_EQ_INT(t[4].called, 200 * S);	/* window 2 idle since 100 s */
	CHECK_EQ_INT(t[4].window, 1);
	CHECK_EQ_INT(t[2].passover_ms, 10 * S);
	CHECK_EQ_INT(t[3].passover_ms, 0);
	CHECK_EQ_INT(t[0].passover_ms + t[1].passover_ms + t[4].passover_ms, 0);
	CHECK_EQ_INT(res.unserved, 0);
	/* Busy: 100 + 30 (window 1), 50 + 40 + 10 (window 2). */
	CHECK_EQ_INT((int64_t)res.busy[0], 130 * S);
	CHECK_EQ_INT((int64_t)res.busy[SIM_HOURS], 100 * S);
	check_little(t, 5, &res);
	sim_result_free(&res);
}

/* A no-show holds the window for its call-and-wait, then the next is called. */
static void
test_no_show(void)
{
	struct dispatch_tier tier = { m0, 1, 7, 0 };
	struct sim_window w;
	struct sim_ticket t[3];
	struct sim_model m;
	struct sim_result res;

	model_init(&m, 1);
	window_init(&w, 1, &tier, 1, 0, FOREVER);
	ticket(&t[0], 0, NORMAL, 0, 500 * S);
	t[0].no_show = 1;
	ticket(&t[1], 0, NORMAL, 1 * S, 100 * S);
	ticket(&t[2], 0, NORMAL, 2 * S, 100 * S);
	sim_result_init(&res, 1);
	CHECK_EQ_INT(sim_run(&m, &w, 1, t, 3, &res), 0);
	CHECK_EQ_INT(t[0].called, 0);
	CHECK_EQ_INT(t[1].called, 60 * S);
	CHECK_EQ_INT(t[2].called, 160 * S);
	CHECK_EQ_INT((int64_t)res.busy[0], 260 * S);
	check_little(t, 3, &res);
	sim_result_free(&res);
}

/* A lower tier waits until its oldest ticket passed the overflow threshold,
 * then the smallest key across the open tiers wins. */
static void
test_overflow(void)
{
	struct dispatch_tier tiers[2] = { { m0, 1, 7, 0 }, { m1, 1, 7, 300 * S } };
	struct sim_window w;
	struct sim_ticket t[4];
	struct sim_model m;
	struct sim_result res;

	model_init(&m, 2);
	window_init(&w, 1, tiers, 2, 0, FOREVER);
	ticket(&t[0], 0, NORMAL, 0, 200 * S);
	ticket(&t[1], 1, NORMAL, 5 * S, 200 * S);
	ticket(&t[2], 0, NORMAL, 10 * S, 200 * S);
	ticket(&t[3], 0, NORMAL, 20 * S, 200 * S);
	sim_result_init(&res, 1);
	CHECK_EQ_INT(sim_run(&m, &w, 1, t, 4, &res), 0);
	CHECK_EQ_INT(t[0].called, 0);
	CHECK_EQ_INT(t[2].called, 200 * S);	/* tier 1 waited 195 s: closed */
	CHECK_EQ_INT(t[1].called, 400 * S);	/* 395 s: open, and the oldest */
	CHECK_EQ_INT(t[3].called, 600 * S);
	check_little(t, 4, &res);
	sim_result_free(&res);
}

/* Hours: nothing called before opening; a service runs past closing
 * (overtime, counted open); the next period calls the waiting; a ticket
 * after the last period is never called. */
static void
test_hours(void)
{
	struct dispatch_tier tier = { m0, 1, 7, 0 };
	struct sim_window w;
	struct sim_ticket t[4];
	struct sim_model m;
	struct sim_result res;

	model_init(&m, 1);
	window_init(&w, 1, &tier, 1, 100 * S, 300 * S);
	w.nopen = 2;
	w.open_from[1] = 400 * S;
	w.open_to[1] = 500 * S;
	ticket(&t[0], 0, NORMAL, 0, 50 * S);
	ticket(&t[1], 0, NORMAL, 280 * S, 100 * S);
	ticket(&t[2], 0, NORMAL, 290 * S, 20 * S);
	ticket(&t[3], 0, NORMAL, 550 * S, 20 * S);
	sim_result_init(&res, 1);
	CHECK_EQ_INT(sim_run(&m, &w, 1, t, 4, &res), 0);
	CHECK_EQ_INT(t[0].called, 100 * S);
	CHECK_EQ_INT(t[1].called, 280 * S);
	CHECK_EQ_INT(t[2].called, 400 * S);
	CHECK_EQ_INT(t[3].called, -1);
	CHECK_EQ_INT(res.unserved, 1);
	CHECK_EQ_INT(res.t_end, 550 * S);
	CHECK_EQ_INT((int64_t)res.open[0], (200 + 100 + 80) * S);
	CHECK_EQ_INT((int64_t)res.busy[0], (50 + 100 + 20) * S);
	check_little(t, 4, &res);
	sim_result_free(&res);
}

/* An appointment on time waits as one from its slot start; one past the
 * late margin waits as normal from its check-in; the issuing cutoff refuses
 * a matter whose windows will not call it today. */
static void
test_appointment_cutoff(void)
{
	struct dispatch_tier tier = { m0, 1, 7, 0 };
	struct sim_window w;
	struct sim_ticket t[5];
	struct sim_model m;
	struct sim_result res;
	int64_t prior[1] = { 100 * S };

	model_init(&m, 1);
	window_init(&w, 1, &tier, 1, 0, 3000 * S);
	ticket(&t[0], 0, NORMAL, 0, 1000 * S);
	ticket(&t[1], 0, NORMAL, 10 * S, 100 * S);
	ticket(&t[2], 0, APPT, 20 * S, 100 * S);	/* early, slot at 600 s */
	t[2].slot = 600 * S;
	ticket(&t[3], 0, APPT, 1000 * S, 100 * S);	/* 1000 s late for its slot */
	t[3].slot = 1 * S;
	ticket(&t[4], 0, NORMAL, 3100 * S, 100 * S);	/* after the last closing */
	sim_result_init(&res, 1);
	m.prior_ms = prior;
	CHECK_EQ_INT(sim_run(&m, &w, 1, t, 5, &res), 0);
	CHECK_EQ_INT(t[2].waits_as, APPT);
	CHECK_EQ_INT(t[2].arrival, 600 * S);
	CHECK_EQ_INT(t[3].waits_as, NORMAL);
	CHECK_EQ_INT(t[3].arrival, 1000 * S);
	CHECK_EQ_INT(t[2].called, 1000 * S);	/* key 0 beats T1's 10 s */
	CHECK_EQ_INT(t[1].called, 1100 * S);
	CHECK_EQ_INT(t[3].called, 1200 * S);
	CHECK_EQ_INT(t[4].refused, 1);
	CHECK_EQ_INT(res.refused, 1);
	check_little(t, 5, &res);
	sim_result_free(&res);
}

/* Pinned: xoshiro256** from splitmix64, the first draws of seed 1. */
static void
test_rng(void)
{
	struct sim_rng r, r2;
	double sum = 0, sumsq = 0, x;
	int i, n = 200000;
	uint64_t a;

	sim_rng_seed(&r, 1, 0);
	sim_rng_seed(&r2, 1, 0);
	a = sim_rng_next(&r);
	CHECK(a == sim_rng_next(&r2));
	sim_rng_seed(&r2, 1, 1);
	CHECK(a != sim_rng_next(&r2));
	for (i = 0; i < n; i++) {
		x = sim_rng_lognormal(&r, 6, 0.7);
		sum += x;
		sumsq += x * x;
	}
	/* Mean 6 and cv 0.7: within 1% and 3% at 200,000 draws. */
	CHECK(fabs(sum / n - 6) < 0.06);
	x = sqrt(sumsq / n - (sum / n) * (sum / n)) / (sum / n);
	CHECK(fabs(x - 0.7) < 0.021);
	for (sum = 0, i = 0; i < n; i++)
		sum += sim_rng_exp(&r, 3);
	CHECK(fabs(sum / n - 3) < 0.03);
}

/* The day's demand: the hour's tickets in the hall's open minutes only, the
 * shares of matters and classes, and the bookings that never come. */
static void
test_gen_day(void)
{
	static const double share[2] = { 0.75, 0.25 }, svc[2] = { 60000, 60000 };
	static const double cv[2] = { 0.5, 0.5 };
	struct dispatch_tier tier = { m0, 1, 7, 0 };
	struct sim_workload wl;
	struct sim_window w;
	struct sim_ticket *t;
	struct sim_rng r;
	size_t n, i, bns, h9 = 0, h10 = 0, mat1 = 0, green = 0, appt = 0;
	int bad = 0;

	memset(&wl, 0, sizeof wl);
	wl.nmatters = 2;
	wl.share = share;
	wl.service_ms = svc;
	wl.cv = cv;
	wl.tickets_per_day = 100000;
	wl.profile[9] = 0.5;
	wl.profile[10] = 0.5;
	wl.green_share = 0.1;
	wl.appt_share = 0.2;
	wl.appt_no_show = 0.5;
	wl.appt_early = 1;
	wl.green_class = GREEN;
	wl.appt_class = APPT;
	wl.normal_class = NORMAL;
	wl.slot_ms = 1800 * S;
	/* Open 09:30-11:00: hour 9 has half an hour, hour 10 all of it. */
	window_init(&w, 1, &tier, 1, 9 * SIM_HOUR_MS + 1800 * S, 11 * SIM_HOUR_MS);
	sim_rng_seed(&r, 7, 0);
	n = sim_gen_day(&wl, &w, 1, 0, &r, &t, &bns);
	for (i = 0; i < n; i++) {
		if (i > 0 && t[i].issued < t[i - 1].issued)
			bad++;		/* sorted */
		if (t[i].issued < 9 * SIM_HOUR_MS + 1800 * S ||
		    t[i].issued >= 11 * SIM_HOUR_MS)
			bad++;		/* only while open */
		h9 += t[i].issued < 10 * SIM_HOUR_MS;
		h10 += t[i].issued >= 10 * SIM_HOUR_MS;
		mat1 += t[i].matter == 1;
		green += t[i].cls == GREEN;
		if (t[i].cls == APPT) {
			appt++;
			if (t[i].slot < t[i].issued || t[i].slot % (1800 * S) != 0 ||
			    t[i].slot - t[i].issued >= 1800 * S)
				bad++;	/* the next slot start */
		}
	}
	CHECK_EQ_INT(bad, 0);
	/* 100,000 expected less 10,000 bookings never come: 90,000, sd 300. */
	CHECK(n > 89000 && n < 91000);
	CHECK(bns > 9500 && bns < 10500);
	CHECK(fabs((double)h9 / (h9 + h10) - 0.5) < 0.01);
	CHECK(fabs((double)mat1 / n - 0.25) < 0.01);
	CHECK(fabs((double)green / n - 0.1 / 0.9) < 0.01);
	CHECK(fabs((double)appt / n - 0.1 / 0.9) < 0.01);
	free(t);
}

/* Figures: shares are of all tickets, waits of called ones; p90. */
static void
test_figures(void)
{
	struct sim_ticket t[10];
	struct sim_filter f = { -1, -1, -1, 0, 0 };
	int64_t target[1] = { 300 * S };
	double fig[SF_MAX];
	int i;

	for (i = 0; i < 10; i++) {
		ticket(&t[i], 0, NORMAL, 0, 1);
		t[i].waits_as = NORMAL;
		t[i].called = (int64_t)i * 100 * S;
		t[i].passover_ms = i == 3 ? 42 * S : 0;
	}
	t[9].called = -1;
	sim_figures(t, 10, &f, target, fig);
	CHECK_EQ_INT(fig[SF_TICKETS], 10);
	CHECK_EQ_INT(fig[SF_UNSERVED], 1);
	CHECK(fabs(fig[SF_WAIT_MEAN] - 400) < 1e-9);
	CHECK(fabs(fig[SF_WAIT_P90] - 800) < 1e-9);
	CHECK(fabs(fig[SF_WAIT_MAX] - 800) < 1e-9);
	CHECK(fabs(fig[SF_TARGET] - 0.4) < 1e-9);
	CHECK(fabs(fig[SF_10MIN] - 0.7) < 1e-9);
	CHECK(fabs(fig[SF_P_WAIT] - 8.0 / 9) < 1e-9);
	CHECK(fabs(fig[SF_PASSOVER] - 42) < 1e-9);
	CHECK(fabs(sim_t975(19) - 2.093) < 1e-9);
}

int
main(void)
{
	test_timeline();
	test_no_show();
	test_overflow();
	test_hours();
	test_appointment_cutoff();
	test_rng();
	test_gen_day();
	test_figures();
	return t_done("test_sim");
}

/* stats.c — the figures hallq-sim reports, from a run's tickets, and their
 * 95% intervals over replications (Student's t).  Pure arithmetic. */
#include <math.h>
#include <stdlib.h>

#include "sim.h"
#include "util.h"

const char *const sim_fig_names[SF_MAX] = {
	"tickets", "refused", "no_shows", "unserved", "wait_mean_s",
	"wait_p90_s", "wait_max_s", "within_target", "within_10min",
	"passover_max_s", "utilisation", "p_wait", "sl_20s",
};

static int
sim_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
sim_match(const struct sim_ticket *t, const struct sim_filter *f)
{
	if (f->matter >= 0 && t->matter != f->matter)
		return 0;
	if (f->hour >= 0 && t->hour != f->hour)
		return 0;
	if (f->cls >= 0 && t->waits_as != f->cls)
		return 0;
	if (f->to != 0 && (t->issued < f->from || t->issued >= f->to))
		return 0;
	return 1;
}

/* fig[SF_UTIL] is left alone: it is of windows, not tickets.  Waits are of
 * tickets called; shares within a time are of all tickets issued, so a
 * ticket never called counts against them. */
void
sim_figures(const struct sim_ticket *t, size_t nt, const struct sim_filter *f,
    const int64_t *target_ms, double *fig)
{
	int64_t *w = xcalloc(nt + 1, sizeof *w), pmax = 0;
	size_t i, n = 0, issued = 0, refused = 0, noshow = 0, unserved = 0;
	size_t target = 0, ten = 0, waited = 0, sl20 = 0;
	double sum = 0;

	for (i = 0; i < nt; i++) {
		const struct sim_ticket *x = &t[i];
		int64_t wt;

		if (!sim_match(x, f))
			continue;
		if (x->refused) {
			refused++;
			continue;
		}
		issued++;
		if (x->passover_ms > pmax)
			pmax = x->passover_ms;
		if (x->called < 0) {
			unserved++;
			continue;
		}
		noshow += x->no_show != 0;
		wt = x->called - x->issued;
		w[n++] = wt;
		sum += (double)wt;
		if (target_ms != NULL && wt <= target_ms[x->matter])
			target++;
		if (wt <= 600000)
			ten++;
		if (wt > 0)
			waited++;
		if (wt <= 20000)
			sl20++;
	}
	qsort(w, n, sizeof *w, sim_cmp_i64);
	fig[SF_TICKETS] = (double)issued;
	fig[SF_REFUSED] = (double)refused;
	fig[SF_NO_SHOWS] = (double)noshow;
	fig[SF_UNSERVED] = (double)unserved;
	fig[SF_WAIT_MEAN] = n ? sum / (double)n / 1000 : 0;
	/* p90: the smallest wait at least 90% of called tickets had. */
	fig[SF_WAIT_P90] = n ? (double)w[(size_t)ceil(0.9 * (double)n) - 1] / 1000 : 0;
	fig[SF_WAIT_MAX] = n ? (double)w[n - 1] / 1000 : 0;
	fig[SF_TARGET] = issued ? (double)target / (double)issued : 0;
	fig[SF_10MIN] = issued ? (double)ten / (double)issued : 0;
	fig[SF_PASSOVER] = (double)pmax / 1000;
	fig[SF_P_WAIT] = n ? (double)waited / (double)n : 0;
	fig[SF_SL20] = n ? (double)sl20 / (double)n : 0;
	free(w);
}

/* Student's t, 97.5th percentile, df degrees of freedom. */
double
sim_t975(int df)
{
	static const double t[] = { 0, 12.706, 4.303, 3.182, 2.776, 2.571,
	    2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
	    2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
	    2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };

	if (df < 1)
		return INFINITY;
	if (df <= 30)
		return t[df];
	return 1.96 + 2.5 / df;	/* within 0.002 of the table past 30 */
}

/* Mean of n values and the half-width of its 95% interval (0 for n < 2). */
void
sim_spread(const double *v, int n, double *mean, double *half)
{
	double s = 0, ss = 0;
	int i;

	for (i = 0; i < n; i++)
		s += v[i];
	*mean = n ? s / n : 0;
	*half = 0;
	if (n < 2)
		return;
	for (i = 0; i < n; i++)
		ss += (v[i] - *mean) * (v[i] - *mean);
	*half = sim_t975(n - 1) * sqrt(ss / (n - 1)) / sqrt((double)n);
}

/* project.c — see project.h. */
#include <stdlib.h>
#include <string.h>

#include "project.h"
#include "util.h"

#define PROJECT_MAX_STEPS	200000	/* calls and arrivals, at most */

struct arrival {
	int64_t	 at;
	int	 matter;
};

static int
cmp_arrival(const void *a, const void *b)
{
	const struct arrival *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->matter - y->matter;
}

static void
count_wait(struct project_out *o, int matter, int64_t w)
{
	if (w < 0)
		w = 0;
	o->n[matter]++;
	o->wait_sum[matter] += (double)w;
	if (w > o->wait_max[matter])
		o->wait_max[matter] = w;
}

int
project_run(const struct project_in *in, struct project_out *out)
{
	struct dispatch *d;
	struct arrival *arr = NULL;
	struct dispatch_ticket t, got;
	int64_t *free_at, span = in->arrive_until - in->now, next_id = -1, now;
	size_t narr = 0, ai = 0, cap = 0;
	int i, m, k, steps = 0, normal;

	if (span <= 0 || in->until < in->arrive_until || in->nmatters <= 0 ||
	    in->nwindows < 0)
		return -1;
	normal = in->rule->normal_class;
	/* Arrivals spread evenly over the span at each matter's rate. */
	for (m = 0; m < in->nmatters; m++) {
		double n = in->per_hour[m] * (double)span / 3600000.0;
		int cnt = (int)(n + 0.5);

		if (cnt <= 0)
			continue;
		if (cnt > 10000)
			cnt = 10000;
		for (k = 0; k < cnt; k++) {
			if (narr == cap) {
				cap = cap ? cap * 2 : 64;
				arr = xrealloc(arr, cap * sizeof *arr);
			}
			arr[narr].at = in->now + (int64_t)((k + 0.5) * span / cnt);
			arr[narr++].matter = m;
		}
	}
	if (narr > 0)
		qsort(arr, narr, sizeof *arr, cmp_arrival);
	d = dispatch_new(in->nmatters, in->nclasses);
	for (i = 0; i < in->nwaiting; i++)
		dispatch_add(d, &in->waiting[i]);
	free_at = xcalloc((size_t)in->nwindows + 1, sizeof *free_at);
	for (i = 0; i < in->nwindows; i++)
		free_at[i] = in->windows[i].free_at > in->now ?
		    in->windows[i].free_at : in->now;
	for (;;) {
		int64_t next = in->until;

		for (i = 0; i < in->nwindows; i++)
			if (free_at[i] < next)
				next = free_at[i];
		if (ai < narr && arr[ai].at < next)
			next = arr[ai].at;
		if (next >= in->until || ++steps > PROJECT_MAX_STEPS)
			break;
		now = next;
		while (ai < narr && arr[ai].at <= now) {
			memset(&t, 0, sizeof t);
			t.id = next_id--;
			t.matter = arr[ai].matter;
			t.cls = normal;
			t.arrival = arr[ai].at;
			t.key = dispatch_key(in->rule, normal, t.arrival);
			dispatch_add(d, &t);
			ai++;
		}
		for (i = 0; i < in->nwindows; i++) {
			if (free_at[i] > now)
				continue;
			if (in->policy->pick(d, &in->windows[i].dw, in->params, now,
			    &got) == 0) {
				dispatch_remove(d, &got);
				count_wait(out, got.matter, now - got.arrival);
				free_at[i] = now + (in->service_ms[got.matter] > 0 ?
				    in->service_ms[got.matter] : 60000);
			} else	/* idle until something arrives */
				free_at[i] = ai < narr ? arr[ai].at : in->until;
		}
	}
	/* Still waiting at the end: their wait so far. */
	for (; ai < narr && arr[ai].at < in->until; ai++)
		count_wait(out, arr[ai].matter, in->until - arr[ai].at);
	for (i = 0; i < in->nwindows; i++)
		free_at[i] = -1;
	{
		/* Drain what is left in the dispatcher, with a window that
		 * takes everything: each remaining ticket once. */
		struct dispatch_tier all;
		struct dispatch_window w = { 0, &all, 1 };
		int *ms = xcalloc((size_t)in->nmatters, sizeof *ms);

		for (m = 0; m < in->nmatters; m++)
			ms[m] = m;
		all.matters = ms;
		all.nmatters = in->nmatters;
		all.class_mask = ~0u;
		all.overflow_ms = 0;
		for (k = 0; k < PROJECT_MAX_STEPS && dispatch_total(d) > 0; k++) {
			if (in->policy->pick(d, &w, in->params, in->until, &got) != 0)
				break;
			dispatch_remove(d, &got);
			count_wait(out, got.matter, in->until - got.arrival);
		}
		free(ms);
	}
	free(free_at);
	free(arr);
	dispatch_free(d);
	return 0;
}

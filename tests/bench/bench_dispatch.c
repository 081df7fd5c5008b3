/* bench_dispatch.c — the dispatcher alone, as the daemon runs it: the cost of
 * one decision (pick) and of taking the ticket out of its queue, with 10,000
 * tickets waiting across 23 matters and 3 classes, for a window of one tier
 * and for a window of every matter.  Prints figures; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dispatch.h"

#define NMATTERS	23
#define NCLASSES	3
#define WAITING		10000
#define ROUNDS		20000

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
run(const char *label, const struct dispatch_policy *pol,
    const struct dispatch_window *w)
{
	static double pick[ROUNDS], take[ROUNDS];
	struct dispatch_params p = { NCLASSES, 600000 };
	struct dispatch *d = dispatch_new(NMATTERS, NCLASSES);
	struct dispatch_ticket t, got;
	int64_t id = 1, clock = 0;
	double t0, t1, t2;
	int i;

	srand(1);
	for (i = 0; i < WAITING; i++) {
		t.id = id++;
		t.matter = rand() % NMATTERS;
		t.cls = rand() % 20 == 0 ? 0 : (rand() % 5 == 0 ? 1 : 2);
		t.window = 0;
		t.arrival = clock += rand() % 1000;
		t.key = t.arrival - (t.cls == 0 ? 900000 : t.cls == 1 ? 600000 : 0);
		dispatch_add(d, &t);
	}
	for (i = 0; i < ROUNDS; i++) {
		t0 = now_ns();
		if (pol->pick(d, w, &p, clock, &got) == -1)
			break;
		t1 = now_ns();
		dispatch_remove(d, &got);
		t2 = now_ns();
		pick[i] = t1 - t0;
		take[i] = t2 - t1;
		/* Keep the hall at 10,000: a new arrival for each call. */
		t.id = id++;
		t.matter = rand() % NMATTERS;
		t.cls = 2;
		t.window = 0;
		t.arrival = t.key = clock += rand() % 1000;
		dispatch_add(d, &t);
	}
	qsort(pick, (size_t)i, sizeof pick[0], cmp_double);
	qsort(take, (size_t)i, sizeof take[0], cmp_double);
	printf("  %-56s p50 %.2f us  p99 %.2f us   take p50 %.2f us  p99 %.2f us\n",
	    label, pick[i / 2] / 1e3, pick[i * 99 / 100] / 1e3,
	    take[i / 2] / 1e3, take[i * 99 / 100] / 1e3);
	dispatch_free(d);
}

int
main(void)
{
	int all[NMATTERS], some[3] = { 0, 1, 2 }, other[2] = { 3, 4 }, i;
	struct dispatch_tier t_all = { all, NMATTERS, 7, 0 };
	struct dispatch_tier t_two[2] = { { some, 3, 7, 0 }, { other, 2, 7, 900000 } };
	struct dispatch_window w_all = { 1, &t_all, 1 }, w_two = { 2, t_two, 2 };

	for (i = 0; i < NMATTERS; i++)
		all[i] = i;
	printf("dispatcher alone, %d waiting (pick = the decision, take = out of its queue):\n",
	    WAITING);
	run("default, 无差别 window (all 23 matters)", &dispatch_policies[0], &w_all);
	run("default, 分领域 window (3 matters + 2 overflow)", &dispatch_policies[0], &w_two);
	run("strict_aging, 无差别 window", &dispatch_policies[1], &w_all);
	return 0;
}

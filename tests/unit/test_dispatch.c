/* test_dispatch.c — the pure dispatcher: queue order, head starts, tiers and
 * overflow, transfers, the strict_aging policy, and the counters the hall
 * shows (ahead, waiting, oldest).  Links dispatch.c and util.c only. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "estimate.h"
#include "t.h"

#define S	1000LL			/* one second in ms */
#define T0	(1700000000LL * S)	/* an arbitrary "now" base */

enum { GREEN, APPT, NORMAL, NCLASSES };

static const int64_t head_start[NCLASSES] = { 900 * S, 600 * S, 0 };
static const int64_t max_head_start = 900 * S;

static struct dispatch_ticket
tk(int64_t id, int matter, int cls, int64_t arrival)
{
	struct dispatch_ticket t;

	memset(&t, 0, sizeof t);
	t.id = id;
	t.matter = matter;
	t.cls = cls;
	t.arrival = arrival;
	t.key = arrival - head_start[cls];
	return t;
}

static struct dispatch_ticket
tk_win(int64_t id, int matter, int cls, int64_t arrival, int window)
{
	struct dispatch_ticket t = tk(id, matter, cls, arrival);

	t.window = window;
	return t;
}

static const struct dispatch_params params = { NCLASSES, 600 * S };

static int64_t
pick(const struct dispatch *d, const struct dispatch_window *w, int64_t now)
{
	struct dispatch_ticket out;

	if (dispatch_policies[0].pick(d, w, &params, now, &out) == -1)
		return -1;
	return out.id;
}

static int64_t
pick_with(const char *policy, const struct dispatch *d,
    const struct dispatch_window *w, const struct dispatch_params *p, int64_t now)
{
	const struct dispatch_policy *pol = dispatch_policy_find(policy);
	struct dispatch_ticket out;

	if (pol == NULL || pol->pick(d, w, p, now, &out) == -1)
		return -1;
	return out.id;
}

/* Deterministic generator: the property tests are repeatable. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static int
rng_below(int n)
{
	return (int)(rng() % (uint64_t)n);
}

#define ALL_CLASSES	((1u << NCLASSES) - 1)

static void
test_policy_table(void)
{
	CHECK(dispatch_policy_find("default") != NULL);
	CHECK(dispatch_policy_find("strict_aging") != NULL);
	CHECK(dispatch_policy_find("nope") == NULL);
	CHECK(strcmp(dispatch_policies[0].name, "default") == 0);
}

static void
test_fifo_within_class(void)
{
	static const int m0[] = { 0 };
	struct dispatch_tier tiers[] = { { m0, 1, ALL_CLASSES, 0 } };
	struct dispatch_window w = { 1, tiers, 1 };
	struct dispatch *d = dispatch_new(2, NCLASSES);
	struct dispatch_ticket a = tk(1, 0, NORMAL, T0 + 30 * S);
	struct dispatch_ticket b = tk(2, 0, NORMAL, T0 + 10 * S);
	struct dispatch_ticket c = tk(3, 0, NORMAL, T0 + 20 * S);
	struct dispatch_ticket e = tk(4, 0, NORMAL, T0 + 10 * S);	/* same time as b */

	CHECK_EQ_INT(pick(d, &w, T0), -1);
	/* Inserted out of order: picked in arrival order, ties by id. */
	dispatch_add(d, &a);
	dispatch_add(d, &e);
	dispatch_add(d, &c);
	dispatch_add(d, &b);
	CHECK_EQ_INT(dispatch_total(d), 4);
	CHECK_EQ_INT(pick(d, &w, T0 + 60 * S), 2);
	CHECK_EQ_INT(dispatch_remove(d, &b), 0);
	CHECK_EQ_INT(pick(d, &w, T0 + 60 * S), 4);
	CHECK_EQ_INT(dispatch_remove(d, &e), 0);
	CHECK_EQ_INT(pick(d, &w, T0 + 60 * S), 3);
	CHECK_EQ_INT(dispatch_remove(d, &c), 0);
	CHECK_EQ_INT(pick(d, &w, T0 + 60 * S), 1);
	CHECK_EQ_INT(dispatch_remove(d, &a), 0);
	CHECK_EQ_INT(pick(d, &w, T0 + 60 * S), -1);
	CHECK_EQ_INT(dispatch_total(d), 0);
	/* Removing what is not there fails and changes nothing. */
	CHECK_EQ_INT(dispatch_remove(d, &a), -1);
	CHECK_EQ_INT(dispatch_total(d), 0);
	/* A window queue that was never created. */
	a.window = 9;
	CHECK_EQ_INT(dispatch_remove(d, &a), -1);
	/* Matter 1 is not in the window's tiers. */
	dispatch_add(d, &(struct dispatch_ticket){ .id = 5, .matter = 1,
	    .cls = NORMAL, .arrival = T0, .key = T0 });
	CHECK_EQ_INT(pick(d, &w, T0 + 60 * S), -1);
	CHECK_EQ_INT(dispatch_total(d), 1);
	dispatch_free(d);
	dispatch_free(NULL);
}

static void
test_head_start(void)
{
	static const int m0[] = { 0 };
	struct dispatch_tier tiers[] = { { m0, 1, ALL_CLASSES, 0 } };
	struct dispatch_window w = { 1, tiers, 1 };
	struct dispatch *d = dispatch_new(1, NCLASSES);
	struct dispatch_ticket n1 = tk(1, 0, NORMAL, T0);
	struct dispatch_ticket g1 = tk(2, 0, GREEN, T0 + 899 * S);
	struct dispatch_ticket g2 = tk(3, 0, GREEN, T0 + 901 * S);
	struct dispatch_ticket a1 = tk(4, 0, APPT, T0 + 599 * S);

	/* Green 899 s later than a normal ticket still goes first. */
	dispatch_add(d, &n1);
	dispatch_add(d, &g2);
	dispatch_add(d, &g1);
	CHECK_EQ_INT(pick(d, &w, T0 + 1000 * S), 2);
	dispatch_remove(d, &g1);
	/* 901 s later it does not. */
	CHECK_EQ_INT(pick(d, &w, T0 + 1000 * S), 1);
	dispatch_remove(d, &n1);
	CHECK_EQ_INT(pick(d, &w, T0 + 1000 * S), 3);
	dispatch_remove(d, &g2);
	/* Appointment: 600 s. */
	n1 = tk(5, 0, NORMAL, T0);
	dispatch_add(d, &n1);
	dispatch_add(d, &a1);
	CHECK_EQ_INT(pick(d, &w, T0 + 1000 * S), 4);
	dispatch_remove(d, &a1);
	a1 = tk(6, 0, APPT, T0 + 601 * S);
	dispatch_add(d, &a1);
	CHECK_EQ_INT(pick(d, &w, T0 + 1000 * S), 5);
	/* Exactly the head start: equal keys, the lower id goes first. */
	dispatch_remove(d, &a1);
	a1 = tk(7, 0, APPT, T0 + 600 * S);
	dispatch_add(d, &a1);
	CHECK_EQ_INT(pick(d, &w, T0 + 1000 * S), 5);
	dispatch_free(d);
}

/*
 * The bound: a pick never passes a waiting ticket that arrived more than the
 * largest head start before it, and it is always the smallest (key, id) among
 * the eligible tickets.  Random arrivals, classes and matters; tickets keep
 * arriving while the window takes them.
 */
static void
test_head_start_bound(void)
{
	enum { NM = 5, ROUNDS = 4000, MAXLIVE = 600 };
	static const int all[NM] = { 0, 1, 2, 3, 4 };
	struct dispatch_tier tiers[] = { { all, NM, ALL_CLASSES, 0 } };
	struct dispatch_window w = { 1, tiers, 1 };
	struct dispatch *d = dispatch_new(NM, NCLASSES);
	struct dispatch_ticket *live = calloc(MAXLIVE, sizeof *live);
	int nlive = 0, r, i, passed_too_far = 0, not_smallest = 0, picks = 0;
	int64_t now = T0, id = 1, max_pass = 0;

	for (r = 0; r < ROUNDS; r++) {
		int adds = rng_below(3);
		while (adds-- > 0 && nlive < MAXLIVE) {
			int cls = rng_below(10) == 0 ? GREEN :
			    rng_below(5) == 0 ? APPT : NORMAL;
			/* Arrivals jitter: some come "late" in the log (transfers). */
			int64_t arr = now - rng_below(1200) * S;
			live[nlive] = tk(id++, rng_below(NM), cls, arr);
			dispatch_add(d, &live[nlive]);
			nlive++;
		}
		now += rng_below(60) * S;
		if (rng_below(2) == 0 || nlive == 0)
			continue;
		{
			struct dispatch_ticket out;
			int at = -1, best = -1;

			if (dispatch_policies[0].pick(d, &w, &params, now, &out) == -1) {
				CHECK(0);
				break;
			}
			picks++;
			for (i = 0; i < nlive; i++) {
				if (live[i].id == out.id)
					at = i;
				if (best == -1 || live[i].key < live[best].key ||
				    (live[i].key == live[best].key &&
				    live[i].id < live[best].id))
					best = i;
				if (out.arrival - live[i].arrival > max_pass)
					max_pass = out.arrival - live[i].arrival;
				if (out.arrival - live[i].arrival > max_head_start)
					passed_too_far++;
			}
			if (at != best)
				not_smallest++;
			CHECK(at >= 0);
			if (at < 0)
				break;
			CHECK_EQ_INT(dispatch_remove(d, &live[at]), 0);
			live[at] = live[--nlive];
		}
	}
	CHECK(picks > 1000);
	CHECK_EQ_INT(passed_too_far, 0);
	CHECK_EQ_INT(not_smallest, 0);
	CHECK(max_pass <= max_head_start);
	/* The bound is reached: some green ticket did pass older ones. */
	CHECK(max_pass > 600 * S);
	CHECK_EQ_INT(dispatch_total(d), nlive);
	free(live);
	dispatch_free(d);
}

static void
test_tiers_overflow(void)
{
	static const int m0[] = { 0 }, m1[] = { 1 }, m2[] = { 2 };
	struct dispatch_tier tiers[] = {
		{ m0, 1, ALL_CLASSES, 0 },
		{ m1, 1, ALL_CLASSES, 600 * S },
		{ m2, 1, ALL_CLASSES, 300 * S },
	};
	struct dispatch_window w = { 7, tiers, 3 };
	struct dispatch *d = dispatch_new(3, NCLASSES);
	int64_t now = T0 + 10000 * S;
	struct dispatch_ticket a = tk(1, 0, NORMAL, now - 100 * S);
	struct dispatch_ticket b = tk(2, 1, NORMAL, now - 599 * S);
	struct dispatch_ticket c = tk(3, 2, NORMAL, now - 5000 * S);

	/* Only a lower tier has tickets: it is taken. */
	dispatch_add(d, &c);
	CHECK_EQ_INT(pick(d, &w, now), 3);
	/* Tier 1 has a ticket under its threshold: tier 2 (upper non-empty)
	 * opens only by its own threshold, which c has passed. */
	dispatch_add(d, &b);
	CHECK_EQ_INT(pick(d, &w, now), 3);
	dispatch_remove(d, &c);
	CHECK_EQ_INT(pick(d, &w, now), 2);
	/* Tier 0 has a ticket: tier 1's older ticket waits (599 s < 600 s). */
	dispatch_add(d, &a);
	CHECK_EQ_INT(pick(d, &w, now), 1);
	/* Exactly at the threshold it still waits; one ms past, it opens. */
	CHECK_EQ_INT(pick(d, &w, now + 1 * S), 1);
	CHECK_EQ_INT(pick(d, &w, now + 1 * S + 1), 2);
	/* An open lower tier competes by key: a newer one loses to tier 0. */
	dispatch_remove(d, &b);
	b = tk(2, 1, NORMAL, now - 50 * S);
	dispatch_add(d, &b);
	CHECK_EQ_INT(pick(d, &w, now + 3600 * S), 1);
	dispatch_remove(d, &b);
	/* Tier 2 young, tier 0 non-empty: tier 2 stays shut. */
	c = tk(3, 2, NORMAL, now - 200 * S);
	dispatch_add(d, &c);
	CHECK_EQ_INT(pick(d, &w, now), 1);
	CHECK_EQ_INT(pick(d, &w, now + 101 * S), 3);
	/* Empty tier 0, tier 1 present but young, tier 2 young: tier 1. */
	dispatch_remove(d, &a);
	b = tk(2, 1, NORMAL, now - 10 * S);
	dispatch_add(d, &b);
	CHECK_EQ_INT(pick(d, &w, now), 2);
	dispatch_free(d);
}

/* The green-channel window: tier 0 is every matter but green only; the
 * lower tier (all classes) opens past its threshold. */
static void
test_tier_classes(void)
{
	static const int all[] = { 0, 1 };
	struct dispatch_tier tiers[] = {
		{ all, 2, 1u << GREEN, 0 },
		{ all, 2, ALL_CLASSES, 1200 * S },
	};
	struct dispatch_window w = { 25, tiers, 2 };
	struct dispatch *d = dispatch_new(2, NCLASSES);
	int64_t now = T0 + 10000 * S;
	struct dispatch_ticket n = tk(1, 0, NORMAL, now - 950 * S);
	struct dispatch_ticket g = tk(2, 1, GREEN, now - 10 * S);

	dispatch_add(d, &n);
	/* Only a normal ticket: tier 0 is empty for this window, tier 1 opens. */
	CHECK_EQ_INT(pick(d, &w, now), 1);
	CHECK(dispatch_eligible(&w, &n));
	dispatch_add(d, &g);
	CHECK(dispatch_eligible(&w, &g));
	/* Tier 1 is shut (950 s <= 1200 s) although n's key is smaller. */
	CHECK_EQ_INT(pick(d, &w, now), 2);
	CHECK_EQ_INT(pick(d, &w, now + 250 * S), 2);
	/* Past 1200 s tier 1 opens and n's key (950 s) beats green's 910 s. */
	CHECK_EQ_INT(pick(d, &w, now + 251 * S), 1);
	/* A green-only window never takes a normal ticket. */
	{
		struct dispatch_window g_only = { 26, tiers, 1 };
		CHECK(!dispatch_eligible(&g_only, &n));
		CHECK(dispatch_eligible(&g_only, &g));
		dispatch_remove(d, &g);
		CHECK_EQ_INT(pick(d, &g_only, now + 5000 * S), -1);
	}
	dispatch_free(d);
}

/*
 * Appointments: the hall queues them at virtual arrival max(check-in, slot
 * start) with the appointment head start; the dispatcher orders by that key.
 */
static void
test_appointment_key(void)
{
	static const int m0[] = { 0 };
	struct dispatch_tier tiers[] = { { m0, 1, ALL_CLASSES, 0 } };
	struct dispatch_window w = { 1, tiers, 1 };
	struct dispatch *d = dispatch_new(1, NCLASSES);
	int64_t slot = T0 + 3600 * S, checkin = slot - 20 * 60 * S;
	int64_t varr = checkin > slot ? checkin : slot;
	struct dispatch_ticket ap = tk(1, 0, APPT, varr);
	struct dispatch_ticket early = tk(2, 0, NORMAL, slot - 11 * 60 * S);
	struct dispatch_ticket later = tk(3, 0, NORMAL, slot - 9 * 60 * S);

	CHECK_EQ_INT(ap.key, slot - 600 * S);
	dispatch_add(d, &later);
	dispatch_add(d, &ap);
	dispatch_add(d, &early);
	/* Came 20 min early, yet ranks as at slot start less 10 min. */
	CHECK_EQ_INT(pick(d, &w, slot), 2);
	dispatch_remove(d, &early);
	CHECK_EQ_INT(pick(d, &w, slot), 1);
	CHECK_EQ_INT(dispatch_ahead(d, &later), 1);
	CHECK_EQ_INT(dispatch_ahead(d, &ap), 0);
	dispatch_free(d);
}

/* A transferred ticket keeps its arrival: re-added, it goes ahead of later ones. */
static void
test_transfer_keeps_arrival(void)
{
	static const int m0[] = { 0 }, m1[] = { 1 };
	struct dispatch_tier t0[] = { { m0, 1, ALL_CLASSES, 0 } };
	struct dispatch_tier t1[] = { { m1, 1, ALL_CLASSES, 0 } };
	struct dispatch_window w0 = { 1, t0, 1 }, w1 = { 2, t1, 1 };
	struct dispatch *d = dispatch_new(2, NCLASSES);
	struct dispatch_ticket x = tk(1, 0, NORMAL, T0);
	struct dispatch_ticket y = tk(2, 1, NORMAL, T0 + 100 * S);
	struct dispatch_ticket z = tk(3, 1, NORMAL, T0 + 200 * S);

	dispatch_add(d, &x);
	dispatch_add(d, &y);
	dispatch_add(d, &z);
	CHECK_EQ_INT(pick(d, &w0, T0 + 300 * S), 1);
	CHECK_EQ_INT(dispatch_remove(d, &x), 0);	/* called at window 1 */
	/* Transferred to matter 1 with its old arrival. */
	x.matter = 1;
	dispatch_add(d, &x);
	CHECK_EQ_INT(dispatch_waiting(d, 1), 3);
	CHECK_EQ_INT(dispatch_waiting(d, 0), 0);
	CHECK_EQ_INT(dispatch_ahead(d, &x), 0);
	CHECK_EQ_INT(dispatch_ahead(d, &z), 2);
	CHECK_EQ_INT(pick(d, &w1, T0 + 400 * S), 1);
	CHECK_EQ_INT(pick(d, &w0, T0 + 400 * S), -1);
	dispatch_free(d);
}

/* Tickets transferred to one window: only that window takes them, ranked
 * with its tier 0 by key. */
static void
test_window_queue(void)
{
	static const int m0[] = { 0 }, m1[] = { 1 };
	struct dispatch_tier t5[] = { { m0, 1, ALL_CLASSES, 0 },
	    { m1, 1, ALL_CLASSES, 600 * S } };
	struct dispatch_tier t6[] = { { m0, 1, ALL_CLASSES, 0 } };
	struct dispatch_window w5 = { 5, t5, 2 }, w6 = { 6, t6, 1 };
	struct dispatch *d = dispatch_new(2, NCLASSES);
	int64_t now = T0 + 10000 * S;
	struct dispatch_ticket q1 = tk_win(1, 1, NORMAL, now - 300 * S, 5);
	struct dispatch_ticket q2 = tk_win(2, 1, NORMAL, now - 100 * S, 5);
	struct dispatch_ticket a = tk(3, 0, NORMAL, now - 200 * S);
	struct dispatch_ticket b = tk(4, 1, NORMAL, now - 700 * S);

	dispatch_add(d, &q2);
	dispatch_add(d, &q1);
	CHECK_EQ_INT(dispatch_total(d), 2);
	CHECK_EQ_INT(pick(d, &w6, now), -1);
	CHECK(dispatch_eligible(&w5, &q1));
	CHECK(!dispatch_eligible(&w6, &q1));
	/* A window-queue ticket is eligible only at its window, even when the
	 * other window serves its matter. */
	CHECK(!dispatch_eligible(&w6, &(struct dispatch_ticket){ .id = 9,
	    .matter = 0, .cls = NORMAL, .window = 5 }));
	CHECK_EQ_INT(pick(d, &w5, now), 1);
	CHECK_EQ_INT(dispatch_ahead(d, &q1), 0);
	CHECK_EQ_INT(dispatch_ahead(d, &q2), 1);
	/* Counted with its matter. */
	CHECK_EQ_INT(dispatch_waiting(d, 1), 2);
	/* Ranks with tier 0 by key: a (200 s) is between q1 (300 s) and q2. */
	dispatch_add(d, &a);
	CHECK_EQ_INT(pick(d, &w5, now), 1);
	CHECK_EQ_INT(pick(d, &w6, now), 3);
	dispatch_remove(d, &q1);
	CHECK_EQ_INT(pick(d, &w5, now), 3);
	dispatch_remove(d, &a);
	CHECK_EQ_INT(pick(d, &w5, now), 2);
	/* The own queue counts as an upper tier: tier 1 opens by threshold. */
	dispatch_add(d, &b);
	CHECK_EQ_INT(pick(d, &w5, now), 4);
	dispatch_remove(d, &b);
	b = tk(4, 1, NORMAL, now - 500 * S);
	dispatch_add(d, &b);
	CHECK_EQ_INT(pick(d, &w5, now), 2);
	CHECK_EQ_INT(dispatch_remove(d, &q2), 0);
	CHECK_EQ_INT(pick(d, &w5, now), 4);
	CHECK_EQ_INT(dispatch_remove(d, &q2), -1);
	CHECK_EQ_INT(dispatch_total(d), 1);
	dispatch_free(d);
}

/*
 * Strict class priority with aging (600 s a rank; green 0, appointment 1,
 * normal 2): a normal ticket goes before a green one only when it has waited
 * more than 1200 s longer.
 */
static void
test_strict_aging(void)
{
	static const int m0[] = { 0 }, m1[] = { 1 };
	struct dispatch_tier tiers[] = { { m0, 1, ALL_CLASSES, 0 },
	    { m1, 1, ALL_CLASSES, 600 * S } };
	struct dispatch_window w = { 1, tiers, 2 };
	struct dispatch_params p = { NCLASSES, 600 * S };
	struct dispatch *d = dispatch_new(2, NCLASSES);
	int64_t now = T0 + 10000 * S;
	struct dispatch_ticket n = tk(1, 0, NORMAL, now - 1000 * S);
	struct dispatch_ticket g = tk(2, 0, GREEN, now);
	struct dispatch_ticket g3 = tk(3, 0, GREEN, now + 250 * S);
	struct dispatch_ticket a = tk(4, 0, APPT, now - 100 * S);
	struct dispatch_ticket n2 = tk(5, 0, NORMAL, now - 100 * S);
	struct dispatch_ticket n3 = tk(6, 0, NORMAL, now - 200 * S);
	struct dispatch_ticket g1 = tk(7, 1, GREEN, now - 100 * S);
	struct dispatch_ticket t = tk_win(8, 0, APPT, now, 1);

	dispatch_add(d, &n);
	dispatch_add(d, &g);
	/* Default: the normal ticket's 1000 s beat green's 900 s head start. */
	CHECK_EQ_INT(pick_with("default", d, &w, &p, now), 1);
	/* Strict: green first, and a constant 1000 s gap never flips it. */
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now), 2);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now + 5000 * S), 2);
	/* Aging lifts: 1250 s longer than a green ticket is enough. */
	dispatch_remove(d, &g);
	dispatch_add(d, &g3);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now + 250 * S), 1);
	dispatch_remove(d, &g3);
	dispatch_remove(d, &n);
	/* Equal wait: the higher class; within a class: the older. */
	dispatch_add(d, &n2);
	dispatch_add(d, &a);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now), 4);
	dispatch_remove(d, &a);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now), 5);
	dispatch_add(d, &n3);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now), 6);
	dispatch_remove(d, &n3);
	/* Without aging a class never overtakes a higher one. */
	{
		struct dispatch_params noage = { NCLASSES, 0 };
		dispatch_add(d, &g);
		CHECK_EQ_INT(pick_with("strict_aging", d, &w, &noage,
		    now + 100000 * S), 2);
		dispatch_remove(d, &g);
	}
	/* Tiers open as in the default rule: a young tier 1 green stays shut. */
	dispatch_add(d, &g1);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now), 5);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now + 500 * S), 5);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now + 501 * S), 7);
	dispatch_remove(d, &n2);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now), 7);
	/* The window's own transfer queue ranks with tier 0, by class. */
	dispatch_add(d, &t);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now), 8);
	CHECK_EQ_INT(pick_with("strict_aging", d, &w, &p, now + 700 * S), 7);
	dispatch_free(d);
}

static void
test_counters(void)
{
	struct dispatch *d = dispatch_new(3, NCLASSES);
	struct dispatch_ticket a = tk(1, 0, NORMAL, T0 + 100 * S);
	struct dispatch_ticket b = tk(2, 0, GREEN, T0 + 500 * S);	/* key T0-400 */
	struct dispatch_ticket c = tk(3, 0, APPT, T0 + 50 * S);	/* key T0-550 */
	struct dispatch_ticket e = tk(4, 0, NORMAL, T0 + 200 * S);
	struct dispatch_ticket f = tk(5, 1, NORMAL, T0 + 300 * S);
	struct dispatch_ticket wq = tk_win(6, 0, NORMAL, T0 + 10 * S, 3);

	CHECK_EQ_INT(dispatch_waiting(d, 0), 0);
	CHECK_EQ_INT(dispatch_oldest(d, 0), -1);
	dispatch_add(d, &a);
	dispatch_add(d, &b);
	dispatch_add(d, &c);
	dispatch_add(d, &e);
	dispatch_add(d, &f);
	CHECK_EQ_INT(dispatch_total(d), 5);
	CHECK_EQ_INT(dispatch_waiting(d, 0), 4);
	CHECK_EQ_INT(dispatch_waiting(d, 1), 1);
	CHECK_EQ_INT(dispatch_waiting(d, 2), 0);
	CHECK_EQ_INT(dispatch_oldest(d, 0), T0 + 50 * S);
	CHECK_EQ_INT(dispatch_oldest(d, 1), T0 + 300 * S);
	CHECK_EQ_INT(dispatch_oldest(d, 2), -1);
	/* Order by key: c (-550), b (-400), a (100), e (200). */
	CHECK_EQ_INT(dispatch_ahead(d, &c), 0);
	CHECK_EQ_INT(dispatch_ahead(d, &b), 1);
	CHECK_EQ_INT(dispatch_ahead(d, &a), 2);
	CHECK_EQ_INT(dispatch_ahead(d, &e), 3);
	CHECK_EQ_INT(dispatch_ahead(d, &f), 0);
	dispatch_add(d, &wq);
	CHECK_EQ_INT(dispatch_waiting(d, 0), 5);
	CHECK_EQ_INT(dispatch_total(d), 6);
	CHECK_EQ_INT(dispatch_ahead(d, &wq), 0);
	dispatch_remove(d, &c);
	CHECK_EQ_INT(dispatch_oldest(d, 0), T0 + 100 * S);
	CHECK_EQ_INT(dispatch_ahead(d, &e), 2);
	dispatch_remove(d, &wq);
	CHECK_EQ_INT(dispatch_waiting(d, 0), 3);
	dispatch_free(d);
}

/* Ten thousand waiting tickets over 23 matters: each pick is still the
 * smallest key a window may take, compared against a full scan. */
static void
test_ten_thousand(void)
{
	enum { NM = 23, N = 10000, PICKS = 300 };
	int all[NM], half[12], i, k, wrong = 0, found = 0;
	struct dispatch_tier t_all[] = { { all, NM, ALL_CLASSES, 0 } };
	struct dispatch_tier t_half[] = { { half, 12, ALL_CLASSES, 0 } };
	struct dispatch_window w_all = { 1, t_all, 1 }, w_half = { 2, t_half, 1 };
	struct dispatch *d = dispatch_new(NM, NCLASSES);
	struct dispatch_ticket *v = calloc(N, sizeof *v);
	int n = N;

	for (i = 0; i < NM; i++)
		all[i] = i;
	for (i = 0; i < 12; i++)
		half[i] = i * 2 % NM;
	for (i = 0; i < N; i++) {
		int cls = rng_below(20) == 0 ? GREEN : rng_below(5) == 0 ? APPT : NORMAL;
		v[i] = tk(i + 1, rng_below(NM), cls, T0 + rng_below(8 * 3600) * S);
		dispatch_add(d, &v[i]);
	}
	CHECK_EQ_INT(dispatch_total(d), N);
	for (k = 0; k < PICKS; k++) {
		const struct dispatch_window *w = k % 2 ? &w_half : &w_all;
		struct dispatch_ticket out;
		int best = -1, j;

		if (dispatch_policies[0].pick(d, w, &params, T0 + 9 * 3600 * S,
		    &out) == -1) {
			wrong++;
			continue;
		}
		for (i = 0; i < n; i++) {
			int ok = w == &w_all;
			for (j = 0; !ok && j < 12; j++)
				ok = v[i].matter == half[j];
			if (!ok)
				continue;
			if (best == -1 || v[i].key < v[best].key ||
			    (v[i].key == v[best].key && v[i].id < v[best].id))
				best = i;
		}
		if (best < 0 || v[best].id != out.id)
			wrong++;
		else {
			found++;
			if (dispatch_remove(d, &v[best]) != 0)
				wrong++;
			v[best] = v[--n];
		}
	}
	CHECK_EQ_INT(wrong, 0);
	CHECK_EQ_INT(found, PICKS);
	CHECK_EQ_INT(dispatch_total(d), N - PICKS);
	/* Waiting counts add up over the matters. */
	{
		size_t sum = 0;
		for (i = 0; i < NM; i++)
			sum += dispatch_waiting(d, i);
		CHECK_EQ_INT(sum, N - PICKS);
	}
	free(v);
	dispatch_free(d);
}

/*
 * A model check: random adds and removals anywhere in the queues (cancels
 * take tickets from the middle), with the counters and the pick compared to
 * a brute-force scan of the same tickets after every step.
 */
static void
test_random_model(void)
{
	enum { NM = 4, STEPS = 20000, MAXLIVE = 400 };
	static const int all[NM] = { 0, 1, 2, 3 };
	struct dispatch_tier tiers[] = { { all, NM, ALL_CLASSES, 0 } };
	struct dispatch_window w = { 1, tiers, 1 };
	struct dispatch *d = dispatch_new(NM, NCLASSES);
	struct dispatch_ticket *live = calloc(MAXLIVE, sizeof *live);
	int nlive = 0, step, i, bad_total = 0, bad_waiting = 0, bad_oldest = 0;
	int bad_ahead = 0, bad_pick = 0, bad_remove = 0;
	int64_t id = 1;

	for (step = 0; step < STEPS; step++) {
		int op = rng_below(10);

		if ((op < 6 && nlive < MAXLIVE) || nlive == 0) {
			int cls = rng_below(3);
			live[nlive] = tk(id++, rng_below(NM), cls,
			    T0 + rng_below(4 * 3600) * S);
			dispatch_add(d, &live[nlive++]);
		} else {
			int at = rng_below(nlive);
			if (dispatch_remove(d, &live[at]) != 0)
				bad_remove++;
			live[at] = live[--nlive];
		}
		if (dispatch_total(d) != (size_t)nlive)
			bad_total++;
		{
			int m = rng_below(NM);
			size_t n = 0;
			int64_t oldest = -1;
			for (i = 0; i < nlive; i++)
				if (live[i].matter == m) {
					n++;
					if (oldest == -1 || live[i].arrival < oldest)
						oldest = live[i].arrival;
				}
			if (dispatch_waiting(d, m) != n)
				bad_waiting++;
			if (dispatch_oldest(d, m) != oldest)
				bad_oldest++;
		}
		if (nlive > 0) {
			const struct dispatch_ticket *t = &live[rng_below(nlive)];
			size_t ahead = 0;
			int best = 0;
			struct dispatch_ticket out;
			for (i = 0; i < nlive; i++) {
				if (live[i].matter == t->matter &&
				    (live[i].key < t->key ||
				    (live[i].key == t->key && live[i].id < t->id)))
					ahead++;
				if (live[i].key < live[best].key ||
				    (live[i].key == live[best].key &&
				    live[i].id < live[best].id))
					best = i;
			}
			if (dispatch_ahead(d, t) != ahead)
				bad_ahead++;
			if (dispatch_policies[0].pick(d, &w, &params, T0 + 5 * 3600 * S,
			    &out) != 0 || out.id != live[best].id)
				bad_pick++;
		}
	}
	CHECK_EQ_INT(bad_remove, 0);
	CHECK_EQ_INT(bad_total, 0);
	CHECK_EQ_INT(bad_waiting, 0);
	CHECK_EQ_INT(bad_oldest, 0);
	CHECK_EQ_INT(bad_ahead, 0);
	CHECK_EQ_INT(bad_pick, 0);
	CHECK(id > STEPS / 2);
	free(live);
	dispatch_free(d);
}

/* The fairness rule: which class a ticket waits as, and its key. */
static void
test_rule(void)
{
	const struct dispatch_rule r = {
		.nclasses = NCLASSES, .head_start_ms = head_start,
		.normal_class = NORMAL, .appointment_class = APPT,
		.late_ms = 600 * S,
	};
	const struct dispatch_rule noappt = {
		.nclasses = NCLASSES, .head_start_ms = head_start,
		.normal_class = NORMAL, .appointment_class = -1, .late_ms = 0,
	};

	CHECK_EQ_INT(dispatch_class_of(&r, GREEN, T0, 0), GREEN);
	CHECK_EQ_INT(dispatch_class_of(&r, NORMAL, T0, 0), NORMAL);
	/* An appointment needs a booked slot ... */
	CHECK_EQ_INT(dispatch_class_of(&r, APPT, T0, 0), NORMAL);
	CHECK_EQ_INT(dispatch_class_of(&r, APPT, T0, T0 + 3600 * S), APPT);
	/* ... and keeps its head start up to late_ms past the slot, not after. */
	CHECK_EQ_INT(dispatch_class_of(&r, APPT, T0 + 600 * S, T0), APPT);
	CHECK_EQ_INT(dispatch_class_of(&r, APPT, T0 + 600 * S + 1, T0), NORMAL);
	/* Any class with a slot past its lateness waits as normal. */
	CHECK_EQ_INT(dispatch_class_of(&r, GREEN, T0 + 601 * S, T0), NORMAL);
	/* No class, or one the rule does not know: normal. */
	CHECK_EQ_INT(dispatch_class_of(&r, -1, T0, 0), NORMAL);
	CHECK_EQ_INT(dispatch_class_of(&r, NCLASSES, T0, 0), NORMAL);
	/* Without an appointment class, the name means nothing. */
	CHECK_EQ_INT(dispatch_class_of(&noappt, APPT, T0, 0), APPT);
	/* key = arrival - head start of the class it waits as. */
	CHECK_EQ_INT(dispatch_key(&r, GREEN, T0), T0 - 900 * S);
	CHECK_EQ_INT(dispatch_key(&r, APPT, T0), T0 - 600 * S);
	CHECK_EQ_INT(dispatch_key(&r, NORMAL, T0), T0);
	/* A green ticket that came 899 s after a normal one is ahead of it;
	 * one that came 901 s after is not. */
	CHECK(dispatch_key(&r, GREEN, T0 + 899 * S) < dispatch_key(&r, NORMAL, T0));
	CHECK(dispatch_key(&r, GREEN, T0 + 901 * S) > dispatch_key(&r, NORMAL, T0));
}

/* The estimator: ahead x mean service / open windows, and what it learns. */
static void
test_estimate(void)
{
	CHECK_EQ_INT(estimate_eta_s(0, 300 * S, 2), 0);
	CHECK_EQ_INT(estimate_eta_s(10, 300 * S, 1), 3000);
	CHECK_EQ_INT(estimate_eta_s(10, 300 * S, 4), 750);
	CHECK_EQ_INT(estimate_eta_s(3, 1000, 2), 2);		/* 1.5 s rounds up */
	CHECK_EQ_INT(estimate_eta_s(1, 1400, 1), 1);
	/* No open window: unknown, never 0. */
	CHECK_EQ_INT(estimate_eta_s(0, 300 * S, 0), -1);
	CHECK_EQ_INT(estimate_eta_s(5, 300 * S, -1), -1);
	/* EWMA with alpha 0.2. */
	CHECK_EQ_INT(estimate_learn(300 * S, T0, T0 + 600 * S), 360 * S);
	CHECK_EQ_INT(estimate_learn(300 * S, T0, T0 + 300 * S), 300 * S);
	/* Each sample is clamped: 10 s .. 4 h. */
	CHECK_EQ_INT(estimate_learn(300 * S, T0, T0 + 1 * S), (300 * S * 4 + 10 * S) / 5);
	CHECK_EQ_INT(estimate_learn(300 * S, T0, T0 + 24 * 3600 * S),
	    (300 * S * 4 + 4 * 3600 * S) / 5);
	/* Not a service: never called, or ended before it was called. */
	CHECK_EQ_INT(estimate_learn(300 * S, 0, T0), 300 * S);
	CHECK_EQ_INT(estimate_learn(300 * S, T0, T0), 300 * S);
	CHECK_EQ_INT(estimate_learn(300 * S, T0, T0 - 1), 300 * S);
}

int
main(void)
{
	test_rule();
	test_estimate();
	test_policy_table();
	test_fifo_within_class();
	test_head_start();
	test_head_start_bound();
	test_tiers_overflow();
	test_tier_classes();
	test_appointment_key();
	test_transfer_keeps_arrival();
	test_window_queue();
	test_strict_aging();
	test_counters();
	test_ten_thousand();
	test_random_model();
	return t_done("dispatch");
}

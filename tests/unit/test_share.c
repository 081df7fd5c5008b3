/* test_share.c — the appointment budget of shared windows (share.c): what a
 * matter may still book when other matters book the same windows. */
#include <stdio.h>
#include <string.h>

#include "share.h"
#include "t.h"

static void
test_alone(void)
{
	/* One matter, three windows of 900 s each (50 % of 30 min). */
	unsigned char serves[3] = { 1, 1, 1 };
	int64_t demand[1] = { 0 }, cap[3] = { 900, 900, 900 };

	CHECK_EQ_INT(share_room_s(1, 3, serves, demand, cap, 0), 2700);
	demand[0] = 2700;
	CHECK_EQ_INT(share_room_s(1, 3, serves, demand, cap, 0), 0);
	demand[0] = 2701;			/* over: the windows shrank */
	CHECK_EQ_INT(share_room_s(1, 3, serves, demand, cap, 0), -1);
	demand[0] = 600;
	cap[1] = 0;				/* window 2 closed for the slot */
	CHECK_EQ_INT(share_room_s(1, 3, serves, demand, cap, 0), 1200);
	CHECK_EQ_INT(share_room_s(1, 3, serves, demand, cap, 1), -1);
}

static void
test_shared(void)
{
	/* Fifteen matters on the same two windows: together they book one
	 * window-share each, not fifteen (the fault of counting per matter). */
	unsigned char serves[15 * 2];
	int64_t demand[15], cap[2] = { 900, 900 };
	int i;

	memset(serves, 1, sizeof serves);
	memset(demand, 0, sizeof demand);
	CHECK_EQ_INT(share_room_s(15, 2, serves, demand, cap, 7), 1800);
	for (i = 0; i < 15; i++)
		demand[i] = 120;		/* 1,800 s booked in all */
	CHECK_EQ_INT(share_room_s(15, 2, serves, demand, cap, 7), 0);
	CHECK_EQ_INT(share_room_s(15, 2, serves, demand, cap, 0), 0);
	demand[3] = 0;
	CHECK_EQ_INT(share_room_s(15, 2, serves, demand, cap, 3), 120);
	CHECK_EQ_INT(share_room_s(15, 2, serves, demand, cap, 4), 120);
}

static void
test_routing(void)
{
	/*
	 * A on windows 0 and 1, B on window 1 only, each window 900 s.  A's
	 * 900 s may go to window 0, leaving window 1 whole for B: a check that
	 * put A's bookings on its first window only, or spread them evenly,
	 * would refuse B too early.
	 */
	unsigned char serves[2 * 2] = { 1, 1, 0, 1 };
	int64_t demand[2] = { 900, 0 }, cap[2] = { 900, 900 };

	CHECK_EQ_INT(share_room_s(2, 2, serves, demand, cap, 1), 900);
	demand[0] = 1200;			/* A needs window 1 as well */
	CHECK_EQ_INT(share_room_s(2, 2, serves, demand, cap, 1), 600);
	CHECK_EQ_INT(share_room_s(2, 2, serves, demand, cap, 0), 600);
	demand[1] = 600;
	CHECK_EQ_INT(share_room_s(2, 2, serves, demand, cap, 0), 0);
	CHECK_EQ_INT(share_room_s(2, 2, serves, demand, cap, 1), 0);
	/* B alone on window 1 does not take from A's own window 0. */
	demand[0] = 0;
	demand[1] = 900;
	CHECK_EQ_INT(share_room_s(2, 2, serves, demand, cap, 0), 900);
	/* A matter with no window takes nothing; what it has cannot be. */
	{
		unsigned char none[1] = { 0 };
		int64_t d[1] = { 0 }, c[1] = { 900 };
		CHECK_EQ_INT(share_room_s(1, 1, none, d, c, 0), 0);
		d[0] = 1;
		CHECK_EQ_INT(share_room_s(1, 1, none, d, c, 0), -1);
	}
}

/* Against brute force: every way of adding bookings one by one on small
 * random hall shapes gives the same room as share_room_s. */
static unsigned
rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

/* Whether demands fit, by trying every split (windows hold whole units). */
static int
fits(int nm, int nw, const unsigned char *serves, const int *units,
    int *left, int i, int given)
{
	int j;

	if (i == nm)
		return 1;
	if (given == units[i])
		return fits(nm, nw, serves, units, left, i + 1, 0);
	for (j = 0; j < nw; j++) {
		if (!serves[i * nw + j] || left[j] == 0)
			continue;
		left[j]--;
		if (fits(nm, nw, serves, units, left, i, given + 1)) {
			left[j]++;
			return 1;
		}
		left[j]++;
	}
	return 0;
}

static void
test_random(void)
{
	unsigned seed = 1;
	int round;

	for (round = 0; round < 300; round++) {
		int nm = 1 + (int)(rnd(&seed) % 3), nw = 1 + (int)(rnd(&seed) % 3);
		unsigned char serves[9];
		int units[3], left[3], i, j, m, more;
		int64_t demand[3], cap[3], got;

		for (i = 0; i < nm * nw; i++)
			serves[i] = rnd(&seed) % 3 != 0;
		for (j = 0; j < nw; j++)
			cap[j] = (int64_t)(rnd(&seed) % 4) * 60;
		for (i = 0; i < nm; i++)
			units[i] = (int)(rnd(&seed) % 3);
		for (j = 0; j < nw; j++)
			left[j] = (int)(cap[j] / 60);
		m = (int)(rnd(&seed) % (unsigned)nm);
		for (i = 0; i < nm; i++)
			demand[i] = units[i] * 60;
		got = share_room_s(nm, nw, serves, demand, cap, m);
		if (!fits(nm, nw, serves, units, left, 0, 0)) {
			CHECK_EQ_INT(got, -1);
			continue;
		}
		for (more = 0; more < 12; more++) {
			units[m]++;
			for (j = 0; j < nw; j++)
				left[j] = (int)(cap[j] / 60);
			if (!fits(nm, nw, serves, units, left, 0, 0))
				break;
		}
		CHECK_EQ_INT(got / 60, more);
	}
}

int
main(void)
{
	test_alone();
	test_shared();
	test_routing();
	test_random();
	return t_done("share");
}

/* test_staffing.c — the queueing formulas against REFERENCE.md's vectors
 * (V1–V4, priority P1 and P2), staffing by service level, lagged SIPP. */
#include <math.h>
#include <stdio.h>

#include "staffing.h"
#include "t.h"

#define NEAR(x, want, tol)	CHECK(fabs((x) - (want)) <= (tol))

static void
test_vectors(void)
{
	/* λ per minute, mean service in minutes → μ = 1/service. */
	NEAR(staffing_erlang_c(5, 0.5 * 8), 0.554113, 1e-6);		/* V1 */
	NEAR(staffing_wq(5, 0.5, 1.0 / 8), 4.432900, 1e-6);
	NEAR(staffing_erlang_c(12, 1.0 * 10), 0.449388, 1e-6);		/* V2 */
	NEAR(staffing_wq(12, 1.0, 1.0 / 10), 2.246941, 1e-6);
	NEAR(staffing_erlang_c(14, 10.0), 0.174132, 1e-5);		/* V3 */
	NEAR(staffing_wq(14, 10.0 / 3, 1.0 / 3), 0.130599, 1e-5);
	NEAR(staffing_p_within(14, 10.0 / 3, 1.0 / 3, 20.0 / 60), 0.888350, 1e-5);
	NEAR(staffing_erlang_c(1, 5.0 / 8), 0.625, 1e-9);		/* V4 */
	NEAR(staffing_wq(1, 5.0, 8.0), 0.208333, 1e-6);
	{
		double p1[2] = { 0.2, 0.6 }, p2[2] = { 0.05, 0.35 };

		NEAR(staffing_priority_wq(1, 1.0, p1, 2, 0), 1.0, 1e-9);	/* P1 */
		NEAR(staffing_priority_wq(1, 1.0, p1, 2, 1), 5.0, 1e-9);
		NEAR(staffing_priority_wq(4, 1.0 / 8, p2, 2, 0), 1.325405, 1e-6);
		NEAR(staffing_priority_wq(4, 1.0 / 8, p2, 2, 1), 6.627027, 1e-6);
		CHECK(staffing_priority_wq(1, 1.0, p1, 2, 2) > 1e299);
	}
	/* Erlang B by recursion: B(1, a) = a / (1 + a); large c stays finite. */
	NEAR(staffing_erlang_b(1, 2.0), 2.0 / 3, 1e-12);
	CHECK(staffing_erlang_b(900, 850.0) > 0 && staffing_erlang_b(900, 850.0) < 1);
	/* Unstable and empty queues. */
	CHECK_EQ_INT((int)staffing_erlang_c(3, 3.0), 1);
	CHECK(staffing_wq(3, 3.0, 1.0) > 1e299);
	NEAR(staffing_p_within(3, 3.0, 1.0, 10), 0.0, 0);
	NEAR(staffing_wq(3, 0, 1.0), 0.0, 0);
	NEAR(staffing_p_within(3, 0, 1.0, 0), 1.0, 0);
}

static void
test_windows(void)
{
	int c;

	/* V3's hall meets 80% within 20 s with 14 windows (0.888), and the
	 * fewest windows that do are found, not more. */
	c = staffing_windows(10.0 / 3, 1.0 / 3, 20.0 / 60, 0.80, 100);
	CHECK(c >= 11 && c <= 14);
	CHECK(staffing_p_within(c, 10.0 / 3, 1.0 / 3, 20.0 / 60) >= 0.80);
	CHECK(staffing_p_within(c - 1, 10.0 / 3, 1.0 / 3, 20.0 / 60) < 0.80);
	/* 15 minutes at 80%, a matter of 60 an hour taking 10 minutes each. */
	c = staffing_windows(1.0, 0.1, 15, 0.8, 100);
	CHECK(c >= 11 && staffing_p_within(c, 1.0, 0.1, 15) >= 0.8);
	CHECK(staffing_p_within(c - 1, 1.0, 0.1, 15) < 0.8);
	CHECK_EQ_INT(staffing_windows(0, 0.1, 15, 0.8, 100), 0);
	CHECK_EQ_INT(staffing_windows(50, 0.1, 15, 0.8, 100), -1);	/* 500 > 100 */
	CHECK_EQ_INT(staffing_windows(1, 0, 15, 0.8, 100), -1);
}

static void
test_lagged(void)
{
	double r[4] = { 10, 20, 40, 0 };

	NEAR(staffing_lagged(r, 4, 1, 0), 20, 1e-12);		/* no lag */
	NEAR(staffing_lagged(r, 4, 1, 0.25), 0.25 * 10 + 0.75 * 20, 1e-9);
	NEAR(staffing_lagged(r, 4, 0, 0.5), 0.5 * 10, 1e-9);	/* before opening: 0 */
	NEAR(staffing_lagged(r, 4, 3, 0.5), 0.5 * 40, 1e-9);	/* the last hour's tail */
	NEAR(staffing_lagged(r, 4, 2, 1.0), 20, 1e-9);		/* a whole hour back */
	NEAR(staffing_lagged(r, 4, 9, 0.2), 0, 0);
}

int
main(void)
{
	test_vectors();
	test_windows();
	test_lagged();
	return t_done("staffing");
}

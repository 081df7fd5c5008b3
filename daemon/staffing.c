/* staffing.c — Erlang B/C, M/M/c waits, priority classes, lagged SIPP: see
 * staffing.h.  Erlang B by its recursion (stable for any c); C from B. */
#include <math.h>

#include "staffing.h"

#define UNSTABLE	1e300

double
staffing_erlang_b(int c, double a)
{
	double b = 1.0;
	int k;

	if (c <= 0)
		return 1.0;
	for (k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	return b;
}

double
staffing_erlang_c(int c, double a)
{
	double b;

	if (c <= 0 || a >= c)
		return 1.0;
	if (a <= 0)
		return 0.0;
	b = staffing_erlang_b(c, a);
	return c * b / (c - a * (1.0 - b));
}

double
staffing_wq(int c, double lambda, double mu)
{
	if (lambda <= 0)
		return 0.0;
	if (c <= 0 || mu <= 0 || lambda >= c * mu)
		return UNSTABLE;
	return staffing_erlang_c(c, lambda / mu) / (c * mu - lambda);
}

double
staffing_p_within(int c, double lambda, double mu, double t)
{
	if (lambda <= 0)
		return 1.0;
	if (c <= 0 || mu <= 0 || lambda >= c * mu)
		return 0.0;
	return 1.0 - staffing_erlang_c(c, lambda / mu) *
	    exp(-(c * mu - lambda) * t);
}

int
staffing_windows(double lambda, double mu, double t, double level, int max)
{
	int c;

	if (lambda <= 0)
		return 0;
	if (mu <= 0)
		return -1;
	if (max > STAFFING_MAX_WINDOWS)
		max = STAFFING_MAX_WINDOWS;
	for (c = (int)floor(lambda / mu) + 1; c <= max; c++)
		if (c >= 1 && staffing_p_within(c, lambda, mu, t) >= level)
			return c;
	return -1;
}

double
staffing_priority_wq(int c, double mu, const double *lambdas, int n, int k)
{
	double lambda = 0, w0, s_k = 0, s_km1;
	int i;

	for (i = 0; i < n; i++)
		lambda += lambdas[i];
	if (k < 0 || k >= n || c <= 0 || mu <= 0 || lambda >= c * mu)
		return UNSTABLE;
	w0 = staffing_erlang_c(c, lambda / mu) / (c * mu);
	for (i = 0; i <= k; i++)
		s_k += lambdas[i] / (c * mu);
	s_km1 = s_k - lambdas[k] / (c * mu);
	return w0 / ((1.0 - s_km1) * (1.0 - s_k));
}

double
staffing_lagged(const double *rate, int n, int h, double lag)
{
	double lo, hi, x, sum = 0, seg;
	int i;

	if (h < 0 || h >= n)
		return 0.0;
	if (lag < 0)
		lag = 0;
	lo = h - lag;
	hi = lo + 1.0;
	/* The rate is 0 outside [0, n): before opening, after closing. */
	for (x = lo; x < hi - 1e-12 && x < lo + 3; x += seg) {
		i = (int)floor(x);
		seg = (i + 1 < hi ? i + 1 : hi) - x;
		if (seg <= 0)
			break;
		if (i >= 0 && i < n)
			sum += rate[i] * seg;
	}
	return sum;
}

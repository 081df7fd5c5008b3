/* staffing.h — queueing formulas for staffing, pure (REFERENCE.md, "Staffing
 * and simulation"): Erlang B and C, the M/M/c wait, the non-preemptive
 * priority M/M/c wait per class, and lagged SIPP for arrivals that change
 * by the hour.  Rates are per the same time unit throughout (the caller's:
 * per minute, say); nothing here has a clock. */
#ifndef HALLQ_STAFFING_H
#define HALLQ_STAFFING_H

#define STAFFING_MAX_WINDOWS	1000

/* Erlang B and C for c servers and offered load a = λ/μ (C is P(wait));
 * C is 1 when the queue is unstable (a >= c). */
double	 staffing_erlang_b(int c, double a);
double	 staffing_erlang_c(int c, double a);
/* M/M/c: the mean wait in queue, and P(Wq <= t); unstable: a huge wait
 * (1e300) and 0. */
double	 staffing_wq(int c, double lambda, double mu);
double	 staffing_p_within(int c, double lambda, double mu, double t);
/* The fewest windows (1..max) for which P(Wq <= t) >= level (0..1); 0 when
 * no load, -1 when max is not enough. */
int	 staffing_windows(double lambda, double mu, double t, double level,
	    int max);
/* Non-preemptive priority M/M/c, the same μ for every class, class 0
 * highest: the mean wait of class k of n (lambdas per class). */
double	 staffing_priority_wq(int c, double mu, const double *lambdas, int n,
	    int k);
/* Lagged SIPP: the arrival rate to staff hour h with, from hourly rates
 * rate[0..n-1], shifted back by the mean service time (in hours, >= 0):
 * the mean of the rate over [h - lag, h + 1 - lag). */
double	 staffing_lagged(const double *rate, int n, int h, double lag);

#endif

/* estimate.c — the estimator (see estimate.h): the honest rough figures of
 * a queue board, not promises.  Pure: no clock, no I/O, no hall state. */
#include "estimate.h"

int64_t
estimate_eta_s(size_t ahead, int64_t service_ms, int open)
{
	if (open < 1)
		return -1;
	return (int64_t)((double)ahead * (double)service_ms / open / 1000.0 + 0.5);
}

int64_t
estimate_learn(int64_t mean_ms, int64_t called_at, int64_t ended_at)
{
	int64_t d;

	if (called_at == 0 || ended_at <= called_at)
		return mean_ms;
	d = ended_at - called_at;
	if (d < ESTIMATE_SERVICE_MIN_MS)
		d = ESTIMATE_SERVICE_MIN_MS;
	if (d > ESTIMATE_SERVICE_MAX_MS)
		d = ESTIMATE_SERVICE_MAX_MS;
	return (mean_ms * 4 + d) / 5;
}

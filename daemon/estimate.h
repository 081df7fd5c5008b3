/* estimate.h — the estimator, pure: how long a ticket will wait, and how the
 * mean service time of a matter learns from each service.  No clock, no I/O:
 * the daemon and the simulator feed it the same numbers. */
#ifndef HALLQ_ESTIMATE_H
#define HALLQ_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

/* Bounds of one service that the mean learns from. */
#define ESTIMATE_SERVICE_MIN_MS	(10 * 1000)
#define ESTIMATE_SERVICE_MAX_MS	(4 * 3600 * 1000)

/* Seconds to wait behind `ahead` tickets shared by `open` windows, each
 * serving in `service_ms` on average; -1 when no window is open for it: the
 * wait is unknown, not 0. */
int64_t	 estimate_eta_s(size_t ahead, int64_t service_ms, int open);
/* The mean after one more service from called_at to ended_at (EWMA, alpha
 * 0.2, each sample clamped to the bounds above); the mean itself when the
 * times do not make a service. */
int64_t	 estimate_learn(int64_t mean_ms, int64_t called_at, int64_t ended_at);

#endif

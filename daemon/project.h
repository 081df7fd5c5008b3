/* project.h — a short deterministic projection of the hall from its state
 * now, with the real dispatcher: the waiting tickets, each open window free
 * when its current ticket should end, arrivals spread evenly at each
 * matter's forecast rate, every service its matter's mean.  What the
 * window-adjustment advice (advice.c) compares a move against.  Pure: no
 * clock, no I/O. */
#ifndef HALLQ_PROJECT_H
#define HALLQ_PROJECT_H

#include <stdint.h>

#include "dispatch.h"

struct project_window {
	struct dispatch_window	 dw;
	int64_t			 free_at;	/* ms: its current ticket ends */
};

struct project_in {
	const struct dispatch_policy	*policy;
	const struct dispatch_params	*params;
	const struct dispatch_rule	*rule;	/* the key of new arrivals */
	int				 nmatters, nclasses;
	const struct dispatch_ticket	*waiting;	/* the queues now */
	int				 nwaiting;
	const struct project_window	*windows;	/* the open ones */
	int				 nwindows;
	const double			*per_hour;	/* arrivals, per matter */
	const int64_t			*service_ms;	/* per matter */
	int64_t				 now;
	int64_t				 arrive_until;	/* arrivals before this */
	int64_t				 until;		/* then served until this */
};

/* Per matter: tickets counted (waiting now or arriving before
 * `arrive_until`), the sum and the largest of their waits in ms (to their
 * call, or to `until` for those still waiting then). */
struct project_out {
	int64_t	*n;
	double	*wait_sum;
	int64_t	*wait_max;
};

/* Fills out (arrays of nmatters, zeroed by the caller); -1 on a bad input. */
int	 project_run(const struct project_in *, struct project_out *);

#endif

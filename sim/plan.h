/* plan.h — the staffing plan of a hall's day, one place for hallq-sim
 * --staff and hallqd's GET /api/staffing: Erlang C by lagged SIPP per group
 * of windows with the same tiers (staffing.c), then checked by simulating
 * the day on the real dispatcher (sim.c) and adjusted hour by hour.
 * Pure: no I/O, no clock; a seed names one exact answer. */
#ifndef HALLQ_PLAN_H
#define HALLQ_PLAN_H

#include <stdint.h>

#include "calendar.h"
#include "config.h"
#include "sim.h"

#define PLAN_REPS	3		/* replications of the day per check */
#define PLAN_ADD_ROUNDS	10		/* rounds that add windows, at most */
#define PLAN_CUT_TRIES	4		/* tries an hour to take them away, at most */

/*
 * Windows with the same tiers are one group; each matter's load goes to its
 * home group (the largest whose tier 0 takes it for the normal class).  A
 * group opens, hour by hour, `need` of its windows among those open by
 * their hours, and past its size copies of its first window (numbered from
 * 1001), open whenever one of the group would be.  A group no matter calls
 * home (green channel, 帮代办 …) keeps its hours (need -1).
 */
struct plan {
	int		 ngroups;
	int		*group;		/* per configured window */
	int		*size;		/* per group: its configured windows */
	int		*first;		/* per group: its first window */
	int		*home;		/* per matter: its group, or -1 */
	int		*need;		/* ngroups x SIM_HOURS; -1: not planned */
	int		*least;		/* ngroups x SIM_HOURS: more windows than
					 * its matters' work (rho < 1) */
	int		 pooled[SIM_HOURS];	/* Erlang C, every matter one queue */
	int		 nclones;
	int		*clone_of;	/* per copy: the window it copies */
	/* plan_check's outcome */
	int		 checked;	/* the simulation ran */
	int		 evals;		/* days simulated (x reps) */
	double		 level[SIM_HOURS];	/* share called within the target; -1: no tickets */
	int		*open;		/* ngroups x SIM_HOURS: the most open at once */
	int		*beyond;	/* ngroups x SIM_HOURS: of which copies */
};

/* What the check simulates: the day's windows by their hours (conf order),
 * the demand and the dispatcher's rule. */
struct plan_day {
	const struct config		*conf;
	const struct sim_workload	*wl;
	const struct sim_model		*model;
	const struct sim_window		*base;	/* conf->nwindows, periods set */
	int64_t				 day_start;
	int64_t				 target_ms;	/* the wait planned for */
	double				 level;		/* ... for this share (0..1) */
	uint64_t			 seed;
	int				 reps;
};

/* The rule and knobs as the daemon sets them (hall.c, hall_params); hs
 * holds DISPATCH_MAX_CLASSES head starts.  -1: no such policy. */
int	 plan_model(const struct config *, const char *policy, int64_t *hs,
	    struct sim_model *);
/* Window i's open periods on the day that starts at ds: its hours, the
 * hall's, else `fallback` (NULL: open all day). */
void	 plan_periods(const struct config *, const struct calendar_hours *fallback,
	    int i, int64_t ds, struct sim_window *);
/* The Erlang C plan from the workload's rates (or its profile). */
void	 plan_make(const struct config *, const struct sim_workload *,
	    double target_min, double level, struct plan *);
/* Windows under the plan: w holds conf->nwindows + nclones, the first
 * conf->nwindows with their periods by their hours (changed here). */
void	 plan_apply(const struct config *, const struct plan *,
	    struct sim_window *w, int64_t ds);
/* Simulate the plan and adjust it: add windows where an hour falls short
 * of the level, take them away where there is clear slack — never below
 * `pooled` in all (no steady hour does better than one queue of
 * everything: a simulated hour that starts empty can look as if it did)
 * nor a group below `least`.  0, or -1 (pl unchecked) when the plan
 * needs more than SIM_WINDOWS_MAX windows. */
int	 plan_check(const struct plan_day *, struct plan *);
void	 plan_free(struct plan *);

#endif

/* sim.h — hallq-sim's engine: a discrete-event simulation of a hall's day
 * driven through the daemon's own dispatcher and fairness rule (dispatch.c)
 * and its estimator (estimate.c).  Pure: no I/O, no clock, no globals; its
 * random numbers are its own, seeded, so a seed names one exact run. */
#ifndef HALLQ_SIM_H
#define HALLQ_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "dispatch.h"

#define SIM_PERIODS	32		/* open periods of one window in one run */
#define SIM_HOURS	24		/* per-hour figures: hours of the day */
#define SIM_HOUR_MS	3600000LL
#define SIM_WINDOWS_MAX	1024
#define SIM_MATTERS_MAX	256
#define SIM_TICKETS_MAX	(1u << 24)	/* per run: the generator's bound */

/* xoshiro256** seeded through splitmix64: one stream per (seed, stream). */
struct sim_rng {
	uint64_t	 s[4];
};

void	 sim_rng_seed(struct sim_rng *, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(struct sim_rng *);
double	 sim_rng_uniform(struct sim_rng *);		/* in (0, 1) */
double	 sim_rng_exp(struct sim_rng *, double mean);
double	 sim_rng_lognormal(struct sim_rng *, double mean, double cv);

/* One window as a run sees it: its tiers and its open periods. */
struct sim_window {
	struct dispatch_window	 dw;		/* number and tiers (borrowed) */
	int			 nopen;
	int64_t			 open_from[SIM_PERIODS];	/* ms, sorted */
	int64_t			 open_to[SIM_PERIODS];		/* ms, exclusive */
};

/* One ticket: the generator (or a test) fills the first part, sim_run the
 * rest.  A run's tickets are sorted by `issued`. */
struct sim_ticket {
	int		 matter;	/* matter index */
	int		 cls;		/* class as issued (class index) */
	int64_t		 issued;	/* ms: taken at the kiosk, or checked in */
	int64_t		 slot;		/* appointment's slot start, ms; 0: none */
	int64_t		 service_ms;	/* time at the window when present */
	int		 no_show;	/* gone when called */

	int		 waits_as;	/* the class it waited as */
	int64_t		 arrival;	/* virtual arrival, as the daemon's */
	int		 hour;		/* hour of the day it was issued in */
	int		 refused;	/* the issuing cutoff turned it away */
	int64_t		 called;	/* ms; -1: never called */
	int64_t		 call_seq;	/* order of its call in the run; -1 */
	int		 window;	/* index of the window that called it; -1 */
	int64_t		 passover_ms;	/* see sim_passover() */
};

/* What a run does with the tickets. */
struct sim_model {
	int				 nmatters;
	const struct dispatch_policy	*policy;
	struct dispatch_params		 params;
	struct dispatch_rule		 rule;
	int64_t				 noshow_ms;	/* a window's call-and-wait for a no-show */
	const int64_t			*prior_ms;	/* per matter: the estimator's first mean;
							 * NULL: no issuing cutoff */
	int64_t				 notice_ms;	/* the cutoff's closing-notice margin */
	int64_t				 day_start;	/* ms: hour 0 of the per-hour figures */
	int64_t				 obs_from;	/* Little's law: the window observed */
	int64_t				 obs_to;
};

/* What a run measured besides the tickets' own times. */
struct sim_result {
	double		 q_area;	/* integral of tickets waiting over [obs_from, obs_to), ticket-ms */
	double		*busy;		/* nwindows * SIM_HOURS: ms calling or serving */
	double		*open;		/* nwindows * SIM_HOURS: ms open (overtime included) */
	int64_t		 t_end;		/* the last event */
	size_t		 events;
	size_t		 unserved;	/* still waiting when no window would open again */
	size_t		 refused;
};

/* The day's demand, per hour, matter and class (the workload file). */
struct sim_workload {
	int		 nmatters;
	const double	*share;		/* per matter index; sums to 1 */
	const double	*service_ms;	/* per matter: mean time at the window */
	const double	*cv;		/* per matter: lognormal cv; 0: fixed */
	double		 tickets_per_day;
	double		 profile[SIM_HOURS];	/* share of the day's tickets by hour */
	const double	*rate;		/* or NULL: nmatters x SIM_HOURS, tickets
					 * per hour (then tickets_per_day, profile
					 * and share are not read) */
	double		 no_show;	/* share of tickets gone when called */
	double		 appt_share;	/* share booked */
	double		 appt_no_show;	/* share of bookings that never come */
	double		 appt_early;	/* share of bookings checking in before their slot */
	double		 green_share;
	int		 green_class;	/* class indexes; -1: none */
	int		 appt_class;
	int		 normal_class;
	int64_t		 slot_ms;	/* appointment slot length */
};

void	 sim_result_init(struct sim_result *, int nwindows);
void	 sim_result_free(struct sim_result *);
int	 sim_run(const struct sim_model *, const struct sim_window *, int nwindows,
	    struct sim_ticket *, size_t nt, struct sim_result *);
void	 sim_passover(struct sim_ticket *, size_t nt, int nmatters);

size_t	 sim_gen_day(const struct sim_workload *, const struct sim_window *,
	    int nwindows, int64_t day_start, struct sim_rng *,
	    struct sim_ticket **out, size_t *booked_no_show);
size_t	 sim_gen_poisson(double per_ms, double service_ms, double green_share,
	    int green_class, int normal_class, int64_t until, struct sim_rng *,
	    struct sim_ticket **out);

/* stats.c: figures of a set of tickets, and their spread over replications. */
enum sim_fig {
	SF_TICKETS,		/* issued (refused not counted) */
	SF_REFUSED,		/* turned away by the issuing cutoff */
	SF_NO_SHOWS,
	SF_UNSERVED,		/* never called */
	SF_WAIT_MEAN,		/* s, of called tickets */
	SF_WAIT_P90,
	SF_WAIT_MAX,
	SF_TARGET,		/* share of tickets called within their matter's target */
	SF_10MIN,		/* share of tickets called within 10 minutes */
	SF_PASSOVER,		/* s, the longest a ticket was passed by a later one */
	SF_UTIL,		/* busy / open of the windows */
	SF_P_WAIT,		/* share of called tickets that waited at all */
	SF_SL20,		/* share of called tickets called within 20 s */
	SF_MAX
};
extern const char *const sim_fig_names[SF_MAX];

/* Which tickets a figure is of. */
struct sim_filter {
	int		 matter;	/* -1: any */
	int		 hour;		/* -1: any */
	int		 cls;		/* -1: any; else the class it waited as */
	int64_t		 from, to;	/* issued in [from, to); to 0: any */
};

void	 sim_figures(const struct sim_ticket *, size_t nt, const struct sim_filter *,
	    const int64_t *target_ms, double *fig);
double	 sim_t975(int df);
void	 sim_spread(const double *v, int n, double *mean, double *half);

#endif

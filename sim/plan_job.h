/* plan_job.h — hallqd's staffing job: the Erlang C answer of GET
 * /api/staffing checked by simulation (plan.c), made on the reporter's
 * thread, never the core's.  The job (advice.c, cmd_staffing) carries
 * everything: the answer so far, the forecast per matter and hour, the
 * learned service means, the target and level, the day, the config path. */
#ifndef HALLQ_PLAN_JOB_H
#define HALLQ_PLAN_JOB_H

#include <jansson.h>

#define PLAN_JOB_SEED	20261201	/* one seed: the same answer each time */

/* The answer with "checked" in every hour and "checked_by", "seed" and
 * "reps"; the caller owns it.  A configuration that cannot be read, or no
 * longer has the job's matters, leaves the answer unchecked
 * ("checked_by": null and "check_error"). */
json_t	*plan_job_run(const json_t *job);

#endif

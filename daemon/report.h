/* report.h — the figures a hall is judged by, for any past range, read from
 * the database by a worker thread with its own read-only connection: a
 * report of a year never holds up the core loop (web/README.md, "Reports").
 *
 * The core checks the request (cmd_report, with the hall's names and the
 * day range) and hands a job to the reporter; the reporter's thread
 * computes it and hands the answer to `done`, which queues it for the web
 * thread like any reply. */
#ifndef HALLQ_REPORT_H
#define HALLQ_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <sqlite3.h>

#define REPORT_MAX_DAYS		400
#define REPORT_QUEUE		4	/* running or waiting */

enum report_group {
	RG_MATTER, RG_WINDOW, RG_CLERK, RG_DAY, RG_HOUR, RG_CHANNEL, RG_MAX
};

extern const char *const report_group_names[RG_MAX];

struct report_matter {
	char		*code;
	char		*name;
	int64_t		 target_ms;
};

struct report_window {
	int		 number;
	char		*name;
};

/* One report to make: everything it needs, copied (the configuration may
 * be replaced while it runs). */
struct report_req {
	uint64_t		 conn;		/* who asked */
	char			 from[16], to[16];	/* business days */
	int64_t			 from_ms, to_ms;	/* [from 00:00, to+1 00:00) */
	enum report_group	 group;
	int			 csv;
	int64_t			 now;
	int32_t			 utc_offset_s;
	char			*hall;
	struct report_matter	*matters;
	size_t			 nmatters;
	struct report_window	*windows;
	size_t			 nwindows;
	json_t			*staffing;	/* or a staffing job (sim/plan_job.h),
						 * the worker's own copy: no report */
};

void		 report_req_free(struct report_req *);
/* The job cmd_report (or cmd_staffing: "kind": "staffing") put in its
 * result, as a request; NULL if malformed. */
struct report_req *report_req_from_json(json_t *job, uint64_t conn);

/* Compute on an open connection: the report object (web/README.md), or
 * NULL with err. */
json_t		*report_run(sqlite3 *, const struct report_req *, char *err,
		     size_t errlen);
/* The CSV text of a report (UTF-8, BOM, CRLF); the caller frees it. */
char		*report_csv(json_t *report);

/* The worker. */
typedef void (*report_done_fn)(void *arg, uint64_t conn, int status,
    char *body, const char *ctype, char *filename);

struct reporter;

struct reporter	*reporter_new(const char *db_path, report_done_fn, void *arg);
/* Takes req; -1 (req freed) when REPORT_QUEUE reports are in hand. */
int		 reporter_submit(struct reporter *, struct report_req *);
void		 reporter_free(struct reporter *);

#endif

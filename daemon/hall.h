/* hall.h — the hall's state machine: tickets, windows, numbering, estimates.
 * hall_exec() takes one command, decides with the dispatcher, writes it in one
 * transaction, and returns the reply and the events it committed. */
#ifndef HALLQ_HALL_H
#define HALLQ_HALL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "event.h"

struct config;
struct store;
struct hall;

/* An entry of the log as read back for a page or a replay: its text only. */
struct hall_event {
	int64_t		 seq;
	char		*json;		/* {"seq":N,"type":...,"at":ms,...} */
};

struct hall_result {
	int			 status;	/* HTTP status */
	char			*body;		/* JSON object text, NULL for 204 */
	struct event		*events;	/* committed by this command */
	size_t			 nevents;
	/* "events" command only: the log entries one by one (replay) */
	struct hall_event	*items;
	size_t			 nitems;
	/* A read answered elsewhere (a report, by the reporter's thread):
	 * the job; no reply is sent from here. */
	json_t			*defer;
	/* The body's type when it is not JSON (GET /metrics), else NULL. */
	const char		*ctype;
};

/* A page of the event log stops after the event that takes it past this
 * many bytes (always one event at least): a page is bounded in memory
 * whatever `limit` asks; clients go on from its "next". */
#define HALL_EVENTS_PAGE_BYTES	(256 * 1024)

/* A window as its displays see it. */
struct hall_window_view {
	int		 number;
	const char	*state;		/* "open", "paused", "closed" */
	int		 paused, closed;
	const char	*paused_text, *closed_text;
	char		 ticket[24];	/* current ticket's number, "" if none */
	int64_t		 ticket_id;
	int		 serving;	/* 0: called, 1: being served */
	int64_t		 called_at;
	const char	*matter;	/* current ticket's matter name, or NULL */
	int		 waiting;	/* tickets of the window's matters waiting */
};

struct hall	*hall_new(struct config *, struct store *, int64_t now,
		     char *err, size_t errlen);
void		 hall_free(struct hall *);
/* The subscribers with a stage hook write in the hall's transactions. */
void		 hall_set_events(struct hall *, struct events *);
void		 hall_reconfigure(struct hall *, struct config *);
struct config	*hall_take_config(struct hall *);
int		 hall_restored(struct hall *, int64_t now);
int		 hall_audit_system(struct hall *, const char *op, const char *by,
		     json_t *detail, int64_t now, struct hall_result *);
void		 hall_set_any_hour(struct hall *, int);
/* Messages to citizens (notify.c): the rows a change calls for, written in
 * its transaction (the "notify" subscriber's stage hook); whether a row's
 * reason still stands; the base URL of delivery reports (freed by the
 * caller); the report key. */
struct store_outbox;
int		 hall_notify_stage(struct hall *, const struct event *, size_t);
int		 hall_notify_valid(struct hall *, const struct store_outbox *);
char		*hall_notify_report_base(struct hall *);
const char	*hall_notify_key(struct hall *);
json_t		*notify_json(const struct store_outbox *);	/* masked */
/* A change made outside any command, in one transaction: fn writes rows
 * (0, or -1 to undo), then the event (type NULL: none; takes o). */
int		 hall_write(struct hall *, int (*fn)(struct store *, void *),
		     void *arg, const char *type, json_t *o, int64_t now,
		     struct hall_result *);
/* GET /api/public/queue's body (the caller frees it) and its figures' tag
 * (a hash of all but the clock). */
char		*hall_public_queue(struct hall *, int64_t now, uint64_t *tag);
void		 hall_exec(struct hall *, json_t *cmd, int64_t now,
		     struct hall_result *);
void		 hall_tick(struct hall *, int64_t now, struct hall_result *);
void		 hall_result_clear(struct hall_result *);
int		 hall_batch_begin(struct hall *);
int		 hall_batch_end(struct hall *);
void		 hall_result_fail(struct hall_result *);
int64_t		 hall_seq(struct hall *);
int		 hall_note(struct hall *, const char *type, json_t *, int64_t now,
		     struct hall_result *);
int		 hall_window_view(struct hall *, int number,
		     struct hall_window_view *);
/* What the device manager answers for the REST API. */
struct hall_devices {
	json_t	*(*list)(void *);		/* GET /api/devices */
	/* POST /api/devices/{name}/learn: an HTTP status, err for >= 400 */
	int	 (*learn)(void *, const char *name, int window, int64_t now,
		    char *err, size_t errlen);
};
void		 hall_set_devices(struct hall *, const struct hall_devices *, void *);
int		 hall_learned(struct hall *, const char *device, int64_t remote,
		     int window, int64_t now, struct hall_result *);
int		 hall_remotes(struct hall *, const char *device,
		     void (*)(void *, int64_t, int), void *);
const char	*hall_day(struct hall *);
/* The uplink (uplink.c): its status for GET /api/uplink, and what it
 * publishes besides the events. */
void		 hall_set_uplink(struct hall *, json_t *(*)(void *), void *);
json_t		*hall_uplink_rating(struct hall *, int64_t ticket, int *failed);
json_t		*hall_uplink_case(struct hall *, int64_t id, int *failed);
/* A report's job (report.h) for days from..to by group; NULL if bad. */
json_t		*hall_report_job(struct hall *, const char *from, const char *to,
		     const char *group, int csv);
/* GET /metrics: what the hall counts (commands, commits) goes to m; a
 * ticket's first call (ms, 0 if not in memory) for the wait histogram. */
struct metrics;
void		 hall_set_metrics(struct hall *, struct metrics *);
int64_t		 hall_ticket_first_call(void *hall, int64_t ticket);
/* Tickets held in memory: today's and the open ones (tests, figures). */
size_t		 hall_tickets_in_memory(struct hall *);
void		 hall_business_day(int64_t now, char *buf, size_t len);

#endif

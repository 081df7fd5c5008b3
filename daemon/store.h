/* store.h — the durable hall: tickets, windows, numbering, the event log, in
 * one SQLite file (WAL, synchronous=FULL). */
#ifndef HALLQ_STORE_H
#define HALLQ_STORE_H

#include <stdint.h>

struct store;

/* A ticket row as stored; names are borrowed from the caller or the row. */
struct store_ticket {
	int64_t		 id;
	const char	*day;
	const char	*number;
	const char	*prefix;
	int64_t		 seqno;
	const char	*matter;
	const char	*cls;
	const char	*channel;
	const char	*state;
	int		 window;	/* 0: none */
	int		 target_window;	/* 0: none */
	int		 held_by;	/* 0: none */
	int64_t		 issued_at;
	int64_t		 arrival;
	int64_t		 slot_start;	/* 0: none */
	int64_t		 called_at;	/* 0: never */
	int64_t		 serving_at;
	int64_t		 ended_at;
	int64_t		 no_show_at;
	int		 recalls;
	int		 transfers;
	const char	*phone;		/* the person's own: masked when shown */
	const char	*id_number;
	const char	*token;
	const char	*finished_by;	/* the clerk's label, or NULL */
	int		 rated;		/* 0 not yet, 1 rated, 2 not rated in time */
	int		 notify;	/* consent: messages to phone */
	const char	*appointment;	/* the booking it was checked in from */
	int64_t		 first_called_at;	/* 0: never called */
};

struct store_rating {
	int64_t		 ticket;
	const char	*day;
	int		 window;
	const char	*clerk;
	const char	*matter;
	int		 score;		/* 1..5; 0: not rated (NULL) */
	const char	*source;	/* evaluator, clerk, ticket, none */
	const char	*comment;
	int64_t		 at;
	/* The national record (issue 15): how it was given, from where, and
	 * the rater as masked when it was recorded. */
	const char	*channel;	/* evaluator window qr kiosk web sms */
	const char	*terminal;	/* the device or token name, or NULL */
	const char	*rater_id;	/* masked ID number, or NULL */
	const char	*rater_phone;	/* masked phone, or NULL */
	int		 real_name;
	int		 struck;	/* by an upheld appeal */
};

typedef void (*store_rating_cb)(void *, const struct store_rating *);

/* A 好差评 case or a 办不成事 ledger entry; names borrowed. */
struct store_case {
	int64_t		 id;
	const char	*kind;		/* rating, ledger */
	int64_t		 ticket;	/* 0: none */
	const char	*day;		/* the business day it was opened */
	const char	*number;
	const char	*matter;
	int		 window;	/* 0: none */
	const char	*clerk;
	const char	*channel;
	int		 score;		/* 0: none (ledger) */
	const char	*comment;
	const char	*problem;
	const char	*place;
	const char	*citizen;	/* masked */
	const char	*phone;		/* masked */
	int64_t		 opened_at;
	int64_t		 due_at;
	const char	*state;
	int		 founded;	/* -1: not verified yet */
	int		 struck;
	int		 overdue;	/* case.overdue was said */
	int64_t		 closed_at;	/* 0: open */
	const char	*steps;		/* JSON array text */
};

typedef void (*store_case_cb)(void *, const struct store_case *);

struct store_window {
	int		 number;
	const char	*state;
	int64_t		 ticket;	/* 0: none */
	int64_t		 since;
};

/* An appointment row; names borrowed. phone, id_number and name are the
 * person's own (NULL once purged): callers mask them for every output. */
struct store_appt {
	const char	*code;
	const char	*token;
	const char	*matter;
	const char	*day;		/* the slot's business day */
	int64_t		 start;
	int64_t		 end;
	const char	*state;		/* booked, checked_in, cancelled, no_show */
	const char	*channel;
	int64_t		 ticket;	/* 0: none */
	int		 late;
	const char	*phone;
	const char	*id_number;
	const char	*name;
	int64_t		 booked_at;
	int64_t		 checked_in_at;	/* 0: not */
	int64_t		 changed_at;
	int		 notify;	/* consent: messages to phone */
};

typedef void (*store_appt_cb)(void *, const struct store_appt *);
/* A message to a citizen (issue 14). */
struct store_outbox {
	int64_t		 id;
	const char	*kind;
	int64_t		 ticket;	/* 0: none */
	const char	*appointment;	/* NULL: none */
	const char	*phone;		/* the person's own; NULL once purged */
	const char	*text;
	const char	*params;	/* JSON object of the template's values */
	const char	*state;		/* queued sending sent delivered failed
					   expired cancelled */
	int		 attempts;
	int64_t		 next_at;
	int64_t		 created_at;
	int64_t		 sent_at;	/* 0: not */
	int64_t		 done_at;
	const char	*gateway_id;
	const char	*error;
};

typedef void (*store_outbox_cb)(void *, const struct store_outbox *);

/* A row kept past its callback: its strings copied and owned. */
struct store_outbox_copy {
	struct store_outbox	 o;
	char			*s[8];
	int			 found;
};
void		 store_outbox_keep(void *copy, const struct store_outbox *);
void		 store_outbox_copy_free(struct store_outbox_copy *);
typedef void (*store_slot_cb)(void *, int64_t start, const char *matter,
    int64_t count);
typedef void (*store_block_cb)(void *, const char *matter, int64_t start,
    int64_t end);
typedef void (*store_ticket_cb)(void *, const struct store_ticket *);
typedef void (*store_window_cb)(void *, const struct store_window *);
typedef int (*store_event_cb)(void *, int64_t seq, const char *json);
typedef void (*store_remote_cb)(void *, int64_t remote, int window);

extern const int store_schema_version;

struct store	*store_open(const char *path, char *err, size_t errlen);
struct store	*store_open_upto(const char *path, int version, char *err,
		     size_t errlen);
void		 store_close(struct store *);
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);
int		 store_savepoint(struct store *);
int		 store_release(struct store *);
int		 store_rollback_to(struct store *);
int		 store_ticket_put(struct store *, const struct store_ticket *);
int		 store_ticket_get(struct store *, int64_t id, store_ticket_cb, void *);
int		 store_tickets_live(struct store *, const char *day,
		     store_ticket_cb, void *);
int64_t		 store_ticket_max_id(struct store *);
int		 store_tickets_day(struct store *, const char *day,
		     store_ticket_cb, void *);
int		 store_window_put(struct store *, const struct store_window *);
int		 store_windows(struct store *, store_window_cb, void *);
int		 store_counter_put(struct store *, const char *day,
		     const char *prefix, int64_t last);
int64_t		 store_counter_get(struct store *, const char *day,
		     const char *prefix);
int		 store_event_put(struct store *, int64_t seq, int64_t at,
		     const char *type, const char *json);
int		 store_events(struct store *, int64_t since, int limit,
		     store_event_cb, void *);
int		 store_events_type(struct store *, const char *type,
		     int64_t before, int64_t from, int64_t to, int limit,
		     store_event_cb, void *);
int64_t		 store_event_max_seq(struct store *);
int64_t		 store_event_last_at(struct store *);
int		 store_meta_put(struct store *, const char *key, const char *value);
char		*store_meta_get(struct store *, const char *key);
int		 store_user_version(struct store *);
int		 store_rating_put(struct store *, const struct store_rating *);
int		 store_ratings_day(struct store *, const char *day, int64_t by[6]);
int		 store_rating_strike(struct store *, int64_t ticket);
int		 store_rating_get(struct store *, int64_t ticket, store_rating_cb,
		     void *);
int		 store_ratings_range(struct store *, const char *from,
		     const char *to, int64_t after, int limit, store_rating_cb,
		     void *);
int		 store_case_put(struct store *, const struct store_case *);
int		 store_case_get(struct store *, int64_t id, store_case_cb, void *);
int		 store_case_of_ticket(struct store *, int64_t ticket,
		     store_case_cb, void *);
/* which: 0 all, 1 open, 2 overdue at now, 3 closed; kind, from, to NULL
 * for any; newest first. */
int		 store_cases(struct store *, int which, int64_t now,
		     const char *kind, const char *from, const char *to, int limit,
		     store_case_cb, void *);
int		 store_cases_due(struct store *, int64_t now, int limit,
		     store_case_cb, void *);
int		 store_case_counts(struct store *, int64_t now, int64_t *open,
		     int64_t *overdue);
int64_t		 store_case_max_id(struct store *);
int		 store_remote_put(struct store *, const char *device, int64_t remote,
		     int window, int64_t at);
int		 store_remotes(struct store *, const char *device, store_remote_cb,
		     void *);
const char	*store_errmsg(struct store *);
int		 store_cursor_put(struct store *, const char *name, int64_t seq);
int64_t		 store_cursor_get(struct store *, const char *name);

int		 store_appt_put(struct store *, const struct store_appt *);
int		 store_appt_get(struct store *, const char *code, store_appt_cb,
		     void *);
int		 store_appts_due(struct store *, int64_t end_before, int limit,
		     store_appt_cb, void *);
int		 store_appts_day(struct store *, const char *day,
		     const char *id_number, store_appt_cb, void *);
int64_t		 store_appt_person_day(struct store *, const char *id_number,
		     const char *day);
int64_t		 store_appt_person_slot(struct store *, const char *id_number,
		     const char *matter, int64_t start);
int64_t		 store_appt_no_shows(struct store *, const char *id_number,
		     int64_t since, int64_t *last);
int		 store_appt_slot_matters(struct store *, int64_t from, int64_t to,
		     store_slot_cb, void *);
int		 store_purge_personal(struct store *, int64_t before);
int		 store_block_put(struct store *, const char *matter, int64_t start,
		     int64_t end, int64_t at);
int		 store_block_del(struct store *, const char *matter, int64_t start,
		     int64_t end);
int		 store_blocks(struct store *, int64_t end_after, store_block_cb,
		     void *);

int64_t		 store_outbox_add(struct store *, const struct store_outbox *);
int		 store_outbox_set(struct store *, const struct store_outbox *);
int		 store_outbox_get(struct store *, int64_t id, store_outbox_cb, void *);
int		 store_outbox_due(struct store *, int64_t now, int limit,
		     store_outbox_cb, void *);
int		 store_outbox_of(struct store *, int64_t ticket,
		     const char *appointment, store_outbox_cb, void *);
int		 store_outbox_newest(struct store *, int limit, store_outbox_cb,
		     void *);
int		 store_outbox_pending(struct store *, int64_t ticket,
		     const char *appointment, store_outbox_cb, void *);
int64_t		 store_outbox_count(struct store *, const char *state,
		     int64_t *first);
int		 store_outbox_purge(struct store *, int64_t before);

#endif

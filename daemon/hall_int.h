/* hall_int.h — the inside of the hall, shared by its files only (hall.c,
 * ticket.c, window.c, view.c, cmd*.c): the ticket, window and hall structs,
 * the states, and what each of those files lends the others.  Nothing
 * outside the hall includes it; hall.h stays the public API. */
#ifndef HALLQ_HALL_INT_H
#define HALLQ_HALL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "dispatch.h"
#include "hall.h"
#include "store.h"

enum tstate {
	TS_WAITING,
	TS_CALLED,
	TS_SERVING,
	TS_HELD,
	TS_DONE,
	TS_NO_SHOW,
	TS_CANCELLED,
	TS_TRANSFERRED,		/* waiting again after a transfer */
	TS_EXPIRED,		/* still open when its business day ended */
	TS_MAX
};

extern const char *const tstate_names[TS_MAX];

enum wstate {
	WS_CLOSED,
	WS_OPEN,
	WS_PAUSED,
	WS_MAX
};

extern const char *const wstate_names[WS_MAX];

/* The ticket moves (ticket.c's ticket_moves[]): every change of a ticket's
 * state is one of these, made by ticket_move(), which refuses a move from a
 * state the table does not list.  Issuing makes a ticket (waiting); no move
 * leads out of done, cancelled or expired. */
enum tmove_id {
	TMOVE_CALL,		/* a waiting ticket called to a window */
	TMOVE_CALL_BACK,	/* a held or no-show ticket called again */
	TMOVE_RECALL,		/* called again: its number said once more */
	TMOVE_START,		/* the citizen came: served */
	TMOVE_FINISH,
	TMOVE_NO_SHOW,
	TMOVE_HOLD,		/* 挂起: set aside by its window */
	TMOVE_TRANSFER,		/* to another matter or window: waits again */
	TMOVE_CANCEL,
	TMOVE_REQUEUE,		/* held by a window that closed: waits again */
	TMOVE_EXPIRE,		/* still open when its business day ended */
	TMOVE_MAX
};

struct tmove {
	const char	*name;
	unsigned	 from;		/* mask of tstate */
	enum tstate	 to;
};

extern const struct tmove ticket_moves[TMOVE_MAX];

/* The window moves (window.c's window_moves[]): the states each may start
 * from, the state it leads to, and the event it makes. */
enum wmove_id {
	WMOVE_PAUSE,
	WMOVE_RESUME,
	WMOVE_OPEN,
	WMOVE_CLOSE,
	WMOVE_MAX
};

struct wmove {
	const char	*what;
	unsigned	 from;		/* mask of wstate */
	enum wstate	 to;
	const char	*event;
};

extern const struct wmove window_moves[WMOVE_MAX];

struct ticket {
	int64_t		 id;
	char		 day[16];
	char		 number[24];
	char		 prefix[8];
	int64_t		 seqno;
	char		 matter[40];	/* code; index below may be -1 after reload */
	int		 mi;
	char		 cls[40];
	int		 ci;
	char		 channel[16];
	enum tstate	 state;
	int		 window;	/* window serving, holding or that no-showed it */
	int		 target_window;	/* transferred to this window only */
	int64_t		 issued_at;
	int64_t		 arrival;	/* virtual arrival: fairness clock */
	int64_t		 slot_start;
	int64_t		 called_at;
	int64_t		 first_called_at;	/* reports' wait */
	int64_t		 serving_at;
	int64_t		 ended_at;
	int64_t		 no_show_at;
	int		 recalls;
	int		 transfers;
	char		*phone;
	char		*id_number;
	char		 token[33];
	char		 finished_by[68];	/* clerk's name */
	int		 rated;		/* 0 not yet, 1 rated, 2 not rated in time */
	int		 notify;	/* consent: messages to its phone */
	char		 appointment[12];	/* the booking it came from, or "" */
	unsigned	 notified;	/* kinds whose row is written (memory only) */
	int		 ahead_skipped;	/* issued within ahead_at: no "ahead" */
	int		 queued;	/* in the dispatcher */
	struct dispatch_ticket dt;	/* as queued */
	struct ticket	*hnext;
};

struct win {
	const struct window_conf *conf;
	int		 number;
	enum wstate	 state;
	struct ticket	*cur;
	int64_t		 since;		/* state or ticket change */
	char		 clerk[68];	/* who last acted here (not kept) */
	struct dispatch_window dw;
	/* A manager's tiers for today (POST .../tiers), else the file's. */
	struct dispatch_tier *otiers;
	int		*omatters;
	int		 close_due;	/* its hours ended: closes when idle */
};

/* The windows serving a matter (any configured tier): their hours. */
struct serving {
	const struct calendar_hours **hours;	/* NULL entry: the hall's */
	int		*win;		/* index in conf->windows, per entry */
	size_t		 n;
};

/* A manager's blocked slots ('' matter: every matter). */
struct slot_block {
	char		 matter[40];
	int64_t		 start, end;
};

/* The public's bookings per address (appt.c's rate limit). */
#define PEERS_MAX	4096
struct peer_rate {
	char		 addr[48];
	int64_t		 minute;
	int		 count;
};

/* A check-in in the making (appt.c fills it, cmd_ticket_issue uses it). */
struct appt;
struct appt_checkin {
	struct appt	*appt;
	int		 mi;
	int64_t		 start;
	int		 late;
};

struct counter {
	char		 prefix[8];
	int64_t		 last;
};

struct hall {
	struct config	*conf;
	struct config	*pending_conf;	/* PUT /api/config: for the core */
	struct store	*store;
	const struct dispatch_policy *policy;
	struct dispatch_params params;
	struct dispatch_rule rule;	/* class and key: the fairness rule */
	int64_t		 head_start[DISPATCH_MAX_CLASSES];
	struct dispatch	*disp;
	char		 day[16];
	int64_t		 seq;
	int64_t		 next_id;

	struct ticket	**buckets;
	size_t		 nbuckets;
	size_t		 ntickets;

	struct win	*wins;
	int		 nwins;
	struct ticket	**held;		/* every held ticket: windows list theirs */
	size_t		 nheld;
	struct counter	*counters;
	int		 ncounters;
	int64_t		*service_ms;	/* per matter: EWMA of service time */

	/* The command being applied. */
	int64_t		 now;
	struct hall_result *res;
	int		 failed;	/* a write failed: roll back */
	int		 batch;		/* inside hall_batch_begin/end */
	int		 batch_failed;	/* a savepoint could not be undone */

	/* GET /api/devices and learn: the device manager answers. */
	const struct hall_devices *devices;
	void		*devices_arg;
	struct events	*bus;		/* stage hooks run in our transactions */

	/* hours.c */
	int		 any_hour;	/* -a: hours shown, not enforced */
	int		 hours_enforced;
	struct serving	*serving;	/* per matter */
	int		 nserving;
	int		*sched;		/* per window: open by its hours at the
					   last tick; -1 not yet seen */
	int		 nsched;
	/* appt.c */
	struct slot_block *blocks;
	size_t		 nblocks;
	struct peer_rate *peers;
	size_t		 npeers;
	char		 purged_day[16];
	int64_t		 next_no_show_check;
	/* notify.c */
	char		 notify_key[33];	/* delivery reports must carry it */
	/* cases.c */
	int64_t		 next_case_check;
	/* advice.c: today's arrivals forecast, per matter and hour */
	double		*fc;
	int32_t		 fc_day;
	/* advice.c: the automatic mode (kept in meta "advice.auto") */
	int		 auto_loaded;
	json_t		*auto_conf;
	int64_t		 next_auto;
	/* the uplink's status (GET /api/uplink) */
	json_t		*(*uplink_status)(void *);
	void		*uplink_arg;
	/* GET /metrics: commands and commits are counted here (metrics.c) */
	struct metrics	*metrics;
	int		 batch_writes;	/* writing commands in this batch */
};

/* ---------------------------------------------------------------- commands */

struct op_ctx {
	json_t			*cmd;
	json_t			*body;		/* never NULL: {} when absent */
	const struct token	*token;
	const char		*device;	/* a window's pad or evaluator */
	struct win		*win;		/* window commands */
	struct ticket		*loose;		/* an older day's ticket, read for
						   this command only (cmd_find_ticket) */
	json_t			*reply;		/* owned; NULL with 204 */
	char			*text;		/* owned: a text answer instead
						   (GET /metrics), METRICS_CTYPE */
	int			 status;
};

/* Every command: who may send it, what it carries, whether it writes. */
struct op {
	const char	*name;
	unsigned	 roles;
	int		 window;	/* needs "window" */
	int		 writes;
	const char	*fields[16];	/* body members it accepts */
	int		(*fn)(struct hall *, struct op_ctx *);
};


/* ticket.c: the registry, queueing, moves */
int	 ticket_may(const struct ticket *t, enum tmove_id m);
int	 ticket_move(struct ticket *t, enum tmove_id m);
void	 ticket_link(struct hall *h, struct ticket *t);
struct ticket	*ticket_find(struct hall *h, int64_t id);
void	 ticket_free(struct ticket *t);
void	 ticket_clear_all(struct hall *h);
int	 ticket_in_queue_state(const struct ticket *t);
int	 ticket_class(struct hall *h, const struct ticket *t);
void	 ticket_queue(struct hall *h, struct ticket *t);
void	 ticket_unqueue(struct hall *h, struct ticket *t);
void	 ticket_learn_service(struct hall *h, const struct ticket *t);
struct ticket	*ticket_from_row(struct hall *h, const struct store_ticket *st);

/* window.c: windows, tiers, the held list */
struct win	*window_find(struct hall *h, int number);
int	 window_open_count(struct hall *h, int mi);
int64_t	 window_eta_s(struct hall *h, int mi, size_t ahead, int target);
void	 window_held_add(struct hall *h, struct ticket *t);
void	 window_held_del(struct hall *h, struct ticket *t);
void	 window_held_rebuild(struct hall *h);
void	 window_load_cb(void *arg, const struct store_window *sw);
void	 window_free_all(struct hall *h);
int	 window_tiers_set(struct hall *h, struct win *w, json_t *tiers,
		    char *why, size_t whylen);
void	 window_tiers_load(struct hall *h, struct win *w);
int	 window_tiers_apply(struct hall *h, struct win *w, json_t *tiers,
	    char *why, size_t whylen);
void	 window_tiers_forget(struct hall *h, int number);
void	 window_build_all(struct hall *h);
void	 window_release(struct hall *h, struct win *w);
void	 window_hand_back(struct hall *h, struct win *w);

/* view.c: JSON views */
json_t	*view_window_no(int v);
json_t	*view_ticket(struct hall *h, struct ticket *t);
json_t	*view_window(struct hall *h, struct win *w);
json_t	*view_snapshot(struct hall *h, int64_t now);
void	 view_hall_clock(struct hall *h, json_t *o, int64_t now);
char	*view_text(json_t *o);
char	*view_mask(const char *s);
char	*view_text_free(json_t *o);

/* hall.c: rows and events written in the change's transaction */
void	 hall_put_ticket(struct hall *h, struct ticket *t);
void	 hall_put_window(struct hall *h, struct win *w);
void	 hall_emit(struct hall *h, const char *type, json_t *o);
void	 hall_emit_ticket(struct hall *h, const char *type, struct ticket *t);
void	 hall_announce(struct hall *h, struct ticket *t, int recall);
void	 hall_emit_window(struct hall *h, const char *type, struct win *w);
int	 hall_next_number(struct hall *h, const char *prefix, int64_t *seqno);
void	 hall_rating_write(struct hall *h, struct ticket *t, int score,
		    const char *source, const char *comment, const char *terminal);
int	 hall_txn_begin(struct hall *h);
int	 hall_txn_end(struct hall *h);

/* cmd.c: the registry and what every command uses */
int	 cmd_error(struct op_ctx *c, int status, const char *code,
		    const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
int	 cmd_ticket_reply(struct hall *h, struct op_ctx *c, int status,
		    struct ticket *t);
int	 cmd_window_reply(struct hall *h, struct op_ctx *c, struct win *w);
int	 cmd_body_string(struct op_ctx *c, const char *key, size_t maxlen,
		    const char **out);
int	 cmd_body_int(struct op_ctx *c, const char *key, int64_t lo, int64_t hi,
		    int64_t *out, int required);
struct ticket	*cmd_read_ticket(struct hall *h, struct op_ctx *c, int64_t id);
struct ticket	*cmd_find_ticket(struct hall *h, struct op_ctx *c, int64_t id);
int	 cmd_ticket_id(struct op_ctx *c, int64_t *id);
int	 cmd_illegal(struct op_ctx *c, const struct ticket *t,
		    const char *what);
struct ticket	*cmd_current(struct op_ctx *c, enum tmove_id m,
		    const char *what);
void	 cmd_clerk_name(struct hall *h, struct op_ctx *c, char *out,
		    size_t len);
const struct op *cmd_find(const char *name);
int	 cmd_check(struct hall *h, struct op_ctx *c, const struct op *op);

/* cmd_ticket.c */
int	 cmd_ticket_issue(struct hall *h, struct op_ctx *c);
int	 cmd_ticket_get(struct hall *h, struct op_ctx *c);
int	 cmd_ticket_cancel(struct hall *h, struct op_ctx *c);
int	 cmd_ticket_rate(struct hall *h, struct op_ctx *c);
int	 cmd_ticket_notify(struct hall *h, struct op_ctx *c);

/* cmd_window.c */
int	 cmd_window_call_next(struct hall *h, struct op_ctx *c);
int	 cmd_window_call(struct hall *h, struct op_ctx *c);
int	 cmd_window_recall(struct hall *h, struct op_ctx *c);
int	 cmd_window_start(struct hall *h, struct op_ctx *c);
int	 cmd_window_finish(struct hall *h, struct op_ctx *c);
int	 cmd_window_no_show(struct hall *h, struct op_ctx *c);
int	 cmd_window_hold(struct hall *h, struct op_ctx *c);
int	 cmd_window_transfer(struct hall *h, struct op_ctx *c);
int	 cmd_window_pause(struct hall *h, struct op_ctx *c);
int	 cmd_window_resume(struct hall *h, struct op_ctx *c);
int	 cmd_window_open(struct hall *h, struct op_ctx *c);
int	 cmd_window_close(struct hall *h, struct op_ctx *c);
int	 cmd_window_tiers(struct hall *h, struct op_ctx *c);
int	 cmd_window_get(struct hall *h, struct op_ctx *c);

/* notify.c */
char	*notify_render(const char *tmpl, json_t *params);
const char *hall_notify_key(struct hall *h);
struct store_outbox_copy *notify_row_read(struct hall *h, int64_t id);
void	 notify_row_cancel(struct hall *h, struct store_outbox_copy *r);
void	 hall_notify_cancelled(struct hall *h, int64_t ticket, const char *appt);
void	 hall_notify_consented(struct hall *h, struct ticket *t);
const char *notify_ticket_phone(struct hall *h, const struct ticket *t,
	    char *buf, size_t len);
int	 cmd_notify_kannel(struct hall *h, struct op_ctx *c);
int	 cmd_notify_report(struct hall *h, struct op_ctx *c);
int	 cmd_notify_list(struct hall *h, struct op_ctx *c);

/* hours.c */
const struct calendar_hours *hours_of_window(const struct window_conf *);
void	 hours_setup(struct hall *h);
void	 hours_free(struct hall *h);
int	 hours_hall_open(struct hall *h, int64_t ms);
int64_t	 hours_next_open(struct hall *h, int64_t ms);
int64_t	 hours_matter_close(struct hall *h, int mi, int64_t now);
int64_t	 hours_matter_wait_s(struct hall *h, int mi, int64_t now);
int	 hours_issue_check(struct hall *h, struct op_ctx *c, int mi, int accept);
void	 hours_say(struct hall *h, int64_t ms, char *buf, size_t len);
void	 hours_matter_json(struct hall *h, int mi, int64_t now, json_t *o);
void	 hours_hall_json(struct hall *h, int64_t now, json_t *o);
int	 hours_tick(struct hall *h);
int	 hours_tick_due(struct hall *h);
void	 hours_person_moved(struct hall *h, struct win *w);
int	 cmd_hall_hours(struct hall *h, struct op_ctx *c);

/* appt.c */
int	 appt_phone_ok(const char *);
json_t	*appt_mask_name(const char *);
int	 appt_id_ok(const char *);
int	 appt_load(struct hall *h);
void	 appt_free(struct hall *h);
int	 appt_check_in(struct hall *h, struct op_ctx *c, const char *key,
		    struct appt_checkin *out);
void	 appt_checked_in(struct hall *h, struct appt_checkin *ci, int64_t ticket,
		    json_t *reply);
void	 appt_checkin_free(struct appt_checkin *ci);
int	 appt_notify(const struct appt *);
const char *appt_code(const struct appt *);
int	 appt_tick_due(struct hall *h);
void	 appt_tick(struct hall *h);
int	 cmd_appt_slots(struct hall *h, struct op_ctx *c);
int	 cmd_appt_public_hall(struct hall *h, struct op_ctx *c);
int	 cmd_appt_book(struct hall *h, struct op_ctx *c);
int	 cmd_appt_get(struct hall *h, struct op_ctx *c);
int	 cmd_appt_cancel(struct hall *h, struct op_ctx *c);
int	 cmd_appt_reschedule(struct hall *h, struct op_ctx *c);
int	 cmd_appt_list(struct hall *h, struct op_ctx *c);
int	 cmd_appt_block(struct hall *h, struct op_ctx *c);
int	 cmd_appt_unblock(struct hall *h, struct op_ctx *c);

/* cases.c */
void	 cases_open_rating(struct hall *h, struct ticket *t, int score,
	    const char *comment, const char *channel);
const char *cases_rating_channel(const char *source, const char *device);
json_t	*cases_rating_record(struct hall *h, const struct store_rating *r,
	    int *failed);
int	 cases_tick_due(struct hall *h);
void	 cases_tick(struct hall *h);
int	 cmd_cases_list(struct hall *h, struct op_ctx *c);
int	 cmd_case_get(struct hall *h, struct op_ctx *c);
int	 cmd_case_step(struct hall *h, struct op_ctx *c);
int	 cmd_case_ledger(struct hall *h, struct op_ctx *c);
int	 cmd_ratings_list(struct hall *h, struct op_ctx *c);

/* cmd_hall.c */
int	 cmd_hall_hall(struct hall *h, struct op_ctx *c);
int	 cmd_hall_snapshot(struct hall *h, struct op_ctx *c);
int	 cmd_hall_devices(struct hall *h, struct op_ctx *c);
int	 cmd_hall_learn(struct hall *h, struct op_ctx *c);
int	 cmd_hall_auth(struct hall *h, struct op_ctx *c);
int	 cmd_hall_status(struct hall *h, struct op_ctx *c);
int	 cmd_hall_events(struct hall *h, struct op_ctx *c);
int	 cmd_hall_stats(struct hall *h, struct op_ctx *c);
int	 cmd_hall_metrics(struct hall *h, struct op_ctx *c);
int	 cmd_report(struct hall *h, struct op_ctx *c);
int	 cmd_hall_uplink(struct hall *h, struct op_ctx *c);
/* audit.c, confedit.c */
void	 hall_audit_cmd(struct hall *h, struct op_ctx *c, const char *op);
void	 hall_set_pending_config(struct hall *h, struct config *conf);
int	 cmd_audit_list(struct hall *h, struct op_ctx *c);
int	 cmd_config_get(struct hall *h, struct op_ctx *c);
int	 cmd_config_put(struct hall *h, struct op_ctx *c);

/* advice.c */
int	 cmd_staffing(struct hall *h, struct op_ctx *c);
int	 cmd_advice(struct hall *h, struct op_ctx *c);
int	 cmd_advice_auto(struct hall *h, struct op_ctx *c);
int	 advice_tick_due(struct hall *h);
void	 advice_tick(struct hall *h);

#endif

/* cmd.c — the command registry (ops[]: who may send each, what it carries,
 * whether it writes), the checks every command passes before it runs, and
 * the helpers the commands share (errors, replies, body members, tickets).
 * Must not open or end transactions: hall_exec() does. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hall_int.h"
#include "util.h"

int
cmd_error(struct op_ctx *c, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_decref(c->reply);
	c->reply = json_pack("{s:{s:s, s:s}}", "error", "code", code,
	    "message", msg);
	c->status = status;	/* callers of body_*() return c->status */
	return status;
}

int
cmd_ticket_reply(struct hall *h, struct op_ctx *c, int status, struct ticket *t)
{
	c->reply = json_pack("{s:o}", "ticket", view_ticket(h, t));
	return status;
}

int
cmd_window_reply(struct hall *h, struct op_ctx *c, struct win *w)
{
	c->reply = json_pack("{s:o}", "window", view_window(h, w));
	return 200;
}

/* A body member: absent is fine, a wrong type is a 400. */
int
cmd_body_string(struct op_ctx *c, const char *key, size_t maxlen, const char **out)
{
	json_t *v = json_object_get(c->body, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > maxlen)
		return cmd_error(c, 400, "bad_request",
		    "\"%s\" must be a string of 1 to %zu bytes", key, maxlen), -1;
	*out = json_string_value(v);
	return 0;
}

int
cmd_body_int(struct op_ctx *c, const char *key, int64_t lo, int64_t hi, int64_t *out,
    int required)
{
	json_t *v = json_object_get(c->body, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return cmd_error(c, 400, "bad_request",
			    "\"%s\" is required", key), -1;
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return cmd_error(c, 400, "bad_request",
		    "\"%s\" must be an integer from %lld to %lld", key,
		    (long long)lo, (long long)hi), -1;
	*out = json_integer_value(v);
	return 0;
}

struct loose_read {
	struct hall	*h;
	struct ticket	*t;
};

static void
cmd_loose_cb(void *arg, const struct store_ticket *st)
{
	struct loose_read *lr = arg;

	ticket_free(lr->t);
	lr->t = ticket_from_row(lr->h, st);
}

/*
 * A ticket by id, or NULL.  Memory holds today's tickets and every open one;
 * any other is an older day's, finished: it is read from its row for this
 * command alone (c->loose, freed when the command ends), never linked, so
 * reads of old tickets, refused or not, cost no memory and the timers
 * (hall_unrated) never see them.
 */
struct ticket *
cmd_read_ticket(struct hall *h, struct op_ctx *c, int64_t id)
{
	struct loose_read lr = { h, NULL };
	struct ticket *t;

	if ((t = ticket_find(h, id)) != NULL)
		return t;
	if (c->loose != NULL && c->loose->id == id)
		return c->loose;
	if (store_ticket_get(h->store, id, cmd_loose_cb, &lr) < 0) {
		h->failed = 1;
		ticket_free(lr.t);
		return NULL;
	}
	ticket_free(c->loose);
	c->loose = lr.t;
	return lr.t;
}

struct ticket *
cmd_find_ticket(struct hall *h, struct op_ctx *c, int64_t id)
{
	struct ticket *t = cmd_read_ticket(h, c, id);

	if (t == NULL)
		cmd_error(c, 404, "unknown_ticket", "no ticket %lld", (long long)id);
	return t;
}

int
cmd_ticket_id(struct op_ctx *c, int64_t *id)
{
	json_t *v = json_object_get(c->cmd, "ticket");

	if (v == NULL)
		v = json_object_get(c->body, "ticket");
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return cmd_error(c, 400, "bad_request",
		    "\"ticket\" must be a ticket id"), -1;
	*id = json_integer_value(v);
	return 0;
}

int
cmd_illegal(struct op_ctx *c, const struct ticket *t, const char *what)
{
	return cmd_error(c, 409, "illegal_transition", "ticket %s is %s: cannot %s",
	    t->number, tstate_names[t->state], what);
}

/* The window's current ticket, moved by `m` (ticket_move()); or NULL and a
 * 409, the ticket untouched. */
struct ticket *
cmd_current(struct op_ctx *c, enum tmove_id m, const char *what)
{
	struct ticket *t = c->win->cur;

	if (t == NULL) {
		cmd_error(c, 409, "no_current_ticket", "window %d has no ticket to %s",
		    c->win->number, what);
		return NULL;
	}
	if (ticket_move(t, m) == -1) {
		cmd_illegal(c, t, what);
		return NULL;
	}
	return t;
}

/* The clerk a command comes from: its token's name, or — from a window's
 * pad — the clerk of that window. */
void
cmd_clerk_name(struct hall *h, struct op_ctx *c, char *out, size_t len)
{
	const struct token *t = c->token;

	if (t == NULL && c->win != NULL)
		t = config_window_clerk(h->conf, c->win->number);
	snprintf(out, len, "%s", t != NULL && t->role == ROLE_CLERK && t->name ?
	    t->name : t != NULL ? config_role_name(t->role) : "");
}

enum {
	R_NONE = 1u << ROLE_NONE,	/* no token needed */
	R_KIOSK = 1u << ROLE_KIOSK,
	R_CLERK = 1u << ROLE_CLERK,
	R_MANAGER = 1u << ROLE_MANAGER,
	R_ADMIN = 1u << ROLE_ADMIN,
	R_DISPLAY = 1u << ROLE_DISPLAY,
	R_ANY = R_KIOSK | R_CLERK | R_MANAGER | R_ADMIN | R_DISPLAY,
	/* A window's 好差评 tablet: the hall, its events and rating (not R_ANY:
	 * it reads no ticket by id). */
	R_EVAL = 1u << ROLE_EVALUATOR,
	/* The city's portal and the 12345 hotline: bookings only. */
	R_INTEG = 1u << ROLE_INTEGRATION,
};

static const struct op ops[] = {
	{ "status", R_NONE | R_ANY | R_EVAL, 0, 0, { NULL }, cmd_hall_status },
	{ "auth", R_ANY | R_EVAL, 0, 0, { NULL }, cmd_hall_auth },
	{ "issue", R_KIOSK | R_CLERK | R_MANAGER | R_ADMIN, 0, 1,
	    { "matter", "class", "channel", "phone", "id_number", "appointment",
	      "slot_start", "accept_wait", "notify", NULL }, cmd_ticket_issue },
	{ "ticket", R_NONE | R_ANY, 0, 0, { "ticket", NULL }, cmd_ticket_get },
	{ "cancel", R_KIOSK | R_MANAGER | R_ADMIN, 0, 1, { "ticket", NULL }, cmd_ticket_cancel },
	/* Its own checks: the ticket's own token, a kiosk's or a manager's. */
	{ "ticket-notify", R_NONE | R_KIOSK | R_MANAGER | R_ADMIN, 0, 1,
	    { "phone", "notify", NULL }, cmd_ticket_notify },
	{ "call-next", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_call_next },
	{ "call", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { "ticket", NULL }, cmd_window_call },
	{ "recall", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_recall },
	{ "start", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_start },
	{ "finish", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { "outcome", NULL }, cmd_window_finish },
	{ "no-show", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_no_show },
	{ "hold", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_hold },
	{ "transfer", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { "matter", "window", NULL },
	    cmd_window_transfer },
	{ "pause", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_pause },
	{ "resume", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_resume },
	{ "open", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_open },
	{ "close", R_CLERK | R_MANAGER | R_ADMIN, 1, 1, { NULL }, cmd_window_close },
	{ "window", R_ANY | R_EVAL, 1, 0, { NULL }, cmd_window_get },
	{ "tiers", R_MANAGER | R_ADMIN, 1, 1, { "tiers", NULL }, cmd_window_tiers },
	{ "stats", R_MANAGER | R_ADMIN, 0, 0, { NULL }, cmd_hall_stats },
	{ "hall", R_ANY | R_EVAL, 0, 0, { NULL }, cmd_hall_hall },
	{ "snapshot", R_ANY | R_EVAL, 0, 0, { NULL }, cmd_hall_snapshot },
	{ "events", R_ANY | R_EVAL, 0, 0, { "since", "limit", NULL }, cmd_hall_events },
	{ "devices", R_MANAGER | R_ADMIN, 0, 0, { NULL }, cmd_hall_devices },
	/* Writes nothing itself, but runs as a change: it is audited. */
	{ "learn", R_MANAGER | R_ADMIN, 0, 1, { "window", NULL }, cmd_hall_learn },
	{ "hours", R_ANY, 0, 0, { "day", NULL }, cmd_hall_hours },
	/* Messages (notify.c): delivery reports carry the hall's report key
	 * (the op checks); the list is a manager's. */
	{ "notify-kannel", R_NONE | R_ANY | R_EVAL | R_INTEG, 0, 1,
	    { "key", "id", "type", NULL }, cmd_notify_kannel },
	{ "notify-report", R_NONE | R_ANY | R_EVAL | R_INTEG, 0, 1,
	    { "key", "reports", "out_id", "success", "err_code", "err_msg",
	      "biz_id", "phone_number", "send_time", "report_time", "sms_size",
	      "request_id", NULL }, cmd_notify_report },
	{ "notifications", R_MANAGER | R_ADMIN, 0, 0, { "ticket", "appointment",
	    NULL }, cmd_notify_list },
	/* Appointments (appt.c).  Public reads; bookings by anyone (the
	 * public rate-limited); a booking read or changed with its own
	 * token (the op checks) or a manager's. */
	{ "public-hall", R_NONE | R_ANY | R_EVAL | R_INTEG, 0, 0, { NULL },
	    cmd_appt_public_hall },
	{ "slots", R_NONE | R_ANY | R_EVAL | R_INTEG, 0, 0,
	    { "matter", "from", "days", NULL }, cmd_appt_slots },
	{ "book", R_NONE | R_KIOSK | R_MANAGER | R_ADMIN | R_INTEG, 0, 1,
	    { "matter", "start", "phone", "id_number", "name", "channel", "notify",
	      NULL }, cmd_appt_book },
	{ "appointment", R_NONE | R_MANAGER | R_ADMIN, 0, 0, { NULL }, cmd_appt_get },
	{ "unbook", R_NONE | R_MANAGER | R_ADMIN, 0, 1, { NULL }, cmd_appt_cancel },
	{ "reschedule", R_NONE | R_MANAGER | R_ADMIN, 0, 1, { "start", NULL },
	    cmd_appt_reschedule },
	{ "appointments", R_MANAGER | R_ADMIN, 0, 0, { "day", NULL }, cmd_appt_list },
	{ "block", R_MANAGER | R_ADMIN, 0, 1, { "day", "start", "matter", NULL },
	    cmd_appt_block },
	{ "unblock", R_MANAGER | R_ADMIN, 0, 1, { "day", "start", "matter", NULL },
	    cmd_appt_unblock },
	/* 好差评 cases and the 办不成事 ledger (cases.c); reports (report.c,
	 * answered by its worker thread). */
	{ "cases", R_MANAGER | R_ADMIN, 0, 0, { "state", "kind", "from", "to",
	    NULL }, cmd_cases_list },
	{ "case", R_MANAGER | R_ADMIN, 0, 0, { "case", NULL }, cmd_case_get },
	{ "case-step", R_MANAGER | R_ADMIN, 0, 1, { "case", "action", "note", "by",
	    "founded", "way", "result", "upheld", NULL }, cmd_case_step },
	{ "case-new", R_CLERK | R_MANAGER | R_ADMIN, 0, 1, { "window", "problem",
	    "by", "matter", "place", "ticket", "citizen", "phone", NULL },
	    cmd_case_ledger },
	{ "ratings", R_MANAGER | R_ADMIN, 0, 0, { "from", "to", "after", NULL },
	    cmd_ratings_list },
	{ "uplink", R_MANAGER | R_ADMIN, 0, 0, { NULL }, cmd_hall_uplink },
	/* The audit trail (audit.c); the configuration file (confedit.c). */
	{ "audit", R_MANAGER | R_ADMIN, 0, 0, { "from", "to", "before", "limit",
	    NULL }, cmd_audit_list },
	{ "config", R_ADMIN, 0, 0, { NULL }, cmd_config_get },
	{ "config-put", R_ADMIN, 0, 1, { "config", "version", NULL },
	    cmd_config_put },
	/* GET /metrics: text, so HTTP only (api.c sets "via"). */
	{ "metrics", R_MANAGER | R_ADMIN, 0, 0, { "via", NULL }, cmd_hall_metrics },
	{ "staffing", R_MANAGER | R_ADMIN, 0, 0, { "day", NULL }, cmd_staffing },
	{ "advice", R_MANAGER | R_ADMIN, 0, 0, { NULL }, cmd_advice },
	{ "advice-auto", R_MANAGER | R_ADMIN, 0, 1, { "enabled", "max_windows",
	    "min_gain_min", "hold_min", NULL }, cmd_advice_auto },
	{ "report", R_MANAGER | R_ADMIN, 0, 0, { "from", "to", "group", "format",
	    "via", NULL }, cmd_report },
	/* Its own checks: a clerk or evaluator token or the ticket's own. */
	{ "rate", R_NONE | R_CLERK | R_EVAL, 0, 1, { "ticket", "score", "comment", NULL },
	    cmd_ticket_rate },
};

int
cmd_check(struct hall *h, struct op_ctx *c, const struct op *op)
{
	json_t *tok = json_object_get(c->cmd, "token"), *v;
	const char *key;
	int i;

	(void)h;
	/* A window's own pad or evaluator (never from the web: the web
	 * thread builds its commands without this member). */
	if (json_is_string(json_object_get(c->cmd, "device")) && tok == NULL) {
		if (!(op->roles & R_CLERK))
			return cmd_error(c, 403, "forbidden", "a device cannot %s",
			    op->name);
		c->device = json_string_value(json_object_get(c->cmd, "device"));
	} else if (op->roles & R_NONE && json_is_string(tok)) {
		/* Not a role's token: perhaps a ticket's own (the op checks). */
		c->token = config_token(h->conf, json_string_value(tok));
		if (c->token != NULL && !(op->roles & (1u << c->token->role)))
			return cmd_error(c, 403, "forbidden", "a %s token cannot %s",
			    config_role_name(c->token->role), op->name);
	}
	else if (!(op->roles & R_NONE)) {
		if (!json_is_string(tok))
			return cmd_error(c, 401, "unauthorized",
			    "this needs a token (Authorization: Bearer TOKEN)");
		if ((c->token = config_token(h->conf, json_string_value(tok))) == NULL)
			return cmd_error(c, 401, "unauthorized", "unknown token");
		if (!(op->roles & (1u << c->token->role)))
			return cmd_error(c, 403, "forbidden", "a %s token cannot %s",
			    config_role_name(c->token->role), op->name);
	}
	if (!json_is_object(c->body))
		return cmd_error(c, 400, "bad_request", "the body must be a JSON object");
	json_object_foreach(c->body, key, v) {
		for (i = 0; op->fields[i] != NULL; i++)
			if (strcmp(op->fields[i], key) == 0)
				break;
		if (op->fields[i] == NULL)
			return cmd_error(c, 400, "unknown_field",
			    "%s takes no field \"%.64s\"", op->name, key);
	}
	if (op->window) {
		json_t *wn = json_object_get(c->cmd, "window");
		if (!json_is_integer(wn))
			return cmd_error(c, 400, "bad_request", "\"window\" must be a number");
		if ((c->win = window_find(h, (int)json_integer_value(wn))) == NULL ||
		    json_integer_value(wn) != c->win->number)
			return cmd_error(c, 404, "unknown_window", "no window %lld",
			    (long long)json_integer_value(wn));
		if (c->token != NULL && c->token->role == ROLE_CLERK &&
		    op->writes && !config_token_has_window(c->token, c->win->number))
			return cmd_error(c, 403, "forbidden",
			    "this clerk token is not for window %d", c->win->number);
	}
	return 0;
}

/* The command of that name, or NULL. */
const struct op *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

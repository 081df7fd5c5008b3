/* audit.c — the audit trail: every change made with a manager's or an
 * admin's token, and every change of the configuration, is an `audit` event
 * in the change's own transaction, naming who by the token's name (never the
 * token).  GET /api/audit reads them back, newest first.  Must not open
 * transactions inside hall_exec (hall_audit_cmd runs inside its one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hall_int.h"
#include "limit.h"
#include "util.h"

/* What a command's members may say in the trail: what was done, never who
 * it was done for (no phone, ID number, name, note, comment or token). */
static const char *const audit_members[] = {
	"matter", "class", "channel", "tiers", "outcome", "day", "start",
	"action", "case", "founded", "upheld", "way", "result", "enabled",
	"max_windows", "min_gain_min", "hold_min", "slot_start", "accept_wait",
	NULL
};

static int
audit_records(const struct op_ctx *c)
{
	return c->token != NULL && (c->token->role == ROLE_MANAGER ||
	    c->token->role == ROLE_ADMIN) && c->status >= 200 &&
	    c->status < 300 && c->status != 204;
}

/* A ticket the command acted on: named in the path or body, or the one its
 * answer is about (call-next, issue). */
static const struct ticket *
audit_ticket(struct hall *h, struct op_ctx *c, int64_t *id)
{
	json_t *v = json_object_get(c->cmd, "ticket");

	if (!json_is_integer(v))
		v = json_object_get(c->body, "ticket");
	if (!json_is_integer(v) && c->reply != NULL)
		v = json_object_get(json_object_get(c->reply, "ticket"), "id");
	if (!json_is_integer(v)) {
		*id = 0;
		return NULL;
	}
	*id = json_integer_value(v);
	return c->loose != NULL && c->loose->id == *id ? c->loose :
	    ticket_find(h, *id);
}

/* Called by hall_exec inside the command's transaction, after its events. */
void
hall_audit_cmd(struct hall *h, struct op_ctx *c, const char *op)
{
	const struct ticket *t;
	json_t *d, *v, *name;
	int64_t ticket;
	size_t i;

	if (!audit_records(c))	/* every writing command passes here */
		return;
	d = json_object();
	if (strcmp(op, "config-put") == 0)
		op = "config";
	for (i = 0; audit_members[i] != NULL; i++)
		if ((v = json_object_get(c->body, audit_members[i])) != NULL)
			json_object_set(d, audit_members[i], v);
	/* The path's name: a device learning, or a booking's code. */
	if (json_is_string(name = json_object_get(c->cmd, "name")))
		json_object_set(d, strcmp(op, "learn") == 0 ? "device" :
		    "appointment", name);
	if (strcmp(op, "book") == 0 && c->reply != NULL &&
	    json_is_string(v = json_object_get(json_object_get(c->reply,
	    "appointment"), "code")))
		json_object_set(d, "appointment", v);
	/* A window in the body: where a ticket goes (transfer), or the
	 * command's own window when the path names none (ledger, learn). */
	if (c->win != NULL && json_is_integer(v = json_object_get(c->body,
	    "window")))
		json_object_set(d, "to_window", v);
	if (strcmp(op, "case-new") == 0 && c->reply != NULL &&
	    json_is_integer(v = json_object_get(json_object_get(c->reply,
	    "case"), "id")))
		json_object_set(d, "case", v);
	if (strcmp(op, "config") == 0 && c->reply != NULL) {
		json_object_set(d, "changed", json_object_get(c->reply, "changed"));
		json_object_set(d, "version", json_object_get(c->reply, "version"));
		json_object_set(d, "previous", json_object_get(c->reply, "previous"));
	}
	t = audit_ticket(h, c, &ticket);
	if (t != NULL)
		json_object_set_new(d, "number", json_string(t->number));
	v = c->win != NULL ? json_integer(c->win->number) :
	    json_is_integer(json_object_get(c->body, "window")) ?
	    json_incref(json_object_get(c->body, "window")) :
	    t != NULL && t->window > 0 ? json_integer(t->window) : json_null();
	hall_emit(h, "audit", json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:o}",
	    "op", op, "by", c->token->name != NULL ? c->token->name :
	    config_role_name(c->token->role), "role",
	    config_role_name(c->token->role), "window", v,
	    "ticket", ticket > 0 ? json_integer(ticket) : json_null(),
	    "status", c->status, "detail", d));
}

/* A change of the configuration not made by a command (SIGHUP): its own
 * transaction.  0, or -1 when it could not be written (the caller logs). */
int
hall_audit_system(struct hall *h, const char *op, const char *by, json_t *detail,
    int64_t now, struct hall_result *r)
{
	return hall_write(h, NULL, NULL, "audit", json_pack("{s:s, s:s, s:s, "
	    "s:n, s:n, s:i, s:o}", "op", op, "by", by, "role", "system",
	    "window", "ticket", "status", 200, "detail", detail != NULL ?
	    detail : json_object()), now, r);
}

struct audit_list {
	json_t		*a;
	int64_t		 last;
};

static int
audit_list_cb(void *arg, int64_t seq, const char *json)
{
	struct audit_list *l = arg;
	json_t *o = json_loads(json, 0, NULL);

	if (o == NULL)
		return 0;	/* never written so; skipped rather than fatal */
	json_object_del(o, "type");
	json_array_append_new(l->a, o);
	l->last = seq;
	return 0;
}

/* The start of a hall day "YYYY-MM-DD" in ms, or a 400. */
static int
audit_day(struct hall *h, struct op_ctx *c, const char *key, int64_t *ms)
{
	const char *s;
	int32_t d;
	char err[96];

	if (cmd_body_string(c, key, 10, &s) == -1)
		return -1;
	if (s == NULL)
		return 0;
	if (calendar_parse_date(s, &d, err, sizeof err) == -1)
		return cmd_error(c, 400, "bad_request", "%s: %s", key, err), -1;
	*ms = calendar_day_start(&h->conf->cal, strcmp(key, "to") == 0 ? d + 1 : d);
	return 0;
}

/* GET /api/audit?from=&to=&before=&limit= */
int
cmd_audit_list(struct hall *h, struct op_ctx *c)
{
	struct audit_list l = { NULL, 0 };
	int64_t before = INT64_MAX, from = 0, to = INT64_MAX, limit = 100;
	int n;

	if (cmd_body_int(c, "before", 1, INT64_MAX, &before, 0) == -1 ||
	    cmd_body_int(c, "limit", 1, LIMIT_AUDIT_PAGE, &limit, 0) == -1 ||
	    audit_day(h, c, "from", &from) == -1 ||
	    audit_day(h, c, "to", &to) == -1)
		return c->status;
	if (to <= from)
		return cmd_error(c, 400, "bad_range", "to is before from");
	l.a = json_array();
	/* One more than asked: whether there is an older page. */
	n = store_events_type(h->store, "audit", before, from, to,
	    (int)limit + 1, audit_list_cb, &l);
	if (n == -1) {
		json_decref(l.a);
		h->failed = 1;
		return 500;
	}
	if (n > limit) {
		json_array_remove(l.a, json_array_size(l.a) - 1);
		l.last = json_integer_value(json_object_get(json_array_get(l.a,
		    json_array_size(l.a) - 1), "seq"));
	}
	c->reply = json_pack("{s:o, s:o}", "audit", l.a, "next", n > limit ?
	    json_integer(l.last) : json_null());
	return 200;
}

/* cases.c — 好差评 cases (差评整改, 回访) and the 办不成事 ledger, and the
 * ratings in the national record's shape.
 *
 * A rating of 1 or 2 opens a case in the rating's own transaction
 * (cases_open_rating, from hall_rating_write); a ledger window's clerk opens
 * a ledger entry.  Each is one row of `cases` with its steps as a JSON array
 * in the row: who, when, what.  Where a step may go is casefsm.c's; this
 * file keeps the rows, the deadline (working days of the hall's calendar),
 * the overdue watch and the replies.  Nothing here is held in memory: the
 * cases of a hall are tens a month, read from the database when asked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefsm.h"
#include "hall_int.h"
#include "util.h"

#define CASES_PAGE		500
#define CASES_DUE_BATCH		100
#define CASES_CHECK_MS		(60 * 1000)
#define RATINGS_PAGE		500

/* A case read from its row, its strings ours. */
struct kase {
	int		 found;
	int64_t		 id;
	char		 kind[8];
	int64_t		 ticket;
	char		 day[16];
	char		*number, *matter, *clerk, *channel, *comment, *problem,
			*place, *citizen, *phone;
	int		 window, score;
	int64_t		 opened_at, due_at, closed_at;
	int		 overdue;	/* case.overdue was said */
	struct case_fsm	 fsm;
	json_t		*steps;
};

static void
kase_free(struct kase *k)
{
	free(k->number);
	free(k->matter);
	free(k->clerk);
	free(k->channel);
	free(k->comment);
	free(k->problem);
	free(k->place);
	free(k->citizen);
	free(k->phone);
	json_decref(k->steps);
	memset(k, 0, sizeof *k);
}

static void
kase_from_row(struct kase *k, const struct store_case *r)
{
	int st;

	k->found = 1;
	k->id = r->id;
	snprintf(k->kind, sizeof k->kind, "%s", r->kind ? r->kind : "");
	k->ticket = r->ticket;
	snprintf(k->day, sizeof k->day, "%s", r->day ? r->day : "");
	k->number = xstrdup_null(r->number);
	k->matter = xstrdup_null(r->matter);
	k->clerk = xstrdup_null(r->clerk);
	k->channel = xstrdup_null(r->channel);
	k->comment = xstrdup_null(r->comment);
	k->problem = xstrdup_null(r->problem);
	k->place = xstrdup_null(r->place);
	k->citizen = xstrdup_null(r->citizen);
	k->phone = xstrdup_null(r->phone);
	k->window = r->window;
	k->score = r->score;
	k->opened_at = r->opened_at;
	k->due_at = r->due_at;
	k->closed_at = r->closed_at;
	k->overdue = r->overdue;
	st = casefsm_state_parse(r->state);
	k->fsm.state = st < 0 ? CS_OPEN : (enum case_state)st;
	k->fsm.founded = r->founded;
	k->fsm.ledger = strcmp(k->kind, "ledger") == 0;
	k->fsm.struck = r->struck;
	k->steps = r->steps ? json_loads(r->steps, 0, NULL) : NULL;
	if (!json_is_array(k->steps)) {
		json_decref(k->steps);
		k->steps = json_array();
	}
}

static void
kase_row_cb(void *arg, const struct store_case *r)
{
	kase_from_row(arg, r);
}

static void
kase_to_row(const struct kase *k, struct store_case *r, char **steps)
{
	*steps = json_dumps(k->steps, JSON_COMPACT);
	*r = (struct store_case){
		.id = k->id, .kind = k->kind, .ticket = k->ticket, .day = k->day,
		.number = k->number, .matter = k->matter, .window = k->window,
		.clerk = k->clerk, .channel = k->channel, .score = k->score,
		.comment = k->comment, .problem = k->problem, .place = k->place,
		.citizen = k->citizen, .phone = k->phone,
		.opened_at = k->opened_at, .due_at = k->due_at,
		.state = casefsm_state_name(k->fsm.state),
		.founded = k->fsm.founded, .struck = k->fsm.struck,
		.overdue = k->overdue, .closed_at = k->closed_at,
		.steps = *steps,
	};
}

static void
kase_put(struct hall *h, const struct kase *k)
{
	struct store_case r;
	char *steps;

	kase_to_row(k, &r, &steps);
	if (steps == NULL)
		fatalx("json_dumps");
	if (!h->failed && store_case_put(h->store, &r) == -1)
		h->failed = 1;
	free(steps);
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
int_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* Past due and not closed, or closed after its due time. */
static int
kase_overdue(const struct kase *k, int64_t now)
{
	if (k->fsm.state == CS_CLOSED)
		return k->closed_at > k->due_at && !k->fsm.struck;
	return now > k->due_at;
}

/* CASE (web/README.md). */
static json_t *
kase_json(struct hall *h, const struct kase *k, int steps)
{
	int mi = k->matter ? config_matter(h->conf, k->matter) : -1;
	json_t *o;

	o = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
	    " s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:s, s:o, s:b, s:b, s:o}",
	    "id", (json_int_t)k->id, "kind", k->kind,
	    "ticket", int_or_null(k->ticket), "number", str_or_null(k->number),
	    "matter", str_or_null(k->matter),
	    "matter_name", mi >= 0 ? json_string(h->conf->matters[mi].name) :
	    json_null(),
	    "window", int_or_null(k->window), "clerk", str_or_null(k->clerk),
	    "channel", str_or_null(k->channel), "score", int_or_null(k->score),
	    "comment", str_or_null(k->comment), "problem", str_or_null(k->problem),
	    "place", str_or_null(k->place), "citizen", str_or_null(k->citizen),
	    "phone", str_or_null(k->phone),
	    "opened_at", (json_int_t)k->opened_at, "due_at", (json_int_t)k->due_at,
	    "state", casefsm_state_name(k->fsm.state),
	    "founded", k->fsm.founded < 0 ? json_null() :
	    json_boolean(k->fsm.founded),
	    "struck", k->fsm.struck, "overdue", kase_overdue(k, h->now),
	    "closed_at", int_or_null(k->closed_at));
	if (o == NULL)
		fatalx("case json");
	if (steps)
		json_object_set(o, "steps", k->steps);
	return o;
}

/* The end (23:59:59.999, hall time) of the n-th working day after now's. */
static int64_t
case_due(struct hall *h, int64_t now)
{
	const struct calendar *cal = &h->conf->cal;
	int32_t day = calendar_day_of(cal, now), due;

	if (calendar_add_working_days(cal, day, h->conf->rectify_working_days,
	    &due) == -1)
		due = day + h->conf->rectify_working_days;	/* no working day
								   within a year */
	return calendar_day_start(cal, due + 1) - 1;
}

static int64_t
case_next_id(struct hall *h)
{
	int64_t id = store_case_max_id(h->store);

	if (id < 0) {
		h->failed = 1;
		return -1;
	}
	return id + 1;
}

/* A rating of 1 or 2: its case, in the rating's transaction. */
void
cases_open_rating(struct hall *h, struct ticket *t, int score,
    const char *comment, const char *channel)
{
	struct kase k;
	json_t *o;

	memset(&k, 0, sizeof k);
	if ((k.id = case_next_id(h)) < 0)
		return;
	snprintf(k.kind, sizeof k.kind, "rating");
	k.ticket = t->id;
	hall_business_day(h->now, k.day, sizeof k.day);
	k.number = xstrdup(t->number);
	k.matter = xstrdup(t->matter);
	k.window = t->window;
	k.clerk = t->finished_by[0] ? xstrdup(t->finished_by) : NULL;
	k.channel = xstrdup_null(channel);
	k.score = score;
	k.comment = xstrdup_null(comment);
	k.opened_at = h->now;
	k.due_at = case_due(h, h->now);
	k.fsm = (struct case_fsm){ CS_OPEN, -1, 0, 0 };
	k.steps = json_array();
	kase_put(h, &k);
	o = kase_json(h, &k, 0);
	hall_emit(h, "case.opened", json_pack("{s:o}", "case", o));
	kase_free(&k);
}

static int
case_read(struct hall *h, struct op_ctx *c, struct kase *k)
{
	int64_t id;

	memset(k, 0, sizeof *k);
	if (cmd_body_int(c, "case", 1, INT64_MAX, &id, 1) != 0)
		return -1;
	if (store_case_get(h->store, id, kase_row_cb, k) == -1) {
		h->failed = 1;
		return -1;
	}
	if (!k->found)
		return cmd_error(c, 404, "unknown_case", "no case %lld",
		    (long long)id), -1;
	return 0;
}

/* GET /api/cases/{id} */
int
cmd_case_get(struct hall *h, struct op_ctx *c)
{
	struct kase k;

	if (case_read(h, c, &k) == -1)
		return h->failed ? 500 : c->status;
	c->reply = json_pack("{s:o}", "case", kase_json(h, &k, 1));
	kase_free(&k);
	return 200;
}

struct case_list {
	struct hall	*h;
	json_t		*a;
};

static void
case_list_cb(void *arg, const struct store_case *r)
{
	struct case_list *l = arg;
	struct kase k;

	memset(&k, 0, sizeof k);
	kase_from_row(&k, r);
	json_array_append_new(l->a, kase_json(l->h, &k, 1));
	kase_free(&k);
}

static int
case_day_arg(struct op_ctx *c, const char *key, const char **out)
{
	int32_t d;
	char err[96];

	if (cmd_body_string(c, key, 10, out) == -1)
		return -1;
	if (*out != NULL && calendar_parse_date(*out, &d, err, sizeof err) == -1)
		return cmd_error(c, 400, "bad_request", "%s: %s", key, err), -1;
	return 0;
}

/* GET /api/cases?state=&kind=&from=&to= */
int
cmd_cases_list(struct hall *h, struct op_ctx *c)
{
	static const char *const which[] = { "", "open", "overdue", "closed" };
	const char *state, *kind, *from, *to;
	struct case_list l = { h, NULL };
	int64_t nopen, noverdue;
	int w = 0;

	if (cmd_body_string(c, "state", 16, &state) == -1 ||
	    cmd_body_string(c, "kind", 16, &kind) == -1 ||
	    case_day_arg(c, "from", &from) == -1 ||
	    case_day_arg(c, "to", &to) == -1)
		return c->status;
	if (state != NULL) {
		for (w = 1; w < 4 && strcmp(state, which[w]) != 0; w++)
			;
		if (w == 4)
			return cmd_error(c, 400, "bad_request", "state is open, "
			    "overdue or closed");
	}
	if (kind != NULL && strcmp(kind, "rating") != 0 &&
	    strcmp(kind, "ledger") != 0)
		return cmd_error(c, 400, "bad_request", "kind is rating or ledger");
	if (from != NULL && to != NULL && strcmp(to, from) < 0)
		return cmd_error(c, 400, "bad_range", "to (%s) is before from (%s)",
		    to, from);
	l.a = json_array();
	if (store_cases(h->store, w, h->now, kind, from, to, CASES_PAGE,
	    case_list_cb, &l) == -1 ||
	    store_case_counts(h->store, h->now, &nopen, &noverdue) == -1) {
		json_decref(l.a);
		h->failed = 1;
		return 500;
	}
	c->reply = json_pack("{s:o, s:I, s:I}", "cases", l.a,
	    "open", (json_int_t)nopen, "overdue", (json_int_t)noverdue);
	return 200;
}

/* A required boolean member. */
static int
body_bool(struct op_ctx *c, const char *key, int *out)
{
	json_t *v = json_object_get(c->body, key);

	if (!json_is_boolean(v))
		return cmd_error(c, 400, "bad_request", "\"%s\" (true or false) is "
		    "required", key), -1;
	*out = json_is_true(v);
	return 0;
}

/* A required member, one of names. */
static int
body_choice(struct op_ctx *c, const char *key, const char *const *names,
    const char **out)
{
	size_t i;

	if (cmd_body_string(c, key, 32, out) == -1)
		return -1;
	for (i = 0; *out != NULL && names[i] != NULL; i++)
		if (strcmp(*out, names[i]) == 0)
			return 0;
	return cmd_error(c, 400, "bad_request", "\"%s\" is required: one of the "
	    "documented values", key), -1;
}

/* Text a person wrote: 1..max bytes, no control characters but newline. */
static int
body_text(struct op_ctx *c, const char *key, size_t max, int required,
    const char **out)
{
	const unsigned char *p;

	if (cmd_body_string(c, key, max, out) == -1)
		return -1;
	if (*out == NULL) {
		if (required)
			return cmd_error(c, 400, "bad_request", "\"%s\" is required",
			    key), -1;
		return 0;
	}
	for (p = (const unsigned char *)*out; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return cmd_error(c, 400, "bad_request", "\"%s\" has a "
			    "control character", key), -1;
	return 0;
}

/* POST /api/cases/{id}/steps */
int
cmd_case_step(struct hall *h, struct op_ctx *c)
{
	static const char *const ways[] = { "phone", "sms", "visit", "online",
	    "other", NULL };
	static const char *const results[] = { "satisfied",
	    "basically_satisfied", "unsatisfied", NULL };
	const char *action, *note, *by, *way = NULL, *result = NULL;
	struct kase k;
	json_t *step;
	int a, arg = 0, was_struck;

	if (cmd_body_string(c, "action", 16, &action) == -1)
		return c->status;
	if ((a = casefsm_action_parse(action)) < 0)
		return cmd_error(c, 400, "bad_request", "action is verify, rectify, "
		    "revisit, close, appeal or review");
	if (body_text(c, "note", 1000, 1, &note) == -1 ||
	    body_text(c, "by", 64, 1, &by) == -1)
		return c->status;
	if ((a == CA_VERIFY && body_bool(c, "founded", &arg) == -1) ||
	    (a == CA_REVIEW && body_bool(c, "upheld", &arg) == -1) ||
	    (a == CA_REVISIT && (body_choice(c, "way", ways, &way) == -1 ||
	    body_choice(c, "result", results, &result) == -1)))
		return c->status;
	if (a != CA_VERIFY && json_object_get(c->body, "founded") != NULL)
		return cmd_error(c, 400, "unknown_field", "founded goes with verify");
	if (a != CA_REVIEW && json_object_get(c->body, "upheld") != NULL)
		return cmd_error(c, 400, "unknown_field", "upheld goes with review");
	if (a != CA_REVISIT && (json_object_get(c->body, "way") != NULL ||
	    json_object_get(c->body, "result") != NULL))
		return cmd_error(c, 400, "unknown_field", "way and result go with "
		    "revisit");
	if (case_read(h, c, &k) == -1)
		return h->failed ? 500 : c->status;
	was_struck = k.fsm.struck;
	if (casefsm_step(&k.fsm, a, arg) == -1) {
		int st = cmd_error(c, 409, "illegal_step", "case %lld is %s%s: it "
		    "cannot take %s", (long long)k.id,
		    casefsm_state_name(k.fsm.state), k.fsm.state == CS_VERIFIED ?
		    (k.fsm.founded ? " (founded)" : " (not founded)") : "",
		    k.fsm.ledger && a == CA_APPEAL ? "an appeal (a ledger entry)" :
		    casefsm_action_name(a));
		kase_free(&k);
		return st;
	}
	step = json_pack("{s:I, s:s, s:s, s:s}", "at", (json_int_t)h->now,
	    "action", casefsm_action_name(a), "note", note, "by", by);
	if (a == CA_VERIFY)
		json_object_set_new(step, "founded", json_boolean(arg));
	else if (a == CA_REVIEW)
		json_object_set_new(step, "upheld", json_boolean(arg));
	else if (a == CA_REVISIT) {
		json_object_set_new(step, "way", json_string(way));
		json_object_set_new(step, "result", json_string(result));
	}
	if (c->token != NULL && c->token->name != NULL)
		json_object_set_new(step, "token", json_string(c->token->name));
	json_array_append_new(k.steps, step);
	if (k.fsm.state == CS_CLOSED)
		k.closed_at = h->now;
	kase_put(h, &k);
	hall_emit(h, "case.step", json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}",
	    "case", (json_int_t)k.id, "kind", k.kind,
	    "action", casefsm_action_name(a), "state",
	    casefsm_state_name(k.fsm.state), "by", by, "note", note));
	if (k.fsm.struck && !was_struck && k.ticket != 0) {
		if (!h->failed && store_rating_strike(h->store, k.ticket) == -1)
			h->failed = 1;
		hall_emit(h, "rating.struck", json_pack("{s:I, s:I}", "ticket",
		    (json_int_t)k.ticket, "case", (json_int_t)k.id));
	}
	if (k.fsm.state == CS_CLOSED)
		hall_emit(h, "case.closed", json_pack("{s:I, s:s, s:b}", "case",
		    (json_int_t)k.id, "kind", k.kind, "struck", k.fsm.struck));
	c->reply = json_pack("{s:o}", "case", kase_json(h, &k, 1));
	kase_free(&k);
	return 200;
}

/* POST /api/cases: a 办不成事 ledger entry. */
int
cmd_case_ledger(struct hall *h, struct op_ctx *c)
{
	const char *problem, *by, *matter, *place, *citizen, *phone;
	const struct window_conf *wc;
	struct ticket *t = NULL;
	int64_t window, tid = 0;
	struct kase k;
	json_t *step;
	char *m;
	int mi = -1;

	if (cmd_body_int(c, "window", 1, 100000, &window, 1) != 0 ||
	    body_text(c, "problem", 1000, 1, &problem) == -1 ||
	    body_text(c, "by", 64, 1, &by) == -1 ||
	    cmd_body_string(c, "matter", 40, &matter) == -1 ||
	    body_text(c, "place", 200, 0, &place) == -1 ||
	    body_text(c, "citizen", 64, 0, &citizen) == -1 ||
	    cmd_body_string(c, "phone", 20, &phone) == -1 ||
	    cmd_body_int(c, "ticket", 1, INT64_MAX, &tid, 0) == -1)
		return c->status;
	if ((wc = config_window(h->conf, (int)window)) == NULL)
		return cmd_error(c, 404, "unknown_window", "no window %lld",
		    (long long)window);
	if (!wc->ledger)
		return cmd_error(c, 403, "forbidden", "window %d is not a 办不成事 "
		    "window (\"ledger\": true)", wc->number);
	if (c->token != NULL && c->token->role == ROLE_CLERK &&
	    !config_token_has_window(c->token, wc->number))
		return cmd_error(c, 403, "forbidden", "this clerk token is not for "
		    "window %d", wc->number);
	if (matter != NULL && (mi = config_matter(h->conf, matter)) < 0)
		return cmd_error(c, 404, "unknown_matter", "no matter \"%s\"", matter);
	if (phone != NULL && !appt_phone_ok(phone))
		return cmd_error(c, 400, "bad_phone", "a mobile number is 11 digits "
		    "starting with 1");
	if (tid != 0 && (t = cmd_find_ticket(h, c, tid)) == NULL)
		return c->status;
	memset(&k, 0, sizeof k);
	if ((k.id = case_next_id(h)) < 0)
		return 500;
	snprintf(k.kind, sizeof k.kind, "ledger");
	hall_business_day(h->now, k.day, sizeof k.day);
	k.ticket = tid;
	k.number = t != NULL ? xstrdup(t->number) : NULL;
	k.matter = mi >= 0 ? xstrdup(h->conf->matters[mi].code) : NULL;
	k.window = wc->number;
	k.clerk = xstrdup(c->token != NULL && c->token->role == ROLE_CLERK &&
	    c->token->name != NULL ? c->token->name : by);
	k.problem = xstrdup(problem);
	k.place = xstrdup_null(place);
	if (citizen != NULL) {
		json_t *v = appt_mask_name(citizen);
		k.citizen = xstrdup(json_string_value(v));
		json_decref(v);
	}
	if (phone != NULL) {
		m = view_mask(phone);
		k.phone = m;
	}
	k.opened_at = h->now;
	k.due_at = case_due(h, h->now);
	k.fsm = (struct case_fsm){ CS_OPEN, -1, 1, 0 };
	k.steps = json_array();
	step = json_pack("{s:I, s:s, s:s, s:s}", "at", (json_int_t)h->now,
	    "action", "record", "note", problem, "by", by);
	json_array_append_new(k.steps, step);
	kase_put(h, &k);
	hall_emit(h, "case.opened", json_pack("{s:o}", "case",
	    kase_json(h, &k, 0)));
	c->reply = json_pack("{s:o}", "case", kase_json(h, &k, 1));
	kase_free(&k);
	return 201;
}

/* ---------------------------------------------------------------- overdue */

struct due_list {
	struct kase	*k;
	size_t		 n;
};

static void
due_cb(void *arg, const struct store_case *r)
{
	struct due_list *d = arg;

	d->k = xrealloc(d->k, (d->n + 1) * sizeof *d->k);
	memset(&d->k[d->n], 0, sizeof d->k[0]);
	kase_from_row(&d->k[d->n++], r);
}

int
cases_tick_due(struct hall *h)
{
	return h->now >= h->next_case_check;
}

/* Every minute (and at the first tick): the open cases past due, each
 * said once with case.overdue.  Reads first; writes only when one is. */
void
cases_tick(struct hall *h)
{
	struct due_list d = { NULL, 0 };
	size_t i;

	h->next_case_check = h->now + CASES_CHECK_MS;
	if (store_cases_due(h->store, h->now, CASES_DUE_BATCH, due_cb, &d) == -1) {
		log_warnx("cases: %s", store_errmsg(h->store));
		return;
	}
	if (d.n == 0)
		return;
	if (hall_txn_begin(h) == -1)
		h->failed = 1;
	else {
		for (i = 0; i < d.n; i++) {
			d.k[i].overdue = 1;
			kase_put(h, &d.k[i]);
			hall_emit(h, "case.overdue", json_pack("{s:I, s:s, s:I, s:o}",
			    "case", (json_int_t)d.k[i].id, "kind", d.k[i].kind,
			    "due_at", (json_int_t)d.k[i].due_at, "ticket",
			    int_or_null(d.k[i].ticket)));
		}
		(void)hall_txn_end(h);
	}
	if (d.n == CASES_DUE_BATCH)
		h->next_case_check = h->now;	/* more: at the next tick */
	for (i = 0; i < d.n; i++)
		kase_free(&d.k[i]);
	free(d.k);
}

/* ---------------------------------------------------------------- records */

static const struct {
	const char	*channel, *name;
} rating_channels[] = {
	{ "evaluator", "评价器" }, { "window", "窗口" }, { "qr", "扫码" },
	{ "kiosk", "自助终端" }, { "web", "网站" }, { "sms", "短信" },
};

static const char *const level_names[6] = {
	"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"
};

/* How a rating came (its source) as the national record says it. */
const char *
cases_rating_channel(const char *source, const char *device)
{
	if (source == NULL)
		return NULL;
	if (strcmp(source, "evaluator") == 0)
		return "evaluator";
	if (strcmp(source, "clerk") == 0)
		return device != NULL ? "evaluator" : "window";
	if (strcmp(source, "ticket") == 0)
		return "qr";
	return NULL;
}

static const char *
channel_name(const char *ch)
{
	size_t i;

	for (i = 0; ch != NULL && i < sizeof rating_channels /
	    sizeof rating_channels[0]; i++)
		if (strcmp(rating_channels[i].channel, ch) == 0)
			return rating_channels[i].name;
	return NULL;
}

/* The case's steps as the record's handling block. */
static json_t *
record_handling(const struct kase *k)
{
	const char *verification = NULL, *appeal = NULL, *appeal_result = NULL,
	    *measures = NULL, *way = NULL, *result = NULL;
	int64_t revisit_at = 0;
	json_t *s;
	size_t i;

	json_array_foreach(k->steps, i, s) {
		const char *a = json_string_value(json_object_get(s, "action"));
		const char *note = json_string_value(json_object_get(s, "note"));

		if (a == NULL)
			continue;
		if (strcmp(a, "verify") == 0)
			verification = note;
		else if (strcmp(a, "appeal") == 0)
			appeal = note;
		else if (strcmp(a, "review") == 0)
			appeal_result = json_is_true(json_object_get(s, "upheld")) ?
			    "upheld" : "rejected";
		else if (strcmp(a, "rectify") == 0)
			measures = note;
		else if (strcmp(a, "revisit") == 0) {
			revisit_at = json_integer_value(json_object_get(s, "at"));
			way = json_string_value(json_object_get(s, "way"));
			result = json_string_value(json_object_get(s, "result"));
		}
	}
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o,"
	    " s:o, s:o, s:s}",
	    "case", (json_int_t)k->id, "classification", k->kind,
	    "founded", k->fsm.founded < 0 ? json_null() :
	    json_boolean(k->fsm.founded),
	    "verification", str_or_null(verification),
	    "appeal", str_or_null(appeal),
	    "appeal_result", str_or_null(appeal_result),
	    "measures", str_or_null(measures), "deadline", (json_int_t)k->due_at,
	    "done_at", int_or_null(k->closed_at), "revisit_at",
	    int_or_null(revisit_at), "revisit_way", str_or_null(way),
	    "revisit_result", str_or_null(result),
	    "state", casefsm_state_name(k->fsm.state));
}

struct record_list {
	struct hall	*h;
	json_t		*a;
	int64_t		 last;
	int		 failed;
};

struct number_read {
	char	 number[64];
};

static void
number_cb(void *arg, const struct store_ticket *t)
{
	struct number_read *n = arg;

	snprintf(n->number, sizeof n->number, "%s-%s", t->day, t->number);
}

static json_t *
record_number(struct hall *h, int64_t ticket, int *failed)
{
	struct number_read nr = { "" };
	struct ticket *t;

	if ((t = ticket_find(h, ticket)) != NULL) {
		snprintf(nr.number, sizeof nr.number, "%s-%s", t->day, t->number);
		return json_string(nr.number);
	}
	if (store_ticket_get(h->store, ticket, number_cb, &nr) == -1)
		*failed = 1;
	return nr.number[0] ? json_string(nr.number) : json_null();
}

/* One rating as provincial 好差评 systems take it (REFERENCE.md). */
json_t *
cases_rating_record(struct hall *h, const struct store_rating *r, int *failed)
{
	int mi = config_matter(h->conf, r->matter);
	const struct matter *m = mi >= 0 ? &h->conf->matters[mi] : NULL;
	char id[96];
	struct kase k;
	json_t *o;
	int score = r->score >= 1 && r->score <= 5 ? r->score : 0;

	memset(&k, 0, sizeof k);
	if (store_case_of_ticket(h->store, r->ticket, kase_row_cb, &k) == -1)
		*failed = 1;
	/* HALLID-ticket: the hall's id in the city (the uplink's hall_id),
	 * else its region code, else "hall" (unique within one hall only). */
	snprintf(id, sizeof id, "%s-%lld", h->conf->uplink.enabled ?
	    h->conf->uplink.hall_id : h->conf->region_code[0] ?
	    h->conf->region_code : "hall", (long long)r->ticket);
	o = json_pack("{s:s, s:I, s:I, s:o, s:o, s:i, s:s, s:[], s:n, s:o,"
	    " s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o,"
	    " s:{s:s, s:o, s:o, s:b}, s:b}",
	    "id", id, "ticket", (json_int_t)r->ticket,
	    "rated_at", (json_int_t)r->at,
	    "channel", str_or_null(r->channel),
	    "channel_name", str_or_null(channel_name(r->channel)),
	    "level", score, "level_name", level_names[score],
	    "indicators", "indicator_version",
	    "text", str_or_null(r->comment),
	    "matter_code", r->matter ? r->matter : "",
	    "matter_name", m ? json_string(m->name) : json_null(),
	    "case_number", json_null(),
	    "department", m ? h->conf->domains[m->domain].name : "",
	    "region_code", h->conf->region_code,
	    "hall", json_string(h->conf->hall_name),
	    "window", int_or_null(r->window),
	    "terminal", str_or_null(r->terminal),
	    "staff", str_or_null(r->clerk),
	    "rater", "type", "person", "id_masked", str_or_null(r->rater_id),
	    "phone_masked", str_or_null(r->rater_phone),
	    "real_name", r->real_name,
	    "struck", r->struck);
	if (o == NULL)
		fatalx("rating record");
	json_object_set_new(o, "handling", k.found ? record_handling(&k) :
	    json_null());
	kase_free(&k);
	/* 办件 number: the business day and the ticket's number. */
	json_object_set_new(o, "case_number", record_number(h, r->ticket, failed));
	return o;
}

static void
record_cb(void *arg, const struct store_rating *r)
{
	struct record_list *l = arg;

	json_array_append_new(l->a, cases_rating_record(l->h, r, &l->failed));
	l->last = r->ticket;
}

/* GET /api/ratings?from=&to=&after= */
int
cmd_ratings_list(struct hall *h, struct op_ctx *c)
{
	struct record_list l = { h, NULL, 0, 0 };
	const char *from, *to;
	int64_t after = 0;
	int n;

	if (case_day_arg(c, "from", &from) == -1 ||
	    case_day_arg(c, "to", &to) == -1 ||
	    cmd_body_int(c, "after", 0, INT64_MAX, &after, 0) == -1)
		return c->status;
	if (from == NULL)
		from = h->day;
	if (to == NULL)
		to = h->day;
	l.a = json_array();
	n = store_ratings_range(h->store, from, to, after, RATINGS_PAGE,
	    record_cb, &l);
	if (n == -1 || l.failed) {
		json_decref(l.a);
		h->failed = 1;
		return 500;
	}
	c->reply = json_pack("{s:o, s:o}", "ratings", l.a, "next",
	    n == RATINGS_PAGE ? json_integer(l.last) : json_null());
	return 200;
}

/* ---------------------------------------------------------------- uplink */

struct one_rating {
	struct hall	*h;
	json_t		*msg;
	int		 failed;
};

static void
one_rating_cb(void *arg, const struct store_rating *r)
{
	struct one_rating *o = arg;

	if (r->score < 1 || r->score > 5)
		return;
	o->msg = json_pack("{s:s, s:I, s:i, s:o}", "type", "rating",
	    "ticket", (json_int_t)r->ticket, "score", r->score,
	    "record", cases_rating_record(o->h, r, &o->failed));
}

/* The ratings topic's message for a ticket's rating (NULL: not rated, or
 * -1 in *failed on a database error). */
json_t *
hall_uplink_rating(struct hall *h, int64_t ticket, int *failed)
{
	struct one_rating o = { h, NULL, 0 };

	if (store_rating_get(h->store, ticket, one_rating_cb, &o) == -1 ||
	    o.failed) {
		json_decref(o.msg);
		*failed = 1;
		return NULL;
	}
	return o.msg;
}

/* A case as it stands, for the ratings topic (NULL: no such case). */
json_t *
hall_uplink_case(struct hall *h, int64_t id, int *failed)
{
	struct kase k;
	json_t *o;

	memset(&k, 0, sizeof k);
	if (store_case_get(h->store, id, kase_row_cb, &k) == -1) {
		*failed = 1;
		return NULL;
	}
	if (!k.found)
		return NULL;
	o = kase_json(h, &k, 1);
	kase_free(&k);
	return o;
}

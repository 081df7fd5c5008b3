/* cmd_window.c — the commands of a window: call-next, call, recall, start,
 * finish, no-show, hold, transfer, pause/resume/open/close, tiers, read.
 * Ticket states change through ticket_move() only, window states through
 * window_moves[]; must not touch transactions (hall_exec does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "hall_int.h"
#include "limit.h"
#include "util.h"

/* The window may take calls: open, and not already busy with a ticket. */
static int
op_window_ready(struct op_ctx *c)
{
	struct win *w = c->win;

	if (w->state == WS_PAUSED)
		return cmd_error(c, 409, "window_paused", "window %d is paused",
		    w->number);
	if (w->state == WS_CLOSED)
		return cmd_error(c, 409, "window_closed", "window %d is closed",
		    w->number);
	if (w->cur != NULL)
		return cmd_error(c, 409, "window_busy",
		    "window %d is still on ticket %s (%s)", w->number,
		    w->cur->number, tstate_names[w->cur->state]);
	return 0;
}

/* A waiting ticket is called; a held or no-show one is called back. */
static enum tmove_id
op_call_move(const struct ticket *t)
{
	return ticket_may(t, TMOVE_CALL) ? TMOVE_CALL : TMOVE_CALL_BACK;
}

static int
op_do_call(struct hall *h, struct op_ctx *c, struct ticket *t)
{
	struct win *w = c->win;
	int held = t->state == TS_HELD;

	if (ticket_move(t, op_call_move(t)) == -1)
		return cmd_illegal(c, t, "call");
	ticket_unqueue(h, t);
	if (held)
		window_held_del(h, t);
	t->window = w->number;
	t->target_window = 0;
	t->called_at = h->now;
	if (t->first_called_at == 0)
		t->first_called_at = h->now;
	t->serving_at = 0;
	w->cur = t;
	w->since = h->now;
	hall_put_ticket(h, t);
	hall_put_window(h, w);
	hall_emit_ticket(h, "ticket.called", t);
	hall_announce(h, t, 0);
	return cmd_ticket_reply(h, c, 200, t);
}

int
cmd_window_call_next(struct hall *h, struct op_ctx *c)
{
	struct dispatch_ticket pick;
	int rc;

	if ((rc = op_window_ready(c)) != 0)
		return rc;
	if (h->policy->pick(h->disp, &c->win->dw, &h->params, h->now, &pick) == -1)
		return 204;
	return op_do_call(h, c, ticket_find(h, pick.id));
}

/* Would this window take the ticket if it were waiting? */
static int
op_serves(struct hall *h, struct win *w, const struct ticket *t)
{
	struct dispatch_ticket dt = {
		.id = t->id, .matter = t->mi, .cls = ticket_class(h, t),
	};

	return t->mi >= 0 && dispatch_eligible(&w->dw, &dt);
}

int
cmd_window_call(struct hall *h, struct op_ctx *c)
{
	struct ticket *t;
	struct win *hw;
	int64_t id;
	int rc;

	if (cmd_ticket_id(c, &id) == -1)
		return c->status;
	if ((t = cmd_find_ticket(h, c, id)) == NULL)
		return 404;
	if ((rc = op_window_ready(c)) != 0)
		return rc;
	if (!ticket_may(t, op_call_move(t)))
		return cmd_illegal(c, t, "call");
	switch (t->state) {
	case TS_WAITING:
	case TS_TRANSFERRED:
		if (!t->queued || !dispatch_eligible(&c->win->dw, &t->dt))
			return cmd_error(c, 409, "not_for_this_window",
			    "window %d does not serve ticket %s", c->win->number,
			    t->number);
		break;
	case TS_HELD:
		/* Called back by the window that holds it.  Held by a window
		 * that is closed or gone (a database from before closing
		 * handed them back), it is nobody's: one that serves it may. */
		if (t->window == c->win->number)
			break;
		if ((hw = window_find(h, t->window)) != NULL && hw->state != WS_CLOSED)
			return cmd_error(c, 409, "held_by_other_window",
			    "ticket %s is held by window %d", t->number, t->window);
		if (!op_serves(h, c->win, t))
			return cmd_error(c, 409, "not_for_this_window",
			    "window %d does not serve ticket %s", c->win->number,
			    t->number);
		break;
	case TS_NO_SHOW:
		if (h->now - t->no_show_at > h->conf->no_show_grace_ms)
			return cmd_error(c, 409, "grace_expired",
			    "ticket %s missed its call more than %lld s ago",
			    t->number, (long long)(h->conf->no_show_grace_ms / 1000));
		/* Called back by the window that missed it, or one that serves
		 * its matter. */
		if (t->window != c->win->number && !op_serves(h, c->win, t))
			return cmd_error(c, 409, "not_for_this_window",
			    "window %d does not serve ticket %s", c->win->number,
			    t->number);
		break;
	default:
		break;
	}
	if (strcmp(t->day, h->day) != 0)
		return cmd_illegal(c, t, "call (it is from another day)");
	return op_do_call(h, c, t);
}

int
cmd_window_recall(struct hall *h, struct op_ctx *c)
{
	struct ticket *t = cmd_current(c, TMOVE_RECALL, "recall");

	if (t == NULL)
		return 409;
	t->recalls++;
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.recalled", t);
	hall_announce(h, t, 1);
	return cmd_ticket_reply(h, c, 200, t);
}

/* The current ticket has moved: its row, its event, the reply. */
static int
op_moved(struct hall *h, struct op_ctx *c, struct ticket *t, const char *event)
{
	hall_put_ticket(h, t);
	hall_emit_ticket(h, event, t);
	return cmd_ticket_reply(h, c, 200, t);
}

int
cmd_window_start(struct hall *h, struct op_ctx *c)
{
	struct ticket *t = cmd_current(c, TMOVE_START, "start");

	if (t == NULL)
		return 409;
	t->serving_at = h->now;
	return op_moved(h, c, t, "ticket.serving");
}

int
cmd_window_finish(struct hall *h, struct op_ctx *c)
{
	struct ticket *t;
	const char *outcome;

	if (cmd_body_string(c, "outcome", 16, &outcome) == -1)
		return c->status;
	if (outcome != NULL && strcmp(outcome, "done") != 0)
		return cmd_error(c, 400, "bad_request", "outcome must be \"done\"");
	if ((t = cmd_current(c, TMOVE_FINISH, "finish")) == NULL)
		return 409;
	t->ended_at = h->now;
	cmd_clerk_name(h, c, t->finished_by, sizeof t->finished_by);
	ticket_learn_service(h, t);
	window_release(h, c->win);
	return op_moved(h, c, t, "ticket.done");
}

int
cmd_window_no_show(struct hall *h, struct op_ctx *c)
{
	struct ticket *t = cmd_current(c, TMOVE_NO_SHOW, "mark as no-show");

	if (t == NULL)
		return 409;
	t->no_show_at = h->now;
	window_release(h, c->win);
	return op_moved(h, c, t, "ticket.no_show");
}

int
cmd_window_hold(struct hall *h, struct op_ctx *c)
{
	struct ticket *t = cmd_current(c, TMOVE_HOLD, "hold");

	if (t == NULL)
		return 409;
	window_held_add(h, t);
	window_release(h, c->win);
	return op_moved(h, c, t, "ticket.held");
}

int
cmd_window_transfer(struct hall *h, struct op_ctx *c)
{
	const char *matter;
	int64_t to = 0;
	struct ticket *t;
	struct win *tw = NULL;
	int mi = -1, rc;

	if (cmd_body_string(c, "matter", 32, &matter) == -1 ||
	    (rc = cmd_body_int(c, "window", 1, LIMIT_WINDOW_MAX, &to, 0)) == -1)
		return c->status;
	if (rc == 1)
		to = 0;
	if ((matter == NULL) == (to == 0))
		return cmd_error(c, 400, "bad_request",
		    "transfer takes either \"matter\" or \"window\"");
	if (matter != NULL && (mi = config_matter(h->conf, matter)) < 0)
		return cmd_error(c, 404, "unknown_matter", "no matter \"%s\"", matter);
	if (to != 0 && (tw = window_find(h, (int)to)) == NULL)
		return cmd_error(c, 404, "unknown_window", "no window %lld",
		    (long long)to);
	/* It would wait for that window alone, and a closed one calls no one
	 * (a paused one comes back). */
	if (tw != NULL && tw->state == WS_CLOSED)
		return cmd_error(c, 409, "window_closed", "window %d is closed: "
		    "transfer to an open window or to the matter", tw->number);
	if ((t = cmd_current(c, TMOVE_TRANSFER, "transfer")) == NULL)
		return 409;
	if (mi >= 0) {
		snprintf(t->matter, sizeof t->matter, "%s", matter);
		t->mi = mi;
		t->target_window = 0;
	} else
		t->target_window = (int)to;
	/* It keeps its arrival: the new queue takes it in its old place. */
	t->transfers++;
	t->window = 0;
	window_release(h, c->win);
	ticket_queue(h, t);
	hall_put_ticket(h, t);
	hall_emit(h, "ticket.transferred", json_pack("{s:o, s:i, s:o, s:o}",
	    "ticket", view_ticket(h, t), "window", c->win->number,
	    "to_matter", mi >= 0 ? json_string(matter) : json_null(),
	    "to_window", view_window_no((int)to)));
	return cmd_ticket_reply(h, c, 200, t);
}

static int
op_window_move(struct hall *h, struct op_ctx *c, const struct wmove *m)
{
	struct win *w = c->win;

	if (!(m->from & (1u << w->state)))
		return cmd_error(c, 409, "illegal_transition",
		    "window %d is %s: cannot %s", w->number,
		    wstate_names[w->state], m->what);
	if (m->to == WS_CLOSED && w->cur != NULL)
		return cmd_error(c, 409, "window_busy",
		    "window %d is still on ticket %s: finish, hold or transfer "
		    "it first", w->number, w->cur->number);
	w->state = m->to;
	w->since = h->now;
	hours_person_moved(h, w);
	if (m->to == WS_CLOSED)
		window_hand_back(h, w);
	hall_put_window(h, w);
	hall_emit_window(h, m->event, w);
	return cmd_window_reply(h, c, w);
}

int cmd_window_pause(struct hall *h, struct op_ctx *c) { return op_window_move(h, c, &window_moves[WMOVE_PAUSE]); }
int cmd_window_resume(struct hall *h, struct op_ctx *c) { return op_window_move(h, c, &window_moves[WMOVE_RESUME]); }
int cmd_window_open(struct hall *h, struct op_ctx *c) { return op_window_move(h, c, &window_moves[WMOVE_OPEN]); }
int cmd_window_close(struct hall *h, struct op_ctx *c) { return op_window_move(h, c, &window_moves[WMOVE_CLOSE]); }

/* A manager changes a window's tiers for the rest of the business day. */
int
cmd_window_tiers(struct hall *h, struct op_ctx *c)
{
	char why[160];

	if (window_tiers_apply(h, c->win, json_object_get(c->body, "tiers"),
	    why, sizeof why) == -1)
		return cmd_error(c, 400, "bad_tiers", "%s", why);
	hall_emit_window(h, "window.tiers", c->win);
	return cmd_window_reply(h, c, c->win);
}

int
cmd_window_get(struct hall *h, struct op_ctx *c)
{
	return cmd_window_reply(h, c, c->win);
}

/* cmd_ticket.c — the commands on a ticket itself: issue, read, cancel, rate.
 * Each changes a ticket's state through ticket_move() only; must not touch
 * transactions (hall_exec) nor build JSON beyond its reply. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hall_int.h"
#include "util.h"

static int
all_digits(const char *s, size_t lo, size_t hi, int allow_x)
{
	size_t n = strlen(s), i;

	if (n < lo || n > hi)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    !(allow_x && i == n - 1 && (s[i] == 'X' || s[i] == 'x')))
			return 0;
	return 1;
}

static const char *const channels[] = {
	"kiosk", "reception", "appointment", "web", "mobile", NULL
};

int
cmd_ticket_issue(struct hall *h, struct op_ctx *c)
{
	const char *matter, *cls, *channel, *phone, *idn, *appt;
	struct appt_checkin ci = { NULL, -1, 0, 0 };
	json_t *accept = json_object_get(c->body, "accept_wait");
	json_t *consent = json_object_get(c->body, "notify");
	int64_t seqno;
	struct ticket *t;
	int mi, ci_cls, i, rc;
	unsigned char rnd[16];

	if (cmd_body_string(c, "matter", 32, &matter) == -1 ||
	    cmd_body_string(c, "class", 32, &cls) == -1 ||
	    cmd_body_string(c, "channel", 16, &channel) == -1 ||
	    cmd_body_string(c, "phone", 20, &phone) == -1 ||
	    cmd_body_string(c, "id_number", 18, &idn) == -1 ||
	    cmd_body_string(c, "appointment", 18, &appt) == -1)
		return c->status;
	if (accept != NULL && !json_is_boolean(accept))
		return cmd_error(c, 400, "bad_request", "\"accept_wait\" is true "
		    "or false");
	if (consent != NULL && !json_is_boolean(consent))
		return cmd_error(c, 400, "bad_request", "\"notify\" is true or "
		    "false");
	/* The slot, and with it the appointment head start, comes from a
	 * booking only (check-in with "appointment"), never from the asking. */
	if (json_object_get(c->body, "slot_start") != NULL)
		return cmd_error(c, 400, "slot_start_not_allowed",
		    "\"slot_start\" is set by a booking only: check in with "
		    "\"appointment\"");
	if (appt != NULL) {
		/* A check-in: the booking names the matter and the class. */
		if (matter != NULL || cls != NULL)
			return cmd_error(c, 400, "bad_request", "a check-in takes "
			    "its matter from the booking: no \"matter\" or "
			    "\"class\"");
		if (c->token != NULL && c->token->role != ROLE_KIOSK &&
		    c->token->role != ROLE_MANAGER && c->token->role != ROLE_ADMIN)
			return cmd_error(c, 403, "forbidden", "check-in is at the "
			    "kiosk or the counter");
		if ((rc = appt_check_in(h, c, appt, &ci)) != 0) {
			appt_checkin_free(&ci);
			return rc;
		}
		mi = ci.mi;
		matter = h->conf->matters[mi].code;
		cls = ci.late ? "normal" : "appointment";
		channel = "appointment";
		phone = idn = NULL;	/* kept once, in the booking */
		if ((ci_cls = config_class(h->conf, cls)) < 0)
			ci_cls = h->conf->normal_class, cls = "normal";
		if (ci.late && (rc = hours_issue_check(h, c, mi,
		    json_is_true(accept))) != 0) {
			appt_checkin_free(&ci);
			return rc;
		}
		goto make;
	}
	if (matter == NULL)
		return cmd_error(c, 400, "bad_request", "\"matter\" is required");
	if ((mi = config_matter(h->conf, matter)) < 0)
		return cmd_error(c, 404, "unknown_matter", "no matter \"%s\"", matter);
	if (cls == NULL)
		cls = "normal";
	if ((ci_cls = config_class(h->conf, cls)) < 0)
		return cmd_error(c, 400, "unknown_class", "no class \"%s\"", cls);
	if (channel == NULL)
		channel = "kiosk";
	for (i = 0; channels[i] != NULL; i++)
		if (strcmp(channels[i], channel) == 0)
			break;
	if (channels[i] == NULL)
		return cmd_error(c, 400, "unknown_channel", "no channel \"%s\"", channel);
	if (phone != NULL && !all_digits(phone, 5, 20, 0))
		return cmd_error(c, 400, "bad_phone", "a phone number is 5 to 20 digits");
	if (json_is_true(consent) && phone == NULL)
		return cmd_error(c, 400, "bad_request", "\"notify\" needs the "
		    "\"phone\" to send to");
	if (idn != NULL && !all_digits(idn, 15, 18, 1))
		return cmd_error(c, 400, "bad_id_number",
		    "an ID number is 15 to 18 digits, the last may be X");
	if ((rc = hours_issue_check(h, c, mi, json_is_true(accept))) != 0)
		return rc;

make:
	t = xcalloc(1, sizeof *t);
	t->id = h->next_id++;
	snprintf(t->day, sizeof t->day, "%s", h->day);
	snprintf(t->prefix, sizeof t->prefix, "%s", h->conf->matters[mi].prefix);
	if (hall_next_number(h, t->prefix, &seqno) == -1) {
		ticket_free(t);
		appt_checkin_free(&ci);
		return 500;
	}
	t->seqno = seqno;
	snprintf(t->number, sizeof t->number, "%s%0*lld", t->prefix,
	    h->conf->number_width, (long long)seqno);
	snprintf(t->matter, sizeof t->matter, "%s", matter);
	snprintf(t->cls, sizeof t->cls, "%s", cls);
	snprintf(t->channel, sizeof t->channel, "%s", channel);
	t->mi = mi;
	t->ci = ci_cls;
	t->state = TS_WAITING;
	t->issued_at = h->now;
	t->arrival = h->now;
	if (ci.appt != NULL && !ci.late) {
		/* On time: its virtual arrival is the slot start, so the
		 * class's head start serves it near its time. */
		t->slot_start = ci.start;
		t->arrival = ci.start;
	}
	t->phone = phone ? xstrdup(phone) : NULL;
	t->id_number = idn ? xstrdup(idn) : NULL;
	/* Messages go to the phone only with the person's consent: given
	 * here (the kiosk's checkbox), or with the booking. */
	t->notify = phone != NULL && json_is_true(consent);
	if (ci.appt != NULL) {
		t->notify = appt_notify(ci.appt);
		snprintf(t->appointment, sizeof t->appointment, "%s",
		    appt_code(ci.appt));
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		fatal("getrandom");
	for (i = 0; i < 16; i++)
		snprintf(t->token + 2 * i, 3, "%02x", rnd[i]);
	ticket_link(h, t);
	ticket_queue(h, t);
	hall_notify_consented(h, t);
	hall_put_ticket(h, t);
	if (ci.appt != NULL) {
		json_t *tmp = json_object();
		appt_checked_in(h, &ci, t->id, tmp);
		hall_emit_ticket(h, "ticket.issued", t);
		cmd_ticket_reply(h, c, 201, t);
		json_object_update(c->reply, tmp);
		json_decref(tmp);
		json_object_set_new(json_object_get(c->reply, "ticket"), "late",
		    json_boolean(ci.late));
		appt_checkin_free(&ci);
	} else {
		hall_emit_ticket(h, "ticket.issued", t);
		cmd_ticket_reply(h, c, 201, t);
	}
	/* Only the issuer learns the ticket's own token (its QR code: the
	 * status page and the citizen's rating); no event carries it. */
	json_object_set_new(c->reply, "token", json_string(t->token));
	return 201;
}

/* A role's token reads any ticket; the ticket's own token (its QR code)
 * reads that ticket only, and learns nothing about others. */
int
cmd_ticket_get(struct hall *h, struct op_ctx *c)
{
	json_t *tok = json_object_get(c->cmd, "token");
	struct ticket *t;
	int64_t id;

	if (cmd_ticket_id(c, &id) == -1)
		return c->status;
	if (c->token == NULL) {
		/* Checked against the row: nothing is kept for a refused read. */
		t = cmd_read_ticket(h, c, id);
		if (t == NULL || !json_is_string(tok) || t->token[0] == '\0' ||
		    !secret_eq(json_string_value(tok), t->token))
			return cmd_error(c, 401, "unauthorized",
			    "this needs a token (Authorization: Bearer TOKEN)");
		return cmd_ticket_reply(h, c, 200, t);
	}
	if ((t = cmd_find_ticket(h, c, id)) == NULL)
		return 404;
	return cmd_ticket_reply(h, c, 200, t);
}

/*
 * Cancel.  A kiosk cancels a waiting ticket (the citizen changed their
 * mind); a manager or admin any open one — waiting, called, serving, held,
 * or a no-show still in its grace period — and the window that was on it or
 * held it lets go (event window.released), so no ticket is ever stranded.
 */
int
cmd_ticket_cancel(struct hall *h, struct op_ctx *c)
{
	struct win *w = NULL;
	struct ticket *t;
	int64_t id;
	int manager, held;

	if (cmd_ticket_id(c, &id) == -1)
		return c->status;
	if ((t = cmd_find_ticket(h, c, id)) == NULL)
		return 404;
	manager = c->token != NULL && (c->token->role == ROLE_MANAGER ||
	    c->token->role == ROLE_ADMIN);
	if (t == c->loose ||	/* an older day's: finished, or expired */
	    !ticket_may(t, TMOVE_CANCEL))
		return cmd_illegal(c, t, "cancel");
	/* Who may cancel what, beyond the table. */
	switch (t->state) {
	case TS_WAITING:
	case TS_TRANSFERRED:
		break;
	case TS_CALLED:
	case TS_SERVING:
	case TS_HELD:
		if (!manager)
			return cmd_illegal(c, t, "cancel (a manager can)");
		w = window_find(h, t->window);
		break;
	case TS_NO_SHOW:
		if (!manager || h->now - t->no_show_at > h->conf->no_show_grace_ms)
			return cmd_illegal(c, t, "cancel");
		break;
	default:
		break;
	}
	held = t->state == TS_HELD;
	if (ticket_move(t, TMOVE_CANCEL) == -1)
		return cmd_illegal(c, t, "cancel");
	if (held)
		window_held_del(h, t);
	else if (w != NULL && w->cur == t)
		window_release(h, w);
	else
		w = NULL;
	ticket_unqueue(h, t);
	t->ended_at = h->now;
	hall_put_ticket(h, t);
	hall_emit_ticket(h, "ticket.cancelled", t);
	hall_notify_cancelled(h, t->id, NULL);
	if (w != NULL)
		hall_emit_window(h, "window.released", w);
	return cmd_ticket_reply(h, c, 200, t);
}

/*
 * 好差评: one score per served ticket, from the window's clerk (the soft
 * evaluator on the pad), the window's hardware evaluator, its evaluator
 * tablet (an `evaluator` token bound to the window, /rate?window=N), or the
 * citizen with the ticket's own token (printed in its QR code).
 */
int
cmd_ticket_rate(struct hall *h, struct op_ctx *c)
{
	json_t *tok = json_object_get(c->cmd, "token");
	const char *comment, *source;
	struct ticket *t;
	int64_t id, score;

	if (cmd_ticket_id(c, &id) == -1 ||
	    cmd_body_int(c, "score", 1, 5, &score, 1) != 0 ||
	    cmd_body_string(c, "comment", 500, &comment) == -1)
		return c->status;
	if ((t = cmd_find_ticket(h, c, id)) == NULL)
		return c->status;
	if (c->device != NULL)
		source = "evaluator";
	else if (c->token != NULL && c->token->role == ROLE_CLERK)
		source = "clerk";
	else if (c->token != NULL && c->token->role == ROLE_EVALUATOR)
		source = "evaluator";	/* the window's tablet, /rate?window=N */
	else if (c->token != NULL)
		return cmd_error(c, 403, "forbidden", "a %s token cannot rate",
		    config_role_name(c->token->role));
	else if (json_is_string(tok) && t->token[0] != '\0' &&
	    secret_eq(json_string_value(tok), t->token))
		source = "ticket";
	else
		return cmd_error(c, 401, "unauthorized",
		    "a rating needs the window's clerk or evaluator token or the "
		    "ticket's own");
	if (t->state != TS_DONE)
		return cmd_error(c, 409, "not_served", "ticket %s is %s: only a "
		    "served ticket is rated", t->number, tstate_names[t->state]);
	if (c->token != NULL && !config_token_has_window(c->token, t->window))
		return cmd_error(c, 403, "forbidden", "only the clerk or evaluator "
		    "of window %d or the ticket's holder rates ticket %s", t->window,
		    t->number);
	if (t->rated == 1)
		return cmd_error(c, 409, "already_rated", "ticket %s is rated already",
		    t->number);
	/* Out of time even when no timer recorded it (an older day's ticket
	 * read from its row: hall_unrated only sees memory). */
	if (t->rated == 2 || t->ended_at + h->conf->rating_timeout_ms <= h->now)
		return cmd_error(c, 409, "rating_closed", "ticket %s was not rated "
		    "in time", t->number);
	hall_rating_write(h, t, (int)score, source, comment, c->device);
	c->reply = json_pack("{s:I, s:I, s:s}", "ticket", (json_int_t)t->id,
	    "score", (json_int_t)score, "source", source);
	return 201;
}

/*
 * POST /api/tickets/{id}/notify {"phone": "...", "notify": true|false}: the
 * citizen asks for (or stops) messages about a ticket still waiting, from
 * its own status page (the ticket's own token) or at the kiosk.  The phone
 * is the consent's; a booking's ticket keeps its booking's phone.
 */
int
cmd_ticket_notify(struct hall *h, struct op_ctx *c)
{
	json_t *tok = json_object_get(c->cmd, "token");
	json_t *consent = json_object_get(c->body, "notify");
	const char *phone;
	struct ticket *t;
	int64_t id;

	if (cmd_ticket_id(c, &id) == -1 ||
	    cmd_body_string(c, "phone", 20, &phone) == -1)
		return c->status;
	if (!json_is_boolean(consent))
		return cmd_error(c, 400, "bad_request", "\"notify\" is true or "
		    "false");
	if (c->token == NULL) {
		t = cmd_read_ticket(h, c, id);
		if (t == NULL || !json_is_string(tok) || t->token[0] == '\0' ||
		    !secret_eq(json_string_value(tok), t->token))
			return cmd_error(c, 401, "unauthorized",
			    "this needs a token (Authorization: Bearer TOKEN)");
	} else if ((t = cmd_find_ticket(h, c, id)) == NULL)
		return 404;
	if (!h->conf->notify.enabled)
		return cmd_error(c, 409, "notify_unavailable", "this hall sends no "
		    "messages");
	if (t == c->loose || (!ticket_in_queue_state(t) && t->state != TS_CALLED))
		return cmd_error(c, 409, "illegal_transition", "ticket %s is %s: "
		    "no more messages", t->number, tstate_names[t->state]);
	if (json_is_true(consent)) {
		char buf[32];

		if (phone != NULL && !appt_phone_ok(phone))
			return cmd_error(c, 400, "bad_phone", "\"phone\" is an "
			    "11-digit mobile number");
		if (phone != NULL) {
			free(t->phone);
			t->phone = xstrdup(phone);
		}
		t->notify = 1;
		/* Without a number given now: its own, or its booking's
		 * when the booking had consent. */
		if (notify_ticket_phone(h, t, buf, sizeof buf) == NULL) {
			t->notify = 0;
			return cmd_error(c, 400, "bad_phone", "\"phone\" is needed: "
			    "this ticket has no number to send to");
		}
		hall_notify_consented(h, t);
	} else
		t->notify = 0;
	hall_put_ticket(h, t);
	return cmd_ticket_reply(h, c, 200, t);
}

/* pad.c — what a pad's, an evaluator's or a remote's key means as a hall
 * command (see pad.h).  Owns the pad's memory of digits and resent keys;
 * must not touch I/O, the clock or the hall: the device manager asks, runs
 * the commands and gives the feedback. */
#include <string.h>

#include "ft12.h"
#include "pad.h"

void
pad_init(struct pad *p)
{
	memset(p, 0, sizeof *p);
	p->last_digit = -1;
}

/* A command with no body member, or with one (key, value). */
static struct pad_cmd *
pad_cmd(struct pad_action *a, const char *op, const char *key, int64_t value)
{
	struct pad_cmd *c = &a->cmd[a->ncmd++];

	a->what = PAD_CMD;
	c->op = op;
	if (key != NULL) {
		c->key[0] = key;
		c->value[0] = value;
		c->nkeys = 1;
	}
	return c;
}

static void
pad_refuse(struct pad_action *a, int status)
{
	a->what = PAD_REFUSE;
	a->status = status;
}

void
pad_key(struct pad *p, int bus, uint8_t code, int arg,
    const struct pad_window *w, int64_t now, struct pad_action *a)
{
	int digit;

	memset(a, 0, sizeof *a);
	a->what = PAD_NOTHING;
	/* A pad that missed our echo sends the key again: one press. */
	if (bus && code == p->last_key && now - p->last_key_at < PAD_RESEND_MS) {
		p->last_key_at = now;
		return;
	}
	p->last_key = code;
	p->last_key_at = now;
	if (p->ndigits > 0 && now - p->digits_at > PAD_DIGITS_MS)
		p->ndigits = p->digits = 0;	/* typed too long ago */
	if (code <= FT12_KEY_DIGIT_9) {
		if (p->ndigits < PAD_DIGITS_MAX) {
			p->digits = p->digits * 10 + code;
			p->ndigits++;
		}
		p->last_digit = code;
		p->digits_at = now;
		return;
	}
	digit = arg >= 0 ? arg : p->ndigits > 0 ? p->last_digit : -1;
	if (w == NULL)
		return;
	switch (code) {
	case FT12_KEY_CALL:
		if (w->has_ticket)
			pad_cmd(a, "finish", NULL, 0);
		pad_cmd(a, "call-next", NULL, 0);
		break;
	case FT12_KEY_RECALL:
		pad_cmd(a, "recall", NULL, 0);
		break;
	case FT12_KEY_PAUSE:
		pad_cmd(a, w->paused ? "resume" : "pause", NULL, 0);
		break;
	case FT12_KEY_TRANSFER:
		if (p->ndigits == 0)
			pad_refuse(a, 400);
		else
			pad_cmd(a, "transfer", "window", p->digits);
		break;
	case FT12_KEY_EVALUATE:
		if (w->last_done != 0) {
			a->what = PAD_PROMPT;
			a->ticket = w->last_done;
		} else
			pad_refuse(a, 409);
		break;
	case FT12_KEY_CONFIRM:
		if (digit == 6)
			pad_cmd(a, "no-show", NULL, 0);
		else if (digit == 0)
			pad_cmd(a, "hold", NULL, 0);
		else if (digit == 3 && w->last_parked != 0)
			pad_cmd(a, "call", "ticket", w->last_parked);
		else
			pad_refuse(a, 400);
		break;
	default:
		a->what = PAD_UNKNOWN;
		break;
	}
	p->ndigits = p->digits = 0;
}

void
pad_rate(int64_t ticket, unsigned score, struct pad_action *a)
{
	struct pad_cmd *c;

	memset(a, 0, sizeof *a);
	if (score < 1 || score > 5 || ticket == 0) {
		pad_refuse(a, 400);
		return;
	}
	c = pad_cmd(a, "rate", "ticket", ticket);
	c->key[1] = "score";
	c->value[1] = score;
	c->nkeys = 2;
}

const char *
pad_remote_op(char *const keys[16], unsigned key)
{
	return key > 15 ? NULL : keys[key];
}

/*
 * devproto.c — the table of protocol operations (see devproto.h): for each
 * protocol, how the device manager sends a device its state through the
 * codec of protocols/, what the bytes that come back mean, and what is due
 * after an exchange.  Owns no state of its own and never touches a
 * transport's fd, libevent or the hall's state: it reads the window through
 * dev_view() and hands what a device says to devices.c (dev_key,
 * dev_rating, dev_remote, dev_set_ready, line_done).
 */
#include <stdio.h>
#include <string.h>

#include "bx.h"
#include "devproto.h"
#include "escpos.h"
#include "ev1527.h"
#include "ft12.h"
#include "hall.h"
#include "modbus.h"
#include "transport.h"

/* A display's state was sent (ok) or not: resend it, twice at most. */
static void
done_display(struct dev *d, int ok)
{
	if (ok)
		d->retries = 0;
	else if (d->retries < DEV_RETRIES) {
		d->retries++;
		if (!d->dirty)
			d->dirty = 1;
	} else
		d->retries = 0;		/* given up: the next change tries again */
}

static void
line_eat(struct line *l, size_t used)
{
	memmove(l->rx, l->rx + used, l->rxlen - used);
	l->rxlen -= used;
}

static struct dev *
line_dev_by_addr(struct line *l, int addr)
{
	int i;

	for (i = 0; i < l->ndevs; i++)
		if (l->devs[i]->conf->address == addr)
			return l->devs[i];
	return NULL;
}

/* ---------------------------------------------------------------- bx */

static size_t
bx_text_now(struct dev *d, char *text, size_t size)
{
	if (d->conf->role == DEVROLE_HALL_BOARD)
		return dev_board_text(d, text, size);
	return dev_window_text(d, (size_t)d->conf->width, text, size);
}

static int
bx_send(struct dev *d)
{
	const struct device_conf *c = d->conf;
	static uint8_t wire[BX_WIRE_MAX];
	char text[DEV_TEXT_MAX];
	struct bx_text t;
	size_t n;

	d->dirty = 0;
	n = bx_text_now(d, text, sizeof text);
	memset(&t, 0, sizeof t);
	t.area = 0;
	t.width = (uint16_t)(c->width * 8);
	t.height = (uint16_t)(c->line_px * c->rows);
	t.mode = (enum bx_mode)c->mode;
	t.stay = 10;
	t.multi_line = c->rows > 1;
	t.text = (const uint8_t *)text;
	t.text_len = n;
	memcpy(d->sent_text, text, n);
	d->sent_len = n;
	if (dev_send(d, wire, bx_encode_text((uint16_t)d->addr, &t, wire,
	    sizeof wire)) == -1)
		return -1;
	return 1;
}

/* Unchanged text is not sent again (a window display's only). */
static int
bx_same(struct dev *d)
{
	char text[DEV_TEXT_MAX];
	uint64_t saved = d->replaced;
	size_t n;

	if (d->conf->role == DEVROLE_HALL_BOARD)
		return 0;
	n = dev_window_text(d, (size_t)d->conf->width, text, sizeof text);
	d->replaced = saved;
	return n == d->sent_len && memcmp(text, d->sent_text, n) == 0;
}

static void
bx_rx(struct line *l)
{
	struct bx_frame f;
	struct bx_reply rep;
	struct dev *d;
	size_t used;
	int rc;

	while (l->rxlen > 0) {
		rc = bx_decode(l->rx, l->rxlen, &f, &used);
		if (rc == -BX_NEED_MORE) {
			l->garbage += used;
			line_eat(l, used);
			return;
		}
		line_eat(l, used);
		d = l->busy;
		if (rc < 0) {
			if (d != NULL) {
				d->bad_replies++;
				snprintf(d->last_error, sizeof d->last_error,
				    "bad reply: %s", bx_strerror(rc));
				line_done(l, 0);
			} else
				l->garbage += used;
			continue;
		}
		if (bx_reply_parse(&f, &rep) < 0) {
			l->unsolicited++;
			continue;
		}
		if (d == NULL || (rep.addr != d->addr &&
		    line_dev_by_addr(l, rep.addr) != d)) {
			l->unsolicited++;
			continue;
		}
		if (rep.ack) {
			d->replies++;
			line_done(l, 1);
		} else {
			d->nacks++;
			snprintf(d->last_error, sizeof d->last_error,
			    "the display refused: %s", bx_status_name(rep.status));
			line_done(l, 0);
		}
	}
}

/* ---------------------------------------------------------------- ft12 */

static int
ft12_send(struct dev *d)
{
	struct hall_window_view v;
	uint8_t digits[FT12_DIGITS], buf[FT12_FRAME_MAX];
	int i;

	d->dirty = 0;
	if (d->window <= 0)
		return 0;
	memset(&v, 0, sizeof v);
	for (i = 0; i < FT12_DIGITS; i++)
		digits[i] = FT12_BLANK;
	if (dev_view(d, &v) == 0 && !v.paused && !v.closed && v.ticket[0] != '\0')
		ft12_digits_from_text(v.ticket, digits);
	if (dev_send(d, buf, ft12_encode_display((uint8_t)d->addr,
	    digits, buf, sizeof buf)) == -1)
		return -1;
	if (d->conf->role == DEVROLE_KEYPAD_BUS && v.number > 0) {
		/* The pad's second counter: who waits for its window. */
		int w = v.waiting > 999 ? 999 : v.waiting;
		uint8_t cells[3] = { FT12_BLANK, FT12_BLANK, (uint8_t)(w % 10) };

		if (w >= 10)
			cells[1] = (uint8_t)(w / 10 % 10);
		if (w >= 100)
			cells[0] = (uint8_t)(w / 100);
		if (dev_send(d, buf, ft12_encode((uint8_t)d->addr, FT12_FUNC_WAITING,
		    cells, 3, buf, sizeof buf)) == -1)
			return -1;
		d->sent_waiting = v.waiting;
	}
	if (d->beep) {
		d->beep = 0;
		if (dev_send(d, buf, ft12_encode_beep((uint8_t)d->addr,
		    buf, sizeof buf)) == -1)
			return -1;
	}
	return 1;
}

static struct dev *
ft12_pad(struct line *l, int addr)
{
	int i;

	for (i = 0; i < l->ndevs; i++)
		if (l->devs[i]->conf->role == DEVROLE_KEYPAD_BUS &&
		    l->devs[i]->addr == addr)
			return l->devs[i];
	return NULL;
}

/* Pads speak unasked: a key frame is echoed (its acknowledgement). */
static void
ft12_rx(struct line *l)
{
	struct ft12_frame f;
	size_t used;
	int rc;

	while (l->rxlen > 0) {
		rc = ft12_decode(l->rx, l->rxlen, &f, &used);
		if (rc > 0) {
			struct ft12_key key;
			struct dev *d = ft12_pad(l, f.addr);
			uint8_t echo[FT12_FRAME_MAX];
			int n;

			l->garbage += used - (size_t)rc;
			if (d == NULL || ft12_key_parse(&f, &key) < 0)
				l->unsolicited++;	/* not a pad of ours */
			else {
				if ((n = ft12_encode_echo(&f, echo, sizeof echo)) > 0)
					transport_send(l->tp, echo, (size_t)n);
				dev_key(d, key.code, -1);
			}
		} else
			l->garbage += used;	/* skipped, or a bad frame */
		line_eat(l, used);
		if (rc == -FT12_E_NEED || used == 0)
			return;
	}
}

static int
ft12_shows_waiting(const struct dev *d)
{
	return d->conf->role == DEVROLE_KEYPAD_BUS;
}

/* ---------------------------------------------------------------- modbus */

/* One write of a display's state (step 0 the number registers, step 1 the
 * text, step 2 the beep); the key press to acknowledge and the evaluator's
 * prompt go first, the poll of the input registers last. */
static void
modbus_display(struct dev *d)
{
	struct line *l = d->line;
	struct modbus_request *rq = &l->req;
	struct hall_window_view v;
	char text[DEV_TEXT_MAX];
	size_t n, cols;
	int i;

	if (d->dirty == 1)		/* a fresh state: from the top */
		d->step = 0;
	d->dirty = 0;
	if (d->step == 2 && !d->beep)
		d->step = 3;
	if (d->step > 2 || dev_view(d, &v) == -1)
		return;
	switch (d->step) {
	case 0:
		memset(text, ' ', 6);	/* padded with 0x20: protocols/README.md */
		if (!v.paused && !v.closed)
			memcpy(text, v.ticket, strnlen(v.ticket, 6));
		rq->func = MODBUS_WRITE_MULTIPLE;
		rq->addr = MODBUS_DISPLAY_WINDOW;
		rq->count = 5;
		l->req_vals[0] = (uint16_t)v.number;
		for (i = 0; i < MODBUS_DISPLAY_TICKET_REGS; i++)
			l->req_vals[1 + i] = (uint16_t)((uint8_t)text[2 * i] << 8 |
			    (uint8_t)text[2 * i + 1]);
		l->req_vals[4] = (uint16_t)(v.waiting > 0xffff ? 0xffff : v.waiting);
		d->sent_waiting = v.waiting;
		break;
	case 1:
		cols = (size_t)d->conf->width;
		if (cols > 2 * MODBUS_DISPLAY_TEXT_REGS)
			cols = 2 * MODBUS_DISPLAY_TEXT_REGS;
		n = dev_window_text(d, cols, text, sizeof text);
		rq->func = MODBUS_WRITE_MULTIPLE;
		rq->addr = MODBUS_DISPLAY_TEXT;
		rq->count = MODBUS_DISPLAY_TEXT_REGS;
		modbus_text_pack((const uint8_t *)text, n, ' ', l->req_vals,
		    MODBUS_DISPLAY_TEXT_REGS);
		break;
	default:
		rq->func = MODBUS_WRITE_SINGLE;
		rq->addr = MODBUS_DISPLAY_BEEP;
		rq->count = 1;
		l->req_vals[0] = 1;
		break;
	}
	d->inflight = REQ_DISPLAY;
}

static int
modbus_send(struct dev *d)
{
	struct line *l = d->line;
	struct modbus_request *rq = &l->req;
	uint8_t buf[MODBUS_FRAME_MAX];

	memset(rq, 0, sizeof *rq);
	rq->slave = (uint8_t)d->addr;
	rq->values = l->req_vals;
	d->inflight = REQ_NONE;
	if (d->ack_pending) {
		/* The key press was applied: the keypad may drop it. */
		rq->func = MODBUS_WRITE_SINGLE;
		rq->addr = MODBUS_KEYPAD_ACK;
		rq->count = 1;
		l->req_vals[0] = d->ack_seq;
		d->inflight = REQ_ACK;
	} else if (d->prompt_dirty) {
		rq->func = MODBUS_WRITE_MULTIPLE;
		rq->addr = MODBUS_KEYPAD_RATE_PROMPT;
		rq->count = 3;
		l->req_vals[0] = (uint16_t)d->prompt_on;
		l->req_vals[1] = (uint16_t)((uint64_t)d->prompt_ticket >> 16);
		l->req_vals[2] = (uint16_t)d->prompt_ticket;
		d->inflight = REQ_PROMPT;
	} else if (d->dirty && d->conf->role != DEVROLE_EVALUATOR)
		modbus_display(d);
	if (d->inflight == REQ_NONE && d->poll_due) {
		d->poll_due = 0;
		rq->func = MODBUS_READ_INPUT;
		rq->addr = MODBUS_KEYPAD_EVENT_SEQ;
		rq->count = MODBUS_KEYPAD_INPUT_REGS;
		rq->values = NULL;
		d->inflight = REQ_POLL;
	}
	if (d->inflight == REQ_NONE)
		return 0;
	if (dev_send(d, buf, modbus_request_encode(rq, buf, sizeof buf)) == -1)
		return -1;
	return 1;
}

/* A keypad's or evaluator's input registers, read: its latest event. */
static void
modbus_poll_reply(struct dev *d, const struct modbus_reply *rep)
{
	uint16_t seq, kind, code, arg;

	if (rep->count < MODBUS_KEYPAD_INPUT_REGS)
		return;
	seq = rep->regs[MODBUS_KEYPAD_EVENT_SEQ];
	kind = rep->regs[MODBUS_KEYPAD_EVENT_KIND];
	code = rep->regs[MODBUS_KEYPAD_EVENT_CODE];
	arg = rep->regs[MODBUS_KEYPAD_EVENT_ARG];
	if (kind == MODBUS_EVENT_NONE)
		return;
	/* Applied already (our ack was lost): acknowledge again, only. */
	if (!(d->have_applied && d->applied_seq == seq)) {
		d->have_applied = 1;
		d->applied_seq = seq;
		if (kind == MODBUS_EVENT_KEY && d->conf->role == DEVROLE_KEYPAD)
			dev_key(d, (uint8_t)code, code == FT12_KEY_CONFIRM ?
			    (int)arg : -1);
		else if (kind == MODBUS_EVENT_RATING &&
		    d->conf->role == DEVROLE_EVALUATOR)
			dev_rating(d, code);
		else
			d->unknown_keys++;
	}
	d->ack_pending = 1;
	d->ack_seq = seq;
}

static void
modbus_rx(struct line *l)
{
	struct modbus_reply rep;
	struct dev *d = l->busy;
	int rc;

	if (d == NULL) {
		l->garbage += l->rxlen;
		l->rxlen = 0;
		return;
	}
	rc = modbus_reply_parse(&l->req, l->rx, l->rxlen, &rep);
	if (rc == -MODBUS_E_NEED)
		return;
	l->rxlen = 0;
	if (rc == -MODBUS_E_EXCEPTION) {
		d->nacks++;
		snprintf(d->last_error, sizeof d->last_error,
		    "exception %s", modbus_exception_name(rep.exception));
		line_done(l, 0);
	} else if (rc < 0) {
		d->bad_replies++;
		snprintf(d->last_error, sizeof d->last_error,
		    "bad reply: %s", modbus_strerror(rc));
		line_done(l, 0);
	} else {
		d->replies++;
		if (d->inflight == REQ_POLL)
			modbus_poll_reply(d, &rep);
		line_done(l, 1);
	}
}

static void
modbus_done(struct dev *d, int ok)
{
	if (d->inflight != REQ_DISPLAY) {
		/* Acks and prompts stay due until they land; a poll that
		 * failed is asked again at the next tick. */
		if (ok && d->inflight == REQ_ACK)
			d->ack_pending = 0;
		if (ok && d->inflight == REQ_PROMPT)
			d->prompt_dirty = 0;
		d->inflight = REQ_NONE;
	} else if (ok) {
		d->retries = 0;
		if (d->step == 2)
			d->beep = 0;
		d->step++;
		if (d->dirty == 0 && d->step <= 2 && !(d->step == 2 && !d->beep))
			d->dirty = 2;	/* the next write of this state */
	} else if (d->retries < DEV_RETRIES) {
		d->retries++;
		if (!d->dirty)
			d->dirty = 2;
	} else {
		d->retries = 0;		/* given up: the next change tries again */
		if (d->dirty == 2)
			d->dirty = 0;
	}
}

static int
modbus_up(struct dev *d)
{
	d->poll_due = d->ev_poll != NULL;
	return 1;
}

/* Keypads and evaluators are polled; a number display is only written. */
static int
modbus_poll_ms(const struct device_conf *c)
{
	return c->role == DEVROLE_KEYPAD || c->role == DEVROLE_EVALUATOR ?
	    c->poll_ms : 0;
}

static void
modbus_tick(struct dev *d)
{
	d->poll_due = 1;
}

static int
modbus_shows_waiting(const struct dev *d)
{
	return d->conf->role != DEVROLE_EVALUATOR;
}

/* ---------------------------------------------------------------- escpos */

/* A printer: ask DLE EOT 4 (paper roll sensor); the answer is one byte.
 * Tickets are sent when they are issued (devices.c), not from here. */
static int
escpos_send(struct dev *d)
{
	uint8_t buf[4];
	size_t n;

	if (!d->status_due)
		return 0;
	d->status_due = 0;	/* set only for printers that answer */
	n = escpos_status_request(buf, sizeof buf, ESCPOS_ST_PAPER);
	if (dev_send(d, buf, (int)n) == -1)
		return -1;
	return 1;
}

/* The printer answered: ready, or down with the reason. */
static void
escpos_rx(struct line *l)
{
	struct escpos_status st;
	struct dev *d = l->busy;
	size_t i;

	for (i = 0; i < l->rxlen; i++) {
		if (d == NULL || escpos_status_parse(ESCPOS_ST_PAPER, l->rx[i],
		    &st) < 0) {
			l->garbage++;
			continue;
		}
		d->replies++;
		if (st.paper_out)
			dev_set_ready(d, 0, "paper out");
		else
			dev_set_ready(d, 1, NULL);
		l->rxlen = 0;
		line_done(l, 1);
		return;
	}
	l->rxlen = 0;
}

/* The status answer, or its absence, was seen to: asked again at the tick. */
static void
escpos_done(struct dev *d, int ok)
{
	(void)d;
	(void)ok;
}

static void
escpos_timeout(struct dev *d)
{
	d->timeouts++;
	dev_set_ready(d, 0, "no answer to DLE EOT: offline");
}

/* A printer that answers is up when it says it has paper. */
static int
escpos_up(struct dev *d)
{
	if (d->conf->reply_ms <= 0)
		return 1;
	d->status_due = 1;
	return 0;
}

static int
escpos_poll_ms(const struct device_conf *c)
{
	return c->reply_ms > 0 ? c->status_ms : 0;
}

static void
escpos_tick(struct dev *d)
{
	d->status_due = 1;
}

/* ---------------------------------------------------------------- ev1527 */

/* A receiver is only heard. */
static int
ev1527_send(struct dev *d)
{
	d->dirty = 0;
	return 0;
}

static void
ev1527_rx(struct line *l)
{
	struct ev1527_code code;
	size_t used;
	int rc;

	while (l->rxlen > 0) {
		rc = ev1527_decode(l->rx, l->rxlen, &code, &used);
		if (rc == -EV1527_E_NEED) {
			l->garbage += used;
			line_eat(l, used);
			return;
		}
		line_eat(l, used);
		if (rc < 0) {
			l->garbage += used;
			continue;
		}
		l->garbage += used - EV1527_FRAME_LEN;
		dev_remote(l->devs[0], &code);
	}
}

/* ---------------------------------------------------------------- table */

static const struct devproto devproto_bx = {
	.proto = DEVPROTO_BX,
	.send = bx_send,
	.rx = bx_rx,
	.done = done_display,
	.same = bx_same,
};

static const struct devproto devproto_ft12 = {
	.proto = DEVPROTO_FT12,
	.send = ft12_send,
	.rx = ft12_rx,
	.done = done_display,
	.shows_waiting = ft12_shows_waiting,
};

static const struct devproto devproto_modbus = {
	.proto = DEVPROTO_MODBUS,
	.send = modbus_send,
	.rx = modbus_rx,
	.done = modbus_done,
	.up = modbus_up,
	.poll_ms = modbus_poll_ms,
	.tick = modbus_tick,
	.shows_waiting = modbus_shows_waiting,
};

static const struct devproto devproto_escpos = {
	.proto = DEVPROTO_ESCPOS,
	.send = escpos_send,
	.rx = escpos_rx,
	.done = escpos_done,
	.timeout = escpos_timeout,
	.up = escpos_up,
	.poll_ms = escpos_poll_ms,
	.tick = escpos_tick,
};

static const struct devproto devproto_ev1527 = {
	.proto = DEVPROTO_EV1527,
	.send = ev1527_send,
	.rx = ev1527_rx,
	.done = done_display,
};

static const struct devproto *const devprotos[DEVPROTO_MAX] = {
	[DEVPROTO_BX] = &devproto_bx,
	[DEVPROTO_FT12] = &devproto_ft12,
	[DEVPROTO_MODBUS] = &devproto_modbus,
	[DEVPROTO_EV1527] = &devproto_ev1527,
	[DEVPROTO_ESCPOS] = &devproto_escpos,
};

const struct devproto *
devproto_get(enum device_proto p)
{
	if ((int)p < 0 || p >= DEVPROTO_MAX)
		return NULL;
	return devprotos[p];
}

/*
 * devices.c — the device manager (see devices.h).
 *
 * Devices that name the same transport share one line (an RS-485 bus with
 * several strips at different addresses, say).  A line sends one device's
 * state at a time and, when the protocol answers (bx with reply_ms, modbus),
 * waits for that answer or its time-out before the next, so replies never
 * collide.  What a display shows is state, not history: each device has a
 * "dirty" mark, the line sends the latest state of each dirty device, and a
 * device whose line comes back is marked dirty — it is sent its current
 * state, never what it missed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "bx.h"
#include "config.h"
#include "devices.h"
#include "escpos.h"
#include "ev1527.h"
#include "ft12.h"
#include "hall.h"
#include "modbus.h"
#include "text.h"
#include "transport.h"
#include "util.h"

#define LINE_RX_MAX		2048	/* a reply bigger than this is garbage */
#define DEV_RETRIES		2	/* resend after a NACK or a silence */
#define BOARD_ROWS_MAX		32
#define TEXT_MAX		1024	/* one rendered text, bytes */
#define PLAYER_QUEUE		16	/* announcements waiting for the speaker */
#define PLAYER_ARGS		256
#define PLAYER_TIMEOUT_S	120	/* a player still running then is killed */

struct line;

struct dev {
	const struct device_conf *conf;
	struct line	*line;
	int		 window;	/* its window (keypad_bus: per pad) */
	int		 addr;		/* its address on the line */
	struct textconv	*conv;
	int		 dirty;		/* send the current state */
	int		 beep;		/* and beep (a call, a recall) */
	int		 step;		/* modbus: which write of the state */
	int		 retries;
	int		 up;
	int		 sent_waiting;	/* modbus: the waiting count last sent */
	char		 sent_text[TEXT_MAX];	/* bx: what the display shows */
	size_t		 sent_len;

	/* Inputs: keypads, evaluators, printers. */
	int		 digits;	/* number typed on a pad before a key */
	int		 ndigits;
	int		 last_digit;	/* -1: none */
	int64_t		 digits_at;
	uint8_t		 last_key;	/* ft12: a resent key is one press */
	int64_t		 last_key_at;
	int		 inflight;	/* modbus: REQ_* */
	int		 poll_due;
	struct event	*ev_poll;
	int		 ack_pending;
	uint16_t	 ack_seq;
	int		 have_applied;
	uint16_t	 applied_seq;
	int		 prompt_dirty;
	int		 prompt_on;
	int64_t		 prompt_ticket;
	int		 ready;		/* printer: online, paper in */
	int		 status_due;
	struct event	*ev_status;
	uint64_t	 keys;		/* key presses taken */
	uint64_t	 ratings;	/* ratings taken */
	uint64_t	 refused;	/* commands the hall refused */
	uint64_t	 printed;
	uint64_t	 unknown_keys;

	uint64_t	 frames;	/* frames handed to the transport */
	uint64_t	 replies;	/* good replies */
	uint64_t	 nacks;		/* bx NACK, modbus exception */
	uint64_t	 timeouts;	/* no (whole) reply in reply_ms */
	uint64_t	 bad_replies;	/* replies that failed to decode */
	uint64_t	 replaced;	/* characters the display cannot show */
	char		 last_error[160];
};

struct line {
	struct devices	*dm;
	const char	*transport;
	enum device_proto proto;
	struct transport *tp;
	struct dev	**devs;
	int		 ndevs;
	int		 next;		/* round robin over dirty devices */
	int		 up;
	struct dev	*busy;		/* waiting for this device's reply */
	struct event	*ev_timeout;
	struct event	*ev_kick;
	struct modbus_request req;	/* modbus: the request in flight */
	uint16_t	 req_vals[MODBUS_WRITE_MAX];
	uint8_t		 rx[LINE_RX_MAX];
	size_t		 rxlen;
	uint64_t	 garbage;	/* bytes nobody asked for */
	uint64_t	 unsolicited;	/* whole frames nobody asked for */
};

#define REMOTES_MAX	1024
#define DEBOUNCE_MAX	32
#define LEARN_MS	60000

enum { REQ_NONE, REQ_DISPLAY, REQ_ACK, REQ_PROMPT, REQ_POLL };

/* A window remembered for its pads: what "call back" and "evaluate" mean. */
struct winmem {
	int		 window;
	int64_t		 last_done;	/* the last ticket it finished */
	int64_t		 last_parked;	/* the last it held or no-showed */
};

struct board_row {
	int64_t		 ticket;
	char		 number[24];
	int		 window;
};

struct note {
	int		 kind;		/* NOTE_EVENT, NOTE_CMD, NOTE_LEARNED */
	char		*type;
	json_t		*o;
	struct dev	*dev;		/* NOTE_CMD: who pressed */
	int64_t		 remote;
	int		 window;
};
enum { NOTE_EVENT, NOTE_CMD, NOTE_LEARNED };

struct announcement {
	char		*argv[PLAYER_ARGS + 1];
	int		 argc;
};

struct devices {
	struct event_base *base;
	struct config	*conf;
	struct hall	*hall;
	const struct devices_host *host;
	void		*host_arg;

	struct winmem	*wm;
	int		 nwm;
	/* ev1527: remotes known (config, then learned) and learning. */
	int64_t		 remote_id[REMOTES_MAX];
	int		 remote_win[REMOTES_MAX];
	struct dev	*remote_dev[REMOTES_MAX];
	int		 nremotes;
	struct ev1527_debounce deb[DEBOUNCE_MAX];
	int		 ndeb;
	uint32_t	 unknown_logged[64];
	int		 nunknown_logged;
	struct dev	*learning;
	int		 learn_window;
	int64_t		 learn_until;

	struct line	*lines;
	int		 nlines;
	struct dev	*devs;
	int		 ndevs;

	struct board_row rows[BOARD_ROWS_MAX];	/* newest first */
	int		 nrows;

	/* device.up / device.down wait here until the loop is free. */
	struct note	*notes;
	size_t		 nnotes;
	struct event	*ev_notes;

	/* The appliance's own speaker. */
	struct announcement queue[PLAYER_QUEUE];
	int		 qhead, qlen;
	pid_t		 player;
	int		 player_fd;
	struct event	*ev_player;
	struct event	*ev_player_kill;
	struct event	*ev_player_poll;
	uint64_t	 played, play_dropped, play_failed;
};

static void	line_kick(struct line *);
static void	line_kick_later(struct line *);
static void	line_done(struct line *, int);
static void	dev_poll_reply(struct dev *, const struct modbus_reply *);
static void	dm_pad_key(struct dev *, uint8_t code, int arg);
static void	line_rx_ev1527(struct line *);

/* ---------------------------------------------------------------- notes */

static void	dev_feedback(struct dev *, int status);

static void
dm_notes_cb(evutil_socket_t fd, short what, void *arg)
{
	struct devices *dm = arg;
	struct note *notes = dm->notes;
	size_t i, n = dm->nnotes;
	int st;

	(void)fd;
	(void)what;
	/* Taken first: a command's events may add notes of their own. */
	dm->notes = NULL;
	dm->nnotes = 0;
	for (i = 0; i < n; i++) {
		switch (notes[i].kind) {
		case NOTE_EVENT:
			dm->host->note(dm->host_arg, notes[i].type, notes[i].o);
			break;
		case NOTE_CMD:
			st = dm->host->cmd(dm->host_arg, notes[i].o);
			if (notes[i].dev != NULL)
				dev_feedback(notes[i].dev, st);
			break;
		case NOTE_LEARNED:
			dm->host->learned(dm->host_arg, notes[i].type,
			    notes[i].remote, notes[i].window);
			break;
		}
		free(notes[i].type);
	}
	free(notes);
}

static struct note *
dm_note_add(struct devices *dm, int kind)
{
	struct note *n;

	dm->notes = xrealloc(dm->notes, (dm->nnotes + 1) * sizeof *dm->notes);
	n = &dm->notes[dm->nnotes++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	event_active(dm->ev_notes, EV_READ, 0);
	return n;
}

/* Events of our own are written from the loop, never from inside a transport
 * callback or an event being handed out. */
static void
dm_note(struct devices *dm, const char *type, json_t *o)
{
	struct note *n = dm_note_add(dm, NOTE_EVENT);

	n->type = xstrdup(type);
	n->o = o;
}

/* A window's pad or evaluator asks the hall: {"op":..., "window":N}. */
static void
dm_cmd(struct devices *dm, struct dev *d, const char *op, int window,
    json_t *body)
{
	struct note *n = dm_note_add(dm, NOTE_CMD);

	n->o = json_pack("{s:s, s:s, s:o}", "op", op, "device", d->conf->name,
	    "body", body != NULL ? body : json_object());
	if (window > 0)
		json_object_set_new(n->o, "window", json_integer(window));
	n->dev = d;
	d->keys++;
}

/* ---------------------------------------------------------------- render */

/* The text a window display shows now, in the display's charset. */
static size_t
dev_window_text(struct dev *d, size_t cols, char *out, size_t size)
{
	struct devices *dm = d->line->dm;
	const struct device_conf *c = d->conf;
	const struct window_conf *wc = config_window(dm->conf, d->window);
	struct hall_window_view v;
	struct text_var vars[4];
	char wnum[16], utf8[TEXT_MAX];
	const char *tmpl;
	unsigned replaced = 0;
	size_t n;

	if (hall_window_view(dm->hall, d->window, &v) == -1) {
		out[0] = '\0';
		return 0;
	}
	snprintf(wnum, sizeof wnum, "%d", v.number);
	vars[0] = (struct text_var){ "number", v.ticket };
	vars[1] = (struct text_var){ "window", wnum };
	vars[2] = (struct text_var){ "matter", v.matter ? v.matter : "" };
	vars[3] = (struct text_var){ "name", wc != NULL ? wc->name : wnum };
	if (v.closed)
		tmpl = v.closed_text;
	else if (v.paused)
		tmpl = v.paused_text;
	else if (v.ticket[0] != '\0')
		tmpl = c->texts[v.serving ? DEVTEXT_SERVING : DEVTEXT_CALLED];
	else
		tmpl = c->texts[DEVTEXT_IDLE];
	text_expand(tmpl, vars, 4, utf8, sizeof utf8);
	n = textconv_encode(d->conv, utf8, cols, out, size, &replaced, NULL);
	d->replaced += replaced;
	return n;
}

/* The hall board: its rows, newest first, each padded to the width. */
static size_t
dev_board_text(struct dev *d, char *out, size_t size)
{
	struct devices *dm = d->line->dm;
	const struct device_conf *c = d->conf;
	char wnum[16], utf8[TEXT_MAX];
	struct text_var vars[2];
	size_t len = 0, n, used;
	unsigned replaced = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < c->rows && i < dm->nrows; i++) {
		snprintf(wnum, sizeof wnum, "%d", dm->rows[i].window);
		vars[0] = (struct text_var){ "number", dm->rows[i].number };
		vars[1] = (struct text_var){ "window", wnum };
		text_expand(c->texts[DEVTEXT_ROW], vars, 2, utf8, sizeof utf8);
		n = textconv_encode(d->conv, utf8, (size_t)c->width, out + len,
		    size - len, &replaced, &used);
		len = text_pad(out, len + n, size, used, (size_t)c->width);
	}
	d->replaced += replaced;
	return len;
}

static int
dev_send(struct dev *d, const uint8_t *buf, int n)
{
	if (n < 0) {
		snprintf(d->last_error, sizeof d->last_error,
		    "could not encode a frame (%d)", n);
		return -1;
	}
	if (transport_send(d->line->tp, buf, (size_t)n) == -1)
		return -1;
	d->frames++;
	return 0;
}

/* The senders: 1 when a frame went out, 0 when there was nothing to send,
 * -1 on error. */
static int
dev_send_bx(struct dev *d)
{
	const struct device_conf *c = d->conf;
	static uint8_t wire[BX_WIRE_MAX];
	char text[TEXT_MAX];
	struct bx_text t;
	size_t n;

	if (c->role == DEVROLE_HALL_BOARD)
		n = dev_board_text(d, text, sizeof text);
	else
		n = dev_window_text(d, (size_t)c->width, text, sizeof text);
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

static int
dev_send_ft12(struct dev *d)
{
	struct hall_window_view v;
	uint8_t digits[FT12_DIGITS], buf[FT12_FRAME_MAX];
	int i;

	for (i = 0; i < FT12_DIGITS; i++)
		digits[i] = FT12_BLANK;
	if (hall_window_view(d->line->dm->hall, d->window, &v) == 0 &&
	    !v.paused && !v.closed && v.ticket[0] != '\0')
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

/*
 * One Modbus write of a display's state: step 0 the number registers, step 1
 * the text, step 2 the beep.  Returns 1 if a request went out, 0 if there is
 * nothing more to send, -1 on error.
 */
static int
dev_send_modbus(struct dev *d)
{
	struct line *l = d->line;
	struct hall_window_view v;
	struct modbus_request *rq = &l->req;
	uint8_t buf[MODBUS_FRAME_MAX];
	char text[TEXT_MAX];
	size_t n, cols;
	int i, display = d->conf->role != DEVROLE_EVALUATOR;

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
	} else if (d->dirty && display) {
		if (d->dirty == 1)		/* a fresh state: from the top */
			d->step = 0;
		d->dirty = 0;
		if (d->step == 2 && !d->beep)
			d->step = 3;
		if (d->step > 2 || hall_window_view(l->dm->hall, d->window, &v) == -1)
			goto poll;
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
poll:
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

static int
dev_has_work(const struct dev *d)
{
	return d->dirty || d->ack_pending || d->prompt_dirty || d->poll_due ||
	    d->status_due;
}

/* A printer: ask DLE EOT 4 (paper roll sensor); the answer is one byte. */
static int
dev_send_status(struct dev *d)
{
	uint8_t buf[4];
	size_t n;

	if (!d->status_due)
		return 0;
	d->status_due = 0;	/* set only for printers that answer */
	n = escpos_status_request(buf, sizeof buf, 4);
	if (dev_send(d, buf, (int)n) == -1)
		return -1;
	return 1;
}

static void	dev_set_ready(struct dev *, int, const char *);

/* The printer answered (or did not): ready, or down with the reason. */
static void
line_rx_escpos(struct line *l)
{
	struct escpos_status st;
	struct dev *d = l->busy;
	size_t i;

	for (i = 0; i < l->rxlen; i++) {
		if (d == NULL || escpos_status_parse(4, l->rx[i], &st) < 0) {
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

/* ---------------------------------------------------------------- lines */

static void
line_wait(struct line *l, struct dev *d)
{
	struct timeval tv;

	l->busy = d;
	l->rxlen = 0;
	tv.tv_sec = d->conf->reply_ms / 1000;
	tv.tv_usec = (d->conf->reply_ms % 1000) * 1000;
	event_add(l->ev_timeout, &tv);
}

/* The device's exchange ended: well (ok) or not. */
static void
line_done(struct line *l, int ok)
{
	struct dev *d = l->busy;

	if (d == NULL)
		return;
	event_del(l->ev_timeout);
	l->busy = NULL;
	if (d->conf->proto == DEVPROTO_MODBUS && d->inflight != REQ_DISPLAY) {
		/* Acks and prompts stay due until they land; a poll that
		 * failed is asked again at the next tick. */
		if (ok && d->inflight == REQ_ACK)
			d->ack_pending = 0;
		if (ok && d->inflight == REQ_PROMPT)
			d->prompt_dirty = 0;
		d->inflight = REQ_NONE;
	} else if (d->conf->proto == DEVPROTO_ESCPOS) {
		;	/* the status answer, or its absence, was seen to */
	} else if (ok) {
		d->retries = 0;
		if (d->conf->proto == DEVPROTO_MODBUS) {
			if (d->step == 2)
				d->beep = 0;
			d->step++;
			if (d->dirty == 0 && d->step <= 2 &&
			    !(d->step == 2 && !d->beep))
				d->dirty = 2;	/* the next write of this state */
		}
	} else if (d->retries < DEV_RETRIES) {
		d->retries++;
		if (!d->dirty)
			d->dirty = d->conf->proto == DEVPROTO_MODBUS ? 2 : 1;
	} else {
		d->retries = 0;		/* given up: the next change tries again */
		if (d->conf->proto == DEVPROTO_MODBUS && d->dirty == 2)
			d->dirty = 0;
	}
	line_kick_later(l);
}

/* Send what is due: one device at a time when replies are awaited. */
static void
line_kick(struct line *l)
{
	struct dev *d;
	int i, k, rc;

	for (k = 0; k < l->ndevs && l->up && l->busy == NULL; k++) {
		i = (l->next + k) % l->ndevs;
		d = l->devs[i];
		if (!dev_has_work(d))
			continue;
		l->next = (i + 1) % l->ndevs;
		switch (d->conf->proto) {
		case DEVPROTO_BX:
			d->dirty = 0;
			rc = dev_send_bx(d);
			break;
		case DEVPROTO_FT12:
			d->dirty = 0;
			rc = d->window > 0 ? dev_send_ft12(d) : 0;
			break;
		case DEVPROTO_MODBUS:
			rc = dev_send_modbus(d);
			break;
		case DEVPROTO_ESCPOS:
			rc = dev_send_status(d);
			break;
		default:
			d->dirty = 0;
			rc = 0;
			break;
		}
		if (rc == -1 || !l->up)
			return;
		if (rc == 0)
			continue;
		if (d->conf->reply_ms > 0) {
			line_wait(l, d);
			return;
		}
		k = -1;		/* sent without waiting: look again from here */
		if (l->ndevs == 1 && !dev_has_work(d))
			return;
	}
}

static void
line_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	line_kick(arg);
}

static void
line_kick_later(struct line *l)
{
	event_active(l->ev_kick, EV_READ, 0);
}

static void
line_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct line *l = arg;
	struct dev *d = l->busy;

	(void)fd;
	(void)what;
	if (d == NULL)
		return;
	if (d->conf->proto == DEVPROTO_ESCPOS) {
		d->timeouts++;
		dev_set_ready(d, 0, "no answer to DLE EOT: offline");
		l->rxlen = 0;
		line_done(l, 0);
		return;
	}
	if (l->rxlen > 0) {
		d->bad_replies++;
		snprintf(d->last_error, sizeof d->last_error,
		    "a reply was cut short (%zu bytes)", l->rxlen);
		l->rxlen = 0;
	} else {
		d->timeouts++;
		snprintf(d->last_error, sizeof d->last_error,
		    "no reply in %d ms", d->conf->reply_ms);
	}
	line_done(l, 0);
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

static void
line_rx_bx(struct line *l)
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
			memmove(l->rx, l->rx + used, l->rxlen - used);
			l->rxlen -= used;
			return;
		}
		memmove(l->rx, l->rx + used, l->rxlen - used);
		l->rxlen -= used;
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

static void
line_rx_modbus(struct line *l)
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
			dev_poll_reply(d, &rep);
		line_done(l, 1);
	}
}

static struct dev *
line_pad(struct line *l, int addr)
{
	int i;

	for (i = 0; i < l->ndevs; i++)
		if (l->devs[i]->conf->role == DEVROLE_KEYPAD_BUS &&
		    l->devs[i]->addr == addr)
			return l->devs[i];
	return NULL;
}

static void
line_rx_ft12(struct line *l)
{
	struct ft12_frame f;
	size_t used;
	int rc;

	while (l->rxlen > 0) {
		rc = ft12_decode(l->rx, l->rxlen, &f, &used);
		if (rc > 0) {
			struct ft12_key key;
			struct dev *d = line_pad(l, f.addr);
			uint8_t echo[FT12_FRAME_MAX];
			int n;

			l->garbage += used - (size_t)rc;
			if (d == NULL || ft12_key_parse(&f, &key) < 0)
				l->unsolicited++;	/* not a pad of ours */
			else {
				/* The echo is the pad's acknowledgement. */
				if ((n = ft12_encode_echo(&f, echo, sizeof echo)) > 0)
					transport_send(l->tp, echo, (size_t)n);
				dm_pad_key(d, key.code, -1);
			}
		} else
			l->garbage += used;	/* skipped, or a bad frame */
		memmove(l->rx, l->rx + used, l->rxlen - used);
		l->rxlen -= used;
		if (rc == -FT12_E_NEED || used == 0)
			return;
	}
}

static void
line_rx_cb(void *arg, const uint8_t *buf, size_t len)
{
	struct line *l = arg;
	size_t n;

	while (len > 0) {
		n = len < sizeof l->rx - l->rxlen ? len : sizeof l->rx - l->rxlen;
		memcpy(l->rx + l->rxlen, buf, n);
		l->rxlen += n;
		buf += n;
		len -= n;
		switch (l->proto) {
		case DEVPROTO_BX:
			line_rx_bx(l);
			break;
		case DEVPROTO_MODBUS:
			line_rx_modbus(l);
			break;
		case DEVPROTO_EV1527:
			line_rx_ev1527(l);
			break;
		case DEVPROTO_ESCPOS:
			line_rx_escpos(l);
			break;
		default:
			line_rx_ft12(l);
			break;
		}
		if (l->rxlen == sizeof l->rx) {		/* no frame fits: noise */
			l->garbage += l->rxlen;
			l->rxlen = 0;
		}
	}
}

static void
line_up_cb(void *arg)
{
	struct line *l = arg;
	int i;

	l->up = 1;
	l->rxlen = 0;
	for (i = 0; i < l->ndevs; i++) {
		struct dev *d = l->devs[i];

		d->dirty = 1;		/* its current state, not the history */
		d->retries = 0;
		d->sent_len = (size_t)-1;
		d->ack_pending = 0;
		d->prompt_dirty = d->conf->role == DEVROLE_EVALUATOR;
		d->poll_due = d->ev_poll != NULL && d->conf->proto == DEVPROTO_MODBUS;
		if (d->conf->proto == DEVPROTO_ESCPOS && d->conf->reply_ms > 0) {
			d->status_due = 1;	/* up when it says it has paper */
			continue;
		}
		d->up = 1;
		d->ready = 1;
		if (i > 0 && l->devs[i - 1]->conf == d->conf)
			continue;	/* one keypad_bus, several pads */
		log_info("device %s: up on %s", d->conf->name, l->transport);
		dm_note(l->dm, "device.up", json_pack("{s:s, s:s}",
		    "device", d->conf->name, "transport", l->transport));
	}
	line_kick_later(l);
}

static void
line_down_cb(void *arg, const char *why)
{
	struct line *l = arg;
	int i, was_up = l->up;

	l->up = 0;
	l->rxlen = 0;
	if (l->busy != NULL) {
		event_del(l->ev_timeout);
		l->busy = NULL;
	}
	for (i = 0; i < l->ndevs; i++) {
		struct dev *d = l->devs[i];

		d->up = 0;
		d->ready = 0;
		d->inflight = REQ_NONE;
		snprintf(d->last_error, sizeof d->last_error, "%s", why);
		if (i > 0 && l->devs[i - 1]->conf == d->conf)
			continue;
		log_warnx("device %s: down on %s: %s", d->conf->name,
		    l->transport, why);
		dm_note(l->dm, "device.down", json_pack("{s:s, s:s, s:s, s:b}",
		    "device", d->conf->name, "transport", l->transport,
		    "reason", why, "was_up", was_up));
	}
}

/* ---------------------------------------------------------------- inputs */

static struct winmem *
dm_winmem(struct devices *dm, int window)
{
	int i;

	for (i = 0; i < dm->nwm; i++)
		if (dm->wm[i].window == window)
			return &dm->wm[i];
	return NULL;
}

/* What the hall said to a press: a refusal beeps the pad twice. */
static void
dev_feedback(struct dev *d, int status)
{
	if (status >= 200 && status < 300 && status != 204)
		return;
	d->refused++;
	snprintf(d->last_error, sizeof d->last_error,
	    "the hall answered %d to a key", status);
	if (d->conf->role == DEVROLE_KEYPAD_BUS || d->conf->role == DEVROLE_KEYPAD) {
		d->beep = 1;
		d->dirty = d->dirty ? d->dirty : 1;
		line_kick_later(d->line);
	}
}

/* Ask the window's evaluators to rate this ticket (0: stop asking). */
static void
dm_prompt(struct devices *dm, int window, int64_t ticket)
{
	int i;

	for (i = 0; i < dm->ndevs; i++) {
		struct dev *e = &dm->devs[i];

		if (e->conf->role != DEVROLE_EVALUATOR || e->window != window)
			continue;
		if (ticket == 0 && !e->prompt_on)
			continue;
		e->prompt_on = ticket != 0;
		if (ticket != 0)
			e->prompt_ticket = ticket;
		e->prompt_dirty = 1;
		line_kick_later(e->line);
	}
}

/*
 * A key on a window's pad (ft12 bus or Modbus keypad), as its clerk would
 * press the REST button: call (finishing the ticket in hand first),
 * recall, pause/resume, transfer to the window typed before, evaluate
 * (prompt the evaluator again), and confirm with the digit typed before:
 * 6 no-show, 0 hold, 3 call back the last held or no-show ticket.
 */
static void
dm_pad_key(struct dev *d, uint8_t code, int arg)
{
	struct devices *dm = d->line->dm;
	struct hall_window_view v;
	struct winmem *wm = dm_winmem(dm, d->window);
	int64_t now = now_ms();
	int digit;

	/* A pad that missed our echo sends the key again: one press. */
	if (d->conf->role == DEVROLE_KEYPAD_BUS && code == d->last_key &&
	    now - d->last_key_at < 500) {
		d->last_key_at = now;
		return;
	}
	d->last_key = code;
	d->last_key_at = now;
	if (d->ndigits > 0 && now - d->digits_at > 10000)
		d->ndigits = d->digits = 0;	/* typed too long ago */
	if (code <= FT12_KEY_DIGIT_9) {
		if (d->ndigits < 4) {
			d->digits = d->digits * 10 + code;
			d->ndigits++;
		}
		d->last_digit = code;
		d->digits_at = now;
		return;
	}
	digit = arg >= 0 ? arg : d->ndigits > 0 ? d->last_digit : -1;
	if (hall_window_view(dm->hall, d->window, &v) == -1)
		return;
	switch (code) {
	case FT12_KEY_CALL:
		if (v.ticket[0] != '\0')
			dm_cmd(dm, d, "finish", d->window, NULL);
		dm_cmd(dm, d, "call-next", d->window, NULL);
		break;
	case FT12_KEY_RECALL:
		dm_cmd(dm, d, "recall", d->window, NULL);
		break;
	case FT12_KEY_PAUSE:
		dm_cmd(dm, d, v.paused ? "resume" : "pause", d->window, NULL);
		break;
	case FT12_KEY_TRANSFER:
		if (d->ndigits == 0) {
			dev_feedback(d, 400);
			break;
		}
		dm_cmd(dm, d, "transfer", d->window, json_pack("{s:i}", "window",
		    d->digits));
		break;
	case FT12_KEY_EVALUATE:
		if (wm != NULL && wm->last_done != 0)
			dm_prompt(dm, d->window, wm->last_done);
		else
			dev_feedback(d, 409);
		break;
	case FT12_KEY_CONFIRM:
		if (digit == 6)
			dm_cmd(dm, d, "no-show", d->window, NULL);
		else if (digit == 0)
			dm_cmd(dm, d, "hold", d->window, NULL);
		else if (digit == 3 && wm != NULL && wm->last_parked != 0)
			dm_cmd(dm, d, "call", d->window, json_pack("{s:I}",
			    "ticket", (json_int_t)wm->last_parked));
		else
			dev_feedback(d, 400);
		break;
	default:
		d->unknown_keys++;
		log_debug("device %s: pad %d: key %02x not known", d->conf->name,
		    d->addr, code);
		break;
	}
	d->ndigits = d->digits = 0;
}

/* A Modbus keypad's or evaluator's input registers, read. */
static void
dev_poll_reply(struct dev *d, const struct modbus_reply *rep)
{
	struct devices *dm = d->line->dm;
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
			dm_pad_key(d, (uint8_t)code, code == FT12_KEY_CONFIRM ?
			    (int)arg : -1);
		else if (kind == MODBUS_EVENT_RATING &&
		    d->conf->role == DEVROLE_EVALUATOR) {
			if (code < 1 || code > 5 || d->prompt_ticket == 0) {
				d->bad_replies++;
				snprintf(d->last_error, sizeof d->last_error,
				    "a rating of %u with nothing to rate", code);
			} else {
				d->ratings++;
				dm_cmd(dm, d, "rate", 0, json_pack("{s:I, s:i}",
				    "ticket", (json_int_t)d->prompt_ticket,
				    "score", (int)code));
				d->prompt_on = 0;
				d->prompt_dirty = 1;
			}
		} else
			d->unknown_keys++;
	}
	d->ack_pending = 1;
	d->ack_seq = seq;
}

static void
dev_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dev *d = arg;

	(void)fd;
	(void)what;
	if (d->conf->proto == DEVPROTO_ESCPOS)
		d->status_due = 1;
	else
		d->poll_due = 1;
	if (d->line->up)
		line_kick_later(d->line);
}

static int
dm_remote_window(struct devices *dm, struct dev *d, uint32_t id)
{
	int i;

	for (i = 0; i < dm->nremotes; i++)
		if (dm->remote_dev[i] == d && dm->remote_id[i] == (int64_t)id)
			return dm->remote_win[i];
	return 0;
}

static void
dm_remote_add(struct devices *dm, struct dev *d, int64_t id, int window)
{
	int i;

	for (i = 0; i < dm->nremotes; i++)
		if (dm->remote_dev[i] == d && dm->remote_id[i] == id) {
			dm->remote_win[i] = window;
			return;
		}
	if (dm->nremotes == REMOTES_MAX) {
		log_warnx("device %s: more than %d remotes: %05llX not kept",
		    d->conf->name, REMOTES_MAX, (long long)id);
		return;
	}
	dm->remote_dev[dm->nremotes] = d;
	dm->remote_id[dm->nremotes] = id;
	dm->remote_win[dm->nremotes++] = window;
}

/* 433 MHz receivers: a held key repeats; one press per hold. */
static void
line_rx_ev1527(struct line *l)
{
	struct devices *dm = l->dm;
	struct dev *d = l->devs[0];
	struct ev1527_code code;
	int64_t now = now_ms();
	size_t used;
	int rc, i, window, press;

	while (l->rxlen > 0) {
		rc = ev1527_decode(l->rx, l->rxlen, &code, &used);
		if (rc == -EV1527_E_NEED) {
			l->garbage += used;
			memmove(l->rx, l->rx + used, l->rxlen - used);
			l->rxlen -= used;
			return;
		}
		memmove(l->rx, l->rx + used, l->rxlen - used);
		l->rxlen -= used;
		if (rc < 0) {
			l->garbage += used;
			continue;
		}
		l->garbage += used - EV1527_FRAME_LEN;
		for (i = 0; i < dm->ndeb; i++)
			if (dm->deb[i].id == code.id && dm->deb[i].key == code.key)
				break;
		if (i == dm->ndeb) {
			if (dm->ndeb < DEBOUNCE_MAX)
				dm->ndeb++;
			else
				i = 0;		/* the table is full: reuse */
			memset(&dm->deb[i], 0, sizeof dm->deb[i]);
		}
		press = ev1527_press(&dm->deb[i], &code, now, d->conf->debounce_ms);
		if (!press)
			continue;
		if ((window = dm_remote_window(dm, d, code.id)) == 0) {
			if (dm->learning == d && now < dm->learn_until) {
				struct note *n = dm_note_add(dm, NOTE_LEARNED);

				window = dm->learn_window;
				dm_remote_add(dm, d, code.id, window);
				n->type = xstrdup(d->conf->name);
				n->remote = code.id;
				n->window = window;
				dm->learning = NULL;
				log_info("device %s: remote %05X now works window %d",
				    d->conf->name, code.id, window);
				continue;	/* the learning press does nothing more */
			}
			l->unsolicited++;
			for (i = 0; i < dm->nunknown_logged; i++)
				if (dm->unknown_logged[i] == code.id)
					break;
			if (i == dm->nunknown_logged && i < 64) {
				dm->unknown_logged[dm->nunknown_logged++] = code.id;
				log_warnx("device %s: unknown remote %05X (key %X) "
				    "ignored", d->conf->name, code.id, code.key);
			}
			continue;
		}
		if (code.key > 15 || d->conf->keys[code.key] == NULL) {
			d->unknown_keys++;
			continue;
		}
		dm_cmd(dm, d, d->conf->keys[code.key], window, NULL);
	}
}

/* POST /api/devices/{name}/learn. */
static int
devices_learn(void *arg, const char *name, int window, int64_t now, char *err,
    size_t errlen)
{
	struct devices *dm = arg;
	int i;

	for (i = 0; i < dm->ndevs; i++)
		if (strcmp(dm->devs[i].conf->name, name) == 0)
			break;
	if (i == dm->ndevs) {
		snprintf(err, errlen, "no device %s", name);
		return 404;
	}
	if (dm->devs[i].conf->role != DEVROLE_REMOTE_RECEIVER) {
		snprintf(err, errlen, "%s is a %s, not a remote_receiver", name,
		    config_devrole_name(dm->devs[i].conf->role));
		return 409;
	}
	dm->learning = &dm->devs[i];
	dm->learn_window = window;
	dm->learn_until = now + LEARN_MS;
	log_info("device %s: the next unknown remote will work window %d",
	    name, window);
	return 202;
}

/* ---------------------------------------------------------------- printer */

static void
dev_set_ready(struct dev *d, int ready, const char *why)
{
	struct devices *dm = d->line->dm;

	if (d->ready == ready)
		return;
	d->ready = ready;
	if (ready) {
		d->up = 1;
		dm_note(dm, "device.up", json_pack("{s:s, s:s}", "device",
		    d->conf->name, "transport", d->line->transport));
	} else {
		d->up = 0;
		snprintf(d->last_error, sizeof d->last_error, "%s", why);
		log_warnx("device %s: %s", d->conf->name, why);
		dm_note(dm, "device.down", json_pack("{s:s, s:s, s:s, s:b}",
		    "device", d->conf->name, "transport", d->line->transport,
		    "reason", why, "was_up", 1));
	}
}

static void
esc_line(struct escpos *e, struct dev *d, const char *utf8)
{
	char gb[TEXT_MAX];
	unsigned replaced = 0;
	size_t n;

	n = textconv_encode(d->conv, utf8, (size_t)d->conf->width, gb, sizeof gb,
	    &replaced, NULL);
	d->replaced += replaced;
	escpos_text(e, (const uint8_t *)gb, n);
	escpos_lf(e);
}

int
devices_print(struct devices *dm, const char *kiosk, json_t *reply)
{
	static uint8_t buf[8192];
	json_t *t = json_object_get(reply, "ticket");
	const char *number, *matter, *token;
	struct escpos e;
	struct dev *d = NULL;
	char line[512], url[512];
	int i, mi;
	time_t at;
	struct tm tm;

	for (i = 0; dm != NULL && i < dm->ndevs; i++)
		if (dm->devs[i].conf->role == DEVROLE_PRINTER &&
		    strcmp(dm->devs[i].conf->kiosk, kiosk) == 0)
			d = &dm->devs[i];
	if (d == NULL)
		return -1;
	if (!d->line->up || !d->ready || !json_is_object(t))
		return 0;
	number = json_string_value(json_object_get(t, "number"));
	matter = json_string_value(json_object_get(t, "matter"));
	token = json_string_value(json_object_get(reply, "token"));
	if (number == NULL || matter == NULL)
		return 0;
	mi = config_matter(dm->conf, matter);
	escpos_init(&e, buf, sizeof buf);
	escpos_chinese(&e, 1);
	escpos_align(&e, 1);
	escpos_bold(&e, 1);
	esc_line(&e, d, dm->conf->hall_name);
	escpos_bold(&e, 0);
	escpos_feed(&e, 1);
	escpos_size(&e, 4, 4);
	esc_line(&e, d, number);
	escpos_size(&e, 1, 1);
	esc_line(&e, d, mi >= 0 ? dm->conf->matters[mi].name : matter);
	snprintf(line, sizeof line, "前面还有 %lld 人",
	    (long long)json_integer_value(json_object_get(t, "ahead")));
	esc_line(&e, d, line);
	snprintf(line, sizeof line, "预计等候约 %lld 分钟",
	    ((long long)json_integer_value(json_object_get(t, "eta_s")) + 59) / 60);
	esc_line(&e, d, line);
	at = (time_t)(json_integer_value(json_object_get(t, "issued_at")) / 1000);
	localtime_r(&at, &tm);
	strftime(line, sizeof line, "取号时间 %Y-%m-%d %H:%M", &tm);
	esc_line(&e, d, line);
	snprintf(url, sizeof url, "%s/t/%lld?token=%s", dm->conf->public_url,
	    (long long)json_integer_value(json_object_get(t, "id")),
	    token != NULL ? token : "");
	escpos_qr(&e, (const uint8_t *)url, strlen(url), 6, 'M');
	escpos_lf(&e);
	esc_line(&e, d, "扫码查看排队进度、评价服务");
	esc_line(&e, d, "请留意叫号，过号请到窗口咨询");
	escpos_feed(&e, 3);
	escpos_cut(&e);
	if (e.overflow || dev_send(d, buf, (int)e.len) == -1)
		return 0;
	d->printed++;
	return 1;
}

/* ---------------------------------------------------------------- events */

static void
dm_mark_window(struct devices *dm, int window, int force, int beep)
{
	char text[TEXT_MAX];
	size_t n;
	int i;

	for (i = 0; i < dm->ndevs; i++) {
		struct dev *d = &dm->devs[i];

		if (d->window != window || !(d->conf->role == DEVROLE_WINDOW_DISPLAY ||
		    d->conf->role == DEVROLE_KEYPAD_BUS ||
		    d->conf->role == DEVROLE_KEYPAD))
			continue;
		if (!force && d->conf->proto == DEVPROTO_BX) {
			/* Unchanged text is not sent again. */
			uint64_t saved = d->replaced;
			n = dev_window_text(d, (size_t)d->conf->width, text,
			    sizeof text);
			d->replaced = saved;
			if (n == d->sent_len && memcmp(text, d->sent_text, n) == 0)
				continue;
		}
		d->dirty = 1;
		if (beep)
			d->beep = 1;
		line_kick_later(d->line);
	}
}

/* Numeric displays show who waits: resend those whose count changed. */
static void
dm_mark_waiting(struct devices *dm)
{
	struct hall_window_view v;
	int i;

	for (i = 0; i < dm->ndevs; i++) {
		struct dev *d = &dm->devs[i];

		if (d->dirty || !(d->conf->role == DEVROLE_KEYPAD_BUS ||
		    (d->conf->proto == DEVPROTO_MODBUS &&
		    d->conf->role != DEVROLE_EVALUATOR)))
			continue;
		if (hall_window_view(dm->hall, d->window, &v) == 0 &&
		    v.waiting != d->sent_waiting) {
			d->dirty = 1;
			line_kick_later(d->line);
		}
	}
}

static void
dm_mark_boards(struct devices *dm)
{
	int i;

	for (i = 0; i < dm->ndevs; i++)
		if (dm->devs[i].conf->role == DEVROLE_HALL_BOARD) {
			dm->devs[i].dirty = 1;
			line_kick_later(dm->devs[i].line);
		}
}

/* A call or a recall goes to the top of the board; older calls scroll down. */
static void
dm_board_push(struct devices *dm, int64_t ticket, const char *number,
    int window)
{
	int i;

	for (i = 0; i < dm->nrows && dm->rows[i].ticket != ticket; i++)
		;
	if (i == dm->nrows && dm->nrows < BOARD_ROWS_MAX)
		dm->nrows++;
	if (i == dm->nrows)
		i = dm->nrows - 1;
	memmove(&dm->rows[1], &dm->rows[0], (size_t)i * sizeof dm->rows[0]);
	dm->rows[0].ticket = ticket;
	snprintf(dm->rows[0].number, sizeof dm->rows[0].number, "%s", number);
	dm->rows[0].window = window;
	dm_mark_boards(dm);
}

static void	player_enqueue(struct devices *, json_t *);

void
devices_events(struct devices *dm, const struct event *ev, size_t n)
{
	json_t *o, *t, *w;
	const char *type;
	int window, call, recall;
	size_t i;

	if (dm == NULL)
		return;
	for (i = 0; i < n; i++) {
		if ((o = json_loads(ev[i].json, 0, NULL)) == NULL)
			continue;
		type = json_string_value(json_object_get(o, "type"));
		if (type == NULL)
			type = "";
		w = json_object_get(o, "window");
		window = json_is_integer(w) ? (int)json_integer_value(w) :
		    json_is_object(w) ? (int)json_integer_value(
		    json_object_get(w, "number")) : 0;
		t = json_object_get(o, "ticket");
		if (strcmp(type, "call.announce") == 0) {
			player_enqueue(dm, o);
		} else if (strcmp(type, "rating.recorded") == 0) {
			/* Rated (or too late): the evaluator stops asking. */
			int64_t id = json_integer_value(t);
			int k;

			for (k = 0; k < dm->ndevs; k++)
				if (dm->devs[k].conf->role == DEVROLE_EVALUATOR &&
				    dm->devs[k].prompt_on &&
				    dm->devs[k].prompt_ticket == id) {
					dm->devs[k].prompt_on = 0;
					dm->devs[k].prompt_dirty = 1;
					line_kick_later(dm->devs[k].line);
				}
		} else if (strncmp(type, "ticket.", 7) == 0) {
			struct winmem *wm = dm_winmem(dm, window);
			int64_t id = json_integer_value(json_object_get(t, "id"));

			if (wm != NULL && strcmp(type, "ticket.done") == 0) {
				wm->last_done = id;
				dm_prompt(dm, window, id);
			}
			if (wm != NULL && (strcmp(type, "ticket.held") == 0 ||
			    strcmp(type, "ticket.no_show") == 0))
				wm->last_parked = id;
			call = strcmp(type, "ticket.called") == 0;
			recall = strcmp(type, "ticket.recalled") == 0;
			if (window > 0)
				dm_mark_window(dm, window, call || recall,
				    call || recall);
			if ((call || recall) && json_is_object(t))
				dm_board_push(dm, json_integer_value(
				    json_object_get(t, "id")), json_string_value(
				    json_object_get(t, "number")) ?: "", window);
			dm_mark_waiting(dm);
		} else if (strncmp(type, "window.", 7) == 0) {
			if (window > 0)
				dm_mark_window(dm, window, 1, 0);
			dm_mark_waiting(dm);
		} else if (strcmp(type, "day.rollover") == 0) {
			dm->nrows = 0;
			dm_mark_boards(dm);
			dm_mark_waiting(dm);
		}
		json_decref(o);
	}
}

/* ---------------------------------------------------------------- speaker */

static void	player_next(struct devices *);

static void
player_clear(struct announcement *a)
{
	int i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	a->argc = 0;
}

/* voice.player "aplay -q" → argv: the command's words, then each clip file. */
static void
player_enqueue(struct devices *dm, json_t *o)
{
	const struct voice_conf *vc = &dm->conf->voice;
	struct announcement *a;
	json_t *clips = json_object_get(o, "clips"), *c;
	char *words, *w, *save = NULL;
	size_t i;

	if (vc->player == NULL || !json_is_array(clips))
		return;
	if (dm->qlen == PLAYER_QUEUE) {		/* the oldest waits no longer */
		player_clear(&dm->queue[dm->qhead]);
		dm->qhead = (dm->qhead + 1) % PLAYER_QUEUE;
		dm->qlen--;
		dm->play_dropped++;
	}
	a = &dm->queue[(dm->qhead + dm->qlen) % PLAYER_QUEUE];
	a->argc = 0;
	words = xstrdup(vc->player);
	for (w = strtok_r(words, " \t", &save); w != NULL && a->argc < 32;
	    w = strtok_r(NULL, " \t", &save))
		a->argv[a->argc++] = xstrdup(w);
	free(words);
	json_array_foreach(clips, i, c) {
		const char *name = json_string_value(c);

		if (name == NULL || a->argc == PLAYER_ARGS)
			continue;
		if (strstr(name, "..") != NULL)
			continue;
		xasprintf(&a->argv[a->argc++], "%s/%s.wav", vc->dir, name);
	}
	a->argv[a->argc] = NULL;
	dm->qlen++;
	if (dm->player == 0)
		player_next(dm);
}

static void
player_close_out(struct devices *dm)
{
	if (dm->ev_player != NULL) {
		event_free(dm->ev_player);
		dm->ev_player = NULL;
	}
	if (dm->player_fd != -1) {
		close(dm->player_fd);
		dm->player_fd = -1;
	}
}

/* Collect the player if it has ended (or wait for it: hang). */
static int
player_reap(struct devices *dm, int hang)
{
	int status;
	pid_t r;

	if (dm->player <= 0)
		return 1;
	r = waitpid(dm->player, &status, hang ? 0 : WNOHANG);
	if (r == 0)
		return 0;
	if (r == dm->player && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		dm->play_failed++;
		log_warnx("voice player ended badly (status %d)", status);
	} else if (r == dm->player)
		dm->played++;
	dm->player = 0;
	event_del(dm->ev_player_kill);
	event_del(dm->ev_player_poll);
	player_close_out(dm);
	return 1;
}

static void
player_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct devices *dm = arg;
	struct timeval tv = { 0, 50 * 1000 };

	(void)fd;
	(void)what;
	if (player_reap(dm, 0))
		player_next(dm);
	else
		event_add(dm->ev_player_poll, &tv);
}

/* The player's stdout reaches EOF when it exits: then the next one. */
static void
player_out_cb(evutil_socket_t fd, short what, void *arg)
{
	struct devices *dm = arg;
	char buf[512];
	ssize_t n;

	(void)what;
	n = read(fd, buf, sizeof buf);
	if (n > 0 || (n == -1 && (errno == EINTR || errno == EAGAIN)))
		return;
	player_close_out(dm);
	player_poll_cb(-1, 0, dm);
}

static void
player_kill_cb(evutil_socket_t fd, short what, void *arg)
{
	struct devices *dm = arg;

	(void)fd;
	(void)what;
	if (dm->player > 0) {
		log_warnx("voice player still running after %d s: killed",
		    PLAYER_TIMEOUT_S);
		kill(-dm->player, SIGKILL);
	}
}

static void
player_next(struct devices *dm)
{
	struct announcement *a;
	struct timeval tv = { PLAYER_TIMEOUT_S, 0 };
	int p[2], devnull;
	pid_t pid;

	while (dm->player == 0 && dm->qlen > 0) {
		a = &dm->queue[dm->qhead];
		dm->qhead = (dm->qhead + 1) % PLAYER_QUEUE;
		dm->qlen--;
		if (pipe2(p, O_CLOEXEC) == -1) {
			log_warn("voice player: pipe");
			player_clear(a);
			dm->play_failed++;
			continue;
		}
		switch ((pid = fork())) {
		case -1:
			log_warn("voice player: fork");
			close(p[0]);
			close(p[1]);
			dm->play_failed++;
			break;
		case 0:
			devnull = open("/dev/null", O_RDWR);
			dup2(devnull, 0);
			dup2(p[1], 1);
			closefrom(3);
			setpgid(0, 0);
			execvp(a->argv[0], a->argv);
			_exit(127);
		default:
			close(p[1]);
			dm->player = pid;
			dm->player_fd = p[0];
			evutil_make_socket_nonblocking(p[0]);
			dm->ev_player = event_new(dm->base, p[0],
			    EV_READ | EV_PERSIST, player_out_cb, dm);
			event_add(dm->ev_player, NULL);
			event_add(dm->ev_player_kill, &tv);
			break;
		}
		player_clear(a);
	}
}

/* ---------------------------------------------------------------- life */

json_t *
devices_json(void *arg)
{
	struct devices *dm = arg;
	struct transport_stats st;
	json_t *list = json_array(), *o;
	int i;

	for (i = 0; dm != NULL && i < dm->ndevs; i++) {
		struct dev *d = &dm->devs[i];
		const struct device_conf *c = d->conf;

		transport_get_stats(d->line->tp, &st);
		o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I,"
		    " s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		    "name", c->name, "role", config_devrole_name(c->role),
		    "protocol", config_devproto_name(c->proto),
		    "transport", c->transport, "up", d->up,
		    "frames_sent", (json_int_t)d->frames,
		    "errors", (json_int_t)(st.errors + d->nacks + d->timeouts +
		    d->bad_replies),
		    "reconnects", (json_int_t)st.reconnects,
		    "dropped", (json_int_t)st.dropped,
		    "replies", (json_int_t)d->replies,
		    "nacks", (json_int_t)d->nacks,
		    "timeouts", (json_int_t)d->timeouts,
		    "bad_replies", (json_int_t)d->bad_replies,
		    "garbage_bytes", (json_int_t)d->line->garbage,
		    "unsolicited", (json_int_t)d->line->unsolicited,
		    "replaced_chars", (json_int_t)d->replaced,
		    "bytes_sent", (json_int_t)st.bytes_sent,
		    "bytes_received", (json_int_t)st.bytes_received);
		if (d->window > 0)
			json_object_set_new(o, "window", json_integer(d->window));
		json_object_set_new(o, "address", json_integer(d->addr));
		json_object_set_new(o, "transport_errors",
		    json_integer((json_int_t)st.errors));
		if (c->role == DEVROLE_KEYPAD_BUS || c->role == DEVROLE_KEYPAD ||
		    c->role == DEVROLE_REMOTE_RECEIVER) {
			json_object_set_new(o, "keys", json_integer((json_int_t)d->keys));
			json_object_set_new(o, "unknown_keys",
			    json_integer((json_int_t)d->unknown_keys));
			json_object_set_new(o, "refused", json_integer((json_int_t)d->refused));
		}
		if (c->role == DEVROLE_EVALUATOR) {
			json_object_set_new(o, "ratings", json_integer((json_int_t)d->ratings));
			json_object_set_new(o, "prompting", d->prompt_on ?
			    json_integer(d->prompt_ticket) : json_null());
		}
		if (c->role == DEVROLE_PRINTER) {
			json_object_set_new(o, "printed", json_integer((json_int_t)d->printed));
			json_object_set_new(o, "kiosk_ready", json_boolean(d->ready &&
			    d->line->up));
		}
		if (c->role == DEVROLE_REMOTE_RECEIVER) {
			json_t *rm = json_object();
			int k;
			char hex[16];

			for (k = 0; k < dm->nremotes; k++)
				if (dm->remote_dev[k] == d) {
					snprintf(hex, sizeof hex, "%05llX",
					    (long long)dm->remote_id[k]);
					json_object_set_new(rm, hex,
					    json_integer(dm->remote_win[k]));
				}
			json_object_set_new(o, "remotes", rm);
			json_object_set_new(o, "learning", dm->learning == d &&
			    now_ms() < dm->learn_until ? json_integer(dm->learn_window) :
			    json_null());
		}
		json_object_set_new(o, "last_error", d->last_error[0] ?
		    json_string(d->last_error) : json_null());
		json_array_append_new(list, o);
	}
	o = json_pack("{s:o}", "devices", list);
	if (dm != NULL && dm->conf->voice.player != NULL)
		json_object_set_new(o, "voice_player", json_pack("{s:s, s:b,"
		    " s:i, s:I, s:I, s:I}", "command", dm->conf->voice.player,
		    "playing", dm->player > 0, "queued", dm->qlen,
		    "played", (json_int_t)dm->played,
		    "dropped", (json_int_t)dm->play_dropped,
		    "failed", (json_int_t)dm->play_failed));
	return o;
}

/* Seed the board with the calls standing now, newest first. */
static void
dm_seed_board(struct devices *dm)
{
	struct hall_window_view v;
	struct board_row tmp;
	int64_t at[BOARD_ROWS_MAX];
	int i, j;

	for (i = 0; i < dm->conf->nwindows; i++) {
		if (hall_window_view(dm->hall, dm->conf->windows[i].number, &v) == -1 ||
		    v.ticket[0] == '\0')
			continue;
		for (j = dm->nrows; j > 0 && at[j - 1] < v.called_at; j--)
			;
		if (j >= BOARD_ROWS_MAX)
			continue;
		if (dm->nrows < BOARD_ROWS_MAX)
			dm->nrows++;
		memmove(&dm->rows[j + 1], &dm->rows[j],
		    (size_t)(dm->nrows - 1 - j) * sizeof dm->rows[0]);
		memmove(&at[j + 1], &at[j], (size_t)(dm->nrows - 1 - j) * sizeof at[0]);
		memset(&tmp, 0, sizeof tmp);
		tmp.ticket = v.ticket_id;
		snprintf(tmp.number, sizeof tmp.number, "%s", v.ticket);
		tmp.window = v.number;
		dm->rows[j] = tmp;
		at[j] = v.called_at;
	}
}

static const struct hall_devices devices_api = { devices_json, devices_learn };

static void
dm_remote_loaded(void *arg, int64_t remote, int window)
{
	struct dev *d = arg;

	dm_remote_add(d->line->dm, d, remote, window);
}

struct devices *
devices_new(struct event_base *base, struct config *conf, struct hall *hall,
    const struct devices_host *host, void *arg)
{
	struct devices *dm = xcalloc(1, sizeof *dm);
	struct transport_cb cb = { line_up_cb, line_down_cb, line_rx_cb };
	size_t ndev = 0;
	int i, j, k;

	dm->base = base;
	dm->conf = conf;
	dm->hall = hall;
	dm->host = host;
	dm->host_arg = arg;
	dm->player_fd = -1;
	dm->ev_notes = event_new(base, -1, 0, dm_notes_cb, dm);
	dm->ev_player_kill = evtimer_new(base, player_kill_cb, dm);
	dm->ev_player_poll = evtimer_new(base, player_poll_cb, dm);
	for (i = 0; i < conf->ndevices; i++)
		ndev += conf->devices[i].nmap > 0 ? (size_t)conf->devices[i].nmap : 1;
	dm->devs = xcalloc(ndev + 1, sizeof *dm->devs);
	dm->lines = xcalloc(ndev + 1, sizeof *dm->lines);
	dm->wm = xcalloc((size_t)conf->nwindows + 1, sizeof *dm->wm);
	for (i = 0; i < conf->nwindows; i++)
		dm->wm[dm->nwm++].window = conf->windows[i].number;
	dm_seed_board(dm);
	for (i = 0; i < conf->ndevices; i++) {
		const struct device_conf *c = &conf->devices[i];
		struct line *l = NULL;

		for (j = 0; j < dm->nlines; j++)
			if (strcmp(dm->lines[j].transport, c->transport) == 0)
				l = &dm->lines[j];
		if (l == NULL) {
			l = &dm->lines[dm->nlines++];
			l->dm = dm;
			l->transport = c->transport;
			l->proto = c->proto;
			l->ev_timeout = evtimer_new(base, line_timeout_cb, l);
			l->ev_kick = event_new(base, -1, 0, line_kick_cb, l);
		}
		/* A keypad_bus is one device per pad on its bus. */
		for (k = 0; k < (c->nmap > 0 ? c->nmap : 1); k++) {
			struct dev *d = &dm->devs[dm->ndevs++];

			d->conf = c;
			d->window = c->nmap > 0 ? c->map_window[k] : c->window;
			d->addr = c->nmap > 0 ? c->map_addr[k] : c->address;
			d->sent_waiting = -1;
			d->last_digit = -1;
			if ((d->conv = textconv_open(c->charset)) == NULL)
				fatalx("iconv cannot convert UTF-8 to %s", c->charset);
			l->devs = xrealloc(l->devs, ((size_t)l->ndevs + 1) *
			    sizeof *l->devs);
			l->devs[l->ndevs++] = d;
			d->line = l;
			if (c->role == DEVROLE_KEYPAD || c->role == DEVROLE_EVALUATOR ||
			    (c->role == DEVROLE_PRINTER && c->reply_ms > 0)) {
				struct timeval tv;
				int ms = c->role == DEVROLE_PRINTER ? c->status_ms :
				    c->poll_ms;

				tv.tv_sec = ms / 1000;
				tv.tv_usec = (ms % 1000) * 1000;
				d->ev_poll = event_new(base, -1, EV_PERSIST, dev_poll_cb, d);
				event_add(d->ev_poll, &tv);
			}
			if (c->role == DEVROLE_REMOTE_RECEIVER) {
				for (j = 0; j < c->nremotes; j++)
					dm_remote_add(dm, d, c->remote_ids[j],
					    c->remote_windows[j]);
				hall_remotes(hall, c->name, dm_remote_loaded, d);
			}
		}
	}
	/* Open the lines last: an up callback may come at once. */
	for (j = 0; j < dm->nlines; j++)
		dm->lines[j].tp = transport_new(base, dm->lines[j].devs[0]->conf->spec,
		    &cb, &dm->lines[j]);
	hall_set_devices(hall, &devices_api, dm);
	return dm;
}

void
devices_free(struct devices *dm)
{
	int i;

	if (dm == NULL)
		return;
	hall_set_devices(dm->hall, NULL, NULL);
	for (i = 0; i < dm->nlines; i++) {
		struct line *l = &dm->lines[i];

		transport_free(l->tp);
		event_free(l->ev_timeout);
		event_free(l->ev_kick);
		free(l->devs);
	}
	for (i = 0; i < dm->ndevs; i++) {
		textconv_close(dm->devs[i].conv);
		if (dm->devs[i].ev_poll != NULL)
			event_free(dm->devs[i].ev_poll);
	}
	free(dm->wm);
	if (dm->player > 0) {
		kill(-dm->player, SIGKILL);
		player_reap(dm, 1);
	}
	while (dm->qlen > 0) {
		player_clear(&dm->queue[dm->qhead]);
		dm->qhead = (dm->qhead + 1) % PLAYER_QUEUE;
		dm->qlen--;
	}
	for (i = 0; i < (int)dm->nnotes; i++) {
		free(dm->notes[i].type);
		if (dm->notes[i].kind != NOTE_LEARNED)
			json_decref(dm->notes[i].o);
	}
	free(dm->notes);
	event_free(dm->ev_notes);
	event_free(dm->ev_player_kill);
	event_free(dm->ev_player_poll);
	free(dm->lines);
	free(dm->devs);
	free(dm);
}

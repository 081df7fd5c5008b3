/*
 * devices.c — the device manager (see devices.h): lines and their devices,
 * what each role shows (from the committed events and the hall's window
 * views), what a device's input asks of the hall, the kiosks' printed
 * tickets, and the appliance's speaker.  Every protocol is driven through
 * its entry of the table in devproto.c, never by name here; what a key
 * means is displays/pad.c's, a printed ticket's layout displays/receipt.c's.
 * Must not touch hall state but through hall_window_view() and the host's
 * commands, nor a transport's fd.
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
#include <assert.h>
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

#include "config.h"
#include "devices.h"
#include "devproto.h"
#include "ev1527.h"
#include "hall.h"
#include "limit.h"
#include "pad.h"
#include "receipt.h"
#include "text.h"
#include "transport.h"
#include "util.h"

#define BOARD_ROWS_MAX		32
#define RECEIPT_MAX		8192	/* one printed ticket, bytes */
#define PLAYER_QUEUE		16	/* announcements waiting for the speaker */
#define PLAYER_ARGS		256
#define PLAYER_TIMEOUT_S	120	/* a player still running then is killed */
#define REMOTES_MAX		1024
#define DEBOUNCE_MAX		32

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
	struct ev1527_debounce deb[DEBOUNCE_MAX];	/* shared by receivers */
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
static void	dev_feedback(struct dev *, int status);
static void	player_enqueue(struct devices *, json_t *);
static void	player_next(struct devices *);

/* ---------------------------------------------------------------- notes */

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

int
dev_view(struct dev *d, struct hall_window_view *v)
{
	return hall_window_view(d->line->dm->hall, d->window, v);
}

/* The text a window display shows now, in the display's charset. */
size_t
dev_window_text(struct dev *d, size_t cols, char *out, size_t size)
{
	struct devices *dm = d->line->dm;
	const struct device_conf *c = d->conf;
	const struct window_conf *wc = config_window(dm->conf, d->window);
	struct hall_window_view v;
	struct text_var vars[4];
	char wnum[16], utf8[DEV_TEXT_MAX];
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
size_t
dev_board_text(struct dev *d, char *out, size_t size)
{
	struct devices *dm = d->line->dm;
	const struct device_conf *c = d->conf;
	char wnum[16], utf8[DEV_TEXT_MAX];
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

int
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

static int
dev_has_work(const struct dev *d)
{
	return d->dirty || d->ack_pending || d->prompt_dirty || d->poll_due ||
	    d->status_due;
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

/* The device's exchange ended: well (ok) or not; its protocol says what
 * stays due. */
void
line_done(struct line *l, int ok)
{
	struct dev *d = l->busy;

	if (d == NULL)
		return;
	event_del(l->ev_timeout);
	l->busy = NULL;
	l->ops->done(d, ok);
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
		rc = l->ops->send(d);
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
	if (l->ops->timeout != NULL)
		l->ops->timeout(d);
	else if (l->rxlen > 0) {
		d->bad_replies++;
		snprintf(d->last_error, sizeof d->last_error,
		    "a reply was cut short (%zu bytes)", l->rxlen);
	} else {
		d->timeouts++;
		snprintf(d->last_error, sizeof d->last_error,
		    "no reply in %d ms", d->conf->reply_ms);
	}
	l->rxlen = 0;
	line_done(l, 0);
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
		l->ops->rx(l);
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
		d->poll_due = 0;
		if (l->ops->up != NULL && !l->ops->up(d))
			continue;	/* up when it answers */
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

/* What a key asked (displays/pad.c), done for the device's window (0:
 * none, a rating). */
static void
dev_act(struct dev *d, const struct pad_action *a, int window)
{
	struct devices *dm = d->line->dm;
	json_t *body;
	int i, k;

	switch (a->what) {
	case PAD_CMD:
		for (i = 0; i < a->ncmd; i++) {
			body = json_object();
			for (k = 0; k < a->cmd[i].nkeys; k++)
				json_object_set_new(body, a->cmd[i].key[k],
				    json_integer(a->cmd[i].value[k]));
			dm_cmd(dm, d, a->cmd[i].op, window, body);
		}
		break;
	case PAD_PROMPT:
		dm_prompt(dm, window, a->ticket);
		break;
	case PAD_REFUSE:
		dev_feedback(d, a->status);
		break;
	case PAD_UNKNOWN:
		d->unknown_keys++;
		break;
	case PAD_NOTHING:
	case PAD_WHAT_MAX:
		break;
	}
}

/* A key on a window's pad (ft12 bus or Modbus keypad). */
void
dev_key(struct dev *d, uint8_t code, int arg)
{
	struct devices *dm = d->line->dm;
	struct winmem *wm = dm_winmem(dm, d->window);
	struct hall_window_view v;
	struct pad_window pw, *w = NULL;
	struct pad_action a;

	if (hall_window_view(dm->hall, d->window, &v) == 0) {
		memset(&pw, 0, sizeof pw);
		pw.has_ticket = v.ticket[0] != '\0';
		pw.paused = v.paused;
		if (wm != NULL) {
			pw.last_done = wm->last_done;
			pw.last_parked = wm->last_parked;
		}
		w = &pw;
	}
	pad_key(&d->pad, d->conf->role == DEVROLE_KEYPAD_BUS, code, arg, w,
	    now_ms(), &a);
	if (a.what == PAD_UNKNOWN)
		log_debug("device %s: pad %d: key %02x not known", d->conf->name,
		    d->addr, code);
	dev_act(d, &a, d->window);
}

/* An evaluator's button. */
void
dev_rating(struct dev *d, unsigned score)
{
	struct pad_action a;

	pad_rate(d->prompt_ticket, score, &a);
	if (a.what != PAD_CMD) {
		d->bad_replies++;
		snprintf(d->last_error, sizeof d->last_error,
		    "a rating of %u with nothing to rate", score);
		return;
	}
	d->ratings++;
	dev_act(d, &a, 0);
	d->prompt_on = 0;
	d->prompt_dirty = 1;
}

static void
dev_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dev *d = arg;

	(void)fd;
	(void)what;
	d->line->ops->tick(d);
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

/* 433 MHz receivers: a held key repeats; one press per hold.  An unknown
 * remote is bound while learning, else ignored (and said once). */
void
dev_remote(struct dev *d, const struct ev1527_code *code)
{
	struct devices *dm = d->line->dm;
	int64_t now = now_ms();
	const char *op;
	int i, window;

	for (i = 0; i < dm->ndeb; i++)
		if (dm->deb[i].id == code->id && dm->deb[i].key == code->key)
			break;
	if (i == dm->ndeb) {
		if (dm->ndeb < DEBOUNCE_MAX)
			dm->ndeb++;
		else
			i = 0;		/* the table is full: reuse */
		memset(&dm->deb[i], 0, sizeof dm->deb[i]);
	}
	if (!ev1527_press(&dm->deb[i], code, now, d->conf->debounce_ms))
		return;
	if ((window = dm_remote_window(dm, d, code->id)) == 0) {
		if (dm->learning == d && now < dm->learn_until) {
			struct note *n = dm_note_add(dm, NOTE_LEARNED);

			window = dm->learn_window;
			dm_remote_add(dm, d, code->id, window);
			n->type = xstrdup(d->conf->name);
			n->remote = code->id;
			n->window = window;
			dm->learning = NULL;
			log_info("device %s: remote %05X now works window %d",
			    d->conf->name, code->id, window);
			return;		/* the learning press does nothing more */
		}
		d->line->unsolicited++;
		for (i = 0; i < dm->nunknown_logged; i++)
			if (dm->unknown_logged[i] == code->id)
				break;
		if (i == dm->nunknown_logged && i < 64) {
			dm->unknown_logged[dm->nunknown_logged++] = code->id;
			log_warnx("device %s: unknown remote %05X (key %X) "
			    "ignored", d->conf->name, code->id, code->key);
		}
		return;
	}
	if ((op = pad_remote_op(d->conf->keys, code->key)) == NULL) {
		d->unknown_keys++;
		return;
	}
	dm_cmd(dm, d, op, window, NULL);
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
	dm->learn_until = now + LIMIT_LEARN_MS;
	log_info("device %s: the next unknown remote will work window %d",
	    name, window);
	return 202;
}

/* ---------------------------------------------------------------- printer */

void
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

/* The kiosk's printer (the last configured for it), or NULL. */
static struct dev *
dm_printer(struct devices *dm, const char *kiosk)
{
	struct dev *d = NULL;
	int i;

	for (i = 0; dm != NULL && kiosk != NULL && i < dm->ndevs; i++)
		if (dm->devs[i].conf->role == DEVROLE_PRINTER &&
		    strcmp(dm->devs[i].conf->kiosk, kiosk) == 0)
			d = &dm->devs[i];
	return d;
}

int
devices_print_expect(struct devices *dm, const char *kiosk,
    const struct event *ev, const char *token)
{
	struct dev *d = dm_printer(dm, kiosk);
	json_t *t = json_object_get(ev->body, "ticket");

	if (d == NULL)
		return -1;
	if (!d->line->up || !d->ready || ev->type != EVT_TICKET_ISSUED ||
	    ev->number == NULL || ev->ticket == 0 ||
	    !json_is_string(json_object_get(t, "matter")))
		return 0;
	if (d->job_ticket != 0)
		log_warnx("device %s: ticket %lld was never printed",
		    d->conf->name, (long long)d->job_ticket);
	d->job_ticket = ev->ticket;
	snprintf(d->job_token, sizeof d->job_token, "%s", token ? token : "");
	return 1;
}

/* A ticket.issued reached the devices: the printer expecting it prints it. */
static void
dm_print(struct devices *dm, const struct event *ev)
{
	static uint8_t buf[RECEIPT_MAX];
	json_t *t = json_object_get(ev->body, "ticket");
	struct receipt r;
	struct dev *d = NULL;
	unsigned replaced = 0;
	int i, mi, n;

	for (i = 0; i < dm->ndevs && d == NULL; i++)
		if (dm->devs[i].conf->role == DEVROLE_PRINTER &&
		    dm->devs[i].job_ticket == ev->ticket && ev->ticket != 0)
			d = &dm->devs[i];
	if (d == NULL)
		return;
	d->job_ticket = 0;
	memset(&r, 0, sizeof r);
	r.hall = dm->conf->hall_name;
	r.number = ev->number;
	r.matter = json_string_value(json_object_get(t, "matter"));
	if ((mi = config_matter(dm->conf, r.matter)) >= 0)
		r.matter = dm->conf->matters[mi].name;
	r.ahead = json_integer_value(json_object_get(t, "ahead"));
	/* null: no open window serves the matter (not "0 minutes"). */
	r.eta_s = json_is_integer(json_object_get(t, "eta_s")) ?
	    json_integer_value(json_object_get(t, "eta_s")) : -1;
	r.issued_at = json_integer_value(json_object_get(t, "issued_at"));
	r.public_url = dm->conf->public_url;
	r.id = ev->ticket;
	r.token = d->job_token;
	n = receipt_build(buf, sizeof buf, &r, d->conv, d->conf->width, &replaced);
	d->replaced += replaced;
	if (n == -1 || dev_send(d, buf, n) == -1) {
		snprintf(d->last_error, sizeof d->last_error,
		    "ticket %s could not be printed", ev->number);
		log_warnx("device %s: %s", d->conf->name, d->last_error);
		return;
	}
	d->printed++;
}

/* ---------------------------------------------------------------- events */

static void
dm_mark_window(struct devices *dm, int window, int force, int beep)
{
	int i;

	for (i = 0; i < dm->ndevs; i++) {
		struct dev *d = &dm->devs[i];

		if (d->window != window || !(d->conf->role == DEVROLE_WINDOW_DISPLAY ||
		    d->conf->role == DEVROLE_KEYPAD_BUS ||
		    d->conf->role == DEVROLE_KEYPAD))
			continue;
		if (!force && d->line->ops->same != NULL && d->line->ops->same(d))
			continue;	/* it shows this already */
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

		if (d->dirty || d->line->ops->shows_waiting == NULL ||
		    !d->line->ops->shows_waiting(d))
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

/* Rated (or too late): the evaluator stops asking. */
static void
dm_rated(struct devices *dm, int64_t ticket)
{
	int k;

	for (k = 0; k < dm->ndevs; k++)
		if (dm->devs[k].conf->role == DEVROLE_EVALUATOR &&
		    dm->devs[k].prompt_on && dm->devs[k].prompt_ticket == ticket) {
			dm->devs[k].prompt_on = 0;
			dm->devs[k].prompt_dirty = 1;
			line_kick_later(dm->devs[k].line);
		}
}

static void
dm_ticket(struct devices *dm, const struct event *e)
{
	struct winmem *wm = dm_winmem(dm, e->window);
	int call = e->type == EVT_TICKET_CALLED || e->type == EVT_TICKET_RECALLED;

	if (e->type == EVT_TICKET_ISSUED)
		dm_print(dm, e);
	if (wm != NULL && e->type == EVT_TICKET_DONE) {
		wm->last_done = e->ticket;
		dm_prompt(dm, e->window, e->ticket);
	}
	if (wm != NULL && (e->type == EVT_TICKET_HELD ||
	    e->type == EVT_TICKET_NO_SHOW))
		wm->last_parked = e->ticket;
	if (e->window > 0)
		dm_mark_window(dm, e->window, call, call);
	if (call)
		dm_board_push(dm, e->ticket, e->number ? e->number : "", e->window);
	dm_mark_waiting(dm);
}

void
devices_events(struct devices *dm, const struct event *ev, size_t n)
{
	size_t i;

	for (i = 0; dm != NULL && i < n; i++) {
		const struct event *e = &ev[i];

		if (EVT_IS_TICKET(e->type)) {
			dm_ticket(dm, e);
			continue;
		}
		if (EVT_IS_WINDOW(e->type)) {
			if (e->window > 0)
				dm_mark_window(dm, e->window, 1, 0);
			dm_mark_waiting(dm);
			continue;
		}
		switch (e->type) {
		case EVT_CALL_ANNOUNCE:
			player_enqueue(dm, e->body);
			break;
		case EVT_RATING_RECORDED:
			dm_rated(dm, e->ticket);
			break;
		case EVT_DAY_ROLLOVER:
			dm->nrows = 0;
			dm_mark_boards(dm);
			dm_mark_waiting(dm);
			break;
		default:
			break;		/* the devices' own, and unknown ones */
		}
	}
}

/* ---------------------------------------------------------------- speaker */

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
	int i, j, k, ms;

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
			/* No entry, no device: never a protocol by default. */
			if ((l->ops = devproto_get(c->proto)) == NULL)
				fatalx("device %s: protocol %s has no operations",
				    c->name, config_devproto_name(c->proto));
			assert(l->ops->proto == c->proto && l->ops->send != NULL &&
			    l->ops->rx != NULL && l->ops->done != NULL);
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
			pad_init(&d->pad);
			if ((d->conv = textconv_open(c->charset)) == NULL)
				fatalx("iconv cannot convert UTF-8 to %s", c->charset);
			l->devs = xrealloc(l->devs, ((size_t)l->ndevs + 1) *
			    sizeof *l->devs);
			l->devs[l->ndevs++] = d;
			d->line = l;
			if ((ms = l->ops->poll_ms != NULL ? l->ops->poll_ms(c) :
			    0) > 0) {
				struct timeval tv;

				assert(l->ops->tick != NULL);
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

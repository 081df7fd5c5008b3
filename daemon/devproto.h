/* devproto.h — inside the device manager: its devices and lines, and the
 * table of protocol operations (daemon/devproto.c) through which
 * daemon/devices.c drives every protocol.  Only devices.c and devproto.c
 * include this; the rest of the daemon sees devices.h.
 *
 * A protocol is one entry of the table: how to send a device what is due,
 * how to take replies, frames and garbage from the line, what the end of an
 * exchange means, and what its timers ask.  Adding a protocol is adding an
 * entry (and its codec in protocols/); devices.c has no branch per
 * protocol, and a protocol without an entry is fatal at start. */
#ifndef HALLQ_DEVPROTO_H
#define HALLQ_DEVPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "modbus.h"
#include "pad.h"

#define LINE_RX_MAX	2048	/* a reply bigger than this is garbage */
#define DEV_TEXT_MAX	1024	/* one rendered text, bytes */
#define DEV_RETRIES	2	/* resend after a NACK or a silence */

struct devices;
struct devproto;
struct ev1527_code;
struct hall_window_view;
struct line;
struct textconv;
struct transport;

/* Modbus: what the request in flight is for. */
enum dev_req { REQ_NONE, REQ_DISPLAY, REQ_ACK, REQ_PROMPT, REQ_POLL, REQ_MAX };

/* One device: a display, a pad of a keypad_bus, a keypad, a printer... */
struct dev {
	const struct device_conf *conf;
	struct line	*line;
	int		 window;	/* its window (keypad_bus: per pad) */
	int		 addr;		/* its address on the line */
	struct textconv	*conv;
	int		 dirty;		/* send the current state (modbus: 2 = the
					   next write of the same state) */
	int		 beep;		/* and beep (a call, a recall) */
	int		 step;		/* modbus: which write of the state */
	int		 retries;
	int		 up;
	int		 sent_waiting;	/* the waiting count last sent */
	char		 sent_text[DEV_TEXT_MAX];	/* bx: what the display shows */
	size_t		 sent_len;

	/* Inputs: keypads, evaluators, printers. */
	struct pad	 pad;		/* digits typed, keys resent */
	enum dev_req	 inflight;	/* modbus */
	int		 poll_due;	/* modbus: read the input registers */
	struct event	*ev_poll;	/* the poll (or printer status) timer */
	int		 ack_pending;	/* modbus: acknowledge ack_seq */
	uint16_t	 ack_seq;
	int		 have_applied;	/* modbus: applied_seq is set */
	uint16_t	 applied_seq;	/* the keypad event applied last */
	int		 prompt_dirty;	/* evaluator: send the prompt state */
	int		 prompt_on;
	int64_t		 prompt_ticket;
	int		 ready;		/* printer: online, paper in */
	int		 status_due;	/* printer: ask its status */
	int64_t		 job_ticket;	/* printer: print this ticket's issue */
	char		 job_token[72];	/* ... with its token in the QR */
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

/* One transport, shared by the devices that name it (one protocol). */
struct line {
	struct devices	*dm;
	const char	*transport;
	const struct devproto *ops;
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

/* A protocol's operations.  Those marked optional may be NULL. */
struct devproto {
	enum device_proto proto;
	/* Send d what is due: 1 a frame went out (its answer is awaited when
	 * reply_ms > 0), 0 nothing was due, -1 an error (in last_error). */
	int	(*send)(struct dev *);
	/* Bytes came (l->rx, l->rxlen): take whole frames, count the
	 * garbage, end the exchange in flight with line_done(). */
	void	(*rx)(struct line *);
	/* The exchange with d ended, well (ok) or not: what stays due. */
	void	(*done)(struct dev *, int ok);
	/* Optional: d did not answer in reply_ms (instead of counting a
	 * time-out or a reply cut short). */
	void	(*timeout)(struct dev *);
	/* Optional: the line is up: set what is due; 1 d is up now, 0 when
	 * it answers (NULL: up now). */
	int	(*up)(struct dev *);
	/* Optional: how often d is asked (ms), 0: never (NULL: never). */
	int	(*poll_ms)(const struct device_conf *);
	/* Optional: d's poll timer: what becomes due (needed with poll_ms). */
	void	(*tick)(struct dev *);
	/* Optional: d shows what it showed last, so this state need not be
	 * sent again (NULL: always send). */
	int	(*same)(struct dev *);
	/* Optional: d shows how many wait for its window (NULL: it does not). */
	int	(*shows_waiting)(const struct dev *);
};

/* The entry of a protocol; NULL for a value that has none. */
const struct devproto *devproto_get(enum device_proto);

/* What devices.c does for the protocols (see there). */
int	 dev_send(struct dev *, const uint8_t *, int);
int	 dev_view(struct dev *, struct hall_window_view *);
size_t	 dev_window_text(struct dev *, size_t cols, char *out, size_t size);
size_t	 dev_board_text(struct dev *, char *out, size_t size);
void	 dev_set_ready(struct dev *, int ready, const char *why);
void	 dev_key(struct dev *, uint8_t code, int arg);
void	 dev_rating(struct dev *, unsigned score);
void	 dev_remote(struct dev *, const struct ev1527_code *);
void	 line_done(struct line *, int ok);

#endif

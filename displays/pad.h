/* pad.h — what a key means as a hall command: a window's pad (an ft12 pad
 * on a keypad_bus, a Modbus keypad), an evaluator's rating button and a
 * clerk's 433 MHz remote.  Pure: no I/O, no clock (time is an argument), no
 * hall state (the caller says what the window looks like); it answers with
 * the commands to run and the device manager (daemon/devices.c) runs them. */
#ifndef HALLQ_PAD_H
#define HALLQ_PAD_H

#include <stdint.h>

#define PAD_DIGITS_MAX		4	/* digits kept of a number typed */
#define PAD_DIGITS_MS		10000	/* digits typed longer ago are forgotten */
#define PAD_RESEND_MS		500	/* a bus pad resends a key not echoed */

/* What a pad remembers between presses. */
struct pad {
	int		 digits;	/* the number typed before a key */
	int		 ndigits;	/* its digits, up to PAD_DIGITS_MAX */
	int		 last_digit;	/* the last digit typed, -1: none */
	int64_t		 digits_at;	/* when (ms) */
	uint8_t		 last_key;	/* the last key (a resent key is one press) */
	int64_t		 last_key_at;
};

/* The pad's window as its keys need it. */
struct pad_window {
	int		 has_ticket;	/* a ticket is called or being served */
	int		 paused;
	int64_t		 last_done;	/* the last ticket it finished, 0: none */
	int64_t		 last_parked;	/* the last it held or no-showed, 0: none */
};

enum pad_what {
	PAD_NOTHING,		/* a digit, a resent key: remembered only */
	PAD_CMD,		/* run cmd[0..ncmd-1] in order */
	PAD_PROMPT,		/* ask the window's evaluators to rate `ticket` */
	PAD_REFUSE,		/* the press makes no sense now: `status` */
	PAD_UNKNOWN,		/* a key this pad does not have */
	PAD_WHAT_MAX
};

/* One command: {"op": op, "body": {key[0]: value[0], ...}} (nkeys members). */
struct pad_cmd {
	const char	*op;		/* "call-next", "transfer", "rate", ... */
	const char	*key[2];	/* its body's integer members */
	int64_t		 value[2];
	int		 nkeys;
};

struct pad_action {
	enum pad_what	 what;
	struct pad_cmd	 cmd[2];	/* PAD_CMD: "finish" then "call-next" */
	int		 ncmd;
	int		 status;	/* PAD_REFUSE: as the hall would answer */
	int64_t		 ticket;	/* PAD_PROMPT */
};

void	 pad_init(struct pad *);

/*
 * A key pressed at `now` (ms) on a pad of a window that looks like `w`, as
 * its clerk would press the REST button: CALL (finishing the ticket in hand
 * first), RECALL, PAUSE (or resume), TRANSFER to the window typed before,
 * EVALUATE (prompt the evaluator again), CONFIRM with the digit typed before
 * or sent with it (`arg`, a Modbus keypad's; -1: none): 6 no-show, 0 hold,
 * 3 call back the last held or no-show ticket.  `bus`: an ft12 pad, which
 * resends a key whose echo it missed (one press within PAD_RESEND_MS).
 * `w` NULL: the window cannot be seen now; a command key does nothing and
 * the digits typed are kept.  Key codes are ft12's (protocols/ft12.h).
 */
void	 pad_key(struct pad *, int bus, uint8_t code, int arg,
	    const struct pad_window *w, int64_t now, struct pad_action *);

/* An evaluator's button `score` while it asks to rate `ticket` (0: it asks
 * nothing): a "rate" command, or PAD_REFUSE (400) for a score that is not 1
 * to 5 or with nothing to rate. */
void	 pad_rate(int64_t ticket, unsigned score, struct pad_action *);

/* A remote's key (1..15) → its command as configured (keys[key], NULL:
 * none), or NULL for a key it does not have. */
const char *pad_remote_op(char *const keys[16], unsigned key);

#endif

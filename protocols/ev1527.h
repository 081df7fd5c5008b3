/* ev1527.h — the serial output of 433 MHz EV1527 receiver modules (9600
 * 8N1): each received remote code as FD b1 b2 b3 DF, repeated every
 * ~100 ms while a key is held; and the debounce that turns repeats into
 * one press.  A pure codec: caller buffers, no I/O, no clock (the caller
 * passes the time); errors are -EV1527_E_* (ev1527_strerror). */
#ifndef HALLQ_EV1527_H
#define HALLQ_EV1527_H

#include <stddef.h>
#include <stdint.h>

#define EV1527_START		0xfd
#define EV1527_END		0xdf
#define EV1527_FRAME_LEN	5
#define EV1527_ID_BITS		20
#define EV1527_ID_MAX		((1u << EV1527_ID_BITS) - 1)
#define EV1527_KEY_MAX		0x0f

/* The four buttons of the usual remote; held together they OR. */
#define EV1527_KEY_A		0x01
#define EV1527_KEY_B		0x02
#define EV1527_KEY_C		0x04
#define EV1527_KEY_D		0x08

/* Functions return these negated. */
enum ev1527_error {
	EV1527_OK,
	EV1527_E_NEED,		/* partial frame: feed more bytes */
	EV1527_E_END,		/* no DF four bytes after FD */
	EV1527_E_ARG,		/* id or key out of range */
	EV1527_E_MAX
};

/* One received code. */
struct ev1527_code {
	uint32_t	 id;		/* remote's 20-bit id: b1<<12 | b2<<4 | b3>>4 */
	uint8_t		 key;		/* 4 key bits: b3 & 0x0F */
};

/* Debounce state for one receiver; zero it before the first call. */
struct ev1527_debounce {
	uint32_t	 id;		/* code of the last frame seen */
	uint8_t		 key;
	int64_t		 last_ms;	/* when it was seen */
	int		 active;	/* 0 until the first frame */
};

const char	*ev1527_strerror(int);

/* Streaming decoder.  Looks for FD in buf[0..len) and decodes one frame.
 * Always sets *consumed: the bytes the caller may drop before the next call.
 *  5                a code is in *c; *consumed also covers the garbage
 *                   before it (*consumed - 5 = bytes skipped)
 *  -EV1527_E_NEED   no complete frame yet; *consumed is the garbage before
 *                   the first FD
 *  -EV1527_E_END    the frame at the first FD has no DF; *consumed drops the
 *                   garbage and that FD, so the next call resynchronises */
int	 ev1527_decode(const uint8_t *buf, size_t len, struct ev1527_code *c,
	    size_t *consumed);

/* For simulators and tests: the 5 bytes the module prints. */
int	 ev1527_encode(const struct ev1527_code *, uint8_t out[EV1527_FRAME_LEN]);

/* 1 for a new press, 0 for a repeat: the same id and key less than gap_ms
 * after the previous frame of it.  A held key stays one press however long
 * it is held, since each repeat moves the window on. */
int	 ev1527_press(struct ev1527_debounce *, const struct ev1527_code *,
	    int64_t now_ms, int64_t gap_ms);

#endif

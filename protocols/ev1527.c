/* ev1527.c — decoder of the FD b1 b2 b3 DF lines a 433 MHz EV1527 receiver
 * module prints, its encoder for simulators, and the key debounce.  Pure:
 * it owns no buffer and reads no device or clock. */
#include <stddef.h>
#include <stdint.h>

#include "ev1527.h"

static const char *const ev1527_errors[EV1527_E_MAX] = {
	[EV1527_OK] = "ok",
	[EV1527_E_NEED] = "incomplete frame",
	[EV1527_E_END] = "end byte DF missing",
	[EV1527_E_ARG] = "invalid argument",
};

const char *
ev1527_strerror(int e)
{
	if (e < 0)
		e = -e;
	if (e >= EV1527_E_MAX)
		return "unknown error";
	return ev1527_errors[e];
}

int
ev1527_decode(const uint8_t *buf, size_t len, struct ev1527_code *c,
    size_t *consumed)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (buf[i] == EV1527_START)
			break;
	*consumed = i;
	if (len - i < EV1527_FRAME_LEN)
		return -EV1527_E_NEED;
	/* The frame has no checksum: the end byte is all we can check.  A
	 * frame that lost a byte runs into the next one and fails here. */
	if (buf[i + 4] != EV1527_END) {
		*consumed = i + 1;
		return -EV1527_E_END;
	}
	c->id = (uint32_t)buf[i + 1] << 12 | (uint32_t)buf[i + 2] << 4 |
	    buf[i + 3] >> 4;
	c->key = buf[i + 3] & 0x0f;
	*consumed = i + EV1527_FRAME_LEN;
	return EV1527_FRAME_LEN;
}

int
ev1527_encode(const struct ev1527_code *c, uint8_t out[EV1527_FRAME_LEN])
{
	if (c->id > EV1527_ID_MAX || c->key > EV1527_KEY_MAX)
		return -EV1527_E_ARG;
	out[0] = EV1527_START;
	out[1] = (uint8_t)(c->id >> 12);
	out[2] = (uint8_t)(c->id >> 4);
	out[3] = (uint8_t)((c->id & 0x0f) << 4 | c->key);
	out[4] = EV1527_END;
	return EV1527_FRAME_LEN;
}

int
ev1527_press(struct ev1527_debounce *d, const struct ev1527_code *c,
    int64_t now_ms, int64_t gap_ms)
{
	int	 repeat = 0;

	/* Unsigned difference: no overflow whatever the clock's epoch.  A
	 * clock that went back is a new press, not a swallowed one. */
	if (d->active && d->id == c->id && d->key == c->key && gap_ms > 0 &&
	    now_ms >= d->last_ms &&
	    (uint64_t)now_ms - (uint64_t)d->last_ms < (uint64_t)gap_ms)
		repeat = 1;
	d->id = c->id;
	d->key = c->key;
	d->last_ms = now_ms;
	d->active = 1;
	return !repeat;
}

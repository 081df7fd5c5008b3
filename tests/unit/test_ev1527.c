/* test_ev1527.c — the EV1527 receiver-module codec against hand-written
 * frames, streaming (garbage, truncation, resync, two frames, split reads)
 * and the debounce of a held key.  Links ev1527.c. */
#include <stdint.h>
#include <string.h>

#include "ev1527.h"
#include "t.h"

/* id 0xA1B2C, key 4 (button C) */
static const uint8_t frame_a1b2c_4[] = { 0xfd, 0xa1, 0xb2, 0xc4, 0xdf };
/* id 0x00000, key 1; id 0xFFFFF, key 15 */
static const uint8_t frame_0_1[] = { 0xfd, 0x00, 0x00, 0x01, 0xdf };
static const uint8_t frame_max[] = { 0xfd, 0xff, 0xff, 0xff, 0xdf };
/* id 0xFDDF0, key 8: start and end bytes inside the code */
static const uint8_t frame_fddf0_8[] = { 0xfd, 0xfd, 0xdf, 0x08, 0xdf };

static void
test_vectors(void)
{
	struct ev1527_code	 c;
	uint8_t			 out[EV1527_FRAME_LEN];
	size_t			 used;

	c.id = 0xa1b2c;
	c.key = EV1527_KEY_C;
	CHECK_EQ_INT(ev1527_encode(&c, out), 5);
	CHECK(memcmp(out, frame_a1b2c_4, 5) == 0);

	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(ev1527_decode(frame_a1b2c_4, 5, &c, &used), 5);
	CHECK_EQ_INT(used, 5);
	CHECK_EQ_INT(c.id, 0xa1b2c);
	CHECK_EQ_INT(c.key, 4);

	CHECK_EQ_INT(ev1527_decode(frame_0_1, 5, &c, &used), 5);
	CHECK_EQ_INT(c.id, 0);
	CHECK_EQ_INT(c.key, EV1527_KEY_A);
	CHECK_EQ_INT(ev1527_decode(frame_max, 5, &c, &used), 5);
	CHECK_EQ_INT(c.id, 0xfffff);
	CHECK_EQ_INT(c.key, 0x0f);
	CHECK_EQ_INT(ev1527_encode(&c, out), 5);
	CHECK(memcmp(out, frame_max, 5) == 0);
	CHECK_EQ_INT(ev1527_decode(frame_fddf0_8, 5, &c, &used), 5);
	CHECK_EQ_INT(c.id, 0xfddf0);
	CHECK_EQ_INT(c.key, EV1527_KEY_D);

	/* buttons A+B held together */
	c.id = 0x12345;
	c.key = EV1527_KEY_A | EV1527_KEY_B;
	CHECK_EQ_INT(ev1527_encode(&c, out), 5);
	CHECK(memcmp(out, "\xfd\x12\x34\x53\xdf", 5) == 0);

	/* out of range */
	memset(out, 0xaa, sizeof out);
	c.id = 0x100000;
	c.key = 1;
	CHECK_EQ_INT(ev1527_encode(&c, out), -EV1527_E_ARG);
	c.id = 1;
	c.key = 0x10;
	CHECK_EQ_INT(ev1527_encode(&c, out), -EV1527_E_ARG);
	CHECK_EQ_INT(out[0], 0xaa);

	/* every id bit and key survives a round trip */
	{
		struct ev1527_code	 d;
		uint32_t		 bit;
		uint8_t			 k;

		for (bit = 0; bit < EV1527_ID_BITS; bit++)
			for (k = 0; k <= EV1527_KEY_MAX; k++) {
				c.id = 1u << bit;
				c.key = k;
				CHECK_EQ_INT(ev1527_encode(&c, out), 5);
				CHECK_EQ_INT(ev1527_decode(out, 5, &d, &used), 5);
				CHECK(d.id == c.id && d.key == c.key);
			}
	}
}

static void
test_stream(void)
{
	struct ev1527_code	 c;
	uint8_t			 s[64];
	size_t			 n, used, off, i;

	/* garbage before: skipped and counted */
	memcpy(s, "\x00\x41\xdf\x13", 4);
	memcpy(s + 4, frame_a1b2c_4, 5);
	CHECK_EQ_INT(ev1527_decode(s, 9, &c, &used), 5);
	CHECK_EQ_INT(used, 9);
	CHECK_EQ_INT(c.id, 0xa1b2c);

	/* garbage only: all of it may go */
	CHECK_EQ_INT(ev1527_decode(s, 4, &c, &used), -EV1527_E_NEED);
	CHECK_EQ_INT(used, 4);
	CHECK_EQ_INT(ev1527_decode(s, 0, &c, &used), -EV1527_E_NEED);
	CHECK_EQ_INT(used, 0);

	/* truncated at every length: need more, the FD kept */
	for (n = 0; n < 5; n++) {
		CHECK_EQ_INT(ev1527_decode(frame_a1b2c_4, n, &c, &used),
		    -EV1527_E_NEED);
		CHECK_EQ_INT(used, 0);
	}
	CHECK_EQ_INT(ev1527_decode(s, 4 + 3, &c, &used), -EV1527_E_NEED);
	CHECK_EQ_INT(used, 4);

	/* wrong end byte: that FD dropped, nothing else */
	memcpy(s, "\x55\xfd\xa1\xb2\xc4\xde", 6);
	CHECK_EQ_INT(ev1527_decode(s, 6, &c, &used), -EV1527_E_END);
	CHECK_EQ_INT(used, 2);
	CHECK_EQ_INT(ev1527_decode(s + 2, 4, &c, &used), -EV1527_E_NEED);
	CHECK_EQ_INT(used, 4);

	/* two frames in one buffer */
	memcpy(s, frame_a1b2c_4, 5);
	memcpy(s + 5, frame_fddf0_8, 5);
	CHECK_EQ_INT(ev1527_decode(s, 10, &c, &used), 5);
	CHECK_EQ_INT(used, 5);
	CHECK_EQ_INT(c.id, 0xa1b2c);
	CHECK_EQ_INT(ev1527_decode(s + 5, 5, &c, &used), 5);
	CHECK_EQ_INT(used, 5);
	CHECK_EQ_INT(c.id, 0xfddf0);
	CHECK_EQ_INT(c.key, 8);

	/* a frame that lost a byte runs into the next one: dropped, then
	 * the decoder walks to the next good frame (past the FD inside it) */
	n = 0;
	memcpy(s + n, "\xfd\xa1\xc4\xdf", 4);		/* b2 lost */
	n += 4;
	memcpy(s + n, frame_0_1, 5);
	n += 5;
	off = 0;
	CHECK_EQ_INT(ev1527_decode(s + off, n - off, &c, &used), -EV1527_E_END);
	CHECK_EQ_INT(used, 1);
	off += used;
	CHECK_EQ_INT(ev1527_decode(s + off, n - off, &c, &used), 5);
	CHECK_EQ_INT(used, 3 + 5);
	CHECK_EQ_INT(c.id, 0);
	CHECK_EQ_INT(c.key, 1);
	off += used;
	CHECK_EQ_INT(off, n);

	/* a frame split across reads: the caller keeps the unconsumed tail
	 * and appends the next read to it */
	{
		uint8_t	 rx[16];
		size_t	 have = 0;
		int	 r;

		memcpy(rx, "\x00\xfd\xa1", 3);	/* read 1 */
		have = 3;
		r = ev1527_decode(rx, have, &c, &used);
		CHECK_EQ_INT(r, -EV1527_E_NEED);
		CHECK_EQ_INT(used, 1);
		memmove(rx, rx + used, have - used);
		have -= used;
		memcpy(rx + have, "\xb2\xc4\xdf\xfd", 4);	/* read 2 */
		have += 4;
		r = ev1527_decode(rx, have, &c, &used);
		CHECK_EQ_INT(r, 5);
		CHECK_EQ_INT(used, 5);
		CHECK_EQ_INT(c.id, 0xa1b2c);
		CHECK_EQ_INT(c.key, 4);
		memmove(rx, rx + used, have - used);
		have -= used;
		CHECK_EQ_INT(have, 1);
		CHECK_EQ_INT(ev1527_decode(rx, have, &c, &used), -EV1527_E_NEED);
		CHECK_EQ_INT(used, 0);
	}

	/* byte by byte: need more until the fifth */
	{
		int	 needs = 0, frames = 0, r;

		for (i = 1; i <= 5; i++) {
			r = ev1527_decode(frame_a1b2c_4, i, &c, &used);
			if (r == -EV1527_E_NEED)
				needs++;
			else if (r == 5)
				frames++;
		}
		CHECK_EQ_INT(needs, 4);
		CHECK_EQ_INT(frames, 1);
	}

	CHECK(strcmp(ev1527_strerror(-EV1527_E_END), "end byte DF missing") == 0);
	CHECK(strcmp(ev1527_strerror(EV1527_E_NEED), "incomplete frame") == 0);
	CHECK(strcmp(ev1527_strerror(-EV1527_E_MAX), "unknown error") == 0);
	CHECK(strcmp(ev1527_strerror(-1000), "unknown error") == 0);
}

static void
test_debounce(void)
{
	struct ev1527_debounce	 d;
	struct ev1527_code	 a = { 0xa1b2c, 4 }, b = { 0xa1b2c, 2 };
	struct ev1527_code	 other = { 0x12345, 4 };
	const int64_t		 gap = 300;
	int64_t			 t;
	int			 presses;

	memset(&d, 0, sizeof d);

	/* a key held for 2 s, repeating every 100 ms: one press */
	presses = 0;
	for (t = 1000; t <= 3000; t += 100)
		presses += ev1527_press(&d, &a, t, gap);
	CHECK_EQ_INT(presses, 1);

	/* released for more than the gap, pressed again: a second press */
	CHECK_EQ_INT(ev1527_press(&d, &a, 3000 + gap + 50, gap), 1);
	CHECK_EQ_INT(ev1527_press(&d, &a, 3000 + gap + 150, gap), 0);

	/* exactly the gap is no longer a repeat; one below it is */
	memset(&d, 0, sizeof d);
	CHECK_EQ_INT(ev1527_press(&d, &a, 0, gap), 1);
	CHECK_EQ_INT(ev1527_press(&d, &a, gap - 1, gap), 0);
	CHECK_EQ_INT(ev1527_press(&d, &a, 2 * gap - 1, gap), 1);

	/* another key of the same remote: a new press at once */
	memset(&d, 0, sizeof d);
	CHECK_EQ_INT(ev1527_press(&d, &a, 5000, gap), 1);
	CHECK_EQ_INT(ev1527_press(&d, &b, 5100, gap), 1);
	CHECK_EQ_INT(ev1527_press(&d, &b, 5200, gap), 0);
	/* and back to the first key */
	CHECK_EQ_INT(ev1527_press(&d, &a, 5300, gap), 1);

	/* another remote with the same key: a new press */
	CHECK_EQ_INT(ev1527_press(&d, &other, 5400, gap), 1);
	CHECK_EQ_INT(ev1527_press(&d, &other, 5500, gap), 0);
	CHECK_EQ_INT(d.id, 0x12345);
	CHECK_EQ_INT(d.last_ms, 5500);

	/* a clock that went back is not a repeat; gap 0 debounces nothing */
	CHECK_EQ_INT(ev1527_press(&d, &other, 5000, gap), 1);
	CHECK_EQ_INT(ev1527_press(&d, &other, 5000, 0), 1);
	CHECK_EQ_INT(ev1527_press(&d, &other, 5001, -5), 1);

	/* extreme times: no overflow */
	memset(&d, 0, sizeof d);
	CHECK_EQ_INT(ev1527_press(&d, &a, INT64_MIN, gap), 1);
	CHECK_EQ_INT(ev1527_press(&d, &a, INT64_MAX, gap), 1);
	CHECK_EQ_INT(ev1527_press(&d, &a, INT64_MAX, gap), 0);
}

int
main(void)
{
	test_vectors();
	test_stream();
	test_debounce();
	return t_done("ev1527");
}

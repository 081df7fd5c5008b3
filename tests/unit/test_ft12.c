/* test_ft12.c — the ft12 keypad/display codec against hand-checked byte
 * vectors (sums computed apart with /usr/bin/python3), every decoder error path,
 * streaming (garbage, partial input, resync) and round trips.  Links ft12.c. */
#include <stdint.h>
#include <string.h>

#include "ft12.h"
#include "t.h"

#define CHECK_BYTES(got, n, want) do {					\
	CHECK_EQ_INT((n), (int)sizeof(want));				\
	CHECK((n) == (int)sizeof(want) && memcmp((got), (want), sizeof(want)) == 0); \
} while (0)

/* Hand-checked frames. */
static const uint8_t display_a012[] = {		/* pad 1 shows "   012" */
	0xff, 0x68, 0x08, 0x08, 0x68, 0x01, 0x02,
	0x0a, 0x0a, 0x0a, 0x00, 0x01, 0x02, 0x24, 0x16 };
static const uint8_t display_123456[] = {	/* pad 5 shows "123456" */
	0xff, 0x68, 0x08, 0x08, 0x68, 0x05, 0x02,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x1c, 0x16 };
static const uint8_t beep_3[] = {
	0xff, 0x68, 0x02, 0x02, 0x68, 0x03, 0x03, 0x06, 0x16 };
static const uint8_t key_call_5[] = {
	0xff, 0x68, 0x03, 0x03, 0x68, 0x05, 0x01, 0x0c, 0x12, 0x16 };
static const uint8_t key_confirm_5[] = {
	0xff, 0x68, 0x03, 0x03, 0x68, 0x05, 0x01, 0x0f, 0x15, 0x16 };
static const uint8_t key_digit6_5[] = {
	0xff, 0x68, 0x03, 0x03, 0x68, 0x05, 0x01, 0x06, 0x0c, 0x16 };
static const uint8_t key_unknown_7[] = {	/* key code 0x20: not ours */
	0xff, 0x68, 0x03, 0x03, 0x68, 0x07, 0x01, 0x20, 0x28, 0x16 };
static const uint8_t key_call_ff[] = {	/* address FF inside the frame */
	0xff, 0x68, 0x03, 0x03, 0x68, 0xff, 0x01, 0x0c, 0x0c, 0x16 };

static void
test_checksum(void)
{
	CHECK_EQ_INT(ft12_checksum(display_a012 + 5, 8), 0x24);
	CHECK_EQ_INT(ft12_checksum(NULL, 0), 0);
	/* wraps mod 256: 0xff + 0x02 */
	CHECK_EQ_INT(ft12_checksum((const uint8_t *)"\xff\x02", 2), 0x01);
}

static void
test_encode(void)
{
	uint8_t			 buf[FT12_FRAME_MAX];
	static const uint8_t	 digits_a012[FT12_DIGITS] = { 10, 10, 10, 0, 1, 2 };
	static const uint8_t	 digits_123456[FT12_DIGITS] = { 1, 2, 3, 4, 5, 6 };
	static const uint8_t	 bad_digit[FT12_DIGITS] = { 1, 2, 3, 0x0b, 5, 6 };
	int			 n;

	n = ft12_encode_display(0x01, digits_a012, buf, sizeof buf);
	CHECK_BYTES(buf, n, display_a012);
	n = ft12_encode_display(0x05, digits_123456, buf, sizeof buf);
	CHECK_BYTES(buf, n, display_123456);
	n = ft12_encode_beep(0x03, buf, sizeof buf);
	CHECK_BYTES(buf, n, beep_3);
	n = ft12_encode_key(0x05, FT12_KEY_CALL, buf, sizeof buf);
	CHECK_BYTES(buf, n, key_call_5);
	n = ft12_encode_key(0x07, 0x20, buf, sizeof buf);
	CHECK_BYTES(buf, n, key_unknown_7);

	/* digit cells: 0-9 and 0A only */
	CHECK_EQ_INT(ft12_encode_display(1, bad_digit, buf, sizeof buf), -FT12_E_ARG);

	/* buffer too small: one byte short, and exactly enough */
	CHECK_EQ_INT(ft12_encode_display(1, digits_a012, buf, 14), -FT12_E_SPACE);
	CHECK_EQ_INT(ft12_encode_display(1, digits_a012, buf, 15), 15);
	CHECK_EQ_INT(ft12_encode_beep(3, buf, 8), -FT12_E_SPACE);
	CHECK_EQ_INT(ft12_encode_beep(3, buf, 0), -FT12_E_SPACE);

	/* data length: 253 fits (L = 255), 254 does not */
	{
		uint8_t	 data[FT12_DATA_MAX + 1];

		memset(data, 0x01, sizeof data);
		n = ft12_encode(0x02, 0x09, data, FT12_DATA_MAX, buf, sizeof buf);
		CHECK_EQ_INT(n, FT12_FRAME_MAX);
		CHECK_EQ_INT(buf[2], 0xff);
		CHECK_EQ_INT(buf[3], 0xff);
		/* 0x02 + 0x09 + 253 * 0x01 = 264 → 0x08 */
		CHECK_EQ_INT(buf[FT12_FRAME_MAX - 2], 0x08);
		CHECK_EQ_INT(buf[FT12_FRAME_MAX - 1], 0x16);
		CHECK_EQ_INT(ft12_encode(0x02, 0x09, data, FT12_DATA_MAX + 1,
		    buf, sizeof buf), -FT12_E_ARG);
		CHECK_EQ_INT(ft12_encode(0x02, 0x09, NULL, 3, buf, sizeof buf),
		    -FT12_E_ARG);
	}
}

static void
test_digits_from_text(void)
{
	uint8_t	 d[FT12_DIGITS];

	CHECK_EQ_INT(ft12_digits_from_text("A012", d), 3);
	CHECK(memcmp(d, "\x0a\x0a\x0a\x00\x01\x02", 6) == 0);
	CHECK_EQ_INT(ft12_digits_from_text("123456", d), 6);
	CHECK(memcmp(d, "\x01\x02\x03\x04\x05\x06", 6) == 0);
	CHECK_EQ_INT(ft12_digits_from_text("", d), 0);
	CHECK(memcmp(d, "\x0a\x0a\x0a\x0a\x0a\x0a", 6) == 0);
	CHECK_EQ_INT(ft12_digits_from_text("VIP-7", d), 1);
	CHECK(memcmp(d, "\x0a\x0a\x0a\x0a\x0a\x07", 6) == 0);
	/* seven digits would be cut: refused, cells untouched */
	memset(d, 0x55, sizeof d);
	CHECK_EQ_INT(ft12_digits_from_text("B1234567", d), -FT12_E_ARG);
	CHECK_EQ_INT(d[0], 0x55);
	CHECK_EQ_INT(ft12_digits_from_text(NULL, d), -FT12_E_ARG);
}

static void
test_decode_keys(void)
{
	struct ft12_frame	 f;
	struct ft12_key		 k;
	size_t			 used;

	CHECK_EQ_INT(ft12_decode(key_call_5, sizeof key_call_5, &f, &used), 10);
	CHECK_EQ_INT(used, 10);
	CHECK_EQ_INT(f.addr, 0x05);
	CHECK_EQ_INT(f.func, FT12_FUNC_KEY);
	CHECK_EQ_INT(f.ndata, 1);
	CHECK_EQ_INT(ft12_key_parse(&f, &k), 0);
	CHECK_EQ_INT(k.addr, 5);
	CHECK_EQ_INT(k.code, 0x0c);
	CHECK_EQ_INT(k.kind, FT12_KIND_CALL);
	CHECK_EQ_INT(k.digit, -1);
	CHECK(strcmp(ft12_key_name(k.kind), "call") == 0);

	CHECK_EQ_INT(ft12_decode(key_confirm_5, sizeof key_confirm_5, &f, &used), 10);
	CHECK_EQ_INT(ft12_key_parse(&f, &k), 0);
	CHECK_EQ_INT(k.kind, FT12_KIND_CONFIRM);

	CHECK_EQ_INT(ft12_decode(key_digit6_5, sizeof key_digit6_5, &f, &used), 10);
	CHECK_EQ_INT(ft12_key_parse(&f, &k), 0);
	CHECK_EQ_INT(k.kind, FT12_KIND_DIGIT);
	CHECK_EQ_INT(k.digit, 6);

	CHECK_EQ_INT(ft12_decode(key_call_ff, sizeof key_call_ff, &f, &used), 10);
	CHECK_EQ_INT(f.addr, 0xff);
	CHECK_EQ_INT(ft12_key_parse(&f, &k), 0);
	CHECK_EQ_INT(k.kind, FT12_KIND_CALL);

	/* unknown key: reported with its code, not dropped */
	CHECK_EQ_INT(ft12_decode(key_unknown_7, sizeof key_unknown_7, &f, &used), 10);
	CHECK_EQ_INT(ft12_key_parse(&f, &k), 0);
	CHECK_EQ_INT(k.addr, 7);
	CHECK_EQ_INT(k.kind, FT12_KIND_UNKNOWN);
	CHECK_EQ_INT(k.code, 0x20);
	CHECK(strcmp(ft12_key_name(k.kind), "unknown") == 0);

	/* every listed code maps */
	{
		static const struct { uint8_t c; enum ft12_key_kind k; } m[] = {
			{ 0x0b, FT12_KIND_EVALUATE }, { 0x0c, FT12_KIND_CALL },
			{ 0x0d, FT12_KIND_RECALL }, { 0x0f, FT12_KIND_CONFIRM },
			{ 0x12, FT12_KIND_PAUSE }, { 0x13, FT12_KIND_TRANSFER },
			{ 0x00, FT12_KIND_DIGIT }, { 0x09, FT12_KIND_DIGIT },
			{ 0x0a, FT12_KIND_UNKNOWN }, { 0x0e, FT12_KIND_UNKNOWN },
			{ 0x10, FT12_KIND_UNKNOWN }, { 0xff, FT12_KIND_UNKNOWN },
		};
		uint8_t	 buf[FT12_FRAME_MAX];
		size_t	 i;
		int	 n;

		for (i = 0; i < sizeof m / sizeof m[0]; i++) {
			n = ft12_encode_key(0x11, m[i].c, buf, sizeof buf);
			CHECK_EQ_INT(ft12_decode(buf, (size_t)n, &f, &used), 10);
			CHECK_EQ_INT(ft12_key_parse(&f, &k), 0);
			CHECK_EQ_INT(k.kind, m[i].k);
			CHECK_EQ_INT(k.code, m[i].c);
		}
	}

	/* a key parse of something else */
	CHECK_EQ_INT(ft12_decode(beep_3, sizeof beep_3, &f, &used), 9);
	CHECK_EQ_INT(ft12_key_parse(&f, &k), -FT12_E_FUNC);
	{
		static const uint8_t two_keys[] = {	/* FUNC 01 with 2 data bytes */
			0xff, 0x68, 0x04, 0x04, 0x68, 0x05, 0x01, 0x0c, 0x0d,
			0x1f, 0x16 };

		CHECK_EQ_INT(ft12_decode(two_keys, sizeof two_keys, &f, &used), 11);
		CHECK_EQ_INT(ft12_key_parse(&f, &k), -FT12_E_DATA);
	}
}

static void
test_decode_display(void)
{
	struct ft12_frame	 f;
	uint8_t			 d[FT12_DIGITS];
	size_t			 used;

	CHECK_EQ_INT(ft12_decode(display_a012, sizeof display_a012, &f, &used), 15);
	CHECK_EQ_INT(f.addr, 1);
	CHECK_EQ_INT(f.ndata, 6);
	CHECK_EQ_INT(ft12_display_parse(&f, d), 0);
	CHECK(memcmp(d, "\x0a\x0a\x0a\x00\x01\x02", 6) == 0);

	CHECK_EQ_INT(ft12_decode(key_call_5, sizeof key_call_5, &f, &used), 10);
	CHECK_EQ_INT(ft12_display_parse(&f, d), -FT12_E_FUNC);

	{
		static const uint8_t bad_cell[] = {	/* cell value 0x0b */
			0xff, 0x68, 0x08, 0x08, 0x68, 0x01, 0x02,
			0x0b, 0x0a, 0x0a, 0x00, 0x01, 0x02, 0x25, 0x16 };
		static const uint8_t short_cells[] = {	/* 5 cells */
			0xff, 0x68, 0x07, 0x07, 0x68, 0x01, 0x02,
			0x0a, 0x0a, 0x00, 0x01, 0x02, 0x1a, 0x16 };

		CHECK_EQ_INT(ft12_decode(bad_cell, sizeof bad_cell, &f, &used), 15);
		CHECK_EQ_INT(ft12_display_parse(&f, d), -FT12_E_DATA);
		CHECK_EQ_INT(ft12_decode(short_cells, sizeof short_cells, &f, &used), 14);
		CHECK_EQ_INT(ft12_display_parse(&f, d), -FT12_E_DATA);
	}
}

static void
test_decode_errors(void)
{
	struct ft12_frame	 f;
	uint8_t			 b[64];
	size_t			 used;

	/* bad checksum */
	memcpy(b, key_call_5, sizeof key_call_5);
	b[8] = 0x13;
	CHECK_EQ_INT(ft12_decode(b, sizeof key_call_5, &f, &used), -FT12_E_CHECKSUM);
	CHECK_EQ_INT(used, 1);

	/* a data byte flipped: checksum no longer matches */
	memcpy(b, display_a012, sizeof display_a012);
	b[10] = 0x01;
	CHECK_EQ_INT(ft12_decode(b, sizeof display_a012, &f, &used), -FT12_E_CHECKSUM);

	/* L below 2 */
	{
		static const uint8_t l1[] = { 0xff, 0x68, 0x01, 0x01, 0x68, 0x05, 0x05, 0x16 };
		static const uint8_t l0[] = { 0xff, 0x68, 0x00, 0x00, 0x68, 0x00, 0x16 };

		CHECK_EQ_INT(ft12_decode(l1, sizeof l1, &f, &used), -FT12_E_LEN);
		CHECK_EQ_INT(used, 1);
		CHECK_EQ_INT(ft12_decode(l0, sizeof l0, &f, &used), -FT12_E_LEN);
	}

	/* mismatched L bytes */
	memcpy(b, key_call_5, sizeof key_call_5);
	b[3] = 0x04;
	CHECK_EQ_INT(ft12_decode(b, sizeof key_call_5, &f, &used), -FT12_E_LEN_MISMATCH);
	CHECK_EQ_INT(used, 1);

	/* second 68 missing */
	memcpy(b, key_call_5, sizeof key_call_5);
	b[4] = 0x69;
	CHECK_EQ_INT(ft12_decode(b, sizeof key_call_5, &f, &used), -FT12_E_START);
	CHECK_EQ_INT(used, 1);

	/* missing 16 */
	memcpy(b, key_call_5, sizeof key_call_5);
	b[9] = 0x17;
	CHECK_EQ_INT(ft12_decode(b, sizeof key_call_5, &f, &used), -FT12_E_END);
	CHECK_EQ_INT(used, 1);

	/* truncated at every length: need more, nothing dropped */
	{
		size_t	 n;

		for (n = 0; n < sizeof display_a012; n++) {
			CHECK_EQ_INT(ft12_decode(display_a012, n, &f, &used), -FT12_E_NEED);
			CHECK_EQ_INT(used, 0);
		}
	}

	/* garbage only: all of it may go; a trailing FF is kept */
	{
		static const uint8_t junk[] = { 0x00, 0x68, 0x16, 0x12 };
		static const uint8_t junk_ff[] = { 0x00, 0x68, 0xff };
		static const uint8_t ff_not_68[] = { 0xff, 0x67, 0xff, 0x00 };

		CHECK_EQ_INT(ft12_decode(junk, sizeof junk, &f, &used), -FT12_E_NEED);
		CHECK_EQ_INT(used, 4);
		CHECK_EQ_INT(ft12_decode(junk_ff, sizeof junk_ff, &f, &used), -FT12_E_NEED);
		CHECK_EQ_INT(used, 2);
		CHECK_EQ_INT(ft12_decode(ff_not_68, sizeof ff_not_68, &f, &used), -FT12_E_NEED);
		CHECK_EQ_INT(used, 4);
	}

	CHECK(strcmp(ft12_strerror(-FT12_E_CHECKSUM), "bad checksum") == 0);
	CHECK(strcmp(ft12_strerror(FT12_E_END), "end byte 16 missing") == 0);
	CHECK(strcmp(ft12_strerror(-FT12_E_MAX), "unknown error") == 0);
	CHECK(strcmp(ft12_strerror(-1000), "unknown error") == 0);
}

static void
test_stream(void)
{
	struct ft12_frame	 f;
	struct ft12_key		 k;
	uint8_t			 s[128];
	size_t			 n = 0, used, off;
	int			 r;

	/* garbage, a frame, a frame broken by a lost byte, extra FF wake
	 * bytes, then a frame */
	memcpy(s + n, "\x00\x12\xff\x16\x68", 5);
	n += 5;
	memcpy(s + n, key_call_5, sizeof key_call_5);
	n += sizeof key_call_5;
	memcpy(s + n, key_confirm_5, 6);		/* cut after FUNC */
	n += 6;
	memcpy(s + n, "\xff\xff", 2);
	n += 2;
	memcpy(s + n, key_digit6_5, sizeof key_digit6_5);
	n += sizeof key_digit6_5;

	off = 0;
	r = ft12_decode(s + off, n - off, &f, &used);
	CHECK_EQ_INT(r, 10);
	CHECK_EQ_INT(used, 15);			/* 5 garbage bytes skipped */
	CHECK_EQ_INT(ft12_key_parse(&f, &k), 0);
	CHECK_EQ_INT(k.kind, FT12_KIND_CALL);
	off += used;

	/* the broken frame reads L = 3 and runs into the next frame: its
	 * stop byte is wrong, it is dropped, then we resynchronise */
	r = ft12_decode(s + off, n - off, &f, &used);
	CHECK_EQ_INT(r, -FT12_E_END);
	CHECK_EQ_INT(used, 1);
	off += used;
	r = ft12_decode(s + off, n - off, &f, &used);
	CHECK_EQ_INT(r, 10);
	CHECK_EQ_INT(used, 7 + 10);		/* 5 left of the broken frame, FF FF */
	CHECK_EQ_INT(ft12_key_parse(&f, &k), 0);
	CHECK_EQ_INT(k.kind, FT12_KIND_DIGIT);
	CHECK_EQ_INT(k.digit, 6);
	off += used;
	CHECK_EQ_INT(off, n);
	CHECK_EQ_INT(ft12_decode(s + off, n - off, &f, &used), -FT12_E_NEED);
	CHECK_EQ_INT(used, 0);

	/* byte by byte: need more until the last byte */
	{
		size_t	 i;
		int	 frames = 0, needs = 0;

		for (i = 1; i <= sizeof key_call_5; i++) {
			r = ft12_decode(key_call_5, i, &f, &used);
			if (r == -FT12_E_NEED)
				needs++;
			else if (r == 10)
				frames++;
		}
		CHECK_EQ_INT(needs, 9);
		CHECK_EQ_INT(frames, 1);
	}

	/* two frames back to back */
	memcpy(s, display_a012, sizeof display_a012);
	memcpy(s + sizeof display_a012, beep_3, sizeof beep_3);
	n = sizeof display_a012 + sizeof beep_3;
	CHECK_EQ_INT(ft12_decode(s, n, &f, &used), 15);
	CHECK_EQ_INT(f.func, FT12_FUNC_DISPLAY);
	CHECK_EQ_INT(ft12_decode(s + used, n - used, &f, &used), 9);
	CHECK_EQ_INT(f.func, FT12_FUNC_BEEP);
	CHECK_EQ_INT(f.addr, 3);
	CHECK_EQ_INT(f.ndata, 0);
}

static void
test_round_trip(void)
{
	struct ft12_frame	 f;
	uint8_t			 buf[FT12_FRAME_MAX], echo[FT12_FRAME_MAX];
	uint8_t			 data[FT12_DATA_MAX];
	size_t			 used, nd;
	int			 n, m;

	/* the host's ack of a key frame is the same bytes */
	CHECK_EQ_INT(ft12_decode(key_call_5, sizeof key_call_5, &f, &used), 10);
	n = ft12_encode_echo(&f, echo, sizeof echo);
	CHECK_BYTES(echo, n, key_call_5);
	CHECK_EQ_INT(ft12_encode_echo(&f, echo, 9), -FT12_E_SPACE);

	/* every data length, every address byte pattern */
	for (nd = 0; nd <= FT12_DATA_MAX; nd += 23) {
		size_t	 i;

		for (i = 0; i < nd; i++)
			data[i] = (uint8_t)(i * 37 + nd);
		n = ft12_encode((uint8_t)nd, 0x68, data, nd, buf, sizeof buf);
		CHECK_EQ_INT(n, (int)(nd + 9));
		m = ft12_decode(buf, (size_t)n, &f, &used);
		CHECK_EQ_INT(m, n);
		CHECK_EQ_INT(f.addr, (uint8_t)nd);
		CHECK_EQ_INT(f.func, 0x68);
		CHECK_EQ_INT(f.ndata, nd);
		CHECK(memcmp(f.data, data, nd) == 0);
		m = ft12_encode_echo(&f, echo, sizeof echo);
		CHECK(m == n && memcmp(echo, buf, (size_t)n) == 0);
	}
}

int
main(void)
{
	test_checksum();
	test_encode();
	test_digits_from_text();
	test_decode_keys();
	test_decode_display();
	test_decode_errors();
	test_stream();
	test_round_trip();
	return t_done("ft12");
}

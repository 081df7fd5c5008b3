/* test_bx.c — protocols/bx.c against byte vectors worked out by hand and
 * with an independent Python encoder (CRC-16/ARC, escapes, GB2312 bytes),
 * plus two frames published elsewhere: Onbon's ping example and a BX-5K
 * dynamic-area frame captured from a field installation. */
#include <stdio.h>
#include <string.h>

#include "bx.h"
#include "t.h"

#define BYTES_EQ(buf, n, vec) do {					\
	CHECK_EQ_INT((n), sizeof(vec));					\
	CHECK((n) >= 0 && (size_t)(n) == sizeof(vec) &&			\
	    memcmp((buf), (vec), sizeof(vec)) == 0);			\
} while (0)

/* Ping (A2 00) to screen 1: the example in LuckyKoala/BX5KProtocol. */
static const uint8_t ping_vec[] = {
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0x01, 0x00, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x05, 0x00, 0xa2, 0x00,
	0x01, 0x00, 0x00, 0x68, 0xf8, 0x5a,
};

/* Address 0x5AA5, cmd A3 7F, payload A5 A6 5A 5B 00: every escape. */
static const uint8_t esc_payload[] = { 0xa5, 0xa6, 0x5a, 0x5b, 0x00 };
static const uint8_t esc_vec[] = {
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa6, 0x02, 0x5b, 0x02,
	0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x0a, 0x00,
	0xa3, 0x7f, 0x01, 0x00, 0x00, 0xa6, 0x02, 0xa6, 0x01, 0x5b, 0x02, 0x5b,
	0x01, 0x00, 0xcf, 0x48, 0x5a,
};

/* Ping with payload 0x80: its CRC 0x5BB8 goes out as B8 5B 01. */
static const uint8_t crcesc_vec[] = {
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0x01, 0x00, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x06, 0x00, 0xa2, 0x00,
	0x01, 0x00, 0x00, 0x80, 0xb8, 0x5b, 0x01, 0x5a,
};

/* "A012 请到3号窗口" in GB2312. */
static const uint8_t call_gb[] = {
	0x41, 0x30, 0x31, 0x32, 0x20, 0xc7, 0xeb, 0xb5, 0xbd, 0x33, 0xba, 0xc5,
	0xb4, 0xb0, 0xbf, 0xda,
};

/* That text to screen 3, area 0 at 0,0 size 128x16, static, one line. */
static const uint8_t text_vec[] = {
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0x03, 0x00, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x3a, 0x00, 0xa3, 0x06,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x5c, 0x46,
	0x4f, 0x30, 0x30, 0x30, 0x41, 0x30, 0x31, 0x32, 0x20, 0xc7, 0xeb, 0xb5,
	0xbd, 0x33, 0xba, 0xc5, 0xb4, 0xb0, 0xbf, 0xda, 0x63, 0xa3, 0x5a,
};

/* Captured in the field (an environmental display, no reply wanted):
 * area 2 at x 0, y 36, 96x12, "\FO000AIRPRE:1016.0hPa", CRC 0x724A. */
static const uint8_t field_vec[] = {
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0x01, 0x00, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x3a, 0x00, 0xa3, 0x06,
	0x02, 0x00, 0x00, 0x00, 0x01, 0x31, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00,
	0x0c, 0x00, 0x0c, 0x00, 0x02, 0x0a, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x01, 0x01, 0x00, 0x17, 0x02, 0x16, 0x00, 0x00, 0x00, 0x5c, 0x46,
	0x4f, 0x30, 0x30, 0x30, 0x41, 0x49, 0x52, 0x50, 0x52, 0x45, 0x3a, 0x31,
	0x30, 0x31, 0x36, 0x2e, 0x30, 0x68, 0x50, 0x61, 0x4a, 0x72, 0x5a,
};

/* Replies from screen 1: ACK, and NACK ERR_BUSY. */
static const uint8_t ack_vec[] = {
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0x00, 0x80, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x05, 0x00, 0xa0, 0x00,
	0x00, 0x00, 0x00, 0x64, 0xdc, 0x5a,
};
static const uint8_t nack_busy_vec[] = {
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0x00, 0x80, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x05, 0x00, 0xa0, 0x01,
	0x03, 0x00, 0x00, 0x95, 0x20, 0x5a,
};

static struct bx_frame	fr;
static uint8_t		out[BX_WIRE_MAX];

static void
test_crc(void)
{
	static const uint8_t ping_raw[] = {
		0x01, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xfe, 0x02, 0x05, 0x00, 0xa2, 0x00, 0x01, 0x00, 0x00,
	};

	CHECK_EQ_INT(bx_crc16((const uint8_t *)"123456789", 9), 0xBB3D);
	CHECK_EQ_INT(bx_crc16(NULL, 0), 0x0000);
	CHECK_EQ_INT(bx_crc16(ping_raw, sizeof(ping_raw)), 0xF868);
}

static void
test_encode(void)
{
	int	n;

	n = bx_frame_encode(0x0001, BX_GROUP_SYSTEM, 0x00, NULL, 0, out,
	    sizeof(out));
	BYTES_EQ(out, n, ping_vec);

	n = bx_frame_encode(0x5AA5, BX_GROUP_DISPLAY, 0x7F, esc_payload,
	    sizeof(esc_payload), out, sizeof(out));
	BYTES_EQ(out, n, esc_vec);

	n = bx_frame_encode(0x0001, BX_GROUP_SYSTEM, 0x00,
	    (const uint8_t *)"\x80", 1, out, sizeof(out));
	BYTES_EQ(out, n, crcesc_vec);
}

static void
test_text(void)
{
	struct bx_text	t;
	uint8_t		pl[BX_PAYLOAD_MAX];
	int		n;

	memset(&t, 0, sizeof(t));
	t.area = 0;
	t.width = 128;
	t.height = 16;
	t.mode = BX_MODE_STATIC;
	t.text = call_gb;
	t.text_len = sizeof(call_gb);
	n = bx_encode_text(3, &t, out, sizeof(out));
	BYTES_EQ(out, n, text_vec);

	/* the payload alone: 4 + 27 + 6 + 16 bytes, text after "\FO000" */
	n = bx_text_payload(&t, pl, sizeof(pl));
	CHECK_EQ_INT(n, 53);
	CHECK(memcmp(pl + 31, "\\FO000", 6) == 0);
	CHECK(memcmp(pl + 37, call_gb, sizeof(call_gb)) == 0);

	/* the fields that vary: multi-line, quick mode, speed, stay, area */
	t.multi_line = 1;
	t.mode = BX_MODE_QUICK;
	t.speed = 0x05;
	t.stay = 0x04;
	t.area = 7;
	t.x = 16;
	t.y = 20;
	n = bx_text_payload(&t, pl, sizeof(pl));
	CHECK_EQ_INT(n, 53);
	CHECK_EQ_INT(pl[4 + 1], 2);	/* x 16 px = 2 columns */
	CHECK_EQ_INT(pl[4 + 3], 20);	/* y in pixels */
	CHECK_EQ_INT(pl[4 + 9], 7);
	CHECK_EQ_INT(pl[4 + 17], 0x02);
	CHECK_EQ_INT(pl[4 + 18], 0x02);
	CHECK_EQ_INT(pl[4 + 19], 0x02);
	CHECK_EQ_INT(pl[4 + 21], 0x05);
	CHECK_EQ_INT(pl[4 + 22], 0x04);

	/* bad arguments */
	t.x = 3;
	CHECK_EQ_INT(bx_text_payload(&t, pl, sizeof(pl)), -BX_BAD_ARG);
	t.x = 0;
	t.width = 100;
	CHECK_EQ_INT(bx_text_payload(&t, pl, sizeof(pl)), -BX_BAD_ARG);
	t.width = 128;
	t.mode = (enum bx_mode)0;
	CHECK_EQ_INT(bx_text_payload(&t, pl, sizeof(pl)), -BX_BAD_ARG);
	t.mode = BX_MODE_MAX;
	CHECK_EQ_INT(bx_encode_text(1, &t, out, sizeof(out)), -BX_BAD_ARG);
	t.mode = BX_MODE_LEFT;
	t.speed = 0x19;
	CHECK_EQ_INT(bx_text_payload(&t, pl, sizeof(pl)), -BX_BAD_ARG);
	t.speed = 0;
	t.height = 0;
	CHECK_EQ_INT(bx_text_payload(&t, pl, sizeof(pl)), -BX_BAD_ARG);
	t.height = 16;

	/* limits: the largest text fits, one more byte does not */
	{
		static uint8_t big[BX_PAYLOAD_MAX + 1];
		size_t max = BX_PAYLOAD_MAX - 4 - 27 - 6;

		memset(big, 'x', sizeof(big));
		t.text = big;
		t.text_len = max;
		n = bx_encode_text(1, &t, out, sizeof(out));
		CHECK(n > 0);
		CHECK_EQ_INT(bx_decode(out, (size_t)n, &fr, &(size_t){0}), 0);
		CHECK_EQ_INT(fr.payload_len, BX_PAYLOAD_MAX);
		t.text_len = max + 1;
		CHECK_EQ_INT(bx_encode_text(1, &t, out, sizeof(out)),
		    -BX_TOO_LONG);
		t.text_len = sizeof(big);
		CHECK_EQ_INT(bx_text_payload(&t, pl, sizeof(pl)),
		    -BX_TOO_LONG);
	}
}

static void
test_small_buffer(void)
{
	struct bx_text	t;
	uint8_t		pl[10];
	size_t		i;
	int		n;

	/* every cap short of the frame fails without writing past it */
	for (i = 0; i < sizeof(esc_vec); i++) {
		memset(out, 0xEE, sizeof(out));
		n = bx_frame_encode(0x5AA5, BX_GROUP_DISPLAY, 0x7F,
		    esc_payload, sizeof(esc_payload), out, i);
		CHECK_EQ_INT(n, -BX_NO_SPACE);
		CHECK_EQ_INT(out[i], 0xEE);
	}
	n = bx_frame_encode(0x5AA5, BX_GROUP_DISPLAY, 0x7F, esc_payload,
	    sizeof(esc_payload), out, sizeof(esc_vec));
	CHECK_EQ_INT(n, sizeof(esc_vec));

	memset(&t, 0, sizeof(t));
	t.width = 64;
	t.height = 16;
	t.mode = BX_MODE_STATIC;
	t.text = call_gb;
	t.text_len = sizeof(call_gb);
	CHECK_EQ_INT(bx_text_payload(&t, pl, sizeof(pl)), -BX_NO_SPACE);
	CHECK_EQ_INT(bx_encode_text(3, &t, out, 40), -BX_NO_SPACE);

	static uint8_t big[BX_PAYLOAD_MAX + 1];
	CHECK_EQ_INT(bx_frame_encode(1, 0xA3, 0x06, big, sizeof(big), out,
	    sizeof(out)), -BX_TOO_LONG);
}

static void
test_decode(void)
{
	uint8_t	buf[256];
	size_t	used;

	/* the captured field frame */
	CHECK_EQ_INT(bx_decode(field_vec, sizeof(field_vec), &fr, &used), 0);
	CHECK_EQ_INT(used, sizeof(field_vec));
	CHECK_EQ_INT(fr.dst, 0x0001);
	CHECK_EQ_INT(fr.src, 0x8000);
	CHECK_EQ_INT(fr.device_type, 0xFE);
	CHECK_EQ_INT(fr.version, 0x02);
	CHECK_EQ_INT(fr.group, 0xA3);
	CHECK_EQ_INT(fr.cmd, 0x06);
	CHECK_EQ_INT(fr.flag, BX_FLAG_NO_REPLY);
	CHECK_EQ_INT(fr.payload_len, 53);
	CHECK_EQ_INT(fr.payload[1], 1);		/* one area */
	CHECK_EQ_INT(fr.payload[2], 0x31);	/* area length 49 */
	CHECK_EQ_INT(fr.payload[4 + 3], 36);	/* y */
	CHECK_EQ_INT(fr.payload[4 + 9], 2);	/* area number */
	CHECK(memcmp(fr.payload + 31, "\\FO000AIRPRE:1016.0hPa", 22) == 0);

	/* escapes undone, CRC with an escaped byte */
	CHECK_EQ_INT(bx_decode(esc_vec, sizeof(esc_vec), &fr, &used), 0);
	CHECK_EQ_INT(fr.dst, 0x5AA5);
	CHECK_EQ_INT(fr.cmd, 0x7F);
	CHECK_EQ_INT(fr.payload_len, sizeof(esc_payload));
	CHECK(memcmp(fr.payload, esc_payload, sizeof(esc_payload)) == 0);
	CHECK_EQ_INT(bx_decode(crcesc_vec, sizeof(crcesc_vec), &fr, &used), 0);
	CHECK_EQ_INT(fr.payload_len, 1);
	CHECK_EQ_INT(fr.payload[0], 0x80);

	/* garbage before, one A5 of preamble is enough, two frames */
	memcpy(buf, "\x00\x13zz\x5a", 5);
	memcpy(buf + 5, ping_vec + 7, sizeof(ping_vec) - 7);
	memcpy(buf + 5 + sizeof(ping_vec) - 7, ack_vec, sizeof(ack_vec));
	CHECK_EQ_INT(bx_decode(buf, 5 + sizeof(ping_vec) - 7 + sizeof(ack_vec),
	    &fr, &used), 0);
	CHECK_EQ_INT(used, 5 + sizeof(ping_vec) - 7);
	CHECK_EQ_INT(fr.group, 0xA2);
	CHECK_EQ_INT(bx_decode(buf + used, sizeof(ack_vec), &fr, &used), 0);
	CHECK_EQ_INT(used, sizeof(ack_vec));
	CHECK_EQ_INT(fr.group, 0xA0);

	/* round trip through the text encoder */
	{
		struct bx_text t;
		int n;

		memset(&t, 0, sizeof(t));
		t.width = 128;
		t.height = 16;
		t.mode = BX_MODE_LEFT;
		t.text = call_gb;
		t.text_len = sizeof(call_gb);
		n = bx_encode_text(0x1234, &t, out, sizeof(out));
		CHECK(n > 0);
		CHECK_EQ_INT(bx_decode(out, (size_t)n, &fr, &used), 0);
		CHECK_EQ_INT(used, n);
		CHECK_EQ_INT(fr.dst, 0x1234);
		CHECK_EQ_INT(fr.flag, BX_FLAG_REPLY);
		CHECK_EQ_INT(fr.payload[4 + 19], BX_MODE_LEFT);
		CHECK(memcmp(fr.payload + 37, call_gb, sizeof(call_gb)) == 0);
	}
}

static void
test_decode_errors(void)
{
	uint8_t	buf[256];
	size_t	used, i;

	/* nothing but garbage: all of it dropped */
	CHECK_EQ_INT(bx_decode((const uint8_t *)"abc", 3, &fr, &used),
	    -BX_NEED_MORE);
	CHECK_EQ_INT(used, 3);
	CHECK_EQ_INT(bx_decode(buf, 0, &fr, &used), -BX_NEED_MORE);
	CHECK_EQ_INT(used, 0);

	/* every truncation needs more and keeps the partial frame */
	for (i = 1; i < sizeof(ping_vec); i++) {
		memcpy(buf, "xy", 2);
		memcpy(buf + 2, ping_vec, i);
		CHECK_EQ_INT(bx_decode(buf, i + 2, &fr, &used), -BX_NEED_MORE);
		CHECK_EQ_INT(used, 2);
	}

	/* bad CRC: last CRC byte changed; the frame is dropped */
	memcpy(buf, ping_vec, sizeof(ping_vec));
	buf[sizeof(ping_vec) - 2] ^= 0x01;
	CHECK_EQ_INT(bx_decode(buf, sizeof(ping_vec), &fr, &used), -BX_BAD_CRC);
	CHECK_EQ_INT(used, sizeof(ping_vec));
	/* bad CRC: a payload bit flipped */
	memcpy(buf, ping_vec, sizeof(ping_vec));
	buf[22] = 0xA1;
	CHECK_EQ_INT(bx_decode(buf, sizeof(ping_vec), &fr, &used), -BX_BAD_CRC);

	/* header length 6 where the frame carries 5 */
	memcpy(buf, ping_vec, sizeof(ping_vec));
	buf[20] = 0x06;
	CHECK_EQ_INT(bx_decode(buf, sizeof(ping_vec), &fr, &used),
	    -BX_BAD_LENGTH);
	CHECK_EQ_INT(used, sizeof(ping_vec));
	/* a byte missing in the middle */
	memcpy(buf, ping_vec, 15);
	memcpy(buf + 15, ping_vec + 16, sizeof(ping_vec) - 16);
	CHECK_EQ_INT(bx_decode(buf, sizeof(ping_vec) - 1, &fr, &used),
	    -BX_BAD_LENGTH);
	/* too short to hold a header */
	CHECK_EQ_INT(bx_decode((const uint8_t *)"\xa5\xa5\x01\x02\x5a", 5, &fr,
	    &used), -BX_BAD_LENGTH);
	CHECK_EQ_INT(used, 5);
	/* an empty frame */
	CHECK_EQ_INT(bx_decode((const uint8_t *)"\xa5\x5a", 2, &fr, &used),
	    -BX_BAD_LENGTH);

	/* bad escapes: A6 03, 5B 00, A6 at the end */
	memcpy(buf, ping_vec, sizeof(ping_vec));
	buf[12] = 0xA6;
	buf[13] = 0x03;
	CHECK_EQ_INT(bx_decode(buf, sizeof(ping_vec), &fr, &used),
	    -BX_BAD_ESCAPE);
	CHECK_EQ_INT(used, sizeof(ping_vec));
	buf[12] = 0x5B;
	buf[13] = 0x00;
	CHECK_EQ_INT(bx_decode(buf, sizeof(ping_vec), &fr, &used),
	    -BX_BAD_ESCAPE);
	CHECK_EQ_INT(bx_decode((const uint8_t *)"\xa5\x01\xa6\x5a", 4, &fr,
	    &used), -BX_BAD_ESCAPE);

	/* a frame cut off by the next one: drop up to the new start */
	memcpy(buf, ping_vec, 20);
	memcpy(buf + 20, ack_vec, sizeof(ack_vec));
	CHECK_EQ_INT(bx_decode(buf, 20 + sizeof(ack_vec), &fr, &used),
	    -BX_BAD_FRAME);
	CHECK_EQ_INT(used, 20);
	CHECK_EQ_INT(bx_decode(buf + used, sizeof(ack_vec), &fr, &used), 0);
	CHECK_EQ_INT(fr.group, 0xA0);

	/* no end byte where one must have come: dropped, not buffered */
	{
		static uint8_t junk[2 * BX_RAW_MAX + 16];

		memset(junk, 0x11, sizeof(junk));
		junk[0] = 0xA5;
		CHECK_EQ_INT(bx_decode(junk, sizeof(junk), &fr, &used),
		    -BX_BAD_LENGTH);
		CHECK_EQ_INT(used, sizeof(junk));
		/* the same bytes within the bound still wait */
		CHECK_EQ_INT(bx_decode(junk, 2 * BX_RAW_MAX, &fr, &used),
		    -BX_NEED_MORE);
		CHECK_EQ_INT(used, 0);
		/* unescaped, more than a frame can hold */
		junk[2 * BX_RAW_MAX] = 0x5A;
		CHECK_EQ_INT(bx_decode(junk, 2 * BX_RAW_MAX + 1, &fr, &used),
		    -BX_BAD_LENGTH);
		CHECK_EQ_INT(used, 2 * BX_RAW_MAX + 1);
	}
}

static void
test_reply(void)
{
	struct bx_reply	r;
	struct bx_frame	g;
	size_t		used;
	unsigned int	st;
	int		n;

	CHECK_EQ_INT(bx_decode(ack_vec, sizeof(ack_vec), &fr, &used), 0);
	CHECK_EQ_INT(bx_reply_parse(&fr, &r), 0);
	CHECK_EQ_INT(r.ack, 1);
	CHECK_EQ_INT(r.status, BX_ST_OK);
	CHECK_EQ_INT(r.addr, 0x0001);

	CHECK_EQ_INT(bx_decode(nack_busy_vec, sizeof(nack_busy_vec), &fr,
	    &used), 0);
	CHECK_EQ_INT(bx_reply_parse(&fr, &r), 0);
	CHECK_EQ_INT(r.ack, 0);
	CHECK_EQ_INT(r.status, BX_ST_BUSY);
	CHECK(strcmp(bx_status_name(r.status), "ERR_BUSY") == 0);

	/* a request is not a reply */
	CHECK_EQ_INT(bx_decode(ping_vec, sizeof(ping_vec), &fr, &used), 0);
	CHECK_EQ_INT(bx_reply_parse(&fr, &r), -BX_NOT_REPLY);
	fr.group = BX_GROUP_REPLY;
	fr.cmd = 0x07;
	CHECK_EQ_INT(bx_reply_parse(&fr, &r), -BX_NOT_REPLY);

	/* every documented error code, built, decoded and named */
	{
		static const char *const names[] = {
			"ERR_NO", "ERR_OUTOFGROUP", "ERR_NOCMD", "ERR_BUSY",
			"ERR_MEMORYVOLUME", "ERR_CHECKSUM", "ERR_FILENOTEXIST",
			"ERR_FLASH", "ERR_FILE_DOWNLOAD", "ERR_FILE_NAME",
			"ERR_FILE_TYPE", "ERR_FILE_CRC16", "ERR_FONT_NOT_EXIST",
			"ERR_FIRMWARE_TYPE", "ERR_DATE_TIME_FORMAT",
			"ERR_FILE_EXIST", "ERR_FILE_BLOCK_NUM",
		};

		CHECK_EQ_INT(sizeof(names) / sizeof(names[0]), BX_ST_MAX);
		for (st = 0; st < BX_ST_MAX; st++) {
			memset(&g, 0, sizeof(g));
			g.dst = BX_ADDR_SRC;
			g.src = 9;
			g.device_type = BX_DEVICE_ANY;
			g.version = BX_PROTOCOL_VERSION;
			g.group = BX_GROUP_REPLY;
			g.cmd = st == 0 ? BX_CMD_ACK : BX_CMD_NACK;
			g.flag = (uint8_t)st;
			n = bx_frame_build(&g, out, sizeof(out));
			CHECK(n > 0);
			CHECK_EQ_INT(bx_decode(out, (size_t)n, &fr, &used), 0);
			CHECK_EQ_INT(bx_reply_parse(&fr, &r), 0);
			CHECK_EQ_INT(r.status, st);
			CHECK_EQ_INT(r.ack, st == 0);
			CHECK_EQ_INT(r.addr, 9);
			CHECK(strcmp(bx_status_name(st), names[st]) == 0);
		}
	}
	/* NACK with code 0 is still a refusal */
	memset(&g, 0, sizeof(g));
	g.group = BX_GROUP_REPLY;
	g.cmd = BX_CMD_NACK;
	CHECK_EQ_INT(bx_reply_parse(&g, &r), 0);
	CHECK_EQ_INT(r.ack, 0);
	CHECK(strcmp(bx_status_name(0x11), "ERR_UNKNOWN") == 0);
	CHECK(strcmp(bx_status_name(0xFF), "ERR_UNKNOWN") == 0);
}

static void
test_strerror(void)
{
	int	e;

	for (e = 0; e < BX_ERROR_MAX; e++) {
		CHECK(bx_strerror(e) != NULL);
		CHECK(bx_strerror(-e) == bx_strerror(e));
	}
	CHECK(strcmp(bx_strerror(-BX_BAD_CRC), "bad CRC") == 0);
	CHECK(strcmp(bx_strerror(-BX_NEED_MORE),
	    "partial frame, need more bytes") == 0);
	CHECK(strcmp(bx_strerror(BX_ERROR_MAX), "unknown error") == 0);
	CHECK(strcmp(bx_strerror(-1000), "unknown error") == 0);
}

int
main(void)
{
	test_crc();
	test_encode();
	test_text();
	test_small_buffer();
	test_decode();
	test_decode_errors();
	test_reply();
	test_strerror();
	return t_done("bx");
}

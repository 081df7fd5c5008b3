/* test_modbus.c — the Modbus RTU codec against hand-checked byte vectors
 * (CRCs computed apart with /usr/bin/python3), bounds, every reply error path,
 * exception replies, text packing and round trips.  Links modbus.c. */
#include <stdint.h>
#include <string.h>

#include "modbus.h"
#include "t.h"

#define CHECK_BYTES(got, n, want) do {					\
	CHECK_EQ_INT((n), (int)sizeof(want));				\
	CHECK((n) == (int)sizeof(want) && memcmp((got), (want), sizeof(want)) == 0); \
} while (0)

/* Requests. */
static const uint8_t rd_hold_1_0_10[] = {	/* the classic example */
	0x01, 0x03, 0x00, 0x00, 0x00, 0x0a, 0xc5, 0xcd };
static const uint8_t rd_input_11_8_2[] = {
	0x11, 0x04, 0x00, 0x08, 0x00, 0x02, 0xf2, 0x99 };
static const uint8_t wr_beep_1[] = {		/* 0x0020 := 1 */
	0x01, 0x06, 0x00, 0x20, 0x00, 0x01, 0x49, 0xc0 };
static const uint8_t wr_window_1[] = {		/* 0x0000 := 3 */
	0x01, 0x06, 0x00, 0x00, 0x00, 0x03, 0xc9, 0xcb };
static const uint8_t wr_call_1[] = {		/* window 3, ticket "A012  " */
	0x01, 0x10, 0x00, 0x00, 0x00, 0x04, 0x08, 0x00, 0x03,
	0x41, 0x30, 0x31, 0x32, 0x20, 0x20, 0x7d, 0x44 };
static const uint8_t wr_text_full_1[] = {	/* the whole 16-register field */
	0x01, 0x10, 0x00, 0x10, 0x00, 0x10, 0x20, 0xc7, 0xeb, 0xb5, 0xbd,
	0x33, 0xba, 0xc5, 0xb4, 0xb0, 0xbf, 0xda, 0x20, 0x20, 0x20, 0x20,
	0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
	0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x11, 0x28 };
static const uint8_t wr_text_1[] = {		/* 请到3号窗口 + one pad space */
	0x01, 0x10, 0x00, 0x10, 0x00, 0x06, 0x0c, 0xc7, 0xeb, 0xb5, 0xbd,
	0x33, 0xba, 0xc5, 0xb4, 0xb0, 0xbf, 0xda, 0x20, 0x4d, 0x3f };

/* Replies. */
static const uint8_t rep_input_11[] = {
	0x11, 0x04, 0x04, 0x12, 0x34, 0xab, 0xcd, 0x10, 0x56 };
static const uint8_t rep_hold_1_3[] = {
	0x01, 0x03, 0x06, 0x00, 0x01, 0x00, 0x02, 0xff, 0xff, 0xbc, 0xc5 };
static const uint8_t rep_hold_2_3[] = {	/* same, from slave 2 */
	0x02, 0x03, 0x06, 0x00, 0x01, 0x00, 0x02, 0xff, 0xff, 0xa8, 0x35 };
static const uint8_t rep_hold_1_bc4[] = {	/* byte count 4 for 3 registers */
	0x01, 0x03, 0x04, 0x00, 0x01, 0x00, 0x02, 0x2a, 0x32 };
static const uint8_t rep_call_1[] = {
	0x01, 0x10, 0x00, 0x00, 0x00, 0x04, 0xc1, 0xca };
static const uint8_t rep_call_1_count3[] = {
	0x01, 0x10, 0x00, 0x00, 0x00, 0x03, 0x80, 0x08 };
static const uint8_t rep_beep_value2[] = {
	0x01, 0x06, 0x00, 0x20, 0x00, 0x02, 0x09, 0xc1 };
static const uint8_t rep_beep_addr21[] = {
	0x01, 0x06, 0x00, 0x21, 0x00, 0x01, 0x18, 0x00 };
static const uint8_t rep_func05[] = {
	0x01, 0x05, 0x00, 0x20, 0xff, 0x00, 0x8d, 0xf0 };
static const uint8_t ex_1_83_02[] = { 0x01, 0x83, 0x02, 0xc0, 0xf1 };
static const uint8_t ex_1_90_06[] = { 0x01, 0x90, 0x06, 0xcc, 0x02 };
static const uint8_t ex_11_84_04[] = { 0x11, 0x84, 0x04, 0x43, 0x06 };
static const uint8_t ex_1_83_07[] = { 0x01, 0x83, 0x07, 0x00, 0xf2 };

static void
test_crc(void)
{
	CHECK_EQ_INT(modbus_crc16((const uint8_t *)"123456789", 9), 0x4b37);
	CHECK_EQ_INT(modbus_crc16(NULL, 0), 0xffff);
	/* sent low byte first: C5 CD is 0xCDC5 */
	CHECK_EQ_INT(modbus_crc16(rd_hold_1_0_10, 6), 0xcdc5);
	/* a frame with its CRC checks to zero */
	CHECK_EQ_INT(modbus_crc16(rd_hold_1_0_10, 8), 0);
	CHECK_EQ_INT(modbus_crc16(wr_text_1, sizeof wr_text_1), 0);
}

static void
test_encode(void)
{
	uint8_t			 buf[MODBUS_FRAME_MAX];
	uint16_t		 v[MODBUS_WRITE_MAX + 1];
	struct modbus_request	 r;
	int			 n;

	memset(&r, 0, sizeof r);
	r.slave = 1;
	r.func = MODBUS_READ_HOLDING;
	r.addr = 0;
	r.count = 10;
	n = modbus_request_encode(&r, buf, sizeof buf);
	CHECK_BYTES(buf, n, rd_hold_1_0_10);

	r.slave = 0x11;
	r.func = MODBUS_READ_INPUT;
	r.addr = 8;
	r.count = 2;
	n = modbus_request_encode(&r, buf, sizeof buf);
	CHECK_BYTES(buf, n, rd_input_11_8_2);

	v[0] = 1;
	r.slave = 1;
	r.func = MODBUS_WRITE_SINGLE;
	r.addr = MODBUS_DISPLAY_BEEP;
	r.count = 1;
	r.values = v;
	n = modbus_request_encode(&r, buf, sizeof buf);
	CHECK_BYTES(buf, n, wr_beep_1);
	v[0] = 3;
	r.addr = MODBUS_DISPLAY_WINDOW;
	n = modbus_request_encode(&r, buf, sizeof buf);
	CHECK_BYTES(buf, n, wr_window_1);

	v[0] = 3;
	v[1] = 0x4130;
	v[2] = 0x3132;
	v[3] = 0x2020;
	r.func = MODBUS_WRITE_MULTIPLE;
	r.addr = 0;
	r.count = 4;
	n = modbus_request_encode(&r, buf, sizeof buf);
	CHECK_BYTES(buf, n, wr_call_1);

	/* buffer too small, by one */
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof wr_call_1 - 1),
	    -MODBUS_E_SPACE);
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof wr_call_1),
	    (int)sizeof wr_call_1);
	r.func = MODBUS_READ_HOLDING;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, 7), -MODBUS_E_SPACE);

	/* slave bounds: 1..247 */
	r.slave = 0;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);
	r.slave = 248;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);
	r.slave = 247;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), 8);
	CHECK_EQ_INT(buf[0], 247);

	/* read count: 1..125 */
	r.slave = 1;
	r.count = 0;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);
	r.count = 126;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);
	r.count = 125;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), 8);
	CHECK_EQ_INT(buf[5], 125);
	/* the last register is 0xFFFF */
	r.addr = 0xffff;
	r.count = 1;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), 8);
	r.count = 2;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);

	/* write count: 1..123 */
	memset(v, 0, sizeof v);
	r.func = MODBUS_WRITE_MULTIPLE;
	r.addr = 0;
	r.count = 124;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);
	r.count = 0;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);
	r.count = 123;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), 9 + 246);
	CHECK_EQ_INT(buf[6], 246);
	r.values = NULL;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);
	r.values = v;
	r.func = MODBUS_WRITE_SINGLE;
	r.count = 2;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_ARG);

	/* a function we do not speak */
	r.func = 0x05;
	r.count = 1;
	CHECK_EQ_INT(modbus_request_encode(&r, buf, sizeof buf), -MODBUS_E_FUNC);
}

static struct modbus_request
req(uint8_t slave, uint8_t func, uint16_t addr, uint16_t count,
    const uint16_t *values)
{
	struct modbus_request	 r;

	r.slave = slave;
	r.func = func;
	r.addr = addr;
	r.count = count;
	r.values = values;
	return r;
}

static void
test_replies(void)
{
	struct modbus_request	 r;
	struct modbus_reply	 p;
	static const uint16_t	 one = 1, call[4] = { 3, 0x4130, 0x3132, 0x2020 };

	r = req(0x11, MODBUS_READ_INPUT, 8, 2, NULL);
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_input_11, sizeof rep_input_11, &p), 9);
	CHECK_EQ_INT(p.slave, 0x11);
	CHECK_EQ_INT(p.func, 0x04);
	CHECK_EQ_INT(p.count, 2);
	CHECK_EQ_INT(p.regs[0], 0x1234);
	CHECK_EQ_INT(p.regs[1], 0xabcd);
	CHECK_EQ_INT(p.exception, 0);

	r = req(1, MODBUS_READ_HOLDING, 0, 3, NULL);
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_hold_1_3, sizeof rep_hold_1_3, &p), 11);
	CHECK_EQ_INT(p.regs[0], 1);
	CHECK_EQ_INT(p.regs[1], 2);
	CHECK_EQ_INT(p.regs[2], 0xffff);

	r = req(1, MODBUS_WRITE_MULTIPLE, 0, 4, call);
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_call_1, sizeof rep_call_1, &p), 8);
	CHECK_EQ_INT(p.addr, 0);
	CHECK_EQ_INT(p.count, 4);

	/* a write single reply is the request echoed */
	r = req(1, MODBUS_WRITE_SINGLE, 0x20, 1, &one);
	CHECK_EQ_INT(modbus_reply_parse(&r, wr_beep_1, sizeof wr_beep_1, &p), 8);
	CHECK_EQ_INT(p.addr, 0x20);
	CHECK_EQ_INT(p.regs[0], 1);

	/* trailing bytes are not ours: the length says where the reply ends */
	{
		uint8_t	 b[sizeof rep_call_1 + 3];

		memcpy(b, rep_call_1, sizeof rep_call_1);
		memcpy(b + sizeof rep_call_1, "\x00\x01\x02", 3);
		r = req(1, MODBUS_WRITE_MULTIPLE, 0, 4, call);
		CHECK_EQ_INT(modbus_reply_parse(&r, b, sizeof b, &p), 8);
	}
}

static void
test_reply_errors(void)
{
	struct modbus_request	 r;
	struct modbus_reply	 p;
	uint8_t			 b[64];
	static const uint16_t	 one = 1, call[4] = { 3, 0x4130, 0x3132, 0x2020 };
	size_t			 n;

	/* exception replies, with names */
	r = req(1, MODBUS_READ_HOLDING, 0, 3, NULL);
	CHECK_EQ_INT(modbus_reply_parse(&r, ex_1_83_02, sizeof ex_1_83_02, &p),
	    -MODBUS_E_EXCEPTION);
	CHECK_EQ_INT(p.exception, MODBUS_EX_ILLEGAL_ADDRESS);
	CHECK_EQ_INT(p.func, 0x83);
	CHECK(strcmp(modbus_exception_name(p.exception), "illegal data address") == 0);
	CHECK_EQ_INT(modbus_reply_parse(&r, ex_1_83_07, sizeof ex_1_83_07, &p),
	    -MODBUS_E_EXCEPTION);
	CHECK_EQ_INT(p.exception, 7);
	CHECK(strcmp(modbus_exception_name(7), "unknown exception") == 0);
	r = req(1, MODBUS_WRITE_MULTIPLE, 0, 4, call);
	CHECK_EQ_INT(modbus_reply_parse(&r, ex_1_90_06, sizeof ex_1_90_06, &p),
	    -MODBUS_E_EXCEPTION);
	CHECK_EQ_INT(p.exception, MODBUS_EX_DEVICE_BUSY);
	CHECK(strcmp(modbus_exception_name(6), "server device busy") == 0);
	r = req(0x11, MODBUS_READ_INPUT, 8, 2, NULL);
	CHECK_EQ_INT(modbus_reply_parse(&r, ex_11_84_04, sizeof ex_11_84_04, &p),
	    -MODBUS_E_EXCEPTION);
	CHECK_EQ_INT(p.exception, MODBUS_EX_DEVICE_FAILURE);
	CHECK(strcmp(modbus_exception_name(1), "illegal function") == 0);
	CHECK(strcmp(modbus_exception_name(3), "illegal data value") == 0);
	CHECK(strcmp(modbus_exception_name(4), "server device failure") == 0);
	/* an exception for another function is not ours */
	r = req(1, MODBUS_READ_INPUT, 0, 3, NULL);
	CHECK_EQ_INT(modbus_reply_parse(&r, ex_1_83_02, sizeof ex_1_83_02, &p),
	    -MODBUS_E_FUNC);
	/* exception with a bad CRC */
	memcpy(b, ex_1_83_02, sizeof ex_1_83_02);
	b[2] = 0x03;
	r = req(1, MODBUS_READ_HOLDING, 0, 3, NULL);
	CHECK_EQ_INT(modbus_reply_parse(&r, b, sizeof ex_1_83_02, &p), -MODBUS_E_CRC);

	/* bad CRC: each CRC byte, and a data byte */
	r = req(1, MODBUS_READ_HOLDING, 0, 3, NULL);
	memcpy(b, rep_hold_1_3, sizeof rep_hold_1_3);
	b[9] ^= 0x01;
	CHECK_EQ_INT(modbus_reply_parse(&r, b, sizeof rep_hold_1_3, &p), -MODBUS_E_CRC);
	memcpy(b, rep_hold_1_3, sizeof rep_hold_1_3);
	b[10] ^= 0x80;
	CHECK_EQ_INT(modbus_reply_parse(&r, b, sizeof rep_hold_1_3, &p), -MODBUS_E_CRC);
	memcpy(b, rep_hold_1_3, sizeof rep_hold_1_3);
	b[4] = 0x02;
	CHECK_EQ_INT(modbus_reply_parse(&r, b, sizeof rep_hold_1_3, &p), -MODBUS_E_CRC);

	/* wrong slave address (with a good CRC) */
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_hold_2_3, sizeof rep_hold_2_3, &p),
	    -MODBUS_E_SLAVE);

	/* byte count mismatch (with a good CRC) */
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_hold_1_bc4, sizeof rep_hold_1_bc4, &p),
	    -MODBUS_E_BYTECOUNT);

	/* unknown function in the reply */
	r = req(1, MODBUS_WRITE_SINGLE, 0x20, 1, &one);
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_func05, sizeof rep_func05, &p),
	    -MODBUS_E_FUNC);
	/* a reply for another function */
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_call_1, sizeof rep_call_1, &p),
	    -MODBUS_E_FUNC);
	/* a request we never send */
	r = req(1, 0x05, 0x20, 1, &one);
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_func05, sizeof rep_func05, &p),
	    -MODBUS_E_FUNC);

	/* write replies that do not echo the request */
	r = req(1, MODBUS_WRITE_SINGLE, 0x20, 1, &one);
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_beep_value2, sizeof rep_beep_value2, &p),
	    -MODBUS_E_ECHO);
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_beep_addr21, sizeof rep_beep_addr21, &p),
	    -MODBUS_E_ECHO);
	r = req(1, MODBUS_WRITE_MULTIPLE, 0, 4, call);
	CHECK_EQ_INT(modbus_reply_parse(&r, rep_call_1_count3, sizeof rep_call_1_count3, &p),
	    -MODBUS_E_ECHO);

	/* truncated at every length: need more */
	r = req(1, MODBUS_READ_HOLDING, 0, 3, NULL);
	for (n = 0; n < sizeof rep_hold_1_3; n++)
		CHECK_EQ_INT(modbus_reply_parse(&r, rep_hold_1_3, n, &p), -MODBUS_E_NEED);
	r = req(1, MODBUS_WRITE_MULTIPLE, 0, 4, call);
	for (n = 0; n < sizeof rep_call_1; n++)
		CHECK_EQ_INT(modbus_reply_parse(&r, rep_call_1, n, &p), -MODBUS_E_NEED);
	r = req(1, MODBUS_READ_HOLDING, 0, 3, NULL);
	for (n = 2; n < sizeof ex_1_83_02; n++)
		CHECK_EQ_INT(modbus_reply_parse(&r, ex_1_83_02, n, &p), -MODBUS_E_NEED);

	CHECK(strcmp(modbus_strerror(-MODBUS_E_CRC), "bad CRC") == 0);
	CHECK(strcmp(modbus_strerror(MODBUS_E_SLAVE), "reply from another slave") == 0);
	CHECK(strcmp(modbus_strerror(-MODBUS_E_MAX), "unknown error") == 0);
}

static void
test_request_decode(void)
{
	struct modbus_request	 r;
	uint16_t		 v[MODBUS_WRITE_MAX];
	uint8_t			 b[64];

	CHECK_EQ_INT(modbus_request_decode(rd_hold_1_0_10, sizeof rd_hold_1_0_10, &r, v), 8);
	CHECK_EQ_INT(r.slave, 1);
	CHECK_EQ_INT(r.func, MODBUS_READ_HOLDING);
	CHECK_EQ_INT(r.addr, 0);
	CHECK_EQ_INT(r.count, 10);

	CHECK_EQ_INT(modbus_request_decode(wr_text_1, sizeof wr_text_1, &r, v), 21);
	CHECK_EQ_INT(r.func, MODBUS_WRITE_MULTIPLE);
	CHECK_EQ_INT(r.addr, MODBUS_DISPLAY_TEXT);
	CHECK_EQ_INT(r.count, 6);
	CHECK(r.values == v);
	CHECK_EQ_INT(v[0], 0xc7eb);
	CHECK_EQ_INT(v[5], 0xda20);

	CHECK_EQ_INT(modbus_request_decode(wr_beep_1, sizeof wr_beep_1, &r, v), 8);
	CHECK_EQ_INT(r.count, 1);
	CHECK_EQ_INT(v[0], 1);

	CHECK_EQ_INT(modbus_request_decode(wr_text_1, 6, &r, v), -MODBUS_E_NEED);
	CHECK_EQ_INT(modbus_request_decode(wr_text_1, 20, &r, v), -MODBUS_E_NEED);
	CHECK_EQ_INT(modbus_request_decode(rep_func05, sizeof rep_func05, &r, v),
	    -MODBUS_E_FUNC);
	memcpy(b, wr_text_1, sizeof wr_text_1);
	b[7] = 0;
	CHECK_EQ_INT(modbus_request_decode(b, sizeof wr_text_1, &r, v), -MODBUS_E_CRC);
	b[0] = 0;
	CHECK_EQ_INT(modbus_request_decode(b, sizeof wr_text_1, &r, v), -MODBUS_E_SLAVE);
	/* 16 with byte count 4 for 4 registers (CRC right) */
	{
		struct modbus_request	 w;
		static const uint16_t	 z[4];
		int			 n;

		w = req(1, MODBUS_WRITE_MULTIPLE, 0, 2, z);
		n = modbus_request_encode(&w, b, sizeof b);
		CHECK_EQ_INT(n, 13);
		b[5] = 4;		/* claim 4 registers, keep 4 bytes */
		{
			uint16_t	 c = modbus_crc16(b, 11);

			b[11] = (uint8_t)c;
			b[12] = (uint8_t)(c >> 8);
		}
		CHECK_EQ_INT(modbus_request_decode(b, 13, &r, v), -MODBUS_E_BYTECOUNT);
	}
}

static void
test_text(void)
{
	static const uint8_t	 gb[] = {	/* 请到3号窗口, GB2312 */
		0xc7, 0xeb, 0xb5, 0xbd, 0x33, 0xba, 0xc5, 0xb4, 0xb0, 0xbf, 0xda };
	uint16_t		 regs[MODBUS_DISPLAY_TEXT_REGS];
	uint8_t			 out[2 * MODBUS_DISPLAY_TEXT_REGS];
	uint8_t			 buf[MODBUS_FRAME_MAX];
	struct modbus_request	 r;
	int			 n;

	n = modbus_text_pack(gb, sizeof gb, 0x20, regs, 6);
	CHECK_EQ_INT(n, 6);
	CHECK_EQ_INT(regs[0], 0xc7eb);
	CHECK_EQ_INT(regs[2], 0x33ba);
	CHECK_EQ_INT(regs[5], 0xda20);		/* odd length: pad in the low byte */
	r = req(1, MODBUS_WRITE_MULTIPLE, MODBUS_DISPLAY_TEXT, 6, regs);
	n = modbus_request_encode(&r, buf, sizeof buf);
	CHECK_BYTES(buf, n, wr_text_1);

	/* the whole text field, as the README's example */
	n = modbus_text_pack(gb, sizeof gb, 0x20, regs, MODBUS_DISPLAY_TEXT_REGS);
	CHECK_EQ_INT(n, 6);
	r = req(1, MODBUS_WRITE_MULTIPLE, MODBUS_DISPLAY_TEXT,
	    MODBUS_DISPLAY_TEXT_REGS, regs);
	n = modbus_request_encode(&r, buf, sizeof buf);
	CHECK_BYTES(buf, n, wr_text_full_1);

	/* the whole ticket field: text then pad */
	n = modbus_text_pack((const uint8_t *)"A012", 4, 0x20, regs, MODBUS_DISPLAY_TICKET_REGS);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(regs[0], 0x4130);
	CHECK_EQ_INT(regs[1], 0x3132);
	CHECK_EQ_INT(regs[2], 0x2020);
	n = modbus_text_pack(NULL, 0, 0x00, regs, 2);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(regs[0], 0);
	CHECK_EQ_INT(regs[1], 0);

	/* does not fit: refused, not cut */
	CHECK_EQ_INT(modbus_text_pack(gb, sizeof gb, 0x20, regs, 5), -MODBUS_E_SPACE);
	CHECK_EQ_INT(modbus_text_pack(NULL, 3, 0x20, regs, 5), -MODBUS_E_ARG);

	/* round trip */
	n = modbus_text_pack(gb, sizeof gb, 0x00, regs, MODBUS_DISPLAY_TEXT_REGS);
	CHECK_EQ_INT(n, 6);
	n = modbus_text_unpack(regs, MODBUS_DISPLAY_TEXT_REGS, out, sizeof out);
	CHECK_EQ_INT(n, 32);
	CHECK(memcmp(out, gb, sizeof gb) == 0);
	CHECK_EQ_INT(out[sizeof gb], 0);
	CHECK_EQ_INT(out[31], 0);
	CHECK_EQ_INT(modbus_text_unpack(regs, 16, out, 31), -MODBUS_E_SPACE);
}

/* A slave built from the decoder answers the master's requests. */
static void
test_round_trip(void)
{
	uint16_t		 vals[MODBUS_WRITE_MAX], got[MODBUS_WRITE_MAX];
	uint8_t			 buf[MODBUS_FRAME_MAX], rep[MODBUS_FRAME_MAX];
	struct modbus_request	 r, s;
	struct modbus_reply	 p;
	uint16_t		 c;
	int			 n, i, count;

	for (count = 1; count <= MODBUS_WRITE_MAX; count += 11) {
		for (i = 0; i < count; i++)
			vals[i] = (uint16_t)(i * 0x0101 + count);
		r = req((uint8_t)(count % 247 + 1), MODBUS_WRITE_MULTIPLE,
		    (uint16_t)(0x1000 + count), (uint16_t)count, vals);
		n = modbus_request_encode(&r, buf, sizeof buf);
		CHECK_EQ_INT(n, 9 + 2 * count);
		CHECK_EQ_INT(modbus_request_decode(buf, (size_t)n, &s, got), n);
		CHECK_EQ_INT(s.slave, r.slave);
		CHECK_EQ_INT(s.addr, r.addr);
		CHECK_EQ_INT(s.count, count);
		CHECK(memcmp(got, vals, 2 * (size_t)count) == 0);
		/* the slave's reply: the first six bytes, sealed */
		memcpy(rep, buf, 6);
		c = modbus_crc16(rep, 6);
		rep[6] = (uint8_t)c;
		rep[7] = (uint8_t)(c >> 8);
		CHECK_EQ_INT(modbus_reply_parse(&r, rep, 8, &p), 8);

		/* read them back */
		r.func = MODBUS_READ_HOLDING;
		n = modbus_request_encode(&r, buf, sizeof buf);
		CHECK_EQ_INT(modbus_request_decode(buf, (size_t)n, &s, got), 8);
		CHECK_EQ_INT(s.count, count);
		rep[0] = r.slave;
		rep[1] = MODBUS_READ_HOLDING;
		rep[2] = (uint8_t)(2 * count);
		for (i = 0; i < count; i++) {
			rep[3 + 2 * i] = (uint8_t)(vals[i] >> 8);
			rep[4 + 2 * i] = (uint8_t)vals[i];
		}
		c = modbus_crc16(rep, 3 + 2 * (size_t)count);
		rep[3 + 2 * count] = (uint8_t)c;
		rep[4 + 2 * count] = (uint8_t)(c >> 8);
		CHECK_EQ_INT(modbus_reply_parse(&r, rep, 5 + 2 * (size_t)count, &p),
		    5 + 2 * count);
		CHECK(memcmp(p.regs, vals, 2 * (size_t)count) == 0);
	}
}

int
main(void)
{
	test_crc();
	test_encode();
	test_replies();
	test_reply_errors();
	test_request_decode();
	test_text();
	test_round_trip();
	return t_done("modbus");
}

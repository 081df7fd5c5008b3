/* test_escpos.c — the ESC/POS builder against hand-written byte vectors
 * (the hall name's GB18030 bytes from iconv -f UTF-8 -t GB18030, QR pL/pH
 * worked out by hand), overflow into a small buffer, QR limits, and every
 * DLE EOT status byte.  Links escpos.c. */
#include <stdint.h>
#include <string.h>

#include "escpos.h"
#include "t.h"

#define CHECK_BUILT(e, want) do {					\
	CHECK_EQ_INT((e)->overflow, 0);					\
	CHECK_EQ_INT((e)->len, sizeof(want));				\
	CHECK((e)->len == sizeof(want) &&				\
	    memcmp((e)->buf, (want), sizeof(want)) == 0);		\
} while (0)

/* 示范县政务服务中心, GB18030 (iconv). */
static const uint8_t hall_name[] = {
	0xca, 0xbe, 0xb7, 0xb6, 0xcf, 0xd8, 0xd5, 0xfe, 0xce, 0xf1,
	0xb7, 0xfe, 0xce, 0xf1, 0xd6, 0xd0, 0xd0, 0xc4 };

/* 40 bytes. */
static const char url[] = "https://zwfw.example.gov.cn/q?t=A012&w=3";

/* A builder on buf with ESC @ already checked and dropped, so each test
 * below sees only its own command. */
static void
fresh(struct escpos *e, uint8_t *buf, size_t size)
{
	escpos_init(e, buf, size);
	CHECK_EQ_INT(e->len, 2);
	CHECK(buf[0] == 0x1b && buf[1] == 0x40);
	e->len = 0;
}

static void
test_commands(void)
{
	struct escpos	 e;
	uint8_t		 buf[64];

	{
		static const uint8_t want[] = { 0x1b, 0x40 };

		escpos_init(&e, buf, sizeof buf);
		CHECK_BUILT(&e, want);
		CHECK(e.buf == buf);
		CHECK_EQ_INT(e.size, sizeof buf);
	}
	{
		static const uint8_t want[] = { 0x1c, 0x26, 0x1c, 0x2e };

		fresh(&e, buf, sizeof buf);
		escpos_chinese(&e, 1);
		escpos_chinese(&e, 0);
		CHECK_BUILT(&e, want);
	}
	{
		static const uint8_t want[] = {
			0x1b, 0x61, 0x00, 0x1b, 0x61, 0x01, 0x1b, 0x61, 0x02,
			0x1b, 0x61, 0x00, 0x1b, 0x61, 0x02 };

		fresh(&e, buf, sizeof buf);
		escpos_align(&e, ESCPOS_ALIGN_LEFT);
		escpos_align(&e, ESCPOS_ALIGN_CENTER);
		escpos_align(&e, ESCPOS_ALIGN_RIGHT);
		escpos_align(&e, -1);		/* clamped */
		escpos_align(&e, 7);
		CHECK_BUILT(&e, want);
	}
	{
		static const uint8_t want[] = {
			0x1d, 0x21, 0x00,	/* 1×1 */
			0x1d, 0x21, 0x11,	/* 2×2 */
			0x1d, 0x21, 0x22,	/* 3×3 */
			0x1d, 0x21, 0x10,	/* 2 wide, 1 high */
			0x1d, 0x21, 0x01,	/* 1 wide, 2 high */
			0x1d, 0x21, 0x77,	/* 8×8 */
			0x1d, 0x21, 0x70,	/* 9×0 clamped to 8×1 */
		};

		fresh(&e, buf, sizeof buf);
		escpos_size(&e, 1, 1);
		escpos_size(&e, 2, 2);
		escpos_size(&e, 3, 3);
		escpos_size(&e, 2, 1);
		escpos_size(&e, 1, 2);
		escpos_size(&e, 8, 8);
		escpos_size(&e, 9, 0);
		CHECK_BUILT(&e, want);
	}
	{
		static const uint8_t want[] = {
			0x1b, 0x45, 0x01, 0x1b, 0x45, 0x00, 0x1b, 0x45, 0x01 };

		fresh(&e, buf, sizeof buf);
		escpos_bold(&e, 1);
		escpos_bold(&e, 0);
		escpos_bold(&e, 5);
		CHECK_BUILT(&e, want);
	}
	{
		static const uint8_t want[] = {
			0x1b, 0x64, 0x00, 0x1b, 0x64, 0x03, 0x1b, 0x64, 0xff,
			0x1b, 0x64, 0x00, 0x0a };

		fresh(&e, buf, sizeof buf);
		escpos_feed(&e, 0);
		escpos_feed(&e, 3);
		escpos_feed(&e, 300);
		escpos_feed(&e, -2);
		escpos_lf(&e);
		CHECK_BUILT(&e, want);
	}
	{
		static const uint8_t want[] = { 0x1d, 0x56, 0x42, 0x00 };

		fresh(&e, buf, sizeof buf);
		escpos_cut(&e);
		CHECK_BUILT(&e, want);
	}
}

static void
test_text(void)
{
	struct escpos	 e;
	uint8_t		 buf[64];

	/* GB18030 passes through byte for byte */
	fresh(&e, buf, sizeof buf);
	escpos_text(&e, hall_name, sizeof hall_name);
	CHECK_BUILT(&e, hall_name);

	/* control bytes other than LF become spaces: no ESC/GS/DLE sneaks in
	 * from a ticket text; DEL and high bytes stay */
	{
		static const uint8_t in[] = {
			'A', 0x1b, 0x40, 'B', 0x0a, 'C', 0x00, 0x1d, 0x56, 0x10,
			0x04, 0x0d, 0x09, 0x1f, 0x20, 0x7f, 0x80, 0xff };
		static const uint8_t want[] = {
			'A', ' ', 0x40, 'B', 0x0a, 'C', ' ', ' ', 0x56, ' ',
			' ', ' ', ' ', ' ', 0x20, 0x7f, 0x80, 0xff };

		fresh(&e, buf, sizeof buf);
		escpos_text(&e, in, sizeof in);
		CHECK_BUILT(&e, want);
	}

	/* nothing to write */
	fresh(&e, buf, sizeof buf);
	escpos_text(&e, hall_name, 0);
	escpos_text(&e, NULL, 5);
	CHECK_EQ_INT(e.len, 0);
	CHECK_EQ_INT(e.overflow, 0);
}

static void
test_qr(void)
{
	struct escpos	 e;
	static uint8_t	 buf[ESCPOS_QR_LEN(ESCPOS_QR_DATA_MAX) + 16];
	static uint8_t	 data[ESCPOS_QR_DATA_MAX + 1];
	static const uint8_t head[] = {
		0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,	/* model 2 */
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06,		/* 6 dots */
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31,		/* ecc M */
	};
	static const uint8_t print[] = {
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30 };
	size_t		 off;

	CHECK_EQ_INT(ESCPOS_QR_LEN(0), 41);

	/* the URL: 40 bytes, so pL pH = 40 + 3 = 43 = 2B 00 */
	fresh(&e, buf, sizeof buf);
	CHECK_EQ_INT(escpos_qr(&e, (const uint8_t *)url, 40, 6, 'M'), 0);
	CHECK_EQ_INT(e.len, 41 + 40);
	CHECK(memcmp(buf, head, sizeof head) == 0);
	off = sizeof head;
	CHECK(memcmp(buf + off, "\x1d\x28\x6b\x2b\x00\x31\x50\x30", 8) == 0);
	off += 8;
	CHECK(memcmp(buf + off, url, 40) == 0);
	off += 40;
	CHECK(memcmp(buf + off, print, sizeof print) == 0);
	CHECK_EQ_INT(off + sizeof print, e.len);

	/* each error correction level, and module sizes at the limits */
	{
		static const struct { char ecc; uint8_t b; } lv[] = {
			{ 'L', 0x30 }, { 'M', 0x31 }, { 'Q', 0x32 }, { 'H', 0x33 },
		};
		size_t	 i;

		for (i = 0; i < sizeof lv / sizeof lv[0]; i++) {
			fresh(&e, buf, sizeof buf);
			CHECK_EQ_INT(escpos_qr(&e, (const uint8_t *)"1", 1, 1,
			    lv[i].ecc), 0);
			CHECK_EQ_INT(buf[16], 1);		/* module */
			CHECK_EQ_INT(buf[24], lv[i].b);		/* ecc */
			CHECK_EQ_INT(buf[28], 4);		/* pL: 1 + 3 */
			CHECK_EQ_INT(buf[29], 0);
		}
		fresh(&e, buf, sizeof buf);
		CHECK_EQ_INT(escpos_qr(&e, (const uint8_t *)"1", 1, 16, 'H'), 0);
		CHECK_EQ_INT(buf[16], 16);
	}

	/* 300 bytes: 303 = 0x012F → pL 2F, pH 01 */
	memset(data, 'x', sizeof data);
	fresh(&e, buf, sizeof buf);
	CHECK_EQ_INT(escpos_qr(&e, data, 300, 4, 'L'), 0);
	CHECK_EQ_INT(buf[28], 0x2f);
	CHECK_EQ_INT(buf[29], 0x01);
	CHECK_EQ_INT(e.len, 341);

	/* the largest: 7089 + 3 = 7092 = 0x1BB4 */
	fresh(&e, buf, sizeof buf);
	CHECK_EQ_INT(escpos_qr(&e, data, ESCPOS_QR_DATA_MAX, 3, 'L'), 0);
	CHECK_EQ_INT(buf[28], 0xb4);
	CHECK_EQ_INT(buf[29], 0x1b);
	CHECK_EQ_INT(e.len, 41 + 7089);
	CHECK(memcmp(buf + e.len - 8, print, 8) == 0);

	/* refused, nothing written */
	fresh(&e, buf, sizeof buf);
	CHECK_EQ_INT(escpos_qr(&e, data, ESCPOS_QR_DATA_MAX + 1, 3, 'L'),
	    -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_qr(&e, data, 0, 3, 'L'), -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_qr(&e, NULL, 5, 3, 'L'), -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_qr(&e, data, 5, 0, 'L'), -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_qr(&e, data, 5, 17, 'L'), -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_qr(&e, data, 5, 3, 'l'), -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_qr(&e, data, 5, 3, 'X'), -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_qr(&e, data, 5, 3, '\0'), -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_qr(&e, data, 5, 3, 48), -ESCPOS_E_ARG);
	CHECK_EQ_INT(e.len, 0);
	CHECK_EQ_INT(e.overflow, 0);

	/* one byte short of room: refused whole, overflow set */
	fresh(&e, buf, ESCPOS_QR_LEN(40) - 1);
	CHECK_EQ_INT(escpos_qr(&e, (const uint8_t *)url, 40, 6, 'M'),
	    -ESCPOS_E_SPACE);
	CHECK_EQ_INT(e.len, 0);
	CHECK_EQ_INT(e.overflow, 1);
	/* and exactly enough */
	fresh(&e, buf, ESCPOS_QR_LEN(40));
	CHECK_EQ_INT(escpos_qr(&e, (const uint8_t *)url, 40, 6, 'M'), 0);
	CHECK_EQ_INT(e.len, e.size);
	CHECK_EQ_INT(e.overflow, 0);
}

static void
test_ticket(void)
{
	struct escpos		 e;
	uint8_t			 buf[256];
	static const uint8_t	 want[] = {
		0x1b, 0x40,				/* ESC @ */
		0x1c, 0x26,				/* FS &: GB18030 */
		0x1b, 0x61, 0x01,			/* centre */
		0xca, 0xbe, 0xb7, 0xb6, 0xcf, 0xd8, 0xd5, 0xfe, 0xce, 0xf1,
		0xb7, 0xfe, 0xce, 0xf1, 0xd6, 0xd0, 0xd0, 0xc4, /* 示范县政务服务中心 */
		0x0a,
		0x1d, 0x21, 0x22,			/* 3×3 */
		0x1b, 0x45, 0x01,			/* bold */
		'A', '0', '1', '2', 0x0a,
		0x1b, 0x45, 0x00,
		0x1d, 0x21, 0x00,			/* 1×1 */
		0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06,
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31,
		0x1d, 0x28, 0x6b, 0x2b, 0x00, 0x31, 0x50, 0x30,	/* 40 + 3 */
		'h', 't', 't', 'p', 's', ':', '/', '/', 'z', 'w',
		'f', 'w', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		'.', 'g', 'o', 'v', '.', 'c', 'n', '/', 'q', '?',
		't', '=', 'A', '0', '1', '2', '&', 'w', '=', '3',
		0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30,
		0x1b, 0x64, 0x03,			/* feed 3 */
		0x1d, 0x56, 0x42, 0x00,			/* cut */
	};

	escpos_init(&e, buf, sizeof buf);
	escpos_chinese(&e, 1);
	escpos_align(&e, ESCPOS_ALIGN_CENTER);
	escpos_text(&e, hall_name, sizeof hall_name);
	escpos_lf(&e);
	escpos_size(&e, 3, 3);
	escpos_bold(&e, 1);
	escpos_text(&e, (const uint8_t *)"A012", 4);
	escpos_lf(&e);
	escpos_bold(&e, 0);
	escpos_size(&e, 1, 1);
	CHECK_EQ_INT(escpos_qr(&e, (const uint8_t *)url, strlen(url), 6, 'M'), 0);
	escpos_feed(&e, 3);
	escpos_cut(&e);
	CHECK_BUILT(&e, want);
	CHECK_EQ_INT(sizeof want, 2 + 2 + 3 + 18 + 1 + 3 + 3 + 5 + 3 + 3 + 81 + 3 + 4);
}

static void
test_overflow(void)
{
	struct escpos	 e;
	uint8_t		 buf[32];
	size_t		 i;

	/* a 10-byte buffer inside a larger one: the rest must stay 0xAA */
	memset(buf, 0xaa, sizeof buf);
	escpos_init(&e, buf, 10);
	escpos_chinese(&e, 1);				/* 4 */
	escpos_align(&e, ESCPOS_ALIGN_CENTER);		/* 7 */
	CHECK_EQ_INT(e.len, 7);
	CHECK_EQ_INT(e.overflow, 0);
	escpos_text(&e, hall_name, sizeof hall_name);	/* 18: does not fit */
	CHECK_EQ_INT(e.len, 7);
	CHECK_EQ_INT(e.overflow, 1);
	escpos_lf(&e);			/* would fit, but the ticket has a hole */
	escpos_bold(&e, 1);
	escpos_cut(&e);
	CHECK_EQ_INT(escpos_qr(&e, (const uint8_t *)"1", 1, 3, 'L'),
	    -ESCPOS_E_SPACE);
	CHECK_EQ_INT(e.len, 7);
	CHECK_EQ_INT(e.overflow, 1);
	for (i = 7; i < sizeof buf; i++)
		CHECK_EQ_INT(buf[i], 0xaa);

	/* filled to the byte: no overflow; one more byte: overflow */
	memset(buf, 0xaa, sizeof buf);
	escpos_init(&e, buf, 10);
	escpos_align(&e, 1);
	escpos_align(&e, 2);				/* 2 + 3 + 3 = 8 */
	escpos_lf(&e);
	escpos_lf(&e);					/* 10 */
	CHECK_EQ_INT(e.len, 10);
	CHECK_EQ_INT(e.overflow, 0);
	escpos_lf(&e);
	CHECK_EQ_INT(e.len, 10);
	CHECK_EQ_INT(e.overflow, 1);
	CHECK_EQ_INT(buf[10], 0xaa);

	/* a buffer too small for ESC @, and no buffer at all */
	memset(buf, 0xaa, sizeof buf);
	escpos_init(&e, buf, 1);
	CHECK_EQ_INT(e.len, 0);
	CHECK_EQ_INT(e.overflow, 1);
	CHECK_EQ_INT(buf[0], 0xaa);
	escpos_init(&e, NULL, 100);
	CHECK_EQ_INT(e.size, 0);
	CHECK_EQ_INT(e.len, 0);
	CHECK_EQ_INT(e.overflow, 1);
	escpos_text(&e, hall_name, sizeof hall_name);
	CHECK_EQ_INT(e.len, 0);

	/* init resets a builder that overflowed */
	escpos_init(&e, buf, sizeof buf);
	CHECK_EQ_INT(e.overflow, 0);
	CHECK_EQ_INT(e.len, 2);
}

static void
test_status_request(void)
{
	uint8_t	 out[4];
	int	 n;

	for (n = 1; n <= 4; n++) {
		memset(out, 0, sizeof out);
		CHECK_EQ_INT(escpos_status_request(out, sizeof out, n), 3);
		CHECK(out[0] == 0x10 && out[1] == 0x04 && out[2] == n);
	}
	memset(out, 0xaa, sizeof out);
	CHECK_EQ_INT(escpos_status_request(out, sizeof out, 0), 0);
	CHECK_EQ_INT(escpos_status_request(out, sizeof out, 5), 0);
	CHECK_EQ_INT(escpos_status_request(out, 2, 1), 0);
	CHECK_EQ_INT(escpos_status_request(NULL, 3, 1), 0);
	CHECK_EQ_INT(out[0], 0xaa);
}

static void
test_status_parse(void)
{
	struct escpos_status	 st;
	int			 n, b, ok;

	/* n = 1, printer */
	CHECK_EQ_INT(escpos_status_parse(1, 0x12, &st), 0);
	CHECK_EQ_INT(st.n, 1);
	CHECK_EQ_INT(st.raw, 0x12);
	CHECK_EQ_INT(st.online, 1);
	CHECK_EQ_INT(escpos_status_parse(1, 0x16, &st), 0);	/* drawer pin */
	CHECK_EQ_INT(st.online, 1);
	CHECK_EQ_INT(escpos_status_parse(1, 0x1a, &st), 0);	/* offline */
	CHECK_EQ_INT(st.online, 0);
	CHECK_EQ_INT(st.error + st.paper_out + st.cover_open, 0);
	CHECK_EQ_INT(escpos_status_parse(1, 0x72, &st), 0);	/* reserved bits */
	CHECK_EQ_INT(st.online, 1);
	CHECK_EQ_INT(st.feed_button, 0);

	/* n = 2, offline cause */
	CHECK_EQ_INT(escpos_status_parse(2, 0x12, &st), 0);
	CHECK_EQ_INT(st.n, 2);
	CHECK_EQ_INT(st.cover_open + st.feed_button + st.paper_out + st.error, 0);
	CHECK_EQ_INT(escpos_status_parse(2, 0x16, &st), 0);
	CHECK_EQ_INT(st.cover_open, 1);
	CHECK_EQ_INT(st.feed_button + st.paper_out + st.error, 0);
	CHECK_EQ_INT(escpos_status_parse(2, 0x1a, &st), 0);
	CHECK_EQ_INT(st.feed_button, 1);
	CHECK_EQ_INT(st.cover_open + st.paper_out + st.error, 0);
	CHECK_EQ_INT(escpos_status_parse(2, 0x32, &st), 0);
	CHECK_EQ_INT(st.paper_out, 1);
	CHECK_EQ_INT(st.cover_open + st.feed_button + st.error, 0);
	CHECK_EQ_INT(escpos_status_parse(2, 0x52, &st), 0);
	CHECK_EQ_INT(st.error, 1);
	CHECK_EQ_INT(st.cover_open + st.feed_button + st.paper_out, 0);
	CHECK_EQ_INT(escpos_status_parse(2, 0x76, &st), 0);	/* all at once */
	CHECK_EQ_INT(st.cover_open + st.paper_out + st.error, 3);
	CHECK_EQ_INT(st.online, 0);		/* not reported by n = 2 */

	/* n = 3, error cause */
	CHECK_EQ_INT(escpos_status_parse(3, 0x12, &st), 0);
	CHECK_EQ_INT(st.error, 0);
	CHECK_EQ_INT(escpos_status_parse(3, 0x1a, &st), 0);
	CHECK_EQ_INT(st.cutter_error, 1);
	CHECK_EQ_INT(st.error, 1);
	CHECK_EQ_INT(st.unrecoverable + st.auto_recoverable, 0);
	CHECK_EQ_INT(escpos_status_parse(3, 0x32, &st), 0);
	CHECK_EQ_INT(st.unrecoverable, 1);
	CHECK_EQ_INT(st.error, 1);
	CHECK_EQ_INT(st.cutter_error + st.auto_recoverable, 0);
	CHECK_EQ_INT(escpos_status_parse(3, 0x52, &st), 0);
	CHECK_EQ_INT(st.auto_recoverable, 1);
	CHECK_EQ_INT(st.error, 1);
	CHECK_EQ_INT(st.cutter_error + st.unrecoverable, 0);
	CHECK_EQ_INT(escpos_status_parse(3, 0x16, &st), 0);	/* bit 2: not ours */
	CHECK_EQ_INT(st.error, 0);

	/* n = 4, paper roll sensor */
	CHECK_EQ_INT(escpos_status_parse(4, 0x12, &st), 0);
	CHECK_EQ_INT(st.paper_near_end + st.paper_out, 0);
	CHECK_EQ_INT(escpos_status_parse(4, 0x1e, &st), 0);
	CHECK_EQ_INT(st.paper_near_end, 1);
	CHECK_EQ_INT(st.paper_out, 0);
	CHECK_EQ_INT(escpos_status_parse(4, 0x16, &st), 0);	/* one bit of the pair */
	CHECK_EQ_INT(st.paper_near_end, 1);
	CHECK_EQ_INT(escpos_status_parse(4, 0x1a, &st), 0);
	CHECK_EQ_INT(st.paper_near_end, 1);
	CHECK_EQ_INT(escpos_status_parse(4, 0x72, &st), 0);
	CHECK_EQ_INT(st.paper_out, 1);
	CHECK_EQ_INT(st.paper_near_end, 0);
	CHECK_EQ_INT(escpos_status_parse(4, 0x7e, &st), 0);	/* both */
	CHECK_EQ_INT(st.paper_near_end, 1);
	CHECK_EQ_INT(st.paper_out, 1);
	CHECK_EQ_INT(st.error + st.cover_open, 0);

	/* without the fixed bits it is not a status */
	{
		static const uint8_t bad[] = {
			0x00, 0xff, 0x13 /* bit 0 */, 0x10 /* no bit 1 */,
			0x02 /* no bit 4 */, 0x92 /* bit 7 */, 0x7f, 0x0a, 0x40 };
		size_t	 i;

		for (i = 0; i < sizeof bad; i++)
			for (n = 1; n <= 4; n++)
				CHECK_EQ_INT(escpos_status_parse(n, bad[i], &st),
				    -ESCPOS_E_STATUS);
	}

	/* every byte of every n: exactly the 16 with the fixed bits pass */
	for (n = 1; n <= 4; n++) {
		ok = 0;
		for (b = 0; b < 256; b++) {
			int r = escpos_status_parse(n, (uint8_t)b, &st);

			if (r == 0) {
				ok++;
				CHECK_EQ_INT(b & 0x93, 0x12);
				CHECK_EQ_INT(st.raw, b);
			} else
				CHECK_EQ_INT(r, -ESCPOS_E_STATUS);
		}
		CHECK_EQ_INT(ok, 16);
	}

	CHECK_EQ_INT(escpos_status_parse(0, 0x12, &st), -ESCPOS_E_ARG);
	CHECK_EQ_INT(escpos_status_parse(5, 0x12, &st), -ESCPOS_E_ARG);

	CHECK(strcmp(escpos_strerror(-ESCPOS_E_STATUS), "not a status byte") == 0);
	CHECK(strcmp(escpos_strerror(ESCPOS_E_SPACE), "output buffer too small") == 0);
	CHECK(strcmp(escpos_strerror(0), "ok") == 0);
	CHECK(strcmp(escpos_strerror(-ESCPOS_E_MAX), "unknown error") == 0);
	CHECK(strcmp(escpos_strerror(-1000), "unknown error") == 0);
}

int
main(void)
{
	test_commands();
	test_text();
	test_qr();
	test_ticket();
	test_overflow();
	test_status_request();
	test_status_parse();
	return t_done("escpos");
}

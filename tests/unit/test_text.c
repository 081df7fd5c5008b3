/* test_text.c — displays/text.c against bytes checked with
 * `iconv -f UTF-8 -t GB2312` and `-t GB18030` (glibc 2.36), ill-formed
 * UTF-8 of every kind, and output buffers too small for what is asked. */
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "t.h"

#define BYTES_EQ(buf, n, vec) do {					\
	CHECK_EQ_INT((n), sizeof(vec));					\
	CHECK((n) == sizeof(vec) && memcmp((buf), (vec), sizeof(vec)) == 0); \
} while (0)

/* "A012 请到3号窗口" in GB2312. */
static const unsigned char call_gb[] = {
	0x41, 0x30, 0x31, 0x32, 0x20, 0xc7, 0xeb, 0xb5, 0xbd, 0x33, 0xba, 0xc5,
	0xb4, 0xb0, 0xbf, 0xda,
};
/* "暂停服务" in GB2312. */
static const unsigned char paused_gb[] = {
	0xd4, 0xdd, 0xcd, 0xa3, 0xb7, 0xfe, 0xce, 0xf1,
};
/* "王镕" in GB18030: 镕 U+9555 is GBK, not GB2312. */
static const unsigned char rong_gb18030[] = { 0xcd, 0xf5, 0xe9, 0x46 };
/* "㐀𠀀" in GB18030: U+3400 and U+20000, four bytes each. */
static const unsigned char ext_gb18030[] = {
	0x81, 0x39, 0xee, 0x39, 0x95, 0x32, 0x82, 0x36,
};

static const char call[] = "A012 请到3号窗口";

static void
test_call(struct textconv *gb)
{
	char		 out[64];
	size_t		 n, used;
	unsigned	 rep = 0;

	n = textconv_encode(gb, call, 0, out, sizeof out, &rep, &used);
	BYTES_EQ(out, n, call_gb);
	CHECK_EQ_INT(out[n], '\0');
	CHECK_EQ_INT(used, 16);
	CHECK_EQ_INT(rep, 0);

	/* Exactly wide enough. */
	n = textconv_encode(gb, call, 16, out, sizeof out, &rep, &used);
	BYTES_EQ(out, n, call_gb);
	CHECK_EQ_INT(used, 16);

	/* One column short: 口 goes whole, not half. */
	n = textconv_encode(gb, call, 15, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 14);
	CHECK(memcmp(out, call_gb, 14) == 0);
	CHECK_EQ_INT(out[14], '\0');
	CHECK_EQ_INT(used, 14);

	n = textconv_encode(gb, call, 5, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 5);
	CHECK(strcmp(out, "A012 ") == 0);
	CHECK_EQ_INT(used, 5);

	/* 6 columns: 请 needs 6..7, so still "A012 ". */
	n = textconv_encode(gb, call, 6, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_INT(used, 5);
	n = textconv_encode(gb, call, 7, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 7);
	CHECK_EQ_INT(used, 7);

	n = textconv_encode(gb, "暂停服务", 0, out, sizeof out, &rep, &used);
	BYTES_EQ(out, n, paused_gb);
	CHECK_EQ_INT(used, 8);
	CHECK_EQ_INT(rep, 0);

	/* cols_used and replaced may be NULL. */
	n = textconv_encode(gb, call, 0, out, sizeof out, NULL, NULL);
	BYTES_EQ(out, n, call_gb);
}

static void
test_missing(struct textconv *gb, struct textconv *gb18030)
{
	char		 out[64];
	size_t		 n, used;
	unsigned	 rep;

	/* 镕 is in GB18030 (2 bytes) but not GB2312. */
	rep = 0;
	n = textconv_encode(gb, "王镕", 0, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 3);
	CHECK(memcmp(out, "\xcd\xf5?", 4) == 0);
	CHECK_EQ_INT(used, 3);
	CHECK_EQ_INT(rep, 1);
	rep = 0;
	n = textconv_encode(gb18030, "王镕", 0, out, sizeof out, &rep, &used);
	BYTES_EQ(out, n, rong_gb18030);
	CHECK_EQ_INT(used, 4);
	CHECK_EQ_INT(rep, 0);

	/* Four-byte GB18030 characters take two columns each. */
	rep = 0;
	n = textconv_encode(gb18030, "㐀𠀀", 0, out, sizeof out, &rep, &used);
	BYTES_EQ(out, n, ext_gb18030);
	CHECK_EQ_INT(used, 4);
	CHECK_EQ_INT(rep, 0);
	n = textconv_encode(gb18030, "㐀𠀀", 3, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 4);
	CHECK(memcmp(out, ext_gb18030, 4) == 0);
	CHECK_EQ_INT(used, 2);
	rep = 0;
	n = textconv_encode(gb, "㐀x𠀀", 0, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 3);
	CHECK(strcmp(out, "?x?") == 0);
	CHECK_EQ_INT(used, 3);
	CHECK_EQ_INT(rep, 2);

	/* Emoji: not in GB2312; in GB18030 as four bytes. */
	rep = 0;
	n = textconv_encode(gb, "A😀请", 0, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 4);
	CHECK(memcmp(out, "A?\xc7\xeb", 5) == 0);
	CHECK_EQ_INT(used, 4);
	CHECK_EQ_INT(rep, 1);
	rep = 0;
	n = textconv_encode(gb18030, "😀", 0, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 4);
	CHECK(memcmp(out, "\x94\x39\xfc\x36", 5) == 0);
	CHECK_EQ_INT(rep, 0);

	/* *replaced adds up over calls. */
	rep = 5;
	textconv_encode(gb, "😀😀", 0, out, sizeof out, &rep, NULL);
	CHECK_EQ_INT(rep, 7);

	/* A '?' cut off by cols is not counted. */
	rep = 0;
	n = textconv_encode(gb, "AB😀", 2, out, sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(rep, 0);
}

struct bad {
	const char	*in;
	const char	*out;	/* GB2312 */
	unsigned	 rep;
};

static void
test_invalid(struct textconv *gb)
{
	static const struct bad	 bad[] = {
		/* Bad lead bytes: continuation, C0/C1, F5..FF. */
		{ "a\x80z", "a?z", 1 },
		{ "a\xbf\x80z", "a??z", 2 },
		{ "\xf5\x80\x80\x80", "????", 4 },
		{ "\xff", "?", 1 },
		{ "\xfe\xfe", "??", 2 },
		/* Truncated: before ASCII, before another lead, at the end. */
		{ "\xe8\xaf" "A", "?A", 1 },
		{ "\xe8" "A", "?A", 1 },
		{ "\xf0\x9f\x98" "A", "?A", 1 },
		{ "\xe8\xaf\xe8\xaf\xb7", "?\xc7\xeb", 1 },	/* 请 after */
		{ "A\xe8\xaf", "A?", 1 },
		{ "A\xc3", "A?", 1 },
		/* Overlong: '/' in 2, 3, 4 bytes; NUL in 2. */
		{ "\xc0\xaf", "??", 2 },
		{ "\xc1\xbf", "??", 2 },
		{ "\xe0\x80\xaf", "???", 3 },
		{ "\xe0\x9f\xbf", "???", 3 },
		{ "\xf0\x80\x80\xaf", "????", 4 },
		{ "\xf0\x8f\xbf\xbf", "????", 4 },
		{ "\xc0\x80" "x", "??x", 2 },
		/* Surrogates, alone and as a CESU-8 pair. */
		{ "\xed\xa0\x80", "???", 3 },
		{ "\xed\xbf\xbf", "???", 3 },
		{ "\xed\xa0\xbd\xed\xb8\x80", "??????", 6 },
		/* Above U+10FFFF. */
		{ "\xf4\x90\x80\x80", "????", 4 },
		/* Just inside the edges: U+D7FF and U+E000 are well formed
		 * (not in GB2312: one '?' each), U+0800 too. */
		{ "\xed\x9f\xbf", "?", 1 },
		{ "\xee\x80\x80", "?", 1 },
		{ "\xe0\xa0\x80", "?", 1 },
	};
	char		 out[64];
	size_t		 i, n, used;
	unsigned	 rep;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rep = 0;
		n = textconv_encode(gb, bad[i].in, 0, out, sizeof out, &rep,
		    &used);
		CHECK_EQ_INT(n, strlen(bad[i].out));
		CHECK_EQ_INT(used, strlen(bad[i].out));
		CHECK_EQ_INT(rep, bad[i].rep);
		if (strcmp(out, bad[i].out) != 0) {
			fprintf(stderr, "bad[%zu]: got \"%s\"\n", i, out);
			CHECK(0);
		}
	}
}

static void
test_controls(struct textconv *gb)
{
	char		 out[64];
	size_t		 n, used;
	unsigned	 rep = 0;

	n = textconv_encode(gb, "a\tb\nc\rd\x7f" "e\x1b" "f", 0, out,
	    sizeof out, &rep, &used);
	CHECK_EQ_INT(n, 11);
	CHECK(strcmp(out, "a b c d e f") == 0);
	CHECK_EQ_INT(used, 11);
	CHECK_EQ_INT(rep, 0);
	/* C1 controls (U+0080, U+009F) too. */
	n = textconv_encode(gb, "x\xc2\x80y\xc2\x9fz", 0, out, sizeof out,
	    &rep, &used);
	CHECK(strcmp(out, "x y z") == 0);
	CHECK_EQ_INT(rep, 0);
	/* U+00A0 is not a control: GB2312 lacks it. */
	n = textconv_encode(gb, "\xc2\xa0", 0, out, sizeof out, &rep, &used);
	CHECK(strcmp(out, "?") == 0);
	CHECK_EQ_INT(rep, 1);
}

static void
test_small(struct textconv *gb, struct textconv *gb18030)
{
	char		 out[8];
	size_t		 n, used;
	unsigned	 rep = 0;

	CHECK_EQ_INT(textconv_encode(gb, "", 0, out, sizeof out, &rep,
	    &used), 0);
	CHECK_EQ_INT(out[0], '\0');
	CHECK_EQ_INT(used, 0);
	CHECK_EQ_INT(textconv_encode(gb, NULL, 0, out, sizeof out, &rep,
	    &used), 0);
	CHECK_EQ_INT(out[0], '\0');

	/* size 0: nothing written at all. */
	memset(out, 'X', sizeof out);
	CHECK_EQ_INT(textconv_encode(gb, call, 0, out, 0, &rep, &used), 0);
	CHECK_EQ_INT(out[0], 'X');
	CHECK_EQ_INT(used, 0);

	/* size 1: the NUL only. */
	memset(out, 'X', sizeof out);
	CHECK_EQ_INT(textconv_encode(gb, call, 0, out, 1, &rep, &used), 0);
	CHECK_EQ_INT(out[0], '\0');
	CHECK_EQ_INT(out[1], 'X');
	CHECK_EQ_INT(used, 0);
	memset(out, 'X', sizeof out);
	CHECK_EQ_INT(textconv_encode(gb, "请", 0, out, 1, &rep, &used), 0);
	CHECK_EQ_INT(out[0], '\0');

	/* size 2: one ASCII byte, or nothing rather than half of 请. */
	memset(out, 'X', sizeof out);
	CHECK_EQ_INT(textconv_encode(gb, call, 0, out, 2, &rep, &used), 1);
	CHECK(memcmp(out, "A\0X", 3) == 0);
	CHECK_EQ_INT(used, 1);
	memset(out, 'X', sizeof out);
	CHECK_EQ_INT(textconv_encode(gb, "请到", 0, out, 2, &rep, &used), 0);
	CHECK(memcmp(out, "\0X", 2) == 0);
	CHECK_EQ_INT(used, 0);

	/* size 3: 请 fits whole; "A请" stops after A. */
	memset(out, 'X', sizeof out);
	n = textconv_encode(gb, "请到", 0, out, 3, &rep, &used);
	CHECK_EQ_INT(n, 2);
	CHECK(memcmp(out, "\xc7\xeb\0X", 4) == 0);
	CHECK_EQ_INT(used, 2);
	memset(out, 'X', sizeof out);
	n = textconv_encode(gb, "A请", 0, out, 3, &rep, &used);
	CHECK_EQ_INT(n, 1);
	CHECK(memcmp(out, "A\0X", 3) == 0);

	/* A four-byte character needs size 5. */
	memset(out, 'X', sizeof out);
	n = textconv_encode(gb18030, "𠀀", 0, out, 4, &rep, &used);
	CHECK_EQ_INT(n, 0);
	CHECK(memcmp(out, "\0X", 2) == 0);
	memset(out, 'X', sizeof out);
	n = textconv_encode(gb18030, "𠀀", 0, out, 5, &rep, &used);
	CHECK_EQ_INT(n, 4);
	CHECK(memcmp(out, "\x95\x32\x82\x36\0X", 6) == 0);
	CHECK_EQ_INT(used, 2);

	/* Exactly the call, one byte short of it. */
	{
		char	 big[sizeof call_gb + 1];

		n = textconv_encode(gb, call, 0, big, sizeof big, &rep, &used);
		BYTES_EQ(big, n, call_gb);
		n = textconv_encode(gb, call, 0, big, sizeof big - 1, &rep,
		    &used);
		CHECK_EQ_INT(n, 14);
		CHECK_EQ_INT(big[14], '\0');
	}
	CHECK_EQ_INT(rep, 0);
}

static void
test_open(void)
{
	struct textconv	*tc;

	CHECK(textconv_open("UTF-16") == NULL);
	CHECK(textconv_open("no-such-charset") == NULL);
	CHECK(textconv_open(NULL) == NULL);
	CHECK((tc = textconv_open("gb2312")) != NULL);
	textconv_close(tc);
	CHECK((tc = textconv_open("GBK")) != NULL);
	textconv_close(tc);
	textconv_close(NULL);
}

static void
test_pad(struct textconv *gb)
{
	char		 out[32];
	size_t		 n, used;

	n = textconv_encode(gb, "A012 请到", 0, out, sizeof out, NULL, &used);
	CHECK_EQ_INT(used, 9);
	n = text_pad(out, n, sizeof out, used, 12);
	CHECK_EQ_INT(n, 12);
	CHECK(memcmp(out, "A012 \xc7\xeb\xb5\xbd   ", 13) == 0);

	/* Already as wide or wider: unchanged. */
	CHECK_EQ_INT(text_pad(out, 12, sizeof out, 12, 12), 12);
	CHECK_EQ_INT(text_pad(out, 12, sizeof out, 12, 4), 12);
	CHECK_EQ_INT(out[12], '\0');

	/* Bounded by size. */
	strcpy(out, "ab");
	CHECK_EQ_INT(text_pad(out, 2, 5, 2, 10), 4);
	CHECK(memcmp(out, "ab  \0", 5) == 0);
	CHECK_EQ_INT(text_pad(out, 0, 1, 0, 10), 0);
	CHECK_EQ_INT(out[0], '\0');
	out[0] = 'X';
	CHECK_EQ_INT(text_pad(out, 0, 0, 0, 10), 0);
	CHECK_EQ_INT(out[0], 'X');
	strcpy(out, "");
	CHECK_EQ_INT(text_pad(out, 0, sizeof out, 0, 3), 3);
	CHECK(strcmp(out, "   ") == 0);
}

static void
test_expand(void)
{
	static const struct text_var	 vars[] = {
		{ "number", "A012" },
		{ "window", "3" },
		{ "name", "王镕" },
		{ "empty", NULL },
	};
	char	 out[64];
	size_t	 n;

	n = text_expand("{number} 请到{window}号窗口", vars, 4, out,
	    sizeof out);
	CHECK(strcmp(out, call) == 0);
	CHECK_EQ_INT(n, strlen(call));

	/* Unknown names, unclosed braces, "{{", lone "}". */
	text_expand("{nope} {number", vars, 4, out, sizeof out);
	CHECK(strcmp(out, "{nope} {number") == 0);
	text_expand("{{number}} {{{window}}", vars, 4, out, sizeof out);
	CHECK(strcmp(out, "{number}} {3}") == 0);
	text_expand("{}{a{window}}x", vars, 4, out, sizeof out);
	CHECK(strcmp(out, "{}{a3}x") == 0);
	text_expand("[{empty}]", vars, 4, out, sizeof out);
	CHECK(strcmp(out, "[]") == 0);
	text_expand("{Number}", vars, 4, out, sizeof out);
	CHECK(strcmp(out, "{Number}") == 0);
	/* nvars limits the table. */
	text_expand("{number}{window}", vars, 1, out, sizeof out);
	CHECK(strcmp(out, "A012{window}") == 0);
	text_expand("{number}", NULL, 0, out, sizeof out);
	CHECK(strcmp(out, "{number}") == 0);
	CHECK_EQ_INT(text_expand("", vars, 4, out, sizeof out), 0);
	CHECK_EQ_INT(out[0], '\0');
	CHECK_EQ_INT(text_expand(NULL, vars, 4, out, sizeof out), 0);

	/* Truncation: bounded, NUL-terminated, whole characters only. */
	n = text_expand("{number} 请到{window}号窗口", vars, 4, out, 5);
	CHECK_EQ_INT(n, 4);
	CHECK(strcmp(out, "A012") == 0);
	n = text_expand("{number} 请到{window}号窗口", vars, 4, out, 7);
	CHECK_EQ_INT(n, 5);		/* 请 is 3 bytes: 5 + 3 > 6 */
	CHECK(strcmp(out, "A012 ") == 0);
	n = text_expand("{number} 请到{window}号窗口", vars, 4, out, 9);
	CHECK_EQ_INT(n, 8);
	CHECK(strcmp(out, "A012 请") == 0);
	n = text_expand("x{name}", vars, 4, out, 6);	/* 王 fits, 镕 no */
	CHECK_EQ_INT(n, 4);
	CHECK(strcmp(out, "x王") == 0);
	n = text_expand("{number}", vars, 4, out, 3);
	CHECK_EQ_INT(n, 2);
	CHECK(strcmp(out, "A0") == 0);
	n = text_expand("请", vars, 4, out, 3);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(out[0], '\0');
	n = text_expand("𠀀ab", vars, 4, out, 5);
	CHECK_EQ_INT(n, 4);
	n = text_expand("𠀀ab", vars, 4, out, 4);
	CHECK_EQ_INT(n, 0);
	n = text_expand("abc", vars, 4, out, 1);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(out[0], '\0');
	out[0] = 'X';
	CHECK_EQ_INT(text_expand("abc", vars, 4, out, 0), 0);
	CHECK_EQ_INT(out[0], 'X');
	/* A cut stops expansion: nothing after it sneaks in. */
	n = text_expand("{name}b", vars, 4, out, 5);
	CHECK_EQ_INT(n, 3);
	CHECK(strcmp(out, "王") == 0);
}

/* Expand, then encode: the way a display driver uses the two. */
static void
test_together(struct textconv *gb)
{
	static const struct text_var	 vars[] = {
		{ "number", "B107" },
		{ "window", "12" },
	};
	char		 utf8[64], out[64];
	size_t		 n, used;
	unsigned	 rep = 0;

	text_expand("{number}请到{window}号", vars, 2, utf8, sizeof utf8);
	n = textconv_encode(gb, utf8, 10, out, sizeof out, &rep, &used);
	n = text_pad(out, n, sizeof out, used, 12);
	CHECK_EQ_INT(n, 12);
	CHECK(memcmp(out, "B107\xc7\xeb\xb5\xbd" "12  ", 13) == 0);
	CHECK_EQ_INT(rep, 0);
}

int
main(void)
{
	struct textconv	*gb, *gb18030;

	gb = textconv_open("GB2312");
	gb18030 = textconv_open("GB18030");
	CHECK(gb != NULL);
	CHECK(gb18030 != NULL);
	if (gb == NULL || gb18030 == NULL)
		return t_done("text");

	test_call(gb);
	test_missing(gb, gb18030);
	test_invalid(gb);
	test_controls(gb);
	test_small(gb, gb18030);
	test_open();
	test_pad(gb);
	test_expand();
	test_together(gb);

	textconv_close(gb);
	textconv_close(gb18030);
	return t_done("text");
}

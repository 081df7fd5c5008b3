/* jsonpos.c — finds the line and column where the value at a path starts in a
 * JSON text.  jansson reports positions only for syntax errors; the config
 * checker uses this to point at the value it rejects.  The text has already
 * been parsed by jansson, so this scanner may assume it is well formed and
 * only has to stay inside the buffer. */
#include <string.h>

#include "config.h"

struct scan {
	const char	*p;
	int		 line;
	int		 col;
};

static void
scan_adv(struct scan *s)
{
	if (*s->p == '\0')
		return;
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else if (((unsigned char)*s->p & 0xC0) != 0x80)
		s->col++;	/* count characters, not UTF-8 bytes */
	s->p++;
}

static void
scan_ws(struct scan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		scan_adv(s);
}

/* Four hex digits of a \u escape; -1 if they are not there. */
static long
scan_hex4(struct scan *s)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = *s->p;
		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return -1;
		scan_adv(s);
	}
	return v;
}

/* With s just past a backslash: decode one escape into buf (UTF-8). */
static size_t
scan_escape(struct scan *s, char *buf)
{
	static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
	const char *e;
	long cp;

	if (*s->p == '\0')
		return 0;
	if (*s->p != 'u') {
		buf[0] = (e = strchr(from, *s->p)) != NULL ? to[e - from] : *s->p;
		scan_adv(s);
		return 1;
	}
	scan_adv(s);
	if ((cp = scan_hex4(s)) < 0)
		return 0;
	if (cp >= 0xD800 && cp < 0xDC00 && s->p[0] == '\\' && s->p[1] == 'u') {
		long lo;
		scan_adv(s);
		scan_adv(s);
		if ((lo = scan_hex4(s)) >= 0xDC00 && lo < 0xE000)
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xC0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | cp >> 18);
	buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	buf[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Skip a string starting at '"'.  With want, say whether the string, escapes
 * decoded as jansson decodes them, equals want (object keys such as "x\"y"
 * or "\u540d" must match the key jansson handed to the checker).
 */
static int
scan_string(struct scan *s, const char *want)
{
	size_t wlen = want ? strlen(want) : 0, n = 0, len;
	int eq = want != NULL;
	char buf[4];

	scan_adv(s);
	while (*s->p != '\0' && *s->p != '"') {
		if (*s->p == '\\') {
			scan_adv(s);
			len = scan_escape(s, buf);
		} else {
			buf[0] = *s->p;
			len = 1;
			scan_adv(s);
		}
		if (eq && (n + len > wlen || memcmp(want + n, buf, len) != 0))
			eq = 0;
		n += len;
	}
	scan_adv(s);
	return eq && n == wlen;
}

static void scan_value(struct scan *);

static void
scan_container(struct scan *s)
{
	char close = *s->p == '{' ? '}' : ']';

	scan_adv(s);
	for (;;) {
		scan_ws(s);
		if (*s->p == '\0')
			return;
		if (*s->p == close) {
			scan_adv(s);
			return;
		}
		if (*s->p == ',' || *s->p == ':') {
			scan_adv(s);
			continue;
		}
		scan_value(s);
	}
}

static void
scan_value(struct scan *s)
{
	scan_ws(s);
	if (*s->p == '"')
		scan_string(s, NULL);
	else if (*s->p == '{' || *s->p == '[')
		scan_container(s);
	else
		while (*s->p != '\0' && strchr(",]} \t\r\n", *s->p) == NULL)
			scan_adv(s);
}

/* With s at '{' or '[', move to the start of the member or element. */
static int
scan_enter(struct scan *s, const struct jsonpos_step *step)
{
	int i = 0, match;

	if (*s->p != (step->key ? '{' : '['))
		return -1;
	scan_adv(s);
	for (;;) {
		scan_ws(s);
		if (*s->p == '\0' || *s->p == '}' || *s->p == ']')
			return -1;
		if (step->key != NULL) {
			if (*s->p != '"')
				return -1;
			match = scan_string(s, step->key);
			scan_ws(s);
			if (*s->p != ':')
				return -1;
			scan_adv(s);
			scan_ws(s);
			if (match)
				return 0;
		} else if (i++ == step->index)
			return 0;
		scan_value(s);
		scan_ws(s);
		if (*s->p == ',')
			scan_adv(s);
	}
}

int
jsonpos_locate(const char *text, const struct jsonpos_step *path, int nsteps,
    int *line, int *col)
{
	struct scan s = { text, 1, 1 };
	int i;

	scan_ws(&s);
	for (i = 0; i < nsteps; i++) {
		if (scan_enter(&s, &path[i]) == -1)
			break;
	}
	*line = s.line;
	*col = s.col;
	return i == nsteps ? 0 : -1;
}

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

/* Skip a string starting at '"'; copy up to cap-1 bytes of it (raw). */
static void
scan_string(struct scan *s, char *out, size_t cap)
{
	size_t n = 0;

	scan_adv(s);
	while (*s->p != '\0' && *s->p != '"') {
		if (*s->p == '\\') {
			if (out != NULL && n + 1 < cap)
				out[n++] = *s->p;
			scan_adv(s);
			if (*s->p == '\0')
				break;
		}
		if (out != NULL && n + 1 < cap)
			out[n++] = *s->p;
		scan_adv(s);
	}
	if (out != NULL)
		out[n] = '\0';
	scan_adv(s);
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
		scan_string(s, NULL, 0);
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
	char key[256];
	int i = 0;

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
			scan_string(s, key, sizeof key);
			scan_ws(s);
			if (*s->p != ':')
				return -1;
			scan_adv(s);
			scan_ws(s);
			if (strcmp(key, step->key) == 0)
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

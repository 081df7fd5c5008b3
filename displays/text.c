/* text.c — UTF-8 into a display's charset within its columns, padding and
 * "{name}" templates.  Pure apart from iconv(3): no I/O, nothing from
 * daemon/; allocates only the textconv itself.  Links alone into its test. */
#include <assert.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

struct textconv {
	iconv_t		 cd;	/* UTF-8 → charset, reset before each character */
};

/* Charsets a display may use: ASCII-compatible, so ASCII is copied as is
 * and every other character comes out as 2 or more bytes. */
static const char *const text_charsets[] = { "GB2312", "GBK", "GB18030" };

struct textconv *
textconv_open(const char *charset)
{
	struct textconv	*tc;
	const char	*name = NULL;
	size_t		 i;

	for (i = 0; charset != NULL &&
	    i < sizeof text_charsets / sizeof text_charsets[0]; i++) {
		if (strcasecmp(charset, text_charsets[i]) == 0)
			name = text_charsets[i];
	}
	if (name == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((tc = calloc(1, sizeof *tc)) == NULL)
		return NULL;
	if ((tc->cd = iconv_open(name, "UTF-8")) == (iconv_t)-1) {
		free(tc);
		errno = EINVAL;
		return NULL;
	}
	return tc;
}

void
textconv_close(struct textconv *tc)
{
	if (tc == NULL)
		return;
	iconv_close(tc->cd);
	free(tc);
}

/*
 * Decode one character of NUL-terminated UTF-8.  Returns 1 with *cp and *len
 * for a well-formed one; 0 with *len the length of the maximal ill-formed
 * subpart (at least 1) otherwise.  The second byte's range excludes overlong
 * forms (E0, F0), surrogates (ED) and values above U+10FFFF (F4); the NUL
 * is never a continuation byte, so nothing past it is read.
 */
static int
text_utf8_next(const unsigned char *s, uint32_t *cp, size_t *len)
{
	unsigned char	 c = s[0], lo = 0x80, hi = 0xbf;
	size_t		 need, i;
	uint32_t	 v;

	if (c < 0x80) {
		*cp = c;
		*len = 1;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*len = 1;	/* continuation byte, C0, C1, F5..FF */
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi) {
			*len = i;
			return 0;
		}
		v = (v << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	*len = need + 1;
	return 1;
}

/* One well-formed character through iconv from a fresh state: its bytes in
 * buf, or 0 if the charset has no such character. */
static size_t
textconv_char(struct textconv *tc, const unsigned char *s, size_t n,
    char *buf, size_t size)
{
	char	 in[4];
	char	*inp = in, *outp = buf;
	size_t	 inleft = n, outleft = size, r;

	assert(n <= sizeof in);
	memcpy(in, s, n);
	iconv(tc->cd, NULL, NULL, NULL, NULL);
	r = iconv(tc->cd, &inp, &inleft, &outp, &outleft);
	if (r != 0 || inleft != 0)	/* -1 (EILSEQ), or irreversible */
		return 0;
	if (iconv(tc->cd, NULL, NULL, &outp, &outleft) == (size_t)-1)
		return 0;
	return size - outleft;
}

size_t
textconv_encode(struct textconv *tc, const char *utf8, size_t cols,
    char *out, size_t size, unsigned *replaced, size_t *cols_used)
{
	const unsigned char	*s = (const unsigned char *)utf8;
	char			 buf[TEXT_CHAR_MAX];
	size_t			 len = 0, used = 0, n, blen, w;
	uint32_t		 cp;
	int			 bad;

	assert(tc != NULL);
	if (size == 0) {
		if (cols_used != NULL)
			*cols_used = 0;
		return 0;
	}
	while (s != NULL && *s != '\0') {
		bad = 0;
		blen = 1;
		if (!text_utf8_next(s, &cp, &n)) {
			buf[0] = '?';
			bad = 1;
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			buf[0] = ' ';
		else if (cp < 0x80)
			buf[0] = (char)cp;
		else if ((blen = textconv_char(tc, s, n, buf, sizeof buf)) == 0) {
			buf[0] = '?';
			blen = 1;
			bad = 1;
		}
		w = blen == 1 ? 1 : 2;
		if (cols != 0 && used + w > cols)
			break;
		if (blen > size - 1 - len)
			break;
		memcpy(out + len, buf, blen);
		len += blen;
		used += w;
		if (bad && replaced != NULL)
			(*replaced)++;
		s += n;
	}
	out[len] = '\0';
	if (cols_used != NULL)
		*cols_used = used;
	return len;
}

size_t
text_pad(char *out, size_t len, size_t size, size_t used, size_t cols)
{
	if (size == 0)
		return 0;
	if (len > size - 1)
		len = size - 1;
	while (used < cols && len < size - 1) {
		out[len++] = ' ';
		used++;
	}
	out[len] = '\0';
	return len;
}

/* Append n bytes, or as many as fit before the NUL; 0 if cut. */
static int
text_put(char *out, size_t *len, size_t size, const char *s, size_t n)
{
	size_t	 room = size - 1 - *len;

	if (n > room) {
		memcpy(out + *len, s, room);
		*len += room;
		return 0;
	}
	memcpy(out + *len, s, n);
	*len += n;
	return 1;
}

/* Drop a UTF-8 character left incomplete at the end by a cut. */
static size_t
text_utf8_trim(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 lead = len, want;

	/* Back over up to three continuation bytes to their lead. */
	while (lead > 0 && len - lead < 3 && (u[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0)
		return len;
	lead--;
	if (u[lead] >= 0xf0)
		want = 4;
	else if (u[lead] >= 0xe0)
		want = 3;
	else if (u[lead] >= 0xc0)
		want = 2;
	else
		return len;
	return len - lead < want ? lead : len;
}

static const struct text_var *
text_var_find(const struct text_var *vars, int nvars, const char *name,
    size_t n)
{
	int	 i;

	for (i = 0; vars != NULL && i < nvars; i++) {
		if (vars[i].name != NULL && strlen(vars[i].name) == n &&
		    memcmp(vars[i].name, name, n) == 0)
			return &vars[i];
	}
	return NULL;
}

size_t
text_expand(const char *tmpl, const struct text_var *vars, int nvars,
    char *out, size_t size)
{
	const struct text_var	*v;
	const char		*p = tmpl, *end, *val;
	size_t			 len = 0, run;
	int			 ok = 1;

	if (size == 0)
		return 0;
	while (ok && p != NULL && *p != '\0') {
		if (p[0] == '{' && p[1] == '{') {
			ok = text_put(out, &len, size, "{", 1);
			p += 2;
		} else if (p[0] == '{' && (end = strchr(p + 1, '}')) != NULL &&
		    (v = text_var_find(vars, nvars, p + 1, end - p - 1)) != NULL) {
			val = v->value != NULL ? v->value : "";
			ok = text_put(out, &len, size, val, strlen(val));
			p = end + 1;
		} else {
			/* Literal text up to the next '{', or a lone '{'. */
			if ((run = strcspn(p, "{")) == 0)
				run = 1;
			ok = text_put(out, &len, size, p, run);
			p += run;
		}
	}
	if (!ok)
		len = text_utf8_trim(out, len);
	out[len] = '\0';
	return len;
}

/* text.h — what a display can show: UTF-8 turned into the bytes of a
 * display's charset (GB2312 or GB18030) within a width in columns, padding,
 * and "{name}" templates.  Pure apart from iconv(3); writes only into
 * buffers the caller gives. */
#ifndef HALLQ_TEXT_H
#define HALLQ_TEXT_H

#include <stddef.h>

/* A display charset: the charsets of textconv_open, all ASCII-compatible. */
#define TEXT_CHAR_MAX	4	/* longest output character (GB18030) */

struct textconv;	/* UTF-8 → a display charset through iconv(3) */

/* "GB2312", "GBK" or "GB18030" (any case); NULL with errno EINVAL for
 * another name or if iconv lacks it, ENOMEM if out of memory. */
struct textconv	*textconv_open(const char *charset);
void		 textconv_close(struct textconv *);	/* NULL is a no-op */

/*
 * Convert NUL-terminated UTF-8 into the display charset, keeping to `cols`
 * columns (0 = no limit): a one-byte (ASCII) output character takes 1 column,
 * a multi-byte one (GB2312 2 bytes, GB18030 2 or 4 bytes) takes 2.  Stops
 * before the first character that would pass `cols` or not fit in `out`:
 * never cuts one in half.
 *
 * A character the charset cannot encode becomes '?'; so does each maximal
 * ill-formed subsequence of the UTF-8 (bad lead byte, truncated sequence,
 * overlong form, surrogate, above U+10FFFF), as in Unicode 15 §3.9 and the
 * WHATWG decoder: C0 AF is two '?', E4 BD followed by 'A' is one '?' then
 * 'A'.  *replaced (may be NULL) is increased by one for each '?' written.
 * Control characters (C0, DEL and C1) become ' ', not counted.
 *
 * Writes at most size-1 bytes and a NUL (nothing if size is 0); returns the
 * bytes written before the NUL.  *cols_used (may be NULL) gets the columns
 * taken.
 */
size_t	 textconv_encode(struct textconv *, const char *utf8, size_t cols,
	    char *out, size_t size, unsigned *replaced, size_t *cols_used);

/* Pad out (holding `used` columns in `len` bytes) with spaces to `cols`
 * columns, within size-1 bytes and a NUL; returns the new length. */
size_t	 text_pad(char *out, size_t len, size_t size, size_t used, size_t cols);

/*
 * Expand a template: "{number} 请到{window}号窗口" with {"number", "A012"},
 * {"window", "3"} gives "A012 请到3号窗口".  A {name} not among the vars
 * stays as written; "{{" is a literal "{" (a "}" is always literal).  The
 * output is cut, if it must be, at a UTF-8 character boundary and expansion
 * stops there; it is always NUL-terminated (size > 0).  Returns its length.
 */
struct text_var {
	const char	*name;		/* without the braces */
	const char	*value;		/* UTF-8; NULL is "" */
};
size_t	 text_expand(const char *tmpl, const struct text_var *, int nvars,
	    char *out, size_t size);

#endif

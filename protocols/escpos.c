/* escpos.c — ESC/POS command builder for the ticket printer and parser of
 * its DLE EOT status byte.  Pure: it writes only into the caller's buffer
 * and owns no device, clock or text conversion (the caller gives GB18030). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "escpos.h"

static const char *const escpos_errors[ESCPOS_E_MAX] = {
	[ESCPOS_OK] = "ok",
	[ESCPOS_E_SPACE] = "output buffer too small",
	[ESCPOS_E_ARG] = "invalid argument",
	[ESCPOS_E_STATUS] = "not a status byte",
};

/* GS ( k fn 69 levels, in order of the byte 48..51. */
static const char escpos_ecc_levels[] = "LMQH";

const char *
escpos_strerror(int e)
{
	if (e < 0)
		e = -e;
	if (e >= ESCPOS_E_MAX)
		return "unknown error";
	return escpos_errors[e];
}

static int
escpos_clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Room for n more bytes?  If not, the builder stops for good. */
static int
escpos_room(struct escpos *e, size_t n)
{
	if (e->overflow)
		return 0;
	if (e->size - e->len < n) {
		e->overflow = 1;
		return 0;
	}
	return 1;
}

static void
escpos_put(struct escpos *e, const uint8_t *p, size_t n)
{
	if (!escpos_room(e, n))
		return;
	memcpy(e->buf + e->len, p, n);
	e->len += n;
}

static void
escpos_put3(struct escpos *e, uint8_t a, uint8_t b, uint8_t c)
{
	const uint8_t	 cmd[3] = { a, b, c };

	escpos_put(e, cmd, sizeof cmd);
}

void
escpos_init(struct escpos *e, uint8_t *buf, size_t size)
{
	static const uint8_t	 init[] = { ESCPOS_ESC, '@' };

	e->buf = buf;
	e->size = buf == NULL ? 0 : size;
	e->len = 0;
	e->overflow = 0;
	escpos_put(e, init, sizeof init);
}

/* FS & / FS .: two-byte characters on or off.  Chinese models power up
 * with it on; we say so anyway, after ESC @. */
void
escpos_chinese(struct escpos *e, int on)
{
	const uint8_t	 cmd[2] = { ESCPOS_FS, on ? '&' : '.' };

	escpos_put(e, cmd, sizeof cmd);
}

void
escpos_align(struct escpos *e, int a)
{
	escpos_put3(e, ESCPOS_ESC, 'a',
	    (uint8_t)escpos_clamp(a, ESCPOS_ALIGN_LEFT, ESCPOS_ALIGN_RIGHT));
}

/* GS ! n: width − 1 in the high nibble, height − 1 in the low one. */
void
escpos_size(struct escpos *e, int w, int h)
{
	w = escpos_clamp(w, 1, ESCPOS_SIZE_MAX);
	h = escpos_clamp(h, 1, ESCPOS_SIZE_MAX);
	escpos_put3(e, ESCPOS_GS, '!', (uint8_t)((w - 1) << 4 | (h - 1)));
}

void
escpos_bold(struct escpos *e, int on)
{
	escpos_put3(e, ESCPOS_ESC, 'E', on ? 1 : 0);
}

/* Control bytes in text would be commands (ESC, GS, DLE…): blanked.
 * GB18030 never uses bytes below 0x30 inside a character, so this cannot
 * split one. */
void
escpos_text(struct escpos *e, const uint8_t *s, size_t n)
{
	size_t	 i;
	uint8_t	*out;

	if (n == 0 || s == NULL || !escpos_room(e, n))
		return;
	out = e->buf + e->len;
	for (i = 0; i < n; i++)
		out[i] = s[i] < 0x20 && s[i] != ESCPOS_LF ? ' ' : s[i];
	e->len += n;
}

void
escpos_feed(struct escpos *e, int lines)
{
	escpos_put3(e, ESCPOS_ESC, 'd', (uint8_t)escpos_clamp(lines, 0, 255));
}

void
escpos_lf(struct escpos *e)
{
	const uint8_t	 lf = ESCPOS_LF;

	escpos_put(e, &lf, 1);
}

/* QR model 2 through GS ( k, cn 49: model (fn 65), module size (fn 67),
 * error correction (fn 69), store (fn 80), print (fn 81).  All five go in
 * or none does. */
int
escpos_qr(struct escpos *e, const uint8_t *data, size_t n, int module_size,
    char ecc)
{
	const char	*level;
	size_t		 k;
	uint8_t		*p;

	if (n < 1 || n > ESCPOS_QR_DATA_MAX || data == NULL)
		return -ESCPOS_E_ARG;
	if (module_size < ESCPOS_QR_MODULE_MIN ||
	    module_size > ESCPOS_QR_MODULE_MAX)
		return -ESCPOS_E_ARG;
	if (ecc == '\0' || (level = strchr(escpos_ecc_levels, ecc)) == NULL)
		return -ESCPOS_E_ARG;
	if (!escpos_room(e, ESCPOS_QR_LEN(n)))
		return -ESCPOS_E_SPACE;

	p = e->buf + e->len;
	k = n + 3;		/* pL pH count cn fn m and the data */
	memcpy(p, "\x1d\x28\x6b\x04\x00\x31\x41\x32\x00", 9);
	p += 9;
	memcpy(p, "\x1d\x28\x6b\x03\x00\x31\x43", 7);
	p[7] = (uint8_t)module_size;
	p += 8;
	memcpy(p, "\x1d\x28\x6b\x03\x00\x31\x45", 7);
	p[7] = (uint8_t)(48 + (level - escpos_ecc_levels));
	p += 8;
	p[0] = ESCPOS_GS;
	p[1] = '(';
	p[2] = 'k';
	p[3] = (uint8_t)(k & 0xff);
	p[4] = (uint8_t)(k >> 8);
	p[5] = 49;
	p[6] = 80;
	p[7] = 48;
	memcpy(p + 8, data, n);
	p += 8 + n;
	memcpy(p, "\x1d\x28\x6b\x03\x00\x31\x51\x30", 8);
	e->len += ESCPOS_QR_LEN(n);
	return 0;
}

/* GS V 66 0: feed to the cutter, then partial cut (one point left). */
void
escpos_cut(struct escpos *e)
{
	static const uint8_t	 cut[] = { ESCPOS_GS, 'V', 66, 0 };

	escpos_put(e, cut, sizeof cut);
}

size_t
escpos_status_request(uint8_t *out, size_t size, int n)
{
	if (n < ESCPOS_ST_PRINTER || n > ESCPOS_ST_PAPER || size < 3 ||
	    out == NULL)
		return 0;
	out[0] = ESCPOS_DLE;
	out[1] = ESCPOS_EOT;
	out[2] = (uint8_t)n;
	return 3;
}

static int
escpos_bit(uint8_t b, int i)
{
	return (b >> i) & 1;
}

int
escpos_status_parse(int n, uint8_t b, struct escpos_status *st)
{
	if (n < ESCPOS_ST_PRINTER || n > ESCPOS_ST_PAPER)
		return -ESCPOS_E_ARG;
	if ((b & ESCPOS_STATUS_FIXED_MASK) != ESCPOS_STATUS_FIXED)
		return -ESCPOS_E_STATUS;
	memset(st, 0, sizeof *st);
	st->n = n;
	st->raw = b;
	switch (n) {
	case ESCPOS_ST_PRINTER:
		/* bits 5, 6 are reserved on Epson; Citizen uses them for
		 * "waiting for online recovery" and "FEED pressed" */
		st->online = !escpos_bit(b, 3);
		break;
	case ESCPOS_ST_OFFLINE:
		st->cover_open = escpos_bit(b, 2);
		st->feed_button = escpos_bit(b, 3);
		st->paper_out = escpos_bit(b, 5);
		st->error = escpos_bit(b, 6);
		break;
	case ESCPOS_ST_ERROR:
		st->cutter_error = escpos_bit(b, 3);
		st->unrecoverable = escpos_bit(b, 5);
		st->auto_recoverable = escpos_bit(b, 6);
		st->error = st->cutter_error || st->unrecoverable ||
		    st->auto_recoverable;
		break;
	case ESCPOS_ST_PAPER:
		/* Epson sets both bits of a pair; some models give each
		 * sensor its own bit, so either one counts */
		st->paper_near_end = (b & 0x0c) != 0;
		st->paper_out = (b & 0x60) != 0;
		break;
	}
	return 0;
}

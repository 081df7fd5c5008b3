/* ft12.c — encoder and streaming decoder of the 叫号 keypad/display frame
 * FF 68 L L 68 ADDR FUNC DATA... CS 16.  Pure: bytes in, bytes out; it owns
 * no buffer and touches no device, clock or daemon state. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ft12.h"

static const char *const ft12_errors[FT12_E_MAX] = {
	[FT12_OK] = "ok",
	[FT12_E_NEED] = "incomplete frame",
	[FT12_E_SPACE] = "output buffer too small",
	[FT12_E_LEN] = "length byte below 2",
	[FT12_E_LEN_MISMATCH] = "the two length bytes differ",
	[FT12_E_START] = "second start byte 68 missing",
	[FT12_E_CHECKSUM] = "bad checksum",
	[FT12_E_END] = "end byte 16 missing",
	[FT12_E_ARG] = "invalid argument",
	[FT12_E_FUNC] = "unexpected function",
	[FT12_E_DATA] = "bad data for function",
};

/* Key codes as data: code → kind.  Digits 0x00-0x09 are handled apart. */
static const struct {
	uint8_t			 code;
	enum ft12_key_kind	 kind;
} ft12_keys[] = {
	{ FT12_KEY_EVALUATE,	FT12_KIND_EVALUATE },
	{ FT12_KEY_CALL,	FT12_KIND_CALL },
	{ FT12_KEY_RECALL,	FT12_KIND_RECALL },
	{ FT12_KEY_CONFIRM,	FT12_KIND_CONFIRM },
	{ FT12_KEY_PAUSE,	FT12_KIND_PAUSE },
	{ FT12_KEY_TRANSFER,	FT12_KIND_TRANSFER },
};

static const char *const ft12_key_names[FT12_KIND_MAX] = {
	[FT12_KIND_DIGIT] = "digit",
	[FT12_KIND_CALL] = "call",
	[FT12_KIND_RECALL] = "recall",
	[FT12_KIND_EVALUATE] = "evaluate",
	[FT12_KIND_PAUSE] = "pause",
	[FT12_KIND_TRANSFER] = "transfer",
	[FT12_KIND_CONFIRM] = "confirm",
	[FT12_KIND_UNKNOWN] = "unknown",
};

const char *
ft12_strerror(int e)
{
	if (e < 0)
		e = -e;
	if (e >= FT12_E_MAX)
		return "unknown error";
	return ft12_errors[e];
}

const char *
ft12_key_name(enum ft12_key_kind k)
{
	if ((unsigned)k >= FT12_KIND_MAX)
		return "unknown";
	return ft12_key_names[k];
}

uint8_t
ft12_checksum(const uint8_t *p, size_t n)
{
	unsigned sum = 0;

	while (n-- > 0)
		sum += *p++;
	return (uint8_t)sum;
}

int
ft12_encode(uint8_t addr, uint8_t func, const uint8_t *data, size_t ndata,
    uint8_t *buf, size_t size)
{
	size_t	 len, i;

	if (ndata > FT12_DATA_MAX || (ndata > 0 && data == NULL))
		return -FT12_E_ARG;
	len = ndata + 2;
	if (size < len + FT12_OVERHEAD)
		return -FT12_E_SPACE;
	buf[0] = FT12_WAKE;
	buf[1] = FT12_START;
	buf[2] = (uint8_t)len;
	buf[3] = (uint8_t)len;
	buf[4] = FT12_START;
	buf[5] = addr;
	buf[6] = func;
	for (i = 0; i < ndata; i++)
		buf[7 + i] = data[i];
	buf[5 + len] = ft12_checksum(buf + 5, len);
	buf[6 + len] = FT12_STOP;
	return (int)(len + FT12_OVERHEAD);
}

static int
ft12_digit_ok(uint8_t d)
{
	return d <= 9 || d == FT12_BLANK;
}

int
ft12_encode_display(uint8_t addr, const uint8_t digits[FT12_DIGITS],
    uint8_t *buf, size_t size)
{
	int	 i;

	for (i = 0; i < FT12_DIGITS; i++)
		if (!ft12_digit_ok(digits[i]))
			return -FT12_E_ARG;
	return ft12_encode(addr, FT12_FUNC_DISPLAY, digits, FT12_DIGITS, buf,
	    size);
}

int
ft12_encode_beep(uint8_t addr, uint8_t *buf, size_t size)
{
	return ft12_encode(addr, FT12_FUNC_BEEP, NULL, 0, buf, size);
}

int
ft12_encode_key(uint8_t addr, uint8_t code, uint8_t *buf, size_t size)
{
	return ft12_encode(addr, FT12_FUNC_KEY, &code, 1, buf, size);
}

/* The host acknowledges a key frame by sending the same frame back. */
int
ft12_encode_echo(const struct ft12_frame *f, uint8_t *buf, size_t size)
{
	return ft12_encode(f->addr, f->func, f->data, f->ndata, buf, size);
}

int
ft12_digits_from_text(const char *text, uint8_t digits[FT12_DIGITS])
{
	const char	*p;
	int		 n = 0, i;

	if (text == NULL)
		return -FT12_E_ARG;
	for (p = text; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			n++;
	/* Cutting digits would show a different number: refuse instead. */
	if (n > FT12_DIGITS)
		return -FT12_E_ARG;
	for (i = 0; i < FT12_DIGITS - n; i++)
		digits[i] = FT12_BLANK;
	for (p = text; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			digits[i++] = (uint8_t)(*p - '0');
	return n;
}

int
ft12_decode(const uint8_t *buf, size_t len, struct ft12_frame *f,
    size_t *consumed)
{
	size_t	 i, l, total;

	/* Skip to the first FF 68; a lone FF at the end may start a frame. */
	for (i = 0; i < len; i++) {
		if (buf[i] != FT12_WAKE)
			continue;
		if (i + 1 == len || buf[i + 1] == FT12_START)
			break;
	}
	*consumed = i;
	if (len - i < 5)
		return -FT12_E_NEED;

	/* From here a bad frame drops its FF so the next call rescans. */
	l = buf[i + 2];
	if (l < FT12_LEN_MIN) {
		*consumed = i + 1;
		return -FT12_E_LEN;
	}
	if (buf[i + 3] != l) {
		*consumed = i + 1;
		return -FT12_E_LEN_MISMATCH;
	}
	if (buf[i + 4] != FT12_START) {
		*consumed = i + 1;
		return -FT12_E_START;
	}
	total = l + FT12_OVERHEAD;
	if (len - i < total)
		return -FT12_E_NEED;
	if (buf[i + total - 1] != FT12_STOP) {
		*consumed = i + 1;
		return -FT12_E_END;
	}
	if (ft12_checksum(buf + i + 5, l) != buf[i + 5 + l]) {
		*consumed = i + 1;
		return -FT12_E_CHECKSUM;
	}
	f->addr = buf[i + 5];
	f->func = buf[i + 6];
	f->ndata = l - 2;
	memcpy(f->data, buf + i + 7, f->ndata);
	*consumed = i + total;
	return (int)total;
}

int
ft12_key_parse(const struct ft12_frame *f, struct ft12_key *k)
{
	size_t	 i;

	if (f->func != FT12_FUNC_KEY)
		return -FT12_E_FUNC;
	if (f->ndata != 1)
		return -FT12_E_DATA;
	k->addr = f->addr;
	k->code = f->data[0];
	k->digit = -1;
	if (k->code <= FT12_KEY_DIGIT_9) {
		k->kind = FT12_KIND_DIGIT;
		k->digit = k->code;
		return 0;
	}
	k->kind = FT12_KIND_UNKNOWN;
	for (i = 0; i < sizeof ft12_keys / sizeof ft12_keys[0]; i++)
		if (ft12_keys[i].code == k->code)
			k->kind = ft12_keys[i].kind;
	return 0;
}

int
ft12_display_parse(const struct ft12_frame *f, uint8_t digits[FT12_DIGITS])
{
	int	 i;

	if (f->func != FT12_FUNC_DISPLAY)
		return -FT12_E_FUNC;
	if (f->ndata != FT12_DIGITS)
		return -FT12_E_DATA;
	for (i = 0; i < FT12_DIGITS; i++)
		if (!ft12_digit_ok(f->data[i]))
			return -FT12_E_DATA;
	memcpy(digits, f->data, FT12_DIGITS);
	return 0;
}

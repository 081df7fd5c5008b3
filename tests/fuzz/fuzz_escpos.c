/* fuzz_escpos.c — libFuzzer target for the ESC/POS codec: every input byte
 * parsed as a status for each n, and the input as a script of builder
 * commands (random text and QR lengths) into a small buffer, checking that
 * nothing is written past its size and that overflow, once set, stays. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escpos.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_BUF_MAX	512
#define FUZZ_CANARY	0xa5

static uint8_t	 fuzz_qr_data[ESCPOS_QR_DATA_MAX + 2];

static void
fuzz_status(const uint8_t *data, size_t size)
{
	struct escpos_status	 st;
	uint8_t			 req[3];
	size_t			 i;
	int			 n, r;

	for (i = 0; i < size; i++)
		for (n = 0; n <= 5; n++) {
			r = escpos_status_parse(n, data[i], &st);
			if (n < 1 || n > 4) {
				if (r != -ESCPOS_E_ARG)
					abort();
				continue;
			}
			if ((data[i] & 0x93) != 0x12) {
				if (r != -ESCPOS_E_STATUS)
					abort();
				continue;
			}
			if (r != 0 || st.n != n || st.raw != data[i] ||
			    (unsigned)st.online > 1 || (unsigned)st.cover_open > 1 ||
			    (unsigned)st.paper_near_end > 1 ||
			    (unsigned)st.paper_out > 1 || (unsigned)st.error > 1 ||
			    (unsigned)st.feed_button > 1)
				abort();
			if (escpos_status_request(req, sizeof req, n) != 3 ||
			    req[2] != n)
				abort();
			(void)escpos_strerror(r);
		}
}

static void
fuzz_builder(const uint8_t *data, size_t size)
{
	struct escpos	 e;
	uint8_t		 buf[FUZZ_BUF_MAX + 16];
	size_t		 cap, i = 0, before, n, j;
	int		 was_over, r;

	if (size < 1)
		return;
	cap = data[i++] % 64;
	if (cap == 63)
		cap = FUZZ_BUF_MAX;	/* now and then room for a real ticket */
	memset(buf, FUZZ_CANARY, sizeof buf);
	escpos_init(&e, buf, cap);

	while (i < size) {
		uint8_t	 op = data[i++];
		uint8_t	 a = i < size ? data[i] : 0;
		uint8_t	 b = i + 1 < size ? data[i + 1] : 0;

		before = e.len;
		was_over = e.overflow;
		switch (op % 10) {
		case 0:
			escpos_chinese(&e, a & 1);
			i++;
			break;
		case 1:
			escpos_align(&e, (int8_t)a);
			i++;
			break;
		case 2:
			escpos_size(&e, (int8_t)a, (int8_t)b);
			i += 2;
			break;
		case 3:
			escpos_bold(&e, a);
			i++;
			break;
		case 4:		/* text: length a, bytes from the input */
			i++;
			n = a;
			if (n > size - i)
				n = size - i;
			escpos_text(&e, data + i, n);
			if (!e.overflow) {
				if (e.len != before + n)
					abort();
				for (j = 0; j < n; j++)
					if (buf[before + j] < 0x20 &&
					    buf[before + j] != 0x0a)
						abort();
			}
			i += n;
			break;
		case 5:
			escpos_feed(&e, (int16_t)(a << 8 | b));
			i += 2;
			break;
		case 6:
			escpos_lf(&e);
			break;
		case 7:		/* QR: length from two bytes, any module, ecc */
			n = ((size_t)a << 8 | b) % (ESCPOS_QR_DATA_MAX + 2);
			i += 2;
			r = escpos_qr(&e, fuzz_qr_data, n,
			    i < size ? data[i] % 18 : 3,
			    i + 1 < size ? (char)data[i + 1] : 'M');
			i += 2;
			if (r == 0 && e.len != before + ESCPOS_QR_LEN(n))
				abort();
			if (r != 0 && e.len != before)
				abort();
			if (r == -ESCPOS_E_SPACE && !e.overflow)
				abort();
			(void)escpos_strerror(r);
			break;
		case 8:
			escpos_cut(&e);
			break;
		case 9:
			escpos_init(&e, buf, cap);
			was_over = 0;
			before = 0;
			break;
		}
		if (e.len > e.size || e.size != cap)
			abort();
		if (was_over && (!e.overflow || e.len != before))
			abort();
		if (e.overflow && e.len < before)
			abort();
	}
	for (j = cap; j < sizeof buf; j++)
		if (buf[j] != FUZZ_CANARY)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_status(data, size);
	fuzz_builder(data, size);
	return 0;
}

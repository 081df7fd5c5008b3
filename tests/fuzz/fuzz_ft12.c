/* fuzz_ft12.c — libFuzzer target for the ft12 streaming decoder: feeds the
 * input as a byte stream, parses every frame as key and display, and checks
 * that the echo of a decoded frame decodes to the same frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ft12.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ft12_frame	 f, g;
	struct ft12_key		 k;
	uint8_t			 digits[FT12_DIGITS], echo[FT12_FRAME_MAX];
	size_t			 off = 0, used, used2;
	int			 r, n;

	while (off < size) {
		r = ft12_decode(data + off, size - off, &f, &used);
		if (used > size - off)
			abort();
		if (r > 0) {
			if ((size_t)r > used)
				abort();
			(void)ft12_key_parse(&f, &k);
			(void)ft12_display_parse(&f, digits);
			(void)ft12_key_name(k.kind);
			n = ft12_encode_echo(&f, echo, sizeof echo);
			if (n != r || memcmp(echo, data + off + used - r, (size_t)r) != 0)
				abort();
			if (ft12_decode(echo, (size_t)n, &g, &used2) != n ||
			    used2 != (size_t)n || g.addr != f.addr ||
			    g.func != f.func || g.ndata != f.ndata ||
			    memcmp(g.data, f.data, f.ndata) != 0)
				abort();
		} else
			(void)ft12_strerror(r);
		if (r == -FT12_E_NEED)
			break;
		if (used == 0)
			abort();	/* no progress on an error */
		off += used;
	}
	return 0;
}

/* fuzz_ev1527.c — libFuzzer target for the EV1527 streaming decoder: feeds
 * the input as a byte stream and checks that each call makes progress,
 * consumes no more than it was given, and that a decoded code encodes back
 * to the very bytes it came from.  libFuzzer hands over a heap copy of
 * exactly size bytes, so ASan sees any read past the end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev1527.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ev1527_code	 c;
	struct ev1527_debounce	 d;
	uint8_t			 out[EV1527_FRAME_LEN];
	size_t			 off = 0, used;
	int64_t			 t = 0;
	int			 r;

	memset(&d, 0, sizeof d);
	while (off < size) {
		r = ev1527_decode(data + off, size - off, &c, &used);
		if (used > size - off)
			abort();
		if (r > 0) {
			if (r != EV1527_FRAME_LEN || used < (size_t)r)
				abort();
			if (c.id > EV1527_ID_MAX || c.key > EV1527_KEY_MAX)
				abort();
			if (ev1527_encode(&c, out) != EV1527_FRAME_LEN ||
			    memcmp(out, data + off + used - r, (size_t)r) != 0)
				abort();
			t += c.id & 0x1ff;	/* repeats and gaps both */
			(void)ev1527_press(&d, &c, t, 300);
		} else
			(void)ev1527_strerror(r);
		if (r == -EV1527_E_NEED)
			break;
		if (used == 0)
			abort();	/* no progress on an error */
		off += used;
	}
	return 0;
}

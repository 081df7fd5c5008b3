/* fuzz_bx.c — libFuzzer target for protocols/bx.c: walk the input as a
 * serial stream through bx_decode, parse each frame as a reply, and
 * re-encode every decoded frame, which must decode back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bx.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct bx_frame	f, g;
static uint8_t		wire[BX_WIRE_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bx_reply	r;
	size_t		off = 0, used, used2;
	int		rc, n;

	while (off < size) {
		rc = bx_decode(data + off, size - off, &f, &used);
		if (used > size - off)
			abort();
		if (rc == -BX_NEED_MORE && used == 0)
			break;		/* partial frame kept for more input */
		if (used == 0)
			abort();	/* no progress on a complete answer */
		off += used;
		if (rc != 0) {
			if (bx_strerror(rc) == NULL)
				abort();
			continue;
		}
		if (bx_reply_parse(&f, &r) == 0 &&
		    bx_status_name(r.status) == NULL)
			abort();

		n = bx_frame_build(&f, wire, sizeof(wire));
		if (n <= 0)
			abort();
		if (bx_decode(wire, (size_t)n, &g, &used2) != 0 ||
		    used2 != (size_t)n)
			abort();
		if (g.dst != f.dst || g.src != f.src || g.group != f.group ||
		    g.cmd != f.cmd || g.flag != f.flag ||
		    g.device_type != f.device_type || g.version != f.version ||
		    g.payload_len != f.payload_len ||
		    memcmp(g.payload, f.payload, f.payload_len) != 0)
			abort();
		/* the convenience encoder on the same payload */
		n = bx_frame_encode(f.dst, f.group, f.cmd, f.payload,
		    f.payload_len, wire, sizeof(wire));
		if (n <= 0 || bx_decode(wire, (size_t)n, &g, &used2) != 0 ||
		    g.payload_len != f.payload_len ||
		    memcmp(g.payload, f.payload, f.payload_len) != 0)
			abort();
	}
	return 0;
}

/* fuzz_modbus.c — libFuzzer target for the Modbus RTU parsers: the first
 * bytes choose the request a master sent, the rest is parsed as the slave's
 * reply; the whole input is also parsed as a request, and a decoded request
 * must encode back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modbus.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t funcs[4] = {
	MODBUS_READ_HOLDING, MODBUS_READ_INPUT, MODBUS_WRITE_SINGLE,
	MODBUS_WRITE_MULTIPLE
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modbus_request	 req, dec;
	struct modbus_reply	 rep;
	uint16_t		 values[MODBUS_WRITE_MAX], back[MODBUS_READ_MAX];
	uint8_t			 buf[MODBUS_FRAME_MAX], text[2 * MODBUS_READ_MAX];
	int			 r, n;

	/* as a request, on the slave side */
	r = modbus_request_decode(data, size, &dec, values);
	if (r > 0) {
		if ((size_t)r > size)
			abort();
		n = modbus_request_encode(&dec, buf, sizeof buf);
		if (n != r || memcmp(buf, data, (size_t)n) != 0)
			abort();
	}
	(void)modbus_strerror(r);

	/* as a reply to a request picked by the first four bytes */
	if (size >= 4) {
		memset(values, 0, sizeof values);
		req.slave = data[0];
		req.func = funcs[data[1] & 3];
		req.addr = (uint16_t)(data[2] << 4);
		req.count = data[3];
		req.values = values;
		r = modbus_reply_parse(&req, data + 4, size - 4, &rep);
		if (r > 0 && (size_t)r > size - 4)
			abort();
		if (r == -MODBUS_E_EXCEPTION)
			(void)modbus_exception_name(rep.exception);
		if (r > 0 && rep.count <= MODBUS_READ_MAX) {
			n = modbus_text_unpack(rep.regs, rep.count, text, sizeof text);
			if (n != 2 * rep.count ||
			    modbus_text_pack(text, (size_t)n, 0, back, rep.count) !=
			    rep.count || memcmp(back, rep.regs, 2 * (size_t)rep.count) != 0)
				abort();
		}
	}
	return 0;
}

/* modbus.c — Modbus RTU frames for register displays, keypads and
 * evaluators: requests out, replies in, CRC-16/MODBUS.  Pure: no port, no
 * timer — the caller owns the 3.5-character silences and the timeouts. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "modbus.h"

static const char *const modbus_errors[MODBUS_E_MAX] = {
	[MODBUS_OK] = "ok",
	[MODBUS_E_NEED] = "incomplete frame",
	[MODBUS_E_SPACE] = "output buffer too small",
	[MODBUS_E_ARG] = "slave, address or count out of range",
	[MODBUS_E_FUNC] = "unexpected function",
	[MODBUS_E_CRC] = "bad CRC",
	[MODBUS_E_SLAVE] = "reply from another slave",
	[MODBUS_E_EXCEPTION] = "exception reply",
	[MODBUS_E_BYTECOUNT] = "byte count does not match registers",
	[MODBUS_E_ECHO] = "write reply does not echo the request",
};

static const struct {
	uint8_t		 code;
	const char	*name;
} modbus_exceptions[] = {
	{ MODBUS_EX_ILLEGAL_FUNCTION,	"illegal function" },
	{ MODBUS_EX_ILLEGAL_ADDRESS,	"illegal data address" },
	{ MODBUS_EX_ILLEGAL_VALUE,	"illegal data value" },
	{ MODBUS_EX_DEVICE_FAILURE,	"server device failure" },
	{ MODBUS_EX_ACKNOWLEDGE,	"acknowledge" },
	{ MODBUS_EX_DEVICE_BUSY,	"server device busy" },
	{ MODBUS_EX_MEMORY_PARITY,	"memory parity error" },
	{ MODBUS_EX_GATEWAY_PATH,	"gateway path unavailable" },
	{ MODBUS_EX_GATEWAY_TARGET,	"gateway target device failed to respond" },
};

const char *
modbus_strerror(int e)
{
	if (e < 0)
		e = -e;
	if (e >= MODBUS_E_MAX)
		return "unknown error";
	return modbus_errors[e];
}

const char *
modbus_exception_name(uint8_t code)
{
	size_t	 i;

	for (i = 0; i < sizeof modbus_exceptions / sizeof modbus_exceptions[0]; i++)
		if (modbus_exceptions[i].code == code)
			return modbus_exceptions[i].name;
	return "unknown exception";
}

/* CRC-16/MODBUS: reflected poly 0xA001, init 0xFFFF, no final xor. */
uint16_t
modbus_crc16(const uint8_t *p, size_t n)
{
	uint16_t	 crc = 0xffff;
	int		 bit;

	while (n-- > 0) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa001) :
			    (uint16_t)(crc >> 1);
	}
	return crc;
}

static uint16_t
modbus__get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
modbus__put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Append the CRC, low byte first, after n bytes; returns n + 2. */
static int
modbus__seal(uint8_t *buf, size_t n)
{
	uint16_t	 crc = modbus_crc16(buf, n);

	buf[n] = (uint8_t)crc;
	buf[n + 1] = (uint8_t)(crc >> 8);
	return (int)(n + 2);
}

/* Is the CRC of the n-byte frame at buf right? */
static int
modbus__crc_ok(const uint8_t *buf, size_t n)
{
	uint16_t	 crc = modbus_crc16(buf, n - 2);

	return buf[n - 2] == (uint8_t)crc && buf[n - 1] == (uint8_t)(crc >> 8);
}

/* Registers addr..addr+count-1 must exist in the 16-bit space. */
static int
modbus__range_ok(uint16_t addr, uint16_t count, uint16_t max)
{
	return count >= 1 && count <= max && (uint32_t)addr + count <= 0x10000;
}

int
modbus_request_encode(const struct modbus_request *req, uint8_t *buf,
    size_t size)
{
	size_t	 i, n;

	if (req->slave < MODBUS_SLAVE_MIN || req->slave > MODBUS_SLAVE_MAX)
		return -MODBUS_E_ARG;
	switch (req->func) {
	case MODBUS_READ_HOLDING:
	case MODBUS_READ_INPUT:
		if (!modbus__range_ok(req->addr, req->count, MODBUS_READ_MAX))
			return -MODBUS_E_ARG;
		n = 8;
		break;
	case MODBUS_WRITE_SINGLE:
		if (req->count != 1 || req->values == NULL)
			return -MODBUS_E_ARG;
		n = 8;
		break;
	case MODBUS_WRITE_MULTIPLE:
		if (!modbus__range_ok(req->addr, req->count, MODBUS_WRITE_MAX) ||
		    req->values == NULL)
			return -MODBUS_E_ARG;
		n = 9 + 2 * (size_t)req->count;
		break;
	default:
		return -MODBUS_E_FUNC;
	}
	if (size < n)
		return -MODBUS_E_SPACE;

	buf[0] = req->slave;
	buf[1] = req->func;
	modbus__put16(buf + 2, req->addr);
	switch (req->func) {
	case MODBUS_WRITE_SINGLE:
		modbus__put16(buf + 4, req->values[0]);
		break;
	case MODBUS_WRITE_MULTIPLE:
		modbus__put16(buf + 4, req->count);
		buf[6] = (uint8_t)(2 * req->count);
		for (i = 0; i < req->count; i++)
			modbus__put16(buf + 7 + 2 * i, req->values[i]);
		break;
	default:
		modbus__put16(buf + 4, req->count);
		break;
	}
	return modbus__seal(buf, n - 2);
}

int
modbus_reply_parse(const struct modbus_request *req, const uint8_t *buf,
    size_t len, struct modbus_reply *rep)
{
	size_t		 n, i;
	uint8_t		 bc;

	memset(rep, 0, sizeof *rep);
	switch (req->func) {
	case MODBUS_READ_HOLDING:
	case MODBUS_READ_INPUT:
	case MODBUS_WRITE_SINGLE:
	case MODBUS_WRITE_MULTIPLE:
		break;
	default:
		return -MODBUS_E_FUNC;
	}
	if (len < 1)
		return -MODBUS_E_NEED;
	/* RTU has no length field: the address and function tell us how
	 * long the reply is, so they are checked before the CRC can be. */
	if (buf[0] != req->slave)
		return -MODBUS_E_SLAVE;
	if (len < 2)
		return -MODBUS_E_NEED;
	rep->slave = buf[0];
	rep->func = buf[1];

	if (buf[1] == (req->func | MODBUS_EXCEPTION)) {
		if (len < 5)
			return -MODBUS_E_NEED;
		if (!modbus__crc_ok(buf, 5))
			return -MODBUS_E_CRC;
		rep->exception = buf[2];
		return -MODBUS_E_EXCEPTION;
	}
	if (buf[1] != req->func)
		return -MODBUS_E_FUNC;

	switch (req->func) {
	case MODBUS_READ_HOLDING:
	case MODBUS_READ_INPUT:
		if (len < 3)
			return -MODBUS_E_NEED;
		bc = buf[2];
		if (req->count > MODBUS_READ_MAX || bc != 2 * req->count)
			return -MODBUS_E_BYTECOUNT;
		n = 5 + (size_t)bc;
		if (len < n)
			return -MODBUS_E_NEED;
		if (!modbus__crc_ok(buf, n))
			return -MODBUS_E_CRC;
		rep->count = req->count;
		for (i = 0; i < req->count; i++)
			rep->regs[i] = modbus__get16(buf + 3 + 2 * i);
		return (int)n;
	case MODBUS_WRITE_SINGLE:
		if (len < 8)
			return -MODBUS_E_NEED;
		if (!modbus__crc_ok(buf, 8))
			return -MODBUS_E_CRC;
		rep->addr = modbus__get16(buf + 2);
		rep->regs[0] = modbus__get16(buf + 4);
		rep->count = 1;
		if (rep->addr != req->addr || req->values == NULL ||
		    rep->regs[0] != req->values[0])
			return -MODBUS_E_ECHO;
		return 8;
	default:	/* MODBUS_WRITE_MULTIPLE */
		if (len < 8)
			return -MODBUS_E_NEED;
		if (!modbus__crc_ok(buf, 8))
			return -MODBUS_E_CRC;
		rep->addr = modbus__get16(buf + 2);
		rep->count = modbus__get16(buf + 4);
		if (rep->addr != req->addr || rep->count != req->count)
			return -MODBUS_E_ECHO;
		return 8;
	}
}

int
modbus_request_decode(const uint8_t *buf, size_t len,
    struct modbus_request *req, uint16_t *values)
{
	size_t		 n, i;
	uint16_t	 count;

	memset(req, 0, sizeof *req);
	if (len < 2)
		return -MODBUS_E_NEED;
	if (buf[0] < MODBUS_SLAVE_MIN || buf[0] > MODBUS_SLAVE_MAX)
		return -MODBUS_E_SLAVE;
	switch (buf[1]) {
	case MODBUS_READ_HOLDING:
	case MODBUS_READ_INPUT:
	case MODBUS_WRITE_SINGLE:
		n = 8;
		break;
	case MODBUS_WRITE_MULTIPLE:
		if (len < 7)
			return -MODBUS_E_NEED;
		n = 9 + (size_t)buf[6];
		break;
	default:
		return -MODBUS_E_FUNC;
	}
	if (len < n)
		return -MODBUS_E_NEED;
	if (!modbus__crc_ok(buf, n))
		return -MODBUS_E_CRC;

	req->slave = buf[0];
	req->func = buf[1];
	req->addr = modbus__get16(buf + 2);
	switch (req->func) {
	case MODBUS_WRITE_SINGLE:
		req->count = 1;
		values[0] = modbus__get16(buf + 4);
		req->values = values;
		return (int)n;
	case MODBUS_WRITE_MULTIPLE:
		count = modbus__get16(buf + 4);
		if (!modbus__range_ok(req->addr, count, MODBUS_WRITE_MAX))
			return -MODBUS_E_ARG;
		if (buf[6] != 2 * count)
			return -MODBUS_E_BYTECOUNT;
		req->count = count;
		for (i = 0; i < count; i++)
			values[i] = modbus__get16(buf + 7 + 2 * i);
		req->values = values;
		return (int)n;
	default:
		req->count = modbus__get16(buf + 4);
		if (!modbus__range_ok(req->addr, req->count, MODBUS_READ_MAX))
			return -MODBUS_E_ARG;
		return (int)n;
	}
}

int
modbus_text_pack(const uint8_t *text, size_t n, uint8_t pad, uint16_t *regs,
    size_t nregs)
{
	size_t	 i;
	uint8_t	 hi, lo;

	if (n > 0 && text == NULL)
		return -MODBUS_E_ARG;
	if (n > 2 * nregs)
		return -MODBUS_E_SPACE;
	for (i = 0; i < nregs; i++) {
		hi = 2 * i < n ? text[2 * i] : pad;
		lo = 2 * i + 1 < n ? text[2 * i + 1] : pad;
		regs[i] = (uint16_t)(hi << 8 | lo);
	}
	return (int)((n + 1) / 2);
}

int
modbus_text_unpack(const uint16_t *regs, size_t nregs, uint8_t *out,
    size_t size)
{
	size_t	 i;

	if (size < 2 * nregs)
		return -MODBUS_E_SPACE;
	for (i = 0; i < nregs; i++) {
		out[2 * i] = (uint8_t)(regs[i] >> 8);
		out[2 * i + 1] = (uint8_t)regs[i];
	}
	return (int)(2 * nregs);
}

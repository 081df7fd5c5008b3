/* bx.c — Onbon BX-5K/6K frames: build, escape, find and check them in a
 * byte stream, and read the controller's reply.  Pure: no I/O, no malloc,
 * nothing from daemon/; links alone into its unit test and fuzz target. */
#include <string.h>

#include "bx.h"

/* Area record of A3 06 before its text (Onbon bx_5k_area_header). */
#define BX_AREA_FIXED	27
/* DeleteAreaNum, AreaNum, AreaDataLen before the area record. */
#define BX_AREA_LEAD	4

static const char *const bx_error_text[BX_ERROR_MAX] = {
	[BX_OK] = "no error",
	[BX_NEED_MORE] = "partial frame, need more bytes",
	[BX_NO_SPACE] = "output buffer too small",
	[BX_TOO_LONG] = "data over the controller's limit",
	[BX_BAD_ARG] = "argument out of range",
	[BX_BAD_FRAME] = "frame cut off by a new start",
	[BX_BAD_ESCAPE] = "bad escape sequence",
	[BX_BAD_LENGTH] = "bad length",
	[BX_BAD_CRC] = "bad CRC",
	[BX_NOT_REPLY] = "not a reply frame",
};

/* Names as in Onbon's SDK documentation ("Error Code"). */
static const char *const bx_status_text[BX_ST_MAX] = {
	[BX_ST_OK] = "ERR_NO",
	[BX_ST_OUT_OF_GROUP] = "ERR_OUTOFGROUP",
	[BX_ST_NO_CMD] = "ERR_NOCMD",
	[BX_ST_BUSY] = "ERR_BUSY",
	[BX_ST_MEMORY_VOLUME] = "ERR_MEMORYVOLUME",
	[BX_ST_CHECKSUM] = "ERR_CHECKSUM",
	[BX_ST_FILE_NOT_EXIST] = "ERR_FILENOTEXIST",
	[BX_ST_FLASH] = "ERR_FLASH",
	[BX_ST_FILE_DOWNLOAD] = "ERR_FILE_DOWNLOAD",
	[BX_ST_FILE_NAME] = "ERR_FILE_NAME",
	[BX_ST_FILE_TYPE] = "ERR_FILE_TYPE",
	[BX_ST_FILE_CRC16] = "ERR_FILE_CRC16",
	[BX_ST_FONT_NOT_EXIST] = "ERR_FONT_NOT_EXIST",
	[BX_ST_FIRMWARE_TYPE] = "ERR_FIRMWARE_TYPE",
	[BX_ST_DATE_TIME_FORMAT] = "ERR_DATE_TIME_FORMAT",
	[BX_ST_FILE_EXIST] = "ERR_FILE_EXIST",
	[BX_ST_FILE_BLOCK_NUM] = "ERR_FILE_BLOCK_NUM",
};

const char *
bx_strerror(int e)
{
	if (e < 0)
		e = -e;
	if (e >= BX_ERROR_MAX)
		return "unknown error";
	return bx_error_text[e];
}

const char *
bx_status_name(unsigned int st)
{
	if (st >= BX_ST_MAX)
		return "ERR_UNKNOWN";
	return bx_status_text[st];
}

/* CRC-16/ARC: reflected poly 0xA001, init 0, no final xor. */
uint16_t
bx_crc16(const uint8_t *p, size_t len)
{
	uint16_t	crc = 0;
	int		i;

	while (len-- > 0) {
		crc ^= *p++;
		for (i = 0; i < 8; i++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) :
			    (uint16_t)(crc >> 1);
	}
	return crc;
}

static void
bx__put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
bx__put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static uint16_t
bx__get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Append one byte escaped; returns the new length or -1 when full. */
static long
bx__escape(uint8_t *out, size_t cap, size_t n, uint8_t b)
{
	uint8_t	pair;

	if (b == 0xA5 || b == 0xA6)
		pair = 0xA6;
	else if (b == 0x5A || b == 0x5B)
		pair = 0x5B;
	else {
		if (n + 1 > cap)
			return -1;
		out[n] = b;
		return (long)n + 1;
	}
	if (n + 2 > cap)
		return -1;
	out[n] = pair;
	/* A5 and 5A become 02, A6 and 5B become 01 */
	out[n + 1] = (b == 0xA5 || b == 0x5A) ? 0x02 : 0x01;
	return (long)n + 2;
}

int
bx_frame_build(const struct bx_frame *f, uint8_t *out, size_t cap)
{
	uint8_t		 raw[BX_RAW_MAX];
	size_t		 rawlen, i, n;
	long		 r;
	uint16_t	 crc;

	if (f->payload_len > BX_PAYLOAD_MAX)
		return -BX_TOO_LONG;

	bx__put16(raw, f->dst);
	bx__put16(raw + 2, f->src);
	memset(raw + 4, 0, 6);
	raw[10] = f->device_type;
	raw[11] = f->version;
	bx__put16(raw + 12, (uint16_t)(BX_CMD_LEN + f->payload_len));
	raw[14] = f->group;
	raw[15] = f->cmd;
	raw[16] = f->flag;
	raw[17] = f->reserved[0];
	raw[18] = f->reserved[1];
	if (f->payload_len > 0)
		memcpy(raw + BX_HEADER_LEN + BX_CMD_LEN, f->payload,
		    f->payload_len);
	rawlen = BX_HEADER_LEN + BX_CMD_LEN + f->payload_len;
	crc = bx_crc16(raw, rawlen);
	bx__put16(raw + rawlen, crc);
	rawlen += BX_CRC_LEN;

	if (cap < BX_PREAMBLE_LEN)
		return -BX_NO_SPACE;
	memset(out, BX_START, BX_PREAMBLE_LEN);
	n = BX_PREAMBLE_LEN;
	for (i = 0; i < rawlen; i++) {
		if ((r = bx__escape(out, cap, n, raw[i])) < 0)
			return -BX_NO_SPACE;
		n = (size_t)r;
	}
	if (n + 1 > cap)
		return -BX_NO_SPACE;
	out[n++] = BX_END;
	return (int)n;
}

int
bx_frame_encode(uint16_t addr, uint8_t group, uint8_t cmd,
    const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	struct bx_frame	f;

	if (len > BX_PAYLOAD_MAX)
		return -BX_TOO_LONG;
	memset(&f, 0, sizeof(f) - sizeof(f.payload));
	f.dst = addr;
	f.src = BX_ADDR_SRC;
	f.device_type = BX_DEVICE_ANY;
	f.version = BX_PROTOCOL_VERSION;
	f.group = group;
	f.cmd = cmd;
	f.flag = BX_FLAG_REPLY;
	f.payload_len = len;
	if (len > 0)
		memcpy(f.payload, payload, len);
	return bx_frame_build(&f, out, cap);
}

/* The A3 06 payload for one area: no area deleted, one area updated. */
int
bx_text_payload(const struct bx_text *t, uint8_t *out, size_t cap)
{
	size_t	 datalen, arealen, total;
	uint8_t	*a;

	if (t->x % 8 != 0 || t->width % 8 != 0 || t->width == 0 ||
	    t->height == 0 || t->mode < BX_MODE_STATIC ||
	    t->mode >= BX_MODE_MAX || t->speed > 0x18 ||
	    (t->text_len > 0 && t->text == NULL))
		return -BX_BAD_ARG;
	if (t->text_len > BX_PAYLOAD_MAX)
		return -BX_TOO_LONG;
	datalen = BX_FONT_PREFIX_LEN + t->text_len;
	arealen = BX_AREA_FIXED + datalen;
	total = BX_AREA_LEAD + arealen;
	if (total > BX_PAYLOAD_MAX)
		return -BX_TOO_LONG;
	if (total > cap)
		return -BX_NO_SPACE;

	out[0] = 0x00;			/* areas to delete */
	out[1] = 0x01;			/* areas in this frame */
	bx__put16(out + 2, (uint16_t)arealen);
	a = out + BX_AREA_LEAD;
	a[0] = 0x00;			/* area type */
	bx__put16(a + 1, t->x / 8);	/* x in 8-pixel columns */
	bx__put16(a + 3, t->y);		/* y in pixels */
	bx__put16(a + 5, t->width / 8);
	bx__put16(a + 7, t->height);
	a[9] = t->area;
	a[10] = 0x00;			/* line spacing */
	/* run mode 1: show, then stay on the last page until replaced */
	a[11] = 0x01;
	bx__put16(a + 12, 0);		/* timeout, unused by run mode 1 */
	a[14] = a[15] = a[16] = 0x00;	/* sound off, no extension */
	a[17] = t->multi_line ? 0x02 : 0x01;
	a[18] = t->multi_line ? 0x02 : 0x01;	/* auto wrap with lines */
	a[19] = (uint8_t)t->mode;
	a[20] = 0x00;			/* exit mode */
	a[21] = t->speed;
	a[22] = t->stay;
	bx__put32(a + 23, (uint32_t)datalen);
	memcpy(a + BX_AREA_FIXED, BX_FONT_PREFIX, BX_FONT_PREFIX_LEN);
	if (t->text_len > 0)
		memcpy(a + BX_AREA_FIXED + BX_FONT_PREFIX_LEN, t->text,
		    t->text_len);
	return (int)total;
}

int
bx_encode_text(uint16_t addr, const struct bx_text *t, uint8_t *out,
    size_t cap)
{
	uint8_t	payload[BX_PAYLOAD_MAX];
	int	n;

	if ((n = bx_text_payload(t, payload, sizeof(payload))) < 0)
		return n;
	return bx_frame_encode(addr, BX_GROUP_DISPLAY, BX_CMD_DYNAMIC_AREA,
	    payload, (size_t)n, out, cap);
}

/*
 * Find one frame in buf.  Returns 0 and fills f, or a negative enum
 * bx_error.  *used is always set to how many bytes the caller drops from
 * the front of its buffer: garbage before a start byte, a whole frame
 * (good or bad), or — for BX_NEED_MORE — only the garbage, so that the
 * partial frame stays for the next read.
 */
int
bx_decode(const uint8_t *buf, size_t len, struct bx_frame *f, size_t *used)
{
	uint8_t		 raw[BX_RAW_MAX];
	size_t		 start, body, end, i, n, datalen;
	uint16_t	 crc;

	*used = 0;
	for (start = 0; start < len && buf[start] != BX_START; start++)
		;
	if (start == len) {
		*used = len;		/* all garbage */
		return -BX_NEED_MORE;
	}
	for (body = start; body < len && buf[body] == BX_START; body++)
		;
	for (end = body; end < len; end++)
		if (buf[end] == BX_END || buf[end] == BX_START)
			break;
	if (end == len) {
		if (end - body > 2 * BX_RAW_MAX) {
			/* no end byte where one must be: drop it */
			*used = len;
			return -BX_BAD_LENGTH;
		}
		*used = start;
		return -BX_NEED_MORE;
	}
	if (buf[end] == BX_START) {
		/* a new frame began before this one ended */
		*used = end;
		return -BX_BAD_FRAME;
	}
	*used = end + 1;

	for (i = body, n = 0; i < end; i++) {
		uint8_t b = buf[i];

		if (b == 0xA6 || b == 0x5B) {
			if (i + 1 >= end ||
			    (buf[i + 1] != 0x01 && buf[i + 1] != 0x02))
				return -BX_BAD_ESCAPE;
			if (b == 0xA6)
				b = buf[i + 1] == 0x02 ? 0xA5 : 0xA6;
			else
				b = buf[i + 1] == 0x02 ? 0x5A : 0x5B;
			i++;
		}
		if (n == sizeof(raw))
			return -BX_BAD_LENGTH;
		raw[n++] = b;
	}
	if (n < BX_HEADER_LEN + BX_CMD_LEN + BX_CRC_LEN)
		return -BX_BAD_LENGTH;
	datalen = bx__get16(raw + 12);
	if (datalen != n - BX_HEADER_LEN - BX_CRC_LEN)
		return -BX_BAD_LENGTH;
	crc = bx_crc16(raw, n - BX_CRC_LEN);
	if (crc != bx__get16(raw + n - BX_CRC_LEN))
		return -BX_BAD_CRC;

	f->dst = bx__get16(raw);
	f->src = bx__get16(raw + 2);
	f->device_type = raw[10];
	f->version = raw[11];
	f->group = raw[14];
	f->cmd = raw[15];
	f->flag = raw[16];
	f->reserved[0] = raw[17];
	f->reserved[1] = raw[18];
	f->payload_len = datalen - BX_CMD_LEN;
	if (f->payload_len > 0)
		memcpy(f->payload, raw + BX_HEADER_LEN + BX_CMD_LEN,
		    f->payload_len);
	return 0;
}

/* A reply is a frame of group 0xA0: cmd 00 ACK or 01 NACK, and the
 * controller's error code in the third data byte. */
int
bx_reply_parse(const struct bx_frame *f, struct bx_reply *r)
{
	if (f->group != BX_GROUP_REPLY ||
	    (f->cmd != BX_CMD_ACK && f->cmd != BX_CMD_NACK))
		return -BX_NOT_REPLY;
	r->addr = f->src;
	r->status = f->flag;
	r->ack = f->cmd == BX_CMD_ACK && f->flag == BX_ST_OK;
	return 0;
}

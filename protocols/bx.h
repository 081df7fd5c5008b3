/* bx.h — pure codec for the Onbon BX-5K/6K LED controller serial protocol:
 * frames (preamble, escapes, 14-byte header, CRC-16/ARC), the realtime
 * dynamic-area text command (A3 06) and the controller's ACK/NACK reply.
 * No I/O and no allocation: every function writes into a buffer the caller
 * gives.  Wire format with worked bytes: protocols/README.md, "bx". */
#ifndef HALLQ_BX_H
#define HALLQ_BX_H

#include <stddef.h>
#include <stdint.h>

#define BX_PREAMBLE_LEN		8	/* 0xA5 bytes sent before each frame */
#define BX_START		0xA5
#define BX_END			0x5A
#define BX_HEADER_LEN		14
#define BX_CMD_LEN		5	/* group, cmd, flag, 2 reserved */
#define BX_CRC_LEN		2
#define BX_DATA_MAX		1024	/* BX-5K/6K receive buffer: cmd + payload */
#define BX_PAYLOAD_MAX		(BX_DATA_MAX - BX_CMD_LEN)
/* Largest frame before escaping, and on the wire (every byte escaped). */
#define BX_RAW_MAX		(BX_HEADER_LEN + BX_DATA_MAX + BX_CRC_LEN)
#define BX_WIRE_MAX		(BX_PREAMBLE_LEN + 2 * BX_RAW_MAX + 1)

#define BX_ADDR_SRC		0x8000	/* the PC's address, in every request */
#define BX_ADDR_ANY		0xFFFE	/* screen-address wildcard */
#define BX_DEVICE_ANY		0xFE	/* device-type wildcard */
#define BX_PROTOCOL_VERSION	0x02

#define BX_FLAG_REPLY		0x01	/* controller must answer */
#define BX_FLAG_NO_REPLY	0x02	/* controller stays silent */

#define BX_GROUP_REPLY		0xA0	/* replies: cmd 0x00 ACK, 0x01 NACK */
#define BX_GROUP_STATUS		0xA1
#define BX_GROUP_SYSTEM		0xA2	/* cmd 0x00: ping */
#define BX_GROUP_DISPLAY	0xA3	/* cmd 0x06: realtime dynamic area */
#define BX_CMD_ACK		0x00
#define BX_CMD_NACK		0x01
#define BX_CMD_DYNAMIC_AREA	0x06

/* The font escape put before the text: '\' 'F' then the font library
 * ('O' = Chinese, GB2312 bytes) and three ASCII digits. */
#define BX_FONT_PREFIX		"\\FO000"
#define BX_FONT_PREFIX_LEN	6

/* Codec errors; functions return them negated. */
enum bx_error {
	BX_OK = 0,
	BX_NEED_MORE,		/* partial frame: read more bytes */
	BX_NO_SPACE,		/* caller's buffer too small */
	BX_TOO_LONG,		/* payload or text over the controller's limit */
	BX_BAD_ARG,		/* argument out of range */
	BX_BAD_FRAME,		/* frame cut off by a new start byte */
	BX_BAD_ESCAPE,		/* A6 or 5B not followed by 01 or 02 */
	BX_BAD_LENGTH,		/* header length disagrees with the frame */
	BX_BAD_CRC,
	BX_NOT_REPLY,		/* frame is not in the reply group 0xA0 */
	BX_ERROR_MAX
};

/* Error codes the controller puts in a NACK (Onbon "CmdError"). */
enum bx_status {
	BX_ST_OK = 0x00,
	BX_ST_OUT_OF_GROUP,	/* command group error */
	BX_ST_NO_CMD,		/* command not found */
	BX_ST_BUSY,
	BX_ST_MEMORY_VOLUME,	/* out of memory volume */
	BX_ST_CHECKSUM,		/* CRC16 checksum error */
	BX_ST_FILE_NOT_EXIST,
	BX_ST_FLASH,		/* flash access error */
	BX_ST_FILE_DOWNLOAD,
	BX_ST_FILE_NAME,
	BX_ST_FILE_TYPE,
	BX_ST_FILE_CRC16,
	BX_ST_FONT_NOT_EXIST,	/* font library not present */
	BX_ST_FIRMWARE_TYPE,
	BX_ST_DATE_TIME_FORMAT,
	BX_ST_FILE_EXIST,
	BX_ST_FILE_BLOCK_NUM,
	BX_ST_MAX
};

/* Display modes of an area (Onbon "DisplayMode"). */
enum bx_mode {
	BX_MODE_STATIC = 0x01,	/* shown at once, still */
	BX_MODE_QUICK = 0x02,	/* typed out quickly */
	BX_MODE_LEFT = 0x03,	/* scrolls left */
	BX_MODE_RIGHT = 0x04,
	BX_MODE_UP = 0x05,
	BX_MODE_DOWN = 0x06,
	BX_MODE_MAX
};

/* One frame, decoded or to encode. */
struct bx_frame {
	uint16_t	 dst;		/* destination address */
	uint16_t	 src;		/* source address */
	uint8_t		 device_type;	/* BX_DEVICE_ANY or a model code */
	uint8_t		 version;	/* protocol version, 0x02 */
	uint8_t		 group;		/* command group */
	uint8_t		 cmd;		/* command within the group */
	uint8_t		 flag;		/* request: BX_FLAG_*; reply: status */
	uint8_t		 reserved[2];	/* A3 06: process mode, reserved */
	size_t		 payload_len;
	uint8_t		 payload[BX_PAYLOAD_MAX];
};

/* One realtime dynamic-area text. */
struct bx_text {
	uint8_t		 area;		/* dynamic area number, from 0 */
	uint16_t	 x, y;		/* pixels; x a multiple of 8 */
	uint16_t	 width, height;	/* pixels; width a multiple of 8 */
	enum bx_mode	 mode;
	uint8_t		 speed;		/* 0 fastest .. 0x18 slowest */
	uint8_t		 stay;		/* stay time, 0.5 s units */
	int		 multi_line;	/* 0: one line; 1: lines, auto wrap */
	const uint8_t	*text;		/* GB2312 bytes, no font prefix */
	size_t		 text_len;
};

/* The controller's answer. */
struct bx_reply {
	uint16_t	 addr;		/* screen that answered */
	int		 ack;		/* 1 ACK, 0 NACK */
	uint8_t		 status;	/* enum bx_status, or unknown code */
};

uint16_t	 bx_crc16(const uint8_t *, size_t);
const char	*bx_strerror(int);
const char	*bx_status_name(unsigned int);

int	 bx_frame_build(const struct bx_frame *, uint8_t *, size_t);
int	 bx_frame_encode(uint16_t, uint8_t, uint8_t, const uint8_t *, size_t,
	    uint8_t *, size_t);
int	 bx_text_payload(const struct bx_text *, uint8_t *, size_t);
int	 bx_encode_text(uint16_t, const struct bx_text *, uint8_t *, size_t);
int	 bx_decode(const uint8_t *, size_t, struct bx_frame *, size_t *);
int	 bx_reply_parse(const struct bx_frame *, struct bx_reply *);

#endif

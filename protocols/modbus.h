/* modbus.h — Modbus RTU master frames: read holding/input registers (03/04),
 * write single/multiple registers (06/16), CRC-16/MODBUS, replies and
 * exception replies, text packed into registers.  A pure codec: caller
 * buffers, no I/O; errors are -MODBUS_E_* (modbus_strerror). */
#ifndef HALLQ_MODBUS_H
#define HALLQ_MODBUS_H

#include <stddef.h>
#include <stdint.h>

#define MODBUS_SLAVE_MIN	1
#define MODBUS_SLAVE_MAX	247	/* 0 is broadcast (no reply): not used */
#define MODBUS_READ_MAX		125	/* registers per 03/04 */
#define MODBUS_WRITE_MAX	123	/* registers per 16 */
#define MODBUS_EXCEPTION	0x80	/* function | 0x80 in an exception reply */
#define MODBUS_FRAME_MAX	256	/* RTU ADU */

enum modbus_func {
	MODBUS_READ_HOLDING = 0x03,
	MODBUS_READ_INPUT = 0x04,
	MODBUS_WRITE_SINGLE = 0x06,
	MODBUS_WRITE_MULTIPLE = 0x10,
};

/* Exception codes a slave sends back (modbus_exception_name). */
enum modbus_exception {
	MODBUS_EX_ILLEGAL_FUNCTION = 0x01,
	MODBUS_EX_ILLEGAL_ADDRESS = 0x02,
	MODBUS_EX_ILLEGAL_VALUE = 0x03,
	MODBUS_EX_DEVICE_FAILURE = 0x04,
	MODBUS_EX_ACKNOWLEDGE = 0x05,
	MODBUS_EX_DEVICE_BUSY = 0x06,
	MODBUS_EX_MEMORY_PARITY = 0x08,
	MODBUS_EX_GATEWAY_PATH = 0x0a,
	MODBUS_EX_GATEWAY_TARGET = 0x0b,
};

/* Functions return these negated. */
enum modbus_error {
	MODBUS_OK,
	MODBUS_E_NEED,		/* partial reply: feed more bytes */
	MODBUS_E_SPACE,		/* output buffer too small */
	MODBUS_E_ARG,		/* slave, count or address range out of bounds */
	MODBUS_E_FUNC,		/* function we do not speak, or not the one asked */
	MODBUS_E_CRC,		/* CRC-16/MODBUS mismatch */
	MODBUS_E_SLAVE,		/* reply from another slave address */
	MODBUS_E_EXCEPTION,	/* slave answered with an exception: see reply */
	MODBUS_E_BYTECOUNT,	/* byte count not 2 × registers asked */
	MODBUS_E_ECHO,		/* write reply does not echo the request */
	MODBUS_E_MAX
};

/* A request; also what modbus_request_decode gives on the slave side. */
struct modbus_request {
	uint8_t		 slave;		/* 1..247 */
	uint8_t		 func;		/* enum modbus_func */
	uint16_t	 addr;		/* first register, 0-based on the wire */
	uint16_t	 count;		/* registers; 1 for MODBUS_WRITE_SINGLE */
	const uint16_t	*values;	/* writes: count values */
};

/* A slave's reply to a request. */
struct modbus_reply {
	uint8_t		 slave;
	uint8_t		 func;			/* as sent, 0x80 bit included */
	uint8_t		 exception;		/* exception code, 0 if none */
	uint16_t	 addr;			/* writes: echoed address */
	uint16_t	 count;			/* registers read or written */
	uint16_t	 regs[MODBUS_READ_MAX];	/* reads: values; 06: the value */
};

/* Registers of a number/text caller display (protocols/README-ft12-modbus.md). */
enum modbus_display_reg {
	MODBUS_DISPLAY_WINDOW = 0x0000,	/* window number, binary */
	MODBUS_DISPLAY_TICKET = 0x0001,	/* 3 registers: ticket, ASCII pairs */
	MODBUS_DISPLAY_TICKET_REGS = 3,
	MODBUS_DISPLAY_WAITING = 0x0004,	/* people waiting, binary */
	MODBUS_DISPLAY_TEXT = 0x0010,	/* 16 registers: GB2312 text */
	MODBUS_DISPLAY_TEXT_REGS = 16,
	MODBUS_DISPLAY_BEEP = 0x0020,	/* write n: beep n times */
};

/* Keypads and evaluators (protocols/README.md, "Keypads and evaluators"):
 * the display registers above, and these. */
enum modbus_keypad_reg {
	/* holding, written by the host */
	MODBUS_KEYPAD_ACK = 0x0030,		/* the EVENT_SEQ applied */
	MODBUS_KEYPAD_RATE_PROMPT = 0x0031,	/* 1: ask the citizen to rate */
	MODBUS_KEYPAD_RATE_TICKET = 0x0032,	/* 2 registers, high word first */
	/* input, read by the host in one read of INPUT_REGS */
	MODBUS_KEYPAD_EVENT_SEQ = 0x0000,	/* oldest unacknowledged event */
	MODBUS_KEYPAD_EVENT_KIND = 0x0001,	/* 0 none, 1 key, 2 rating */
	MODBUS_KEYPAD_EVENT_CODE = 0x0002,	/* key code (as ft12) or score */
	MODBUS_KEYPAD_EVENT_ARG = 0x0003,	/* confirm: the digit before */
	MODBUS_KEYPAD_LAST_RATING = 0x0004,
	MODBUS_KEYPAD_STATUS = 0x0005,		/* bit0 pending, bit1 prompt on */
	MODBUS_KEYPAD_INPUT_REGS = 6,
};
#define MODBUS_EVENT_NONE	0
#define MODBUS_EVENT_KEY	1
#define MODBUS_EVENT_RATING	2

const char	*modbus_strerror(int);
const char	*modbus_exception_name(uint8_t);
uint16_t	 modbus_crc16(const uint8_t *, size_t);

/* Master side: the request frame into buf, its length returned. */
int	 modbus_request_encode(const struct modbus_request *, uint8_t *buf,
	    size_t size);

/* Master side: parse buf[0..len) as the reply to req.  Returns the reply's
 * length, -MODBUS_E_NEED while incomplete, -MODBUS_E_EXCEPTION with
 * rep->exception set (5 bytes), or another error. */
int	 modbus_reply_parse(const struct modbus_request *req, const uint8_t *buf,
	    size_t len, struct modbus_reply *rep);

/* Slave side, for simulators and tests: a request into *req; write values
 * go into values[] (room for MODBUS_WRITE_MAX) and req->values points there. */
int	 modbus_request_decode(const uint8_t *buf, size_t len,
	    struct modbus_request *req, uint16_t *values);

/* Text bytes (GB2312 or ASCII, from the caller) two per register, first
 * byte high; the rest of all nregs registers filled with pad bytes.  Returns
 * the registers the text takes; -MODBUS_E_SPACE if it does not fit. */
int	 modbus_text_pack(const uint8_t *text, size_t n, uint8_t pad,
	    uint16_t *regs, size_t nregs);
/* The reverse: 2 × nregs bytes into out; returns their number. */
int	 modbus_text_unpack(const uint16_t *regs, size_t nregs, uint8_t *out,
	    size_t size);

#endif

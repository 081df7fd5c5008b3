/* ft12.h — the common 叫号 keypad/display frame, both ways:
 *   FF 68 L L 68 ADDR FUNC DATA... CS 16
 * L counts ADDR..DATA (2..255), CS is their byte sum mod 256.  A pure codec:
 * caller-provided buffers, no I/O; errors are -FT12_E_* (ft12_strerror). */
#ifndef HALLQ_FT12_H
#define HALLQ_FT12_H

#include <stddef.h>
#include <stdint.h>

#define FT12_WAKE	0xff	/* preamble byte before the first 68 */
#define FT12_START	0x68
#define FT12_STOP	0x16
#define FT12_LEN_MIN	2	/* ADDR + FUNC, no data */
#define FT12_LEN_MAX	255
#define FT12_DATA_MAX	(FT12_LEN_MAX - 2)
#define FT12_OVERHEAD	7	/* FF 68 L L 68 + CS 16 */
#define FT12_FRAME_MAX	(FT12_LEN_MAX + FT12_OVERHEAD)

#define FT12_DIGITS	6	/* digit cells on a pad's display */
#define FT12_BLANK	0x0a	/* a dark cell */

/* FUNC byte. */
enum ft12_func {
	FT12_FUNC_KEY = 0x01,		/* pad → host: DATA = one key code */
	FT12_FUNC_DISPLAY = 0x02,	/* host → pad: DATA = 6 digit cells */
	FT12_FUNC_BEEP = 0x03,		/* host → pad: no DATA */
	FT12_FUNC_WAITING = 0x04,	/* host → pad: 3 digit cells, who waits */
};

/* Key codes a pad sends (issue 4). */
enum ft12_key_code {
	FT12_KEY_DIGIT_0 = 0x00,	/* ..0x09: digit keys */
	FT12_KEY_DIGIT_9 = 0x09,
	FT12_KEY_EVALUATE = 0x0b,
	FT12_KEY_CALL = 0x0c,
	FT12_KEY_RECALL = 0x0d,
	FT12_KEY_CONFIRM = 0x0f,
	FT12_KEY_PAUSE = 0x12,
	FT12_KEY_TRANSFER = 0x13,
};

enum ft12_key_kind {
	FT12_KIND_DIGIT,
	FT12_KIND_CALL,
	FT12_KIND_RECALL,
	FT12_KIND_EVALUATE,
	FT12_KIND_PAUSE,
	FT12_KIND_TRANSFER,
	FT12_KIND_CONFIRM,
	FT12_KIND_UNKNOWN,		/* a code we do not know: reported, not dropped */
	FT12_KIND_MAX
};

/* Functions return these negated. */
enum ft12_error {
	FT12_OK,
	FT12_E_NEED,		/* partial frame: feed more bytes */
	FT12_E_SPACE,		/* output buffer too small */
	FT12_E_LEN,		/* L below 2 */
	FT12_E_LEN_MISMATCH,	/* the two L bytes differ */
	FT12_E_START,		/* no second 68 after L L */
	FT12_E_CHECKSUM,	/* CS is not the sum of ADDR..DATA */
	FT12_E_END,		/* no 16 after CS */
	FT12_E_ARG,		/* bad argument: digit value, data length, text */
	FT12_E_FUNC,		/* FUNC is not what the parser expects */
	FT12_E_DATA,		/* DATA has the wrong length or content for FUNC */
	FT12_E_MAX
};

/* One decoded frame. */
struct ft12_frame {
	uint8_t		 addr;			/* pad address */
	uint8_t		 func;			/* enum ft12_func, or anything */
	size_t		 ndata;			/* bytes in data, L - 2 */
	uint8_t		 data[FT12_DATA_MAX];
};

/* A key press read from a FT12_FUNC_KEY frame. */
struct ft12_key {
	uint8_t			 addr;		/* pad address */
	uint8_t			 code;		/* raw key code, kept for unknown keys */
	enum ft12_key_kind	 kind;
	int			 digit;		/* 0..9 for FT12_KIND_DIGIT, else -1 */
};

const char	*ft12_strerror(int);
uint8_t		 ft12_checksum(const uint8_t *, size_t);

/* Encoders write a whole frame into buf and return its length. */
int	 ft12_encode(uint8_t addr, uint8_t func, const uint8_t *data,
	    size_t ndata, uint8_t *buf, size_t size);
int	 ft12_encode_display(uint8_t addr, const uint8_t digits[FT12_DIGITS],
	    uint8_t *buf, size_t size);
int	 ft12_encode_beep(uint8_t addr, uint8_t *buf, size_t size);
int	 ft12_encode_key(uint8_t addr, uint8_t code, uint8_t *buf, size_t size);
int	 ft12_encode_echo(const struct ft12_frame *, uint8_t *buf, size_t size);

/* Ticket text → display cells: its digits right-aligned, letters and other
 * characters left out, the rest blank.  Returns the digits shown. */
int	 ft12_digits_from_text(const char *, uint8_t digits[FT12_DIGITS]);

/* Streaming decoder.  Looks for FF 68 in buf[0..len) and decodes one frame.
 * Always sets *consumed: the bytes the caller may drop before the next call.
 *  > 0             a frame (its length) is in *f; *consumed also covers the
 *                  garbage before it (*consumed - return = bytes skipped)
 *  -FT12_E_NEED    no complete frame yet; *consumed is the garbage before it
 *  other negative  the frame at the first FF 68 is bad; *consumed drops the
 *                  garbage and that FF, so the next call resynchronises */
int	 ft12_decode(const uint8_t *buf, size_t len, struct ft12_frame *f,
	    size_t *consumed);

/* Interpret a decoded frame. */
int		 ft12_key_parse(const struct ft12_frame *, struct ft12_key *);
int		 ft12_display_parse(const struct ft12_frame *,
		    uint8_t digits[FT12_DIGITS]);
const char	*ft12_key_name(enum ft12_key_kind);

#endif

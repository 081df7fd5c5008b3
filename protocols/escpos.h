/* escpos.h — ESC/POS for the ticket printer (Epson-compatible; the Chinese
 * Xprinter, GPrinter, … models print GB18030 after FS &): a builder that
 * appends commands to a caller's buffer, and the DLE EOT status reply.
 * No I/O and no allocation; errors are -ESCPOS_E_* (escpos_strerror).
 * Wire format with worked bytes: protocols/README.md, "escpos". */
#ifndef HALLQ_ESCPOS_H
#define HALLQ_ESCPOS_H

#include <stddef.h>
#include <stdint.h>

#define ESCPOS_ESC		0x1b
#define ESCPOS_FS		0x1c
#define ESCPOS_GS		0x1d
#define ESCPOS_DLE		0x10
#define ESCPOS_EOT		0x04
#define ESCPOS_LF		0x0a

#define ESCPOS_ALIGN_LEFT	0
#define ESCPOS_ALIGN_CENTER	1
#define ESCPOS_ALIGN_RIGHT	2

#define ESCPOS_SIZE_MAX		8	/* GS ! magnification, each way */
#define ESCPOS_QR_MODULE_MIN	1	/* GS ( k fn 67: dots per module */
#define ESCPOS_QR_MODULE_MAX	16
#define ESCPOS_QR_DATA_MAX	7089	/* fn 80: (pL + pH×256) − 3 ≤ 7089 */
/* Bytes escpos_qr() appends for n data bytes: fn 65, 67, 69, 80, 81. */
#define ESCPOS_QR_LEN(n)	(9 + 8 + 8 + 8 + (n) + 8)

/* DLE EOT n: which status byte to send back. */
enum escpos_status_kind {
	ESCPOS_ST_PRINTER = 1,		/* online/offline */
	ESCPOS_ST_OFFLINE = 2,		/* why it is offline */
	ESCPOS_ST_ERROR = 3,		/* which error */
	ESCPOS_ST_PAPER = 4,		/* paper roll sensors */
};

/* Bits every status byte has whatever n: bit 1 and bit 4 on, bits 0 and 7
 * off.  They tell a status byte from anything else on the line. */
#define ESCPOS_STATUS_FIXED_MASK	0x93
#define ESCPOS_STATUS_FIXED		0x12

/* Functions return these negated. */
enum escpos_error {
	ESCPOS_OK,
	ESCPOS_E_SPACE,		/* the builder's buffer is full */
	ESCPOS_E_ARG,		/* argument out of range */
	ESCPOS_E_STATUS,	/* byte lacks the fixed status bits */
	ESCPOS_E_MAX
};

/* The builder.  A command that does not fit whole is not written: overflow
 * is set and every later command is dropped too, so the buffer never holds
 * a ticket with a hole in it.  len ≤ size always. */
struct escpos {
	uint8_t		*buf;		/* caller's buffer */
	size_t		 size;		/* its capacity */
	size_t		 len;		/* bytes written so far */
	int		 overflow;	/* 1 once a command did not fit */
};

/* One DLE EOT reply.  Only the fields that n reports are set; the others
 * are 0, so look at n (online, say, means something only for n = 1). */
struct escpos_status {
	int		 n;		/* the DLE EOT n this answers, 1..4 */
	int		 online;	/* n=1: bit 3 clear */
	int		 cover_open;	/* n=2: bit 2 */
	int		 paper_near_end;/* n=4: bits 2,3 (near-end sensor) */
	int		 paper_out;	/* n=2: bit 5 (stopped: paper end);
					   n=4: bits 5,6 (roll end sensor) */
	int		 error;		/* n=2: bit 6; n=3: any of bits 3,5,6 */
	int		 feed_button;	/* n=2: bit 3, paper fed by FEED */
	int		 cutter_error;	/* n=3: bit 3, autocutter */
	int		 unrecoverable;	/* n=3: bit 5 */
	int		 auto_recoverable;/* n=3: bit 6 (head hot, cover) */
	uint8_t		 raw;		/* the byte as received */
};

const char	*escpos_strerror(int);

/* Builder.  Out-of-range arguments of the void commands are clamped to
 * the nearest valid value; escpos_qr() refuses them instead, since a wrong
 * QR is worse than none. */
void	 escpos_init(struct escpos *, uint8_t *buf, size_t size);
void	 escpos_chinese(struct escpos *, int on);
void	 escpos_align(struct escpos *, int a);
void	 escpos_size(struct escpos *, int w, int h);
void	 escpos_bold(struct escpos *, int on);
void	 escpos_text(struct escpos *, const uint8_t *gb18030, size_t n);
void	 escpos_feed(struct escpos *, int lines);
void	 escpos_lf(struct escpos *);
int	 escpos_qr(struct escpos *, const uint8_t *data, size_t n,
	    int module_size, char ecc);
void	 escpos_cut(struct escpos *);

/* Status: the 3-byte request (0 if n is not 1..4 or size < 3), and the
 * printer's one-byte answer. */
size_t	 escpos_status_request(uint8_t *out, size_t size, int n);
int	 escpos_status_parse(int n, uint8_t byte, struct escpos_status *);

#endif

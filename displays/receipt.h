/* receipt.h — the printed ticket: what a kiosk's printer prints for a ticket
 * it issued (the hall's name, the number large, the matter, who is ahead,
 * the wait, the time, the QR code of the ticket's own page), as ESC/POS
 * (protocols/escpos.c) in the printer's charset (displays/text.c).  Pure
 * apart from iconv(3) and localtime_r (the hall's TZ): writes only into the
 * builder the caller gives. */
#ifndef HALLQ_RECEIPT_H
#define HALLQ_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

struct textconv;

/* The ticket as the receipt shows it: from its ticket.issued event, and the
 * token only the issuer learns. */
struct receipt {
	const char	*hall;		/* the hall's name */
	const char	*number;	/* "A012" */
	const char	*matter;	/* the matter's name (its code if unknown) */
	int64_t		 ahead;		/* tickets before it */
	int64_t		 eta_s;		/* the estimated wait (shown in minutes);
					   < 0: no open window serves it */
	int64_t		 issued_at;	/* ms since the epoch */
	const char	*public_url;	/* the QR: public_url/t/ID?token=TOKEN */
	int64_t		 id;
	const char	*token;		/* NULL: "" */
};

/* The whole ticket from ESC @ to the cut, in buf, each line cut to `width`
 * columns; *replaced (may be NULL) counts the characters the charset lacks.
 * Returns its length, or -1 when it does not fit (print nothing then). */
int	 receipt_build(uint8_t *buf, size_t size, const struct receipt *,
	    struct textconv *, int width, unsigned *replaced);

#endif

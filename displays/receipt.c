/* receipt.c — the printed ticket's layout (see receipt.h): which lines, in
 * which size and order, and the QR code.  Owns no state; must not touch the
 * printer's line or the hall: the device manager sends what this builds. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "escpos.h"
#include "receipt.h"
#include "text.h"

#define RECEIPT_LINE_MAX	1024	/* one line, bytes of the charset */
#define RECEIPT_QR_MODULE	6	/* dots per QR module */
#define RECEIPT_QR_ECC		'M'
#define RECEIPT_NUMBER_SIZE	4	/* the number: 4× each way */

static void
receipt_line(struct escpos *e, struct textconv *conv, int width,
    const char *utf8, unsigned *replaced)
{
	char gb[RECEIPT_LINE_MAX];
	unsigned rep = 0;
	size_t n;

	n = textconv_encode(conv, utf8, (size_t)width, gb, sizeof gb, &rep, NULL);
	if (replaced != NULL)
		*replaced += rep;
	escpos_text(e, (const uint8_t *)gb, n);
	escpos_lf(e);
}

int
receipt_build(uint8_t *buf, size_t size, const struct receipt *r,
    struct textconv *conv, int width, unsigned *replaced)
{
	struct escpos eb, *e = &eb;
	char line[512], url[512];
	time_t at;
	struct tm tm;

	escpos_init(e, buf, size);
	escpos_chinese(e, 1);
	escpos_align(e, ESCPOS_ALIGN_CENTER);
	escpos_bold(e, 1);
	receipt_line(e, conv, width, r->hall, replaced);
	escpos_bold(e, 0);
	escpos_feed(e, 1);
	escpos_size(e, RECEIPT_NUMBER_SIZE, RECEIPT_NUMBER_SIZE);
	receipt_line(e, conv, width, r->number, replaced);
	escpos_size(e, 1, 1);
	receipt_line(e, conv, width, r->matter, replaced);
	snprintf(line, sizeof line, "前面还有 %lld 人", (long long)r->ahead);
	receipt_line(e, conv, width, line, replaced);
	/* No open window serves the matter now: no figure to promise. */
	if (r->eta_s < 0)
		snprintf(line, sizeof line, "暂无窗口办理，请留意叫号");
	else
		snprintf(line, sizeof line, "预计等候约 %lld 分钟",
		    ((long long)r->eta_s + 59) / 60);
	receipt_line(e, conv, width, line, replaced);
	at = (time_t)(r->issued_at / 1000);
	localtime_r(&at, &tm);
	strftime(line, sizeof line, "取号时间 %Y-%m-%d %H:%M", &tm);
	receipt_line(e, conv, width, line, replaced);
	snprintf(url, sizeof url, "%s/t/%lld?token=%s", r->public_url,
	    (long long)r->id, r->token != NULL ? r->token : "");
	escpos_qr(e, (const uint8_t *)url, strlen(url), RECEIPT_QR_MODULE,
	    RECEIPT_QR_ECC);
	escpos_lf(e);
	receipt_line(e, conv, width, "扫码查看排队进度、评价服务", replaced);
	receipt_line(e, conv, width, "请留意叫号，过号请到窗口咨询", replaced);
	escpos_feed(e, 3);
	escpos_cut(e);
	return e->overflow ? -1 : (int)e->len;
}

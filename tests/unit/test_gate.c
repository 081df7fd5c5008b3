/* test_gate.c — the gate's request head check: what it lets through to lws
 * and what it refuses, with which status and code. */
#include <stdio.h>
#include <string.h>

#include "gate.h"
#include "t.h"

static int
parse(const char *head, struct gate_head *h)
{
	return gate_parse(head, strlen(head), h);
}

/* parse() of a head with an embedded NUL at `at`. */
static int
parse_nul(const char *head, size_t at, struct gate_head *h)
{
	char buf[256];
	size_t n = strlen(head);

	memcpy(buf, head, n);
	buf[at] = '\0';
	return gate_parse(buf, n, h);
}

static void
test_good(void)
{
	struct gate_head h;

	CHECK_EQ_INT(parse("GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n", &h), 0);
	CHECK(strcmp(h.method, "GET") == 0);
	CHECK_EQ_INT(h.content_length, -1);
	CHECK_EQ_INT(parse("POST /api/tickets HTTP/1.1\r\nContent-Length: 17\r\n"
	    "Authorization: Bearer k1\r\n\r\n", &h), 0);
	CHECK_EQ_INT(h.content_length, 17);
	CHECK_EQ_INT(parse("POST /a HTTP/1.0\r\nContent-Length: 5\r\n"
	    "content-length: 5\r\n\r\n", &h), 0);
	CHECK_EQ_INT(h.content_length, 5);
	CHECK_EQ_INT(parse("DELETE /api/tickets/3?x=%41%e4 HTTP/1.1\r\n\r\n", &h), 0);
	CHECK_EQ_INT(parse("GET /ws HTTP/1.1\r\nUpgrade: WebSocket\r\n"
	    "Connection: Upgrade\r\n\r\n", &h), 0);
	CHECK_EQ_INT(h.upgrade, 1);
	CHECK_EQ_INT(parse("POST /a HTTP/1.1\r\nExpect: 100-continue\r\n"
	    "Content-Length: 3\r\n\r\n", &h), 0);
	CHECK_EQ_INT(h.expect_continue, 1);
	/* Values may be UTF-8 (obs-text) and hold tabs. */
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nUser-Agent: \xe5\x8f\x96\tx \r\n\r\n", &h), 0);
}

static void
test_content_length(void)
{
	static const char *bad[] = { "-1", "abc", "0x11", "", "+5", "5 5", "1e3",
	    "5,5", "9999999999999999", " " };
	struct gate_head h;
	char head[128];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(head, sizeof head, "POST /a HTTP/1.1\r\n"
		    "Content-Length: %s\r\n\r\n", bad[i]);
		CHECK_EQ_INT(parse(head, &h), 400);
		CHECK(strcmp(h.code, "bad_content_length") == 0);
	}
	CHECK_EQ_INT(parse("POST /a HTTP/1.1\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\n", &h), 400);
	CHECK(strcmp(h.code, "bad_content_length") == 0);
	CHECK_EQ_INT(parse("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
	    &h), 411);
	CHECK_EQ_INT(parse("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 3\r\n\r\n", &h), 400);
}

static void
test_request_line(void)
{
	struct gate_head h;
	char big[4200];

	CHECK_EQ_INT(parse("FOO / HTTP/1.1\r\n\r\n", &h), 405);
	CHECK(strcmp(h.code, "method_not_allowed") == 0);
	CHECK_EQ_INT(parse("TRACE / HTTP/1.1\r\n\r\n", &h), 405);
	CHECK_EQ_INT(parse("OPTIONS * HTTP/1.1\r\n\r\n", &h), 405);
	CHECK_EQ_INT(parse("HEAD / HTTP/1.1\r\n\r\n", &h), 405);
	CHECK_EQ_INT(parse("PROPFINDX / HTTP/1.1\r\n\r\n", &h), 405);
	CHECK_EQ_INT(parse("GET http://x/ HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET * HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /%zz HTTP/1.1\r\n\r\n", &h), 400);
	CHECK(strcmp(h.code, "bad_escape") == 0);
	CHECK_EQ_INT(parse("GET /%4 HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /a%00 HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /a%0d%0a HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /a#b HTTP/1.1\r\n\r\n", &h), 400);
	/* Dot segments and escaped separators: lws would resolve them. */
	CHECK_EQ_INT(parse("GET /api/appointments/..%2F.. HTTP/1.1\r\n\r\n",
	    &h), 400);
	CHECK(strcmp(h.code, "bad_escape") == 0);
	CHECK_EQ_INT(parse("GET /api/x/../y HTTP/1.1\r\n\r\n", &h), 400);
	CHECK(strcmp(h.code, "bad_request") == 0);
	CHECK_EQ_INT(parse("GET /api/x/%2e%2E HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /./a HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /a/.. HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /a\\b HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /a/..b/.c/...?x=../.. HTTP/1.1\r\n\r\n", &h), 0);
	CHECK_EQ_INT(parse("GET /font.css HTTP/1.1\r\n\r\n", &h), 0);
	CHECK_EQ_INT(parse("GET /a HTTP/2.0\r\n\r\n", &h), 400);
	CHECK(strcmp(h.code, "bad_version") == 0);
	CHECK_EQ_INT(parse("GET /a\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET  /a HTTP/1.1\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /a HTTP/1.1 x\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET /a HTTP/1.1\n\n", &h), 400);
	memset(big, 'a', sizeof big);
	memcpy(big, "GET /", 5);
	memcpy(big + 4100, " HTTP/1.1\r\n\r\n", 14);
	big[4114] = '\0';
	CHECK_EQ_INT(parse(big, &h), 414);
	CHECK(strcmp(h.code, "uri_too_long") == 0);
}

static void
test_headers(void)
{
	struct gate_head h;
	char head[8400];
	size_t n;
	int i;

	CHECK_EQ_INT(parse_nul("GET / HTTP/1.1\r\nAuthorization: Bearer hm?junk\r\n\r\n",
	    41, &h), 400);
	CHECK(strcmp(h.code, "bad_header") == 0);
	CHECK(strstr(h.message, "NUL") != NULL);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\n: v\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nX Y: v\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nX: v\r\n folded\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nAuthorization: Bearer a\r\n"
	    "Authorization: Bearer b\r\n\r\n", &h), 400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n", &h), 400);
	CHECK(strcmp(h.code, "bad_upgrade") == 0);
	CHECK_EQ_INT(parse("POST /a HTTP/1.1\r\nExpect: 200-ok\r\n\r\n", &h), 417);
	/* Header lines: 64 at most. */
	n = (size_t)snprintf(head, sizeof head, "GET / HTTP/1.1\r\n");
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(head + n, sizeof head - n, "X-%d: v\r\n", i);
	snprintf(head + n, sizeof head - n, "\r\n");
	CHECK_EQ_INT(parse(head, &h), 431);
	/* The head: 8192 bytes at most. */
	n = (size_t)snprintf(head, sizeof head, "GET / HTTP/1.1\r\nX: ");
	memset(head + n, 'v', 8200);
	memcpy(head + n + 8200, "\r\n\r\n", 5);
	CHECK_EQ_INT(parse(head, &h), 431);
	/* No blank line. */
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nX: v\r\n", &h), 400);
}

int
main(void)
{
	test_good();
	test_content_length();
	test_request_line();
	test_headers();
	return t_done("gate");
}

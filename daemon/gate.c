/* gate.c — the web side's front door: accepts, reads one request, checks it,
 * and hands it to the web thread's libwebsockets context, or answers it with
 * the JSON error shape.  It runs its own small libevent loop in its own
 * thread and owns nothing but the sockets it has not handed over yet; it
 * never touches hall state, the database or lws.
 *
 * Why it exists (issue "Solid ground"): lws 4.1.6 gives every connection that
 * has not finished its head one of a fixed pool of header tables and waits up
 * to its idle timeout for the rest, so 256 peers that send a request line and
 * hold it shut the hall out; it answers malformed request lines and unknown
 * methods with an HTML 403 page, heads over its header buffer with nothing at
 * all, reads a NUL inside a header value as the end of it, and runs a POST
 * whose Content-Length it cannot read without waiting for the body.  Here:
 *
 *   - a head must be whole within GATE_HEAD_MS of the accept and its body
 *     within GATE_BODY_MS after it, or the peer gets 408;
 *   - one peer address may hold GATE_PEER_MAX requests unfinished for over
 *     a second (more are answered 429 at accept); when GATE_PENDING_MAX are being read
 *     in all, the oldest is dropped to make room, so a crowd of slow peers
 *     costs the hall sockets and a little memory, never its reachability;
 *   - the gate only peeks (MSG_PEEK): when the head is checked and the whole
 *     body is in the socket's buffer, the socket goes to lws untouched and
 *     lws reads it all in its first read (lws 4.1.6 spins on a body handed
 *     to it with lws_adopt_socket_readbuf: it reads its buffer list again as
 *     the body, so nothing is handed over but the socket);
 *   - a bad request gets 400/405/408/411/413/414/417/429/431 with
 *     {"error":{"code","message"}} and the connection closes.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "api.h"
#include "gate.h"
#include "limit.h"
#include "util.h"

#define GATE_HEAD_MS		5000	/* accept → blank line */
#define GATE_BODY_MS		10000	/* blank line → last body byte */
#define GATE_PEER_MAX		64	/* stalled requests, per peer address */
#define GATE_PEER_GRACE_MS	1000	/* unfinished this long: stalled */
#define GATE_PENDING_MAX	512	/* requests being read, in all */
/* Bodies over a command's (a whole configuration, before its token is
 * known) being read at once: each holds its buffer. */
#define GATE_LARGE_MAX		2
#define GATE_HANDOFF_MAX	256	/* handed over, not yet adopted */
#define GATE_DRAIN_MAX		256	/* refused, reading to the peer's end */
#define GATE_DRAIN_MS		2000
#define GATE_DRAIN_BYTES	(256 * 1024)
#define GATE_PEER_BUCKETS	256

/* ---------------------------------------------------------------- parsing */

/* Headers that may appear once: a second copy is refused rather than left
 * for lws to join. */
static const char *const gate_once[] = {
	"host", "authorization", "content-type", "origin", "upgrade",
	"connection", "sec-websocket-key", "sec-websocket-version", "range",
	"if-range", "if-modified-since", "referer", "expect",
};

static int
gate_refuse(struct gate_head *h, int status, const char *code,
    const char *msg)
{
	h->code = code;
	h->message = msg;
	return status;
}

static int
gate_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
gate_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The end of the line at p (its CR), or NULL; a bare LF is refused: lws
 * reads lines by CRLF. */
static const char *
gate_eol(const char *p, const char *end, int *bare)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));

	*bare = lf != NULL && (lf == p || lf[-1] != '\r');
	return lf == NULL ? NULL : lf - 1;
}

/*
 * The path's segments, decoded: no "." or ".." (lws would resolve them, so
 * /api/appointments/..%2F.. reached the pages instead of the API) and no
 * escaped '/' (a segment must not hide a separator).  The query is not
 * looked at.
 */
static int
gate_segments(const char *t, size_t len, struct gate_head *h)
{
	char seg[4];
	size_t i, n = 0;
	int c, over = 0;

	for (i = 0; i <= len; i++) {
		c = i < len ? (unsigned char)t[i] : '/';
		if (c == '?')
			c = '/', len = i;
		if (c == '%' && i + 2 < len) {
			c = gate_hex((unsigned char)t[i + 1]) * 16 +
			    gate_hex((unsigned char)t[i + 2]);
			i += 2;
			if (c == '/' || c == '\\')
				return gate_refuse(h, 400, "bad_escape",
				    "the path escapes a '/' or '\\'");
		} else if (c == '\\')
			return gate_refuse(h, 400, "bad_request",
			    "the path has a '\\'");
		if (c != '/') {
			if (n < sizeof seg)
				seg[n++] = (char)c;
			else
				over = 1;
			continue;
		}
		if (!over && ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')))
			return gate_refuse(h, 400, "bad_request",
			    "the path has a '.' or '..' segment");
		n = 0;
		over = 0;
	}
	return 0;
}

/* The request target: origin-form, printable, escapes that decode to
 * something other than a control character. */
static int
gate_target(const char *t, size_t len, struct gate_head *h)
{
	size_t i;
	int hi, lo;

	if (len > GATE_TARGET_MAX)
		return gate_refuse(h, 414, "uri_too_long",
		    "the request target is over 2048 bytes");
	if (len == 0 || t[0] != '/') {
		if (len > 0 && t[0] == '*')
			return gate_refuse(h, 400, "bad_request",
			    "the asterisk form is not served");
		return gate_refuse(h, 400, "bad_request",
		    "the request target must be a path starting with '/'");
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c <= 0x20 || c >= 0x7f || c == '#')
			return gate_refuse(h, 400, "bad_request",
			    "the request target has a character it may not have");
		if (c != '%')
			continue;
		if (i + 2 >= len || (hi = gate_hex((unsigned char)t[i + 1])) < 0 ||
		    (lo = gate_hex((unsigned char)t[i + 2])) < 0)
			return gate_refuse(h, 400, "bad_escape",
			    "a '%' in the request target is not followed by two hex digits");
		if (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f)
			return gate_refuse(h, 400, "bad_escape",
			    "the request target escapes a control character");
		i += 2;
	}
	return gate_segments(t, len, h);
}

static int
gate_request_line(const char *p, size_t len, struct gate_head *h)
{
	const char *sp1, *sp2, *ver;
	size_t mlen, tlen, vlen;

	if ((sp1 = memchr(p, ' ', len)) == NULL)
		return gate_refuse(h, 400, "bad_request", "malformed request line");
	mlen = (size_t)(sp1 - p);
	if ((sp2 = memchr(sp1 + 1, ' ', len - mlen - 1)) == NULL) {
		if (len - mlen - 1 > GATE_TARGET_MAX)
			return gate_refuse(h, 414, "uri_too_long",
			    "the request target is over 2048 bytes");
		return gate_refuse(h, 400, "bad_request", "malformed request line");
	}
	tlen = (size_t)(sp2 - sp1 - 1);
	ver = sp2 + 1;
	vlen = len - (size_t)(ver - p);
	if (mlen == 0 || mlen >= sizeof h->method)
		return gate_refuse(h, mlen == 0 ? 400 : 405, mlen == 0 ?
		    "bad_request" : "method_not_allowed", mlen == 0 ?
		    "malformed request line" : "hallq serves GET, POST, PUT and DELETE");
	for (size_t i = 0; i < mlen; i++)
		if (!gate_tchar((unsigned char)p[i]))
			return gate_refuse(h, 400, "bad_request",
			    "malformed request line");
	if (vlen == 8 && memcmp(ver, "HTTP/1.", 7) == 0 &&
	    (ver[7] == '1' || ver[7] == '0'))
		;
	else if (vlen >= 5 && memcmp(ver, "HTTP/", 5) == 0 &&
	    memchr(ver, ' ', vlen) == NULL)
		return gate_refuse(h, 400, "bad_version",
		    "hallq speaks HTTP/1.1 and HTTP/1.0");
	else if (tlen > GATE_TARGET_MAX)
		return gate_refuse(h, 414, "uri_too_long",
		    "the request target is over 2048 bytes");
	else
		return gate_refuse(h, 400, "bad_request", "malformed request line");
	memcpy(h->method, p, mlen);
	h->method[mlen] = '\0';
	if (strcmp(h->method, "GET") != 0 && strcmp(h->method, "POST") != 0 &&
	    strcmp(h->method, "DELETE") != 0 && strcmp(h->method, "PUT") != 0)
		return gate_refuse(h, 405, "method_not_allowed",
		    "hallq serves GET, POST, PUT and DELETE");
	/* The body this request may carry: api.c's rule (a whole
	 * configuration is larger than any command). */
	{
		char path[GATE_TARGET_MAX + 1];
		const char *q = memchr(sp1 + 1, '?', tlen);
		size_t plen = q != NULL ? (size_t)(q - sp1 - 1) : tlen;

		if (plen > GATE_TARGET_MAX)
			plen = GATE_TARGET_MAX;
		memcpy(path, sp1 + 1, plen);
		path[plen] = '\0';
		h->body_max = api_body_max(strcmp(h->method, "PUT") == 0 ?
		    API_PUT : API_POST, path);
	}
	return gate_target(sp1 + 1, tlen, h);
}

static int
gate_length(const char *v, size_t len, struct gate_head *h)
{
	long long n = 0;
	size_t i;

	if (len == 0 || len > 15)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	if (h->content_length >= 0 && h->content_length != n)
		return -1;
	h->content_length = n;
	return 0;
}

int
gate_parse(const char *head, size_t len, struct gate_head *h)
{
	const char *p = head, *end = head + len, *cr, *colon, *v, *ve;
	unsigned seen = 0;	/* gate_once entries already seen */
	int nheaders = 0, te = 0, bare, i, status;
	size_t nlen;
	char name[32];

	memset(h, 0, sizeof *h);
	h->content_length = -1;
	if (len > GATE_HEAD_MAX)
		return gate_refuse(h, 431, "headers_too_large",
		    "the request head is over 8192 bytes");

	/* The request line. */
	if ((cr = gate_eol(p, end, &bare)) == NULL || bare)
		return gate_refuse(h, 400, "bad_request",
		    "malformed request line (lines end with CRLF)");
	if ((status = gate_request_line(p, (size_t)(cr - p), h)) != 0)
		return status;
	p = cr + 2;

	/* Header lines, to the blank one. */
	for (;;) {
		if ((cr = gate_eol(p, end, &bare)) == NULL || bare)
			return gate_refuse(h, 400, "bad_header", cr == NULL ?
			    "the request head does not end with a blank line" :
			    "header lines end with CRLF");
		if (cr == p)
			break;
		if (++nheaders > GATE_HEADERS_MAX)
			return gate_refuse(h, 431, "headers_too_large",
			    "the request has over 64 header lines");
		if (p[0] == ' ' || p[0] == '\t')
			return gate_refuse(h, 400, "bad_header",
			    "folded header lines are not accepted");
		if ((colon = memchr(p, ':', (size_t)(cr - p))) == NULL || colon == p)
			return gate_refuse(h, 400, "bad_header",
			    "a header line has no name");
		nlen = (size_t)(colon - p);
		for (size_t k = 0; k < nlen; k++)
			if (!gate_tchar((unsigned char)p[k]))
				return gate_refuse(h, 400, "bad_header",
				    "a header name has a character it may not have");
		v = colon + 1;
		ve = cr;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		for (const char *q = v; q < ve; q++) {
			unsigned char c = (unsigned char)*q;
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return gate_refuse(h, 400, "bad_header", c == 0 ?
				    "a header value holds a NUL byte" :
				    "a header value holds a control character");
		}
		/* A bare CR inside the line. */
		if (memchr(p, '\r', (size_t)(cr - p)) != NULL)
			return gate_refuse(h, 400, "bad_header",
			    "a header line holds a CR");
		p = cr + 2;
		if (nlen >= sizeof name)
			continue;	/* none of ours is that long */
		memcpy(name, colon - nlen, nlen);
		name[nlen] = '\0';

		for (i = 0; i < (int)(sizeof gate_once / sizeof gate_once[0]); i++)
			if (strcasecmp(name, gate_once[i]) == 0)
				break;
		if (i < (int)(sizeof gate_once / sizeof gate_once[0])) {
			if (seen & (1u << i))
				return gate_refuse(h, 400, "bad_header",
				    "a header that may appear once appears twice");
			seen |= 1u << i;
		}
		if (strcasecmp(name, "content-length") == 0) {
			if (gate_length(v, (size_t)(ve - v), h) == -1)
				return gate_refuse(h, 400, "bad_content_length",
				    "Content-Length must be one decimal number");
		} else if (strcasecmp(name, "transfer-encoding") == 0)
			te = 1;
		else if (strcasecmp(name, "expect") == 0) {
			if ((size_t)(ve - v) != 12 ||
			    strncasecmp(v, "100-continue", 12) != 0)
				return gate_refuse(h, 417, "expectation_failed",
				    "only Expect: 100-continue is understood");
			h->expect_continue = 1;
		} else if (strcasecmp(name, "upgrade") == 0) {
			/* WebSocket only: lws would take "h2c" too. */
			if ((size_t)(ve - v) != 9 || strncasecmp(v, "websocket", 9) != 0)
				return gate_refuse(h, 400, "bad_upgrade",
				    "the only upgrade served is to websocket");
			h->upgrade = 1;
		} else if (strncasecmp(name, "http2-settings", 14) == 0)
			return gate_refuse(h, 400, "bad_upgrade",
			    "the only upgrade served is to websocket");
	}
	if (te)
		return h->content_length >= 0 ?
		    gate_refuse(h, 400, "bad_request",
		    "both Transfer-Encoding and Content-Length") :
		    gate_refuse(h, 411, "length_required",
		    "send the body with a Content-Length");
	if (h->upgrade && h->content_length > 0)
		return gate_refuse(h, 400, "bad_upgrade",
		    "a WebSocket upgrade has no body");
	return 0;
}

/* ---------------------------------------------------------------- sockets */

struct gate_peer {
	struct gate_peer	*next;
	unsigned char		 addr[16];
	socklen_t		 alen;
	int			 n;		/* requests being read */
};

enum gconn_state {
	GC_HEAD,		/* reading the head */
	GC_BODY,		/* reading Content-Length bytes */
	GC_DRAIN		/* refused: reading to the peer's end, then close */
};

struct gconn {
	TAILQ_ENTRY(gconn)	 entry;		/* oldest first */
	struct gate		*gate;
	int			 fd;
	struct event		*ev;
	struct gate_peer	*peer;		/* while reading a request */
	enum gconn_state	 state;
	char			*buf;		/* what recv(MSG_PEEK) sees */
	size_t			 cap;
	size_t			 need;		/* GC_BODY: head and body */
	int64_t			 deadline;
	int64_t			 since;		/* accepted at */
	size_t			 drained;
	int			 large;		/* a body over API_MAX_BODY */
};
TAILQ_HEAD(gconn_list, gconn);

struct gate {
	int			 lfd;
	struct event_base	*base;
	struct event		*lev;		/* the listening socket */
	struct event		*resume;	/* accept again after EMFILE */
	pthread_t		 thread;
	int			 started;
	gate_wake_fn		 wake;
	void			*wake_arg;

	struct gconn_list	 reading;	/* GC_HEAD and GC_BODY */
	struct gconn_list	 draining;
	int			 nreading, ndraining;
	struct gate_peer	*peers[GATE_PEER_BUCKETS];

	pthread_mutex_t		 lock;		/* the hand-off ring and stats */
	struct gate_req		 ring[GATE_HANDOFF_MAX];
	size_t			 ring_head, ring_n;
	struct gate_stats	 st;
	int64_t			 warned_at;	/* last refusal logged */
};

static void gconn_read_cb(evutil_socket_t, short, void *);

static unsigned
gate_peer_hash(const unsigned char *a, socklen_t len)
{
	unsigned h = 2166136261u;
	socklen_t i;

	for (i = 0; i < len; i++)
		h = (h ^ a[i]) * 16777619u;
	return h % GATE_PEER_BUCKETS;
}

static struct gate_peer *
gate_peer_get(struct gate *g, const struct sockaddr_storage *ss)
{
	unsigned char a[16];
	socklen_t alen;
	struct gate_peer *p;
	unsigned h;

	if (ss->ss_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		alen = 16;
	} else {
		memcpy(a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		alen = 4;
	}
	h = gate_peer_hash(a, alen);
	for (p = g->peers[h]; p != NULL; p = p->next)
		if (p->alen == alen && memcmp(p->addr, a, alen) == 0)
			return p;
	p = xcalloc(1, sizeof *p);
	memcpy(p->addr, a, alen);
	p->alen = alen;
	p->next = g->peers[h];
	g->peers[h] = p;
	return p;
}

static void
gate_peer_put(struct gate *g, struct gate_peer *p)
{
	struct gate_peer **pp;

	if (p == NULL || --p->n > 0)
		return;
	for (pp = &g->peers[gate_peer_hash(p->addr, p->alen)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			free(p);
			return;
		}
	}
}

static void
gate_count(struct gate *g, enum gate_refusal r)
{
	pthread_mutex_lock(&g->lock);
	g->st.refused[r]++;
	pthread_mutex_unlock(&g->lock);
}

static void
gconn_free(struct gconn *c, int close_fd)
{
	struct gate *g = c->gate;

	if (c->state == GC_DRAIN) {
		TAILQ_REMOVE(&g->draining, c, entry);
		g->ndraining--;
	} else {
		TAILQ_REMOVE(&g->reading, c, entry);
		g->nreading--;
		gate_peer_put(g, c->peer);
	}
	if (c->ev != NULL)
		event_free(c->ev);
	if (close_fd && c->fd != -1)
		close(c->fd);
	free(c->buf);
	free(c);
}

static void
gconn_arm(struct gconn *c)
{
	int64_t left = c->deadline - now_ms();
	struct timeval tv;

	if (left < 1)
		left = 1;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	event_add(c->ev, &tv);
}

static const char *
gate_reason(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static enum gate_refusal
gate_kind(int status)
{
	switch (status) {
	case 405: return GATE_R_METHOD;
	case 408: return GATE_R_TIMEOUT;
	case 411: case 413: return GATE_R_LENGTH;
	case 414: return GATE_R_URI;
	case 431: return GATE_R_HEADERS;
	case 429: return GATE_R_PEER;
	case 503: return GATE_R_BUSY;
	default: return GATE_R_BAD;
	}
}

/*
 * Answer with the JSON error shape and close.  The socket is then read to its
 * end (bounded) before it is closed, so the peer's unread request bytes do not
 * turn the close into a reset that destroys the answer.
 */
static void
gconn_refuse(struct gconn *c, int status, const char *code, const char *msg)
{
	struct gate *g = c->gate;
	char resp[768], body[384];
	int blen, n;
	ssize_t w;

	gate_count(g, gate_kind(status));
	if (now_ms() - g->warned_at > 60000) {
		g->warned_at = now_ms();
		log_info("web: refused a request: %d %s (more are counted, "
		    "not logged, for a minute)", status, code);
	}
	blen = snprintf(body, sizeof body,
	    "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code, msg);
	n = snprintf(resp, sizeof resp, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %d\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s"
	    "Connection: close\r\n\r\n%s", status, gate_reason(status), blen,
	    status == 405 ? "Allow: GET, POST, PUT, DELETE\r\n" : "", body);
	if (n > 0 && (size_t)n < sizeof resp)
		do {
			w = write(c->fd, resp, (size_t)n);
		} while (w == -1 && errno == EINTR);
	shutdown(c->fd, SHUT_WR);

	/* From reading to draining. */
	TAILQ_REMOVE(&g->reading, c, entry);
	g->nreading--;
	gate_peer_put(g, c->peer);
	c->peer = NULL;
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
	/* Draining reads for real, and level-triggered. */
	event_free(c->ev);
	if ((c->ev = event_new(g->base, c->fd, EV_READ, gconn_read_cb, c)) == NULL)
		fatalx("event_new");
	if (g->ndraining >= GATE_DRAIN_MAX) {
		TAILQ_INSERT_TAIL(&g->draining, c, entry);
		c->state = GC_DRAIN;
		g->ndraining++;
		gconn_free(c, 1);
		return;
	}
	c->state = GC_DRAIN;
	TAILQ_INSERT_TAIL(&g->draining, c, entry);
	g->ndraining++;
	c->deadline = now_ms() + GATE_DRAIN_MS;
	gconn_arm(c);
}

/* The request is whole in the socket's buffer: hand the socket over. */
static void
gconn_hand(struct gconn *c)
{
	struct gate *g = c->gate;

	pthread_mutex_lock(&g->lock);
	if (g->ring_n == GATE_HANDOFF_MAX) {
		pthread_mutex_unlock(&g->lock);
		gconn_refuse(c, 503, "busy", "the hall is busy: try again");
		return;
	}
	g->ring[(g->ring_head + g->ring_n) % GATE_HANDOFF_MAX].fd = c->fd;
	g->ring_n++;
	g->st.handed++;
	pthread_mutex_unlock(&g->lock);
	c->fd = -1;
	gconn_free(c, 0);
	g->wake(g->wake_arg);
}

/* Where the head ends: the index after its blank line, or 0. */
static size_t
gate_head_end(const char *b, size_t len)
{
	const char *p = b, *end = b + len;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			return (size_t)(p + 2 - b);
		if (end - p >= 1 && p[0] == '\n')
			return (size_t)(p + 1 - b);	/* bare LF: refused */
	}
	return 0;
}

/* A whole head is in: check it and see what body follows.  0 while the
 * connection is still ours to read. */
static int
gconn_head(struct gconn *c, size_t end)
{
	struct gate_head h;
	int status;

	if ((status = gate_parse(c->buf, end, &h)) != 0) {
		gconn_refuse(c, status, h.code, h.message);
		return -1;
	}
	if (h.content_length > (long long)h.body_max) {
		char msg[64];

		api_body_max_msg(h.body_max, msg, sizeof msg);
		gconn_refuse(c, 413, "body_too_large", msg);
		return -1;
	}
	if (h.content_length > API_MAX_BODY) {
		struct gconn *o;
		int n = 0;

		TAILQ_FOREACH(o, &c->gate->reading, entry)
			n += o->large;
		if (n >= GATE_LARGE_MAX) {
			gconn_refuse(c, 503, "busy", "another large request is "
			    "being read: try again");
			return -1;
		}
		c->large = 1;
	}
	c->need = end + (h.content_length > 0 ? (size_t)h.content_length : 0);
	c->state = GC_BODY;
	c->deadline = now_ms() + GATE_BODY_MS;
	if (c->need > c->cap) {
		c->cap = c->need;
		c->buf = xrealloc(c->buf, c->cap + 1);
	}
	if (h.expect_continue) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		if (write(c->fd, cont, sizeof cont - 1) == -1)
			log_debug("web: 100 Continue: %s", strerror(errno));
	}
	return 0;
}

/* Throw away the empty lines a client may send before a request (RFC 9112
 * 2.2); they are not part of it, so they may really be read. */
static int
gconn_skip_blank(struct gconn *c, size_t n)
{
	char junk[64];
	size_t k = 0;

	while (k < n && k < sizeof junk && (c->buf[k] == '\r' || c->buf[k] == '\n'))
		k++;
	if (k == 0)
		return 0;
	return read(c->fd, junk, k) == (ssize_t)k ? 1 : -1;
}

static void
gconn_drain(struct gconn *c, short what)
{
	char drain[4096];
	ssize_t n;

	if (what & EV_TIMEOUT) {
		gconn_free(c, 1);
		return;
	}
	n = read(c->fd, drain, sizeof drain);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR) ||
	    (c->drained += n > 0 ? (size_t)n : 0) > GATE_DRAIN_BYTES)
		gconn_free(c, 1);
	else
		gconn_arm(c);
}

/*
 * More bytes came (edge-triggered: once per arrival).  Peek at everything
 * the socket holds; nothing is consumed but leading blank lines.
 */
static void
gconn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gconn *c = arg;
	size_t end;
	ssize_t n;
	int k;

	(void)fd;
	if (c->state == GC_DRAIN) {
		gconn_drain(c, what);
		return;
	}
	if (what & EV_TIMEOUT) {
		gconn_refuse(c, 408, "request_timeout", c->state == GC_HEAD ?
		    "the request head was not sent in time" :
		    "the request body was not sent in time");
		return;
	}
	for (k = 0; k < 8; k++) {
		n = recv(c->fd, c->buf, c->cap, MSG_PEEK);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			gconn_arm(c);
			return;
		}
		if (n <= 0) {
			gconn_free(c, 1);	/* the peer went away */
			return;
		}
		if (c->state != GC_HEAD)
			break;
		switch (gconn_skip_blank(c, (size_t)n)) {
		case 1:
			continue;
		case -1:
			gconn_free(c, 1);
			return;
		}
		break;
	}
	if (c->state == GC_HEAD) {
		/* Not HTTP at all (a TLS ClientHello, say): say so at once. */
		if (!(c->buf[0] >= 'A' && c->buf[0] <= 'Z') &&
		    !(c->buf[0] >= 'a' && c->buf[0] <= 'z')) {
			gconn_refuse(c, 400, "bad_request",
			    (unsigned char)c->buf[0] == 0x16 ?
			    "this port speaks plain HTTP, not TLS" :
			    "malformed request line");
			return;
		}
		if ((end = gate_head_end(c->buf, (size_t)n)) == 0) {
			if ((size_t)n < c->cap && (what & EV_CLOSED)) {
				gconn_refuse(c, 400, "incomplete_request",
				    "the connection was closed before the "
				    "request was whole");
				return;
			}
			if ((size_t)n < c->cap) {
				gconn_arm(c);
				return;
			}
			if (memchr(c->buf, '\n', (size_t)n) == NULL)
				gconn_refuse(c, 414, "uri_too_long",
				    "the request line is over 8192 bytes");
			else
				gconn_refuse(c, 431, "headers_too_large",
				    "the request head is over 8192 bytes");
			return;
		}
		if (gconn_head(c, end) == -1)
			return;
		/* Look again with room for the body. */
		if ((n = recv(c->fd, c->buf, c->cap, MSG_PEEK)) <= 0) {
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				n = 0;
			else {
				gconn_free(c, 1);
				return;
			}
		}
	}
	if ((size_t)n >= c->need)
		gconn_hand(c);
	else if (what & EV_CLOSED)
		/* Peeking never reads to the end: this is how a peer that
		 * gave up is noticed before its time is up. */
		gconn_refuse(c, 400, "incomplete_request",
		    "the connection was closed before the request was whole");
	else
		gconn_arm(c);
}

/*
 * How many of a peer's requests have been unfinished for over a second.  A
 * burst from one address (200 pages reconnecting through one proxy) finishes
 * its heads within milliseconds and is let in; what an address holds open
 * without finishing is what counts against it.  Walked only when the peer
 * has over GATE_PEER_MAX open, and oldest first: it stops at the young.
 */
static int
gate_peer_stalled(struct gate *g, const struct gate_peer *p, int64_t now)
{
	struct gconn *c;
	int n = 0;

	TAILQ_FOREACH(c, &g->reading, entry) {
		if (now - c->since < GATE_PEER_GRACE_MS)
			break;
		n += c->peer == p;
	}
	return n;
}

static void
gate_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct gate *g = arg;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct gconn *c;
	struct gate_peer *p;
	struct timeval tv = { 0, 200000 };
	int fd, i;

	(void)what;
	for (i = 0; i < 64; i++) {
		sl = sizeof ss;
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Out of descriptors: the oldest head waiting
				 * gives its own up, or we pause a moment. */
				if ((c = TAILQ_FIRST(&g->reading)) != NULL) {
					pthread_mutex_lock(&g->lock);
					g->st.evicted++;
					pthread_mutex_unlock(&g->lock);
					gconn_free(c, 1);
					continue;
				}
				log_warnx("web: out of file descriptors");
				event_del(g->lev);
				event_add(g->resume, &tv);
			}
			return;
		}
		pthread_mutex_lock(&g->lock);
		g->st.accepted++;
		pthread_mutex_unlock(&g->lock);
		if (g->nreading >= GATE_PENDING_MAX) {
			c = TAILQ_FIRST(&g->reading);
			pthread_mutex_lock(&g->lock);
			g->st.evicted++;
			pthread_mutex_unlock(&g->lock);
			gconn_refuse(c, 408, "request_timeout",
			    "the request head was not sent in time");
		}
		c = xcalloc(1, sizeof *c);
		c->gate = g;
		c->fd = fd;
		c->state = GC_HEAD;
		c->cap = GATE_HEAD_MAX;
		c->buf = xmalloc(c->cap + 1);
		c->deadline = now_ms() + GATE_HEAD_MS;
		if ((c->ev = event_new(g->base, fd, EV_READ | EV_CLOSED | EV_ET |
		    EV_PERSIST,
		    gconn_read_cb, c)) == NULL)
			fatalx("event_new");
		p = gate_peer_get(g, &ss);
		p->n++;
		c->peer = p;
		TAILQ_INSERT_TAIL(&g->reading, c, entry);
		g->nreading++;
		c->since = now_ms();
		if (p->n > GATE_PEER_MAX && gate_peer_stalled(g, p, c->since) >=
		    GATE_PEER_MAX) {
			gconn_refuse(c, 429, "too_many_connections",
			    "too many unfinished requests from this address");
			continue;
		}
		gconn_arm(c);
	}
}

static void
gate_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gate *g = arg;

	(void)fd;
	(void)what;
	event_add(g->lev, NULL);
}

/*
 * The gate hands a request over only when all of it is in the socket's
 * receive buffer (it peeks), and peeking never lets the kernel grow the
 * buffer: a fixed one, set on the listener before the handshakes so the
 * window it offers is sized for it, holds a PUT /api/config of
 * LIMIT_CONFIG_BODY and its head.  212992 is Debian's default
 * net.core.rmem_max; the kernel doubles it, half of which is window.
 */
static int
gate_rcvbuf(int fd)
{
	int sz = 212992;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz) == -1)
		log_warnx("web: SO_RCVBUF: %s", strerror(errno));
	return 0;
}

struct gate *
gate_new(const char *host, int port, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	struct gate *g;
	char sport[16];
	int fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(sport, sizeof sport, "%d", port);
	if ((rc = getaddrinfo(host, sport, &hints, &res)) != 0) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port,
		    gai_strerror(rc));
		return NULL;
	}
	if ((fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    gate_rcvbuf(fd) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 1024) == -1) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		freeaddrinfo(res);
		return NULL;
	}
	freeaddrinfo(res);

	g = xcalloc(1, sizeof *g);
	g->lfd = fd;
	TAILQ_INIT(&g->reading);
	TAILQ_INIT(&g->draining);
	pthread_mutex_init(&g->lock, NULL);
	if ((g->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	g->lev = event_new(g->base, fd, EV_READ | EV_PERSIST, gate_accept_cb, g);
	g->resume = evtimer_new(g->base, gate_resume_cb, g);
	if (g->lev == NULL || g->resume == NULL)
		fatalx("event_new");
	event_add(g->lev, NULL);
	return g;
}

static void *
gate_main(void *arg)
{
	struct gate *g = arg;

	event_base_dispatch(g->base);
	return NULL;
}

int
gate_start(struct gate *g, gate_wake_fn wake, void *arg)
{
	g->wake = wake;
	g->wake_arg = arg;
	if (pthread_create(&g->thread, NULL, gate_main, g) != 0)
		return -1;
	g->started = 1;
	return 0;
}

/* From the web thread: the next request to adopt; -1 when none. */
int
gate_take(struct gate *g, struct gate_req *r)
{
	int rc = -1;

	pthread_mutex_lock(&g->lock);
	if (g->ring_n > 0) {
		*r = g->ring[g->ring_head];
		g->ring_head = (g->ring_head + 1) % GATE_HANDOFF_MAX;
		g->ring_n--;
		rc = 0;
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void
gate_stats(struct gate *g, struct gate_stats *st)
{
	pthread_mutex_lock(&g->lock);
	*st = g->st;
	pthread_mutex_unlock(&g->lock);
}

void
gate_free(struct gate *g)
{
	struct gconn *c;
	struct gate_req r;
	int i;

	if (g == NULL)
		return;
	if (g->started) {
		event_base_loopbreak(g->base);
		pthread_join(g->thread, NULL);
	}
	while ((c = TAILQ_FIRST(&g->reading)) != NULL)
		gconn_free(c, 1);
	while ((c = TAILQ_FIRST(&g->draining)) != NULL)
		gconn_free(c, 1);
	while (gate_take(g, &r) == 0)
		close(r.fd);
	for (i = 0; i < GATE_PEER_BUCKETS; i++)
		if (g->peers[i] != NULL)
			fatalx("gate: a peer outlived its connections");
	event_free(g->lev);
	event_free(g->resume);
	event_base_free(g->base);
	close(g->lfd);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* web.c — the web thread: pages, REST and the WebSocket on one lws context.
 * It owns the connections and nothing of the hall: every request becomes a
 * command in the bridge, every answer comes back through it, and live events
 * are read from the bridge ring with one cursor per WebSocket client.
 * Must not touch hall state, SQLite or devices.
 *
 * A connection id names a session across the bridge; its low 8 bits say what
 * the command was for (an HTTP request, the WebSocket's auth, snapshot, a
 * replay page, or one of the client's own commands), so a reply finds its way
 * without the core knowing any of it. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libwebsockets.h>

#include "api.h"
#include "bridge.h"
#include "gate.h"
#include "hall.h"
#include "limit.h"
#include "metrics.h"
#include "util.h"
#include "web.h"

#define WEB_CHUNK		16384	/* bytes per HTTP write */
#define WEB_WS_RX_MAX		API_MAX_BODY	/* largest client message */
#define WEB_WS_INFLIGHT		16	/* client commands awaiting replies */
#define WEB_WS_OUTQ		64	/* replies queued to one client */
#define WEB_REPLAY_PAGE		500	/* events per database read */
#define WEB_TOKEN_MAX		256
/* Answers held for clients that do not read them: large ones (event pages,
 * snapshots: reads, safe to ask again) are answered 503 past this many bytes
 * across all clients, so 200 clients that never read cannot take the
 * memory of the box.  Small answers (every command's) always go out. */
#define WEB_OUT_BUDGET		(8 * 1024 * 1024)
#define WEB_OUT_SMALL		(64 * 1024)
#define WEB_PAGE_RESERVE	(HALL_EVENTS_PAGE_BYTES + 4096)
#define WEB_HTTP_SEND_S		30	/* to send one answer whole */
#define WEB_BCAST_WAIT_US	2000	/* events wait for replies this long */
#define WEB_CLOSE_TRY_AGAIN	((enum lws_close_status)1013)

enum tag {
	TAG_HTTP,
	TAG_AUTH,
	TAG_SNAPSHOT,
	TAG_REPLAY,
	TAG_CMD,		/* TAG_CMD + slot */
	TAG_MAX = TAG_CMD + WEB_WS_INFLIGHT
};

enum kind {
	K_NONE,
	K_HTTP,
	K_WS
};

/* What a WebSocket client is doing with the event stream. */
enum sub {
	SUB_NONE,		/* not subscribed */
	SUB_WANT,		/* asked, waiting for auth */
	SUB_SNAPSHOT,		/* waiting for the snapshot */
	SUB_REPLAY,		/* reading the log from the database */
	SUB_LIVE		/* reading the ring */
};

struct outmsg {
	char		*buf;		/* LWS_PRE headroom, then the text */
	size_t		 len;
};

struct sess {
	struct sess	*next, *prev;	/* live sessions */
	int		 linked;
	struct web	*web;
	struct lws	*wsi;
	uint64_t	 id;		/* conn = id << 8 | tag */
	enum kind	 kind;

	/* HTTP: one request at a time. */
	enum api_method	 method;
	char		 path[512];
	char		 query[512];
	char		 token[WEB_TOKEN_MAX + 1];
	int		 has_token;
	char		*body;
	size_t		 bodylen;
	int		 too_large;
	int		 dispatched;	/* command sent or answer decided */
	int		 awaiting;	/* the core has the command */
	int		 responding;	/* our own answer, not a file */
	int		 status;
	char		*out;
	size_t		 outlen, outoff;
	int		 hdr_sent;
	int		 close_after;
	size_t		 budgeted;	/* bytes counted in web.out_bytes */
	char		 etag[24];	/* public answers: cacheable, CORS */
	const char	*ctype;		/* NULL: application/json */
	char		*filename;	/* Content-Disposition: attachment */
	int		 metrics;	/* GET /metrics: the web's part is added */

	/* WebSocket */
	char		*rx;
	size_t		 rxlen;
	int		 rx_bad;	/* message too large: drop to its end */
	int		 auth_state;	/* 0 none, 1 asked, 2 good */
	int		 auth_quiet;	/* token from the URL: no greeting */
	enum sub	 sub;
	int64_t		 since;		/* asked for: events after this */
	int64_t		 cursor;	/* next seq to send */
	int		 page_pending;
	struct hall_event *page;
	size_t		 npage, pagepos;
	size_t		 page_bytes;	/* counted in web.out_bytes */
	int		 rx_paused;	/* reading stopped: replies first */
	struct outmsg	 outq[WEB_WS_OUTQ];
	size_t		 outq_head, outq_n;
	char		*slot_req[WEB_WS_INFLIGHT];	/* client's "req" */
	int		 slot_used[WEB_WS_INFLIGHT];
	int		 closing;
	char		 close_reason[96];
	enum lws_close_status close_code;
	int		 reply_unsent;	/* an answer from the core not yet written */
	int		 dropped;	/* cut off for being slow (counted once) */
};

struct web {
	struct lws_context	*ctx;
	struct gate		*gate;		/* accepts and checks requests */
	struct bridge		*bridge;
	web_wake_fn		 wake;
	void			*wake_arg;
	pthread_t		 thread;
	int			 started;
	atomic_int		 stop;
	atomic_int		 quiesce;	/* stopping: take no new commands */
	char			*root;
	char			*voice_dir;	/* /voice/: the announcement clips */
	int			 max_clients;
	int			 nws;
	size_t			 out_bytes;	/* large answers held, all clients */
	/* Replies before broadcasts: while answers from the core wait to be
	 * written, new events wait (WEB_BCAST_WAIT_US at most). */
	int			 nreply_unsent;
	int			 bcast_deferred;
	lws_sorted_usec_list_t	 bcast_sul;
	uint64_t		 refused_large;	/* answered 503 for that */
	uint64_t		 dropped_slow;	/* WebSocket clients cut off as slow */
	int64_t			 started_s;	/* wall clock at start (GET /metrics) */
	uint64_t		 next_id;
	struct sess		*sessions;
	/* GET /api/public/queue: the core's latest copy, served from here. */
	pthread_mutex_t		 pub_mu;
	char			*pub_body;
	char			 pub_etag[24];
};

/* ---------------------------------------------------------------- sessions */

static void	sess_reply_sent(struct sess *);

/* A WebSocket client is cut off for not keeping up: counted once. */
static void
sess_dropped(struct sess *s)
{
	if (s->dropped)
		return;
	s->dropped = 1;
	s->web->dropped_slow++;
}

static void
sess_link(struct web *w, struct sess *s, struct lws *wsi, enum kind kind)
{
	if (s->linked)
		return;
	s->web = w;
	s->wsi = wsi;
	s->kind = kind;
	s->id = ++w->next_id;
	s->next = w->sessions;
	s->prev = NULL;
	if (w->sessions != NULL)
		w->sessions->prev = s;
	w->sessions = s;
	s->linked = 1;
	if (kind == K_WS)
		w->nws++;
}

static void
sess_http_reset(struct sess *s)
{
	if (s->budgeted > 0) {
		s->web->out_bytes -= s->budgeted;
		s->budgeted = 0;
	}
	free(s->body);
	free(s->out);
	free(s->filename);
	s->body = s->out = NULL;
	s->filename = NULL;
	s->ctype = NULL;
	s->bodylen = s->outlen = s->outoff = 0;
	s->too_large = s->dispatched = s->responding = s->hdr_sent = 0;
	s->awaiting = s->metrics = 0;
	s->close_after = s->has_token = 0;
	s->status = 0;
	s->path[0] = s->query[0] = s->token[0] = s->etag[0] = '\0';
}

static void
sess_unlink(struct web *w, struct sess *s)
{
	size_t i;

	if (!s->linked)
		return;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		w->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	sess_reply_sent(s);
	s->linked = 0;
	if (s->kind == K_WS)
		w->nws--;
	sess_http_reset(s);
	free(s->rx);
	s->rx = NULL;
	for (i = 0; i < s->npage; i++)
		free(s->page[i].json);
	free(s->page);
	s->page = NULL;
	s->npage = s->pagepos = 0;
	w->out_bytes -= s->page_bytes;
	s->page_bytes = 0;
	while (s->outq_n > 0) {
		free(s->outq[s->outq_head].buf);
		s->outq_head = (s->outq_head + 1) % WEB_WS_OUTQ;
		s->outq_n--;
	}
	for (i = 0; i < WEB_WS_INFLIGHT; i++) {
		free(s->slot_req[i]);
		s->slot_req[i] = NULL;
		s->slot_used[i] = 0;
	}
}

static struct sess *
web_find(struct web *w, uint64_t id)
{
	struct sess *s;

	for (s = w->sessions; s != NULL; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

/*
 * Replies before broadcasts.  lws writes to the sockets that asked to write
 * in descriptor order, so a clerk's call-next answer used to wait behind the
 * broadcast of its own ticket.called to every board and dashboard.  Now the
 * subscribers are only asked to write once the answers of the same turn are
 * out, or after WEB_BCAST_WAIT_US when an answer's client is slow to take it.
 */
static void
web_broadcast(struct web *w)
{
	struct sess *s;
	int64_t first, next;

	w->bcast_deferred = 0;
	bridge_ring_bounds(w->bridge, &first, &next);
	for (s = w->sessions; s != NULL; s = s->next) {
		if (s->kind != K_WS || s->sub != SUB_LIVE || s->closing)
			continue;
		if (s->cursor < first) {
			/* Told with a close frame if its socket takes one soon;
			 * dropped otherwise.  Nothing is kept for it. */
			s->closing = 1;
			s->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
			snprintf(s->close_reason, sizeof s->close_reason,
			    "too slow: resume with since");
			sess_dropped(s);
			lws_callback_on_writable(s->wsi);
			lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, 5);
		} else if (s->cursor < next)
			lws_callback_on_writable(s->wsi);
	}
}

static void
web_bcast_sul_cb(lws_sorted_usec_list_t *sul)
{
	struct web *w = lws_container_of(sul, struct web, bcast_sul);

	if (w->bcast_deferred)
		web_broadcast(w);
}

static void
sess_reply_mark(struct sess *s)
{
	if (s->reply_unsent)
		return;
	s->reply_unsent = 1;
	s->web->nreply_unsent++;
}

static void
sess_reply_sent(struct sess *s)
{
	struct web *w = s->web;

	if (!s->reply_unsent)
		return;
	s->reply_unsent = 0;
	if (--w->nreply_unsent == 0 && w->bcast_deferred)
		web_broadcast(w);
}

/* Hand a command to the core; -1 when its queue is full. */
static int
web_submit(struct web *w, struct sess *s, enum tag tag, json_t *cmd)
{
	if (atomic_load(&w->quiesce) ||
	    bridge_cmd_push(w->bridge, s->id << 8 | (uint64_t)tag, cmd) == -1) {
		json_decref(cmd);
		return -1;
	}
	w->wake(w->wake_arg);
	return 0;
}

/* ---------------------------------------------------------------- HTTP */

static void
http_answer(struct sess *s, int status, char *body)
{
	struct web *w = s->web;
	size_t len = body ? strlen(body) : 0;

	/* What was set aside for it, if anything, becomes what it holds. */
	w->out_bytes -= s->budgeted;
	s->budgeted = 0;
	if (len > WEB_OUT_SMALL) {
		if (w->out_bytes + len > WEB_OUT_BUDGET) {
			free(body);
			w->refused_large++;
			body = api_error("busy", "too many large answers are "
			    "waiting to be read: try again");
			status = 503;
			len = strlen(body);
		} else {
			s->budgeted = len;
			w->out_bytes += len;
		}
	}
	s->dispatched = s->responding = 1;
	s->status = status;
	s->out = body;
	s->outlen = len;
	s->outoff = 0;
	/* A client that does not read its answer keeps it only so long. */
	lws_set_timeout(s->wsi, PENDING_TIMEOUT_HTTP_CONTENT, WEB_HTTP_SEND_S);
	lws_callback_on_writable(s->wsi);
}

static void
http_error(struct sess *s, int status, const char *code, const char *msg)
{
	http_answer(s, status, api_error(code, msg));
}

static const struct {
	const char	*ext;
	const char	*mime;
} mimes[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".wav", "audio/wav" },
	{ ".mp3", "audio/mpeg" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".md", "text/plain; charset=utf-8" },
};

static const char *
web_mime(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return NULL;
	for (i = 0; i < sizeof mimes / sizeof mimes[0]; i++)
		if (strcmp(dot, mimes[i].ext) == 0)
			return mimes[i].mime;
	return NULL;
}

/*
 * A page from web.root.  Only plain names: letters, digits, '-', '_', '.'
 * and '/', no "..", no dot files.  "/x" without an extension is "/x.html".
 */
static int
http_file(struct web *w, struct sess *s)
{
	char fpath[1024], rel[512];
	const char *p, *mime, *hdr, *base = w->root;
	struct stat st;
	int n;

	if (s->method != API_GET) {
		http_error(s, 405, "method_not_allowed", "pages are read with GET");
		return 0;
	}
	snprintf(rel, sizeof rel, "%s", strcmp(s->path, "/") == 0 ?
	    "/index.html" : s->path);
	if (strncmp(rel, "/t/", 3) == 0 && rel[3] >= '1' && rel[3] <= '9' &&
	    strspn(rel + 3, "0123456789") == strlen(rel + 3) && strlen(rel) < 24)
		strcpy(rel, "/t.html");		/* a ticket's status page */
	else if (strncmp(rel, "/voice/", 7) == 0) {	/* clips may live elsewhere */
		base = w->voice_dir;
		memmove(rel, rel + 6, strlen(rel + 6) + 1);
	}
	for (p = rel; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '/') || (p[0] == '/' && p[1] == '.')) {
			http_error(s, 404, "not_found", "no such page");
			return 0;
		}
	}
	if (web_mime(rel) == NULL && strlen(rel) + 6 < sizeof rel)
		strcat(rel, ".html");
	if ((mime = web_mime(rel)) == NULL) {
		http_error(s, 404, "not_found", "no such page");
		return 0;
	}
	n = snprintf(fpath, sizeof fpath, "%s%s", base, rel);
	if (n < 0 || (size_t)n >= sizeof fpath || stat(fpath, &st) == -1 ||
	    !S_ISREG(st.st_mode)) {
		http_error(s, 404, "not_found", "no such page");
		return 0;
	}
	s->dispatched = 1;
	/* Pages and scripts are asked again on every load (no-cache); the font
	 * (web/fonts/, about 2 MB, its name fixed) is kept a day: a kiosk
	 * downloads it once a day at most, and a font cut again for a new
	 * name's characters reaches every screen by the next day. */
	hdr = strncmp(rel, "/fonts/", 7) == 0 ?
	    "cache-control: public, max-age=86400\r\n" :
	    "cache-control: no-cache\r\n";
	n = lws_serve_http_file(s->wsi, fpath, mime, hdr, (int)strlen(hdr));
	if (n < 0)
		return -1;
	if (n > 0 && lws_http_transaction_completed(s->wsi))
		return -1;
	return 0;
}

/* The request is whole: route it, and hand it to the core. */
/* GET /api/public/queue, answered here from the core's last copy: no
 * request reaches the core, whatever the number of phones. */
static int
http_public_queue(struct web *w, struct sess *s)
{
	char inm[128] = "";
	char *body = NULL;
	int n, status = 200;

	if (s->query[0] != '\0') {
		http_error(s, 400, "unknown_field", "this path takes no query");
		return 0;
	}
	n = lws_hdr_copy(s->wsi, inm, sizeof inm, WSI_TOKEN_HTTP_IF_NONE_MATCH);
	pthread_mutex_lock(&w->pub_mu);
	if (w->pub_body != NULL) {
		snprintf(s->etag, sizeof s->etag, "%s", w->pub_etag);
		if (n > 0 && (strcmp(inm, w->pub_etag) == 0 ||
		    strstr(inm, w->pub_etag) != NULL || strcmp(inm, "*") == 0))
			status = 304;
		else
			body = xstrdup(w->pub_body);
	}
	pthread_mutex_unlock(&w->pub_mu);
	if (s->etag[0] == '\0') {
		http_error(s, 503, "busy", "the figures are not ready yet: try again");
		return 0;
	}
	http_answer(s, status, body);
	return 0;
}

static int
http_dispatch(struct web *w, struct sess *s)
{
	json_t *cmd;
	char *err;
	int status;

	if (s->dispatched)
		return 0;
	s->metrics = strcmp(s->path, "/metrics") == 0 ||
	    strcmp(s->path, "/metrics/") == 0;
	if (strcmp(s->path, "/api") != 0 && strncmp(s->path, "/api/", 5) != 0 &&
	    !s->metrics)
		return http_file(w, s);
	if (s->too_large) {
		char msg[64];

		s->close_after = 1;
		api_body_max_msg(api_body_max(s->method, s->path), msg, sizeof msg);
		http_error(s, 413, "body_too_large", msg);
		return 0;
	}
	if (s->method == API_GET && (strcmp(s->path, "/api/public/queue") == 0 ||
	    strcmp(s->path, "/api/public/queue/") == 0))
		return http_public_queue(w, s);
	status = api_route(s->method, s->path, s->query, s->body, s->bodylen,
	    s->has_token ? s->token : NULL, &cmd, &err);
	if (status != 0) {
		http_answer(s, status, err);
		return 0;
	}
	s->dispatched = 1;
	/* The public's bookings are limited per client address: the core
	 * learns it from the socket, never from the request. */
	if (s->method == API_POST && strncmp(s->path, "/api/appointments", 17) == 0) {
		char peer[64] = "";

		if (lws_get_peer_simple(s->wsi, peer, sizeof peer) == NULL)
			snprintf(peer, sizeof peer, "-");
		json_object_set_new(cmd, "peer", json_string(peer));
	}
	/* A page of the log is large: room for it is taken before the core
	 * reads it, so pages nobody reads cannot pile up even for a moment. */
	if (strcmp(s->path, "/api/events") == 0) {
		if (w->out_bytes + WEB_PAGE_RESERVE > WEB_OUT_BUDGET) {
			json_decref(cmd);
			w->refused_large++;
			http_error(s, 503, "busy", "too many large answers are "
			    "waiting to be read: try again");
			return 0;
		}
		s->budgeted = WEB_PAGE_RESERVE;
		w->out_bytes += WEB_PAGE_RESERVE;
	}
	if (web_submit(w, s, TAG_HTTP, cmd) == -1)
		http_error(s, 503, "busy", "the hall is busy: try again");
	else
		s->awaiting = 1;
	return 0;
}

static enum api_method
http_method(struct lws *wsi)
{
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
		return API_GET;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
		return API_POST;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI))
		return API_DELETE;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI))
		return API_PUT;
	return API_OTHER;
}

/* "Authorization: Bearer T". */
static void
http_token(struct sess *s)
{
	char buf[WEB_TOKEN_MAX + 16];
	int n;

	n = lws_hdr_copy(s->wsi, buf, sizeof buf, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n <= 7 || strncasecmp(buf, "Bearer ", 7) != 0)
		return;
	/* Too long to be ours, or cut by a NUL the gate would have refused:
	 * keep it unmatched rather than cut it. */
	if ((size_t)n - 7 > WEB_TOKEN_MAX || strlen(buf) != (size_t)n)
		s->token[0] = '\0';
	else
		memcpy(s->token, buf + 7, (size_t)n - 7 + 1);
	s->has_token = 1;
}

/* The query string, its fragments joined again with '&'; -1 when it is
 * longer than any of ours could be (rather than cut and misread). */
static int
http_query(struct sess *s)
{
	char frag[256];
	size_t len = 0;
	int i, n;

	s->query[0] = '\0';
	for (i = 0; ; i++) {
		if (lws_hdr_fragment_length(s->wsi, WSI_TOKEN_HTTP_URI_ARGS, i) <= 0)
			return 0;
		n = lws_hdr_copy_fragment(s->wsi, frag, sizeof frag,
		    WSI_TOKEN_HTTP_URI_ARGS, i);
		if (i >= 16 || n < 0 || len + (size_t)n + 2 >= sizeof s->query)
			return -1;
		if (len)
			s->query[len++] = '&';
		memcpy(s->query + len, frag, (size_t)n);
		len += (size_t)n;
		s->query[len] = '\0';
	}
}

static int
http_begin(struct web *w, struct sess *s, struct lws *wsi, const char *uri)
{
	char cl[32];
	long long len = 0;
	int n;

	sess_link(w, s, wsi, K_HTTP);
	sess_http_reset(s);
	/*
	 * One request per connection.  lws 4.1.6 loses a request pipelined
	 * behind one we answer later (from the core): it spins on the bytes it
	 * buffered and never lets us answer.  Closing after each answer keeps
	 * every request answered; a connection on loopback is cheap.
	 */
	s->close_after = 1;
	s->method = http_method(wsi);
	if (strlen(uri) >= sizeof s->path) {
		http_error(s, 414, "uri_too_long", "the path is too long");
		return 0;
	}
	snprintf(s->path, sizeof s->path, "%s", uri);
	http_token(s);
	if (http_query(s) == -1) {
		http_error(s, 414, "uri_too_long", "the query string is too long");
		return 0;
	}
	/* The gate let through one decimal Content-Length at most; read it as
	 * strictly anyway: a length we cannot read is never "no body". */
	if ((n = lws_hdr_copy(wsi, cl, sizeof cl,
	    WSI_TOKEN_HTTP_CONTENT_LENGTH)) > 0) {
		if (n > 15 || strspn(cl, "0123456789") != (size_t)n) {
			http_error(s, 400, "bad_content_length",
			    "Content-Length must be one decimal number");
			return 0;
		}
		len = strtoll(cl, NULL, 10);
	} else if (n < 0) {
		http_error(s, 400, "bad_content_length",
		    "Content-Length must be one decimal number");
		return 0;
	}
	if (len > (long long)api_body_max(s->method, s->path))
		s->too_large = 1;
	/* lws 4.1 does not decode chunked request bodies: ask for a length. */
	if (len <= 0 &&
	    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING)) {
		http_error(s, 411, "length_required",
		    "send the body with a Content-Length");
		return 0;
	}
	/* A body follows: wait for it (or answer 413 without reading it). */
	if ((s->method == API_POST || s->method == API_PUT) && !s->too_large &&
	    len > 0)
		return 0;
	return http_dispatch(w, s);
}

static int
http_body(struct sess *s, const void *in, size_t len)
{
	if (s->dispatched || s->too_large)
		return 0;
	if (s->bodylen + len > api_body_max(s->method, s->path)) {
		s->too_large = 1;
		free(s->body);
		s->body = NULL;
		s->bodylen = 0;
		return http_dispatch(s->web, s);
	}
	s->body = xrealloc(s->body, s->bodylen + len + 1);
	memcpy(s->body + s->bodylen, in, len);
	s->bodylen += len;
	s->body[s->bodylen] = '\0';
	return 0;
}

/* An answer to save as a file (a report's CSV). */
static int
http_disposition(struct sess *s, unsigned char **p, unsigned char *end)
{
	char v[300];
	int n;

	n = snprintf(v, sizeof v, "attachment; filename=\"%s\"", s->filename);
	if (n < 0 || (size_t)n >= sizeof v)
		return 0;	/* none rather than a cut one */
	return lws_add_http_header_by_name(s->wsi, (const unsigned char *)
	    "content-disposition:", (const unsigned char *)v, n, p, end);
}

static int
http_writeable(struct sess *s)
{
	unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start,
	    *end = hdr + sizeof hdr - 1;
	unsigned char *buf;
	size_t n;
	int last;

	if (!s->responding)
		return 0;
	if (!s->hdr_sent) {
		/* A 204 carries no body and so no length (RFC 9110). */
		int pub = s->etag[0] != '\0';

		if (lws_add_http_common_headers(s->wsi, (unsigned)s->status,
		    s->outlen ? (s->ctype ? s->ctype : "application/json") : NULL,
		    s->status == 204 ||
		    s->status == 304 ? LWS_ILLEGAL_HTTP_CONTENT_LEN : s->outlen,
		    &p, end) ||
		    lws_add_http_header_by_token(s->wsi,
		    WSI_TOKEN_HTTP_CACHE_CONTROL, (const unsigned char *)(pub ?
		    "no-cache" : "no-store"), 8, &p, end) ||
		    (pub && (lws_add_http_header_by_name(s->wsi, (const unsigned
		    char *)"etag:", (const unsigned char *)s->etag,
		    (int)strlen(s->etag), &p, end) ||
		    lws_add_http_header_by_name(s->wsi, (const unsigned char *)
		    "access-control-allow-origin:", (const unsigned char *)"*", 1,
		    &p, end) ||
		    lws_add_http_header_by_name(s->wsi, (const unsigned char *)
		    "access-control-expose-headers:", (const unsigned char *)"ETag",
		    4, &p, end))) ||
		    (s->filename != NULL && http_disposition(s, &p, end)) ||
		    (s->status == 405 && lws_add_http_header_by_name(s->wsi,
		    (const unsigned char *)"allow:", (const unsigned char *)
		    "GET, POST, PUT, DELETE", 22, &p, end)) ||
		    (s->close_after && s->status != 204 && s->status != 304 &&
		    lws_add_http_header_by_token(s->wsi,
		    WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5, &p, end)) ||
		    lws_finalize_write_http_header(s->wsi, start, &p, end))
			return -1;
		s->hdr_sent = 1;
		if (s->outlen > 0) {
			lws_callback_on_writable(s->wsi);
			return 0;
		}
	} else if (s->outoff < s->outlen) {
		n = s->outlen - s->outoff;
		if (n > WEB_CHUNK)
			n = WEB_CHUNK;
		last = s->outoff + n == s->outlen;
		buf = xmalloc(LWS_PRE + n);
		memcpy(buf + LWS_PRE, s->out + s->outoff, n);
		if (lws_write(s->wsi, buf + LWS_PRE, n, last ?
		    LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n) {
			free(buf);
			return -1;
		}
		free(buf);
		s->outoff += n;
		if (!last) {
			lws_callback_on_writable(s->wsi);
			return 0;
		}
	}
	/* Done with this request. */
	sess_reply_sent(s);
	if (s->close_after)
		return -1;
	s->responding = 0;
	if (lws_http_transaction_completed(s->wsi))
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- WebSocket */

static void
ws_queue_text(struct sess *s, const char *text, size_t len)
{
	struct outmsg *m;

	if (s->outq_n == WEB_WS_OUTQ) {
		/* A client that does not read its replies: cut it off. */
		sess_dropped(s);
		s->closing = 1;
		s->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
		snprintf(s->close_reason, sizeof s->close_reason,
		    "too slow: replies not read");
		lws_callback_on_writable(s->wsi);
		return;
	}
	m = &s->outq[(s->outq_head + s->outq_n) % WEB_WS_OUTQ];
	m->buf = xmalloc(LWS_PRE + len);
	memcpy(m->buf + LWS_PRE, text, len);
	m->len = len;
	s->outq_n++;
	lws_callback_on_writable(s->wsi);
}

static void
ws_queue_json(struct sess *s, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (text == NULL)
		fatalx("json_dumps");
	ws_queue_text(s, text, strlen(text));
	free(text);
}

static void
ws_error(struct sess *s, const char *req, int status, const char *code,
    const char *msg)
{
	json_t *o = json_pack("{s:s, s:{s:s, s:s}}", "type", "error", "error",
	    "code", code, "message", msg);

	if (req != NULL) {
		json_object_set_new(o, "type", json_string("reply"));
		json_object_set_new(o, "req", json_string(req));
		json_object_set_new(o, "status", json_integer(status));
	}
	ws_queue_json(s, o);
}

static void
ws_close(struct sess *s, enum lws_close_status code, const char *reason)
{
	s->closing = 1;
	s->close_code = code;
	snprintf(s->close_reason, sizeof s->close_reason, "%s", reason);
	lws_callback_on_writable(s->wsi);
}

/*
 * Stop reading a client's messages while it has WEB_WS_INFLIGHT commands
 * waiting for the core or its reply queue is near full, and read on when
 * that passes: a burst is taken at the pace it is answered (lws keeps the
 * unread rest), so every command taken gets its reply and nothing a client
 * sent is refused for being early.  The last WEB_WS_INFLIGHT places of the
 * reply queue are kept for the replies of commands already taken.
 */
static void
ws_rx_update(struct sess *s)
{
	int used = 0, i, pause;

	for (i = 0; i < WEB_WS_INFLIGHT; i++)
		used += s->slot_used[i];
	pause = !s->closing && (used == WEB_WS_INFLIGHT ||
	    s->outq_n + WEB_WS_INFLIGHT >= WEB_WS_OUTQ);
	if (pause == s->rx_paused)
		return;
	s->rx_paused = pause;
	lws_rx_flow_control(s->wsi, pause ? 0 : 1);
}

static json_t *
ws_cmd(struct sess *s, const char *op)
{
	json_t *cmd = json_pack("{s:s}", "op", op);

	if (s->has_token)
		json_object_set_new(cmd, "token", json_string(s->token));
	return cmd;
}

static void
ws_auth(struct web *w, struct sess *s)
{
	s->auth_state = 1;
	if (web_submit(w, s, TAG_AUTH, ws_cmd(s, "auth")) == -1)
		ws_close(s, WEB_CLOSE_TRY_AGAIN, "the hall is busy");
}

/* Read the next page of the log from the database. */
static void
ws_replay_page(struct web *w, struct sess *s)
{
	json_t *cmd = ws_cmd(s, "events");

	json_object_set_new(cmd, "body", json_pack("{s:I, s:i}", "since",
	    (json_int_t)(s->cursor - 1), "limit", WEB_REPLAY_PAGE));
	s->page_pending = 1;
	if (web_submit(w, s, TAG_REPLAY, cmd) == -1)
		ws_close(s, WEB_CLOSE_TRY_AGAIN, "the hall is busy");
}

/* Authorised and subscribed: start from the snapshot or from `since`. */
static void
ws_subscribe_go(struct web *w, struct sess *s)
{
	int64_t first, next;

	bridge_ring_bounds(w->bridge, &first, &next);
	if (s->since >= next) {
		/* Past the newest event (a new database?): start afresh. */
		ws_error(s, NULL, 400, "since_ahead",
		    "since is past the newest event: here is a snapshot");
		s->since = -1;
	}
	if (s->since < 0) {
		s->sub = SUB_SNAPSHOT;
		if (web_submit(w, s, TAG_SNAPSHOT, ws_cmd(s, "snapshot")) == -1)
			ws_close(s, WEB_CLOSE_TRY_AGAIN,
			    "the hall is busy");
		return;
	}
	s->cursor = s->since + 1;
	s->sub = SUB_REPLAY;	/* the ring decides at the next write */
	lws_callback_on_writable(s->wsi);
}

/* Members of a client's command that are not its body. */
static int
ws_top_key(const char *k)
{
	return strcmp(k, "op") == 0 || strcmp(k, "req") == 0 ||
	    strcmp(k, "window") == 0 || strcmp(k, "ticket") == 0 ||
	    strcmp(k, "token") == 0 || strcmp(k, "to_window") == 0;
}

static void
ws_command(struct web *w, struct sess *s, json_t *msg, const char *op,
    const char *req)
{
	json_t *cmd, *body, *v;
	const char *k;
	int slot;

	for (slot = 0; slot < WEB_WS_INFLIGHT; slot++)
		if (!s->slot_used[slot])
			break;
	if (slot == WEB_WS_INFLIGHT) {
		ws_error(s, req, 429, "too_many_requests",
		    "at most 16 commands may wait for replies");
		return;
	}
	cmd = ws_cmd(s, op);
	body = json_object();
	json_object_foreach(msg, k, v) {
		if (!ws_top_key(k))
			json_object_set(body, k, v);
	}
	/* Only HTTP may ask for a CSV answer (api.c sets it there). */
	json_object_del(body, "via");
	if ((v = json_object_get(msg, "to_window")) != NULL)
		json_object_set(body, "window", v);
	if ((v = json_object_get(msg, "window")) != NULL)
		json_object_set(cmd, "window", v);
	if ((v = json_object_get(msg, "ticket")) != NULL)
		json_object_set(cmd, "ticket", v);
	json_object_set_new(cmd, "body", body);
	if (strcmp(op, "book") == 0) {
		/* As over HTTP: the public's bookings are limited per address. */
		char peer[64] = "";

		if (lws_get_peer_simple(s->wsi, peer, sizeof peer) == NULL)
			snprintf(peer, sizeof peer, "-");
		json_object_set_new(cmd, "peer", json_string(peer));
	}
	s->slot_used[slot] = 1;
	s->slot_req[slot] = req ? xstrdup(req) : NULL;
	if (web_submit(w, s, TAG_CMD + slot, cmd) == -1) {
		s->slot_used[slot] = 0;
		free(s->slot_req[slot]);
		s->slot_req[slot] = NULL;
		ws_error(s, req, 503, "busy", "the hall is busy: try again");
	}
}

static void
ws_message(struct web *w, struct sess *s, const char *text, size_t len)
{
	json_t *msg, *v;
	json_error_t jerr;
	const char *op, *req = NULL;
	char buf[128];

	if ((msg = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(buf, sizeof buf, "malformed JSON at %d:%d", jerr.line,
		    jerr.column);
		ws_error(s, NULL, 400, "malformed_json", buf);
		return;
	}
	if (!json_is_object(msg) || !json_is_string(json_object_get(msg, "op"))) {
		ws_error(s, NULL, 400, "bad_request", "a message is an object with \"op\"");
		goto done;
	}
	op = json_string_value(json_object_get(msg, "op"));
	if ((v = json_object_get(msg, "req")) != NULL) {
		if (!json_is_string(v) || json_string_length(v) > 64) {
			ws_error(s, NULL, 400, "bad_request",
			    "\"req\" is a string of at most 64 bytes");
			goto done;
		}
		req = json_string_value(v);
	}
	if (strcmp(op, "auth") == 0) {
		v = json_object_get(msg, "token");
		if (s->auth_state != 0 || !json_is_string(v) ||
		    json_string_length(v) > WEB_TOKEN_MAX) {
			ws_error(s, req, 400, "bad_request", s->auth_state ?
			    "already authenticated" : "\"token\" is a string");
			goto done;
		}
		snprintf(s->token, sizeof s->token, "%s", json_string_value(v));
		s->has_token = 1;
		ws_auth(w, s);
	} else if (strcmp(op, "subscribe") == 0) {
		v = json_object_get(msg, "since");
		if (s->sub != SUB_NONE) {
			ws_error(s, req, 400, "bad_request", "already subscribed");
			goto done;
		}
		if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0)) {
			ws_error(s, req, 400, "bad_request",
			    "\"since\" is a non-negative integer");
			goto done;
		}
		s->since = v ? json_integer_value(v) : -1;
		if (s->auth_state == 0 && !s->has_token) {
			ws_close(s, LWS_CLOSE_STATUS_POLICY_VIOLATION,
			    "unauthorized: send a token");
			goto done;
		}
		if (s->auth_state == 0)
			ws_auth(w, s);
		if (s->auth_state == 2)
			ws_subscribe_go(w, s);
		else
			s->sub = SUB_WANT;
	} else
		ws_command(w, s, msg, op, req);
done:
	json_decref(msg);
}

static int
ws_receive(struct web *w, struct sess *s, const void *in, size_t len)
{
	int final = lws_is_final_fragment(s->wsi) &&
	    lws_remaining_packet_payload(s->wsi) == 0;

	if (lws_frame_is_binary(s->wsi)) {
		if (final)
			ws_error(s, NULL, 400, "bad_request", "messages are JSON text");
		return 0;
	}
	if (!s->rx_bad && s->rxlen + len > WEB_WS_RX_MAX) {
		s->rx_bad = 1;
		free(s->rx);
		s->rx = NULL;
		s->rxlen = 0;
	}
	if (!s->rx_bad) {
		s->rx = xrealloc(s->rx, s->rxlen + len + 1);
		memcpy(s->rx + s->rxlen, in, len);
		s->rxlen += len;
	}
	if (!final)
		return 0;
	if (s->rx_bad)
		ws_error(s, NULL, 413, "message_too_large", "a message is at most " LIMIT_MESSAGE_TEXT);
	else
		ws_message(w, s, s->rx, s->rxlen);
	free(s->rx);
	s->rx = NULL;
	s->rxlen = 0;
	s->rx_bad = 0;
	ws_rx_update(s);
	return 0;
}

static int
ws_send(struct sess *s, char *buf, size_t len)
{
	if (lws_write(s->wsi, (unsigned char *)buf + LWS_PRE, len,
	    LWS_WRITE_TEXT) < (int)len)
		return -1;
	return 0;
}

/* Send one event (takes `json`) and ask for the next turn. */
static int
ws_send_event(struct sess *s, char *json, size_t len)
{
	char *buf = xmalloc(LWS_PRE + len);
	int rc;

	memcpy(buf + LWS_PRE, json, len);
	free(json);
	rc = ws_send(s, buf, len);
	free(buf);
	if (rc == -1)
		return -1;
	lws_callback_on_writable(s->wsi);
	return 0;
}

/* One message per callback: replies first, then the event stream. */
static int
ws_writeable(struct web *w, struct sess *s)
{
	char *json;
	size_t len;
	int rc;

	if (s->closing) {
		lws_close_reason(s->wsi, s->close_code,
		    (unsigned char *)s->close_reason, strlen(s->close_reason));
		return -1;
	}
	if (s->outq_n > 0) {
		struct outmsg *m = &s->outq[s->outq_head];
		rc = ws_send(s, m->buf, m->len);
		free(m->buf);
		m->buf = NULL;
		s->outq_head = (s->outq_head + 1) % WEB_WS_OUTQ;
		s->outq_n--;
		if (rc == -1)
			return -1;
		if (s->outq_n == 0)
			sess_reply_sent(s);
		ws_rx_update(s);
		lws_callback_on_writable(s->wsi);
		return 0;
	}
	if (s->sub == SUB_REPLAY && s->pagepos < s->npage) {
		struct hall_event *e = &s->page[s->pagepos++];
		s->cursor = e->seq + 1;
		rc = ws_send_event(s, e->json, strlen(e->json));
		e->json = NULL;
		if (s->pagepos == s->npage) {
			w->out_bytes -= s->page_bytes;
			s->page_bytes = 0;
		}
		return rc;
	}
	if (s->sub != SUB_REPLAY && s->sub != SUB_LIVE)
		return 0;
	if (s->page_pending)
		return 0;
	rc = bridge_event_get(w->bridge, s->cursor, &json, &len);
	if (rc == 0) {
		s->sub = SUB_LIVE;	/* caught up */
		return 0;
	}
	if (rc == -1) {
		if (s->sub == SUB_LIVE) {
			sess_dropped(s);
			ws_close(s, LWS_CLOSE_STATUS_POLICY_VIOLATION,
			    "too slow: resume with since");
			return 0;
		}
		ws_replay_page(w, s);
		return 0;
	}
	s->sub = SUB_LIVE;
	s->cursor++;
	return ws_send_event(s, json, len);
}

/* A reply from the core for one of this client's needs. */
static void
ws_reply(struct web *w, struct sess *s, enum tag tag, struct bridge_reply *r)
{
	json_t *o = NULL;
	size_t i;

	if (r->body != NULL && (o = json_loads(r->body, 0, NULL)) == NULL)
		fatalx("core answered with bad JSON");
	switch (tag) {
	case TAG_AUTH:
		if (r->status != 200) {
			s->auth_state = 0;
			json_decref(o);
			ws_close(s, LWS_CLOSE_STATUS_POLICY_VIOLATION,
			    "unauthorized: unknown token");
			return;
		}
		s->auth_state = 2;
		if (s->auth_quiet)
			json_decref(o);
		else
			ws_queue_json(s, o);
		if (s->sub == SUB_WANT)
			ws_subscribe_go(w, s);
		return;
	case TAG_SNAPSHOT:
		if (r->status != 200 || o == NULL) {
			json_decref(o);
			ws_close(s, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
			    "no snapshot");
			return;
		}
		s->cursor = json_integer_value(json_object_get(o, "seq")) + 1;
		s->sub = SUB_REPLAY;
		ws_queue_json(s, o);
		return;
	case TAG_REPLAY:
		json_decref(o);
		s->page_pending = 0;
		if (r->status != 200) {
			ws_close(s, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
			    "cannot read the event log");
			return;
		}
		for (i = 0; i < s->npage; i++)
			free(s->page[i].json);
		free(s->page);
		w->out_bytes -= s->page_bytes;
		s->page_bytes = 0;
		s->page = r->items;
		s->npage = r->nitems;
		s->pagepos = 0;
		r->items = NULL;
		r->nitems = 0;
		for (i = 0; i < s->npage; i++)
			s->page_bytes += strlen(s->page[i].json);
		w->out_bytes += s->page_bytes;
		if (w->out_bytes > WEB_OUT_BUDGET) {
			w->refused_large++;
			ws_close(s, WEB_CLOSE_TRY_AGAIN,
			    "too many replays at once: resume with since");
			return;
		}
		if (s->npage == 0 || s->page[0].seq != s->cursor) {
			/* The log must hold every seq: a hole is a bug. */
			log_warnx("replay from %lld found %lld", (long long)s->cursor,
			    s->npage ? (long long)s->page[0].seq : -1LL);
			ws_close(s, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
			    "event log incomplete");
			return;
		}
		lws_callback_on_writable(s->wsi);
		return;
	default:
		break;
	}
	/* A client command. */
	i = tag - TAG_CMD;
	if (o == NULL)
		o = json_object();
	json_object_set_new(o, "type", json_string("reply"));
	json_object_set_new(o, "status", json_integer(r->status));
	if (s->slot_req[i] != NULL)
		json_object_set_new(o, "req", json_string(s->slot_req[i]));
	free(s->slot_req[i]);
	s->slot_req[i] = NULL;
	s->slot_used[i] = 0;
	ws_queue_json(s, o);
	sess_reply_mark(s);
	ws_rx_update(s);
}

/* ---------------------------------------------------------------- metrics */

/* The process's resident memory (bytes) and open descriptors, from /proc:
 * read here, on the web thread, never on the core's. */
static void
web_proc(long long *rss, long long *fds)
{
	FILE *f;
	DIR *d;
	struct dirent *de;
	long long pages;

	*rss = *fds = -1;
	if ((f = fopen("/proc/self/statm", "re")) != NULL) {
		if (fscanf(f, "%*d %lld", &pages) == 1)
			*rss = pages * sysconf(_SC_PAGESIZE);
		fclose(f);
	}
	if ((d = opendir("/proc/self/fd")) != NULL) {
		*fds = 0;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				(*fds)++;
		(*fds)--;	/* the directory's own */
		closedir(d);
	}
}

/* GET /metrics: the core's text (taken) and the web side's families after
 * it, all counted on this thread (the gate's are its own atomics). */
static char *
web_metrics(struct web *w, char *core)
{
	static const char *const reasons[GATE_R_MAX] = { "bad_request",
	    "method", "timeout", "length", "uri_too_long", "headers",
	    "peer_limit", "busy" };
	struct mbuf b = { NULL, 0, 0 };
	struct gate_stats gs;
	long long rss, fds;
	int i;

	mbuf_printf(&b, "%s", core);
	free(core);
	mbuf_family(&b, "hallq_websocket_clients", "gauge",
	    "WebSocket clients connected now.");
	mbuf_printf(&b, "hallq_websocket_clients %d\n", w->nws);
	mbuf_family(&b, "hallq_websocket_dropped_slow_total", "counter",
	    "WebSocket clients cut off since start for not reading fast "
	    "enough.");
	mbuf_printf(&b, "hallq_websocket_dropped_slow_total %llu\n",
	    (unsigned long long)w->dropped_slow);
	mbuf_family(&b, "hallq_http_large_refused_total", "counter",
	    "Large answers refused (503) since start: too many waiting to be "
	    "read.");
	mbuf_printf(&b, "hallq_http_large_refused_total %llu\n",
	    (unsigned long long)w->refused_large);
	gate_stats(w->gate, &gs);
	mbuf_family(&b, "hallq_http_connections_total", "counter",
	    "Connections accepted since start.");
	mbuf_printf(&b, "hallq_http_connections_total %llu\n",
	    (unsigned long long)gs.accepted);
	mbuf_family(&b, "hallq_http_refused_total", "counter",
	    "Requests refused at the door since start, by reason.");
	for (i = 0; i < GATE_R_MAX; i++)
		mbuf_printf(&b, "hallq_http_refused_total{reason=\"%s\"} %llu\n",
		    reasons[i], (unsigned long long)gs.refused[i]);
	mbuf_family(&b, "hallq_bridge_commands_waiting", "gauge",
	    "Commands waiting for the core now.");
	mbuf_printf(&b, "hallq_bridge_commands_waiting %zu\n",
	    bridge_cmd_count(w->bridge));
	web_proc(&rss, &fds);
	mbuf_family(&b, "hallq_process_resident_memory_bytes", "gauge",
	    "Resident memory of hallqd (/proc/self/statm).");
	mbuf_printf(&b, "hallq_process_resident_memory_bytes %lld\n", rss);
	mbuf_family(&b, "hallq_process_open_fds", "gauge",
	    "Open file descriptors of hallqd (/proc/self/fd).");
	mbuf_printf(&b, "hallq_process_open_fds %lld\n", fds);
	mbuf_family(&b, "hallq_process_start_time_seconds", "gauge",
	    "When hallqd started, seconds since the epoch: the counters count "
	    "from then.");
	mbuf_printf(&b, "hallq_process_start_time_seconds %lld\n",
	    (long long)w->started_s);
	return b.p;
}

/* ---------------------------------------------------------------- wake-up */

/* Replies from the core, and new events in the ring. */
static void
web_drain(struct web *w)
{
	struct bridge_reply r;
	struct sess *s;
	int n = 0;

	while (bridge_reply_pop(w->bridge, &r) == 0) {
		enum tag tag = (enum tag)(r.conn & 0xff);
		n++;
		if ((s = web_find(w, r.conn >> 8)) == NULL) {
			bridge_reply_clear(&r);
			continue;	/* the client went away */
		}
		if (s->kind == K_HTTP && tag == TAG_HTTP) {
			s->awaiting = 0;
			if (s->metrics && r.status == 200 && r.ctype != NULL)
				r.body = web_metrics(w, r.body);
			http_answer(s, r.status, r.body);
			s->ctype = r.ctype;
			s->filename = r.filename;
			r.filename = NULL;
			sess_reply_mark(s);
			r.body = NULL;
		} else if (s->kind == K_WS && tag != TAG_HTTP && tag < TAG_MAX)
			ws_reply(w, s, tag, &r);
		bridge_reply_clear(&r);
	}
	if (n > 0)
		w->wake(w->wake_arg);	/* the core may have waited for room */
	if (w->nreply_unsent == 0)
		web_broadcast(w);
	else if (!w->bcast_deferred) {
		w->bcast_deferred = 1;
		lws_sul_schedule(w->ctx, 0, &w->bcast_sul, web_bcast_sul_cb,
		    WEB_BCAST_WAIT_US);
	}
}

/* ---------------------------------------------------------------- callback */

static int
web_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct web *w = lws_context_user(lws_get_context(wsi));
	struct sess *s = user;
	char uri[512], tok[WEB_TOKEN_MAX + 1];

	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (w != NULL)
			web_drain(w);
		return 0;
	case LWS_CALLBACK_HTTP:
		return http_begin(w, s, wsi, in ? (const char *)in : "/");
	case LWS_CALLBACK_HTTP_BODY:
		return http_body(s, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return http_dispatch(w, s);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return http_writeable(s);
	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		if (lws_http_transaction_completed(wsi))
			return -1;
		return 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (s != NULL && s->kind == K_HTTP)
			sess_unlink(w, s);
		return 0;

	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 ||
		    strcmp(uri, "/ws") != 0)
			return 1;
		if (w->nws >= w->max_clients) {
			log_warnx("refusing a WebSocket client: %d already", w->nws);
			return 1;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED: {
		const char *t;

		if (s->linked)
			sess_unlink(w, s);
		memset(s, 0, sizeof *s);
		sess_link(w, s, wsi, K_WS);
		s->since = -1;
		if ((t = lws_get_urlarg_by_name(wsi, "token=", tok,
		    sizeof tok)) != NULL) {
			snprintf(s->token, sizeof s->token, "%s", t);
			s->has_token = 1;
			s->auth_quiet = 1;
			ws_auth(w, s);
		}
		return 0;
	}
	case LWS_CALLBACK_RECEIVE:
		return ws_receive(w, s, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return ws_writeable(w, s);
	case LWS_CALLBACK_CLOSED:
		sess_unlink(w, s);
		return 0;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols web_protocols[] = {
	{ "http", web_cb, sizeof(struct sess), 4096, 0, NULL, 0 },
	{ "hallq.v1", web_cb, sizeof(struct sess), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
web_log_cb(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_warnx("lws: %.*s", (int)n, line);
	else
		log_debug("lws: %.*s", (int)n, line);
}

/* ---------------------------------------------------------------- thread */

struct web *
web_new(const struct web_conf *wc, struct bridge *b, web_wake_fn wake,
    void *arg, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct web *w = xcalloc(1, sizeof *w);

	pthread_mutex_init(&w->pub_mu, NULL);
	char *root;

	w->bridge = b;
	w->wake = wake;
	w->wake_arg = arg;
	w->max_clients = wc->max_clients;
	if ((root = realpath(wc->root, NULL)) == NULL) {
		log_warn("web root %s", wc->root);
		root = xstrdup(wc->root);
	}
	w->root = root;
	if ((w->voice_dir = realpath(wc->voice_dir, NULL)) == NULL)
		w->voice_dir = xstrdup(wc->voice_dir);
	atomic_init(&w->stop, 0);
	atomic_init(&w->quiesce, 0);
	w->started_s = (int64_t)time(NULL);
	lws_set_log_level(getenv("HALLQ_LWS_DEBUG") ? LLL_ERR | LLL_WARN | LLL_NOTICE | LLL_INFO | LLL_DEBUG : LLL_ERR | LLL_WARN, web_log_cb);

	/* The gate listens; lws only adopts the requests it passes. */
	if ((w->gate = gate_new(wc->host, wc->port, err,
	    errlen)) == NULL) {
		free(w->root);
		free(w->voice_dir);
		free(w);
		return NULL;
	}
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = web_protocols;
	info.user = w;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 |
	    LWS_SERVER_OPTION_VALIDATE_UTF8;
	info.timeout_secs = 30;
	/* The gate passes heads of at most GATE_HEAD_MAX bytes, rebuilt with
	 * only the headers hallq reads: they always fit. */
	info.max_http_header_data = GATE_HEAD_MAX + 1024;
	info.max_http_header_pool = 512;
	info.keepalive_timeout = 60;
	if ((w->ctx = lws_create_context(&info)) == NULL) {
		snprintf(err, errlen, "cannot start libwebsockets");
		gate_free(w->gate);
		free(w->root);
		free(w->voice_dir);
		free(w);
		return NULL;
	}
	return w;
}

/* Stopping: is an answer the core has given (or will) still unsent? */
static int
web_flushing(struct web *w)
{
	struct sess *s;

	for (s = w->sessions; s != NULL; s = s->next) {
		if (s->kind == K_HTTP && (s->awaiting || s->responding))
			return 1;
		if (s->kind == K_WS && s->outq_n > 0 && !s->closing)
			return 1;
	}
	return 0;
}

/* The requests the gate has read whole, adopted between service turns (never
 * from inside an lws callback). */
static void
web_adopt(struct web *w)
{
	struct gate_req r;

	while (gate_take(w->gate, &r) == 0) {
		if (atomic_load(&w->stop)) {
			close(r.fd);
			continue;
		}
		/* On failure lws closes the socket itself. */
		if (lws_adopt_socket(w->ctx, r.fd) == NULL)
			log_warnx("web: libwebsockets refused a connection");
	}
}

static void
web_gate_wake(void *arg)
{
	struct web *w = arg;

	lws_cancel_service(w->ctx);
}

static void *
web_main(void *arg)
{
	struct web *w = arg;
	int64_t deadline;

	while (!atomic_load(&w->stop)) {
		if (lws_service(w->ctx, 0) < 0)
			return NULL;
		web_adopt(w);
	}
	/* Send what was answered before going: at most 2 s. */
	deadline = now_ms() + 2000;
	while (now_ms() < deadline) {
		web_drain(w);
		if (!web_flushing(w))
			break;
		if (lws_service(w->ctx, -1) < 0)
			break;
		usleep(1000);
	}
	return NULL;
}

/* From the core thread: new requests are refused (503) from now on. */
void
web_quiesce(struct web *w)
{
	atomic_store(&w->quiesce, 1);
}

int
web_start(struct web *w)
{
	if (pthread_create(&w->thread, NULL, web_main, w) != 0)
		return -1;
	w->started = 1;
	if (gate_start(w->gate, web_gate_wake, w) == -1)
		return -1;
	return 0;
}

/* From the core thread: replies or events wait. */
void
web_wake(struct web *w)
{
	lws_cancel_service(w->ctx);
}

void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	if (w->started) {
		atomic_store(&w->stop, 1);
		lws_cancel_service(w->ctx);
		pthread_join(w->thread, NULL);
	}
	gate_free(w->gate);	/* after the thread that takes from it */
	lws_context_destroy(w->ctx);
	free(w->root);
	free(w->voice_dir);
	free(w->pub_body);
	pthread_mutex_destroy(&w->pub_mu);
	free(w);
}

/* The core's new public figures (takes body) and their tag: the same
 * figures keep the copy (its "at" says since when they stand) and the tag,
 * across restarts too. */
void
web_public_set(struct web *w, char *body, uint64_t hsh)
{
	char tag[24];

	snprintf(tag, sizeof tag, "\"%016llx\"", (unsigned long long)hsh);
	pthread_mutex_lock(&w->pub_mu);
	if (w->pub_body != NULL && strcmp(w->pub_etag, tag) == 0) {
		pthread_mutex_unlock(&w->pub_mu);
		free(body);
		return;
	}
	free(w->pub_body);
	w->pub_body = body;
	memcpy(w->pub_etag, tag, sizeof tag);
	pthread_mutex_unlock(&w->pub_mu);
}

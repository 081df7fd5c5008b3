/* outbox.c — sends the outbox's rows to the SMS gateway (Kannel's sendsms,
 * or a template API shaped like Aliyun/Tencent SendSms), on the core's
 * libevent loop with libevent's HTTP client: name lookup, connect and the
 * exchange never block the loop.
 *
 * A row goes queued → sending (written before the request leaves, with a
 * deadline) → sent (the gateway took it) → delivered or failed (reports,
 * notify.c).  Refusals for good (4xx, a template error) are not tried again;
 * 5xx and lost connections are, with exponential backoff and jitter, up to
 * retry.attempts.  After a time-out the gateway may have taken the message
 * (SendSms is not idempotent): the row waits report_wait_s for a report
 * before it is sent again.  A row still "sending" at start was cut off by a
 * crash before the gateway's answer: its deadline passes and it is sent
 * again — what the gateway acknowledged to us is never sent twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "config.h"
#include "hall.h"
#include "outbox.h"
#include "sha256.h"
#include "store.h"
#include "util.h"

#define OUTBOX_INFLIGHT	8	/* requests at once */

struct flight {
	struct outbox		*ob;
	int64_t			 id;
	int			 attempts;
	int			 kind;
	int			 timed_out;
	struct evhttp_connection *conn;
	int			 used;
};

struct outbox {
	struct event_base	*base;
	struct evdns_base	*dns;
	const struct config	*conf;
	struct hall		*hall;
	struct store		*store;
	const struct outbox_host *host;
	void			*arg;
	struct event		*ev_tick;
	struct event		*ev_kick;
	/* Connections of ended flights, freed from the loop (never inside
	 * their own callback) or by outbox_free, before the resolver they
	 * use: a one-off event would leak them when the outbox goes first. */
	struct evhttp_connection **dead;
	size_t			 ndead, dead_cap;
	struct event		*ev_reap;
	struct flight		 fl[OUTBOX_INFLIGHT];
	char			*report_base;
	SSL_CTX			*tls;		/* https gateways */
};

/* -------------------------------------------------------------- writes */

struct set_arg {
	struct store_outbox	 o;
};

static int
set_fn(struct store *s, void *arg)
{
	return store_outbox_set(s, &((struct set_arg *)arg)->o);
}

/* The row's new state, and its event (NULL: none). */
static void
outbox_set(struct outbox *ob, const struct store_outbox *o, const char *event)
{
	struct set_arg a = { *o };
	json_t *ev = NULL;

	if (event != NULL)
		ev = json_pack("{s:o}", "notification", notify_json(o));
	if (ob->host->write(ob->arg, set_fn, &a, event, ev) == -1)
		log_warnx("outbox: row %lld could not be written", (long long)o->id);
}

static int64_t
jitter(int64_t ms)
{
	uint32_t r;

	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = 0;
	/* ±20 % */
	return ms * 8 / 10 + (int64_t)(r % 1000) * ms * 4 / 10 / 1000;
}

static int64_t
backoff_ms(const struct notify_conf *n, int attempts)
{
	int64_t s = n->retry_first_s;
	int i;

	for (i = 1; i < attempts && s < n->retry_max_s; i++)
		s *= 2;
	if (s > n->retry_max_s)
		s = n->retry_max_s;
	return jitter(s * 1000);
}

/* ----------------------------------------------------------- the answer */

enum outcome { SENT, REFUSED, RETRY, TIMEOUT };

static void
outbox_done(struct flight *f, enum outcome out, const char *gw_id,
    const char *error)
{
	struct outbox *ob = f->ob;
	const struct notify_conf *n = &ob->conf->notify;
	struct store_outbox_copy r = { .found = 0 };
	int64_t now = now_ms();

	if (store_outbox_get(ob->store, f->id, store_outbox_keep, &r) < 0 || !r.found ||
	    strcmp(r.o.state, "sending") != 0) {
		/* A report came first, or the row is gone: nothing to do. */
		store_outbox_copy_free(&r);
		return;
	}
	switch (out) {
	case SENT:
		r.o.state = "sent";
		r.o.sent_at = now;
		r.o.gateway_id = gw_id;
		r.o.error = NULL;
		outbox_set(ob, &r.o, "notify.sent");
		break;
	case REFUSED:
		r.o.state = "failed";
		r.o.done_at = now;
		r.o.error = error;
		outbox_set(ob, &r.o, "notify.failed");
		break;
	case TIMEOUT:
		/* It may have gone: wait for a report before sending again
		 * (the row stays "sending" until its deadline). */
		r.o.next_at = now + (int64_t)n->report_wait_s * 1000;
		r.o.error = "time-out: waiting for a report";
		if (r.o.attempts >= n->retry_attempts)
			r.o.error = "time-out";
		outbox_set(ob, &r.o, NULL);
		break;
	case RETRY:
		r.o.error = error;
		if (r.o.attempts >= n->retry_attempts) {
			r.o.state = "failed";
			r.o.done_at = now;
			outbox_set(ob, &r.o, "notify.failed");
		} else {
			r.o.state = "queued";
			r.o.next_at = now + backoff_ms(n, r.o.attempts);
			outbox_set(ob, &r.o, NULL);
		}
		break;
	}
	store_outbox_copy_free(&r);
}

static void
outbox_reap(struct outbox *ob)
{
	size_t i;

	for (i = 0; i < ob->ndead; i++)
		evhttp_connection_free(ob->dead[i]);
	ob->ndead = 0;
}

static void
outbox_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	outbox_reap(arg);
}

static void
flight_end(struct flight *f)
{
	struct outbox *ob = f->ob;

	/* The connection is freed from the loop, not inside its callback. */
	if (f->conn != NULL) {
		if (ob->ndead == ob->dead_cap) {
			ob->dead_cap = ob->dead_cap ? 2 * ob->dead_cap : 8;
			ob->dead = xrealloc(ob->dead, ob->dead_cap *
			    sizeof *ob->dead);
		}
		ob->dead[ob->ndead++] = f->conn;
		event_active(ob->ev_reap, 0, 0);
	}
	f->conn = NULL;
	f->used = 0;
	outbox_kick(f->ob);
}

static char *
body_text(struct evhttp_request *req)
{
	struct evbuffer *b = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(b);
	char *s;

	if (n > 4096)
		n = 4096;
	s = xmalloc(n + 1);
	evbuffer_copyout(b, s, n);
	s[n] = '\0';
	return s;
}

static void
kannel_done(struct evhttp_request *req, void *arg)
{
	struct flight *f = arg;
	char err[128], *body;
	int code;

	if (!f->used)
		return;		/* the sender is going away */
	if (req == NULL || (code = evhttp_request_get_response_code(req)) == 0) {
		outbox_done(f, f->timed_out ? TIMEOUT : RETRY, NULL,
		    "no answer from the gateway");
		flight_end(f);
		return;
	}
	body = body_text(req);
	snprintf(err, sizeof err, "kannel %d: %.80s", code, body);
	if (code == 202 || code == 200)
		outbox_done(f, SENT, NULL, NULL);
	else if (code >= 400 && code < 500)
		outbox_done(f, REFUSED, NULL, err);
	else
		outbox_done(f, RETRY, NULL, err);
	free(body);
	flight_end(f);
}

static void
http_done(struct evhttp_request *req, void *arg)
{
	struct flight *f = arg;
	char err[160], *body;
	const char *c;
	json_t *j;
	int code;

	if (!f->used)
		return;		/* the sender is going away */
	if (req == NULL || (code = evhttp_request_get_response_code(req)) == 0) {
		outbox_done(f, f->timed_out ? TIMEOUT : RETRY, NULL,
		    "no answer from the gateway");
		flight_end(f);
		return;
	}
	body = body_text(req);
	j = json_loads(body, 0, NULL);
	c = json_string_value(json_object_get(j, "code"));
	snprintf(err, sizeof err, "http %d: %s", code, c ? c : "?");
	if (code == 200 && c != NULL && strcmp(c, "OK") == 0)
		outbox_done(f, SENT, json_string_value(json_object_get(j,
		    "biz_id")), NULL);
	else if ((code >= 400 && code < 500) || code == 200)
		outbox_done(f, REFUSED, NULL, err);
	else
		outbox_done(f, RETRY, NULL, err);
	json_decref(j);
	free(body);
	flight_end(f);
}

static void
req_error(enum evhttp_request_error e, void *arg)
{
	struct flight *f = arg;

	if (e == EVREQ_HTTP_TIMEOUT)
		f->timed_out = 1;
}

/* -------------------------------------------------------- the requests */

static void
add_query(struct evbuffer *b, const char *k, const char *v, int first)
{
	char *enc = evhttp_encode_uri(v);

	evbuffer_add_printf(b, "%s%s=%s", first ? "?" : "&", k, enc);
	free(enc);
}

static struct evhttp_request *
kannel_request(struct outbox *ob, struct flight *f, const struct store_outbox *o,
    char **uri)
{
	const struct notify_conf *n = &ob->conf->notify;
	struct evhttp_request *req = evhttp_request_new(kannel_done, f);
	struct evbuffer *b = evbuffer_new();
	char *dlr;
	size_t len;

	xasprintf(&dlr, "%s/api/notify/kannel?key=%s&id=%lld&type=%%d",
	    ob->report_base, hall_notify_key(ob->hall), (long long)o->id);
	evbuffer_add_printf(b, "%s", n->url.path);
	add_query(b, "username", n->username, 1);
	add_query(b, "password", n->password, 0);
	add_query(b, "to", o->phone, 0);
	add_query(b, "text", o->text, 0);
	add_query(b, "charset", "UTF-8", 0);
	add_query(b, "coding", "2", 0);
	add_query(b, "dlr-mask", "31", 0);
	add_query(b, "dlr-url", dlr, 0);
	free(dlr);
	len = evbuffer_get_length(b);
	*uri = xmalloc(len + 1);
	evbuffer_remove(b, *uri, len);
	(*uri)[len] = '\0';
	evbuffer_free(b);
	return req;
}

/* The template's values, as strings, only those its text names. */
static json_t *
template_param(const struct notify_conf *n, int k, const char *params)
{
	json_t *all = json_loads(params, 0, NULL), *out = json_object(), *v;
	const char *key;
	char pat[24];

	json_object_foreach(all, key, v) {
		snprintf(pat, sizeof pat, "{%s}", key);
		if (strstr(n->templates[k], pat) != NULL)
			json_object_set(out, key, v);
	}
	json_decref(all);
	return out;
}

static struct evhttp_request *
http_request(struct outbox *ob, struct flight *f, const struct store_outbox *o,
    char **uri)
{
	const struct notify_conf *n = &ob->conf->notify;
	struct evhttp_request *req = evhttp_request_new(http_done, f);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char id[24], ts[24], sig[65], *body, *signed_text;
	json_t *j;
	int i, k = notify_kind(o->kind);

	snprintf(id, sizeof id, "%lld", (long long)o->id);
	j = json_pack("{s:s, s:s, s:s, s:o, s:s}", "phone_numbers", o->phone,
	    "sign_name", n->sign_name, "template_code",
	    k >= 0 && n->template_ids[k] ? n->template_ids[k] : "",
	    "template_param", template_param(n, k < 0 ? 0 : k, o->params),
	    "out_id", id);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	evhttp_add_header(h, "Content-Type", "application/json");
	for (i = 0; i < n->nheaders; i++)
		evhttp_add_header(h, n->header_names[i], n->header_values[i]);
	if (n->secret != NULL) {
		snprintf(ts, sizeof ts, "%lld", (long long)(now_ms() / 1000));
		xasprintf(&signed_text, "%s\n%s", ts, body);
		hmac_sha256_hex(n->secret, signed_text, strlen(signed_text), sig);
		free(signed_text);
		evhttp_add_header(h, "X-Hallq-Timestamp", ts);
		evhttp_add_header(h, "X-Hallq-Signature", sig);
	}
	evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	free(body);
	*uri = xstrdup(n->url.path);
	return req;
}

static int
outbox_send(struct outbox *ob, struct flight *f, const struct store_outbox *o)
{
	const struct notify_conf *n = &ob->conf->notify;
	struct evhttp_request *req;
	char *uri, hosthdr[160];

	if (ob->tls != NULL) {
		struct bufferevent *bev;
		SSL *ssl = SSL_new(ob->tls);

		if (ssl == NULL)
			return -1;
		/* SNI, and the certificate must name the host (or its IP). */
		SSL_set_tlsext_host_name(ssl, n->url.host);
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
		    n->url.host) != 1)
			SSL_set1_host(ssl, n->url.host);
		bev = bufferevent_openssl_socket_new(ob->base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
		    BEV_OPT_DEFER_CALLBACKS);
		if (bev == NULL) {
			SSL_free(ssl);
			return -1;
		}
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
		f->conn = evhttp_connection_base_bufferevent_new(ob->base, ob->dns,
		    bev, n->url.host, (unsigned short)n->url.port);
	} else
		f->conn = evhttp_connection_base_new(ob->base, ob->dns,
		    n->url.host, (unsigned short)n->url.port);
	if (f->conn == NULL)
		return -1;
	evhttp_connection_set_timeout(f->conn, n->timeout_s);
	evhttp_connection_set_retries(f->conn, 0);
	req = n->gateway == NOTIFY_KANNEL ? kannel_request(ob, f, o, &uri) :
	    http_request(ob, f, o, &uri);
	evhttp_request_set_error_cb(req, req_error);
	snprintf(hosthdr, sizeof hosthdr, "%s:%d", n->url.host, n->url.port);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", hosthdr);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Connection",
	    "close");
	if (evhttp_make_request(f->conn, req, n->gateway == NOTIFY_KANNEL ?
	    EVHTTP_REQ_GET : EVHTTP_REQ_POST, uri) == -1) {
		free(uri);
		return -1;	/* the request is freed by libevent */
	}
	free(uri);
	return 0;
}

/* ------------------------------------------------------------ the loop */

static int
in_quiet(const struct notify_conf *n, const struct config *c, int64_t now,
    int64_t *until)
{
	int32_t day = calendar_day_of(&c->cal, now);
	int64_t base = calendar_day_start(&c->cal, day);
	int m = (int)((now - base) / 60000);

	if (n->quiet_start < 0 || n->quiet_start == n->quiet_end)
		return 0;
	if (n->quiet_start < n->quiet_end) {
		if (m < n->quiet_start || m >= n->quiet_end)
			return 0;
		*until = base + (int64_t)n->quiet_end * 60000;
		return 1;
	}
	/* Across midnight: 21:00–08:00. */
	if (m >= n->quiet_start)
		*until = base + CALENDAR_DAY_MS + (int64_t)n->quiet_end * 60000;
	else if (m < n->quiet_end)
		*until = base + (int64_t)n->quiet_end * 60000;
	else
		return 0;
	return 1;
}

struct due_list {
	struct store_outbox_copy	 r[OUTBOX_INFLIGHT];
	int		 n;
};

static void
due_cb(void *arg, const struct store_outbox *o)
{
	struct due_list *d = arg;

	if (d->n < OUTBOX_INFLIGHT) {
		memset(&d->r[d->n], 0, sizeof d->r[d->n]);
		store_outbox_keep(&d->r[d->n++], o);
	}
}

static int
flying(struct outbox *ob, int64_t id)
{
	int i;

	for (i = 0; i < OUTBOX_INFLIGHT; i++)
		if (ob->fl[i].used && ob->fl[i].id == id)
			return 1;
	return 0;
}

static void
outbox_run(struct outbox *ob)
{
	const struct notify_conf *n = &ob->conf->notify;
	struct due_list d;
	int64_t now = now_ms(), until;
	int i, j, free_slots = 0, k;

	for (i = 0; i < OUTBOX_INFLIGHT; i++)
		free_slots += !ob->fl[i].used;
	if (free_slots == 0)
		return;
	d.n = 0;
	if (store_outbox_due(ob->store, now, OUTBOX_INFLIGHT, due_cb, &d) < 0)
		return;
	for (i = 0; i < d.n; i++) {
		struct store_outbox *o = &d.r[i].o;
		struct flight *f = NULL;

		if (flying(ob, o->id))
			continue;
		k = notify_kind(o->kind);
		if (!hall_notify_valid(ob->hall, o)) {
			o->state = "expired";
			o->done_at = now;
			o->error = "its reason passed before it was sent";
			outbox_set(ob, o, "notify.failed");
			continue;
		}
		if (o->phone == NULL) {
			o->state = "failed";
			o->done_at = now;
			o->error = "no phone number (purged)";
			outbox_set(ob, o, "notify.failed");
			continue;
		}
		if ((k == NK_BOOKED || k == NK_REMINDER || k == NK_SOON ||
		    k == NK_RATE) && in_quiet(n, ob->conf, now, &until)) {
			o->next_at = until;
			outbox_set(ob, o, NULL);
			continue;
		}
		if (o->attempts >= n->retry_attempts) {
			o->state = "failed";
			o->done_at = now;
			if (o->error == NULL)
				o->error = "attempts used up";
			outbox_set(ob, o, "notify.failed");
			continue;
		}
		for (j = 0; j < OUTBOX_INFLIGHT; j++)
			if (!ob->fl[j].used) {
				f = &ob->fl[j];
				break;
			}
		if (f == NULL)
			break;
		/* Written before the request leaves: after a crash the
		 * deadline brings it back. */
		o->state = "sending";
		o->attempts++;
		o->next_at = now + ((int64_t)n->timeout_s + n->report_wait_s) * 1000 +
		    1000;
		outbox_set(ob, o, NULL);
		memset(f, 0, sizeof *f);
		f->ob = ob;
		f->id = o->id;
		f->attempts = o->attempts;
		f->kind = k;
		f->used = 1;
		if (outbox_send(ob, f, o) == -1) {
			outbox_done(f, RETRY, NULL, "cannot make the request");
			if (f->conn != NULL)
				evhttp_connection_free(f->conn);
			f->conn = NULL;
			f->used = 0;
		}
	}
	for (i = 0; i < d.n; i++)
		store_outbox_copy_free(&d.r[i]);
}

static void
outbox_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	outbox_run(arg);
}

void
outbox_kick(struct outbox *ob)
{
	if (ob != NULL)
		event_active(ob->ev_kick, EV_TIMEOUT, 0);
}

struct outbox *
outbox_new(struct event_base *base, const struct config *conf, struct hall *h,
    struct store *store, const struct outbox_host *host, void *arg)
{
	struct outbox *ob;
	struct timeval sec = { 1, 0 };

	if (!conf->notify.enabled)
		return NULL;
	ob = xcalloc(1, sizeof *ob);
	ob->base = base;
	ob->conf = conf;
	ob->hall = h;
	ob->store = store;
	ob->host = host;
	ob->arg = arg;
	ob->report_base = hall_notify_report_base(h);
	if (conf->notify.url.tls) {
		/* Peer verified against the system's CAs, or ca_file's. */
		if ((ob->tls = SSL_CTX_new(TLS_client_method())) == NULL)
			fatalx("outbox: no TLS context");
		SSL_CTX_set_min_proto_version(ob->tls, TLS1_2_VERSION);
		SSL_CTX_set_verify(ob->tls, SSL_VERIFY_PEER, NULL);
		if ((conf->notify.ca_file != NULL ?
		    SSL_CTX_load_verify_locations(ob->tls, conf->notify.ca_file,
		    NULL) : SSL_CTX_set_default_verify_paths(ob->tls)) != 1)
			log_warnx("outbox: cannot load the CAs %s: every https "
			    "send will fail", conf->notify.ca_file ?
			    conf->notify.ca_file : "of the system");
	}
	(void)hall_notify_key(h);
	ob->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (ob->dns == NULL)
		ob->dns = evdns_base_new(base, 0);
	ob->ev_tick = event_new(base, -1, EV_PERSIST, outbox_tick_cb, ob);
	ob->ev_kick = event_new(base, -1, 0, outbox_tick_cb, ob);
	ob->ev_reap = event_new(base, -1, 0, outbox_reap_cb, ob);
	event_add(ob->ev_tick, &sec);
	return ob;
}

void
outbox_free(struct outbox *ob)
{
	int i;

	if (ob == NULL)
		return;
	/* Rows in flight stay "sending" until their deadline: sent again. */
	for (i = 0; i < OUTBOX_INFLIGHT; i++)
		ob->fl[i].used = 0;
	for (i = 0; i < OUTBOX_INFLIGHT; i++)
		if (ob->fl[i].conn != NULL)
			evhttp_connection_free(ob->fl[i].conn);
	outbox_reap(ob);
	free(ob->dead);
	event_free(ob->ev_tick);
	event_free(ob->ev_kick);
	event_free(ob->ev_reap);
	if (ob->dns != NULL)
		evdns_base_free(ob->dns, 0);
	free(ob->report_base);
	if (ob->tls != NULL)
		SSL_CTX_free(ob->tls);
	free(ob);
}

/* uplink.c — every event of the hall to the city's MQTT broker, nothing lost
 * (web/README.md, "Uplink to the city platform").
 *
 * The uplink is a durable reader of the event log: its cursor (`cursors`
 * row "uplink") is the last seq whose every message the broker has
 * acknowledged (PUBACK, QoS 1), in order.  It reads the log itself from the
 * cursor, keeps at most `inflight` events unacknowledged, and after any
 * failure throws the connection and its libmosquitto handle away and starts
 * again from the cursor: libmosquitto keeps unacknowledged messages in
 * memory only, so the log is the outbox.  Receivers deduplicate by seq.
 *
 * libmosquitto runs on the core's libevent loop: its socket's read and
 * write readiness call mosquitto_loop_read/write, a one-second timer
 * mosquitto_loop_misc (keepalive).  Only mosquitto_connect_async, whose name
 * lookup blocks, runs on a short thread that touches the handle alone and
 * wakes the loop when it returns.  A connection that does not reach CONNACK
 * within the keepalive (at least 10 s) is dropped. */
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <mosquitto.h>

#include "config.h"
#include "event.h"
#include "hall.h"
#include "store.h"
#include "uplink.h"
#include "util.h"

#define UPLINK_CURSOR		"uplink"
#define UPLINK_SAVE_MS		200	/* the cursor written at most this often */
#define UPLINK_PAGE		100	/* events read from the log at once */
#define UPLINK_CONNACK_MIN_S	10

enum ustate {
	U_WAIT,		/* away: the next attempt is scheduled */
	U_CONNECTING,	/* the connect thread runs */
	U_HANDSHAKE,	/* connected, waiting for CONNACK */
	U_UP,
};

/* One event in flight: its messages' ids (the events topic, and the
 * ratings topic's when it has one). */
struct flight {
	int64_t		 seq;
	int		 mid[2];
	int		 pending;
};

struct uplink {
	struct event_base	*base;
	struct hall		*hall;
	struct store		*store;
	const struct uplink_host *host;
	void			*host_arg;
	struct uplink_conf	 c;		/* copied: a reload frees the old */
	char			*t_events, *t_ratings, *t_public, *t_daily,
				*t_status;

	struct mosquitto	*mosq;
	enum ustate		 state;
	pthread_t		 thr;
	int			 thr_live;
	int			 thr_rc, thr_errno;
	int			 fd;		/* libmosquitto's socket */
	int			 evfd;		/* our copy of it, for libevent */
	struct event		*ev_read, *ev_write, *ev_tick, *ev_connected,
				*ev_retry, *ev_daily;
	int			 drop;		/* a callback asked to drop */
	char			 drop_why[400];
	char			 lib_err[200];	/* libmosquitto's last error line */
	int64_t			 attempt_at;	/* connect started */
	int			 backoff_s;

	int64_t			 acked;		/* every message acknowledged */
	int64_t			 saved;		/* the cursor in the database */
	int64_t			 saved_at;
	int64_t			 next;		/* next seq to publish */
	struct flight		*fl;		/* ring of c.inflight */
	int			 head, count;

	/* GET /api/uplink */
	int64_t			 since;		/* connected or away since */
	int64_t			 reconnects, errors, published;
	char			 last_error[480];
	int			 error_logged;	/* said once until it connects */
	int			 alerted;	/* the alert's warning said */

	/* The public figures: the latest copy, and what was sent. */
	char			*pub_body;
	uint64_t		 pub_tag, pub_sent_tag;
	int			 pub_sent;
	int64_t			 pub_sent_at;
	/* The day's report, from the reporter's thread. */
	pthread_mutex_t		 mu;
	char			*daily;
	char			*daily_last;	/* the last one sent (core only) */
	int64_t			 daily_seq;	/* the rollover last asked for */
};

static void	 uplink_connect(struct uplink *);
static void	 uplink_pump(struct uplink *);

/* ---------------------------------------------------------------- errors */

/* A failure: counted, kept for GET /api/uplink, and logged once per kind
 * until a connection succeeds. */
static void
uplink_error(struct uplink *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
uplink_error(struct uplink *u, const char *fmt, ...)
{
	char msg[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	u->errors++;
	if (!u->error_logged)
		log_warnx("uplink %s: %s (tried again until it works; said "
		    "once until then)", u->c.url, msg);
	u->error_logged = 1;
	snprintf(u->last_error, sizeof u->last_error, "%s", msg);
}

/* ---------------------------------------------------------------- cursor */

static void
uplink_save(struct uplink *u, int force)
{
	int64_t now = now_ms();

	if (u->acked == u->saved || (!force && now - u->saved_at < UPLINK_SAVE_MS))
		return;
	if (store_begin(u->store) == -1)
		return;
	if (events_cursor_set(u->store, UPLINK_CURSOR, u->acked) == -1 ||
	    store_commit(u->store) == -1) {
		store_rollback(u->store);
		return;
	}
	u->saved = u->acked;
	u->saved_at = now;
}

/* ---------------------------------------------------------------- socket */

static void
uplink_want_write(struct uplink *u)
{
	if (u->mosq != NULL && u->ev_write != NULL &&
	    mosquitto_want_write(u->mosq))
		event_add(u->ev_write, NULL);
}

/* Throw the connection away; the next attempt starts from the cursor. */
static void
uplink_drop(struct uplink *u, const char *why)
{
	struct timeval tv;
	int ms;

	if (why != NULL)
		uplink_error(u, "%s", why);
	if (u->ev_read != NULL) {
		event_free(u->ev_read);
		u->ev_read = NULL;
	}
	if (u->ev_write != NULL) {
		event_free(u->ev_write);
		u->ev_write = NULL;
	}
	if (u->evfd != -1) {
		close(u->evfd);
		u->evfd = -1;
	}
	if (u->mosq != NULL) {
		mosquitto_destroy(u->mosq);
		u->mosq = NULL;
	}
	if (u->state == U_UP)
		u->since = now_ms();
	u->state = U_WAIT;
	u->drop = 0;
	u->head = u->count = 0;
	u->next = u->acked + 1;
	uplink_save(u, 1);
	/* Backoff: first_s doubling to max_s, ±20%. */
	ms = u->backoff_s * 1000;
	{
		unsigned r = 0;

		if (getrandom(&r, sizeof r, 0) == (ssize_t)sizeof r)
			ms += (int)((int64_t)ms * ((int)(r % 41) - 20) / 100);
	}
	if (ms < 200)
		ms = 200;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(u->ev_retry, &tv);
	if (u->backoff_s < u->c.reconnect_max_s) {
		u->backoff_s *= 2;
		if (u->backoff_s > u->c.reconnect_max_s)
			u->backoff_s = u->c.reconnect_max_s;
	}
}

static void
uplink_check_drop(struct uplink *u)
{
	if (u->drop && u->state != U_WAIT) {
		char why[400];

		snprintf(why, sizeof why, "%s", u->drop_why);
		uplink_drop(u, why);
	}
}

/* Why a call failed: its code, and what libmosquitto logged about it (the
 * OpenSSL reason of a TLS failure, say). */
static void
uplink_why(struct uplink *u, int rc, int err)
{
	const char *what = rc == MOSQ_ERR_ERRNO ? strerror(err) :
	    mosquitto_strerror(rc);

	if (u->drop)
		return;
	u->drop = 1;
	if (u->lib_err[0] != '\0' && (rc == MOSQ_ERR_TLS ||
	    rc == MOSQ_ERR_TLS_HANDSHAKE || rc == MOSQ_ERR_PROTOCOL))
		snprintf(u->drop_why, sizeof u->drop_why, "%s (%s)", what,
		    u->lib_err);
	else
		snprintf(u->drop_why, sizeof u->drop_why, "%s", what);
}

static void
on_log(struct mosquitto *mosq, void *obj, int level, const char *line)
{
	struct uplink *u = obj;

	(void)mosq;
	if (level & MOSQ_LOG_ERR)
		snprintf(u->lib_err, sizeof u->lib_err, "%s", line);
}

static void
uplink_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uplink *u = arg;
	int rc;

	(void)fd;
	(void)what;
	rc = mosquitto_loop_read(u->mosq, 16);
	if (rc != MOSQ_ERR_SUCCESS)
		uplink_why(u, rc, errno);
	uplink_check_drop(u);
	if (u->state == U_UP)
		uplink_pump(u);		/* connected, or room made by acks */
	if (u->state != U_WAIT)
		uplink_want_write(u);
}

static void
uplink_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uplink *u = arg;
	int rc;

	(void)fd;
	(void)what;
	rc = mosquitto_loop_write(u->mosq, 16);
	if (rc != MOSQ_ERR_SUCCESS)
		uplink_why(u, rc, errno);
	uplink_check_drop(u);
	if (u->state != U_WAIT)
		uplink_want_write(u);
}

/* ---------------------------------------------------------------- publish */

static int
uplink_publish(struct uplink *u, int *mid, const char *topic, const char *text,
    int retain)
{
	size_t len = strlen(text);
	int rc;

	if (len > 256 * 1024 * 1024)
		return -1;
	rc = mosquitto_publish(u->mosq, mid, topic, (int)len, text, 1, retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		if (!u->drop) {
			u->drop = 1;
			snprintf(u->drop_why, sizeof u->drop_why, "publish: %s",
			    mosquitto_strerror(rc));
		}
		return -1;
	}
	u->published++;
	return 0;
}

static void
uplink_publish_json(struct uplink *u, int *mid, const char *topic, json_t *o,
    int retain)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s == NULL)
		fatalx("json_dumps");
	(void)uplink_publish(u, mid, topic, s, retain);
	free(s);
}

/* The ratings topic's message for an event, or NULL. */
static json_t *
uplink_rating_msg(struct uplink *u, const struct event *ev)
{
	json_t *c, *o = NULL;
	int64_t id;
	int failed = 0;

	switch (ev->type) {
	case EVT_RATING_RECORDED:
		if (json_is_null(json_object_get(ev->body, "score")))
			return NULL;
		if ((o = hall_uplink_rating(u->hall, ev->ticket, &failed)) != NULL)
			json_object_set_new(o, "seq", json_integer(ev->seq));
		break;
	case EVT_CASE_OPENED:
	case EVT_CASE_STEP:
	case EVT_CASE_OVERDUE:
	case EVT_CASE_CLOSED:
	case EVT_RATING_STRUCK:
		c = json_object_get(ev->body, "case");
		id = json_is_object(c) ? json_integer_value(json_object_get(c,
		    "id")) : json_integer_value(c);
		if ((c = hall_uplink_case(u->hall, id, &failed)) != NULL)
			o = json_pack("{s:s, s:I, s:s, s:o}", "type", "case",
			    "seq", (json_int_t)ev->seq, "event",
			    event_type_name(ev->type), "case", c);
		break;
	default:
		break;
	}
	if (failed)
		log_warnx("uplink: the ratings message of seq %lld could not be "
		    "read; the event itself goes", (long long)ev->seq);
	return o;
}

/* A day.rollover on its way up: the report of the day that ended, made by
 * the reporter and retained on reports/daily.  Asked when the event is sent
 * (from the log, so a restart or an outage at midnight loses nothing) —
 * once, and only for the rollover into today: a rollover sent again after
 * a reconnection, or an older one in a backlog, would only make a report
 * the retained topic replaces. */
static void
uplink_daily_ask(struct uplink *u, const struct event *ev)
{
	const char *from = json_string_value(json_object_get(ev->body, "from"));
	const char *to = json_string_value(json_object_get(ev->body, "to"));
	json_t *job;

	if (from == NULL || to == NULL || ev->seq <= u->daily_seq ||
	    strcmp(to, hall_day(u->hall)) != 0)
		return;
	u->daily_seq = ev->seq;
	if ((job = hall_report_job(u->hall, from, from, "matter", 0)) == NULL ||
	    u->host->daily(u->host_arg, job) == -1)
		log_warnx("uplink: the report of %s could not be asked for", from);
}

static int
uplink_page_cb(void *arg, int64_t seq, const char *json)
{
	struct uplink *u = arg;
	struct flight *f;
	struct event ev;
	json_t *msg;

	if (seq != u->next || u->count == u->c.inflight || u->drop)
		return -1;
	f = &u->fl[(u->head + u->count) % u->c.inflight];
	memset(f, 0, sizeof *f);
	f->seq = seq;
	if (uplink_publish(u, &f->mid[0], u->t_events, json, 0) == -1)
		return -1;
	f->pending = 1;
	f->mid[1] = -1;
	if (event_parse(&ev, seq, json) == 0) {
		if (ev.type == EVT_DAY_ROLLOVER)
			uplink_daily_ask(u, &ev);
		if ((msg = uplink_rating_msg(u, &ev)) != NULL) {
			uplink_publish_json(u, &f->mid[1], u->t_ratings, msg, 0);
			json_decref(msg);
			if (!u->drop)
				f->pending++;
		}
		event_clear(&ev);
	}
	u->count++;
	u->next++;
	return 0;
}

/* Publish from the cursor while the window has room. */
static void
uplink_pump(struct uplink *u)
{
	int64_t last;
	int want, n;

	if (u->state != U_UP)
		return;
	last = hall_seq(u->hall);
	while (!u->drop && u->count < u->c.inflight && u->next <= last) {
		want = u->c.inflight - u->count;
		if (want > UPLINK_PAGE)
			want = UPLINK_PAGE;
		if ((n = store_events(u->store, u->next - 1, want, uplink_page_cb,
		    u)) <= 0)
			break;
	}
	uplink_check_drop(u);
	if (u->state == U_UP)
		uplink_want_write(u);
}

static void
uplink_public_send(struct uplink *u, int force)
{
	int64_t now = now_ms();

	if (u->state != U_UP || u->pub_body == NULL ||
	    (u->pub_sent && u->pub_tag == u->pub_sent_tag))
		return;
	if (!force && now - u->pub_sent_at < (int64_t)u->c.public_every_s * 1000)
		return;
	if (uplink_publish(u, NULL, u->t_public, u->pub_body, 1) == 0) {
		u->pub_sent = 1;
		u->pub_sent_tag = u->pub_tag;
		u->pub_sent_at = now;
	}
}

static void
uplink_daily_send(struct uplink *u)
{
	char *body;

	if (u->state != U_UP)
		return;
	pthread_mutex_lock(&u->mu);
	body = u->daily;
	u->daily = NULL;
	pthread_mutex_unlock(&u->mu);
	if (body == NULL)
		return;
	if (uplink_publish(u, NULL, u->t_daily, body, 1) == -1) {
		pthread_mutex_lock(&u->mu);
		if (u->daily == NULL)
			u->daily = body;	/* again after the reconnect */
		else
			free(body);
		pthread_mutex_unlock(&u->mu);
		return;
	}
	free(u->daily_last);
	u->daily_last = body;	/* retained again at each connection */
}

/* ---------------------------------------------------------------- callbacks */

static void
on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct uplink *u = obj;

	(void)mosq;
	if (rc != 0) {
		u->drop = 1;
		snprintf(u->drop_why, sizeof u->drop_why, "the broker refused the "
		    "connection: %s", mosquitto_connack_string(rc));
		return;
	}
	u->state = U_UP;
	u->since = now_ms();
	u->error_logged = 0;
	u->backoff_s = u->c.reconnect_first_s;
	log_info("uplink %s: connected as %s; sending from seq %lld", u->c.url,
	    u->c.client_id, (long long)(u->acked + 1));
	(void)uplink_publish(u, NULL, u->t_status, "online", 1);
	/* Retained messages again on every connection: a broker without
	 * persistence that restarted has lost them. */
	u->pub_sent = 0;
	uplink_public_send(u, 1);
	if (u->daily_last != NULL)
		(void)uplink_publish(u, NULL, u->t_daily, u->daily_last, 1);
	uplink_daily_send(u);
	/* The events: from the loop, after this callback. */
}

static void
on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct uplink *u = obj;
	int i, k;

	(void)mosq;
	for (i = 0; i < u->count; i++) {
		struct flight *f = &u->fl[(u->head + i) % u->c.inflight];

		for (k = 0; k < 2; k++)
			if (f->mid[k] == mid && f->pending > 0) {
				f->mid[k] = -1;
				f->pending--;
				goto found;
			}
	}
	return;		/* status, public, daily: not counted */
found:
	while (u->count > 0 && u->fl[u->head].pending == 0) {
		u->acked = u->fl[u->head].seq;
		u->head = (u->head + 1) % u->c.inflight;
		u->count--;
	}
}

static void
on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct uplink *u = obj;

	(void)mosq;
	if (u->drop)
		return;
	u->drop = 1;
	/* libmosquitto's keepalive gave up: before CONNACK the broker never
	 * answered the CONNECT. */
	if (rc == MOSQ_ERR_KEEPALIVE || rc == MOSQ_ERR_NO_CONN)
		snprintf(u->drop_why, sizeof u->drop_why, "%s",
		    u->state == U_HANDSHAKE ? "no answer (CONNACK) from the "
		    "broker in time" : "the broker stopped answering (keepalive)");
	else
		snprintf(u->drop_why, sizeof u->drop_why, "disconnected: %s",
		    mosquitto_strerror(rc));
}

/* ---------------------------------------------------------------- connect */

static void *
uplink_connect_main(void *arg)
{
	struct uplink *u = arg;

	errno = 0;
	u->thr_rc = mosquitto_connect_async(u->mosq, u->c.host, u->c.port,
	    u->c.keepalive_s);
	u->thr_errno = errno;
	event_active(u->ev_connected, 0, 0);
	return NULL;
}

static void
uplink_connected_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uplink *u = arg;
	char why[420];
	int rc;

	(void)fd;
	(void)what;
	if (u->thr_live) {
		pthread_join(u->thr, NULL);
		u->thr_live = 0;
	}
	if (u->thr_rc != MOSQ_ERR_SUCCESS) {
		uplink_why(u, u->thr_rc, u->thr_errno);
		snprintf(why, sizeof why, "connect: %s", u->drop_why);
		u->state = U_HANDSHAKE;	/* so that the drop counts it */
		uplink_drop(u, why);
		return;
	}
	u->fd = mosquitto_socket(u->mosq);
	if (u->fd < 0) {
		u->state = U_HANDSHAKE;
		uplink_drop(u, "connect: no socket");
		return;
	}
	/* Never a blocking read or write on the loop. */
	if ((rc = fcntl(u->fd, F_GETFL)) != -1 && !(rc & O_NONBLOCK))
		(void)fcntl(u->fd, F_SETFL, rc | O_NONBLOCK);
	/* The loop watches a copy of the socket: libmosquitto closes its own
	 * when the connection fails (in a read, or in its keepalive), and
	 * libevent must not be left holding a closed descriptor. */
	if ((u->evfd = dup(u->fd)) == -1) {
		u->state = U_HANDSHAKE;
		uplink_drop(u, "connect: dup: out of descriptors");
		return;
	}
	u->state = U_HANDSHAKE;
	u->ev_read = event_new(u->base, u->evfd, EV_READ | EV_PERSIST,
	    uplink_read_cb, u);
	u->ev_write = event_new(u->base, u->evfd, EV_WRITE, uplink_write_cb, u);
	event_add(u->ev_read, NULL);
	uplink_want_write(u);
}

static int
uplink_mosq_new(struct uplink *u)
{
	char why[200];
	int rc;

	u->mosq = mosquitto_new(u->c.client_id, true, u);
	if (u->mosq == NULL) {
		uplink_error(u, "mosquitto_new: %s", strerror(errno));
		return -1;
	}
	mosquitto_int_option(u->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	    u->c.protocol == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
	/* Room for every event in flight and its ratings message, and the
	 * status, public and daily messages besides. */
	mosquitto_int_option(u->mosq, MOSQ_OPT_SEND_MAXIMUM,
	    u->c.inflight * 2 + 8);
	mosquitto_connect_callback_set(u->mosq, on_connect);
	mosquitto_publish_callback_set(u->mosq, on_publish);
	mosquitto_disconnect_callback_set(u->mosq, on_disconnect);
	mosquitto_log_callback_set(u->mosq, on_log);
	u->lib_err[0] = '\0';
	if ((rc = mosquitto_will_set(u->mosq, u->t_status, 7, "offline", 1,
	    true)) != MOSQ_ERR_SUCCESS)
		goto fail;
	if (u->c.username != NULL && (rc = mosquitto_username_pw_set(u->mosq,
	    u->c.username, u->c.password)) != MOSQ_ERR_SUCCESS)
		goto fail;
	if (u->c.tls) {
		if (u->c.ca_file == NULL)
			mosquitto_int_option(u->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
		if ((rc = mosquitto_tls_set(u->mosq, u->c.ca_file, NULL,
		    u->c.cert_file, u->c.key_file, NULL)) != MOSQ_ERR_SUCCESS ||
		    (rc = mosquitto_tls_opts_set(u->mosq, 1, "tlsv1.2", NULL)) !=
		    MOSQ_ERR_SUCCESS)
			goto fail;
	}
	return 0;
fail:
	snprintf(why, sizeof why, "set-up: %s", mosquitto_strerror(rc));
	mosquitto_destroy(u->mosq);
	u->mosq = NULL;
	uplink_error(u, "%s", why);
	return -1;
}

static void
uplink_connect(struct uplink *u)
{
	if (u->state != U_WAIT || u->thr_live)
		return;
	if (uplink_mosq_new(u) == -1) {
		u->state = U_HANDSHAKE;
		uplink_drop(u, NULL);
		return;
	}
	u->state = U_CONNECTING;
	u->attempt_at = now_ms();
	u->reconnects++;
	if (pthread_create(&u->thr, NULL, uplink_connect_main, u) != 0) {
		u->state = U_HANDSHAKE;
		uplink_drop(u, "cannot start the connect thread");
		return;
	}
	u->thr_live = 1;
}

static void
uplink_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	uplink_connect(arg);
}

/* "away" (the broker gone longer than away_alert_s), "backlog" (more than
 * backlog_alert events unacknowledged), or NULL. */
static const char *
uplink_alert(struct uplink *u, int64_t now)
{
	if (u->state != U_UP && now - u->since > (int64_t)u->c.away_alert_s * 1000)
		return "away";
	if (hall_seq(u->hall) - u->acked > u->c.backlog_alert)
		return "backlog";
	return NULL;
}

static void
uplink_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct uplink *u = arg;
	int64_t now = now_ms(), wait_s;
	int rc;

	(void)fd;
	(void)what;
	wait_s = u->c.keepalive_s > UPLINK_CONNACK_MIN_S ? u->c.keepalive_s :
	    UPLINK_CONNACK_MIN_S;
	if (u->state == U_HANDSHAKE && now - u->attempt_at > wait_s * 1000) {
		uplink_drop(u, "no answer (CONNACK) from the broker in time");
		return;
	}
	if (u->state == U_HANDSHAKE || u->state == U_UP) {
		rc = mosquitto_loop_misc(u->mosq);
		if (rc != MOSQ_ERR_SUCCESS && !u->drop) {
			u->drop = 1;
			snprintf(u->drop_why, sizeof u->drop_why, "%s",
			    rc == MOSQ_ERR_NO_CONN ? "the broker stopped answering "
			    "(keepalive)" : mosquitto_strerror(rc));
		}
		uplink_check_drop(u);
	}
	if (u->state == U_UP) {
		uplink_public_send(u, 0);
		uplink_pump(u);
	}
	uplink_save(u, 0);
	/* The alert: said once when it starts. */
	{
		const char *alert = uplink_alert(u, now);

		if (alert != NULL && !u->alerted)
			log_warnx("uplink %s: %s", u->c.url, strcmp(alert, "away") ==
			    0 ? "the broker has been away too long" :
			    "the backlog is over backlog_alert");
		u->alerted = alert != NULL;
	}
}

static void
uplink_daily_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	uplink_daily_send(arg);
	uplink_want_write(arg);
}

/* ---------------------------------------------------------------- API */

static char *
topic(const struct uplink_conf *c, const char *leaf)
{
	char *t;

	xasprintf(&t, "%s/%s/%s", c->prefix, c->hall_id, leaf);
	return t;
}

struct uplink *
uplink_new(struct event_base *base, const struct config *conf,
    struct hall *hall, struct store *store, const struct uplink_host *host,
    void *host_arg)
{
	struct uplink *u;
	struct timeval sec = { 1, 0 };
	int64_t cur;

	if (!conf->uplink.enabled)
		return NULL;
	u = xcalloc(1, sizeof *u);
	u->base = base;
	u->hall = hall;
	u->store = store;
	u->host = host;
	u->host_arg = host_arg;
	u->c = conf->uplink;
	u->c.url = xstrdup(conf->uplink.url);
	u->c.hall_id = xstrdup(conf->uplink.hall_id);
	u->c.username = xstrdup_null(conf->uplink.username);
	u->c.password = xstrdup_null(conf->uplink.password);
	u->c.client_id = xstrdup(conf->uplink.client_id);
	u->c.prefix = xstrdup(conf->uplink.prefix);
	u->c.ca_file = xstrdup_null(conf->uplink.ca_file);
	u->c.cert_file = xstrdup_null(conf->uplink.cert_file);
	u->c.key_file = xstrdup_null(conf->uplink.key_file);
	u->t_events = topic(&u->c, "events");
	u->t_ratings = topic(&u->c, "ratings");
	u->t_public = topic(&u->c, "public/queue");
	u->t_daily = topic(&u->c, "reports/daily");
	u->t_status = topic(&u->c, "status");
	u->fl = xcalloc((size_t)u->c.inflight, sizeof *u->fl);
	pthread_mutex_init(&u->mu, NULL);
	if ((cur = events_cursor_get(store, UPLINK_CURSOR)) < 0)
		cur = 0;
	u->acked = u->saved = cur;
	u->next = cur + 1;
	u->backoff_s = u->c.reconnect_first_s;
	u->since = now_ms();
	u->state = U_WAIT;
	u->fd = u->evfd = -1;
	u->ev_tick = event_new(base, -1, EV_PERSIST, uplink_tick_cb, u);
	u->ev_connected = event_new(base, -1, 0, uplink_connected_cb, u);
	u->ev_retry = evtimer_new(base, uplink_retry_cb, u);
	u->ev_daily = event_new(base, -1, 0, uplink_daily_cb, u);
	event_add(u->ev_tick, &sec);
	log_info("uplink %s: hall %s, from seq %lld", u->c.url, u->c.hall_id,
	    (long long)u->next);
	uplink_connect(u);
	return u;
}

void
uplink_free(struct uplink *u)
{
	int i;

	if (u == NULL)
		return;
	if (u->thr_live) {
		pthread_join(u->thr, NULL);
		u->thr_live = 0;
	}
	/* A clean goodbye: "offline" (the will is for an unclean one), then
	 * DISCONNECT, written out within half a second. */
	if (u->state == U_UP && u->mosq != NULL) {
		(void)uplink_publish(u, NULL, u->t_status, "offline", 1);
		mosquitto_disconnect(u->mosq);
		for (i = 0; i < 50 && mosquitto_want_write(u->mosq); i++) {
			if (mosquitto_loop_write(u->mosq, 16) != MOSQ_ERR_SUCCESS)
				break;
			if (mosquitto_want_write(u->mosq))
				usleep(10000);
		}
	}
	uplink_save(u, 1);
	if (u->ev_read != NULL)
		event_free(u->ev_read);
	if (u->ev_write != NULL)
		event_free(u->ev_write);
	if (u->evfd != -1)
		close(u->evfd);
	event_free(u->ev_tick);
	event_free(u->ev_connected);
	event_free(u->ev_retry);
	event_free(u->ev_daily);
	if (u->mosq != NULL)
		mosquitto_destroy(u->mosq);
	free(u->c.url);
	free(u->c.hall_id);
	free(u->c.username);
	free(u->c.password);
	free(u->c.client_id);
	free(u->c.prefix);
	free(u->c.ca_file);
	free(u->c.cert_file);
	free(u->c.key_file);
	free(u->t_events);
	free(u->t_ratings);
	free(u->t_public);
	free(u->t_daily);
	free(u->t_status);
	free(u->fl);
	free(u->pub_body);
	free(u->daily);
	free(u->daily_last);
	pthread_mutex_destroy(&u->mu);
	free(u);
}

void
uplink_events(struct uplink *u, const struct event *ev, size_t n)
{
	(void)ev;
	(void)n;
	if (u != NULL)
		uplink_pump(u);
}

void
uplink_public(struct uplink *u, const char *body, uint64_t tag)
{
	if (u == NULL || body == NULL)
		return;
	if (u->pub_body != NULL && tag == u->pub_tag)
		return;
	free(u->pub_body);
	u->pub_body = xstrdup(body);
	u->pub_tag = tag;
	uplink_public_send(u, 0);
	uplink_want_write(u);
}

void
uplink_daily_done(struct uplink *u, char *body)
{
	if (u == NULL || body == NULL) {
		free(body);
		return;
	}
	pthread_mutex_lock(&u->mu);
	free(u->daily);
	u->daily = body;
	pthread_mutex_unlock(&u->mu);
	event_active(u->ev_daily, 0, 0);
}

json_t *
uplink_status(void *arg)
{
	struct uplink *u = arg;
	int64_t seq, backlog, now = now_ms();
	const char *alert;

	if (u == NULL)
		return json_pack("{s:b}", "configured", 0);
	seq = hall_seq(u->hall);
	backlog = seq - u->acked;
	if (backlog < 0)
		backlog = 0;
	alert = uplink_alert(u, now);
	return json_pack("{s:b, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:i, s:I,"
	    " s:I, s:I, s:o, s:I, s:o}",
	    "configured", 1, "connected", u->state == U_UP,
	    "broker", u->c.url, "hall_id", u->c.hall_id,
	    "protocol", u->c.protocol == 5 ? "5" : "3.1.1",
	    "acked_seq", (json_int_t)u->acked, "seq", (json_int_t)seq,
	    "backlog", (json_int_t)backlog, "inflight", u->count,
	    "since", (json_int_t)u->since, "reconnects",
	    (json_int_t)(u->reconnects > 0 ? u->reconnects - 1 : 0),
	    "errors", (json_int_t)u->errors,
	    "last_error", u->last_error[0] ? json_string(u->last_error) :
	    json_null(), "published", (json_int_t)u->published,
	    "alert", alert ? json_string(alert) : json_null());
}

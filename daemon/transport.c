/* transport.c — one device's byte pipe on the core loop: opens it (serial
 * port, tty or TCP), reads into the protocol's callback, writes a bounded
 * queue of frames, and when anything fails closes it, says so once, and tries
 * again with backoff.  Knows bytes, not frames' meaning: protocols/ encodes,
 * the device manager decides what to send.  Callbacks must not free their
 * transport: free it from the loop. */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <event2/event.h>
#include <libserialport.h>

#include "transport.h"
#include "util.h"

#define BACKOFF_FIRST_MS	500
#define BACKOFF_MAX_MS		30000

struct frame {
	uint8_t		*buf;
	size_t		 len;
};

struct transport {
	struct event_base	*base;
	struct transport_spec	 spec;
	struct transport_cb	 cb;
	void			*arg;

	int			 fd;		/* -1: closed */
	struct sp_port		*sp;		/* serial: owns fd */
	int			 connecting;	/* tcp connect in flight */
	int			 announced;	/* down said for this episode */
	int			 ever_up;
	int			 backoff_ms;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_retry;

	struct frame		 q[TRANSPORT_QUEUE_FRAMES];
	size_t			 qhead, qn, qbytes;
	size_t			 off;		/* written of the head frame */

	struct transport_stats	 st;
};

static void transport_open(struct transport *);

/* ---------------------------------------------------------------- parsing */

static int
parse_int(const char *s, const char *end, int lo, int hi, int *out)
{
	long v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*out = (int)v;
	return 0;
}

/* "?baud=9600&format=8N1" */
static int
parse_options(const char *q, struct transport_spec *sp, char *err, size_t errlen)
{
	static const int bauds[] = { 1200, 2400, 4800, 9600, 19200, 38400,
	    57600, 115200, 230400, 0 };
	const char *p = q, *amp, *eq;
	int i;

	while (*p != '\0') {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL) {
			snprintf(err, errlen, "option \"%.*s\" has no value",
			    (int)(amp - p), p);
			return -1;
		}
		if (eq - p == 4 && strncmp(p, "baud", 4) == 0) {
			if (parse_int(eq + 1, amp, 1, 4000000, &sp->baud) == -1) {
				snprintf(err, errlen, "bad baud rate");
				return -1;
			}
			for (i = 0; bauds[i] != 0 && bauds[i] != sp->baud; i++)
				;
			if (bauds[i] == 0) {
				snprintf(err, errlen, "baud %d is not one of 1200 "
				    "to 230400", sp->baud);
				return -1;
			}
		} else if (eq - p == 6 && strncmp(p, "format", 6) == 0) {
			if (amp - eq != 4 || eq[1] < '5' || eq[1] > '8' ||
			    strchr("NEO", eq[2]) == NULL || eq[2] == '\0' ||
			    (eq[3] != '1' && eq[3] != '2')) {
				snprintf(err, errlen, "format is like 8N1 "
				    "(bits 5-8, parity N/E/O, stop bits 1-2)");
				return -1;
			}
			sp->bits = eq[1] - '0';
			sp->parity = eq[2];
			sp->stopbits = eq[3] - '0';
		} else {
			snprintf(err, errlen, "unknown option \"%.*s\" (baud, "
			    "format)", (int)(eq - p), p);
			return -1;
		}
		p = *amp ? amp + 1 : amp;
	}
	return 0;
}

int
transport_parse(const char *s, struct transport_spec *sp, char *err,
    size_t errlen)
{
	const char *rest, *q, *colon;
	size_t n;

	memset(sp, 0, sizeof *sp);
	sp->bits = 8;
	sp->parity = 'N';
	sp->stopbits = 1;
	if (strncmp(s, "serial:", 7) == 0) {
		sp->kind = TRANSPORT_SERIAL;
		sp->baud = 9600;
		rest = s + 7;
	} else if (strncmp(s, "tty:", 4) == 0) {
		sp->kind = TRANSPORT_TTY;
		rest = s + 4;
	} else if (strncmp(s, "tcp:", 4) == 0) {
		sp->kind = TRANSPORT_TCP;
		rest = s + 4;
		if ((colon = strrchr(rest, ':')) == NULL || colon == rest ||
		    (size_t)(colon - rest) >= sizeof sp->path ||
		    parse_int(colon + 1, colon + strlen(colon), 1, 65535,
		    &sp->port) == -1) {
			snprintf(err, errlen, "a tcp transport is tcp:HOST:PORT");
			return -1;
		}
		if (rest[0] == '[' && colon[-1] == ']')	/* [::1]:9100 */
			memcpy(sp->path, rest + 1, (size_t)(colon - rest - 2));
		else
			memcpy(sp->path, rest, (size_t)(colon - rest));
		{
			unsigned char a[16];

			/* Numbers only: a name lookup would block the hall. */
			if (strcmp(sp->path, "localhost") != 0 &&
			    inet_pton(AF_INET, sp->path, a) != 1 &&
			    inet_pton(AF_INET6, sp->path, a) != 1) {
				snprintf(err, errlen, "tcp host \"%s\" must be an "
				    "IP address", sp->path);
				return -1;
			}
		}
		return 0;
	} else {
		snprintf(err, errlen, "a transport is serial:PATH, tty:PATH or "
		    "tcp:HOST:PORT");
		return -1;
	}
	q = strchr(rest, '?');
	n = q ? (size_t)(q - rest) : strlen(rest);
	if (n == 0 || n >= sizeof sp->path || rest[0] != '/') {
		snprintf(err, errlen, "the device path must be absolute");
		return -1;
	}
	memcpy(sp->path, rest, n);
	return q ? parse_options(q + 1, sp, err, errlen) : 0;
}

/* ---------------------------------------------------------------- queue */

static void
queue_pop(struct transport *t)
{
	struct frame *f = &t->q[t->qhead];

	t->qbytes -= f->len;
	free(f->buf);
	f->buf = NULL;
	t->qhead = (t->qhead + 1) % TRANSPORT_QUEUE_FRAMES;
	t->qn--;
	t->off = 0;
}

/* Everything queued goes: a device that comes back is sent its state. */
static void
queue_clear(struct transport *t)
{
	while (t->qn > 0) {
		t->st.dropped++;
		queue_pop(t);
	}
}

/* ---------------------------------------------------------------- life */

static void
transport_close_fd(struct transport *t)
{
	if (t->ev_read != NULL) {
		event_free(t->ev_read);
		t->ev_read = NULL;
	}
	if (t->ev_write != NULL) {
		event_free(t->ev_write);
		t->ev_write = NULL;
	}
	if (t->sp != NULL) {
		sp_close(t->sp);
		sp_free_port(t->sp);
		t->sp = NULL;
	} else if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
	t->connecting = 0;
}

/* Something failed: close, say so once, and try again later. */
static void
transport_fail(struct transport *t, const char *why)
{
	struct timeval tv;
	int was_up = t->st.up;

	transport_close_fd(t);
	t->st.up = 0;
	t->st.errors++;
	queue_clear(t);
	tv.tv_sec = t->backoff_ms / 1000;
	tv.tv_usec = (t->backoff_ms % 1000) * 1000;
	event_add(t->ev_retry, &tv);
	if (t->backoff_ms < BACKOFF_MAX_MS)
		t->backoff_ms = t->backoff_ms * 2 > BACKOFF_MAX_MS ?
		    BACKOFF_MAX_MS : t->backoff_ms * 2;
	if (was_up || !t->announced) {
		t->announced = 1;
		if (t->cb.down != NULL)
			t->cb.down(t->arg, why);
	}
}

static void
transport_want_write(struct transport *t)
{
	if (t->st.up && t->qn > 0 && t->ev_write != NULL)
		event_add(t->ev_write, NULL);
}

static void
transport_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct transport *t = arg;
	uint8_t buf[4096];
	ssize_t n;
	char why[128];

	(void)what;
	n = read(fd, buf, sizeof buf);
	if (n > 0) {
		t->st.bytes_received += (uint64_t)n;
		if (t->cb.rx != NULL)
			t->cb.rx(t->arg, buf, (size_t)n);
		return;
	}
	if (n == 0) {
		transport_fail(t, "end of file");
		return;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return;
	snprintf(why, sizeof why, "read: %s", strerror(errno));
	transport_fail(t, why);
}

static void
transport_up(struct transport *t)
{
	t->st.up = 1;
	t->announced = 0;
	t->backoff_ms = BACKOFF_FIRST_MS;
	if (t->ever_up)
		t->st.reconnects++;
	t->ever_up = 1;
	t->ev_read = event_new(t->base, t->fd, EV_READ | EV_PERSIST,
	    transport_read_cb, t);
	event_add(t->ev_read, NULL);
	if (t->cb.up != NULL)
		t->cb.up(t->arg);
	transport_want_write(t);
}

static void
transport_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct transport *t = arg;
	struct frame *f;
	ssize_t n;
	int err;
	socklen_t len = sizeof err;
	char why[128];

	(void)what;
	if (t->connecting) {
		/* A TCP connect finished, one way or the other. */
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			snprintf(why, sizeof why, "connect: %s", strerror(err));
			transport_fail(t, why);
			return;
		}
		t->connecting = 0;
		event_del(t->ev_write);
		transport_up(t);
		return;
	}
	while (t->qn > 0) {
		f = &t->q[t->qhead];
		n = write(fd, f->buf + t->off, f->len - t->off);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;		/* still writable-pending */
			snprintf(why, sizeof why, "write: %s", strerror(errno));
			transport_fail(t, why);
			return;
		}
		t->st.bytes_sent += (uint64_t)n;
		t->off += (size_t)n;
		if (t->off < f->len)
			return;
		t->st.frames_sent++;
		queue_pop(t);
	}
	event_del(t->ev_write);
}

static int
tty_speed(int baud, speed_t *out)
{
	static const struct {
		int	 baud;
		speed_t	 speed;
	} speeds[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
	};
	size_t i;

	for (i = 0; i < sizeof speeds / sizeof speeds[0]; i++) {
		if (speeds[i].baud == baud) {
			*out = speeds[i].speed;
			return 0;
		}
	}
	return -1;
}

/* A plain termios fd: raw bytes, the line settings asked for. */
static int
open_tty(struct transport *t, char *why, size_t whylen)
{
	const struct transport_spec *sp = &t->spec;
	struct termios tio;
	speed_t speed;

	if ((t->fd = open(sp->path, O_RDWR | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s: %s", sp->path, strerror(errno));
		return -1;
	}
	if (tcgetattr(t->fd, &tio) == -1) {
		snprintf(why, whylen, "%s: %s", sp->path, strerror(errno));
		return -1;
	}
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB);
	tio.c_cflag |= sp->bits == 5 ? CS5 : sp->bits == 6 ? CS6 :
	    sp->bits == 7 ? CS7 : CS8;
	if (sp->parity != 'N')
		tio.c_cflag |= PARENB | (sp->parity == 'O' ? PARODD : 0);
	if (sp->stopbits == 2)
		tio.c_cflag |= CSTOPB;
	if (sp->baud != 0 && tty_speed(sp->baud, &speed) == 0) {
		cfsetispeed(&tio, speed);
		cfsetospeed(&tio, speed);
	}
	if (tcsetattr(t->fd, TCSANOW, &tio) == -1) {
		snprintf(why, whylen, "%s: %s", sp->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_serial(struct transport *t, char *why, size_t whylen)
{
	const struct transport_spec *sp = &t->spec;
	enum sp_parity parity = sp->parity == 'E' ? SP_PARITY_EVEN :
	    sp->parity == 'O' ? SP_PARITY_ODD : SP_PARITY_NONE;
	char *msg;
	int fd, fl;

	if (sp_get_port_by_name(sp->path, &t->sp) != SP_OK) {
		t->sp = NULL;
		snprintf(why, whylen, "%s: no such serial port", sp->path);
		return -1;
	}
	if (sp_open(t->sp, SP_MODE_READ_WRITE) != SP_OK ||
	    sp_set_baudrate(t->sp, sp->baud) != SP_OK ||
	    sp_set_bits(t->sp, sp->bits) != SP_OK ||
	    sp_set_parity(t->sp, parity) != SP_OK ||
	    sp_set_stopbits(t->sp, sp->stopbits) != SP_OK ||
	    sp_set_flowcontrol(t->sp, SP_FLOWCONTROL_NONE) != SP_OK ||
	    sp_get_port_handle(t->sp, &fd) != SP_OK) {
		msg = sp_last_error_message();
		snprintf(why, whylen, "%s: %s", sp->path, msg ? msg : "error");
		sp_free_error_message(msg);
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		snprintf(why, whylen, "%s: %s", sp->path, strerror(errno));
		return -1;
	}
	t->fd = fd;
	return 0;
}

/* Non-blocking connect to a numeric address ("localhost" is 127.0.0.1):
 * a name lookup would block the hall. */
static int
open_tcp(struct transport *t, char *why, size_t whylen)
{
	struct addrinfo hints, *ai = NULL;
	const char *host = strcmp(t->spec.path, "localhost") == 0 ?
	    "127.0.0.1" : t->spec.path;
	char port[8];
	int rc, one = 1;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(port, sizeof port, "%d", t->spec.port);
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(why, whylen, "%s: %s (give an IP address)", host,
		    gai_strerror(rc));
		return -1;
	}
	t->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (t->fd == -1) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	rc = connect(t->fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (rc == -1 && errno != EINPROGRESS) {
		snprintf(why, whylen, "connect %s:%d: %s", host, t->spec.port,
		    strerror(errno));
		return -1;
	}
	t->connecting = 1;
	return 0;
}

static void
transport_open(struct transport *t)
{
	char why[300];
	int rc;

	switch (t->spec.kind) {
	case TRANSPORT_SERIAL:
		rc = open_serial(t, why, sizeof why);
		break;
	case TRANSPORT_TTY:
		rc = open_tty(t, why, sizeof why);
		break;
	default:
		rc = open_tcp(t, why, sizeof why);
		break;
	}
	if (rc == -1) {
		transport_fail(t, why);
		return;
	}
	t->ev_write = event_new(t->base, t->fd, EV_WRITE | EV_PERSIST,
	    transport_write_cb, t);
	if (t->connecting)
		event_add(t->ev_write, NULL);
	else
		transport_up(t);
}

static void
transport_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	transport_open(arg);
}

struct transport *
transport_new(struct event_base *base, const struct transport_spec *spec,
    const struct transport_cb *cb, void *arg)
{
	struct transport *t = xcalloc(1, sizeof *t);
	struct timeval now = { 0, 0 };

	t->base = base;
	t->spec = *spec;
	t->cb = *cb;
	t->arg = arg;
	t->fd = -1;
	t->backoff_ms = BACKOFF_FIRST_MS;
	t->ev_retry = evtimer_new(base, transport_retry_cb, t);
	event_add(t->ev_retry, &now);	/* open from the loop */
	return t;
}

void
transport_free(struct transport *t)
{
	if (t == NULL)
		return;
	transport_close_fd(t);
	event_free(t->ev_retry);
	while (t->qn > 0)
		queue_pop(t);
	free(t);
}

/*
 * Queue one frame.  A full queue drops its oldest frame not yet begun (and
 * counts it): a display wants the newest state, not the backlog.  While the
 * device is down nothing is queued: it is sent its state when it is back.
 */
int
transport_send(struct transport *t, const uint8_t *buf, size_t len)
{
	struct frame *f;

	if (len == 0 || len > TRANSPORT_FRAME_MAX)
		return -1;
	if (!t->st.up) {
		t->st.dropped++;
		return -1;
	}
	while (t->qn > 0 && (t->qn == TRANSPORT_QUEUE_FRAMES ||
	    t->qbytes + len > TRANSPORT_QUEUE_BYTES)) {
		size_t victim = t->off > 0 ? 1 : 0;	/* never a frame begun */
		size_t i, at;
		if (victim >= t->qn)
			return t->st.dropped++, -1;
		at = (t->qhead + victim) % TRANSPORT_QUEUE_FRAMES;
		t->qbytes -= t->q[at].len;
		free(t->q[at].buf);
		for (i = victim; i + 1 < t->qn; i++)
			t->q[(t->qhead + i) % TRANSPORT_QUEUE_FRAMES] =
			    t->q[(t->qhead + i + 1) % TRANSPORT_QUEUE_FRAMES];
		t->qn--;
		t->st.dropped++;
	}
	f = &t->q[(t->qhead + t->qn) % TRANSPORT_QUEUE_FRAMES];
	f->buf = xmalloc(len);
	memcpy(f->buf, buf, len);
	f->len = len;
	t->qn++;
	t->qbytes += len;
	transport_want_write(t);
	return 0;
}

void
transport_get_stats(const struct transport *t, struct transport_stats *st)
{
	*st = t->st;
}

/* `hallqd --list-ports`: what libserialport sees. */
int
transport_list_ports(char *out, size_t outlen)
{
	struct sp_port **ports;
	size_t used = 0;
	int i, n = 0;

	out[0] = '\0';
	if (sp_list_ports(&ports) != SP_OK)
		return -1;
	for (i = 0; ports[i] != NULL; i++, n++) {
		const char *desc = sp_get_port_description(ports[i]);
		int w = snprintf(out + used, outlen - used, "%s\t%s\n",
		    sp_get_port_name(ports[i]), desc ? desc : "");
		if (w < 0 || (size_t)w >= outlen - used)
			break;
		used += (size_t)w;
	}
	sp_free_port_list(ports);
	return n;
}

/* transport.h — how a device's bytes travel: `serial:PATH?baud=N&format=8N1`
 * (libserialport, real ports), `tty:PATH[?baud=N]` (a plain termios fd, for
 * ptys, which libserialport 0.1.1 cannot open) and `tcp:HOST:PORT` (serial
 * device servers, printers on 9100).  Runs on the core's libevent loop,
 * never blocks, keeps its transmit queue bounded and reconnects with backoff
 * after an unplug, an EOF or an error. */
#ifndef HALLQ_TRANSPORT_H
#define HALLQ_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct transport;

enum transport_kind {
	TRANSPORT_SERIAL,
	TRANSPORT_TTY,
	TRANSPORT_TCP,
	TRANSPORT_KIND_MAX
};

/* A parsed transport string. */
struct transport_spec {
	enum transport_kind	 kind;
	char			 path[256];	/* device, or host for tcp */
	int			 port;		/* tcp */
	int			 baud;		/* serial, tty: 0 = leave as is */
	int			 bits;		/* 5..8 */
	char			 parity;	/* 'N', 'E', 'O' */
	int			 stopbits;	/* 1, 2 */
};

struct transport_cb {
	void	(*up)(void *arg);
	void	(*down)(void *arg, const char *why);
	void	(*rx)(void *arg, const uint8_t *buf, size_t len);
};

struct transport_stats {
	int		 up;
	uint64_t	 frames_sent;
	uint64_t	 bytes_sent;
	uint64_t	 bytes_received;
	uint64_t	 dropped;	/* frames dropped from a full queue */
	uint64_t	 errors;
	uint64_t	 reconnects;
};

/* Limits of one device's transmit queue. */
#define TRANSPORT_QUEUE_FRAMES	64
#define TRANSPORT_QUEUE_BYTES	(64 * 1024)
#define TRANSPORT_FRAME_MAX	(16 * 1024)

int		 transport_parse(const char *, struct transport_spec *, char *err,
		     size_t errlen);
struct transport *transport_new(struct event_base *, const struct transport_spec *,
		     const struct transport_cb *, void *arg);
void		 transport_free(struct transport *);
int		 transport_send(struct transport *, const uint8_t *, size_t);
void		 transport_get_stats(const struct transport *,
		     struct transport_stats *);
int		 transport_list_ports(char *out, size_t outlen);

#endif

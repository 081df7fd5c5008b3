/* devices.h — the device manager: wires each configured device's transport
 * (daemon/transport.c), protocol (protocols/, driven through the table of
 * daemon/devproto.c) and role (displays/) together on the core loop.  It
 * learns what to show and print from the committed events, asks the hall for
 * a window's current state, keeps one request in flight per line, counts
 * every error and garbled reply, and says device.up / device.down through
 * the hall's event log.  The appliance's own speaker (voice.player) plays
 * each call.announce here, one at a time. */
#ifndef HALLQ_DEVICES_H
#define HALLQ_DEVICES_H

#include <jansson.h>

struct event_base;
struct config;
struct hall;
struct event;
struct devices;

/* What the core does for the manager, always called from the loop (never
 * from inside a transport callback or devices_events()). */
struct devices_host {
	/* Write an event of its own (device.up, device.down): hall_note().
	 * Takes `o`. */
	void	(*note)(void *arg, const char *type, json_t *o);
	/* Run a command from a window's pad or evaluator (it carries
	 * "device"), in its own transaction; its events are published.
	 * Takes `cmd`; returns the HTTP status. */
	int	(*cmd)(void *arg, json_t *cmd);
	/* Keep a learned remote: hall_learned(). */
	void	(*learned)(void *arg, const char *device, int64_t remote, int window);
};

struct devices	*devices_new(struct event_base *, struct config *, struct hall *,
		     const struct devices_host *, void *arg);
/*
 * A command of `kiosk` (its token) committed `ev`, a ticket.issued, whose
 * own token (for the QR code; no event carries it) is `token`.  If that
 * kiosk has a printer, the printer prints the ticket when the event reaches
 * devices_events().  Returns 1 it will (the printer is ready), 0 it will
 * not (not ready), -1 the kiosk has no printer.
 */
int		 devices_print_expect(struct devices *, const char *kiosk,
		     const struct event *ev, const char *token);
void		 devices_free(struct devices *);
/* Committed events, in order: what displays show, what the speaker says,
 * what the printers print. */
void		 devices_events(struct devices *, const struct event *,
		     size_t);
/* GET /api/devices: {"devices":[...]} with each device's state and counters. */
json_t		*devices_json(void *);

#endif

/* devices.h — the device manager: wires each configured device's transport
 * (daemon/transport.c), protocol (protocols/) and role (displays/) together on
 * the core loop.  It learns what to show from the committed events, asks the
 * hall for a window's current state, keeps one request in flight per line,
 * counts every error and garbled reply, and says device.up / device.down
 * through the hall's event log.  The appliance's own speaker (voice.player)
 * plays each call.announce here, one at a time. */
#ifndef HALLQ_DEVICES_H
#define HALLQ_DEVICES_H

#include <jansson.h>

struct event_base;
struct config;
struct hall;
struct hall_event;
struct devices;

/* How the manager writes an event of its own (device.up, device.down): the
 * core runs it through hall_note() and publishes it.  Takes `o`. */
typedef void (*devices_note_fn)(void *arg, const char *type, json_t *o);

struct devices	*devices_new(struct event_base *, struct config *, struct hall *,
		     devices_note_fn, void *arg);
void		 devices_free(struct devices *);
/* Committed events, in order: what displays show and what the speaker says. */
void		 devices_events(struct devices *, const struct hall_event *,
		     size_t);
/* GET /api/devices: {"devices":[...]} with each device's state and counters. */
json_t		*devices_json(void *);

#endif

/* uplink.h — the hall's events to the city's MQTT broker (web/README.md,
 * "Uplink to the city platform").  Runs on the core's libevent loop; only
 * the connect (name lookup, TCP and TLS start) runs on a short thread of its
 * own, touching the mosquitto handle alone. */
#ifndef HALLQ_UPLINK_H
#define HALLQ_UPLINK_H

#include <stdint.h>

#include <jansson.h>

struct event_base;
struct config;
struct hall;
struct store;
struct uplink;
struct event;

/* What the uplink asks of the core: the day's report, made by the
 * reporter (job from hall_report_job); the answer comes to
 * uplink_daily_done from the reporter's thread. */
struct uplink_host {
	int	(*daily)(void *, json_t *job);
};

struct uplink	*uplink_new(struct event_base *, const struct config *,
		     struct hall *, struct store *, const struct uplink_host *,
		     void *);
/* Publishes "offline" and leaves cleanly (bounded in time). */
void		 uplink_free(struct uplink *);
/* Committed events: more to send (and a day.rollover's report). */
void		 uplink_events(struct uplink *, const struct event *, size_t);
/* The public figures' latest copy (the body of GET /api/public/queue). */
void		 uplink_public(struct uplink *, const char *body, uint64_t tag);
/* Any thread: the day's report is made (takes body; NULL if it failed). */
void		 uplink_daily_done(struct uplink *, char *body);
json_t		*uplink_status(void *);

#endif

/* bench_events.c — the subscriber interface alone: events made (parsed body
 * and text) and handed to a subscriber that does nothing, then handed again
 * already made; and a durable subscriber's cursor moved in the change's
 * transaction on a real SQLite file.  Prints figures, asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "store.h"
#include "util.h"

#define N	200000
#define BATCH	8

static uint64_t delivered;

static void
noop_deliver(void *arg, const struct event *ev, size_t n)
{
	(void)arg;
	(void)ev;
	delivered += n;
}

static int
noop_stage(void *arg, const struct event *ev, size_t n)
{
	(void)arg;
	(void)ev;
	delivered += n;
	return 0;
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(void)
{
	static struct event ev[BATCH];
	const struct event_sub live = { "noop", 0, NULL, noop_deliver };
	const struct event_sub durable = { "noop-durable", 1, noop_stage, NULL };
	char dir[] = "/tmp/hallq-bench-events-XXXXXX", path[256], err[256];
	struct events *bus;
	struct store *st;
	double t0, made, handed, staged;
	int i, k;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/hallq.db", dir);
	if ((st = store_open(path, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	bus = events_new(st);
	events_subscribe(bus, &live, NULL);

	/* Made from the hall's object (text once, fields read once) and handed. */
	t0 = secs();
	for (i = 0; i < N; i += BATCH) {
		for (k = 0; k < BATCH; k++)
			event_make(&ev[k], json_pack("{s:I, s:s, s:I, s:{s:I, s:s, "
			    "s:s, s:s}, s:i}", "seq", (json_int_t)(i + k + 1), "type",
			    "ticket.called", "at", (json_int_t)1700000000000LL, "ticket",
			    "id", (json_int_t)(i + k), "number", "A123", "matter", "SB01",
			    "state", "called", "window", 3));
		events_publish(bus, ev, BATCH);
		event_clear_all(ev, BATCH);
	}
	made = secs() - t0;

	/* Handed only: the interface's own cost. */
	for (k = 0; k < BATCH; k++)
		event_make(&ev[k], json_pack("{s:i, s:s, s:i}", "seq", k + 1, "type",
		    "ticket.done", "at", 0));
	t0 = secs();
	for (i = 0; i < N * 10; i += BATCH)
		events_publish(bus, ev, BATCH);
	handed = secs() - t0;

	/* A durable subscriber with a stage hook: its cursor row in each of
	 * 2,000 transactions (WAL, synchronous=FULL: the commit dominates). */
	events_subscribe(bus, &durable, NULL);
	t0 = secs();
	for (i = 0; i < 2000; i++) {
		store_begin(st);
		ev[0].seq = i + 1;
		events_stage(bus, ev, 1);
		store_commit(st);
	}
	staged = secs() - t0;
	event_clear_all(ev, BATCH);

	printf("events (the subscriber interface)\n");
	printf("  %-62s %.0f events/s\n",
	    "made (body and text) and handed to a no-op subscriber", N / made);
	printf("  %-62s %.0f events/s\n",
	    "handed only, batches of 8, to a no-op subscriber", N * 10 / handed);
	printf("  %-62s %.0f commits/s\n",
	    "a durable cursor moved in each change's transaction", 2000 / staged);
	if (delivered == 0)
		return 1;
	events_free(bus);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof path, "%s/hallq.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/hallq.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

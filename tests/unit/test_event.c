/* test_event.c — typed events and the bus: names, parsing, live delivery,
 * stage hooks in the writer's transaction, and a durable subscriber's replay
 * from its stored cursor after a restart (nothing skipped, nothing twice),
 * on a real SQLite file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "store.h"
#include "t.h"
#include "util.h"

static char dbpath[256];
static char logbuf[8192];

/* What a subscriber saw, in order. */
struct seen {
	int64_t		 seqs[256];
	int		 n;
	int		 in_txn;	/* stage calls made inside a transaction */
	int		 ack;		/* deliver: store its own cursor */
	struct store	*store;
	const char	*name;
};

static void
seen_deliver(void *arg, const struct event *ev, size_t n)
{
	struct seen *s = arg;
	size_t i;

	for (i = 0; i < n && s->n < 256; i++)
		s->seqs[s->n++] = ev[i].seq;
	if (s->ack) {
		/* Done with them: say so in a transaction of its own. */
		if (store_begin(s->store) == 0 &&
		    events_cursor_set(s->store, s->name, ev[n - 1].seq) == 0)
			store_commit(s->store);
	}
}

static int
seen_stage(void *arg, const struct event *ev, size_t n)
{
	struct seen *s = arg;
	size_t i;

	/* A second BEGIN fails inside a transaction: that is where we are. */
	s->in_txn += store_begin(s->store) == -1;
	for (i = 0; i < n && s->n < 256; i++)
		s->seqs[s->n++] = ev[i].seq;
	return 0;
}

/* Append events first..last to the log, in one transaction. */
static void
log_events(struct store *st, int64_t first, int64_t last)
{
	char buf[128];
	int64_t s;

	CHECK_EQ_INT(store_begin(st), 0);
	for (s = first; s <= last; s++) {
		snprintf(buf, sizeof buf, "{\"seq\":%lld,\"type\":\"ticket.issued\","
		    "\"at\":%lld,\"ticket\":{\"id\":%lld,\"number\":\"A%03lld\"},"
		    "\"window\":null}", (long long)s, (long long)s * 1000,
		    (long long)s, (long long)s);
		CHECK_EQ_INT(store_event_put(st, s, s * 1000, "ticket.issued", buf), 0);
	}
	CHECK_EQ_INT(store_commit(st), 0);
}

static int
seqs_are(const struct seen *s, int64_t first, int64_t last)
{
	int64_t v;
	int i = 0;

	for (v = first; v <= last; v++, i++)
		if (i >= s->n || s->seqs[i] != v)
			return 0;
	return i == s->n;
}

static struct store *
open_store(void)
{
	char err[256];
	struct store *st = store_open(dbpath, err, sizeof err);

	if (st == NULL)
		fprintf(stderr, "store_open: %s\n", err);
	return st;
}

static void
test_types(void)
{
	struct event e;
	int i;

	for (i = EVT_UNKNOWN + 1; i < EVT_MAX; i++)
		CHECK_EQ_INT(event_type_parse(event_type_name((enum event_type)i)), i);
	CHECK_EQ_INT(event_type_parse("ticket.exploded"), EVT_UNKNOWN);
	CHECK_EQ_INT(event_type_parse(NULL), EVT_UNKNOWN);
	CHECK(EVT_IS_TICKET(EVT_TICKET_REQUEUED) && !EVT_IS_TICKET(EVT_WINDOW_OPENED));
	CHECK(EVT_IS_WINDOW(EVT_WINDOW_TIERS) && !EVT_IS_WINDOW(EVT_RATING_RECORDED));

	CHECK_EQ_INT(event_parse(&e, 7, "{\"seq\":7,\"type\":\"ticket.called\","
	    "\"at\":99,\"ticket\":{\"id\":12,\"number\":\"B012\"},\"window\":3}"), 0);
	CHECK_EQ_INT(e.type, EVT_TICKET_CALLED);
	CHECK_EQ_INT(e.seq, 7);
	CHECK_EQ_INT(e.at, 99);
	CHECK_EQ_INT(e.window, 3);
	CHECK_EQ_INT(e.ticket, 12);
	CHECK(e.number != NULL && strcmp(e.number, "B012") == 0);
	event_clear(&e);
	/* A window object, a ticket id with its number beside it. */
	CHECK_EQ_INT(event_parse(&e, 8, "{\"type\":\"window.paused\","
	    "\"window\":{\"number\":5,\"state\":\"paused\"}}"), 0);
	CHECK_EQ_INT(e.type, EVT_WINDOW_PAUSED);
	CHECK_EQ_INT(e.window, 5);
	CHECK_EQ_INT(e.ticket, 0);
	event_clear(&e);
	CHECK_EQ_INT(event_parse(&e, 9, "{\"type\":\"call.announce\",\"ticket\":4,"
	    "\"number\":\"A004\",\"window\":2}"), 0);
	CHECK_EQ_INT(e.type, EVT_CALL_ANNOUNCE);
	CHECK_EQ_INT(e.ticket, 4);
	CHECK(strcmp(e.number, "A004") == 0);
	event_clear(&e);
	CHECK_EQ_INT(event_parse(&e, 10, "not json"), -1);
	CHECK_EQ_INT(event_parse(&e, 10, "[1]"), -1);
	/* Made by the hall: the object is taken, the text made once. */
	event_make(&e, json_pack("{s:i, s:s, s:i, s:i}", "seq", 11, "type",
	    "rating.recorded", "at", 5, "ticket", 3));
	CHECK_EQ_INT(e.seq, 11);
	CHECK_EQ_INT(e.type, EVT_RATING_RECORDED);
	CHECK(strstr(e.json, "\"rating.recorded\"") != NULL);
	event_clear(&e);
}

static void
test_live_and_stage(void)
{
	struct store *st = open_store();
	struct events *bus;
	struct seen live = { .n = 0 }, staged = { .n = 0 };
	const struct event_sub lsub = { "live", 0, NULL, seen_deliver };
	const struct event_sub ssub = { "outbox", 1, seen_stage, NULL };
	struct event ev[3];
	int i;

	if (st == NULL) {
		CHECK(0);
		return;
	}
	log_events(st, 1, 3);
	staged.store = st;
	bus = events_new(st);
	events_subscribe(bus, &lsub, &live);
	events_subscribe(bus, &ssub, &staged);
	/* A new durable subscriber starts from the end of the log. */
	CHECK_EQ_INT(events_replay(bus), 0);
	CHECK_EQ_INT(events_cursor_get(st, "outbox"), 3);
	CHECK_EQ_INT(live.n + staged.n, 0);

	/* A change: staged inside its transaction, cursor with it. */
	log_events(st, 4, 6);
	for (i = 0; i < 3; i++)
		CHECK_EQ_INT(event_parse(&ev[i], 4 + i, "{\"type\":\"ticket.done\"}"), 0);
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(events_stage(bus, ev, 3), 0);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(staged.in_txn, 1);
	CHECK(seqs_are(&staged, 4, 6));
	CHECK_EQ_INT(events_cursor_get(st, "outbox"), 6);
	CHECK_EQ_INT(live.n, 0);
	/* Then published, to the live one only. */
	events_publish(bus, ev, 3);
	CHECK(seqs_are(&live, 4, 6));
	CHECK_EQ_INT(staged.n, 3);
	/* A change rolled back takes the cursor back with it. */
	CHECK_EQ_INT(store_begin(st), 0);
	ev[0].seq = 7;
	CHECK_EQ_INT(events_stage(bus, ev, 1), 0);
	store_rollback(st);
	CHECK_EQ_INT(events_cursor_get(st, "outbox"), 6);
	event_clear_all(ev, 3);
	events_free(bus);
	store_close(st);
}

/* Kill -9 between deliveries: the subscriber had acked up to 8 of 12. */
static void
test_durable_replay(void)
{
	struct store *st = open_store();
	struct events *bus;
	struct seen up = { .n = 0 }, out = { .n = 0 };
	const struct event_sub usub = { "uplink", 1, NULL, seen_deliver };
	const struct event_sub osub = { "outbox", 1, seen_stage, NULL };

	if (st == NULL) {
		CHECK(0);
		return;
	}
	/* The log holds 1..6 from the test before; the uplink acked up to 2. */
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(events_cursor_set(st, "uplink", 2), 0);
	CHECK_EQ_INT(store_commit(st), 0);
	log_events(st, 7, 12);
	store_close(st);

	/* Restart: each is handed exactly what it had not handled. */
	st = open_store();
	up.store = out.store = st;
	up.name = "uplink";
	up.ack = 1;
	bus = events_new(st);
	events_subscribe(bus, &usub, &up);
	events_subscribe(bus, &osub, &out);
	CHECK_EQ_INT(events_replay(bus), 10 + 6);
	CHECK(seqs_are(&up, 3, 12));
	CHECK(seqs_are(&out, 7, 12));
	CHECK_EQ_INT(events_cursor_get(st, "uplink"), 12);
	CHECK_EQ_INT(events_cursor_get(st, "outbox"), 12);
	events_free(bus);
	store_close(st);

	/* Restart again: nothing twice. */
	st = open_store();
	up.n = out.n = 0;
	up.store = out.store = st;
	bus = events_new(st);
	events_subscribe(bus, &usub, &up);
	events_subscribe(bus, &osub, &out);
	CHECK_EQ_INT(events_replay(bus), 0);
	CHECK_EQ_INT(up.n + out.n, 0);
	/* More while it was down: those, in order, across replay pages. */
	log_events(st, 13, 1200);
	events_free(bus);
	store_close(st);
	st = open_store();
	up.n = out.n = 0;
	up.store = out.store = st;
	bus = events_new(st);
	events_subscribe(bus, &usub, &up);
	CHECK_EQ_INT(events_replay(bus), 1188);
	CHECK_EQ_INT(up.n, 256);	/* what seen keeps */
	CHECK_EQ_INT(up.seqs[0], 13);
	CHECK_EQ_INT(up.seqs[255], 13 + 255);
	CHECK_EQ_INT(events_cursor_get(st, "uplink"), 1200);
	events_free(bus);
	store_close(st);
}

int
main(void)
{
	char dir[] = "/tmp/hallq-test-event-XXXXXX";

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dbpath, sizeof dbpath, "%s/hallq.db", dir);
	/* The log lines these tests provoke, checked rather than printed. */
	log_capture(logbuf, sizeof logbuf);
	test_types();
	test_live_and_stage();
	test_durable_replay();
	log_capture(NULL, 0);
	CHECK_LOG(logbuf, "cannot start a transaction within a transaction");
	CHECK_LOG(logbuf, "events: uplink caught up 10 events from the log");
	CHECK_LOG(logbuf, "events: outbox caught up 6 events from the log");
	CHECK_LOG(logbuf, "events: uplink caught up 1188 events from the log");
	unlink(dbpath);
	snprintf(dbpath, sizeof dbpath, "%s/hallq.db-wal", dir);
	unlink(dbpath);
	snprintf(dbpath, sizeof dbpath, "%s/hallq.db-shm", dir);
	unlink(dbpath);
	rmdir(dir);
	return t_done("event");
}

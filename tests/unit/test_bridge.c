/* test_bridge.c — the queues and the event ring between the threads: a full
 * command queue refuses, a command is taken only when its reply has room,
 * the ring answers 1/0/-1 as it fills and overwrites, and nothing leaks at
 * free.  Links bridge.c and util.c only. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bridge.h"
#include "hall.h"
#include "t.h"

static json_t *
msg(int n)
{
	return json_pack("{s:s, s:i}", "op", "call-next", "n", n);
}

static int
msg_n(const json_t *m)
{
	return (int)json_integer_value(json_object_get(m, "n"));
}

static void
test_commands(void)
{
	struct bridge *b = bridge_new(4, 64);
	struct bridge_cmd c;
	struct bridge_reply r;
	json_t *extra;
	int i;

	CHECK_EQ_INT(bridge_cmd_pop(b, &c), -1);
	for (i = 0; i < 4; i++)
		CHECK_EQ_INT(bridge_cmd_push(b, 100 + i, msg(i)), 0);
	/* Full: refused, and the message stays the caller's. */
	extra = msg(99);
	CHECK_EQ_INT(bridge_cmd_push(b, 200, extra), -1);
	CHECK_EQ_INT(extra->refcount, 1);
	/* FIFO. */
	for (i = 0; i < 4; i++) {
		CHECK_EQ_INT(bridge_cmd_pop(b, &c), 0);
		CHECK_EQ_INT(c.conn, 100 + i);
		CHECK_EQ_INT(msg_n(c.msg), i);
		json_decref(c.msg);
	}
	/* Four commands taken, no reply yet: the command queue has room again
	 * but nothing more is taken until a reply has room. */
	for (i = 0; i < 4; i++)
		CHECK_EQ_INT(bridge_cmd_push(b, 300 + i, msg(10 + i)), 0);
	CHECK_EQ_INT(bridge_cmd_push(b, 200, extra), -1);
	CHECK_EQ_INT(bridge_cmd_pop(b, &c), -1);
	/* One reply out: still no room (it sits in the reply queue). */
	memset(&r, 0, sizeof r);
	r.conn = 100;
	r.status = 200;
	r.body = strdup("{\"ok\":true}");
	bridge_reply_push(b, &r);
	CHECK(r.body == NULL);		/* ownership moved */
	CHECK_EQ_INT(bridge_cmd_pop(b, &c), -1);
	/* The web thread takes the reply: one command may go. */
	CHECK_EQ_INT(bridge_reply_pop(b, &r), 0);
	CHECK_EQ_INT(r.conn, 100);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strcmp(r.body, "{\"ok\":true}") == 0);
	bridge_reply_clear(&r);
	CHECK(r.body == NULL);
	CHECK_EQ_INT(bridge_reply_pop(b, &r), -1);
	CHECK_EQ_INT(bridge_cmd_pop(b, &c), 0);
	CHECK_EQ_INT(c.conn, 300);
	CHECK_EQ_INT(msg_n(c.msg), 10);
	json_decref(c.msg);
	CHECK_EQ_INT(bridge_cmd_pop(b, &c), -1);
	/* Replies keep their order and carry "events" items. */
	for (i = 0; i < 4; i++) {
		memset(&r, 0, sizeof r);
		r.conn = 400 + i;
		r.status = 201 + i;
		if (i == 2) {
			r.items = calloc(2, sizeof *r.items);
			r.items[0].seq = 7;
			r.items[0].json = strdup("{\"seq\":7}");
			r.items[1].seq = 8;
			r.items[1].json = strdup("{\"seq\":8}");
			r.nitems = 2;
		}
		bridge_reply_push(b, &r);
	}
	for (i = 0; i < 4; i++) {
		CHECK_EQ_INT(bridge_reply_pop(b, &r), 0);
		CHECK_EQ_INT(r.conn, 400 + i);
		CHECK_EQ_INT(r.status, 201 + i);
		CHECK_EQ_INT(r.nitems, i == 2 ? 2 : 0);
		if (i == 2)
			CHECK_EQ_INT(r.items[1].seq, 8);
		bridge_reply_clear(&r);
	}
	/* Three commands still queued are freed with the bridge. */
	json_decref(extra);
	bridge_free(b);
	bridge_free(NULL);
}

/*
 * Freeing a bridge releases every queued command, even those the reply
 * reservation would not let a consumer take (the core stopped mid-way).
 */
static void
test_free_releases(void)
{
	struct bridge *b = bridge_new(2, 64);
	struct bridge_cmd c;
	struct bridge_reply r;
	json_t *m1 = msg(1), *m2 = msg(2), *m3 = msg(3);

	json_incref(m1);
	json_incref(m2);
	json_incref(m3);
	CHECK_EQ_INT(bridge_cmd_push(b, 1, m1), 0);
	CHECK_EQ_INT(bridge_cmd_push(b, 2, m2), 0);
	CHECK_EQ_INT(bridge_cmd_pop(b, &c), 0);		/* m1 taken: reserved */
	json_decref(c.msg);
	CHECK_EQ_INT(bridge_cmd_push(b, 3, m3), 0);
	/* A reply waiting for the web thread, and one command being worked. */
	memset(&r, 0, sizeof r);
	r.body = strdup("{}");
	bridge_reply_push(b, &r);
	CHECK_EQ_INT(bridge_cmd_pop(b, &c), 0);		/* m2 taken */
	json_decref(c.msg);
	CHECK_EQ_INT(bridge_cmd_pop(b, &c), -1);		/* m3 cannot be */
	CHECK_EQ_INT(m3->refcount, 2);
	bridge_free(b);
	CHECK_EQ_INT(m1->refcount, 1);
	CHECK_EQ_INT(m2->refcount, 1);
	CHECK_EQ_INT(m3->refcount, 1);
	json_decref(m1);
	json_decref(m2);
	json_decref(m3);
}

static void
push_events(struct bridge *b, int64_t from, int64_t to)
{
	struct hall_event ev;
	char buf[32];
	int64_t s;

	for (s = from; s <= to; s++) {
		snprintf(buf, sizeof buf, "{\"seq\":%lld}", (long long)s);
		ev.seq = s;
		ev.json = buf;
		bridge_events_push(b, &ev, 1);
	}
}

static int
get(struct bridge *b, int64_t seq, char *out, size_t outlen)
{
	char *json = NULL;
	size_t len = 0;
	int rc = bridge_event_get(b, seq, &json, &len);

	out[0] = '\0';
	if (rc == 1) {
		snprintf(out, outlen, "%s", json);
		CHECK_EQ_INT(len, strlen(json));
		free(json);
	} else
		CHECK(json == NULL);
	return rc;
}

static void
test_ring(void)
{
	struct bridge *b = bridge_new(4, 8);
	char buf[64], want[64];
	int64_t s;
	int bad = 0;

	/* Empty, starting after the log's last seq (100). */
	CHECK_EQ_INT(bridge_next_seq(b), 1);
	bridge_events_start(b, 100);
	CHECK_EQ_INT(bridge_next_seq(b), 101);
	CHECK_EQ_INT(get(b, 101, buf, sizeof buf), 0);	/* not yet */
	CHECK_EQ_INT(get(b, 100, buf, sizeof buf), -1);	/* before the ring */
	CHECK_EQ_INT(get(b, 1, buf, sizeof buf), -1);
	/* Fill it exactly. */
	push_events(b, 101, 108);
	CHECK_EQ_INT(bridge_next_seq(b), 109);
	CHECK_EQ_INT(get(b, 101, buf, sizeof buf), 1);
	CHECK(strcmp(buf, "{\"seq\":101}") == 0);
	CHECK_EQ_INT(get(b, 108, buf, sizeof buf), 1);
	CHECK(strcmp(buf, "{\"seq\":108}") == 0);
	CHECK_EQ_INT(get(b, 109, buf, sizeof buf), 0);
	/* One more overwrites the oldest. */
	push_events(b, 109, 109);
	CHECK_EQ_INT(get(b, 101, buf, sizeof buf), -1);
	CHECK_EQ_INT(get(b, 102, buf, sizeof buf), 1);
	CHECK(strcmp(buf, "{\"seq\":102}") == 0);
	CHECK_EQ_INT(get(b, 109, buf, sizeof buf), 1);
	CHECK(strcmp(buf, "{\"seq\":109}") == 0);
	/* Many laps: exactly the last 8 are there, each with its own text. */
	push_events(b, 110, 1000);
	for (s = 1; s <= 1001; s++) {
		int rc = get(b, s, buf, sizeof buf);
		int want_rc = s > 1000 ? 0 : s >= 993 ? 1 : -1;
		snprintf(want, sizeof want, "{\"seq\":%lld}", (long long)s);
		if (rc != want_rc || (rc == 1 && strcmp(buf, want) != 0))
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(bridge_next_seq(b), 1001);
	/* Several at once. */
	{
		struct hall_event ev[3] = {
			{ 1001, "{\"a\":1}" }, { 1002, "{\"a\":2}" }, { 1003, "{\"a\":3}" }
		};
		bridge_events_push(b, ev, 3);
		CHECK_EQ_INT(get(b, 1002, buf, sizeof buf), 1);
		CHECK(strcmp(buf, "{\"a\":2}") == 0);
		CHECK_EQ_INT(get(b, 995, buf, sizeof buf), -1);
		CHECK_EQ_INT(get(b, 996, buf, sizeof buf), 1);
	}
	bridge_free(b);
}

/* Two threads through the command queue and one back through replies:
 * every command arrives once, in order, and every reply comes back. */
enum { NCMDS = 5000 };

struct run {
	struct bridge	*b;
	int		 produced, refused;
};

static void *
producer(void *arg)
{
	struct run *r = arg;
	long spins = 0;

	while (r->produced < NCMDS && spins < 100000000L) {
		json_t *m = msg(r->produced);
		if (bridge_cmd_push(r->b, (uint64_t)r->produced, m) == 0)
			r->produced++;
		else {
			json_decref(m);
			r->refused++;
			spins++;
			sched_yield();
		}
	}
	return NULL;
}

static void *
core(void *arg)
{
	struct run *r = arg;
	struct bridge_cmd c;
	int taken = 0, out_of_order = 0;
	long spins = 0;

	while (taken < NCMDS && spins < 100000000L) {
		struct bridge_reply rep;
		if (bridge_cmd_pop(r->b, &c) == -1) {
			spins++;
			sched_yield();
			continue;
		}
		if (msg_n(c.msg) != taken || c.conn != (uint64_t)taken)
			out_of_order++;
		json_decref(c.msg);
		memset(&rep, 0, sizeof rep);
		rep.conn = (uint64_t)taken;
		rep.status = 200;
		bridge_reply_push(r->b, &rep);
		taken++;
	}
	return (void *)(long)(out_of_order + (NCMDS - taken));
}

static void
test_threads(void)
{
	struct run r = { bridge_new(16, 64), 0, 0 };
	pthread_t tp, tc;
	struct bridge_reply rep;
	void *core_bad;
	int got = 0, order = 0;
	long spins = 0;

	pthread_create(&tp, NULL, producer, &r);
	pthread_create(&tc, NULL, core, &r);
	while (got < NCMDS && spins < 100000000L) {
		if (bridge_reply_pop(r.b, &rep) == 0) {
			if (rep.conn != (uint64_t)got)
				order++;
			got++;
		} else {
			spins++;
			sched_yield();
		}
	}
	pthread_join(tp, NULL);
	pthread_join(tc, &core_bad);
	CHECK_EQ_INT(r.produced, NCMDS);
	CHECK_EQ_INT((long)core_bad, 0);
	CHECK_EQ_INT(got, NCMDS);
	CHECK_EQ_INT(order, 0);
	bridge_free(r.b);
}

int
main(void)
{
	test_commands();
	test_free_releases();
	test_ring();
	test_threads();
	return t_done("bridge");
}

/* test_hall.c — the hall state machine through hall_exec()/hall_tick() with a
 * real SQLite file: numbering per prefix and day, rollover, restart, every
 * ticket transition (legal and illegal), holds, no-show grace, transfers,
 * tokens bound to windows, and the 4xx answers.  Time is an argument: the
 * test walks the clock itself, in the Asia/Shanghai zone. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "config.h"
#include "hall.h"
#include "hall_int.h"	/* ticket_moves[]: the table the commands obey */
#include "store.h"
#include "t.h"
#include "util.h"

#define S	1000LL
#define MIN	(60 * S)
#define HOUR	(3600 * S)
#define DAY	(24 * HOUR)

static const char conf_text[] =
"{\n"
"  \"hall\": {\"name\": \"测试大厅\", \"timezone\": \"Asia/Shanghai\", \"number_width\": 3,\n"
"           \"no_show_grace_s\": 600},\n"
"  \"listen\": \"127.0.0.1:1\",\n"
"  \"database\": \"unused.db\",\n"
"  \"tokens\": {\"kiosk\": [\"k1\"], \"clerk\": {\"c1\": [1], \"c2\": [2], \"c-all\": \"*\"},\n"
"             \"manager\": [\"m1\"], \"display\": [\"d1\"]},\n"
"  \"classes\": {\"green\": {\"head_start_s\": 900}, \"appointment\": {\"head_start_s\": 600},\n"
"              \"normal\": {\"head_start_s\": 0}},\n"
"  \"domains\": {\"SB\": \"社会保险\", \"YB\": \"医疗保障\"},\n"
"  \"matters\": [\n"
"    {\"code\": \"SB01\", \"name\": \"参保\", \"domain\": \"SB\", \"prefix\": \"A\", \"service_s\": 600},\n"
"    {\"code\": \"SB02\", \"name\": \"待遇\", \"domain\": \"SB\", \"prefix\": \"A\", \"service_s\": 600},\n"
"    {\"code\": \"YB01\", \"name\": \"医保\", \"domain\": \"YB\", \"prefix\": \"B\", \"service_s\": 300}\n"
"  ],\n"
"  \"windows\": [\n"
"    {\"number\": 1, \"state\": \"open\", \"tiers\": [[\"SB01\", \"SB02\"], [\"YB01\"]], \"overflow_s\": [0, 600]},\n"
"    {\"number\": 2, \"state\": \"open\", \"tiers\": [[\"YB01\"]]},\n"
"    {\"number\": 3, \"state\": \"open\", \"tiers\": [[\"SB01\", \"SB02\", \"YB01\"]]},\n"
"    {\"number\": 4, \"tiers\": [[\"SB01\"]]}\n"
"  ]\n"
"}\n";

static char dir[64];
static char dbpath[128];
static char logbuf[8192];	/* the log lines a test provokes */
static struct config *conf;
static struct store *store;
static struct hall *H;
static int64_t NOW;		/* the clock every command runs at */
static int64_t D1;		/* 2026-11-23 09:00 Asia/Shanghai */

static json_t *LAST;		/* last reply body, NULL for 204 */
static char EV[64][40];		/* types of the last command's events */
static json_t *EVJ[64];		/* the events themselves */
static int NEV;
static int64_t SEQ;		/* last event seq seen: they must follow on */
static int seq_breaks;

static void
clear_events(void)
{
	int i;

	for (i = 0; i < NEV; i++)
		json_decref(EVJ[i]);
	NEV = 0;
}

static void
take_result(struct hall_result *r)
{
	size_t i;

	json_decref(LAST);
	LAST = NULL;
	if (r->body != NULL) {
		LAST = json_loads(r->body, 0, NULL);
		CHECK(LAST != NULL);
	}
	clear_events();
	for (i = 0; i < r->nevents && i < 64; i++) {
		json_t *e = json_loads(r->events[i].json, 0, NULL);
		snprintf(EV[NEV], sizeof EV[0], "%s",
		    json_string_value(json_object_get(e, "type")));
		if (r->events[i].seq != SEQ + 1 ||
		    json_integer_value(json_object_get(e, "seq")) != r->events[i].seq) {
			fprintf(stderr, "  event seq %lld after %lld\n",
			    (long long)r->events[i].seq, (long long)SEQ);
			seq_breaks++;
		}
		SEQ = r->events[i].seq;
		EVJ[NEV++] = e;
	}
	hall_result_clear(r);
}

/* Run one command (JSON text, printf-style) at NOW; the HTTP status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	char buf[2048];
	struct hall_result r;
	json_error_t jerr;
	json_t *cmd;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if ((cmd = json_loads(buf, 0, &jerr)) == NULL) {
		fprintf(stderr, "test bug: bad command %s: %s\n", buf, jerr.text);
		abort();
	}
	hall_exec(H, cmd, NOW, &r);
	json_decref(cmd);
	{
		int status = r.status;
		take_result(&r);
		return status;
	}
}

static void
tick(int64_t at)
{
	struct hall_result r;

	hall_tick(H, at, &r);
	take_result(&r);
}

/* The last reply's ticket members. */
static json_t *
tkt(void)
{
	return json_object_get(LAST, "ticket");
}

static const char *
tstr(const char *key)
{
	const char *s = json_string_value(json_object_get(tkt(), key));

	return s ? s : "";
}

static long long
tint(const char *key)
{
	json_t *v = json_object_get(tkt(), key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static const char *
ecode(void)
{
	const char *s = json_string_value(json_object_get(
	    json_object_get(LAST, "error"), "code"));

	return s ? s : "";
}

#define CHECK_STR(a, b) do {						\
	const char *t_sa_ = (a), *t_sb_ = (b);				\
	if (strcmp(t_sa_, t_sb_) == 0)					\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "%s:%d: FAILED: %s == \"%s\" (got \"%s\")\n", \
		    __FILE__, __LINE__, #a, t_sb_, t_sa_);		\
	}								\
} while (0)

/* Status and error code of a command in one check. */
#define CHECK_ERR(status, code, call) do {				\
	int t_st_ = (call);						\
	CHECK_EQ_INT(t_st_, status);					\
	CHECK_STR(ecode(), code);					\
} while (0)

/* Issue a ticket; its id, or -1.  NOW moves one second on afterwards so
 * arrivals are distinct. */
static long long
issue(const char *matter, const char *extra)
{
	long long id = -1;

	if (run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"%s\"%s}}",
	    matter, extra ? extra : "") == 201)
		id = tint("id");
	NOW += S;
	return id;
}

/* A window command with the all-windows clerk token. */
static int
win(int n, const char *op)
{
	return run("{\"op\":\"%s\",\"token\":\"c-all\",\"window\":%d}", op, n);
}

static int
win_body(int n, const char *op, const char *body)
{
	return run("{\"op\":\"%s\",\"token\":\"c-all\",\"window\":%d,\"body\":%s}",
	    op, n, body);
}

static int
call_ticket(int n, long long id)
{
	return run("{\"op\":\"call\",\"token\":\"c-all\",\"window\":%d,"
	    "\"body\":{\"ticket\":%lld}}", n, id);
}

static int
get_ticket(long long id)
{
	return run("{\"op\":\"ticket\",\"token\":\"d1\",\"ticket\":%lld}", id);
}

static const char *
state_of(long long id)
{
	static char buf[32];

	if (get_ticket(id) != 200)
		return "(none)";
	snprintf(buf, sizeof buf, "%s", tstr("state"));
	return buf;
}

/* A matter's load from the snapshot. */
static long long
load_of(const char *code, const char *key)
{
	json_t *ms, *m;
	size_t i;

	if (run("{\"op\":\"hall\",\"token\":\"d1\"}") != 200)
		return -2;
	ms = json_object_get(LAST, "matters");
	json_array_foreach(ms, i, m)
		if (strcmp(json_string_value(json_object_get(m, "code")), code) == 0)
			return json_integer_value(json_object_get(m, key));
	return -3;
}

static json_t *
window_of(int n)
{
	if (run("{\"op\":\"window\",\"token\":\"d1\",\"window\":%d}", n) != 200)
		return NULL;
	return json_object_get(LAST, "window");
}

static int
has_event(const char *type)
{
	int i;

	for (i = 0; i < NEV; i++)
		if (strcmp(EV[i], type) == 0)
			return 1;
	return 0;
}

static void
open_hall_with(const char *name, const char *text)
{
	char err[512] = "";

	snprintf(dbpath, sizeof dbpath, "%s/%s", dir, name);
	conf = config_parse("t.json", text, err, sizeof err);
	if (conf == NULL) {
		fprintf(stderr, "config: %s\n", err);
		abort();
	}
	store = store_open(dbpath, err, sizeof err);
	if (store == NULL) {
		fprintf(stderr, "store: %s\n", err);
		abort();
	}
	H = hall_new(conf, store, NOW, err, sizeof err);
	if (H == NULL) {
		fprintf(stderr, "hall: %s\n", err);
		abort();
	}
	SEQ = hall_seq(H);
}

static void
open_hall(const char *name)
{
	NOW = D1;
	open_hall_with(name, conf_text);
	CHECK_EQ_INT(SEQ, 0);
}

static void
close_hall(void)
{
	hall_free(H);
	store_close(store);
	config_free(conf);
	H = NULL;
	store = NULL;
	conf = NULL;
}

/* Close and open again on the same file, as a restart would. */
static void
restart_hall(void)
{
	char err[512] = "";
	int64_t seq = SEQ;

	close_hall();
	conf = config_parse("t.json", conf_text, err, sizeof err);
	store = store_open(dbpath, err, sizeof err);
	CHECK(store != NULL);
	H = hall_new(conf, store, NOW, err, sizeof err);
	CHECK(H != NULL);
	if (H == NULL) {
		fprintf(stderr, "hall after restart: %s\n", err);
		abort();
	}
	CHECK_EQ_INT(hall_seq(H), seq);
}

static int
raw_exec(const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, 2000);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* A booked slot as a booking will store it (only a booking sets slot_start,
 * never a kiosk): the row gets the slot and its virtual arrival
 * max(issue, slot), and the hall reloads it as a restart would. */
static void
book_slot(long long id, int64_t slot)
{
	char sql[256];

	snprintf(sql, sizeof sql, "UPDATE tickets SET slot_start = %lld, "
	    "arrival = MAX(issued_at, %lld) WHERE id = %lld", (long long)slot,
	    (long long)slot, id);
	CHECK_EQ_INT(raw_exec(sql), 0);
	restart_hall();
}

/* ------------------------------------------------------------------ tests */

static void
test_numbering(void)
{
	long long a1, a2, b1, a3;

	open_hall("numbering.db");
	CHECK_STR(hall_day(H), "2026-11-23");
	a1 = issue("SB01", NULL);
	CHECK_EQ_INT(a1, 1);
	CHECK_STR(tstr("number"), "A001");
	CHECK_STR(tstr("state"), "waiting");
	CHECK_STR(tstr("class"), "normal");
	CHECK_STR(tstr("channel"), "kiosk");
	CHECK_STR(tstr("business_day"), "2026-11-23");
	CHECK(json_is_null(json_object_get(tkt(), "window")));
	CHECK_EQ_INT(tint("issued_at"), D1);
	CHECK_EQ_INT(tint("ahead"), 0);
	CHECK_EQ_INT(tint("eta_s"), 0);
	CHECK_EQ_INT(NEV, 1);
	CHECK_STR(EV[0], "ticket.issued");
	CHECK_EQ_INT(SEQ, 1);
	a2 = issue("SB02", NULL);
	CHECK_STR(tstr("number"), "A002");	/* same prefix, one counter */
	b1 = issue("YB01", ",\"class\":\"green\",\"channel\":\"reception\"");
	CHECK_STR(tstr("number"), "B001");	/* its own counter */
	CHECK_STR(tstr("class"), "green");
	CHECK_STR(tstr("channel"), "reception");
	a3 = issue("SB01", ",\"phone\":\"13812345678\",\"id_number\":\"11010119900307123X\"");
	CHECK_STR(tstr("number"), "A003");
	/* One SB01 ahead, 600 s each, two open windows serve SB01 (1 and 3). */
	CHECK_EQ_INT(tint("ahead"), 1);
	CHECK_EQ_INT(tint("eta_s"), 300);
	/* Personal data never in full. */
	CHECK_STR(tstr("phone"), "138****5678");
	CHECK_STR(tstr("id_number"), "110***********123X");
	CHECK(a1 > 0 && a2 > a1 && b1 > a2 && a3 > b1);
	CHECK_EQ_INT(SEQ, 4);
	/* Matter load. */
	CHECK_EQ_INT(load_of("SB01", "waiting"), 2);
	CHECK_EQ_INT(load_of("SB02", "waiting"), 1);
	CHECK_EQ_INT(load_of("YB01", "waiting"), 1);
	CHECK_EQ_INT(load_of("SB01", "open_windows"), 2);
	CHECK_EQ_INT(load_of("YB01", "open_windows"), 3);
	CHECK_EQ_INT(load_of("SB01", "eta_s"), 600);
	CHECK_EQ_INT(load_of("SB01", "oldest_wait_s"), 4);	/* NOW = D1 + 4 s */
	CHECK_EQ_INT(load_of("YB01", "service_s"), 300);
	/* Status. */
	CHECK_EQ_INT(run("{\"op\":\"status\"}"), 200);
	CHECK_EQ_INT(json_integer_value(json_object_get(LAST, "seq")), 4);
	CHECK_STR(json_string_value(json_object_get(LAST, "business_day")), "2026-11-23");
	CHECK(json_is_true(json_object_get(LAST, "ok")));
	close_hall();

	/* The width comes from the config. */
	{
		const char *at = strstr(conf_text, "\"number_width\": 3");
		char *text = strdup(conf_text);
		text[at - conf_text + strlen("\"number_width\": ")] = '5';
		NOW = D1;
		open_hall_with("width.db", text);
		issue("YB01", NULL);
		CHECK_STR(tstr("number"), "B00001");
		issue("YB01", NULL);
		CHECK_STR(tstr("number"), "B00002");
		close_hall();
		free(text);
	}
}

/* waiting → called → serving → done, and what may not happen on the way. */
static void
test_life(void)
{
	long long a1, a2, a3;

	open_hall("life.db");
	a1 = issue("SB01", NULL);
	a2 = issue("SB01", NULL);
	a3 = issue("SB02", NULL);

	/* Nothing current yet. */
	CHECK_ERR(409, "no_current_ticket", win(1, "start"));
	CHECK_ERR(409, "no_current_ticket", win(1, "finish"));
	CHECK_ERR(409, "no_current_ticket", win(1, "recall"));
	CHECK_ERR(409, "no_current_ticket", win(1, "no-show"));
	CHECK_ERR(409, "no_current_ticket", win(1, "hold"));

	NOW += 10 * S;
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a1);
	CHECK_STR(tstr("state"), "called");
	CHECK_EQ_INT(tint("window"), 1);
	CHECK_EQ_INT(tint("called_at"), NOW);
	CHECK(has_event("ticket.called"));
	CHECK_EQ_INT(json_integer_value(json_object_get(EVJ[0], "window")), 1);
	CHECK_ERR(409, "window_busy", win(1, "call-next"));
	CHECK_ERR(409, "window_busy", call_ticket(1, a2));
	/* called: may not be cancelled, may be recalled. */
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", a1));
	CHECK_EQ_INT(win(1, "recall"), 200);
	CHECK_EQ_INT(tint("recalls"), 1);
	CHECK(has_event("ticket.recalled"));
	/* A called ticket cannot be called again elsewhere. */
	CHECK_ERR(409, "illegal_transition", call_ticket(3, a1));

	NOW += 30 * S;
	CHECK_EQ_INT(win(1, "start"), 200);
	CHECK_STR(tstr("state"), "serving");
	CHECK_EQ_INT(tint("serving_at"), NOW);
	CHECK(has_event("ticket.serving"));
	/* serving: no recall, no start, no no-show. */
	CHECK_ERR(409, "illegal_transition", win(1, "recall"));
	CHECK_ERR(409, "illegal_transition", win(1, "start"));
	CHECK_ERR(409, "illegal_transition", win(1, "no-show"));
	CHECK_ERR(400, "bad_request", win_body(1, "finish", "{\"outcome\":\"great\"}"));

	NOW += 100 * S;
	CHECK_EQ_INT(win_body(1, "finish", "{\"outcome\":\"done\"}"), 200);
	CHECK_STR(tstr("state"), "done");
	CHECK_EQ_INT(tint("ended_at"), NOW);
	CHECK(has_event("ticket.done"));
	/* Learned: called→ended 130 s; EWMA (600*4 + 130) / 5 = 506 s. */
	CHECK_EQ_INT(load_of("SB01", "service_s"), 506);
	/* done: nothing more. */
	CHECK_ERR(409, "illegal_transition", call_ticket(1, a1));
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", a1));
	CHECK_ERR(409, "no_current_ticket", win(1, "finish"));

	/* called → done directly (finish without start) is allowed. */
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a2);
	CHECK_EQ_INT(win(1, "finish"), 200);
	CHECK_STR(tstr("state"), "done");

	/* waiting → cancelled (kiosk), then it is gone from the queue. */
	CHECK_ERR(403, "forbidden",
	    run("{\"op\":\"cancel\",\"token\":\"c-all\",\"ticket\":%lld}", a3));
	CHECK_EQ_INT(run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", a3), 200);
	CHECK_STR(tstr("state"), "cancelled");
	CHECK(has_event("ticket.cancelled"));
	CHECK_ERR(409, "illegal_transition", call_ticket(1, a3));
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", a3));
	CHECK_EQ_INT(load_of("SB02", "waiting"), 0);
	/* Nothing waiting: 204 without a body, no event. */
	CHECK_EQ_INT(win(1, "call-next"), 204);
	CHECK(LAST == NULL);
	CHECK_EQ_INT(NEV, 0);
	close_hall();
}

static void
test_call_specific(void)
{
	long long a1, a2, b1;

	open_hall("call.db");
	a1 = issue("SB01", NULL);
	a2 = issue("SB01", NULL);
	b1 = issue("YB01", NULL);
	/* Call one ticket out of order. */
	CHECK_EQ_INT(call_ticket(1, a2), 200);
	CHECK_EQ_INT(tint("id"), a2);
	CHECK_EQ_INT(win(1, "finish"), 200);
	/* Window 2 serves YB01 only. */
	CHECK_ERR(409, "not_for_this_window", call_ticket(2, a1));
	CHECK_EQ_INT(call_ticket(2, b1), 200);
	CHECK_ERR(404, "unknown_ticket", call_ticket(3, 999));
	CHECK_ERR(400, "bad_request", win_body(3, "call", "{\"ticket\":\"A001\"}"));
	CHECK_ERR(400, "bad_request", win_body(3, "call", "{}"));
	CHECK_ERR(404, "unknown_ticket", get_ticket(999));
	CHECK_EQ_INT(get_ticket(a1), 200);
	CHECK_STR(tstr("state"), "waiting");
	close_hall();
}

static void
test_hold(void)
{
	long long a1, a2, a3;
	json_t *w;

	open_hall("hold.db");
	a1 = issue("SB01", NULL);
	a2 = issue("SB01", NULL);
	a3 = issue("SB01", NULL);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(win(1, "start"), 200);
	CHECK_EQ_INT(win(1, "hold"), 200);
	CHECK_STR(tstr("state"), "held");
	CHECK_EQ_INT(tint("window"), 1);
	CHECK(has_event("ticket.held"));
	w = window_of(1);
	CHECK(w != NULL && json_is_null(json_object_get(w, "ticket")));
	CHECK(w != NULL && json_array_size(json_object_get(w, "held")) == 1 &&
	    json_integer_value(json_array_get(json_object_get(w, "held"), 0)) == a1);
	/* The window is free for the next one; the held ticket is not queued. */
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a2);
	/* Held: only the window that holds it calls it back. */
	CHECK_ERR(409, "held_by_other_window", call_ticket(3, a1));
	CHECK_ERR(409, "window_busy", call_ticket(1, a1));
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", a1));
	CHECK_EQ_INT(win(1, "finish"), 200);
	NOW += 5 * MIN;
	CHECK_EQ_INT(call_ticket(1, a1), 200);
	CHECK_STR(tstr("state"), "called");
	CHECK_EQ_INT(tint("called_at"), NOW);
	w = window_of(1);
	CHECK(w != NULL && json_array_size(json_object_get(w, "held")) == 0);
	/* A held ticket may be held again (called → held). */
	CHECK_EQ_INT(win(1, "hold"), 200);
	CHECK_EQ_INT(call_ticket(1, a1), 200);
	CHECK_EQ_INT(win(1, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a3);
	close_hall();
}

static void
test_no_show(void)
{
	long long a1, a2;
	int64_t at;

	open_hall("noshow.db");
	a1 = issue("SB01", NULL);
	a2 = issue("SB01", NULL);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	at = NOW;
	CHECK_EQ_INT(win(1, "no-show"), 200);
	CHECK_STR(tstr("state"), "no_show");
	CHECK(has_event("ticket.no_show"));
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", a1));
	/* Within the grace period: not by a window that does not serve it
	 * (window 2 is 医保 only), but by the window that missed it. */
	NOW = at + 600 * S;
	CHECK_ERR(409, "not_for_this_window", call_ticket(2, a1));
	CHECK_EQ_INT(call_ticket(1, a1), 200);
	CHECK_STR(tstr("state"), "called");
	CHECK_EQ_INT(win(1, "no-show"), 200);
	at = NOW;
	/* One ms past the grace period: too late. */
	NOW = at + 600 * S + 1;
	CHECK_ERR(409, "grace_expired", call_ticket(1, a1));
	CHECK_STR(state_of(a1), "no_show");
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a2);
	close_hall();
}

static void
test_transfer(void)
{
	long long x, y, z, q, r;
	json_t *ev;

	open_hall("transfer.db");
	x = issue("SB01", NULL);		/* D1 */
	y = issue("YB01", NULL);		/* D1 + 1 s */
	z = issue("SB01", NULL);		/* D1 + 2 s */
	q = issue("YB01", NULL);		/* D1 + 3 s */
	NOW += 10 * MIN;

	/* Transfer to a matter keeps the arrival: x, now YB01, goes before y
	 * and q, which arrived after it. */
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), x);
	CHECK_EQ_INT(win(1, "start"), 200);
	CHECK_ERR(400, "bad_request", win_body(1, "transfer", "{}"));
	CHECK_ERR(400, "bad_request",
	    win_body(1, "transfer", "{\"matter\":\"YB01\",\"window\":2}"));
	CHECK_ERR(404, "unknown_matter", win_body(1, "transfer", "{\"matter\":\"ZZ99\"}"));
	CHECK_ERR(404, "unknown_window", win_body(1, "transfer", "{\"window\":99}"));
	CHECK_ERR(400, "bad_request", win_body(1, "transfer", "{\"window\":0}"));
	CHECK_ERR(400, "unknown_field", win_body(1, "transfer", "{\"to\":2}"));
	CHECK_EQ_INT(win_body(1, "transfer", "{\"matter\":\"YB01\"}"), 200);
	CHECK_STR(tstr("state"), "transferred");
	CHECK_STR(tstr("matter"), "YB01");
	CHECK_STR(tstr("number"), "A001");	/* keeps its number */
	CHECK_EQ_INT(tint("transfers"), 1);
	CHECK(json_is_null(json_object_get(tkt(), "window")));
	CHECK_EQ_INT(tint("ahead"), 0);
	CHECK(has_event("ticket.transferred"));
	ev = EVJ[0];
	CHECK_STR(json_string_value(json_object_get(ev, "to_matter")), "YB01");
	CHECK_EQ_INT(json_integer_value(json_object_get(ev, "window")), 1);
	CHECK(window_of(1) != NULL &&
	    json_is_null(json_object_get(window_of(1), "ticket")));
	CHECK_EQ_INT(load_of("YB01", "waiting"), 3);
	/* Window 2 (YB01) takes x first: it arrived before y. */
	CHECK_EQ_INT(win(2, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), x);
	CHECK_STR(tstr("state"), "called");
	CHECK_EQ_INT(tint("window"), 2);

	/* Transfer to a window: only that window takes it, in its old place. */
	CHECK_EQ_INT(win_body(2, "transfer", "{\"window\":3}"), 200);
	CHECK_EQ_INT(tint("target_window"), 3);
	CHECK_STR(tstr("state"), "transferred");
	CHECK_EQ_INT(tint("transfers"), 2);
	CHECK_EQ_INT(json_integer_value(json_object_get(EVJ[0], "to_window")), 3);
	CHECK_ERR(409, "not_for_this_window", call_ticket(2, x));
	CHECK_EQ_INT(win(2, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), y);		/* not x */
	CHECK_EQ_INT(win(2, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), x);		/* before z and q: oldest */
	CHECK(json_is_null(json_object_get(tkt(), "target_window")));
	/* A transferred (waiting) ticket may be cancelled. */
	CHECK_EQ_INT(win_body(3, "transfer", "{\"matter\":\"SB02\"}"), 200);
	CHECK_EQ_INT(run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", x), 200);
	CHECK_STR(tstr("state"), "cancelled");
	/* Transfer needs a current ticket in called or serving. */
	CHECK_ERR(409, "no_current_ticket", win_body(3, "transfer", "{\"window\":2}"));
	/* A transfer to a window that does not serve the matter still works:
	 * window 2 (YB01 only) takes an SB01 ticket sent to it. */
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), z);
	CHECK_EQ_INT(win_body(3, "transfer", "{\"window\":2}"), 200);
	r = issue("YB01", NULL);
	CHECK_EQ_INT(win(2, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), z);
	CHECK_EQ_INT(win(2, "finish"), 200);
	CHECK_EQ_INT(win(2, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), q);
	CHECK(r > q);
	close_hall();
}

static void
test_tokens_and_errors(void)
{
	long long a1;

	open_hall("errors.db");
	a1 = issue("SB01", NULL);
	/* Tokens. */
	CHECK_ERR(401, "unauthorized", run("{\"op\":\"call-next\",\"window\":1}"));
	CHECK_ERR(401, "unauthorized",
	    run("{\"op\":\"call-next\",\"token\":\"zz\",\"window\":1}"));
	CHECK_ERR(403, "forbidden",
	    run("{\"op\":\"call-next\",\"token\":\"k1\",\"window\":1}"));
	CHECK_ERR(403, "forbidden",
	    run("{\"op\":\"call-next\",\"token\":\"d1\",\"window\":1}"));
	CHECK_ERR(403, "forbidden",
	    run("{\"op\":\"issue\",\"token\":\"d1\",\"body\":{\"matter\":\"SB01\"}}"));
	/* A clerk token acts on its own windows only. */
	CHECK_ERR(403, "forbidden",
	    run("{\"op\":\"call-next\",\"token\":\"c1\",\"window\":3}"));
	CHECK_ERR(403, "forbidden",
	    run("{\"op\":\"pause\",\"token\":\"c2\",\"window\":1}"));
	CHECK_EQ_INT(run("{\"op\":\"call-next\",\"token\":\"c1\",\"window\":1}"), 200);
	CHECK_EQ_INT(tint("id"), a1);
	/* ... but may look at any window. */
	CHECK_EQ_INT(run("{\"op\":\"window\",\"token\":\"c1\",\"window\":3}"), 200);
	CHECK_EQ_INT(json_integer_value(json_object_get(
	    json_object_get(LAST, "window"), "number")), 3);
	CHECK_EQ_INT(run("{\"op\":\"finish\",\"token\":\"m1\",\"window\":1}"), 200);
	CHECK_EQ_INT(run("{\"op\":\"auth\",\"token\":\"c1\"}"), 200);
	CHECK_STR(json_string_value(json_object_get(LAST, "role")), "clerk");
	/* Bad requests. */
	CHECK_ERR(400, "unknown_field",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"SB01\",\"colour\":\"red\"}}"));
	CHECK_ERR(400, "unknown_field",
	    run("{\"op\":\"call-next\",\"token\":\"c-all\",\"window\":1,\"body\":{\"x\":1}}"));
	CHECK_ERR(404, "unknown_matter",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"SB99\"}}"));
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{}}"));
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":7}}"));
	CHECK_ERR(400, "unknown_class",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"SB01\",\"class\":\"vip\"}}"));
	CHECK_ERR(400, "unknown_channel",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"SB01\",\"channel\":\"fax\"}}"));
	CHECK_ERR(400, "bad_phone",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"SB01\",\"phone\":\"12ab\"}}"));
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":[1]}"));
	CHECK_ERR(404, "unknown_window",
	    run("{\"op\":\"call-next\",\"token\":\"c-all\",\"window\":99}"));
	CHECK_ERR(404, "unknown_window",
	    run("{\"op\":\"call-next\",\"token\":\"c-all\",\"window\":4294967297}"));
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"call-next\",\"token\":\"c-all\",\"window\":\"1\"}"));
	CHECK_ERR(400, "bad_request", run("{\"op\":\"call-next\",\"token\":\"c-all\"}"));
	CHECK_ERR(400, "unknown_op", run("{\"op\":\"dance\",\"token\":\"c-all\"}"));
	CHECK_ERR(400, "unknown_op", run("{\"token\":\"c-all\"}"));
	CHECK_ERR(404, "unknown_ticket",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":12345}"));
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":0}"));
	/* Failed commands wrote nothing: one issue, one call and its
	 * announcement, one finish (a manager's: audited). */
	CHECK_EQ_INT(SEQ, 5);
	CHECK_EQ_INT(hall_seq(H), 5);
	CHECK_EQ_INT(seq_breaks, 0);
	close_hall();
}

static void
test_window_states(void)
{
	json_t *w;

	open_hall("windows.db");
	issue("SB01", NULL);
	issue("SB01", NULL);
	/* Window 4 starts closed (config). */
	w = window_of(4);
	CHECK(w != NULL);
	CHECK_STR(json_string_value(json_object_get(w, "state")), "closed");
	CHECK_ERR(409, "window_closed", win(4, "call-next"));
	CHECK_ERR(409, "illegal_transition", win(4, "pause"));
	CHECK_ERR(409, "illegal_transition", win(4, "resume"));
	CHECK_ERR(409, "illegal_transition", win(4, "close"));
	CHECK_EQ_INT(load_of("SB01", "open_windows"), 2);
	CHECK_EQ_INT(win(4, "open"), 200);
	CHECK_STR(json_string_value(json_object_get(json_object_get(LAST, "window"),
	    "state")), "open");
	CHECK(has_event("window.opened"));
	CHECK_EQ_INT(load_of("SB01", "open_windows"), 3);
	CHECK_ERR(409, "illegal_transition", win(4, "open"));
	CHECK_EQ_INT(win(4, "pause"), 200);
	CHECK(has_event("window.paused"));
	CHECK_ERR(409, "window_paused", win(4, "call-next"));
	CHECK_EQ_INT(win(4, "resume"), 200);
	CHECK(has_event("window.resumed"));
	CHECK_EQ_INT(win(4, "call-next"), 200);
	/* Busy windows cannot close; they may pause. */
	CHECK_ERR(409, "window_busy", win(4, "close"));
	CHECK_EQ_INT(win(4, "pause"), 200);
	CHECK_EQ_INT(win(4, "finish"), 200);	/* finishing while paused is fine */
	CHECK_EQ_INT(win(4, "close"), 200);
	CHECK(has_event("window.closed"));
	/* paused → open directly. */
	CHECK_EQ_INT(win(3, "pause"), 200);
	CHECK_EQ_INT(win(3, "open"), 200);
	close_hall();
}

/* Appointments wait from max(check-in, slot start) with their head start;
 * a late one waits as normal; green goes ahead by its head start.  The slot
 * is the booking's: a kiosk cannot claim one. */
static void
test_classes(void)
{
	long long n1, n2, ap, late, g;
	char body[160];

	open_hall("classes.db");
	n1 = issue("SB02", NULL);
	NOW = D1 + 100 * S;
	n2 = issue("SB02", NULL);
	NOW = D1 + 200 * S;
	/* A kiosk that names a slot of its own is refused: nothing issued. */
	snprintf(body, sizeof body, "{\"matter\":\"SB02\",\"class\":\"appointment\","
	    "\"slot_start\":%lld}", (long long)(D1 + 650 * S));
	CHECK_ERR(400, "slot_start_not_allowed",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":%s}", body));
	CHECK_EQ_INT(NEV, 0);
	CHECK_ERR(400, "slot_start_not_allowed",
	    run("{\"op\":\"issue\",\"token\":\"m1\",\"body\":%s}", body));
	ap = issue("SB02", ",\"class\":\"appointment\"");
	CHECK_STR(tstr("number"), "A003");	/* no number was used up */
	book_slot(ap, D1 + 650 * S);
	CHECK(ap > 0);
	CHECK_EQ_INT(get_ticket(ap), 200);
	CHECK_EQ_INT(tint("slot_start"), D1 + 650 * S);
	CHECK_EQ_INT(tint("ahead"), 1);		/* n1 only */
	/* 20 min late for a D1 - 25 min slot: no head start. */
	NOW = D1 + 300 * S;
	late = issue("SB02", ",\"class\":\"appointment\"");
	book_slot(late, D1 + 300 * S - 25 * MIN);
	CHECK_EQ_INT(get_ticket(late), 200);
	CHECK_EQ_INT(tint("ahead"), 3);
	NOW = D1 + 1100 * S;
	g = issue("SB02", ",\"class\":\"green\"");	/* key D1 + 200 s */
	CHECK_EQ_INT(tint("ahead"), 3);			/* n1, ap, n2 */
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), n1);
	CHECK_EQ_INT(win(3, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), ap);
	CHECK_EQ_INT(win(3, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), n2);
	CHECK_EQ_INT(win(3, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), g);
	CHECK_EQ_INT(win(3, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), late);
	close_hall();
}

/* "appointment" without a booked slot: no head start, it waits as normal. */
static void
test_appointment_without_slot(void)
{
	long long n1, ap;

	open_hall("noslot.db");
	n1 = issue("SB02", NULL);
	NOW = D1 + 100 * S;
	ap = issue("SB02", ",\"class\":\"appointment\"");
	CHECK(ap > 0);
	CHECK_EQ_INT(tint("ahead"), 1);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), n1);
	CHECK_EQ_INT(win(3, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), ap);
	close_hall();
}

/*
 * A late appointment waits as a normal ticket, so it must also be counted as
 * one: the oldest wait of a matter is its longest-waiting ticket, whatever
 * order the keys put the appointments in.
 */
static void
test_late_appointment_oldest(void)
{
	long long late, early;

	open_hall("late.db");
	/* Late for a slot 30 min ago: arrival D1, key D1. */
	late = issue("SB01", ",\"class\":\"appointment\"");
	book_slot(late, D1 - 30 * MIN);
	/* Early for a slot at D1 + 500 s: arrival D1 + 500 s, key D1 - 100 s. */
	NOW = D1 + 10 * S;
	early = issue("SB01", ",\"class\":\"appointment\"");
	book_slot(early, D1 + 500 * S);
	CHECK_EQ_INT(get_ticket(early), 200);
	CHECK_EQ_INT(tint("ahead"), 0);
	NOW = D1 + 600 * S;
	CHECK_EQ_INT(load_of("SB01", "waiting"), 2);
	CHECK_EQ_INT(load_of("SB01", "oldest_wait_s"), 600);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), early);
	CHECK_EQ_INT(load_of("SB01", "oldest_wait_s"), 600);
	CHECK_EQ_INT(win(1, "finish"), 200);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), late);
	close_hall();
}

/* Many calls on windows that share matters: every ticket exactly once, in
 * arrival order per window's view. */
static void
test_no_double_calls(void)
{
	enum { N = 60 };
	static int seen[N + 1];
	long long ids[N];
	int i, dup = 0, calls = 0;

	open_hall("double.db");
	for (i = 0; i < N; i++)
		ids[i] = issue(i % 3 == 2 ? "YB01" : "SB01", NULL);
	CHECK_EQ_INT(ids[N - 1], N);
	for (i = 0; i < 3 * N && calls < N; i++) {
		int w = 1 + i % 3, st = win(w, "call-next");
		if (st == 200) {
			long long id = tint("id");
			if (id < 1 || id > N || seen[id]++)
				dup++;
			calls++;
			CHECK_EQ_INT(win(w, "finish"), 200);
		} else
			CHECK_EQ_INT(st, 204);
	}
	CHECK_EQ_INT(calls, N);
	CHECK_EQ_INT(dup, 0);
	CHECK_EQ_INT(win(1, "call-next"), 204);
	CHECK_EQ_INT(win(2, "call-next"), 204);
	CHECK_EQ_INT(win(3, "call-next"), 204);
	close_hall();
}

/* A restart keeps waiting tickets, current and held tickets, the numbering
 * and the event sequence. */
static void
test_restart(void)
{
	long long a1, a2, a3, b1, b2, a4, a5;
	json_t *w;

	open_hall("restart.db");
	a1 = issue("SB01", NULL);
	a2 = issue("SB01", NULL);
	b1 = issue("YB01", NULL);
	a3 = issue("SB02", NULL);
	b2 = issue("YB01", NULL);
	a4 = issue("SB01", NULL);
	CHECK_EQ_INT(win(1, "call-next"), 200);		/* a1 called at 1 */
	CHECK_EQ_INT(win(2, "call-next"), 200);		/* b1 serving at 2 */
	CHECK_EQ_INT(win(2, "start"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);		/* a2 held by 3 */
	CHECK_EQ_INT(tint("id"), a2);
	CHECK_EQ_INT(win(3, "hold"), 200);
	CHECK_EQ_INT(win(4, "open"), 200);
	CHECK_EQ_INT(win(4, "pause"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);		/* a3 → window 2 */
	CHECK_EQ_INT(tint("id"), a3);
	CHECK_EQ_INT(win_body(3, "transfer", "{\"window\":2}"), 200);

	NOW += 30 * S;
	restart_hall();
	/* Windows come back as they were. */
	w = window_of(1);
	CHECK(w != NULL && json_integer_value(json_object_get(
	    json_object_get(w, "ticket"), "id")) == a1);
	w = window_of(4);
	CHECK_STR(json_string_value(json_object_get(w, "state")), "paused");
	w = window_of(3);
	CHECK(w != NULL && json_array_size(json_object_get(w, "held")) == 1);
	CHECK_ERR(409, "window_busy", win(1, "call-next"));
	CHECK_EQ_INT(win(1, "finish"), 200);
	CHECK_EQ_INT(tint("id"), a1);
	CHECK_STR(state_of(b1), "serving");
	/* The queues: window 1 takes a4 (SB), window 2 the transfer a3 first. */
	CHECK_EQ_INT(win(2, "finish"), 200);
	CHECK_EQ_INT(win(2, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a3);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a4);
	/* Numbering continues without holes. */
	a5 = issue("SB01", NULL);
	CHECK_STR(tstr("number"), "A005");
	CHECK(a5 == a4 + 1);
	issue("YB01", NULL);
	CHECK_STR(tstr("number"), "B003");
	/* The held ticket is still window 3's. */
	CHECK_EQ_INT(win(2, "finish"), 200);
	CHECK_ERR(409, "held_by_other_window", call_ticket(2, a2));
	CHECK_EQ_INT(call_ticket(3, a2), 200);
	/* b2 still waits. */
	CHECK_EQ_INT(win(2, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), b2);
	CHECK_EQ_INT(seq_breaks, 0);

	/* A restart right after a second one changes nothing either. */
	restart_hall();
	CHECK_EQ_INT(load_of("SB01", "waiting"), 1);	/* a5 */
	CHECK_EQ_INT(load_of("YB01", "waiting"), 1);
	close_hall();
}

/*
 * The business day turns: what was open ends as expired, the day.rollover
 * event counts them, windows let go, numbering starts at 001 again.
 */
static void
test_rollover(void)
{
	long long a1, a2, a3, b1, a4, a5, n;
	int64_t d2 = D1 + DAY;
	json_t *ev = NULL;

	open_hall("rollover.db");
	a1 = issue("SB01", NULL);
	a2 = issue("SB01", NULL);
	a3 = issue("SB02", NULL);
	b1 = issue("YB01", NULL);
	a4 = issue("SB01", NULL);
	CHECK_EQ_INT(win(1, "call-next"), 200);		/* a1: held */
	CHECK_EQ_INT(win(1, "start"), 200);
	CHECK_EQ_INT(win(1, "hold"), 200);
	CHECK_EQ_INT(win(1, "call-next"), 200);		/* a2: no-show at 09:00 */
	CHECK_EQ_INT(tint("id"), a2);
	CHECK_EQ_INT(win(1, "no-show"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);		/* a3: called at 3 */
	CHECK_EQ_INT(tint("id"), a3);
	CHECK_EQ_INT(win(1, "call-next"), 200);		/* a4: done */
	CHECK_EQ_INT(tint("id"), a4);
	CHECK_EQ_INT(win(1, "finish"), 200);
	/* Late in the evening: a5 misses its call five minutes before midnight. */
	NOW = D1 + 14 * HOUR + 55 * MIN;			/* 23:55 */
	a5 = issue("SB01", NULL);
	CHECK_STR(tstr("number"), "A005");
	/* (call-next would give b1: tier 1 has overflowed by now) */
	CHECK_EQ_INT(call_ticket(1, a5), 200);
	CHECK_EQ_INT(win(1, "no-show"), 200);

	/* Before midnight a tick only records that a4, served hours ago, was
	 * not rated. */
	tick(D1 + 14 * HOUR + 59 * MIN);
	CHECK_EQ_INT(NEV, 1);
	tick(D1 + 14 * HOUR + 59 * MIN + 1000);
	CHECK_EQ_INT(NEV, 0);
	CHECK_STR(hall_day(H), "2026-11-23");
	/* 00:01: b1 (waiting), a1 (held), a3 (called), a5 (no-show in grace)
	 * expire; a2's grace ended long ago, a4 is done. */
	NOW = D1 + 15 * HOUR + 1 * MIN;
	tick(NOW);
	CHECK_EQ_INT(NEV, 1);
	CHECK_STR(EV[0], "day.rollover");
	if (NEV == 1)
		ev = EVJ[0];
	CHECK_STR(json_string_value(json_object_get(ev, "from")), "2026-11-23");
	CHECK_STR(json_string_value(json_object_get(ev, "to")), "2026-11-24");
	CHECK_EQ_INT(json_integer_value(json_object_get(ev, "expired")), 4);
	CHECK_STR(hall_day(H), "2026-11-24");
	CHECK_STR(state_of(a1), "expired");
	CHECK_STR(state_of(a2), "no_show");
	CHECK_STR(state_of(a3), "expired");
	CHECK_STR(state_of(b1), "expired");
	CHECK_STR(state_of(a4), "done");
	CHECK_STR(state_of(a5), "expired");
	CHECK(json_is_null(json_object_get(window_of(3), "ticket")));
	CHECK_EQ_INT(json_array_size(json_object_get(window_of(1), "held")), 0);
	CHECK_EQ_INT(load_of("YB01", "waiting"), 0);
	/* A second tick the same day does nothing. */
	tick(NOW + HOUR);
	CHECK_EQ_INT(NEV, 0);
	/* The old day's tickets can no longer be called. */
	CHECK_ERR(409, "illegal_transition", call_ticket(1, a1));
	CHECK_ERR(409, "grace_expired", call_ticket(1, a2));
	CHECK_ERR(409, "illegal_transition", call_ticket(1, b1));
	/* Numbering restarts. */
	NOW = d2;
	n = issue("SB01", NULL);
	CHECK_STR(tstr("number"), "A001");
	CHECK_STR(tstr("business_day"), "2026-11-24");
	CHECK_EQ_INT(tint("ahead"), 0);
	issue("YB01", NULL);
	CHECK_STR(tstr("number"), "B001");
	CHECK(n > a5);
	CHECK_EQ_INT(run("{\"op\":\"status\"}"), 200);
	CHECK_STR(json_string_value(json_object_get(LAST, "business_day")), "2026-11-24");

	/* A restart on the new day: numbering goes on from there. */
	restart_hall();
	issue("SB01", NULL);
	CHECK_STR(tstr("number"), "A002");

	/* The first write of a new day rolls it over by itself (no tick). */
	NOW = d2 + DAY;
	CHECK_EQ_INT(run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"SB01\"}}"), 201);
	CHECK_STR(tstr("number"), "A001");
	CHECK_STR(tstr("business_day"), "2026-11-25");
	CHECK_EQ_INT(NEV, 2);
	CHECK_STR(EV[0], "day.rollover");
	CHECK_STR(EV[1], "ticket.issued");
	/* D2's A001, B001 and A002; not D1's old no-show. */
	CHECK_EQ_INT(json_integer_value(json_object_get(EVJ[0], "expired")), 3);
	CHECK_EQ_INT(seq_breaks, 0);
	close_hall();

	/* A daemon that was down over midnight rolls over at its first tick. */
	open_hall("rollover2.db");
	issue("SB01", NULL);
	issue("SB01", NULL);
	NOW = D1 + DAY + HOUR;
	restart_hall();
	CHECK_STR(hall_day(H), "2026-11-23");
	tick(NOW);
	CHECK_EQ_INT(NEV, 1);
	CHECK_EQ_INT(json_integer_value(json_object_get(EVJ[0], "expired")), 2);
	issue("SB01", NULL);
	CHECK_STR(tstr("number"), "A001");
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_STR(tstr("business_day"), "2026-11-24");
	CHECK_EQ_INT(win(1, "finish"), 200);
	CHECK_EQ_INT(win(1, "call-next"), 204);
	close_hall();
}

/*
 * A write that fails half-way leaves nothing behind: no event, no number
 * used, no queue change, and the next command carries on from the disk.
 * The failure is a trigger that refuses one ticket number.
 */
static void
test_failed_write(void)
{
	long long a1, a2, a3;
	int64_t seq;

	open_hall("failed.db");
	a1 = issue("SB01", NULL);
	a2 = issue("SB01", NULL);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	seq = SEQ;
	CHECK_EQ_INT(raw_exec("CREATE TRIGGER no_a003 BEFORE INSERT ON tickets"
	    " WHEN NEW.number = 'A003' BEGIN SELECT RAISE(ABORT, 'refused'); END;"
	    "CREATE TRIGGER no_done BEFORE UPDATE ON tickets"
	    " WHEN NEW.state = 'done' BEGIN SELECT RAISE(ABORT, 'refused'); END;"), 0);
	log_capture(logbuf, sizeof logbuf);
	CHECK_ERR(500, "storage_failed",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"SB01\"}}"));
	CHECK_LOG(logbuf, "INSERT INTO tickets");
	CHECK_LOG(logbuf, ": refused\n");
	CHECK_EQ_INT(NEV, 0);
	CHECK_EQ_INT(hall_seq(H), seq);
	CHECK_EQ_INT(load_of("SB01", "waiting"), 1);
	/* The window keeps its ticket when finishing it cannot be written. */
	log_capture(logbuf, sizeof logbuf);
	CHECK_ERR(500, "storage_failed", win(1, "finish"));
	CHECK_LOG(logbuf, ": refused\n");
	log_capture(NULL, 0);
	CHECK_EQ_INT(NEV, 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(
	    json_object_get(window_of(1), "ticket"), "id")), a1);
	CHECK_STR(state_of(a1), "called");
	CHECK_EQ_INT(load_of("SB01", "service_s"), 600);
	CHECK_EQ_INT(raw_exec("DROP TRIGGER no_a003; DROP TRIGGER no_done;"), 0);
	/* Number A003 was not used up; the sequence has no hole. */
	a3 = issue("SB01", NULL);
	CHECK_STR(tstr("number"), "A003");
	CHECK_EQ_INT(a3, a2 + 1);
	CHECK_EQ_INT(SEQ, seq + 1);
	CHECK_EQ_INT(win(1, "finish"), 200);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a2);
	CHECK_EQ_INT(seq_breaks, 0);
	close_hall();
}

/*
 * Group commit: commands inside hall_batch_begin/end share one transaction,
 * each in a savepoint, so one that fails is undone alone and the others stand.
 */
static void
test_batch(void)
{
	long long a1, a2, a3, b1;
	int64_t seq;

	open_hall("batch.db");
	a1 = issue("SB01", NULL);
	CHECK_EQ_INT(raw_exec("CREATE TRIGGER no_yb BEFORE INSERT ON tickets"
	    " WHEN NEW.matter = 'YB01' BEGIN SELECT RAISE(ABORT, 'refused'); END;"), 0);
	CHECK_EQ_INT(hall_batch_begin(H), 0);
	a2 = issue("SB01", NULL);
	CHECK_STR(tstr("number"), "A002");
	seq = SEQ;
	log_capture(logbuf, sizeof logbuf);
	CHECK_ERR(500, "storage_failed",
	    run("{\"op\":\"issue\",\"token\":\"k1\",\"body\":{\"matter\":\"YB01\"}}"));
	CHECK_LOG(logbuf, ": refused\n");
	log_capture(NULL, 0);
	CHECK_EQ_INT(NEV, 0);
	CHECK_EQ_INT(hall_seq(H), seq);
	/* The batch goes on: the earlier command still stands. */
	CHECK_STR(state_of(a2), "waiting");
	a3 = issue("SB01", NULL);
	CHECK_STR(tstr("number"), "A003");
	CHECK_EQ_INT(a3, a2 + 1);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a1);
	CHECK_EQ_INT(hall_batch_end(H), 0);
	CHECK_EQ_INT(raw_exec("DROP TRIGGER no_yb;"), 0);
	/* Committed: a restart sees the batch, and B001 was never used. */
	restart_hall();
	CHECK_EQ_INT(load_of("SB01", "waiting"), 2);
	b1 = issue("YB01", NULL);
	CHECK_STR(tstr("number"), "B001");
	CHECK_EQ_INT(b1, a3 + 1);
	CHECK_EQ_INT(json_integer_value(json_object_get(
	    json_object_get(window_of(1), "ticket"), "id")), a1);
	/* A reply of a batch that did not commit. */
	{
		struct hall_result r;
		json_t *cmd = json_loads("{\"op\":\"issue\",\"token\":\"k1\","
		    "\"body\":{\"matter\":\"SB01\"}}", 0, NULL);
		CHECK_EQ_INT(hall_batch_begin(H), 0);
		hall_exec(H, cmd, NOW, &r);
		json_decref(cmd);
		CHECK_EQ_INT(r.status, 201);
		CHECK_EQ_INT(r.nevents, 1);
		hall_result_fail(&r);
		CHECK_EQ_INT(r.status, 500);
		CHECK_EQ_INT(r.nevents, 0);
		CHECK(r.body != NULL && strstr(r.body, "storage_failed") != NULL);
		hall_result_clear(&r);
		/* (this batch commits; the caller chose to fail the reply) */
		CHECK_EQ_INT(hall_batch_end(H), 0);
		SEQ = hall_seq(H);
	}
	CHECK_EQ_INT(seq_breaks, 0);
	close_hall();
}

static void
test_events_op(void)
{
	json_t *evs;

	open_hall("events.db");
	issue("SB01", NULL);
	issue("SB01", NULL);
	win(1, "call-next");
	win(1, "finish");
	CHECK_EQ_INT(SEQ, 5);	/* issued, issued, called, call.announce, done */
	CHECK_EQ_INT(run("{\"op\":\"events\",\"token\":\"d1\",\"body\":{\"since\":1,\"limit\":2}}"), 200);
	evs = json_object_get(LAST, "events");
	CHECK_EQ_INT(json_array_size(evs), 2);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(evs, 0), "seq")), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(evs, 1), "type")),
	    "ticket.called");
	CHECK_EQ_INT(json_integer_value(json_object_get(LAST, "next")), 3);
	/* The call's announcement: the same transaction, right after it. */
	CHECK_EQ_INT(run("{\"op\":\"events\",\"token\":\"d1\",\"body\":{\"since\":3,\"limit\":1}}"), 200);
	evs = json_object_get(json_array_get(json_object_get(LAST, "events"), 0), "clips");
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(LAST, "events"), 0), "type")), "call.announce");
	CHECK_STR(json_string_value(json_array_get(evs, 0)), "chime");
	CHECK_STR(json_string_value(json_array_get(evs, 1)), "zh/qing");
	CHECK_STR(json_string_value(json_array_get(evs, 2)), "zh/A");
	CHECK_STR(json_string_value(json_array_get(evs, 3)), "zh/0");
	CHECK_EQ_INT(run("{\"op\":\"events\",\"token\":\"d1\",\"body\":{\"since\":5}}"), 200);
	CHECK_EQ_INT(json_array_size(json_object_get(LAST, "events")), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(LAST, "next")), 5);
	/* Past the newest: said, not silently skipped. */
	CHECK_ERR(400, "since_ahead",
	    run("{\"op\":\"events\",\"token\":\"d1\",\"body\":{\"since\":6}}"));
	CHECK_EQ_INT(run("{\"op\":\"events\",\"token\":\"d1\"}"), 200);
	CHECK_EQ_INT(json_array_size(json_object_get(LAST, "events")), 5);
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"events\",\"token\":\"d1\",\"body\":{\"limit\":0}}"));
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"events\",\"token\":\"d1\",\"body\":{\"limit\":1001}}"));
	CHECK_ERR(401, "unauthorized", run("{\"op\":\"events\"}"));
	/* The snapshot. */
	CHECK_EQ_INT(run("{\"op\":\"snapshot\",\"token\":\"d1\"}"), 200);
	CHECK_STR(json_string_value(json_object_get(LAST, "type")), "hall.snapshot");
	CHECK_EQ_INT(json_integer_value(json_object_get(LAST, "seq")), 5);
	CHECK_EQ_INT(json_array_size(json_object_get(LAST, "matters")), 3);
	CHECK_EQ_INT(json_array_size(json_object_get(LAST, "windows")), 4);
	close_hall();
}

/* 好差评: once per served ticket, by the window's clerk, the window's
 * evaluator, or the citizen with the ticket's own token; not rated in time
 * is recorded too. */
static void
test_ratings(void)
{
	long long a1, a2, a3;
	char tok[64];

	open_hall("ratings.db");
	a1 = issue("SB01", NULL);
	snprintf(tok, sizeof tok, "%s", json_string_value(json_object_get(LAST, "token")));
	CHECK_EQ_INT(strlen(tok), 32);
	a2 = issue("SB01", NULL);
	a3 = issue("SB01", NULL);
	CHECK_ERR(409, "not_served",
	    run("{\"op\":\"rate\",\"token\":\"c1\",\"body\":{\"ticket\":%lld,\"score\":5}}", a1));
	CHECK_EQ_INT(run("{\"op\":\"call-next\",\"token\":\"c1\",\"window\":1}"), 200);
	CHECK_EQ_INT(run("{\"op\":\"finish\",\"token\":\"c1\",\"window\":1}"), 200);
	/* Not the clerk of window 1, no token, a kiosk, a bad score. */
	CHECK_ERR(403, "forbidden",
	    run("{\"op\":\"rate\",\"token\":\"c2\",\"body\":{\"ticket\":%lld,\"score\":5}}", a1));
	CHECK_ERR(401, "unauthorized",
	    run("{\"op\":\"rate\",\"body\":{\"ticket\":%lld,\"score\":5}}", a1));
	CHECK_ERR(401, "unauthorized",
	    run("{\"op\":\"rate\",\"token\":\"nope\",\"body\":{\"ticket\":%lld,\"score\":5}}", a1));
	CHECK_ERR(403, "forbidden",
	    run("{\"op\":\"rate\",\"token\":\"k1\",\"body\":{\"ticket\":%lld,\"score\":5}}", a1));
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"rate\",\"token\":\"c1\",\"body\":{\"ticket\":%lld,\"score\":6}}", a1));
	CHECK_ERR(400, "bad_request",
	    run("{\"op\":\"rate\",\"token\":\"c1\",\"body\":{\"ticket\":%lld}}", a1));
	CHECK_ERR(404, "unknown_ticket",
	    run("{\"op\":\"rate\",\"token\":\"c1\",\"body\":{\"ticket\":999,\"score\":5}}"));
	/* The citizen, with the token from the ticket's QR code. */
	CHECK_EQ_INT(run("{\"op\":\"rate\",\"token\":\"%s\",\"body\":{\"ticket\":%lld,"
	    "\"score\":4,\"comment\":\"快\"}}", tok, a1), 201);
	CHECK_EQ_INT(NEV, 1);
	CHECK_STR(EV[0], "rating.recorded");
	CHECK_EQ_INT(json_integer_value(json_object_get(EVJ[0], "score")), 4);
	CHECK_STR(json_string_value(json_object_get(EVJ[0], "source")), "ticket");
	CHECK_STR(json_string_value(json_object_get(EVJ[0], "clerk")), "clerk1");
	CHECK_STR(json_string_value(json_object_get(EVJ[0], "matter")), "SB01");
	CHECK_EQ_INT(json_integer_value(json_object_get(EVJ[0], "window")), 1);
	/* Once. */
	CHECK_ERR(409, "already_rated",
	    run("{\"op\":\"rate\",\"token\":\"c1\",\"body\":{\"ticket\":%lld,\"score\":1}}", a1));
	CHECK_ERR(409, "already_rated",
	    run("{\"op\":\"rate\",\"token\":\"%s\",\"body\":{\"ticket\":%lld,\"score\":1}}", tok, a1));
	/* The window's evaluator (a device command, never from the web). */
	CHECK_EQ_INT(run("{\"op\":\"call-next\",\"device\":\"pads\",\"window\":1}"), 200);
	CHECK_EQ_INT(tint("id"), a2);
	CHECK_EQ_INT(run("{\"op\":\"finish\",\"device\":\"pads\",\"window\":1}"), 200);
	CHECK_EQ_INT(run("{\"op\":\"rate\",\"device\":\"ev1\",\"body\":{\"ticket\":%lld,\"score\":5}}", a2), 201);
	CHECK_STR(json_string_value(json_object_get(EVJ[0], "source")), "evaluator");
	CHECK_STR(json_string_value(json_object_get(EVJ[0], "clerk")), "clerk1");
	CHECK_ERR(403, "forbidden", run("{\"op\":\"devices\",\"device\":\"x\"}"));
	/* Nobody rates a3: after the timeout it is recorded as not rated. */
	CHECK_EQ_INT(run("{\"op\":\"call-next\",\"token\":\"c-all\",\"window\":1}"), 200);
	CHECK_EQ_INT(run("{\"op\":\"finish\",\"token\":\"c-all\",\"window\":1}"), 200);
	tick(NOW + 299 * S);
	CHECK_EQ_INT(NEV, 0);
	tick(NOW + 300 * S);
	CHECK_EQ_INT(NEV, 1);
	CHECK_STR(EV[0], "rating.recorded");
	CHECK(json_is_null(json_object_get(EVJ[0], "score")));
	CHECK(json_is_true(json_object_get(EVJ[0], "not_rated")));
	CHECK_STR(json_string_value(json_object_get(EVJ[0], "clerk")), "clerk3");
	NOW += 301 * S;
	CHECK_ERR(409, "rating_closed",
	    run("{\"op\":\"rate\",\"token\":\"c1\",\"body\":{\"ticket\":%lld,\"score\":3}}", a3));
	/* It all survives a restart. */
	close_hall();
	open_hall_with("ratings.db", conf_text);
	CHECK_ERR(409, "already_rated",
	    run("{\"op\":\"rate\",\"token\":\"c1\",\"body\":{\"ticket\":%lld,\"score\":1}}", a2));
	tick(NOW + 3600 * S);
	CHECK_EQ_INT(NEV, 0);
	close_hall();
}

/* A member of a matter's load in the snapshot (borrowed from LAST). */
static json_t *
load_json(const char *code, const char *key)
{
	json_t *ms, *m;
	size_t i;

	if (run("{\"op\":\"hall\",\"token\":\"d1\"}") != 200)
		return NULL;
	ms = json_object_get(LAST, "matters");
	json_array_foreach(ms, i, m)
		if (strcmp(json_string_value(json_object_get(m, "code")), code) == 0)
			return json_object_get(m, key);
	return NULL;
}

/*
 * Reads of an earlier day's tickets, refused or allowed, keep nothing in
 * memory (20,000 wrong-token reads once grew the heap by 8.6 MB until the
 * rollover), and leave no trace: no "not rated" record for them.
 */
static void
test_past_reads(void)
{
	long long a1, a2;
	char tok[64], bad[64];
	size_t mem;
	int i;

	open_hall("past.db");
	a1 = issue("SB01", NULL);
	snprintf(tok, sizeof tok, "%s", json_string_value(json_object_get(LAST, "token")));
	a2 = issue("SB01", NULL);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(win(1, "finish"), 200);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(win(1, "finish"), 200);
	/* Served three days ago and never rated (not loaded at start). */
	CHECK_EQ_INT(raw_exec("UPDATE tickets SET day = '2026-11-20', "
	    "issued_at = issued_at - 259200000, arrival = arrival - 259200000, "
	    "called_at = called_at - 259200000, ended_at = ended_at - 259200000"), 0);
	restart_hall();
	mem = hall_tickets_in_memory(H);
	CHECK_EQ_INT(mem, 0);
	memset(bad, 'f', 32);
	bad[32] = '\0';
	for (i = 0; i < 50; i++) {
		CHECK_ERR(401, "unauthorized",
		    run("{\"op\":\"ticket\",\"ticket\":%lld}", a1));
		CHECK_ERR(401, "unauthorized",
		    run("{\"op\":\"ticket\",\"token\":\"%s\",\"ticket\":%lld}", bad, a2));
		/* a1's own token does not read a2 */
		CHECK_ERR(401, "unauthorized",
		    run("{\"op\":\"ticket\",\"token\":\"%s\",\"ticket\":%lld}", tok, a2));
	}
	CHECK_EQ_INT(hall_tickets_in_memory(H), mem);
	/* Allowed reads answer from the row and keep nothing either. */
	CHECK_EQ_INT(run("{\"op\":\"ticket\",\"token\":\"%s\",\"ticket\":%lld}", tok, a1), 200);
	CHECK_STR(tstr("state"), "done");
	CHECK_STR(tstr("business_day"), "2026-11-20");
	CHECK_EQ_INT(get_ticket(a2), 200);
	CHECK_STR(tstr("number"), "A002");
	CHECK_EQ_INT(hall_tickets_in_memory(H), mem);
	/* No side effect: nothing is recorded as not rated ... */
	tick(NOW + MIN);
	CHECK_EQ_INT(NEV, 0);
	/* ... and their time to be rated is over all the same. */
	CHECK_ERR(409, "rating_closed",
	    run("{\"op\":\"rate\",\"token\":\"%s\",\"body\":{\"ticket\":%lld,\"score\":5}}",
	    tok, a1));
	CHECK_EQ_INT(NEV, 0);
	/* Commands that find an old ticket refuse it and keep nothing. */
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"m1\",\"ticket\":%lld}", a1));
	CHECK_ERR(409, "illegal_transition", call_ticket(1, a1));
	CHECK_EQ_INT(hall_tickets_in_memory(H), mem);
	/* Today's tickets are kept as ever. */
	issue("SB01", NULL);
	CHECK_EQ_INT(hall_tickets_in_memory(H), mem + 1);
	close_hall();
}

/*
 * A window that closes hands back what only it would call: the tickets it
 * holds (挂起) and those transferred to it alone go back to their matter's
 * queue in their old place.  A transfer to a closed window is refused.
 */
static void
test_close_hands_back(void)
{
	long long a1, a2, a3, c1;
	json_t *w, *t;

	open_hall("handback.db");
	a1 = issue("SB01", NULL);		/* D1 */
	a2 = issue("SB01", NULL);		/* D1 + 1 s */
	a3 = issue("SB01", NULL);		/* D1 + 2 s */
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a1);
	CHECK_EQ_INT(win(1, "hold"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a2);
	/* Window 4 is closed: a transfer to it is refused, nothing moves. */
	CHECK_ERR(409, "window_closed", win_body(3, "transfer", "{\"window\":4}"));
	CHECK_EQ_INT(NEV, 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(
	    window_of(3), "ticket"), "id")), a2);
	CHECK_EQ_INT(win_body(3, "transfer", "{\"window\":1}"), 200);
	CHECK_EQ_INT(tint("target_window"), 1);
	/* Window 1 closes: a1 (held) and a2 (sent to it) are handed back. */
	NOW += 10 * S;
	CHECK_EQ_INT(win(1, "close"), 200);
	w = json_object_get(LAST, "window");
	CHECK_STR(json_string_value(json_object_get(w, "state")), "closed");
	CHECK_EQ_INT(json_array_size(json_object_get(w, "held")), 0);
	CHECK_EQ_INT(NEV, 3);
	CHECK_STR(EV[0], "ticket.requeued");
	CHECK_STR(EV[1], "ticket.requeued");
	CHECK_STR(EV[2], "window.closed");
	t = json_object_get(EVJ[0], "ticket");
	CHECK_EQ_INT(json_integer_value(json_object_get(t, "id")), a1);
	CHECK_STR(json_string_value(json_object_get(t, "state")), "waiting");
	CHECK(json_is_null(json_object_get(t, "window")));
	CHECK_EQ_INT(json_integer_value(json_object_get(t, "ahead")), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(EVJ[0], "window")), 1);
	CHECK_STR(json_string_value(json_object_get(EVJ[0], "reason")), "window_closed");
	t = json_object_get(EVJ[1], "ticket");
	CHECK_EQ_INT(json_integer_value(json_object_get(t, "id")), a2);
	CHECK_STR(json_string_value(json_object_get(t, "state")), "transferred");
	CHECK(json_is_null(json_object_get(t, "target_window")));
	CHECK_EQ_INT(json_integer_value(json_object_get(t, "ahead")), 1);
	CHECK_EQ_INT(load_of("SB01", "waiting"), 3);
	/* They keep their place: window 3 takes a1, a2, then a3. */
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a1);
	CHECK_EQ_INT(win(3, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a2);
	CHECK_EQ_INT(win(3, "finish"), 200);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a3);
	CHECK_EQ_INT(win(3, "finish"), 200);
	/* Closing with nothing held is as before: one event. */
	CHECK_EQ_INT(win(1, "open"), 200);
	CHECK_EQ_INT(win(1, "close"), 200);
	CHECK_EQ_INT(NEV, 1);
	/* A ticket held by a window that is closed all the same (a database
	 * from before, a window closed behind the hall's back) is not
	 * stranded: a window that serves its matter calls it. */
	c1 = issue("SB01", NULL);
	CHECK_EQ_INT(win(3, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), c1);
	CHECK_EQ_INT(win(3, "hold"), 200);
	CHECK_EQ_INT(raw_exec("UPDATE windows SET state = 'closed' WHERE number = 3"), 0);
	restart_hall();
	CHECK_ERR(409, "not_for_this_window", call_ticket(2, c1));
	CHECK_EQ_INT(win(4, "open"), 200);
	CHECK_EQ_INT(call_ticket(4, c1), 200);
	CHECK_STR(tstr("state"), "called");
	CHECK_EQ_INT(tint("window"), 4);
	CHECK_EQ_INT(json_array_size(json_object_get(window_of(3), "held")), 0);
	CHECK_EQ_INT(seq_breaks, 0);
	close_hall();
}

/* A manager cancels any open ticket: waiting, called, serving, held, or a
 * no-show still in its grace period; the window lets go of it.  A kiosk
 * cancels waiting tickets only. */
static void
test_manager_cancel(void)
{
	long long a1, a2, a3, a4, a5;
	json_t *w;

	open_hall("cancel.db");
	a1 = issue("SB01", NULL);
	a2 = issue("SB01", NULL);
	a3 = issue("SB01", NULL);
	a4 = issue("SB01", NULL);
	a5 = issue("SB01", NULL);
	/* called */
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a1);
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", a1));
	CHECK_EQ_INT(NEV, 0);
	CHECK_EQ_INT(run("{\"op\":\"cancel\",\"token\":\"m1\",\"ticket\":%lld}", a1), 200);
	CHECK_STR(tstr("state"), "cancelled");
	CHECK_EQ_INT(tint("window"), 1);
	CHECK_EQ_INT(tint("ended_at"), NOW);
	CHECK_EQ_INT(NEV, 3);	/* and the manager's audit */
	CHECK_STR(EV[0], "ticket.cancelled");
	CHECK_EQ_INT(json_integer_value(json_object_get(EVJ[0], "window")), 1);
	CHECK_STR(EV[1], "window.released");
	CHECK(json_is_null(json_object_get(json_object_get(EVJ[1], "window"), "ticket")));
	CHECK_STR(EV[2], "audit");
	CHECK_STR(json_string_value(json_object_get(EVJ[2], "by")), "manager1");
	CHECK_STR(json_string_value(json_object_get(EVJ[2], "op")), "cancel");
	{
		char *dump = json_dumps(EVJ[2], JSON_COMPACT);	/* never the token */
		CHECK(dump != NULL && strstr(dump, "\"m1\"") == NULL);
		free(dump);
	}
	w = window_of(1);
	CHECK(w != NULL && json_is_null(json_object_get(w, "ticket")));
	/* serving */
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a2);
	CHECK_EQ_INT(win(1, "start"), 200);
	CHECK_EQ_INT(run("{\"op\":\"cancel\",\"token\":\"m1\",\"ticket\":%lld}", a2), 200);
	CHECK_STR(tstr("state"), "cancelled");
	CHECK_EQ_INT(NEV, 3);
	CHECK_ERR(409, "no_current_ticket", win(1, "finish"));
	/* held */
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a3);
	CHECK_EQ_INT(win(1, "hold"), 200);
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"k1\",\"ticket\":%lld}", a3));
	CHECK_EQ_INT(run("{\"op\":\"cancel\",\"token\":\"m1\",\"ticket\":%lld}", a3), 200);
	CHECK_EQ_INT(NEV, 3);
	CHECK_STR(EV[1], "window.released");
	CHECK_EQ_INT(json_array_size(json_object_get(json_object_get(EVJ[1],
	    "window"), "held")), 0);
	CHECK_EQ_INT(json_array_size(json_object_get(window_of(1), "held")), 0);
	CHECK_ERR(409, "illegal_transition", call_ticket(1, a3));
	/* a no-show within its grace period; none after it */
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a4);
	CHECK_EQ_INT(win(1, "no-show"), 200);
	CHECK_EQ_INT(run("{\"op\":\"cancel\",\"token\":\"m1\",\"ticket\":%lld}", a4), 200);
	CHECK_EQ_INT(NEV, 2);
	CHECK_EQ_INT(win(1, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a5);
	CHECK_EQ_INT(win(1, "no-show"), 200);
	NOW += 600 * S + 1;
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"m1\",\"ticket\":%lld}", a5));
	/* final states stay final */
	CHECK_ERR(409, "illegal_transition",
	    run("{\"op\":\"cancel\",\"token\":\"m1\",\"ticket\":%lld}", a1));
	CHECK_EQ_INT(run("{\"op\":\"stats\",\"token\":\"m1\"}"), 200);
	CHECK_EQ_INT(json_integer_value(json_object_get(LAST, "cancelled")), 4);
	/* It all stands after a restart. */
	restart_hall();
	CHECK_STR(state_of(a1), "cancelled");
	CHECK_STR(state_of(a3), "cancelled");
	CHECK_EQ_INT(json_array_size(json_object_get(window_of(1), "held")), 0);
	CHECK_EQ_INT(win(1, "call-next"), 204);
	CHECK_EQ_INT(seq_breaks, 0);
	close_hall();
}

/* No open window serves the matter: the estimate is unknown (null) and the
 * ticket says so, rather than a wait of 0. */
static void
test_no_open_window(void)
{
	long long a1, a2, b1;

	open_hall("unserved.db");
	/* SB01: windows 1 and 3 (open), 4 (closed). */
	CHECK_EQ_INT(win(1, "close"), 200);
	CHECK_EQ_INT(win(3, "close"), 200);
	CHECK_EQ_INT(load_of("SB01", "open_windows"), 0);
	CHECK(json_is_null(load_json("SB01", "eta_s")));
	a1 = issue("SB01", NULL);
	CHECK(json_is_null(json_object_get(tkt(), "eta_s")));
	CHECK(json_is_true(json_object_get(tkt(), "no_open_window")));
	CHECK_EQ_INT(tint("ahead"), 0);
	a2 = issue("SB01", NULL);
	CHECK_EQ_INT(tint("ahead"), 1);
	CHECK(json_is_null(json_object_get(tkt(), "eta_s")));
	CHECK(json_is_true(json_object_get(EVJ[0] ? json_object_get(EVJ[0], "ticket") :
	    NULL, "no_open_window")));
	CHECK(json_is_null(load_json("SB01", "eta_s")));
	/* YB01 is still served by window 2. */
	b1 = issue("YB01", NULL);
	CHECK_EQ_INT(tint("eta_s"), 0);
	CHECK(json_is_false(json_object_get(tkt(), "no_open_window")));
	CHECK_EQ_INT(get_ticket(a1), 200);
	CHECK(json_is_null(json_object_get(tkt(), "eta_s")));
	/* A window opens: estimates again. */
	CHECK_EQ_INT(win(4, "open"), 200);
	CHECK_EQ_INT(get_ticket(a2), 200);
	CHECK_EQ_INT(tint("eta_s"), 600);
	CHECK(json_is_false(json_object_get(tkt(), "no_open_window")));
	CHECK_EQ_INT(load_of("SB01", "eta_s"), 1200);
	/* Paused is not open. */
	CHECK_EQ_INT(win(4, "pause"), 200);
	CHECK_EQ_INT(get_ticket(a2), 200);
	CHECK(json_is_null(json_object_get(tkt(), "eta_s")));
	CHECK(json_is_true(json_object_get(tkt(), "no_open_window")));
	/* Not waiting: no estimate needed, and no flag. */
	CHECK_EQ_INT(win(4, "resume"), 200);
	CHECK_EQ_INT(win(4, "call-next"), 200);
	CHECK_EQ_INT(tint("id"), a1);
	CHECK_EQ_INT(tint("eta_s"), 0);
	CHECK(json_is_false(json_object_get(tkt(), "no_open_window")));
	CHECK(b1 > a2);
	close_hall();
}

/* ----------------------------------------------------- the ticket move table */

/* A new ticket of SB01 brought to state s through the commands (window 3
 * serves every matter); -1 for a state the commands cannot make today. */
static long long
ticket_in(enum tstate s)
{
	long long id = issue("SB01", NULL);

	switch (s) {
	case TS_WAITING:
		return id;
	case TS_CANCELLED:
		CHECK_EQ_INT(run("{\"op\":\"cancel\",\"token\":\"k1\","
		    "\"ticket\":%lld}", id), 200);
		return id;
	case TS_EXPIRED:
	case TS_MAX:
		return -1;
	default:
		break;
	}
	CHECK_EQ_INT(call_ticket(3, id), 200);
	switch (s) {
	case TS_SERVING:
		CHECK_EQ_INT(win(3, "start"), 200);
		break;
	case TS_HELD:
		CHECK_EQ_INT(win(3, "hold"), 200);
		break;
	case TS_DONE:
		CHECK_EQ_INT(win(3, "finish"), 200);
		break;
	case TS_NO_SHOW:
		CHECK_EQ_INT(win(3, "no-show"), 200);
		break;
	case TS_TRANSFERRED:
		CHECK_EQ_INT(win_body(3, "transfer", "{\"matter\":\"SB02\"}"), 200);
		break;
	default:
		break;
	}
	CHECK_STR(state_of(id), tstate_names[s]);
	return id;
}

/* The ticket as a reader sees it (its JSON text), to compare before/after. */
static char *
ticket_text(long long id)
{
	if (get_ticket(id) != 200)
		return strdup("");
	return json_dumps(tkt(), JSON_SORT_KEYS | JSON_COMPACT);
}

/* Hold the answer of a command on ticket `id`, in state s before it (read
 * as `before`), against the table: allowed, it moved the ticket to the
 * move's state; refused, it is a 409 illegal_transition and the ticket reads
 * exactly as before.  Takes `before`. */
static void
check_move(long long id, enum tstate s, enum tmove_id m, const char *what,
    char *before, int status)
{
	int may = (ticket_moves[m].from & (1u << s)) != 0;
	char *after;

	if (may) {
		CHECK_EQ_INT(status, 200);
		CHECK_STR(state_of(id), tstate_names[ticket_moves[m].to]);
	} else {
		CHECK_EQ_INT(status, 409);
		CHECK_STR(ecode(), "illegal_transition");
		after = ticket_text(id);
		if (strcmp(before, after) != 0) {
			fprintf(stderr, "  refused %s from %s changed %s into %s\n",
			    what, tstate_names[s], before, after);
			CHECK(0);
		}
		free(after);
	}
	free(before);
}

/*
 * Every command that moves a ticket, from every state the commands can put
 * one in: the window's commands on its current ticket (called or serving),
 * call and cancel on a ticket by id.  Each pair on a fresh ticket.
 */
static void
test_move_table(void)
{
	static const struct {
		const char	*op;
		const char	*body;
		enum tmove_id	 m;
	} wcmds[] = {
		{ "recall", NULL, TMOVE_RECALL },
		{ "start", NULL, TMOVE_START },
		{ "finish", NULL, TMOVE_FINISH },
		{ "no-show", NULL, TMOVE_NO_SHOW },
		{ "hold", NULL, TMOVE_HOLD },
		{ "transfer", "{\"matter\":\"SB02\"}", TMOVE_TRANSFER },
	};
	const enum tstate cur[] = { TS_CALLED, TS_SERVING };
	size_t i, j;
	long long id;
	char *before;
	int s, st, back;

	open_hall("moves.db");
	for (j = 0; j < sizeof cur / sizeof cur[0]; j++)
		for (i = 0; i < sizeof wcmds / sizeof wcmds[0]; i++) {
			id = ticket_in(cur[j]);
			before = ticket_text(id);
			st = wcmds[i].body ? win_body(3, wcmds[i].op, wcmds[i].body) :
			    win(3, wcmds[i].op);
			check_move(id, cur[j], wcmds[i].m, wcmds[i].op, before, st);
			if (json_is_object(json_object_get(window_of(3), "ticket")))
				CHECK_EQ_INT(win(3, "finish"), 200);
		}
	for (s = 0; s < TS_MAX; s++) {
		enum tmove_id m;

		/* call: a waiting ticket is called (by window 1, as window 3
		 * is busy with a called one), a held or no-show one called back
		 * by the window that had it; the table has a move for each. */
		if ((id = ticket_in(s)) < 0)
			continue;
		back = s == TS_HELD || s == TS_NO_SHOW;
		m = back ? TMOVE_CALL_BACK : TMOVE_CALL;
		before = ticket_text(id);
		st = call_ticket(back ? 3 : 1, id);
		check_move(id, s, m, "call", before, st);
		for (j = 1; j <= 3; j += 2)
			if (json_is_object(json_object_get(window_of((int)j), "ticket")))
				CHECK_EQ_INT(win((int)j, "finish"), 200);
		/* cancel, by a manager, who may cancel any open ticket */
		id = ticket_in(s);
		before = ticket_text(id);
		st = run("{\"op\":\"cancel\",\"token\":\"m1\",\"ticket\":%lld}", id);
		check_move(id, s, TMOVE_CANCEL, "cancel", before, st);
		if (json_is_object(json_object_get(window_of(3), "ticket")))
			CHECK_EQ_INT(win(3, "finish"), 200);
	}
	close_hall();
}

int
main(void)
{
	struct tm tm;

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	memset(&tm, 0, sizeof tm);
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 10;
	tm.tm_mday = 23;
	tm.tm_hour = 9;
	tm.tm_isdst = -1;
	D1 = (int64_t)mktime(&tm) * 1000;
	CHECK_EQ_INT(D1, 1795395600000LL);	/* 2026-11-23T01:00:00Z */
	{
		char day[16];
		hall_business_day(D1 + 15 * HOUR - 1, day, sizeof day);
		CHECK_STR(day, "2026-11-23");
		hall_business_day(D1 + 15 * HOUR, day, sizeof day);
		CHECK_STR(day, "2026-11-24");
	}

	snprintf(dir, sizeof dir, "/tmp/hallq-hall-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_numbering();
	test_ratings();
	test_life();
	test_call_specific();
	test_hold();
	test_no_show();
	test_transfer();
	test_tokens_and_errors();
	test_window_states();
	test_classes();
	test_late_appointment_oldest();
	test_appointment_without_slot();
	test_no_double_calls();
	test_restart();
	test_rollover();
	test_events_op();
	test_failed_write();
	test_batch();
	test_past_reads();
	test_close_hands_back();
	test_manager_cancel();
	test_no_open_window();
	test_move_table();
	CHECK_EQ_INT(seq_breaks, 0);

	json_decref(LAST);
	clear_events();
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return t_done("hall");
}

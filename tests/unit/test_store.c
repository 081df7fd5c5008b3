/* test_store.c — the SQLite store: forward migrations keep old rows, a newer
 * schema is refused, rows and events round-trip, transactions roll back.
 * Real files in a private directory under /tmp; links store.c and util.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "t.h"
#include "util.h"

static char dir[64];
static char logbuf[8192];	/* the log lines a test provokes */

static void
path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void
rm_db(const char *path)
{
	char p[256];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* Run SQL on a file with plain sqlite3, outside the store. */
static int
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "  raw_exec: %s\n", msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static long long
raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -999;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -999;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

/* Collects tickets as the callbacks hand them over (copies what it needs). */
struct got {
	int		 n;
	long long	 ids[16];
	char		 numbers[16][16];
	char		 states[16][16];
	char		 tokens[16][40];
	int		 windows[16];
	long long	 called_at[16];
	char		 phone[16][24];
};

static void
got_cb(void *arg, const struct store_ticket *t)
{
	struct got *g = arg;

	if (g->n >= 16)
		return;
	g->ids[g->n] = t->id;
	snprintf(g->numbers[g->n], sizeof g->numbers[0], "%s", t->number);
	snprintf(g->states[g->n], sizeof g->states[0], "%s", t->state);
	snprintf(g->tokens[g->n], sizeof g->tokens[0], "%s", t->token ? t->token : "(null)");
	snprintf(g->phone[g->n], sizeof g->phone[0], "%s", t->phone ? t->phone : "(null)");
	g->windows[g->n] = t->window;
	g->called_at[g->n] = t->called_at;
	g->n++;
}

static struct store_ticket
mk_ticket(long long id, const char *day, const char *number, const char *state)
{
	struct store_ticket t;

	memset(&t, 0, sizeof t);
	t.id = id;
	t.day = day;
	t.number = number;
	t.prefix = "A";
	t.seqno = id;
	t.matter = "SB01";
	t.cls = "normal";
	t.channel = "kiosk";
	t.state = state;
	t.issued_at = 1700000000000LL + id;
	t.arrival = t.issued_at;
	return t;
}

static void
test_fresh(void)
{
	char path[128], err[256] = "";
	struct store *s;

	path_of(path, sizeof path, "fresh.db");
	s = store_open(path, err, sizeof err);
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "  store_open: %s\n", err);
		return;
	}
	CHECK_EQ_INT(store_schema_version, 8);
	CHECK_EQ_INT(store_user_version(s), store_schema_version);
	CHECK_EQ_INT(store_ticket_max_id(s), 0);
	CHECK_EQ_INT(store_event_max_seq(s), 0);
	CHECK(store_meta_get(s, "business_day") == NULL);
	store_close(s);
	CHECK_EQ_INT(raw_int(path, "PRAGMA user_version"), store_schema_version);
	/* WAL is a property of the file: it stays after close. */
	{
		sqlite3 *db;
		sqlite3_stmt *st;
		char mode[16] = "";
		if (sqlite3_open(path, &db) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				snprintf(mode, sizeof mode, "%s", sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
		CHECK(strcmp(mode, "wal") == 0);
	}
	rm_db(path);
	store_close(NULL);
}

static void
test_migration(void)
{
	char path[128], err[256] = "";
	struct store *s;
	struct got g;

	path_of(path, sizeof path, "old.db");
	s = store_open_upto(path, 1, err, sizeof err);
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "  store_open_upto: %s\n", err);
		return;
	}
	CHECK_EQ_INT(store_user_version(s), 1);
	store_close(s);
	/* Rows written by a version-1 daemon (no token column yet). */
	CHECK_EQ_INT(raw_exec(path,
	    "INSERT INTO tickets (id, day, number, prefix, seqno, matter, class,"
	    " channel, state, window, issued_at, arrival, called_at, phone)"
	    " VALUES (7, '2026-11-23', 'A007', 'A', 7, 'SB01', 'normal', 'kiosk',"
	    " 'called', 3, 1000, 1000, 2000, '138****5678');"
	    "INSERT INTO counters VALUES ('2026-11-23', 'A', 7);"
	    "INSERT INTO events VALUES (41, 2000, 'ticket.called', '{\"seq\":41}');"
	    "INSERT INTO windows VALUES (3, 'open', 7, 2000);"
	    "INSERT INTO meta VALUES ('business_day', '2026-11-23');"), 0);
	CHECK_EQ_INT(raw_int(path, "SELECT COUNT(*) FROM pragma_table_info('tickets')"
	    " WHERE name = 'token'"), 0);

	s = store_open(path, err, sizeof err);
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "  store_open after v1: %s\n", err);
		return;
	}
	CHECK_EQ_INT(store_user_version(s), store_schema_version);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_ticket_get(s, 7, got_cb, &g), 1);
	CHECK_EQ_INT(g.n, 1);
	CHECK(strcmp(g.numbers[0], "A007") == 0);
	CHECK(strcmp(g.states[0], "called") == 0);
	CHECK(strcmp(g.tokens[0], "(null)") == 0);
	CHECK(strcmp(g.phone[0], "138****5678") == 0);
	CHECK_EQ_INT(g.windows[0], 3);
	CHECK_EQ_INT(g.called_at[0], 2000);
	CHECK_EQ_INT(store_counter_get(s, "2026-11-23", "A"), 7);
	CHECK_EQ_INT(store_event_max_seq(s), 41);
	CHECK_EQ_INT(store_ticket_max_id(s), 7);
	{
		char *day = store_meta_get(s, "business_day");
		CHECK(day != NULL && strcmp(day, "2026-11-23") == 0);
		free(day);
	}
	/* The new column is usable. */
	{
		struct store_ticket t = mk_ticket(8, "2026-11-23", "A008", "waiting");
		t.token = "abcd";
		CHECK_EQ_INT(store_begin(s), 0);
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
		CHECK_EQ_INT(store_commit(s), 0);
		memset(&g, 0, sizeof g);
		store_ticket_get(s, 8, got_cb, &g);
		CHECK(g.n == 1 && strcmp(g.tokens[0], "abcd") == 0);
	}
	store_close(s);
	CHECK_EQ_INT(raw_int(path, "PRAGMA user_version"), store_schema_version);
	CHECK_EQ_INT(raw_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE"
	    " type = 'index' AND name = 'tickets_day'"), 1);
	/* Opening again at the current version migrates nothing, loses nothing. */
	s = store_open(path, err, sizeof err);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_EQ_INT(store_ticket_max_id(s), 8);
		store_close(s);
	}
	rm_db(path);
}

static void
test_newer_refused(void)
{
	char path[128], sql[64], err[256] = "";
	struct store *s;

	path_of(path, sizeof path, "newer.db");
	s = store_open(path, err, sizeof err);
	CHECK(s != NULL);
	store_close(s);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_schema_version + 1);
	CHECK_EQ_INT(raw_exec(path, sql), 0);
	err[0] = '\0';
	s = store_open(path, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "newer") != NULL);
	store_close(s);
	/* Refusing did not touch it. */
	CHECK_EQ_INT(raw_int(path, "PRAGMA user_version"), store_schema_version + 1);
	rm_db(path);

	/* A file that is not a database. */
	path_of(path, sizeof path, "junk.db");
	{
		FILE *f = fopen(path, "w");
		fputs("this is not sqlite, not at all, it is just text\n", f);
		fclose(f);
	}
	err[0] = '\0';
	s = store_open(path, err, sizeof err);
	CHECK(s == NULL);
	CHECK(err[0] != '\0');
	rm_db(path);
	err[0] = '\0';
	s = store_open("/nonexistent-dir/x.db", err, sizeof err);
	CHECK(s == NULL);
	CHECK(err[0] != '\0');
}

/* PRAGMA quick_check at open: a file with garbage over pages in its middle
 * is refused with what is wrong and what to do; so is one that is no
 * database at all. */
static void
test_damaged_refused(void)
{
	char path[128], err[1024] = "", junk[3 * 4096];
	struct store *s;
	FILE *f;
	long size;

	path_of(path, sizeof path, "damaged.db");
	s = store_open(path, err, sizeof err);
	CHECK(s != NULL);
	store_close(s);
	CHECK_EQ_INT(raw_exec(path, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
	    "SELECT x + 1 FROM c WHERE x < 3000) INSERT INTO events SELECT x, x, "
	    "'t', printf('%0200d', x) FROM c"), 0);
	s = store_open(path, err, sizeof err);	/* sound: opens */
	CHECK(s != NULL);
	store_close(s);		/* the last connection: the log checkpointed */
	f = fopen(path, "r+b");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	CHECK(size > 40 * 4096);
	memset(junk, 0xa5, sizeof junk);
	fseek(f, size / 2 / 4096 * 4096, SEEK_SET);
	fwrite(junk, 1, sizeof junk, f);
	fclose(f);
	err[0] = '\0';
	s = store_open(path, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "is damaged") != NULL);
	CHECK(strstr(err, "quick_check") != NULL);
	CHECK(strstr(err, "Restore the last backup") != NULL);
	CHECK(strstr(err, "-wal and ") != NULL);
	rm_db(path);

	path_of(path, sizeof path, "junk2.db");
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs("this is not sqlite, not at all, it is just text\n", f);
	fclose(f);
	err[0] = '\0';
	s = store_open(path, err, sizeof err);
	CHECK(s == NULL);
	CHECK(strstr(err, "is damaged") != NULL);
	rm_db(path);
}

struct evs {
	int		 n;
	long long	 seqs[16];
	char		 bodies[16][32];
	int		 stop_after;
};

static int
ev_cb(void *arg, int64_t seq, const char *json)
{
	struct evs *e = arg;

	if (e->n < 16) {
		e->seqs[e->n] = seq;
		snprintf(e->bodies[e->n], sizeof e->bodies[0], "%s", json);
	}
	e->n++;
	return e->stop_after && e->n >= e->stop_after ? -1 : 0;
}

struct wins {
	int		 n;
	int		 numbers[8];
	char		 states[8][16];
	long long	 tickets[8];
};

static void
win_cb(void *arg, const struct store_window *w)
{
	struct wins *x = arg;

	if (x->n < 8) {
		x->numbers[x->n] = w->number;
		snprintf(x->states[x->n], sizeof x->states[0], "%s", w->state);
		x->tickets[x->n] = w->ticket;
	}
	x->n++;
}

static void
test_rows(void)
{
	char path[128], err[256] = "";
	struct store *s;
	struct got g;
	struct evs e;
	struct wins w;
	int i;

	path_of(path, sizeof path, "rows.db");
	s = store_open(path, err, sizeof err);
	CHECK(s != NULL);
	if (s == NULL)
		return;

	/* Tickets of two days in various states. */
	CHECK_EQ_INT(store_begin(s), 0);
	{
		struct store_ticket t;
		t = mk_ticket(1, "2026-11-22", "A001", "done");
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
		t = mk_ticket(2, "2026-11-22", "A002", "waiting");
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
		t = mk_ticket(3, "2026-11-22", "A003", "expired");
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
		t = mk_ticket(4, "2026-11-23", "A001", "done");
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
		t = mk_ticket(5, "2026-11-23", "A002", "called");
		t.window = 3;
		t.called_at = 1700000001000LL;
		t.phone = "138****5678";
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
		t = mk_ticket(6, "2026-11-22", "A004", "held");
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
	}
	CHECK_EQ_INT(store_commit(s), 0);
	CHECK_EQ_INT(store_ticket_max_id(s), 6);

	/* Live: today's all, older only when still open; in id order. */
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_tickets_live(s, "2026-11-23", got_cb, &g), 4);
	CHECK_EQ_INT(g.n, 4);
	CHECK_EQ_INT(g.ids[0], 2);
	CHECK_EQ_INT(g.ids[1], 4);
	CHECK_EQ_INT(g.ids[2], 5);
	CHECK_EQ_INT(g.ids[3], 6);
	CHECK_EQ_INT(g.windows[2], 3);
	CHECK_EQ_INT(g.called_at[2], 1700000001000LL);
	CHECK(strcmp(g.phone[2], "138****5678") == 0);
	CHECK_EQ_INT(g.windows[0], 0);		/* NULL reads as 0 */
	CHECK_EQ_INT(g.called_at[0], 0);

	/* Replace a row (state change). */
	CHECK_EQ_INT(store_begin(s), 0);
	{
		struct store_ticket t = mk_ticket(2, "2026-11-22", "A002", "expired");
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
	}
	CHECK_EQ_INT(store_commit(s), 0);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_ticket_get(s, 2, got_cb, &g), 1);
	CHECK(strcmp(g.states[0], "expired") == 0);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_ticket_get(s, 99, got_cb, &g), 0);
	CHECK_EQ_INT(g.n, 0);

	/* (day, number) is unique: a second A001 of the same day fails, and
	 * says why in the log. */
	log_capture(logbuf, sizeof logbuf);
	CHECK_EQ_INT(store_begin(s), 0);
	{
		struct store_ticket t = mk_ticket(9, "2026-11-23", "A001", "waiting");
		CHECK_EQ_INT(store_ticket_put(s, &t), -1);
	}
	store_rollback(s);
	CHECK_LOG(logbuf, "UNIQUE constraint failed: tickets.day, tickets.number");
	log_capture(NULL, 0);
	CHECK_EQ_INT(store_ticket_max_id(s), 6);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_ticket_get(s, 4, got_cb, &g), 1);
	CHECK(g.n == 1 && strcmp(g.numbers[0], "A001") == 0);
	/* Even without a rollback the holder of A001 is never replaced. */
	CHECK_EQ_INT(store_begin(s), 0);
	{
		struct store_ticket t = mk_ticket(9, "2026-11-23", "A001", "waiting");
		log_capture(logbuf, sizeof logbuf);
		store_ticket_put(s, &t);
		CHECK_LOG(logbuf, "UNIQUE constraint failed: tickets.day, tickets.number");
	}
	CHECK_EQ_INT(store_commit(s), 0);
	log_capture(NULL, 0);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_ticket_get(s, 4, got_cb, &g), 1);
	CHECK_EQ_INT(store_ticket_max_id(s), 6);

	/* Rollback leaves nothing. */
	CHECK_EQ_INT(store_begin(s), 0);
	{
		struct store_ticket t = mk_ticket(10, "2026-11-23", "A010", "waiting");
		CHECK_EQ_INT(store_ticket_put(s, &t), 0);
		CHECK_EQ_INT(store_counter_put(s, "2026-11-23", "A", 10), 0);
		CHECK_EQ_INT(store_event_put(s, 1, 5, "ticket.issued", "{\"seq\":1}"), 0);
	}
	store_rollback(s);
	store_rollback(s);	/* no transaction: harmless */
	CHECK_EQ_INT(store_ticket_max_id(s), 6);
	CHECK_EQ_INT(store_counter_get(s, "2026-11-23", "A"), 0);
	CHECK_EQ_INT(store_event_max_seq(s), 0);

	/* Counters per (day, prefix). */
	CHECK_EQ_INT(store_begin(s), 0);
	CHECK_EQ_INT(store_counter_put(s, "2026-11-23", "A", 2), 0);
	CHECK_EQ_INT(store_counter_put(s, "2026-11-23", "B", 5), 0);
	CHECK_EQ_INT(store_counter_put(s, "2026-11-22", "A", 4), 0);
	CHECK_EQ_INT(store_counter_put(s, "2026-11-23", "A", 3), 0);
	CHECK_EQ_INT(store_commit(s), 0);
	CHECK_EQ_INT(store_counter_get(s, "2026-11-23", "A"), 3);
	CHECK_EQ_INT(store_counter_get(s, "2026-11-23", "B"), 5);
	CHECK_EQ_INT(store_counter_get(s, "2026-11-22", "A"), 4);
	CHECK_EQ_INT(store_counter_get(s, "2026-11-24", "A"), 0);

	/* Windows. */
	CHECK_EQ_INT(store_begin(s), 0);
	{
		struct store_window sw = { 3, "open", 5, 100 };
		struct store_window sw2 = { 4, "closed", 0, 200 };
		CHECK_EQ_INT(store_window_put(s, &sw), 0);
		CHECK_EQ_INT(store_window_put(s, &sw2), 0);
		sw.state = "paused";
		CHECK_EQ_INT(store_window_put(s, &sw), 0);
	}
	CHECK_EQ_INT(store_commit(s), 0);
	memset(&w, 0, sizeof w);
	CHECK_EQ_INT(store_windows(s, win_cb, &w), 2);
	CHECK_EQ_INT(w.numbers[0], 3);
	CHECK(strcmp(w.states[0], "paused") == 0);
	CHECK_EQ_INT(w.tickets[0], 5);
	CHECK_EQ_INT(w.tickets[1], 0);

	/* Events: strictly increasing seq, a used seq is refused. */
	CHECK_EQ_INT(store_begin(s), 0);
	for (i = 1; i <= 10; i++) {
		char body[32];
		snprintf(body, sizeof body, "{\"seq\":%d}", i);
		CHECK_EQ_INT(store_event_put(s, i, 1000 + i, "ticket.issued", body), 0);
	}
	CHECK_EQ_INT(store_commit(s), 0);
	CHECK_EQ_INT(store_begin(s), 0);
	log_capture(logbuf, sizeof logbuf);
	CHECK_EQ_INT(store_event_put(s, 10, 1, "x", "{}"), -1);
	CHECK_LOG(logbuf, "UNIQUE constraint failed: events.seq");
	log_capture(NULL, 0);
	store_rollback(s);
	CHECK_EQ_INT(store_event_max_seq(s), 10);
	memset(&e, 0, sizeof e);
	CHECK_EQ_INT(store_events(s, 7, 100, ev_cb, &e), 3);
	CHECK_EQ_INT(e.seqs[0], 8);
	CHECK_EQ_INT(e.seqs[2], 10);
	CHECK(strcmp(e.bodies[0], "{\"seq\":8}") == 0);
	memset(&e, 0, sizeof e);
	CHECK_EQ_INT(store_events(s, 0, 4, ev_cb, &e), 4);
	CHECK_EQ_INT(e.seqs[3], 4);
	memset(&e, 0, sizeof e);
	CHECK_EQ_INT(store_events(s, 10, 100, ev_cb, &e), 0);
	memset(&e, 0, sizeof e);
	e.stop_after = 2;
	CHECK_EQ_INT(store_events(s, 0, 100, ev_cb, &e), 2);
	CHECK_EQ_INT(e.n, 2);
	/* The statement was reset: the next read starts afresh. */
	memset(&e, 0, sizeof e);
	CHECK_EQ_INT(store_events(s, 5, 2, ev_cb, &e), 2);
	CHECK_EQ_INT(e.seqs[0], 6);

	/* Meta. */
	CHECK_EQ_INT(store_begin(s), 0);
	CHECK_EQ_INT(store_meta_put(s, "business_day", "2026-11-23"), 0);
	CHECK_EQ_INT(store_meta_put(s, "business_day", "2026-11-24"), 0);
	CHECK_EQ_INT(store_commit(s), 0);
	{
		char *v = store_meta_get(s, "business_day");
		CHECK(v != NULL && strcmp(v, "2026-11-24") == 0);
		free(v);
		CHECK(store_meta_get(s, "nope") == NULL);
	}
	store_close(s);

	/* Everything committed is there after a reopen. */
	s = store_open(path, err, sizeof err);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_EQ_INT(store_event_max_seq(s), 10);
		CHECK_EQ_INT(store_ticket_max_id(s), 6);
		CHECK_EQ_INT(store_counter_get(s, "2026-11-23", "B"), 5);
		store_close(s);
	}
	rm_db(path);
}

static void
remote_cb(void *arg, int64_t remote, int window)
{
	int64_t *got = arg;

	got[0]++;
	got[1] = remote;
	got[2] = window;
}

/* 好差评: one rating per ticket; learned remotes per device. */
static void
test_ratings_remotes(void)
{
	char path[128], err[256] = "";
	struct store *s;
	struct store_rating r = { .ticket = 7, .day = "2026-11-23", .window = 3,
	    .clerk = "王芳", .matter = "SB01", .score = 5, .source = "evaluator",
	    .at = 1000 };
	int64_t got[3] = { 0, 0, 0 };

	path_of(path, sizeof path, "ratings.db");
	if ((s = store_open(path, err, sizeof err)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK_EQ_INT(store_rating_put(s, &r), 0);
	r.score = 1;
	log_capture(logbuf, sizeof logbuf);
	CHECK_EQ_INT(store_rating_put(s, &r), -1);	/* the same ticket again */
	CHECK_LOG(logbuf, "UNIQUE constraint failed: ratings.ticket");
	log_capture(NULL, 0);
	r.ticket = 8;
	r.score = 0;				/* not rated: NULL */
	r.source = "none";
	CHECK_EQ_INT(store_rating_put(s, &r), 0);
	CHECK_EQ_INT(raw_int(path, "SELECT score FROM ratings WHERE ticket = 7"), 5);
	CHECK_EQ_INT(raw_int(path, "SELECT COUNT(*) FROM ratings WHERE score IS NULL"), 1);
	CHECK_EQ_INT(store_remote_put(s, "rx", 0xA1B2C, 3, 5), 0);
	CHECK_EQ_INT(store_remote_put(s, "rx", 0xA1B2C, 4, 6), 0);	/* rebound */
	CHECK_EQ_INT(store_remotes(s, "rx", remote_cb, got), 1);
	CHECK_EQ_INT(got[0], 1);
	CHECK_EQ_INT(got[1], 0xA1B2C);
	CHECK_EQ_INT(got[2], 4);
	CHECK_EQ_INT(store_remotes(s, "other", remote_cb, got), 0);
	store_close(s);
}

struct appt_got {
	int	 n;
	char	 code[4][16];
	char	 state[4][16];
	char	 phone[4][24];
	int64_t	 start[4];
};

static void
appt_cb(void *arg, const struct store_appt *a)
{
	struct appt_got *g = arg;

	if (g->n < 4) {
		snprintf(g->code[g->n], sizeof g->code[0], "%s", a->code);
		snprintf(g->state[g->n], sizeof g->state[0], "%s", a->state);
		snprintf(g->phone[g->n], sizeof g->phone[0], "%s",
		    a->phone ? a->phone : "(null)");
		g->start[g->n] = a->start;
	}
	g->n++;
}

static void
count_cb(void *arg, int64_t start, const char *matter, int64_t count)
{
	int64_t *o = arg;

	o[0]++;
	o[1] = start;
	o[2] = count;
	o[3] = strcmp(matter, "SB01") == 0;
}

static void
block_cb(void *arg, const char *matter, int64_t start, int64_t end)
{
	int64_t *o = arg;

	o[0]++;
	o[1] = start;
	o[2] = end;
	o[3] = matter[0] == '\0';
}

/* Bookings: written, read back, counted per slot, person, day and no-show;
 * due ones found; personal data purged; blocks kept.  And a version-4
 * database (before appointments) migrates with its rows. */
static void
test_appointments(void)
{
	char path[128], err[256] = "";
	struct store *s;
	struct store_appt a = { .code = "K7M2Q9XA", .token = "t1", .matter = "SB01",
	    .day = "2026-12-01", .start = 36000000, .end = 37800000,
	    .state = "booked", .channel = "web", .phone = "13812345678",
	    .id_number = "11010519491231002X", .name = "张三", .booked_at = 1000,
	    .changed_at = 1000 };
	struct appt_got g;
	int64_t o[4] = { 0, 0, 0, 0 }, last = 0;

	path_of(path, sizeof path, "appt.db");
	s = store_open_upto(path, 4, err, sizeof err);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	store_close(s);
	CHECK_EQ_INT(raw_exec(path, "INSERT INTO tickets (id, day, number, prefix,"
	    " seqno, matter, class, channel, state, issued_at, arrival, phone,"
	    " id_number) VALUES (1, '2026-11-01', 'A001', 'A', 1, 'SB01', 'normal',"
	    " 'kiosk', 'done', 1000, 1000, '13800000000', '110105194912310021');"
	    "INSERT INTO cursors VALUES ('x', 5);"), 0);
	if ((s = store_open(path, err, sizeof err)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK_EQ_INT(store_user_version(s), store_schema_version);
	CHECK_EQ_INT(store_cursor_get(s, "x"), 5);
	CHECK_EQ_INT(store_appt_put(s, &a), 0);
	a.code = "ABCDEFGH";
	a.id_number = "110101199003070011";
	CHECK_EQ_INT(store_appt_put(s, &a), 0);
	a.code = "ZZZZZZZZ";
	a.state = "no_show";
	CHECK_EQ_INT(store_appt_put(s, &a), 0);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_appt_get(s, "K7M2Q9XA", appt_cb, &g), 1);
	CHECK(g.n == 1 && strcmp(g.state[0], "booked") == 0 &&
	    strcmp(g.phone[0], "13812345678") == 0);
	CHECK_EQ_INT(store_appt_get(s, "NOPE", appt_cb, &g), 0);
	CHECK_EQ_INT(store_appt_person_day(s, "11010519491231002X", "2026-12-01"), 1);
	CHECK_EQ_INT(store_appt_person_slot(s, "110101199003070011", "SB01",
	    36000000), 1);
	CHECK_EQ_INT(store_appt_no_shows(s, "110101199003070011", 0, &last), 1);
	CHECK_EQ_INT(last, 37800000);
	CHECK_EQ_INT(store_appt_no_shows(s, "110101199003070011", 37800001, &last), 0);
	CHECK_EQ_INT(store_appt_slot_matters(s, 0, 40000000, count_cb, o), 1);
	CHECK(o[1] == 36000000 && o[2] == 2 && o[3] == 1);
	CHECK_EQ_INT(store_appt_slot_matters(s, 0, 36000000, count_cb, o), 0);
	/* An update changes the state, never the person or the token. */
	a.code = "K7M2Q9XA";
	a.state = "cancelled";
	a.phone = "0";
	CHECK_EQ_INT(store_appt_put(s, &a), 0);
	memset(&g, 0, sizeof g);
	store_appt_get(s, "K7M2Q9XA", appt_cb, &g);
	CHECK(strcmp(g.state[0], "cancelled") == 0 &&
	    strcmp(g.phone[0], "13812345678") == 0);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_appts_due(s, 37800001, 10, appt_cb, &g), 1);
	CHECK(g.n == 1 && strcmp(g.code[0], "ABCDEFGH") == 0);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_appts_day(s, "2026-12-01", NULL, appt_cb, &g), 3);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_appts_day(s, "2026-12-01", "110101199003070011", appt_cb,
	    &g), 2);
	/* The purge empties the person of bookings and tickets before it. */
	CHECK_EQ_INT(store_purge_personal(s, 36000000), 1);	/* the ticket */
	CHECK_EQ_INT(store_purge_personal(s, 36000001), 3);
	CHECK_EQ_INT(raw_int(path, "SELECT COUNT(*) FROM appointments WHERE phone"
	    " IS NOT NULL OR id_number IS NOT NULL OR name IS NOT NULL"), 0);
	CHECK_EQ_INT(raw_int(path, "SELECT COUNT(*) FROM tickets WHERE phone IS NOT"
	    " NULL"), 0);
	CHECK_EQ_INT(store_block_put(s, "", 100, 200, 1), 0);
	CHECK_EQ_INT(store_blocks(s, 150, block_cb, o), 1);
	CHECK(o[1] == 100 && o[2] == 200 && o[3] == 1);
	CHECK_EQ_INT(store_blocks(s, 200, block_cb, o), 0);
	CHECK_EQ_INT(store_block_del(s, "", 100, 200), 1);
	CHECK_EQ_INT(store_block_del(s, "", 100, 200), 0);
	store_close(s);
	rm_db(path);
}

struct ob_got {
	int	 n;
	int64_t	 id[8];
	char	 state[8][16];
	char	 phone[8][16];
};

static void
ob_cb(void *arg, const struct store_outbox *o)
{
	struct ob_got *g = arg;

	if (g->n < 8) {
		g->id[g->n] = o->id;
		snprintf(g->state[g->n], sizeof g->state[0], "%s", o->state);
		snprintf(g->phone[g->n], sizeof g->phone[0], "%s",
		    o->phone ? o->phone : "(null)");
	}
	g->n++;
}

/* The outbox: one row per ticket and kind (a second is ignored), due rows
 * in order, states written back, a ticket's pending rows, the purge. */
static void
test_outbox(void)
{
	char path[128], err[256] = "";
	struct store *s;
	struct store_outbox o = { .kind = "called", .ticket = 7,
	    .phone = "13812345678", .text = "请A007号到3号窗口办理",
	    .params = "{}", .next_at = 100, .created_at = 100 };
	struct ob_got g;
	int64_t id, first = 0;

	path_of(path, sizeof path, "outbox.db");
	if ((s = store_open(path, err, sizeof err)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK((id = store_outbox_add(s, &o)) > 0);
	CHECK_EQ_INT(store_outbox_add(s, &o), 0);	/* the same ticket and kind */
	o.kind = "ahead";
	o.next_at = 50;
	CHECK(store_outbox_add(s, &o) > id);
	o.kind = "reminder";
	o.ticket = 0;
	o.appointment = "K7M2Q9XA";
	o.next_at = 5000;
	CHECK(store_outbox_add(s, &o) > 0);
	CHECK(store_outbox_add(s, &o) == 0);		/* same booking, kind, time */
	o.next_at = 6000;
	CHECK(store_outbox_add(s, &o) > 0);		/* another time */
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_outbox_due(s, 100, 10, ob_cb, &g), 2);
	CHECK(g.id[0] == id + 1 && g.id[1] == id);	/* by next_at */
	memset(&o, 0, sizeof o);
	o.id = id;
	o.state = "sent";
	o.attempts = 1;
	o.next_at = 100;
	o.sent_at = 120;
	o.gateway_id = "b1";
	CHECK_EQ_INT(store_outbox_set(s, &o), 0);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_outbox_due(s, 100, 10, ob_cb, &g), 1);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_outbox_pending(s, 7, NULL, ob_cb, &g), 1);	/* ahead */
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_outbox_pending(s, 0, "K7M2Q9XA", ob_cb, &g), 2);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_outbox_of(s, 7, NULL, ob_cb, &g), 2);
	CHECK(strcmp(g.state[0], "sent") == 0);
	CHECK_EQ_INT(store_outbox_count(s, "queued", &first), 3);
	CHECK_EQ_INT(first, 50);
	CHECK_EQ_INT(store_outbox_purge(s, 101), 4);
	memset(&g, 0, sizeof g);
	CHECK_EQ_INT(store_outbox_newest(s, 2, ob_cb, &g), 2);
	CHECK(strcmp(g.phone[0], "(null)") == 0);
	store_close(s);
	rm_db(path);
}

int
main(void)
{
	snprintf(dir, sizeof dir, "/tmp/hallq-store-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_fresh();
	test_ratings_remotes();
	test_migration();
	test_newer_refused();
	test_damaged_refused();
	test_rows();
	test_appointments();
	test_outbox();
	rmdir(dir);
	return t_done("store");
}

/* store.c — owns the SQLite connection: schema and its forward migrations,
 * every statement (prepared once at open from one table, finalized together
 * at close), and the transaction around each command.  Knows rows, not hall
 * rules: hall.c decides what to write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"

/*
 * Forward migrations: migrations[i] takes user_version i to i + 1.  Never edit
 * a shipped entry; append.
 */
static const char *const migrations[] = {
	/* 1: the hall's tables */
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  day TEXT NOT NULL, number TEXT NOT NULL, prefix TEXT NOT NULL,"
	"  seqno INTEGER NOT NULL, matter TEXT NOT NULL, class TEXT NOT NULL,"
	"  channel TEXT NOT NULL, state TEXT NOT NULL,"
	"  window INTEGER, target_window INTEGER, held_by INTEGER,"
	"  issued_at INTEGER NOT NULL, arrival INTEGER NOT NULL,"
	"  slot_start INTEGER, called_at INTEGER, serving_at INTEGER,"
	"  ended_at INTEGER, no_show_at INTEGER,"
	"  recalls INTEGER NOT NULL DEFAULT 0, transfers INTEGER NOT NULL DEFAULT 0,"
	"  phone TEXT, id_number TEXT,"
	"  UNIQUE (day, number));"
	"CREATE TABLE windows (number INTEGER PRIMARY KEY, state TEXT NOT NULL,"
	"  ticket INTEGER, since INTEGER NOT NULL);"
	"CREATE TABLE counters (day TEXT NOT NULL, prefix TEXT NOT NULL,"
	"  last INTEGER NOT NULL, PRIMARY KEY (day, prefix));"
	"CREATE TABLE events (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	"  type TEXT NOT NULL, body TEXT NOT NULL);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
	/* 2: the ticket's own token (status page, one-time rating); look-ups */
	"ALTER TABLE tickets ADD COLUMN token TEXT;"
	"CREATE INDEX tickets_state ON tickets (state);"
	"CREATE INDEX tickets_day ON tickets (day);",
	/* 3: 好差评 — who finished a ticket, whether it was rated; remotes */
	"ALTER TABLE tickets ADD COLUMN finished_by TEXT;"
	"ALTER TABLE tickets ADD COLUMN rated INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE ratings (ticket INTEGER PRIMARY KEY, day TEXT NOT NULL,"
	"  window INTEGER, clerk TEXT, matter TEXT NOT NULL, score INTEGER,"
	"  source TEXT NOT NULL, comment TEXT, at INTEGER NOT NULL);"
	"CREATE INDEX ratings_day ON ratings (day);"
	"CREATE TABLE remotes (device TEXT NOT NULL, remote INTEGER NOT NULL,"
	"  window INTEGER NOT NULL, at INTEGER NOT NULL,"
	"  PRIMARY KEY (device, remote));",
	/* 4: durable subscribers of the event log: how far each has got */
	"CREATE TABLE cursors (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);",
	/* 5: appointments (personal data here only, emptied by purge) and
	 * the manager's blocked slots ('' matter: every matter). */
	"CREATE TABLE appointments (code TEXT PRIMARY KEY, token TEXT NOT NULL,"
	"  matter TEXT NOT NULL, day TEXT NOT NULL, start INTEGER NOT NULL,"
	"  end INTEGER NOT NULL, state TEXT NOT NULL, channel TEXT NOT NULL,"
	"  ticket INTEGER, late INTEGER NOT NULL DEFAULT 0, phone TEXT,"
	"  id_number TEXT, name TEXT, booked_at INTEGER NOT NULL,"
	"  checked_in_at INTEGER, changed_at INTEGER NOT NULL);"
	"CREATE INDEX appointments_slot ON appointments (matter, start);"
	"CREATE INDEX appointments_start ON appointments (start);"
	"CREATE INDEX appointments_person ON appointments (id_number, day);"
	"CREATE INDEX appointments_due ON appointments (state, end);"
	"CREATE INDEX appointments_day ON appointments (day);"
	"CREATE TABLE slot_blocks (matter TEXT NOT NULL, start INTEGER NOT NULL,"
	"  end INTEGER NOT NULL, at INTEGER NOT NULL,"
	"  PRIMARY KEY (matter, start, end));",
	/* 6: consent to messages, a checked-in ticket's booking, and the
	 * outbox of messages to citizens (issue 14). */
	"ALTER TABLE tickets ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN appointment TEXT;"
	"ALTER TABLE appointments ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE outbox (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	"  ticket INTEGER, appointment TEXT, phone TEXT, text TEXT NOT NULL,"
	"  params TEXT NOT NULL, state TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL, sent_at INTEGER, done_at INTEGER,"
	"  gateway_id TEXT, error TEXT);"
	"CREATE UNIQUE INDEX outbox_ticket_once ON outbox (ticket, kind)"
	"  WHERE ticket IS NOT NULL;"
	"CREATE UNIQUE INDEX outbox_appt_once ON outbox (appointment, kind, next_at)"
	"  WHERE ticket IS NULL;"
	"CREATE INDEX outbox_due ON outbox (state, next_at);"
	"CREATE INDEX outbox_appt ON outbox (appointment);",
	/* 7: 好差评 cases and the 办不成事 ledger, ratings in the national
	 * shape (the rater masked, kept past the purge; struck by appeal),
	 * and a ticket's first call (reports' waits) (issue 15). */
	"ALTER TABLE tickets ADD COLUMN first_called_at INTEGER;"
	"UPDATE tickets SET first_called_at = called_at WHERE called_at > 0;"
	"ALTER TABLE ratings ADD COLUMN channel TEXT;"
	"ALTER TABLE ratings ADD COLUMN terminal TEXT;"
	"ALTER TABLE ratings ADD COLUMN rater_id TEXT;"
	"ALTER TABLE ratings ADD COLUMN rater_phone TEXT;"
	"ALTER TABLE ratings ADD COLUMN real_name INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE ratings ADD COLUMN struck INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE cases (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	"  ticket INTEGER, day TEXT NOT NULL, number TEXT, matter TEXT,"
	"  window INTEGER, clerk TEXT, channel TEXT, score INTEGER, comment TEXT,"
	"  problem TEXT, place TEXT, citizen TEXT, phone TEXT,"
	"  opened_at INTEGER NOT NULL, due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL, founded INTEGER, struck INTEGER NOT NULL DEFAULT 0,"
	"  overdue INTEGER NOT NULL DEFAULT 0, closed_at INTEGER,"
	"  steps TEXT NOT NULL DEFAULT '[]');"
	"CREATE INDEX cases_state ON cases (state, due_at);"
	"CREATE INDEX cases_ticket ON cases (ticket);"
	"CREATE INDEX cases_day ON cases (day);",
	/* 8: the audit trail, newest first (issue 18). */
	"CREATE INDEX events_type ON events (type, seq);",
};
const int store_schema_version = sizeof migrations / sizeof migrations[0];

#define TICKET_COLS \
	"id, day, number, prefix, seqno, matter, class, channel, state, " \
	"window, target_window, held_by, issued_at, arrival, slot_start, " \
	"called_at, serving_at, ended_at, no_show_at, recalls, transfers, " \
	"phone, id_number, token, finished_by, rated, notify, appointment, " \
	"first_called_at"

#define APPT_COLS \
	"code, token, matter, day, start, end, state, channel, ticket, late, " \
	"phone, id_number, name, booked_at, checked_in_at, changed_at, notify"

#define CASE_COLS \
	"id, kind, ticket, day, number, matter, window, clerk, channel, score, " \
	"comment, problem, place, citizen, phone, opened_at, due_at, state, " \
	"founded, struck, overdue, closed_at, steps"

#define RATING_COLS \
	"ticket, day, window, clerk, matter, score, source, comment, at, " \
	"channel, terminal, rater_id, rater_phone, real_name, struck"

#define OUTBOX_COLS \
	"id, kind, ticket, appointment, phone, text, params, state, attempts, " \
	"next_at, created_at, sent_at, done_at, gateway_id, error"

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_TICKET_PUT,
	ST_TICKET_GET,
	ST_TICKETS_LIVE,
	ST_TICKET_MAX_ID,
	ST_WINDOW_PUT,
	ST_WINDOWS,
	ST_COUNTER_PUT,
	ST_COUNTER_GET,
	ST_EVENT_PUT,
	ST_EVENTS,
	ST_EVENTS_TYPE,
	ST_EVENT_MAX_SEQ,
	ST_EVENT_LAST_AT,
	ST_META_PUT,
	ST_META_GET,
	ST_RATING_PUT,
	ST_REMOTE_PUT,
	ST_REMOTES,
	ST_RATINGS_DAY,
	ST_CURSOR_PUT,
	ST_CURSOR_GET,
	ST_APPT_PUT,
	ST_APPT_GET,
	ST_APPT_SLOT_MATTERS,
	ST_APPT_PERSON_DAY,
	ST_APPT_PERSON_SLOT,
	ST_APPT_NO_SHOWS,
	ST_APPT_DUE,
	ST_APPT_DAY,
	ST_APPT_PURGE,
	ST_TICKET_PURGE,
	ST_OUTBOX_ADD,
	ST_OUTBOX_SET,
	ST_OUTBOX_GET,
	ST_OUTBOX_DUE,
	ST_OUTBOX_OF,
	ST_OUTBOX_NEWEST,
	ST_OUTBOX_PENDING,
	ST_OUTBOX_COUNT,
	ST_OUTBOX_PURGE,
	ST_BLOCK_PUT,
	ST_BLOCK_DEL,
	ST_BLOCKS,
	ST_CASE_PUT,
	ST_CASE_GET,
	ST_CASE_LIST,
	ST_CASE_DUE,
	ST_CASE_COUNTS,
	ST_CASE_MAX_ID,
	ST_CASE_OF_TICKET,
	ST_RATING_STRIKE,
	ST_RATINGS_RANGE,
	ST_RATING_GET,
	ST_TICKETS_DAY,
	ST_MAX
};

static const char *const stmt_sql[ST_MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT cmd",
	[ST_RELEASE] = "RELEASE cmd",
	[ST_ROLLBACK_TO] = "ROLLBACK TO cmd",
	/* An upsert on id, not INSERT OR REPLACE: a second (day, number) must
	 * fail the command, not silently delete the ticket that holds it. */
	[ST_TICKET_PUT] = "INSERT INTO tickets (" TICKET_COLS ") "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
	    "ON CONFLICT (id) DO UPDATE SET day = excluded.day, "
	    "number = excluded.number, prefix = excluded.prefix, "
	    "seqno = excluded.seqno, matter = excluded.matter, "
	    "class = excluded.class, channel = excluded.channel, "
	    "state = excluded.state, window = excluded.window, "
	    "target_window = excluded.target_window, held_by = excluded.held_by, "
	    "issued_at = excluded.issued_at, arrival = excluded.arrival, "
	    "slot_start = excluded.slot_start, called_at = excluded.called_at, "
	    "serving_at = excluded.serving_at, ended_at = excluded.ended_at, "
	    "no_show_at = excluded.no_show_at, recalls = excluded.recalls, "
	    "transfers = excluded.transfers, phone = excluded.phone, "
	    "id_number = excluded.id_number, token = excluded.token, "
	    "finished_by = excluded.finished_by, rated = excluded.rated, "
	    "notify = excluded.notify, appointment = excluded.appointment, "
	    "first_called_at = excluded.first_called_at",
	[ST_TICKET_GET] = "SELECT " TICKET_COLS " FROM tickets WHERE id = ?",
	[ST_TICKETS_LIVE] = "SELECT " TICKET_COLS " FROM tickets WHERE day = ? "
	    "OR state IN ('waiting','called','serving','held','transferred') "
	    "ORDER BY id",
	[ST_TICKET_MAX_ID] = "SELECT COALESCE(MAX(id), 0) FROM tickets",
	[ST_WINDOW_PUT] = "INSERT OR REPLACE INTO windows (number, state, ticket, since) "
	    "VALUES (?,?,?,?)",
	[ST_WINDOWS] = "SELECT number, state, ticket, since FROM windows",
	[ST_COUNTER_PUT] = "INSERT OR REPLACE INTO counters (day, prefix, last) "
	    "VALUES (?,?,?)",
	[ST_COUNTER_GET] = "SELECT last FROM counters WHERE day = ? AND prefix = ?",
	[ST_EVENT_PUT] = "INSERT INTO events (seq, at, type, body) VALUES (?,?,?,?)",
	[ST_EVENTS] = "SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
	[ST_EVENTS_TYPE] = "SELECT seq, body FROM events INDEXED BY events_type"
	    " WHERE type = ? AND seq < ? AND at >= ? AND at < ?"
	    " ORDER BY seq DESC LIMIT ?",
	[ST_EVENT_MAX_SEQ] = "SELECT COALESCE(MAX(seq), 0) FROM events",
	[ST_EVENT_LAST_AT] = "SELECT at FROM events ORDER BY seq DESC LIMIT 1",
	[ST_META_PUT] = "INSERT OR REPLACE INTO meta (key, value) VALUES (?,?)",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?",
	/* One rating per ticket: a second one fails on the key. */
	[ST_RATING_PUT] = "INSERT INTO ratings (" RATING_COLS ") "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_REMOTE_PUT] = "INSERT OR REPLACE INTO remotes (device, remote, window, at) "
	    "VALUES (?,?,?,?)",
	[ST_REMOTES] = "SELECT remote, window FROM remotes WHERE device = ?",
	[ST_RATINGS_DAY] = "SELECT score, COUNT(*) FROM ratings WHERE day = ? "
	    "AND struck = 0 GROUP BY score",
	[ST_CURSOR_PUT] = "INSERT OR REPLACE INTO cursors (name, seq) VALUES (?,?)",
	[ST_CURSOR_GET] = "SELECT seq FROM cursors WHERE name = ?",
	[ST_APPT_PUT] = "INSERT INTO appointments (" APPT_COLS ") "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
	    "ON CONFLICT (code) DO UPDATE SET matter = excluded.matter, "
	    "day = excluded.day, start = excluded.start, end = excluded.end, "
	    "state = excluded.state, ticket = excluded.ticket, "
	    "late = excluded.late, checked_in_at = excluded.checked_in_at, "
	    "changed_at = excluded.changed_at",
	[ST_APPT_GET] = "SELECT " APPT_COLS " FROM appointments WHERE code = ?",
	/* Places taken per slot: booked or checked in. */
	/* By the start index: "+state" keeps SQLite off the state index,
	 * which would walk every open booking of every day. */
	[ST_APPT_SLOT_MATTERS] = "SELECT start, matter, COUNT(*) FROM appointments "
	    "WHERE start >= ? AND start < ? AND +state IN ('booked','checked_in') "
	    "GROUP BY start, matter",
	[ST_APPT_PERSON_DAY] = "SELECT COUNT(*) FROM appointments WHERE "
	    "id_number = ? AND day = ? AND state IN ('booked','checked_in')",
	[ST_APPT_PERSON_SLOT] = "SELECT COUNT(*) FROM appointments WHERE "
	    "id_number = ? AND matter = ? AND start = ? AND state IN "
	    "('booked','checked_in')",
	[ST_APPT_NO_SHOWS] = "SELECT COUNT(*), COALESCE(MAX(end), 0) FROM "
	    "appointments WHERE id_number = ? AND state = 'no_show' AND end >= ?",
	[ST_APPT_DUE] = "SELECT " APPT_COLS " FROM appointments WHERE "
	    "state = 'booked' AND end < ? ORDER BY end LIMIT ?",
	/* A day's bookings, or one person's (id_number) of that day. */
	[ST_APPT_DAY] = "SELECT " APPT_COLS " FROM appointments WHERE day = ? "
	    "AND (?2 IS NULL OR id_number = ?2) ORDER BY start, booked_at",
	[ST_APPT_PURGE] = "UPDATE appointments SET phone = NULL, "
	    "id_number = NULL, name = NULL WHERE start < ? AND (phone IS NOT "
	    "NULL OR id_number IS NOT NULL OR name IS NOT NULL)",
	[ST_TICKET_PURGE] = "UPDATE tickets SET phone = NULL, id_number = NULL "
	    "WHERE issued_at < ? AND (phone IS NOT NULL OR id_number IS NOT NULL)",
	/* One row per (ticket, kind), and per (booking, kind, time): a
	 * second is ignored (0 changes), never an error. */
	[ST_OUTBOX_ADD] = "INSERT OR IGNORE INTO outbox (kind, ticket, appointment, "
	    "phone, text, params, state, attempts, next_at, created_at) "
	    "VALUES (?,?,?,?,?,?,'queued',0,?,?)",
	[ST_OUTBOX_SET] = "UPDATE outbox SET state = ?, attempts = ?, next_at = ?, "
	    "sent_at = ?, done_at = ?, gateway_id = ?, error = ? WHERE id = ?",
	[ST_OUTBOX_GET] = "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?",
	[ST_OUTBOX_DUE] = "SELECT " OUTBOX_COLS " FROM outbox WHERE state IN "
	    "('queued','sending') AND next_at <= ? ORDER BY next_at, id LIMIT ?",
	[ST_OUTBOX_OF] = "SELECT " OUTBOX_COLS " FROM outbox WHERE "
	    "(?1 IS NOT NULL AND ticket = ?1) OR (?2 IS NOT NULL AND appointment = ?2) "
	    "ORDER BY id",
	[ST_OUTBOX_NEWEST] = "SELECT " OUTBOX_COLS " FROM outbox ORDER BY id DESC "
	    "LIMIT ?",
	/* The still unsent rows of a ticket or a booking. */
	[ST_OUTBOX_PENDING] = "SELECT " OUTBOX_COLS " FROM outbox WHERE state = "
	    "'queued' AND ((?1 IS NOT NULL AND ticket = ?1) OR (?2 IS NOT NULL AND "
	    "appointment = ?2 AND ticket IS NULL)) ORDER BY id",
	[ST_OUTBOX_COUNT] = "SELECT COUNT(*), COALESCE(MIN(next_at), 0) FROM outbox "
	    "WHERE state = ?",
	[ST_OUTBOX_PURGE] = "UPDATE outbox SET phone = NULL WHERE created_at < ? "
	    "AND phone IS NOT NULL",
	[ST_BLOCK_PUT] = "INSERT OR REPLACE INTO slot_blocks (matter, start, end, at) "
	    "VALUES (?,?,?,?)",
	[ST_BLOCK_DEL] = "DELETE FROM slot_blocks WHERE matter = ? AND start = ? "
	    "AND end = ?",
	[ST_BLOCKS] = "SELECT matter, start, end FROM slot_blocks WHERE end > ? "
	    "ORDER BY start",
	[ST_CASE_PUT] = "INSERT OR REPLACE INTO cases (" CASE_COLS ") "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_CASE_GET] = "SELECT " CASE_COLS " FROM cases WHERE id = ?",
	/* ?1 state filter: 0 all, 1 open, 2 overdue (?2 now), 3 closed;
	 * ?3 kind or NULL; ?4, ?5 days opened or NULL. */
	[ST_CASE_LIST] = "SELECT " CASE_COLS " FROM cases WHERE "
	    "(?1 = 0 OR (?1 = 1 AND state <> 'closed') OR (?1 = 2 AND "
	    "state <> 'closed' AND due_at < ?2) OR (?1 = 3 AND state = 'closed')) "
	    "AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR day >= ?4) "
	    "AND (?5 IS NULL OR day <= ?5) ORDER BY id DESC LIMIT ?6",
	[ST_CASE_DUE] = "SELECT " CASE_COLS " FROM cases WHERE state <> 'closed' "
	    "AND overdue = 0 AND due_at < ? ORDER BY due_at LIMIT ?",
	[ST_CASE_COUNTS] = "SELECT COUNT(*), COALESCE(SUM(due_at < ?), 0) FROM "
	    "cases WHERE state <> 'closed'",
	[ST_CASE_MAX_ID] = "SELECT COALESCE(MAX(id), 0) FROM cases",
	[ST_CASE_OF_TICKET] = "SELECT " CASE_COLS " FROM cases WHERE ticket = ? "
	    "AND kind = 'rating' ORDER BY id LIMIT 1",
	[ST_RATING_STRIKE] = "UPDATE ratings SET struck = 1 WHERE ticket = ?",
	[ST_RATING_GET] = "SELECT " RATING_COLS " FROM ratings WHERE ticket = ?",
	[ST_TICKETS_DAY] = "SELECT " TICKET_COLS " FROM tickets WHERE day = ?",
	[ST_RATINGS_RANGE] = "SELECT " RATING_COLS " FROM ratings WHERE day >= ? "
	    "AND day <= ? AND score IS NOT NULL AND ticket > ? ORDER BY ticket "
	    "LIMIT ?",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST_MAX];
};

static int
store_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_user_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Bring the schema to version `upto`, one migration a transaction. */
static int
store_migrate(struct store *s, int upto, char *err, size_t errlen)
{
	char sql[64], why[256];
	int v = store_user_version(s);

	if (v < 0) {
		snprintf(err, errlen, "cannot read schema version: %s",
		    sqlite3_errmsg(s->db));
		return -1;
	}
	if (v > store_schema_version) {
		snprintf(err, errlen, "database schema version %d is newer than "
		    "this hallqd knows (%d)", v, store_schema_version);
		return -1;
	}
	for (; v < upto; v++) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, "BEGIN IMMEDIATE", why, sizeof why) == -1 ||
		    store_exec(s, migrations[v], why, sizeof why) == -1 ||
		    store_exec(s, sql, why, sizeof why) == -1 ||
		    store_exec(s, "COMMIT", why, sizeof why) == -1) {
			snprintf(err, errlen, "migration to version %d: %s", v + 1, why);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

/*
 * PRAGMA quick_check before anything is written: a damaged file (a disk
 * fault, a copy cut short) is refused with what to do rather than served
 * until it fails in the middle of a morning.  Anything the check cannot
 * even read (not a database, a malformed page 1) counts as damaged too.
 */
static int
store_quick_check(struct store *s, const char *path, char *err, size_t errlen)
{
	char what[300];
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc, rows = 0, ok = 0;

	what[0] = '\0';
	if ((rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(5)", -1, &st,
	    NULL)) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(st, 0);

			if (rows++ == 0 && t != NULL && strcmp(t, "ok") == 0)
				ok = 1;
			if (n < sizeof what)
				n += (size_t)snprintf(what + n, sizeof what - n,
				    "%s%s", n ? "; " : "", t ? t : "?");
		}
		sqlite3_finalize(st);
	}
	if (rc == SQLITE_DONE && ok && rows == 1)
		return 0;
	if (rc != SQLITE_DONE) {
		if (rc != SQLITE_CORRUPT && rc != SQLITE_NOTADB) {
			snprintf(err, errlen, "%s: cannot be checked: %s", path,
			    sqlite3_errmsg(s->db));
			return -1;
		}
		snprintf(what, sizeof what, "%s", sqlite3_errmsg(s->db));
	}
	snprintf(err, errlen, "%s is damaged (PRAGMA quick_check: %s); hallqd "
	    "will not start on it.  Restore the last backup: stop hallqd, copy "
	    "the newest good backup (hallqd --backup, or backup.dir's "
	    "hallq-YYYY-MM-DD.db) over %s, remove %s-wal and %s-shm, start "
	    "hallqd", path, what, path, path, path);
	return -1;
}

struct store *
store_open_upto(const char *path, int version, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof *s);
	int i;

	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ?
		    sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (store_quick_check(s, path, err, errlen) == -1)
		goto fail;
	if (store_exec(s, "PRAGMA journal_mode = WAL", err, errlen) == -1 ||
	    store_exec(s, "PRAGMA synchronous = FULL", err, errlen) == -1 ||
	    store_exec(s, "PRAGMA foreign_keys = ON", err, errlen) == -1)
		goto fail;
	if (store_migrate(s, version, err, errlen) == -1)
		goto fail;
	if (version < store_schema_version)
		return s;	/* an old schema, for migration tests: no statements */
	for (i = 0; i < ST_MAX; i++) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "prepare %d: %s", i,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	return s;
fail:
	store_close(s);
	return NULL;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	return store_open_upto(path, store_schema_version, err, errlen);
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < ST_MAX; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("sqlite close: %s", sqlite3_errmsg(s->db));
	free(s);
}

const char *
store_errmsg(struct store *s)
{
	return sqlite3_errmsg(s->db);
}

/* Step a write statement to completion and reset it. */
static int
store_run(struct store *s, enum stmt id)
{
	sqlite3_stmt *st = s->st[id];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("sqlite: %s: %s", stmt_sql[id], sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int
store_begin(struct store *s)
{
	return store_run(s, ST_BEGIN);
}

int
store_commit(struct store *s)
{
	return store_run(s, ST_COMMIT);
}

void
store_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db) == 0)
		store_run(s, ST_ROLLBACK);
}

/* One command inside a larger transaction (group commit). */
int
store_savepoint(struct store *s)
{
	return store_run(s, ST_SAVEPOINT);
}

int
store_release(struct store *s)
{
	return store_run(s, ST_RELEASE);
}

/* Undo the command's writes; the transaction around it goes on. */
int
store_rollback_to(struct store *s)
{
	if (store_run(s, ST_ROLLBACK_TO) == -1)
		return -1;
	return store_run(s, ST_RELEASE);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* 0 stands for "none" in the ticket's optional numbers. */
static void
bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

int
store_ticket_put(struct store *s, const struct store_ticket *t)
{
	sqlite3_stmt *st = s->st[ST_TICKET_PUT];

	sqlite3_bind_int64(st, 1, t->id);
	bind_text(st, 2, t->day);
	bind_text(st, 3, t->number);
	bind_text(st, 4, t->prefix);
	sqlite3_bind_int64(st, 5, t->seqno);
	bind_text(st, 6, t->matter);
	bind_text(st, 7, t->cls);
	bind_text(st, 8, t->channel);
	bind_text(st, 9, t->state);
	bind_opt(st, 10, t->window);
	bind_opt(st, 11, t->target_window);
	bind_opt(st, 12, t->held_by);
	sqlite3_bind_int64(st, 13, t->issued_at);
	sqlite3_bind_int64(st, 14, t->arrival);
	bind_opt(st, 15, t->slot_start);
	bind_opt(st, 16, t->called_at);
	bind_opt(st, 17, t->serving_at);
	bind_opt(st, 18, t->ended_at);
	bind_opt(st, 19, t->no_show_at);
	sqlite3_bind_int(st, 20, t->recalls);
	sqlite3_bind_int(st, 21, t->transfers);
	bind_text(st, 22, t->phone);
	bind_text(st, 23, t->id_number);
	bind_text(st, 24, t->token);
	bind_text(st, 25, t->finished_by);
	sqlite3_bind_int(st, 26, t->rated);
	sqlite3_bind_int(st, 27, t->notify);
	bind_text(st, 28, t->appointment);
	bind_opt(st, 29, t->first_called_at);
	return store_run(s, ST_TICKET_PUT);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
ticket_from_row(sqlite3_stmt *st, struct store_ticket *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->day = col_text(st, 1);
	t->number = col_text(st, 2);
	t->prefix = col_text(st, 3);
	t->seqno = sqlite3_column_int64(st, 4);
	t->matter = col_text(st, 5);
	t->cls = col_text(st, 6);
	t->channel = col_text(st, 7);
	t->state = col_text(st, 8);
	t->window = sqlite3_column_int(st, 9);
	t->target_window = sqlite3_column_int(st, 10);
	t->held_by = sqlite3_column_int(st, 11);
	t->issued_at = sqlite3_column_int64(st, 12);
	t->arrival = sqlite3_column_int64(st, 13);
	t->slot_start = sqlite3_column_int64(st, 14);
	t->called_at = sqlite3_column_int64(st, 15);
	t->serving_at = sqlite3_column_int64(st, 16);
	t->ended_at = sqlite3_column_int64(st, 17);
	t->no_show_at = sqlite3_column_int64(st, 18);
	t->recalls = sqlite3_column_int(st, 19);
	t->transfers = sqlite3_column_int(st, 20);
	t->phone = col_text(st, 21);
	t->id_number = col_text(st, 22);
	t->token = col_text(st, 23);
	t->finished_by = col_text(st, 24);
	t->rated = sqlite3_column_int(st, 25);
	t->notify = sqlite3_column_int(st, 26);
	t->appointment = col_text(st, 27);
	t->first_called_at = sqlite3_column_int64(st, 28);
}

/* Step a read statement, handing each row to fn; returns rows or -1. */
static int
store_rows(struct store *s, enum stmt id, void (*fn)(sqlite3_stmt *, void *),
    void *arg)
{
	sqlite3_stmt *st = s->st[id];
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fn(st, arg);
		n++;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("sqlite: %s: %s", stmt_sql[id], sqlite3_errmsg(s->db));
		return -1;
	}
	return n;
}

struct ticket_rows {
	store_ticket_cb	 cb;
	void		*arg;
};

static void
ticket_row_fn(sqlite3_stmt *st, void *arg)
{
	struct ticket_rows *r = arg;
	struct store_ticket t;

	ticket_from_row(st, &t);
	r->cb(r->arg, &t);
}

int
store_ticket_get(struct store *s, int64_t id, store_ticket_cb cb, void *arg)
{
	struct ticket_rows r = { cb, arg };

	sqlite3_bind_int64(s->st[ST_TICKET_GET], 1, id);
	return store_rows(s, ST_TICKET_GET, ticket_row_fn, &r);
}

int
store_tickets_live(struct store *s, const char *day, store_ticket_cb cb, void *arg)
{
	struct ticket_rows r = { cb, arg };

	bind_text(s->st[ST_TICKETS_LIVE], 1, day);
	return store_rows(s, ST_TICKETS_LIVE, ticket_row_fn, &r);
}

static void
int64_row_fn(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
}

int
store_tickets_day(struct store *s, const char *day, store_ticket_cb cb,
    void *arg)
{
	struct ticket_rows r = { cb, arg };

	bind_text(s->st[ST_TICKETS_DAY], 1, day);
	return store_rows(s, ST_TICKETS_DAY, ticket_row_fn, &r);
}

int64_t
store_ticket_max_id(struct store *s)
{
	int64_t v = 0;

	if (store_rows(s, ST_TICKET_MAX_ID, int64_row_fn, &v) == -1)
		return -1;
	return v;
}

int
store_window_put(struct store *s, const struct store_window *w)
{
	sqlite3_stmt *st = s->st[ST_WINDOW_PUT];

	sqlite3_bind_int(st, 1, w->number);
	bind_text(st, 2, w->state);
	bind_opt(st, 3, w->ticket);
	sqlite3_bind_int64(st, 4, w->since);
	return store_run(s, ST_WINDOW_PUT);
}

struct window_rows {
	store_window_cb	 cb;
	void		*arg;
};

static void
window_row_fn(sqlite3_stmt *st, void *arg)
{
	struct window_rows *r = arg;
	struct store_window w;

	w.number = sqlite3_column_int(st, 0);
	w.state = col_text(st, 1);
	w.ticket = sqlite3_column_int64(st, 2);
	w.since = sqlite3_column_int64(st, 3);
	r->cb(r->arg, &w);
}

int
store_windows(struct store *s, store_window_cb cb, void *arg)
{
	struct window_rows r = { cb, arg };

	return store_rows(s, ST_WINDOWS, window_row_fn, &r);
}

int
store_counter_put(struct store *s, const char *day, const char *prefix, int64_t last)
{
	sqlite3_stmt *st = s->st[ST_COUNTER_PUT];

	bind_text(st, 1, day);
	bind_text(st, 2, prefix);
	sqlite3_bind_int64(st, 3, last);
	return store_run(s, ST_COUNTER_PUT);
}

int64_t
store_counter_get(struct store *s, const char *day, const char *prefix)
{
	int64_t v = 0;

	bind_text(s->st[ST_COUNTER_GET], 1, day);
	bind_text(s->st[ST_COUNTER_GET], 2, prefix);
	if (store_rows(s, ST_COUNTER_GET, int64_row_fn, &v) == -1)
		return -1;
	return v;
}

int
store_event_put(struct store *s, int64_t seq, int64_t at, const char *type,
    const char *json)
{
	sqlite3_stmt *st = s->st[ST_EVENT_PUT];

	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	bind_text(st, 3, type);
	bind_text(st, 4, json);
	return store_run(s, ST_EVENT_PUT);
}

/* The rows of a bound events statement (seq, body) to cb; how many, or -1. */
static int
store_event_rows(struct store *s, sqlite3_stmt *st, store_event_cb cb, void *arg)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (cb(arg, sqlite3_column_int64(st, 0), col_text(st, 1)) == -1) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("sqlite: events: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return n;
}

int
store_events(struct store *s, int64_t since, int limit, store_event_cb cb, void *arg)
{
	sqlite3_stmt *st = s->st[ST_EVENTS];

	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int(st, 2, limit);
	return store_event_rows(s, st, cb, arg);
}

/* Events of one type, newest first: seq below `before`, at in [from, to). */
int
store_events_type(struct store *s, const char *type, int64_t before,
    int64_t from, int64_t to, int limit, store_event_cb cb, void *arg)
{
	sqlite3_stmt *st = s->st[ST_EVENTS_TYPE];

	bind_text(st, 1, type);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	sqlite3_bind_int(st, 5, limit);
	return store_event_rows(s, st, cb, arg);
}

int64_t
store_event_max_seq(struct store *s)
{
	int64_t v = 0;

	if (store_rows(s, ST_EVENT_MAX_SEQ, int64_row_fn, &v) == -1)
		return -1;
	return v;
}

int
store_meta_put(struct store *s, const char *key, const char *value)
{
	bind_text(s->st[ST_META_PUT], 1, key);
	bind_text(s->st[ST_META_PUT], 2, value);
	return store_run(s, ST_META_PUT);
}

int
store_rating_put(struct store *s, const struct store_rating *r)
{
	sqlite3_stmt *st = s->st[ST_RATING_PUT];

	sqlite3_bind_int64(st, 1, r->ticket);
	bind_text(st, 2, r->day);
	bind_opt(st, 3, r->window);
	bind_text(st, 4, r->clerk);
	bind_text(st, 5, r->matter);
	bind_opt(st, 6, r->score);
	bind_text(st, 7, r->source);
	bind_text(st, 8, r->comment);
	sqlite3_bind_int64(st, 9, r->at);
	bind_text(st, 10, r->channel);
	bind_text(st, 11, r->terminal);
	bind_text(st, 12, r->rater_id);
	bind_text(st, 13, r->rater_phone);
	sqlite3_bind_int(st, 14, r->real_name);
	sqlite3_bind_int(st, 15, r->struck);
	return store_run(s, ST_RATING_PUT);
}

int
store_rating_strike(struct store *s, int64_t ticket)
{
	sqlite3_bind_int64(s->st[ST_RATING_STRIKE], 1, ticket);
	return store_run(s, ST_RATING_STRIKE);
}

struct rating_rows {
	store_rating_cb	 cb;
	void		*arg;
};

static void
rating_row_fn(sqlite3_stmt *st, void *arg)
{
	struct rating_rows *r = arg;
	struct store_rating x = {
		.ticket = sqlite3_column_int64(st, 0), .day = col_text(st, 1),
		.window = sqlite3_column_int(st, 2), .clerk = col_text(st, 3),
		.matter = col_text(st, 4), .score = sqlite3_column_int(st, 5),
		.source = col_text(st, 6), .comment = col_text(st, 7),
		.at = sqlite3_column_int64(st, 8), .channel = col_text(st, 9),
		.terminal = col_text(st, 10), .rater_id = col_text(st, 11),
		.rater_phone = col_text(st, 12),
		.real_name = sqlite3_column_int(st, 13),
		.struck = sqlite3_column_int(st, 14),
	};

	r->cb(r->arg, &x);
}

int
store_ratings_range(struct store *s, const char *from, const char *to,
    int64_t after, int limit, store_rating_cb cb, void *arg)
{
	sqlite3_stmt *st = s->st[ST_RATINGS_RANGE];
	struct rating_rows r = { cb, arg };

	bind_text(st, 1, from);
	bind_text(st, 2, to);
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int(st, 4, limit);
	return store_rows(s, ST_RATINGS_RANGE, rating_row_fn, &r);
}

int
store_rating_get(struct store *s, int64_t ticket, store_rating_cb cb, void *arg)
{
	struct rating_rows r = { cb, arg };

	sqlite3_bind_int64(s->st[ST_RATING_GET], 1, ticket);
	return store_rows(s, ST_RATING_GET, rating_row_fn, &r);
}

/* ---------------------------------------------------------------- cases */

int
store_case_put(struct store *s, const struct store_case *k)
{
	sqlite3_stmt *st = s->st[ST_CASE_PUT];

	sqlite3_bind_int64(st, 1, k->id);
	bind_text(st, 2, k->kind);
	bind_opt(st, 3, k->ticket);
	bind_text(st, 4, k->day);
	bind_text(st, 5, k->number);
	bind_text(st, 6, k->matter);
	bind_opt(st, 7, k->window);
	bind_text(st, 8, k->clerk);
	bind_text(st, 9, k->channel);
	bind_opt(st, 10, k->score);
	bind_text(st, 11, k->comment);
	bind_text(st, 12, k->problem);
	bind_text(st, 13, k->place);
	bind_text(st, 14, k->citizen);
	bind_text(st, 15, k->phone);
	sqlite3_bind_int64(st, 16, k->opened_at);
	sqlite3_bind_int64(st, 17, k->due_at);
	bind_text(st, 18, k->state);
	if (k->founded < 0)
		sqlite3_bind_null(st, 19);
	else
		sqlite3_bind_int(st, 19, k->founded);
	sqlite3_bind_int(st, 20, k->struck);
	sqlite3_bind_int(st, 21, k->overdue);
	bind_opt(st, 22, k->closed_at);
	bind_text(st, 23, k->steps ? k->steps : "[]");
	return store_run(s, ST_CASE_PUT);
}

struct case_rows {
	store_case_cb	 cb;
	void		*arg;
};

static void
case_row_fn(sqlite3_stmt *st, void *arg)
{
	struct case_rows *r = arg;
	struct store_case k = {
		.id = sqlite3_column_int64(st, 0), .kind = col_text(st, 1),
		.ticket = sqlite3_column_int64(st, 2), .day = col_text(st, 3),
		.number = col_text(st, 4), .matter = col_text(st, 5),
		.window = sqlite3_column_int(st, 6), .clerk = col_text(st, 7),
		.channel = col_text(st, 8), .score = sqlite3_column_int(st, 9),
		.comment = col_text(st, 10), .problem = col_text(st, 11),
		.place = col_text(st, 12), .citizen = col_text(st, 13),
		.phone = col_text(st, 14),
		.opened_at = sqlite3_column_int64(st, 15),
		.due_at = sqlite3_column_int64(st, 16), .state = col_text(st, 17),
		.founded = sqlite3_column_type(st, 18) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 18),
		.struck = sqlite3_column_int(st, 19),
		.overdue = sqlite3_column_int(st, 20),
		.closed_at = sqlite3_column_int64(st, 21),
		.steps = col_text(st, 22),
	};

	r->cb(r->arg, &k);
}

int
store_case_get(struct store *s, int64_t id, store_case_cb cb, void *arg)
{
	struct case_rows r = { cb, arg };

	sqlite3_bind_int64(s->st[ST_CASE_GET], 1, id);
	return store_rows(s, ST_CASE_GET, case_row_fn, &r);
}

int
store_case_of_ticket(struct store *s, int64_t ticket, store_case_cb cb,
    void *arg)
{
	struct case_rows r = { cb, arg };

	sqlite3_bind_int64(s->st[ST_CASE_OF_TICKET], 1, ticket);
	return store_rows(s, ST_CASE_OF_TICKET, case_row_fn, &r);
}

int
store_cases(struct store *s, int which, int64_t now, const char *kind,
    const char *from, const char *to, int limit, store_case_cb cb, void *arg)
{
	sqlite3_stmt *st = s->st[ST_CASE_LIST];
	struct case_rows r = { cb, arg };

	sqlite3_bind_int(st, 1, which);
	sqlite3_bind_int64(st, 2, now);
	bind_text(st, 3, kind);
	bind_text(st, 4, from);
	bind_text(st, 5, to);
	sqlite3_bind_int(st, 6, limit);
	return store_rows(s, ST_CASE_LIST, case_row_fn, &r);
}

int
store_cases_due(struct store *s, int64_t now, int limit, store_case_cb cb,
    void *arg)
{
	sqlite3_stmt *st = s->st[ST_CASE_DUE];
	struct case_rows r = { cb, arg };

	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, limit);
	return store_rows(s, ST_CASE_DUE, case_row_fn, &r);
}

static void
two_ints_fn(sqlite3_stmt *st, void *arg)
{
	int64_t *v = arg;

	v[0] = sqlite3_column_int64(st, 0);
	v[1] = sqlite3_column_int64(st, 1);
}

int
store_case_counts(struct store *s, int64_t now, int64_t *open,
    int64_t *overdue)
{
	int64_t v[2] = { 0, 0 };

	sqlite3_bind_int64(s->st[ST_CASE_COUNTS], 1, now);
	if (store_rows(s, ST_CASE_COUNTS, two_ints_fn, v) == -1)
		return -1;
	*open = v[0];
	*overdue = v[1];
	return 0;
}

int64_t
store_case_max_id(struct store *s)
{
	int64_t v = 0;

	if (store_rows(s, ST_CASE_MAX_ID, int64_row_fn, &v) == -1)
		return -1;
	return v;
}

int
store_remote_put(struct store *s, const char *device, int64_t remote,
    int window, int64_t at)
{
	sqlite3_stmt *st = s->st[ST_REMOTE_PUT];

	bind_text(st, 1, device);
	sqlite3_bind_int64(st, 2, remote);
	sqlite3_bind_int(st, 3, window);
	sqlite3_bind_int64(st, 4, at);
	return store_run(s, ST_REMOTE_PUT);
}

struct remote_rows {
	store_remote_cb	 cb;
	void		*arg;
};

static void
remote_row_fn(sqlite3_stmt *st, void *arg)
{
	struct remote_rows *r = arg;

	r->cb(r->arg, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1));
}

int
store_remotes(struct store *s, const char *device, store_remote_cb cb, void *arg)
{
	struct remote_rows r = { cb, arg };

	bind_text(s->st[ST_REMOTES], 1, device);
	return store_rows(s, ST_REMOTES, remote_row_fn, &r);
}

static void
ratings_row_fn(sqlite3_stmt *st, void *arg)
{
	int64_t *by = arg;	/* [0] not rated, [1..5] per score */
	int score = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 :
	    sqlite3_column_int(st, 0);

	if (score >= 0 && score <= 5)
		by[score] += sqlite3_column_int64(st, 1);
}

int
store_ratings_day(struct store *s, const char *day, int64_t by[6])
{
	memset(by, 0, 6 * sizeof by[0]);
	bind_text(s->st[ST_RATINGS_DAY], 1, day);
	return store_rows(s, ST_RATINGS_DAY, ratings_row_fn, by);
}

static void
text_row_fn(sqlite3_stmt *st, void *arg)
{
	*(char **)arg = xstrdup(col_text(st, 0));
}

char *
store_meta_get(struct store *s, const char *key)
{
	char *v = NULL;

	bind_text(s->st[ST_META_GET], 1, key);
	store_rows(s, ST_META_GET, text_row_fn, &v);
	return v;
}

/* A durable subscriber's cursor: the last seq it has handled. */
int
store_cursor_put(struct store *s, const char *name, int64_t seq)
{
	bind_text(s->st[ST_CURSOR_PUT], 1, name);
	sqlite3_bind_int64(s->st[ST_CURSOR_PUT], 2, seq);
	return store_run(s, ST_CURSOR_PUT);
}

/* -1 when it has none yet (a new subscriber), -2 on a database error. */
int64_t
store_cursor_get(struct store *s, const char *name)
{
	sqlite3_stmt *st = s->st[ST_CURSOR_GET];
	int64_t v = -1;
	int rc;

	bind_text(st, 1, name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		log_warnx("sqlite: cursor %s: %s", name, sqlite3_errmsg(s->db));
		v = -2;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return v;
}

/* ---------------------------------------------------------- appointments */

int
store_appt_put(struct store *s, const struct store_appt *a)
{
	sqlite3_stmt *st = s->st[ST_APPT_PUT];

	bind_text(st, 1, a->code);
	bind_text(st, 2, a->token);
	bind_text(st, 3, a->matter);
	bind_text(st, 4, a->day);
	sqlite3_bind_int64(st, 5, a->start);
	sqlite3_bind_int64(st, 6, a->end);
	bind_text(st, 7, a->state);
	bind_text(st, 8, a->channel);
	bind_opt(st, 9, a->ticket);
	sqlite3_bind_int(st, 10, a->late);
	bind_text(st, 11, a->phone);
	bind_text(st, 12, a->id_number);
	bind_text(st, 13, a->name);
	sqlite3_bind_int64(st, 14, a->booked_at);
	bind_opt(st, 15, a->checked_in_at);
	sqlite3_bind_int64(st, 16, a->changed_at);
	sqlite3_bind_int(st, 17, a->notify);
	return store_run(s, ST_APPT_PUT);
}

/* Rows of an APPT_COLS statement to cb (through store_rows). */
struct appt_rows {
	store_appt_cb	 cb;
	void		*arg;
};

static void
appt_row_fn(sqlite3_stmt *st, void *arg)
{
	struct appt_rows *r = arg;
	struct store_appt a;

	a.code = col_text(st, 0);
	a.token = col_text(st, 1);
	a.matter = col_text(st, 2);
	a.day = col_text(st, 3);
	a.start = sqlite3_column_int64(st, 4);
	a.end = sqlite3_column_int64(st, 5);
	a.state = col_text(st, 6);
	a.channel = col_text(st, 7);
	a.ticket = sqlite3_column_int64(st, 8);
	a.late = sqlite3_column_int(st, 9);
	a.phone = col_text(st, 10);
	a.id_number = col_text(st, 11);
	a.name = col_text(st, 12);
	a.booked_at = sqlite3_column_int64(st, 13);
	a.checked_in_at = sqlite3_column_int64(st, 14);
	a.changed_at = sqlite3_column_int64(st, 15);
	a.notify = sqlite3_column_int(st, 16);
	r->cb(r->arg, &a);
}

static int
store_appt_rows(struct store *s, enum stmt id, store_appt_cb cb, void *arg)
{
	struct appt_rows r = { cb, arg };

	return store_rows(s, id, appt_row_fn, &r);
}

/* 1 found (cb called), 0 none, -1 error. */
int
store_appt_get(struct store *s, const char *code, store_appt_cb cb, void *arg)
{
	bind_text(s->st[ST_APPT_GET], 1, code);
	return store_appt_rows(s, ST_APPT_GET, cb, arg);
}

int
store_appts_due(struct store *s, int64_t end_before, int limit,
    store_appt_cb cb, void *arg)
{
	sqlite3_bind_int64(s->st[ST_APPT_DUE], 1, end_before);
	sqlite3_bind_int(s->st[ST_APPT_DUE], 2, limit);
	return store_appt_rows(s, ST_APPT_DUE, cb, arg);
}

/* A day's bookings, or (id_number not NULL) one person's that day. */
int
store_appts_day(struct store *s, const char *day, const char *id_number,
    store_appt_cb cb, void *arg)
{
	bind_text(s->st[ST_APPT_DAY], 1, day);
	bind_text(s->st[ST_APPT_DAY], 2, id_number);
	return store_appt_rows(s, ST_APPT_DAY, cb, arg);
}

/* One integer (or two) from a counting statement; -1 on error. */
static int64_t
store_count(struct store *s, enum stmt id, int64_t *second)
{
	sqlite3_stmt *st = s->st[id];
	int64_t v = -1;

	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		if (second != NULL)
			*second = sqlite3_column_int64(st, 1);
	} else
		log_warnx("sqlite: %s: %s", stmt_sql[id], sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return v;
}

int64_t
store_appt_person_day(struct store *s, const char *id_number, const char *day)
{
	bind_text(s->st[ST_APPT_PERSON_DAY], 1, id_number);
	bind_text(s->st[ST_APPT_PERSON_DAY], 2, day);
	return store_count(s, ST_APPT_PERSON_DAY, NULL);
}

int64_t
store_appt_person_slot(struct store *s, const char *id_number,
    const char *matter, int64_t start)
{
	bind_text(s->st[ST_APPT_PERSON_SLOT], 1, id_number);
	bind_text(s->st[ST_APPT_PERSON_SLOT], 2, matter);
	sqlite3_bind_int64(s->st[ST_APPT_PERSON_SLOT], 3, start);
	return store_count(s, ST_APPT_PERSON_SLOT, NULL);
}

/* No-shows of a person whose slot ended at `since` or later; *last the
 * latest one's end. */
int64_t
store_appt_no_shows(struct store *s, const char *id_number, int64_t since,
    int64_t *last)
{
	bind_text(s->st[ST_APPT_NO_SHOWS], 1, id_number);
	sqlite3_bind_int64(s->st[ST_APPT_NO_SHOWS], 2, since);
	return store_count(s, ST_APPT_NO_SHOWS, last);
}

/* When the newest event was written; 0 when there is none, -1 on error. */
int64_t
store_event_last_at(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_EVENT_LAST_AT];
	int64_t v = 0;
	int rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		log_warnx("sqlite: last event: %s", sqlite3_errmsg(s->db));
		v = -1;
	}
	sqlite3_reset(st);
	return v;
}

/* Places taken per slot start and matter, every matter, in [from, to). */
struct slot_rows {
	store_slot_cb	 cb;
	void		*arg;
};

static void
slot_row_fn(sqlite3_stmt *st, void *arg)
{
	struct slot_rows *r = arg;

	r->cb(r->arg, sqlite3_column_int64(st, 0), col_text(st, 1),
	    sqlite3_column_int64(st, 2));
}

int
store_appt_slot_matters(struct store *s, int64_t from, int64_t to,
    store_slot_cb cb, void *arg)
{
	struct slot_rows r = { cb, arg };

	sqlite3_bind_int64(s->st[ST_APPT_SLOT_MATTERS], 1, from);
	sqlite3_bind_int64(s->st[ST_APPT_SLOT_MATTERS], 2, to);
	return store_rows(s, ST_APPT_SLOT_MATTERS, slot_row_fn, &r);
}

/* Personal data of bookings whose slot began before `before`, and of tickets
 * issued before it, emptied.  Rows changed, or -1. */
int
store_purge_personal(struct store *s, int64_t before)
{
	int n;

	sqlite3_bind_int64(s->st[ST_APPT_PURGE], 1, before);
	if (store_run(s, ST_APPT_PURGE) == -1)
		return -1;
	n = sqlite3_changes(s->db);
	sqlite3_bind_int64(s->st[ST_TICKET_PURGE], 1, before);
	if (store_run(s, ST_TICKET_PURGE) == -1)
		return -1;
	return n + sqlite3_changes(s->db);
}

int
store_block_put(struct store *s, const char *matter, int64_t start,
    int64_t end, int64_t at)
{
	sqlite3_stmt *st = s->st[ST_BLOCK_PUT];

	bind_text(st, 1, matter);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, end);
	sqlite3_bind_int64(st, 4, at);
	return store_run(s, ST_BLOCK_PUT);
}

/* Rows removed (0 or 1), or -1. */
int
store_block_del(struct store *s, const char *matter, int64_t start, int64_t end)
{
	sqlite3_stmt *st = s->st[ST_BLOCK_DEL];

	bind_text(st, 1, matter);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, end);
	if (store_run(s, ST_BLOCK_DEL) == -1)
		return -1;
	return sqlite3_changes(s->db);
}

struct block_rows {
	store_block_cb	 cb;
	void		*arg;
};

static void
block_row_fn(sqlite3_stmt *st, void *arg)
{
	struct block_rows *r = arg;

	r->cb(r->arg, col_text(st, 0), sqlite3_column_int64(st, 1),
	    sqlite3_column_int64(st, 2));
}

int
store_blocks(struct store *s, int64_t end_after, store_block_cb cb, void *arg)
{
	struct block_rows r = { cb, arg };

	sqlite3_bind_int64(s->st[ST_BLOCKS], 1, end_after);
	return store_rows(s, ST_BLOCKS, block_row_fn, &r);
}

/* ---------------------------------------------------------------- outbox */

/* The new row's id, 0 when one of its kind is there already, -1 on error. */
int64_t
store_outbox_add(struct store *s, const struct store_outbox *o)
{
	sqlite3_stmt *st = s->st[ST_OUTBOX_ADD];

	bind_text(st, 1, o->kind);
	bind_opt(st, 2, o->ticket);
	bind_text(st, 3, o->appointment);
	bind_text(st, 4, o->phone);
	bind_text(st, 5, o->text);
	bind_text(st, 6, o->params);
	sqlite3_bind_int64(st, 7, o->next_at);
	sqlite3_bind_int64(st, 8, o->created_at);
	if (store_run(s, ST_OUTBOX_ADD) == -1)
		return -1;
	return sqlite3_changes(s->db) == 0 ? 0 : sqlite3_last_insert_rowid(s->db);
}

int
store_outbox_set(struct store *s, const struct store_outbox *o)
{
	sqlite3_stmt *st = s->st[ST_OUTBOX_SET];

	bind_text(st, 1, o->state);
	sqlite3_bind_int(st, 2, o->attempts);
	sqlite3_bind_int64(st, 3, o->next_at);
	bind_opt(st, 4, o->sent_at);
	bind_opt(st, 5, o->done_at);
	bind_text(st, 6, o->gateway_id);
	bind_text(st, 7, o->error);
	sqlite3_bind_int64(st, 8, o->id);
	return store_run(s, ST_OUTBOX_SET);
}

struct outbox_rows {
	store_outbox_cb	 cb;
	void		*arg;
};

static void
outbox_row_fn(sqlite3_stmt *st, void *arg)
{
	struct outbox_rows *r = arg;
	struct store_outbox o;

	o.id = sqlite3_column_int64(st, 0);
	o.kind = col_text(st, 1);
	o.ticket = sqlite3_column_int64(st, 2);
	o.appointment = col_text(st, 3);
	o.phone = col_text(st, 4);
	o.text = col_text(st, 5);
	o.params = col_text(st, 6);
	o.state = col_text(st, 7);
	o.attempts = sqlite3_column_int(st, 8);
	o.next_at = sqlite3_column_int64(st, 9);
	o.created_at = sqlite3_column_int64(st, 10);
	o.sent_at = sqlite3_column_int64(st, 11);
	o.done_at = sqlite3_column_int64(st, 12);
	o.gateway_id = col_text(st, 13);
	o.error = col_text(st, 14);
	r->cb(r->arg, &o);
}

static int
store_outbox_rows(struct store *s, enum stmt id, store_outbox_cb cb, void *arg)
{
	struct outbox_rows r = { cb, arg };

	return store_rows(s, id, outbox_row_fn, &r);
}

/* A store_outbox_cb: keeps the row in the struct store_outbox_copy at arg. */
void
store_outbox_keep(void *arg, const struct store_outbox *o)
{
	struct store_outbox_copy *r = arg;
	const char **f[8] = { &r->o.kind, &r->o.appointment, &r->o.phone,
	    &r->o.text, &r->o.params, &r->o.state, &r->o.gateway_id,
	    &r->o.error };
	int i;

	store_outbox_copy_free(r);
	r->o = *o;
	for (i = 0; i < 8; i++) {
		r->s[i] = *f[i] ? xstrdup(*f[i]) : NULL;
		*f[i] = r->s[i];
	}
	r->found = 1;
}

void
store_outbox_copy_free(struct store_outbox_copy *r)
{
	int i;

	for (i = 0; i < 8; i++) {
		free(r->s[i]);
		r->s[i] = NULL;
	}
	r->found = 0;
}

int
store_outbox_get(struct store *s, int64_t id, store_outbox_cb cb, void *arg)
{
	sqlite3_bind_int64(s->st[ST_OUTBOX_GET], 1, id);
	return store_outbox_rows(s, ST_OUTBOX_GET, cb, arg);
}

int
store_outbox_due(struct store *s, int64_t now, int limit, store_outbox_cb cb,
    void *arg)
{
	sqlite3_bind_int64(s->st[ST_OUTBOX_DUE], 1, now);
	sqlite3_bind_int(s->st[ST_OUTBOX_DUE], 2, limit);
	return store_outbox_rows(s, ST_OUTBOX_DUE, cb, arg);
}

/* A ticket's rows (ticket > 0), or a booking's (appointment). */
int
store_outbox_of(struct store *s, int64_t ticket, const char *appointment,
    store_outbox_cb cb, void *arg)
{
	bind_opt(s->st[ST_OUTBOX_OF], 1, ticket);
	bind_text(s->st[ST_OUTBOX_OF], 2, appointment);
	return store_outbox_rows(s, ST_OUTBOX_OF, cb, arg);
}

int
store_outbox_newest(struct store *s, int limit, store_outbox_cb cb, void *arg)
{
	sqlite3_bind_int(s->st[ST_OUTBOX_NEWEST], 1, limit);
	return store_outbox_rows(s, ST_OUTBOX_NEWEST, cb, arg);
}

int
store_outbox_pending(struct store *s, int64_t ticket, const char *appointment,
    store_outbox_cb cb, void *arg)
{
	bind_opt(s->st[ST_OUTBOX_PENDING], 1, ticket);
	bind_text(s->st[ST_OUTBOX_PENDING], 2, appointment);
	return store_outbox_rows(s, ST_OUTBOX_PENDING, cb, arg);
}

/* Rows in a state, and the earliest next_at among them. */
int64_t
store_outbox_count(struct store *s, const char *state, int64_t *first)
{
	bind_text(s->st[ST_OUTBOX_COUNT], 1, state);
	return store_count(s, ST_OUTBOX_COUNT, first);
}

int
store_outbox_purge(struct store *s, int64_t before)
{
	sqlite3_bind_int64(s->st[ST_OUTBOX_PURGE], 1, before);
	if (store_run(s, ST_OUTBOX_PURGE) == -1)
		return -1;
	return sqlite3_changes(s->db);
}

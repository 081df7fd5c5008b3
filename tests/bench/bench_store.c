/* bench_store.c — the ceiling for durable issues: raw SQLite single-row
 * commits per second with the daemon's settings (WAL, synchronous=FULL), in a
 * temporary file in the directory given, so it measures the same disk.
 *
 *   bench_store DIR [N [MAX_SECONDS]]
 *
 * Prints one line "commits_per_s R n N seconds S".  Each insert is its own
 * transaction, as each hallqd command is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
exec_or_die(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bench_store: %s: %s\n", sql, err ? err : "?");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 3000;
	double max_s = argc > 3 ? strtod(argv[3], NULL) : 5.0;
	char path[4096], side[4200];
	sqlite3 *db;
	sqlite3_stmt *ins, *begin, *commit;
	double t0, t1;
	long i;

	if (n < 1)
		n = 1;
	snprintf(path, sizeof path, "%s/bench_store.%ld.db", dir, (long)getpid());
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "bench_store: %s: %s\n", path, sqlite3_errmsg(db));
		return 1;
	}
	exec_or_die(db, "PRAGMA journal_mode = WAL");
	exec_or_die(db, "PRAGMA synchronous = FULL");
	exec_or_die(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER, "
	    "body TEXT)");
	if (sqlite3_prepare_v2(db, "INSERT INTO t (at, body) VALUES (?, ?)", -1,
	    &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_store: prepare: %s\n", sqlite3_errmsg(db));
		return 1;
	}

	t0 = now_s();
	for (i = 0; i < n; i++) {
		/* A row about the size of a ticket and its event. */
		static const char body[] = "{\"type\":\"ticket.issued\",\"ticket\":"
		    "{\"number\":\"A001\",\"matter\":\"SB01\",\"class\":\"normal\"}}";
		if (sqlite3_step(begin) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(begin);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
		sqlite3_bind_text(ins, 2, body, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(ins);
		if (sqlite3_step(commit) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(commit);
		if ((i & 15) == 15 && now_s() - t0 > max_s) {
			i++;
			break;
		}
	}
	t1 = now_s();
	printf("commits_per_s %.1f n %ld seconds %.3f\n", i / (t1 - t0), i, t1 - t0);

	sqlite3_finalize(ins);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	return 0;

fail:
	fprintf(stderr, "bench_store: insert %ld: %s\n", i, sqlite3_errmsg(db));
	return 1;
}

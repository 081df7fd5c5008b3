/* backup.c — copies of the database (see backup.h): the copy itself, the
 * `hallqd --backup FILE` command, and the daily backup's schedule, worker
 * thread and retention.  Owns its own SQLite connections only; the core's
 * connection and hall state are never touched here: the core writes the
 * backup.done / backup.failed events when told (note()).
 *
 * Why one read transaction around small steps: sqlite3_backup_step() in
 * steps of its own would start again from the first page whenever another
 * connection (the hall, every few milliseconds) commits between two steps,
 * and a busy hall would never let it finish.  Holding one read transaction
 * on the source connection keeps its snapshot for the whole copy; in WAL
 * mode a reader never blocks the writer (the log only grows until the copy
 * ends).  The short sleeps between steps leave the disk to the hall's own
 * fsyncs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "backup.h"
#include "config.h"
#include "util.h"

#define BACKUP_STEP_PAGES	128	/* 512 KiB of 4 KiB pages a step */
#define BACKUP_STEP_SLEEP_US	2000	/* between steps */
#define BACKUP_BUSY_TRIES	500	/* 10 ms each: a lock held for 5 s */
#define BACKUP_RETRY_MS		(3600 * 1000LL)	/* after a failed daily copy */
#define BACKUP_PREFIX		"hallq-"
#define BACKUP_SUFFIX		".db"

static int
backup_stopped(const int *stop)
{
	return stop != NULL && __atomic_load_n(stop, __ATOMIC_RELAXED);
}

static void
backup_unlink_tmp(const char *tmp)
{
	static const char *const ext[] = { "", "-journal", "-wal", "-shm" };
	char p[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		snprintf(p, sizeof p, "%s%s", tmp, ext[i]);
		unlink(p);
	}
}

/* PRAGMA integrity_check on the copy: 0 when "ok", else -1 with its first
 * complaints in err. */
static int
backup_check(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int rc, rows = 0, ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(20)", -1, &st,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "the copy cannot be checked: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	n = (size_t)snprintf(err, errlen, "the copy failed its integrity check:");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (rows++ == 0 && t != NULL && strcmp(t, "ok") == 0)
			ok = 1;
		if (n < errlen)
			n += (size_t)snprintf(err + n, errlen - n, " %s",
			    t ? t : "?");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "the copy cannot be checked: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	return ok && rows == 1 ? 0 : -1;
}

int
backup_copy(const char *src, const char *dst, const int *stop, int64_t *bytes,
    char *err, size_t errlen)
{
	sqlite3 *in = NULL, *out = NULL;
	sqlite3_backup *bk = NULL;
	struct stat ss, ds;
	char *tmp = NULL;
	int rc, fd, wfd = -1, busy = 0, ret = -1;

	*bytes = 0;
	if (stat(src, &ss) == -1) {
		snprintf(err, errlen, "cannot read the database %s: %s", src,
		    strerror(errno));
		return -1;
	}
	if (stat(dst, &ds) == 0 && ds.st_dev == ss.st_dev &&
	    ds.st_ino == ss.st_ino) {
		snprintf(err, errlen, "%s is the database itself", dst);
		return -1;
	}
	xasprintf(&tmp, "%s.tmp", dst);
	backup_unlink_tmp(tmp);
	/* Our own open first: its errno says plainly why a place will not do. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	close(fd);
	if (sqlite3_open_v2(src, &in, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the database %s: %s", src,
		    in ? sqlite3_errmsg(in) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(in, 5000);
	/* One snapshot for the whole copy (see the top of this file). */
	if (sqlite3_exec(in, "BEGIN; SELECT count(*) FROM sqlite_master",
	    NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the database %s: %s", src,
		    sqlite3_errmsg(in));
		goto fail;
	}
	if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
		    out ? sqlite3_errmsg(out) : "cannot open");
		goto fail;
	}
	/* Synced whole before the rename; meanwhile the pages go to the file
	 * as they come (a small cache) and their writeback is started after
	 * each step, so no single flush of the whole copy at the end holds up
	 * the disk (on ext4 the hall's own fsync would wait behind it). */
	sqlite3_exec(out, "PRAGMA synchronous = OFF; PRAGMA cache_size = -1024",
	    NULL, NULL, NULL);
	wfd = open(tmp, O_RDONLY | O_CLOEXEC);
	if ((bk = sqlite3_backup_init(out, "main", in, "main")) == NULL) {
		snprintf(err, errlen, "cannot start the copy: %s",
		    sqlite3_errmsg(out));
		goto fail;
	}
	for (;;) {
		rc = sqlite3_backup_step(bk, BACKUP_STEP_PAGES);
		if (rc == SQLITE_DONE)
			break;
		if (backup_stopped(stop)) {
			snprintf(err, errlen, "given up: hallqd is stopping");
			goto fail;
		}
		if (rc == SQLITE_OK) {
			if (wfd != -1)
				sync_file_range(wfd, 0, 0, SYNC_FILE_RANGE_WRITE);
			usleep(BACKUP_STEP_SLEEP_US);
			continue;
		}
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
		    ++busy < BACKUP_BUSY_TRIES) {
			usleep(10000);
			continue;
		}
		snprintf(err, errlen, "copying: %s", sqlite3_errstr(rc));
		goto fail;
	}
	rc = sqlite3_backup_finish(bk);
	bk = NULL;
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "copying: %s", sqlite3_errmsg(out));
		goto fail;
	}
	sqlite3_exec(in, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(in);
	in = NULL;
	/* The copy says it is one: a hall started on it knows it was restored
	 * and that events after the copy's last may have been told to others
	 * (hall_restored: its seq goes on after a gap). */
	if (sqlite3_exec(out, "INSERT OR REPLACE INTO meta (key, value) "
	    "SELECT 'backup.of', COALESCE(MAX(seq), 0) || ' ' || "
	    "(CAST(strftime('%s', 'now') AS INTEGER) * 1000) FROM events", NULL,
	    NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
		    sqlite3_errmsg(out));
		goto fail;
	}
	/* The copy keeps the hall's WAL flag: make it one plain file (hallqd
	 * turns WAL on again when it opens a restored copy). */
	if (sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
		    sqlite3_errmsg(out));
		goto fail;
	}
	if (backup_check(out, err, errlen) == -1)
		goto fail;
	if (sqlite3_close(out) != SQLITE_OK) {
		snprintf(err, errlen, "cannot close %s: %s", tmp,
		    sqlite3_errmsg(out));
		goto fail;
	}
	out = NULL;
	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) == -1 || fsync(fd) == -1 ||
	    fstat(fd, &ds) == -1) {
		snprintf(err, errlen, "cannot sync %s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		goto fail;
	}
	close(fd);
	if (rename(tmp, dst) == -1) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, dst,
		    strerror(errno));
		goto fail;
	}
	fsync_dir(dst);
	*bytes = (int64_t)ds.st_size;
	ret = 0;
fail:
	if (bk != NULL)
		sqlite3_backup_finish(bk);
	if (in != NULL)
		sqlite3_close(in);
	if (out != NULL)
		sqlite3_close(out);
	if (wfd != -1)
		close(wfd);
	if (ret == -1)
		backup_unlink_tmp(tmp);
	free(tmp);
	return ret;
}

static int64_t
backup_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
backup_cli(const struct config *conf, const char *file)
{
	char err[1024];
	int64_t bytes, t0 = backup_mono_ms();

	if (backup_copy(conf->database, file, NULL, &bytes, err,
	    sizeof err) == -1) {
		fprintf(stderr, "hallqd: backup of %s to %s failed: %s\n",
		    conf->database, file, err);
		return 1;
	}
	fprintf(stderr, "hallqd: backup of %s written to %s: %lld bytes in "
	    "%lld ms, integrity check ok\n", conf->database, file,
	    (long long)bytes, (long long)(backup_mono_ms() - t0));
	return 0;
}

/* ---------------------------------------------------------- the daily one */

struct backup {
	struct event_base	*base;
	struct event		*ev_tick;	/* once a second: is it time? */
	struct event		*ev_done;	/* the worker has finished one */
	backup_note_fn		 note;
	void			*arg;
	pthread_t		 thread;
	pthread_mutex_t		 mu;		/* everything below */
	pthread_cond_t		 cv;
	int			 stop;		/* read by backup_copy too */
	char			*db;		/* the database */
	char			*dir;		/* the section, as reloaded */
	int			 at_min, keep, enabled;
	int			 running;	/* a job is given or in hand */
	char			 day[16];	/* the job's hall day */
	char			*file;		/* the job's copy */
	int			 ok;		/* its result */
	char			 err[512];
	int64_t			 bytes, ms;
	json_t			*removed;	/* pruned file names */
	char			 done_day[16];	/* the day that has its copy */
	int64_t			 retry_at;	/* after a failure, not before */
};

static int
backup_name_day(const char *name)
{
	int i;

	if (strlen(name) != strlen(BACKUP_PREFIX "YYYY-MM-DD" BACKUP_SUFFIX) ||
	    strncmp(name, BACKUP_PREFIX, strlen(BACKUP_PREFIX)) != 0 ||
	    strcmp(name + strlen(BACKUP_PREFIX) + 10, BACKUP_SUFFIX) != 0)
		return 0;
	for (i = 0; i < 10; i++) {
		char ch = name[strlen(BACKUP_PREFIX) + i];

		if (i == 4 || i == 7 ? ch != '-' : ch < '0' || ch > '9')
			return 0;
	}
	return 1;
}

static int
backup_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keep the newest `keep` dated copies (by the date in their names); only
 * names hallqd gives are looked at. */
static json_t *
backup_prune(const char *dir, int keep)
{
	json_t *removed = json_array();
	char **names = NULL, *p;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return removed;
	while ((de = readdir(d)) != NULL) {
		if (!backup_name_day(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, backup_cmp);
	for (i = 0; i < n; i++) {
		if (i + (size_t)keep < n) {
			xasprintf(&p, "%s/%s", dir, names[i]);
			if (unlink(p) == 0)
				json_array_append_new(removed, json_string(p));
			else
				log_warn("backup: removing %s", p);
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return removed;
}

/* mkdir -p: the configured directory may not exist yet. */
static int
backup_mkdirs(const char *dir, char *err, size_t errlen)
{
	char *d = xstrdup(dir), *p, c;
	int ret = 0;

	for (p = d + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(d, 0750) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "cannot make %s: %s", d,
			    strerror(errno));
			ret = -1;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(d);
	return ret;
}

static void *
backup_main(void *arg)
{
	struct backup *b = arg;
	char err[512], *file, *dir;
	int64_t bytes = 0, t0;
	int keep, ok;
	json_t *removed;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && (!b->running || b->file == NULL || b->ok != -1))
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->stop)
			break;
		file = xstrdup(b->file);
		dir = xstrdup(b->dir);
		keep = b->keep;
		pthread_mutex_unlock(&b->mu);

		t0 = backup_mono_ms();
		removed = NULL;
		ok = backup_mkdirs(dir, err, sizeof err) == 0 &&
		    backup_copy(b->db, file, &b->stop, &bytes, err,
		    sizeof err) == 0;
		if (ok)
			removed = backup_prune(dir, keep);
		free(file);
		free(dir);

		pthread_mutex_lock(&b->mu);
		b->ok = ok;
		b->bytes = bytes;
		b->ms = backup_mono_ms() - t0;
		b->removed = removed;
		if (!ok)
			snprintf(b->err, sizeof b->err, "%s", err);
		event_active(b->ev_done, EV_READ, 0);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* The hall's day and minute of now. */
static int
backup_hall_time(char *day, size_t len)
{
	time_t t = (time_t)(now_ms() / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(day, len, "%Y-%m-%d", &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

/*
 * Once a second: at or after `at`, a day without its copy gets one.  A
 * daemon that was off at `at` makes the day's copy when it next runs; a
 * copy already in the directory for today counts as made.  A failure is
 * tried again an hour later, the same day.
 */
static void
backup_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct backup *b = arg;
	char day[16], *file;
	struct stat st;
	int min;

	(void)fd;
	(void)what;
	min = backup_hall_time(day, sizeof day);
	pthread_mutex_lock(&b->mu);
	if (!b->enabled || b->running || min < b->at_min ||
	    strcmp(day, b->done_day) == 0 || now_ms() < b->retry_at) {
		pthread_mutex_unlock(&b->mu);
		return;
	}
	xasprintf(&file, "%s/" BACKUP_PREFIX "%s" BACKUP_SUFFIX, b->dir, day);
	if (stat(file, &st) == 0) {
		snprintf(b->done_day, sizeof b->done_day, "%s", day);
		pthread_mutex_unlock(&b->mu);
		free(file);
		return;
	}
	free(b->file);
	b->file = file;
	snprintf(b->day, sizeof b->day, "%s", day);
	b->running = 1;
	b->ok = -1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	log_info("backup: copying %s to %s", b->db, file);
}

/* On the core thread: the worker's result, as an event. */
static void
backup_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct backup *b = arg;
	json_t *o;
	int ok;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&b->mu);
	if (!b->running || b->ok == -1) {
		pthread_mutex_unlock(&b->mu);
		return;
	}
	if ((ok = b->ok)) {
		snprintf(b->done_day, sizeof b->done_day, "%s", b->day);
		o = json_pack("{s:s, s:I, s:I, s:o}", "file", b->file,
		    "bytes", (json_int_t)b->bytes, "ms", (json_int_t)b->ms,
		    "removed", b->removed ? b->removed : json_array());
		log_info("backup: %s written, %lld bytes in %lld ms", b->file,
		    (long long)b->bytes, (long long)b->ms);
	} else {
		b->retry_at = now_ms() + BACKUP_RETRY_MS;
		o = json_pack("{s:s, s:s}", "file", b->file, "error", b->err);
		log_warnx("backup: %s: %s", b->file, b->err);
	}
	b->removed = NULL;
	b->running = 0;
	b->ok = -1;
	pthread_mutex_unlock(&b->mu);
	if (o == NULL)		/* a path or message that is not UTF-8 */
		o = ok ? json_object() : json_pack("{s:s}", "error",
		    "the backup failed (its message is not UTF-8: see the log)");
	b->note(b->arg, ok ? "backup.done" : "backup.failed", o);
}

void
backup_reconfigure(struct backup *b, const struct config *conf)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->mu);
	free(b->dir);
	b->dir = xstrdup(conf->backup.dir ? conf->backup.dir : ".");
	b->enabled = conf->backup.enabled;
	b->at_min = conf->backup.at_min;
	b->keep = conf->backup.keep;
	b->retry_at = 0;
	pthread_mutex_unlock(&b->mu);
}

struct backup *
backup_new(struct event_base *base, const struct config *conf,
    backup_note_fn note, void *arg)
{
	struct backup *b = xcalloc(1, sizeof *b);
	struct timeval sec = { 1, 0 };

	b->base = base;
	b->note = note;
	b->arg = arg;
	b->db = xstrdup(conf->database);
	b->ok = -1;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	backup_reconfigure(b, conf);
	b->ev_done = event_new(base, -1, 0, backup_done_cb, b);
	b->ev_tick = event_new(base, -1, EV_PERSIST, backup_tick_cb, b);
	event_add(b->ev_tick, &sec);
	if (pthread_create(&b->thread, NULL, backup_main, b) != 0)
		fatalx("backup: cannot start the worker thread");
	return b;
}

void
backup_free(struct backup *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->mu);
	__atomic_store_n(&b->stop, 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	event_free(b->ev_tick);
	event_free(b->ev_done);
	json_decref(b->removed);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b->file);
	free(b->dir);
	free(b->db);
	free(b);
}

/* util.c — allocation that cannot fail, the logging API, the wall clock.
 * Logs go to stderr in the foreground (-d) and to syslog otherwise, or into
 * a test's buffer while it captures them (log_capture). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int log_foreground = 1;
static int log_verbose;
static char *log_cap;		/* log_capture(): lines go here instead */
static size_t log_cap_size;

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatalx("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* A copy, or NULL for NULL. */
char *
xstrdup_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("out of memory (asprintf)");
	return n;
}

void
log_init(int foreground, int verbose)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog("hallqd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Tests only: while buf is set, every line but a fatal one is appended to
 * it (one "\n" each, truncated to fit, always NUL-terminated) instead of
 * being written out, so a test that provokes an error can assert the line it
 * expects and leave the output of a passing run clean.  The daemon never
 * calls it; log_capture(NULL, 0) ends the capture. */
void
log_capture(char *buf, size_t size)
{
	log_cap = size ? buf : NULL;
	log_cap_size = size;
	if (log_cap)
		log_cap[0] = '\0';
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, int with_errno)
{
	char buf[2048];
	int saved = errno;

	vsnprintf(buf, sizeof buf, fmt, ap);
	if (with_errno) {
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, ": %s", strerror(saved));
	}
	if (log_cap && pri != LOG_CRIT) {
		size_t used = strlen(log_cap);

		snprintf(log_cap + used, log_cap_size - used, "%s\n", buf);
	} else if (log_foreground)
		fprintf(stderr, "hallqd: %s\n", buf);
	else
		syslog(pri, "%s", buf);
	errno = saved;
}

#define LOG_FN(name, pri, with_errno, cond)			\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
								\
	if (!(cond))						\
		return;						\
	va_start(ap, fmt);					\
	log_vwrite(pri, fmt, ap, with_errno);			\
	va_end(ap);						\
}

LOG_FN(log_warn, LOG_WARNING, 1, 1)
LOG_FN(log_warnx, LOG_WARNING, 0, 1)
LOG_FN(log_info, LOG_INFO, 0, 1)
LOG_FN(log_debug, LOG_DEBUG, 0, log_verbose)

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

static int64_t clock_shift_ms;

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_shift_ms;
}

/* HALLQ_CLOCK_START: the clock starts at that moment and runs on (tests,
 * and a morning demonstrated at night).  Set once, before any thread. */
void
now_ms_start_at(int64_t ms)
{
	clock_shift_ms = 0;
	clock_shift_ms = ms - now_ms();
}

/* Two secrets compared in a time that depends on their lengths only, not
 * on where they first differ. */
int
secret_eq(const char *a, const char *b)
{
	size_t n = strlen(a), i;
	unsigned char d;

	if (n != strlen(b))
		return 0;
	for (i = 0, d = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* The directory part of a path, allocated: "a/b" is "a", "b" is ".", "/b"
 * is "/". */
char *
path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* A renamed file's directory entry is durable once its directory is. */
void
fsync_dir(const char *file)
{
	char *d = path_dir(file);
	int fd;

	if ((fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(d);
}

/* t.h — the unit tests' whole framework: CHECK records, t_done prints the
 * closing "N passed, N failed" line and gives the exit code.  A passing run
 * prints nothing else: a test that provokes an error captures the log line
 * it expects (log_capture() of util.c) and checks it with CHECK_LOG. */
#ifndef HALLQ_T_H
#define HALLQ_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond) do {						\
	if (cond)							\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define CHECK_EQ_INT(a, b) do {						\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);		\
	if (t_a_ == t_b_)						\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "%s:%d: FAILED: %s == %s (%lld != %lld)\n", \
		    __FILE__, __LINE__, #a, #b, t_a_, t_b_);		\
	}								\
} while (0)

/* The captured log (a buffer given to log_capture) holds the text want. */
#define CHECK_LOG(buf, want) do {					\
	if (strstr((buf), (want)) != NULL)				\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "%s:%d: FAILED: the log has \"%s\"; it has: %s\n", \
		    __FILE__, __LINE__, (want), *(buf) ? (buf) : "(nothing)\n"); \
	}								\
} while (0)

static inline int
t_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif

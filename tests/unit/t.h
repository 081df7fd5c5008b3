/* t.h — the unit tests' whole framework: CHECK records, t_done prints the
 * closing "N passed, N failed" line and gives the exit code. */
#ifndef HALLQ_T_H
#define HALLQ_T_H

#include <stdio.h>

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

static inline int
t_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif

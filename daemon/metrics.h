/* metrics.h — GET /metrics (Prometheus text format 0.0.4): the core's
 * counters and histograms since start, the text buffer both threads write
 * their part into, and the format's label escaping.  The counters live on
 * the core thread only (the "metrics" subscriber, hall_exec, the commits);
 * the web thread appends its own part to the core's answer (web.c), so no
 * counter is shared between threads. */
#ifndef HALLQ_METRICS_H
#define HALLQ_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct event;
struct metrics;

#define METRICS_CTYPE	"text/plain; version=0.0.4; charset=utf-8"

/* A growing text. */
struct mbuf {
	char		*p;
	size_t		 len, cap;
};

void	 mbuf_printf(struct mbuf *, const char *, ...)
	     __attribute__((format(printf, 2, 3)));
/* A label value as the format wants it: \\, \" and \n escaped. */
void	 mbuf_label(struct mbuf *, const char *);
/* "# HELP name help\n# TYPE name type\n". */
void	 mbuf_family(struct mbuf *, const char *name, const char *type,
	     const char *help);
/* A sample's value: integers as such, others in the fewest digits that
 * read back the same, +Inf/NaN spelled. */
void	 mbuf_value(struct mbuf *, double);

/* A ticket's first call (ms), asked when a ticket.called arrives: the
 * wait histogram counts first calls only. */
typedef int64_t (*metrics_first_call_fn)(void *, int64_t ticket);

struct metrics	*metrics_new(metrics_first_call_fn, void *);
void		 metrics_free(struct metrics *);
/* The subscriber: committed events (ticket.issued, .called, .done). */
void		 metrics_events(struct metrics *, const struct event *, size_t);
/* A command ran (its op, or "unknown") and was answered with status. */
void		 metrics_command(struct metrics *, const char *op, int status);
/* A commit that wrote: how long it took, and for a group commit how
 * many writing commands it carried (0: not a group commit). */
void		 metrics_commit(struct metrics *, double seconds, int commands);
/* The core's families; per-matter ones for the codes given only (the
 * configured matters: bounded label values). waiting[i] is codes[i]'s
 * gauge. */
void		 metrics_render(struct metrics *, struct mbuf *,
		     const char *const *codes, const size_t *waiting, size_t n);

#endif

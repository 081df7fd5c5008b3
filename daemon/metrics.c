/* metrics.c — the core's counters for GET /metrics, kept in memory since the
 * daemon started (a restart resets them: Prometheus reads a counter that
 * goes down as a reset), and the Prometheus text format 0.0.4 they are
 * written in.  Counted on the core thread only: tickets from the committed
 * events (a subscriber, so only what is on disk is counted), commands from
 * hall_exec, commits from the hall's transactions.  Must not read hall state:
 * the hall's gauges are the caller's (cmd_hall.c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "event.h"
#include "metrics.h"
#include "util.h"

/* Rows are made as codes and ops are first seen; both come from the
 * configuration and the command table, so these bounds are never reached
 * in a real hall — past them a new one is not counted, never grown. */
#define METRICS_MATTERS_MAX	512
#define METRICS_CMDS_MAX	512

/* Issue to first call, seconds: a minute to two hours. */
static const double wait_bounds[] = { 60, 300, 600, 900, 1800, 3600, 7200 };
/* One commit (fsync included), seconds. */
static const double commit_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025, 0.05, 0.1, 0.25, 0.5, 1 };
/* Writing commands per group commit: at most CORE_BATCH (64). */
static const double batch_bounds[] = { 1, 2, 4, 8, 16, 32, 64 };

#define HIST_MAX	16

struct hist {
	const double	*bounds;
	size_t		 nbounds;
	uint64_t	 n[HIST_MAX];	/* per bucket, not cumulative; [nbounds]: above */
	double		 sum;
	uint64_t	 count;
};

struct mrow {
	char		 code[41];
	uint64_t	 issued, called, served;
	struct hist	 wait;
};

struct crow {
	char		 op[32];
	int		 status;
	uint64_t	 n;
};

struct metrics {
	metrics_first_call_fn	 first_call;
	void			*arg;
	struct mrow		*matters;
	size_t			 nmatters;
	struct crow		*cmds;
	size_t			 ncmds;
	struct hist		 commit;	/* every commit that wrote */
	struct hist		 batch;		/* group commits that wrote */
};

/* ---------------------------------------------------------------- text */

void
mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("vsnprintf");
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 256;
		b->p = xrealloc(b->p, b->cap);
	}
}

void
mbuf_label(struct mbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			mbuf_printf(b, "\\\\");
		else if (*s == '"')
			mbuf_printf(b, "\\\"");
		else if (*s == '\n')
			mbuf_printf(b, "\\n");
		else
			mbuf_printf(b, "%c", *s);
	}
}

void
mbuf_family(struct mbuf *b, const char *name, const char *type,
    const char *help)
{
	mbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
mbuf_value(struct mbuf *b, double v)
{
	if (isnan(v))
		mbuf_printf(b, "NaN");
	else if (isinf(v))
		mbuf_printf(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9e15)
		mbuf_printf(b, "%lld", (long long)v);
	else {
		/* The shortest of the two that reads back the same: 0.0025,
		 * not 0.0025000000000000001. */
		char t[40];

		snprintf(t, sizeof t, "%.15g", v);
		if (strtod(t, NULL) != v)
			snprintf(t, sizeof t, "%.17g", v);
		mbuf_printf(b, "%s", t);
	}
}

/* ---------------------------------------------------------------- histograms */

static void
hist_init(struct hist *h, const double *bounds, size_t n)
{
	memset(h, 0, sizeof *h);
	if (n >= HIST_MAX)
		fatalx("metrics: %zu buckets", n);
	h->bounds = bounds;
	h->nbounds = n;
}

static void
hist_observe(struct hist *h, double v)
{
	size_t i;

	for (i = 0; i < h->nbounds && v > h->bounds[i]; i++)
		;
	h->n[i]++;
	h->sum += v;
	h->count++;
}

/* name_bucket{labels,le="..."} cumulative, then +Inf, _sum and _count;
 * `labels` is "" or `k="v"` already escaped. */
static void
hist_render(struct mbuf *b, const char *name, const char *labels,
    const struct hist *h)
{
	const char *sep = labels[0] != '\0' ? "," : "";
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < h->nbounds; i++) {
		cum += h->n[i];
		mbuf_printf(b, "%s_bucket{%s%sle=\"", name, labels, sep);
		mbuf_value(b, h->bounds[i]);
		mbuf_printf(b, "\"} %llu\n", (unsigned long long)cum);
	}
	cum += h->n[h->nbounds];
	mbuf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
	    (unsigned long long)cum);
	mbuf_printf(b, "%s_sum%s%s%s ", name, labels[0] ? "{" : "", labels,
	    labels[0] ? "}" : "");
	mbuf_value(b, h->sum);
	mbuf_printf(b, "\n%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "",
	    labels, labels[0] ? "}" : "", (unsigned long long)h->count);
}

/* ---------------------------------------------------------------- counting */

struct metrics *
metrics_new(metrics_first_call_fn first_call, void *arg)
{
	struct metrics *m = xcalloc(1, sizeof *m);

	m->first_call = first_call;
	m->arg = arg;
	hist_init(&m->commit, commit_bounds,
	    sizeof commit_bounds / sizeof commit_bounds[0]);
	hist_init(&m->batch, batch_bounds,
	    sizeof batch_bounds / sizeof batch_bounds[0]);
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	free(m->matters);
	free(m->cmds);
	free(m);
}

static struct mrow *
metrics_matter(struct metrics *m, const char *code, int make)
{
	size_t i;

	if (code == NULL || strlen(code) >= sizeof m->matters[0].code)
		return NULL;
	for (i = 0; i < m->nmatters; i++)
		if (strcmp(m->matters[i].code, code) == 0)
			return &m->matters[i];
	if (!make || m->nmatters == METRICS_MATTERS_MAX)
		return NULL;
	m->matters = xrealloc(m->matters, (m->nmatters + 1) * sizeof *m->matters);
	memset(&m->matters[m->nmatters], 0, sizeof m->matters[0]);
	snprintf(m->matters[m->nmatters].code, sizeof m->matters[0].code, "%s",
	    code);
	hist_init(&m->matters[m->nmatters].wait, wait_bounds,
	    sizeof wait_bounds / sizeof wait_bounds[0]);
	return &m->matters[m->nmatters++];
}

void
metrics_events(struct metrics *m, const struct event *ev, size_t n)
{
	size_t i;

	for (i = 0; m != NULL && i < n; i++) {
		json_t *t = json_object_get(ev[i].body, "ticket");
		struct mrow *r;
		int64_t issued, called, first;

		if (ev[i].type != EVT_TICKET_ISSUED && ev[i].type != EVT_TICKET_CALLED &&
		    ev[i].type != EVT_TICKET_DONE)
			continue;
		if ((r = metrics_matter(m, json_string_value(json_object_get(t,
		    "matter")), 1)) == NULL)
			continue;
		switch (ev[i].type) {
		case EVT_TICKET_ISSUED:
			r->issued++;
			break;
		case EVT_TICKET_DONE:
			r->served++;
			break;
		default:
			r->called++;
			/* A first call only: a call back (held, no-show) is
			 * not a wait of its own. */
			issued = json_integer_value(json_object_get(t, "issued_at"));
			called = json_integer_value(json_object_get(t, "called_at"));
			first = m->first_call != NULL ?
			    m->first_call(m->arg, ev[i].ticket) : 0;
			if (first > 0 && first == called && called >= issued)
				hist_observe(&r->wait, (double)(called - issued) / 1000);
			break;
		}
	}
}

void
metrics_command(struct metrics *m, const char *op, int status)
{
	struct crow *c;
	size_t i;

	if (m == NULL)
		return;
	if (op == NULL || strlen(op) >= sizeof m->cmds[0].op)
		op = "unknown";
	for (i = 0; i < m->ncmds; i++)
		if (m->cmds[i].status == status && strcmp(m->cmds[i].op, op) == 0) {
			m->cmds[i].n++;
			return;
		}
	if (m->ncmds == METRICS_CMDS_MAX)
		return;
	m->cmds = xrealloc(m->cmds, (m->ncmds + 1) * sizeof *m->cmds);
	c = &m->cmds[m->ncmds++];
	snprintf(c->op, sizeof c->op, "%s", op);
	c->status = status;
	c->n = 1;
}

void
metrics_commit(struct metrics *m, double seconds, int commands)
{
	if (m == NULL)
		return;
	hist_observe(&m->commit, seconds);
	if (commands > 0)
		hist_observe(&m->batch, commands);
}

/* ---------------------------------------------------------------- text */

static void
render_matters(struct mbuf *b, const char *name, const char *type,
    const char *help, struct metrics *m, const char *const *codes, size_t n,
    int which, const size_t *waiting)
{
	struct mrow *r;
	uint64_t v;
	size_t i;

	mbuf_family(b, name, type, help);
	for (i = 0; i < n; i++) {
		r = metrics_matter(m, codes[i], 0);
		switch (which) {
		case 0:
			v = r ? r->issued : 0;
			break;
		case 1:
			v = r ? r->called : 0;
			break;
		case 2:
			v = r ? r->served : 0;
			break;
		default:
			v = waiting[i];
			break;
		}
		mbuf_printf(b, "%s{matter=\"", name);
		mbuf_label(b, codes[i]);
		mbuf_printf(b, "\"} %llu\n", (unsigned long long)v);
	}
}

void
metrics_render(struct metrics *m, struct mbuf *b, const char *const *codes,
    const size_t *waiting, size_t n)
{
	struct metrics none;
	struct hist empty;
	struct mbuf lab = { NULL, 0, 0 };
	size_t i;

	if (m == NULL) {	/* nothing counted (a hall without the subscriber) */
		memset(&none, 0, sizeof none);
		hist_init(&none.commit, commit_bounds,
		    sizeof commit_bounds / sizeof commit_bounds[0]);
		hist_init(&none.batch, batch_bounds,
		    sizeof batch_bounds / sizeof batch_bounds[0]);
		m = &none;
	}
	render_matters(b, "hallq_tickets_issued_total", "counter",
	    "Tickets issued since start, by matter.", m, codes, n, 0, NULL);
	render_matters(b, "hallq_tickets_called_total", "counter",
	    "Calls of tickets to windows since start (calls back included), "
	    "by matter.", m, codes, n, 1, NULL);
	render_matters(b, "hallq_tickets_served_total", "counter",
	    "Tickets served to the end (ticket.done) since start, by matter.",
	    m, codes, n, 2, NULL);
	render_matters(b, "hallq_tickets_waiting", "gauge",
	    "Tickets waiting now, by matter.", m, codes, n, 3, waiting);

	mbuf_family(b, "hallq_ticket_wait_seconds", "histogram",
	    "Wait from issue to first call of the tickets first called since "
	    "start, by matter.");
	hist_init(&empty, wait_bounds, sizeof wait_bounds / sizeof wait_bounds[0]);
	for (i = 0; i < n; i++) {
		struct mrow *r = metrics_matter(m, codes[i], 0);

		lab.len = 0;
		mbuf_printf(&lab, "matter=\"");
		mbuf_label(&lab, codes[i]);
		mbuf_printf(&lab, "\"");
		hist_render(b, "hallq_ticket_wait_seconds", lab.p,
		    r != NULL ? &r->wait : &empty);
	}
	free(lab.p);

	mbuf_family(b, "hallq_commands_total", "counter",
	    "Commands run by the core since start (REST, WebSocket, pads), by "
	    "op and HTTP status.");
	for (i = 0; i < m->ncmds; i++) {
		mbuf_printf(b, "hallq_commands_total{op=\"");
		mbuf_label(b, m->cmds[i].op);
		mbuf_printf(b, "\",status=\"%d\"} %llu\n", m->cmds[i].status,
		    (unsigned long long)m->cmds[i].n);
	}
	mbuf_family(b, "hallq_commit_seconds", "histogram",
	    "Time of each database commit that wrote (WAL, synchronous=FULL).");
	hist_render(b, "hallq_commit_seconds", "", &m->commit);
	mbuf_family(b, "hallq_commit_batch_commands", "histogram",
	    "Writing commands per group commit of the core.");
	hist_render(b, "hallq_commit_batch_commands", "", &m->batch);
}

/* dispatch.c — waiting tickets in ordered queues, one per (matter, class) and
 * one per window for tickets transferred to that window, and the policies that
 * choose among the queue heads.  Owns nothing outside its own arrays.
 *
 * Queues are sorted arrays ordered by (key, id): a pick compares heads only,
 * an insert or removal is a binary search plus one memmove, which at ten
 * thousand waiting tickets is a few microseconds. */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "util.h"

/* Elements live in base[off .. off + n): taking the head, which is what a
 * call does, only moves `off`; inserts go by memmove of the shorter side. */
struct dq {
	struct dispatch_ticket	*base;
	struct dispatch_ticket	*v;		/* base + off */
	size_t			 off;
	size_t			 n;
	size_t			 cap;		/* of base */
};

struct dq_window {
	int			 number;
	struct dq		 q;
};

struct dispatch {
	int			 nmatters;
	int			 nclasses;
	struct dq		*q;		/* nmatters * nclasses */
	struct dq_window	*wq;		/* per target window */
	size_t			 nwq;
	size_t			 total;
};

static int
dq_cmp(const struct dispatch_ticket *a, const struct dispatch_ticket *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

/* Index of the first element not less than t. */
static size_t
dq_lower(const struct dq *q, const struct dispatch_ticket *t)
{
	size_t lo = 0, hi = q->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dq_cmp(&q->v[mid], t) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
dq_insert(struct dq *q, const struct dispatch_ticket *t)
{
	size_t at = dq_lower(q, t);

	if (q->off > 0 && at < q->n / 2) {
		/* Room before the head, and the front is the shorter side. */
		q->off--;
		q->v = q->base + q->off;
		memmove(&q->v[0], &q->v[1], at * sizeof *q->v);
	} else {
		if (q->off + q->n == q->cap) {
			if (q->off > q->cap / 2) {
				memmove(q->base, q->v, q->n * sizeof *q->v);
				q->off = 0;
			} else {
				q->cap = q->cap ? q->cap * 2 : 16;
				q->base = xrealloc(q->base, q->cap * sizeof *q->base);
			}
			q->v = q->base + q->off;
		}
		memmove(&q->v[at + 1], &q->v[at], (q->n - at) * sizeof *q->v);
	}
	q->v[at] = *t;
	q->n++;
}

static int
dq_delete(struct dq *q, const struct dispatch_ticket *t)
{
	size_t at = dq_lower(q, t);

	if (at >= q->n || q->v[at].id != t->id)
		return -1;
	if (at < q->n / 2) {
		memmove(&q->v[1], &q->v[0], at * sizeof *q->v);
		q->off++;
		q->v = q->base + q->off;
	} else
		memmove(&q->v[at], &q->v[at + 1], (q->n - at - 1) * sizeof *q->v);
	q->n--;
	if (q->n == 0) {
		q->off = 0;
		q->v = q->base;
	}
	return 0;
}

struct dispatch *
dispatch_new(int nmatters, int nclasses)
{
	struct dispatch *d = xcalloc(1, sizeof *d);

	d->nmatters = nmatters;
	d->nclasses = nclasses;
	d->q = xcalloc((size_t)nmatters * nclasses, sizeof *d->q);
	return d;
}

void
dispatch_free(struct dispatch *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < (size_t)d->nmatters * d->nclasses; i++)
		free(d->q[i].base);
	for (i = 0; i < d->nwq; i++)
		free(d->wq[i].q.base);
	free(d->q);
	free(d->wq);
	free(d);
}

static struct dq *
dispatch_mq(const struct dispatch *d, int matter, int cls)
{
	return &d->q[(size_t)matter * d->nclasses + cls];
}

static struct dq *
dispatch_wq(const struct dispatch *d, int window)
{
	size_t i;

	for (i = 0; i < d->nwq; i++)
		if (d->wq[i].number == window)
			return &d->wq[i].q;
	return NULL;
}

static struct dq *
dispatch_queue_of(struct dispatch *d, const struct dispatch_ticket *t, int create)
{
	struct dq *q;

	if (t->window <= 0)
		return dispatch_mq(d, t->matter, t->cls);
	if ((q = dispatch_wq(d, t->window)) != NULL || !create)
		return q;
	d->wq = xrealloc(d->wq, (d->nwq + 1) * sizeof *d->wq);
	memset(&d->wq[d->nwq], 0, sizeof d->wq[d->nwq]);
	d->wq[d->nwq].number = t->window;
	return &d->wq[d->nwq++].q;
}

void
dispatch_add(struct dispatch *d, const struct dispatch_ticket *t)
{
	dq_insert(dispatch_queue_of(d, t, 1), t);
	d->total++;
}

int
dispatch_remove(struct dispatch *d, const struct dispatch_ticket *t)
{
	struct dq *q = dispatch_queue_of(d, t, 0);

	if (q == NULL || dq_delete(q, t) == -1)
		return -1;
	d->total--;
	return 0;
}

size_t
dispatch_waiting(const struct dispatch *d, int matter)
{
	size_t n = 0, i, j;
	int c;

	for (c = 0; c < d->nclasses; c++)
		n += dispatch_mq(d, matter, c)->n;
	for (i = 0; i < d->nwq; i++)
		for (j = 0; j < d->wq[i].q.n; j++)
			if (d->wq[i].q.v[j].matter == matter)
				n++;
	return n;
}

size_t
dispatch_total(const struct dispatch *d)
{
	return d->total;
}

/* Oldest virtual arrival among a matter's waiting tickets, or -1.  Within a
 * (matter, class) queue key order is arrival order, so heads suffice. */
int64_t
dispatch_oldest(const struct dispatch *d, int matter)
{
	int64_t best = -1;
	int c;

	for (c = 0; c < d->nclasses; c++) {
		const struct dq *q = dispatch_mq(d, matter, c);
		if (q->n && (best == -1 || q->v[0].arrival < best))
			best = q->v[0].arrival;
	}
	return best;
}

/* Tickets of the same matter the default rule would take first. */
size_t
dispatch_ahead(const struct dispatch *d, const struct dispatch_ticket *t)
{
	size_t n = 0;
	int c;

	if (t->window > 0) {
		const struct dq *q = dispatch_wq(d, t->window);
		return q ? dq_lower(q, t) : 0;
	}
	for (c = 0; c < d->nclasses; c++)
		n += dq_lower(dispatch_mq(d, t->matter, c), t);
	return n;
}

int
dispatch_eligible(const struct dispatch_window *w, const struct dispatch_ticket *t)
{
	int i, j;

	if (t->window > 0)
		return t->window == w->number;
	for (i = 0; i < w->ntiers; i++) {
		if (!(w->tiers[i].class_mask & (1u << t->cls)))
			continue;
		for (j = 0; j < w->tiers[i].nmatters; j++)
			if (w->tiers[i].matters[j] == t->matter)
				return 1;
	}
	return 0;
}

/*
 * Walk the queue heads a window may take from.  For each tier the callback
 * sees every head in it; tier -1 is the window's own transfer queue, which
 * ranks with tier 0.
 */
typedef void (*head_cb)(void *, int tier, const struct dispatch_ticket *);

static void
dispatch_heads(const struct dispatch *d, const struct dispatch_window *w,
    int tier, head_cb cb, void *arg)
{
	const struct dispatch_tier *t = &w->tiers[tier];
	int i, c;

	for (i = 0; i < t->nmatters; i++) {
		for (c = 0; c < d->nclasses; c++) {
			const struct dq *q;
			if (!(t->class_mask & (1u << c)))
				continue;
			q = dispatch_mq(d, t->matters[i], c);
			if (q->n)
				cb(arg, tier, &q->v[0]);
		}
	}
}

struct tier_scan {
	int			 found;
	struct dispatch_ticket	 best;		/* smallest key */
	int64_t			 oldest;	/* smallest arrival */
};

static void
tier_scan_cb(void *arg, int tier, const struct dispatch_ticket *t)
{
	struct tier_scan *s = arg;

	(void)tier;
	if (!s->found || dq_cmp(t, &s->best) < 0)
		s->best = *t;
	if (!s->found || t->arrival < s->oldest)
		s->oldest = t->arrival;
	s->found = 1;
}

/*
 * Default rule: longest adjusted wait first.  Tier 0 (and the window's own
 * transfer queue) is always looked at; a lower tier only when every tier above
 * it is empty or when its oldest ticket has waited past the tier's overflow
 * threshold.  Among the tiers looked at, the smallest key wins; ties go to the
 * higher tier.
 */
static int
dispatch_pick_default(const struct dispatch *d, const struct dispatch_window *w,
    const struct dispatch_params *p, int64_t now, struct dispatch_ticket *out)
{
	const struct dq *own = dispatch_wq(d, w->number);
	int found = 0, above_nonempty = 0, i;

	(void)p;
	if (own != NULL && own->n) {
		*out = own->v[0];
		found = above_nonempty = 1;
	}
	for (i = 0; i < w->ntiers; i++) {
		struct tier_scan s = { 0 };

		dispatch_heads(d, w, i, tier_scan_cb, &s);
		if (!s.found)
			continue;
		if (i > 0 && above_nonempty &&
		    now - s.oldest <= w->tiers[i].overflow_ms)
			continue;
		if (!found || dq_cmp(&s.best, out) < 0)
			*out = s.best;
		found = above_nonempty = 1;
	}
	return found ? 0 : -1;
}

struct aging_scan {
	const struct dispatch_params	*p;
	int64_t				 now;
	int				 found;
	int64_t				 best_rank;
	struct dispatch_ticket		 best;
};

static void
aging_scan_cb(void *arg, int tier, const struct dispatch_ticket *t)
{
	struct aging_scan *s = arg;
	int64_t waited = s->now - t->arrival, rank;

	(void)tier;
	if (waited < 0)
		waited = 0;
	/* Class rank is config order; waiting aging_ms lifts a ticket one rank. */
	rank = (int64_t)t->cls * 1000000 -
	    (s->p->aging_ms > 0 ? waited * 1000000 / s->p->aging_ms : 0);
	if (!s->found || rank < s->best_rank ||
	    (rank == s->best_rank && (t->arrival < s->best.arrival ||
	    (t->arrival == s->best.arrival && t->id < s->best.id)))) {
		s->best = *t;
		s->best_rank = rank;
	}
	s->found = 1;
}

/*
 * Strict class priority with aging: the highest class always goes first,
 * except that every aging_ms a ticket has waited counts as one class higher,
 * so a normal ticket is never passed for ever.  Tiers open as in the default
 * rule; transferred-to-window tickets rank as their class.
 */
static int
dispatch_pick_aging(const struct dispatch *d, const struct dispatch_window *w,
    const struct dispatch_params *p, int64_t now, struct dispatch_ticket *out)
{
	const struct dq *own = dispatch_wq(d, w->number);
	struct aging_scan s = { .p = p, .now = now };
	int above_nonempty = 0, i;
	size_t j;

	if (own != NULL)
		for (j = 0; j < own->n; j++)
			aging_scan_cb(&s, -1, &own->v[j]);
	above_nonempty = s.found;
	for (i = 0; i < w->ntiers; i++) {
		struct tier_scan t = { 0 };

		dispatch_heads(d, w, i, tier_scan_cb, &t);
		if (!t.found)
			continue;
		if (i > 0 && above_nonempty &&
		    now - t.oldest <= w->tiers[i].overflow_ms)
			continue;
		dispatch_heads(d, w, i, aging_scan_cb, &s);
		above_nonempty = 1;
	}
	if (!s.found)
		return -1;
	*out = s.best;
	return 0;
}

const struct dispatch_policy dispatch_policies[] = {
	{ "default", dispatch_pick_default },
	{ "strict_aging", dispatch_pick_aging },
	{ NULL, NULL }
};

const struct dispatch_policy *
dispatch_policy_find(const char *name)
{
	const struct dispatch_policy *p;

	for (p = dispatch_policies; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* ---------------------------------------------------------------- the rule */

int
dispatch_class_of(const struct dispatch_rule *r, int cls, int64_t issued_at,
    int64_t slot_start)
{
	if (cls < 0 || cls >= r->nclasses)
		return r->normal_class;
	if (slot_start != 0 && issued_at > slot_start + r->late_ms)
		return r->normal_class;
	/* The appointment head start is for a booked slot, not for the asking. */
	if (slot_start == 0 && cls == r->appointment_class)
		return r->normal_class;
	return cls;
}

int64_t
dispatch_key(const struct dispatch_rule *r, int waits_as, int64_t arrival)
{
	return arrival - r->head_start_ms[waits_as];
}

/* sim.c — the engine of hallq-sim: its random numbers, the day's tickets from
 * a workload, and the run itself, in which windows call through the daemon's
 * dispatcher (dispatch.c), its fairness rule, and its estimator (estimate.c).
 * Pure: no I/O, no clock; touches nothing but what its callers hand it. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "estimate.h"
#include "sim.h"
#include "util.h"

/* ------------------------------------------------------------ random numbers */

static uint64_t
sim_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed, k = stream;
	int i;

	/* Mix the stream through its own splitmix so that neighbouring
	 * (seed, stream) pairs start far apart. */
	x ^= sim_splitmix(&k);
	for (i = 0; i < 4; i++)
		r->s[i] = sim_splitmix(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double
sim_rng_uniform(struct sim_rng *r)
{
	return ((double)(sim_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double
sim_rng_exp(struct sim_rng *r, double mean)
{
	return -mean * log(sim_rng_uniform(r));
}

/* Two uniforms always, so a stream stays aligned whatever cv is. */
double
sim_rng_lognormal(struct sim_rng *r, double mean, double cv)
{
	double u1 = sim_rng_uniform(r), u2 = sim_rng_uniform(r), s2, z;

	if (cv <= 0)
		return mean;
	z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
	s2 = log1p(cv * cv);
	return exp(log(mean) - s2 / 2 + sqrt(s2) * z);
}

/* ---------------------------------------------------------------- the demand */

static int
sim_window_open_at(const struct sim_window *w, int64_t t)
{
	int i;

	for (i = 0; i < w->nopen; i++)
		if (w->open_from[i] <= t && t < w->open_to[i])
			return 1;
	return 0;
}

static void
sim_ticket_blank(struct sim_ticket *t)
{
	t->waits_as = t->cls;
	t->arrival = t->issued;
	t->hour = 0;
	t->refused = 0;
	t->called = -1;
	t->call_seq = -1;
	t->window = -1;
	t->passover_ms = 0;
}

static struct sim_ticket *
sim_push(struct sim_ticket **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	memset(&(*v)[*n], 0, sizeof **v);
	return &(*v)[(*n)++];
}

/*
 * The day's tickets: a Poisson process whose rate is constant within each
 * hour and spread over the minutes of that hour in which the hall is open
 * (any window open: the daemon issues then too).  Each draw takes the same
 * number of variates whatever it turns out to be, so two configurations fed
 * the same seed see the same people.
 *
 * An appointment is a person who booked: appt_no_show of them never come
 * (counted, no ticket); the others check in within a slot of their slot
 * start, appt_early of them before it (their slot is the next slot start),
 * the rest after it (their slot is the last one; past the rule's late_ms
 * they wait as normal, as the daemon decides).
 */
size_t
sim_gen_day(const struct sim_workload *wl, const struct sim_window *w,
    int nwindows, int64_t day_start, struct sim_rng *r,
    struct sim_ticket **out, size_t *booked_no_show)
{
	struct sim_ticket *v = NULL, *t;
	size_t n = 0, cap = 0, nbns = 0;
	double cum[SIM_MATTERS_MAX];
	int h, m, i, k, nm = wl->nmatters < SIM_MATTERS_MAX ? wl->nmatters : SIM_MATTERS_MAX;

	for (m = 0; m < nm; m++)
		cum[m] = (m ? cum[m - 1] : 0) + (wl->rate != NULL ? 0 : wl->share[m]);
	for (h = 0; h < SIM_HOURS && nm > 0; h++) {
		int open_min[60], nopen = 0;
		double expect = wl->tickets_per_day * wl->profile[h], gap, u;
		int64_t len, guard;

		if (wl->rate != NULL) {		/* each matter its own by hour */
			for (m = 0; m < nm; m++)
				cum[m] = (m ? cum[m - 1] : 0) +
				    wl->rate[m * SIM_HOURS + h];
			expect = cum[nm - 1];
		}
		if (expect <= 0)
			continue;
		for (k = 0; k < 60; k++) {
			int64_t at = day_start + h * SIM_HOUR_MS + k * 60000LL;
			for (i = 0; i < nwindows; i++)
				if (sim_window_open_at(&w[i], at))
					break;
			if (i < nwindows)
				open_min[nopen++] = k;
		}
		if (nopen == 0)
			continue;	/* nobody comes to a closed hall */
		len = nopen * 60000LL;
		gap = (double)len / expect;
		u = 0;
		for (guard = 0; guard < 10000000 && n < SIM_TICKETS_MAX; guard++) {
			double um, uc, ub, ue, sv, un;
			int64_t at, tu;

			u += sim_rng_exp(r, gap);
			if (u >= (double)len)
				break;
			tu = (int64_t)u;
			at = day_start + h * SIM_HOUR_MS +
			    open_min[tu / 60000] * 60000LL + tu % 60000;
			um = sim_rng_uniform(r);
			uc = sim_rng_uniform(r);
			ub = sim_rng_uniform(r);
			ue = sim_rng_uniform(r);
			for (m = 0; m < nm - 1 && um * cum[nm - 1] >= cum[m]; m++)
				;
			t = NULL;
			if (uc < wl->green_share && wl->green_class >= 0) {
				t = sim_push(&v, &n, &cap);
				t->cls = wl->green_class;
			} else if (uc < wl->green_share + wl->appt_share &&
			    wl->appt_class >= 0) {
				if (ub < wl->appt_no_show)
					nbns++;
				else {
					int64_t rel = at - day_start, sl = wl->slot_ms;
					t = sim_push(&v, &n, &cap);
					t->cls = wl->appt_class;
					t->slot = day_start + (ue < wl->appt_early ?
					    (rel + sl - 1) / sl * sl : rel / sl * sl);
				}
			} else {
				t = sim_push(&v, &n, &cap);
				t->cls = wl->normal_class;
			}
			/* The remaining draws are taken in any case. */
			sv = sim_rng_lognormal(r, wl->service_ms[m], wl->cv[m]);
			un = sim_rng_uniform(r);
			if (t != NULL) {
				t->matter = m;
				t->issued = at;
				t->service_ms = sv < 1 ? 1 : (int64_t)(sv + 0.5);
				t->no_show = un < wl->no_show;
				sim_ticket_blank(t);
			}
		}
	}
	if (booked_no_show != NULL)
		*booked_no_show = nbns;
	*out = v;
	return n;
}

/* The M/M/c case: Poisson arrivals at per_ms over [0, until), exponential
 * service, a green_share of them green. */
size_t
sim_gen_poisson(double per_ms, double service_ms, double green_share,
    int green_class, int normal_class, int64_t until, struct sim_rng *r,
    struct sim_ticket **out)
{
	struct sim_ticket *v = NULL, *t;
	size_t n = 0, cap = 0;
	double u = 0, ug, s;

	while (n < SIM_TICKETS_MAX) {
		u += sim_rng_exp(r, 1 / per_ms);
		ug = sim_rng_uniform(r);
		s = sim_rng_exp(r, service_ms);
		if (u >= (double)until)
			break;
		t = sim_push(&v, &n, &cap);
		t->issued = (int64_t)u;
		t->cls = ug < green_share ? green_class : normal_class;
		t->service_ms = s < 1 ? 1 : (int64_t)(s + 0.5);
		sim_ticket_blank(t);
	}
	*out = v;
	return n;
}

/* ------------------------------------------------------------------- the run */

enum wstate {
	W_CLOSED,		/* outside its periods */
	W_IDLE,			/* open, nothing it may take */
	W_BUSY,			/* calling, waiting for a no-show, or serving */
};

struct wrun {
	enum wstate	 st;
	int		 p;		/* its current or next period */
	int64_t		 until;		/* W_BUSY: when it is free */
	int64_t		 idle_since;
	int64_t		 period_end;	/* W_BUSY: end of the period it called in */
	size_t		 ticket;	/* W_BUSY: whom */
};

struct run {
	const struct sim_model	*m;
	const struct sim_window	*w;
	int			 nw;
	struct sim_ticket	*t;
	struct sim_result	*res;
	struct dispatch		*d;
	struct wrun		*wr;
	int64_t			*mean;		/* the estimator's mean per matter */
	int64_t			 seq;
};

void
sim_result_init(struct sim_result *res, int nwindows)
{
	memset(res, 0, sizeof *res);
	res->busy = xcalloc((size_t)nwindows * SIM_HOURS + 1, sizeof *res->busy);
	res->open = xcalloc((size_t)nwindows * SIM_HOURS + 1, sizeof *res->open);
}

void
sim_result_free(struct sim_result *res)
{
	if (res == NULL)
		return;
	free(res->busy);
	free(res->open);
	res->busy = res->open = NULL;
}

static int
sim_hour_of(const struct sim_model *m, int64_t t)
{
	int64_t h;

	if (t < m->day_start)
		return 0;
	h = (t - m->day_start) / SIM_HOUR_MS;
	return h >= SIM_HOURS ? SIM_HOURS - 1 : (int)h;
}

/* Add [a, b) to a window's per-hour bins. */
static void
sim_bins(const struct sim_model *m, double *bins, int64_t a, int64_t b)
{
	int k;

	for (k = 0; k <= SIM_HOURS && a < b; k++) {
		int h = sim_hour_of(m, a);
		int64_t edge = h == SIM_HOURS - 1 ? b :
		    m->day_start + (int64_t)(h + 1) * SIM_HOUR_MS;

		if (a < m->day_start)
			edge = m->day_start;
		if (edge > b)
			edge = b;
		bins[h] += (double)(edge - a);
		a = edge;
	}
}

static int
sim_serves(const struct sim_window *w, int matter)
{
	int i, j;

	for (i = 0; i < w->dw.ntiers; i++)
		for (j = 0; j < w->dw.tiers[i].nmatters; j++)
			if (w->dw.tiers[i].matters[j] == matter)
				return 1;
	return 0;
}

/* The daemon's issuing cutoff (hours_issue_check): a matter whose estimated
 * wait runs past the last closing of its windows takes no more numbers. */
static int
sim_cutoff(struct run *r, int matter, int64_t now)
{
	size_t waiting = dispatch_waiting(r->d, matter);
	int64_t eta, close = -1, next = -1;
	int i, open = 0, n = 0;

	for (i = 0; i < r->nw; i++) {
		const struct sim_window *w = &r->w[i];
		int p;

		if (!sim_serves(w, matter))
			continue;
		n++;
		if (r->wr[i].st != W_CLOSED)
			open++;
		if (w->nopen > 0 && w->open_to[w->nopen - 1] > close)
			close = w->open_to[w->nopen - 1];
		for (p = 0; p < w->nopen; p++) {
			int64_t at = w->open_from[p] > now ? w->open_from[p] : now;

			if (w->open_to[p] <= now)
				continue;
			if (next < 0 || at < next)
				next = at;
			break;
		}
	}
	eta = estimate_eta_s(waiting, r->mean[matter], open);
	if (eta < 0) {
		if (next < 0 || close < 0 || next >= close)
			return 1;
		eta = (next - now) / 1000 + (int64_t)(waiting + 1) *
		    (r->mean[matter] / 1000) / (n > 0 ? n : 1);
	}
	return calendar_cutoff(now, eta, close, r->m->notice_ms / 1000) ==
	    CALENDAR_CUTOFF_CLOSED;
}

/* Window i calls its next ticket now, if the policy gives it one. */
static int
sim_call(struct run *r, int i, int64_t now)
{
	const struct sim_model *m = r->m;
	struct wrun *wr = &r->wr[i];
	struct dispatch_ticket pick;
	struct sim_ticket *t;
	int rc;

	if (m->policy->pick(r->d, &r->w[i].dw, &m->params, now, &pick) == -1)
		return 0;
	rc = dispatch_remove(r->d, &pick);
	assert(rc == 0);
	(void)rc;
	t = &r->t[pick.id];
	t->called = now;
	t->call_seq = r->seq++;
	t->window = i;
	wr->st = W_BUSY;
	wr->ticket = (size_t)pick.id;
	wr->until = now + (t->no_show ? m->noshow_ms : t->service_ms);
	wr->period_end = wr->p < r->w[i].nopen ? r->w[i].open_to[wr->p] : now;
	sim_bins(m, &r->res->busy[(size_t)i * SIM_HOURS], now, wr->until);
	return 1;
}

/* Window i is free at now: it calls if it is inside a period, else closes. */
static void
sim_free(struct run *r, int i, int64_t now)
{
	const struct sim_window *w = &r->w[i];
	struct wrun *wr = &r->wr[i];

	while (wr->p < w->nopen && w->open_to[wr->p] <= now)
		wr->p++;
	if (wr->p < w->nopen && w->open_from[wr->p] <= now) {
		wr->st = W_IDLE;
		wr->idle_since = now;
		sim_call(r, i, now);
	} else
		wr->st = W_CLOSED;
}

/* When window i next does something; -1: never again. */
static int64_t
sim_window_next(const struct run *r, int i)
{
	const struct sim_window *w = &r->w[i];
	const struct wrun *wr = &r->wr[i];

	switch (wr->st) {
	case W_BUSY:
		return wr->until;
	case W_IDLE:
		return w->open_to[wr->p];
	case W_CLOSED:
		return wr->p < w->nopen ? w->open_from[wr->p] : -1;
	}
	return -1;
}

static void
sim_window_event(struct run *r, int i, int64_t now)
{
	const struct sim_window *w = &r->w[i];
	struct wrun *wr = &r->wr[i];
	struct sim_ticket *t;

	switch (wr->st) {
	case W_BUSY:
		t = &r->t[wr->ticket];
		if (!t->no_show)	/* the daemon learns from services done */
			r->mean[t->matter] = estimate_learn(r->mean[t->matter],
			    t->called, now);
		if (now > wr->period_end)	/* overtime at a closing */
			sim_bins(r->m, &r->res->open[(size_t)i * SIM_HOURS],
			    wr->period_end > t->called ? wr->period_end : t->called, now);
		sim_free(r, i, now);
		break;
	case W_IDLE:		/* its period ends */
		wr->p++;
		if (wr->p < w->nopen && w->open_from[wr->p] <= now)
			break;	/* touching periods: still open */
		wr->st = W_CLOSED;
		break;
	case W_CLOSED:		/* a period starts */
		sim_free(r, i, now);
		break;
	}
}

/* Idle windows, longest idle first, until one takes a ticket. */
static void
sim_offer(struct run *r, int64_t now)
{
	int tried[SIM_WINDOWS_MAX];
	int k, i, best;

	memset(tried, 0, sizeof tried);
	for (k = 0; k < r->nw; k++) {
		best = -1;
		for (i = 0; i < r->nw; i++)
			if (r->wr[i].st == W_IDLE && !tried[i] && (best == -1 ||
			    r->wr[i].idle_since < r->wr[best].idle_since))
				best = i;
		if (best == -1)
			return;
		tried[best] = 1;
		if (sim_call(r, best, now))
			return;
	}
}

static void
sim_arrive(struct run *r, size_t k, int64_t now)
{
	const struct sim_model *m = r->m;
	struct sim_ticket *t = &r->t[k];
	struct dispatch_ticket dt;
	int64_t arrival = t->issued;

	t->hour = sim_hour_of(m, t->issued);
	if (m->prior_ms != NULL && sim_cutoff(r, t->matter, now)) {
		t->refused = 1;
		r->res->refused++;
		return;
	}
	t->waits_as = dispatch_class_of(&m->rule, t->cls, t->issued, t->slot);
	/* As cmd_ticket.c: an appointment on time arrives, virtually, at its
	 * slot start; a late one at its check-in, as normal. */
	if (t->slot != 0 && t->waits_as == m->rule.appointment_class)
		arrival = t->slot;
	t->arrival = arrival;
	memset(&dt, 0, sizeof dt);
	dt.id = (int64_t)k;
	dt.matter = t->matter;
	dt.cls = t->waits_as;
	dt.arrival = arrival;
	dt.key = dispatch_key(&m->rule, t->waits_as, arrival);
	dispatch_add(r->d, &dt);
	sim_offer(r, now);
}

/*
 * One run.  Events at the same instant go window by window (in index order)
 * before arrivals, so a window freed at t can take a ticket issued at t only
 * after that ticket is issued: it calls when the ticket comes, as a clerk
 * pressing call-next on an empty queue would on the next arrival.
 */
int
sim_run(const struct sim_model *m, const struct sim_window *w, int nwindows,
    struct sim_ticket *t, size_t nt, struct sim_result *res)
{
	struct run r;
	size_t next = 0, guard, limit;
	int64_t last = m->obs_from, now = 0;
	int i, rc = 0, p;

	if (nwindows > SIM_WINDOWS_MAX || m->nmatters > SIM_MATTERS_MAX)
		return -1;
	memset(&r, 0, sizeof r);
	r.m = m;
	r.w = w;
	r.nw = nwindows;
	r.t = t;
	r.res = res;
	r.d = dispatch_new(m->nmatters, m->rule.nclasses);
	r.wr = xcalloc((size_t)nwindows + 1, sizeof *r.wr);
	r.mean = xcalloc((size_t)m->nmatters + 1, sizeof *r.mean);
	for (i = 0; i < m->nmatters; i++)
		r.mean[i] = m->prior_ms != NULL ? m->prior_ms[i] : 0;
	res->q_area = 0;
	res->unserved = res->refused = res->events = 0;
	for (i = 0; i < nwindows; i++) {
		r.wr[i].st = W_CLOSED;
		for (p = 0; p < w[i].nopen; p++)
			sim_bins(m, &res->open[(size_t)i * SIM_HOURS],
			    w[i].open_from[p], w[i].open_to[p]);
	}
	for (next = 0; next < nt; next++)
		sim_ticket_blank(&t[next]);
	next = 0;
	limit = 4 * nt + (size_t)nwindows * SIM_PERIODS * 4 + 16;
	for (guard = 0; guard < limit; guard++) {
		int64_t tw = -1, ta = next < nt ? t[next].issued : -1, x;
		int wi = -1;

		for (i = 0; i < nwindows; i++)
			if ((x = sim_window_next(&r, i)) >= 0 && (tw < 0 || x < tw)) {
				tw = x;
				wi = i;
			}
		if (tw < 0 && ta < 0)
			break;
		now = tw >= 0 && (ta < 0 || tw <= ta) ? tw : ta;
		if (now > last && last < m->obs_to) {
			int64_t a = last > m->obs_from ? last : m->obs_from;
			int64_t b = now < m->obs_to ? now : m->obs_to;
			if (b > a)
				res->q_area += (double)dispatch_total(r.d) * (double)(b - a);
		}
		if (now > last)
			last = now;
		res->events++;
		if (wi >= 0 && now == tw)
			sim_window_event(&r, wi, now);
		else {
			assert(next == 0 || t[next].issued >= t[next - 1].issued);
			sim_arrive(&r, next++, now);
		}
	}
	if (guard == limit)
		rc = -1;	/* a broken invariant: events that never end */
	res->t_end = now;
	res->unserved = dispatch_total(r.d);
	dispatch_free(r.d);
	free(r.wr);
	free(r.mean);
	return rc;
}

/* ------------------------------------------------------------- the pass-over */

static int
sim_seq_cmp(const void *a, const void *b)
{
	const struct sim_ticket *x = *(const struct sim_ticket *const *)a;
	const struct sim_ticket *y = *(const struct sim_ticket *const *)b;

	if (x->matter != y->matter)
		return x->matter < y->matter ? -1 : 1;
	return x->call_seq < y->call_seq ? -1 : x->call_seq > y->call_seq;
}

/* The latest arrival among calls [lo, hi) of a max segment tree over n. */
static int64_t
sim_range_max(const int64_t *tree, size_t n, size_t lo, size_t hi)
{
	int64_t best = INT64_MIN;

	for (lo += n, hi += n; lo < hi; lo /= 2, hi /= 2) {
		if (lo & 1)
			best = tree[lo] > best ? tree[lo] : best, lo++;
		if (hi & 1)
			--hi, best = tree[hi] > best ? tree[hi] : best;
	}
	return best;
}

/*
 * For each ticket, how much later than it the latest-arriving ticket of the
 * same matter called while it waited had arrived (0: nobody later went
 * first).  Arrival is the daemon's virtual arrival (an appointment's is its
 * slot start), the time the fairness rule's bound is about; tickets of one
 * matter compete for the same windows.  A ticket never called waited through
 * every call after its arrival.
 */
void
sim_passover(struct sim_ticket *t, size_t nt, int nmatters)
{
	struct sim_ticket **v = xcalloc(nt + 1, sizeof *v);
	int64_t *tree = xcalloc(2 * nt + 2, sizeof *tree);
	size_t *start = xcalloc((size_t)nmatters + 2, sizeof *start);
	size_t *pos = xcalloc(nt + 1, sizeof *pos);
	size_t i, n = 0, lo, hi, end;
	int mi;

	for (i = 0; i < nt; i++)
		if (!t[i].refused && t[i].call_seq >= 0)
			v[n++] = &t[i];
	qsort(v, n, sizeof *v, sim_seq_cmp);
	for (i = 0; i < n; i++) {
		tree[n + i] = v[i]->arrival;
		pos[v[i] - t] = i;
	}
	for (i = n; i-- > 1;)
		tree[i] = tree[2 * i] > tree[2 * i + 1] ? tree[2 * i] : tree[2 * i + 1];
	/* start[mi]: the first call of matter mi in v (matters ascending). */
	for (mi = 0, i = 0; mi <= nmatters; mi++) {
		while (i < n && v[i]->matter < mi)
			i++;
		start[mi] = i;
	}
	for (i = 0; i < nt; i++) {
		struct sim_ticket *x = &t[i];
		int64_t late;

		x->passover_ms = 0;
		if (x->refused || x->matter < 0 || x->matter >= nmatters)
			continue;
		/* Calls of its matter from its issue on, before its own. */
		lo = start[x->matter];
		end = start[x->matter + 1];
		hi = end;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (v[mid]->called < x->issued)
				lo = mid + 1;
			else
				hi = mid;
		}
		hi = x->call_seq >= 0 ? pos[i] : end;
		if (lo >= hi)
			continue;
		late = sim_range_max(tree, n, lo, hi);
		if (late > x->arrival)
			x->passover_ms = late - x->arrival;
	}
	free(v);
	free(tree);
	free(start);
	free(pos);
}

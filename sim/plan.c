/* plan.c — the staffing plan of a hall's day (plan.h): Erlang C per group
 * of windows, then checked on the simulated day and adjusted.  Shared by
 * hallq-sim --staff and hallqd's staffing job (plan_job.c) so the two
 * cannot drift.  Pure: touches nothing but what its callers hand it. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "staffing.h"
#include "util.h"

#define PLAN_DAY_MIN	1440

int
plan_model(const struct config *conf, const char *policy, int64_t *hs,
    struct sim_model *m)
{
	memset(m, 0, sizeof *m);
	m->nmatters = conf->nmatters;
	if ((m->policy = dispatch_policy_find(policy ? policy : conf->policy)) ==
	    NULL)
		return -1;
	config_dispatch(conf, &m->params, &m->rule, hs);
	m->notice_ms = conf->closing_notice_ms;
	return 0;
}

void
plan_periods(const struct config *conf, const struct calendar_hours *fallback,
    int i, int64_t ds, struct sim_window *w)
{
	const struct calendar_hours *h = conf->windows[i].has_hours ?
	    &conf->windows[i].hours : NULL;
	int64_t t = ds, o, c;

	w->nopen = 0;
	if (!conf->has_hours && fallback == NULL) {
		w->open_from[0] = ds;
		w->open_to[0] = ds + CALENDAR_DAY_MS;
		w->nopen = 1;
		return;
	}
	if (!conf->has_hours)
		h = fallback;
	while (w->nopen < SIM_PERIODS) {
		if ((o = calendar_next_open(&conf->cal, h, t)) < 0 ||
		    o >= ds + CALENDAR_DAY_MS)
			break;
		if ((c = calendar_closing(&conf->cal, h, o)) <= o)
			break;
		w->open_from[w->nopen] = o;
		w->open_to[w->nopen++] = c;
		t = c;
	}
}

/* ------------------------------------------------------------ Erlang C */

static int
plan_same_tiers(const struct window_conf *a, const struct window_conf *b)
{
	int i;

	if (a->ntiers != b->ntiers)
		return 0;
	for (i = 0; i < a->ntiers; i++)
		if (a->tiers[i].nmatters != b->tiers[i].nmatters ||
		    a->tiers[i].class_mask != b->tiers[i].class_mask ||
		    memcmp(a->tiers[i].matters, b->tiers[i].matters,
		    (size_t)a->tiers[i].nmatters * sizeof(int)) != 0)
			return 0;
	return 1;
}

/* Matter mi's arrivals in hour h, tickets per hour. */
static double
plan_rate(const struct sim_workload *wl, int mi, int h)
{
	if (wl->rate != NULL)
		return wl->rate[mi * SIM_HOURS + h];
	return wl->tickets_per_day * wl->profile[h] * wl->share[mi];
}

/* The copies each group needs: its most in any hour past its size. */
static void
plan_clones(struct plan *pl)
{
	int g, h, k, most;

	pl->nclones = 0;
	for (g = 0; g < pl->ngroups; g++) {
		for (most = 0, h = 0; h < SIM_HOURS; h++)
			if (pl->need[g * SIM_HOURS + h] > most)
				most = pl->need[g * SIM_HOURS + h];
		for (k = pl->size[g]; k < most; k++) {
			pl->clone_of = xrealloc(pl->clone_of,
			    (size_t)(pl->nclones + 1) * sizeof *pl->clone_of);
			pl->clone_of[pl->nclones++] = pl->first[g];
		}
	}
}

void
plan_make(const struct config *conf, const struct sim_workload *wl,
    double target_min, double level, struct plan *pl)
{
	int nw = conf->nwindows, i, j, g, h, mi, k;

	memset(pl, 0, sizeof *pl);
	pl->group = xcalloc((size_t)nw + 1, sizeof *pl->group);
	pl->size = xcalloc((size_t)nw + 1, sizeof *pl->size);
	pl->first = xcalloc((size_t)nw + 1, sizeof *pl->first);
	for (i = 0; i < nw; i++) {
		for (j = 0; j < i; j++)
			if (plan_same_tiers(&conf->windows[i], &conf->windows[j]))
				break;
		if (j < i)
			pl->group[i] = pl->group[j];
		else {
			pl->first[pl->ngroups] = i;
			pl->group[i] = pl->ngroups++;
		}
		pl->size[pl->group[i]]++;
	}
	pl->home = xcalloc((size_t)conf->nmatters + 1, sizeof *pl->home);
	for (mi = 0; mi < conf->nmatters; mi++) {
		pl->home[mi] = -1;
		for (i = 0; i < nw; i++) {
			const struct dispatch_tier *t = &conf->windows[i].tiers[0];
			if (conf->windows[i].ntiers < 1 ||
			    !(t->class_mask & (1u << conf->normal_class)))
				continue;
			for (k = 0; k < t->nmatters; k++)
				if (t->matters[k] == mi)
					break;
			if (k < t->nmatters && (pl->home[mi] < 0 ||
			    pl->size[pl->group[i]] > pl->size[pl->home[mi]]))
				pl->home[mi] = pl->group[i];
		}
	}
	pl->need = xcalloc((size_t)pl->ngroups * SIM_HOURS + 1, sizeof *pl->need);
	pl->open = xcalloc((size_t)pl->ngroups * SIM_HOURS + 1, sizeof *pl->open);
	pl->beyond = xcalloc((size_t)pl->ngroups * SIM_HOURS + 1,
	    sizeof *pl->beyond);
	pl->least = xcalloc((size_t)pl->ngroups * SIM_HOURS + 1,
	    sizeof *pl->least);
	for (h = 0; h < SIM_HOURS; h++) {
		double lam = 0, work = 0, rate[SIM_HOURS];
		int hh, c;

		pl->level[h] = -1;
		for (mi = 0; mi < conf->nmatters; mi++) {
			double svc = wl->service_ms[mi] / 60000, l;

			for (hh = 0; hh < SIM_HOURS; hh++)
				rate[hh] = plan_rate(wl, mi, hh);
			l = staffing_lagged(rate, SIM_HOURS, h, svc / 60);
			lam += l;
			work += l * svc;
			if (pl->home[mi] >= 0)
				pl->least[pl->home[mi] * SIM_HOURS + h] +=
				    (int)(l * svc / 60 * 1000);	/* milli-windows */
		}
		c = lam > 0 && work > 0 ? staffing_windows(lam / 60, lam / work,
		    target_min, level, STAFFING_MAX_WINDOWS) : 0;
		pl->pooled[h] = c < 0 ? STAFFING_MAX_WINDOWS : c;
	}
	for (k = 0; k < pl->ngroups * SIM_HOURS; k++)	/* rho < 1 */
		pl->least[k] = pl->least[k] > 0 ? pl->least[k] / 1000 + 1 : 0;
	for (g = 0; g < pl->ngroups; g++) {
		int planned = 0;

		for (mi = 0; mi < conf->nmatters; mi++)
			for (h = 0; h < SIM_HOURS; h++)
				planned |= pl->home[mi] == g && plan_rate(wl, mi, h) > 0;
		for (h = 0; h < SIM_HOURS; h++) {
			double lam = 0, work = 0, rate[SIM_HOURS];
			int hh, c;

			pl->need[g * SIM_HOURS + h] = -1;
			if (!planned)
				continue;
			for (mi = 0; mi < conf->nmatters; mi++) {
				double svc = wl->service_ms[mi] / 60000, l;
				if (pl->home[mi] != g)
					continue;
				for (hh = 0; hh < SIM_HOURS; hh++)
					rate[hh] = plan_rate(wl, mi, hh);
				l = staffing_lagged(rate, SIM_HOURS, h, svc / 60);
				lam += l;
				work += l * svc;
			}
			c = lam > 0 && work > 0 ? staffing_windows(lam / 60,
			    lam / work, target_min, level, STAFFING_MAX_WINDOWS) : 0;
			pl->need[g * SIM_HOURS + h] = c < 0 ? STAFFING_MAX_WINDOWS : c;
		}
	}
	plan_clones(pl);
}

void
plan_free(struct plan *pl)
{
	if (pl == NULL)
		return;
	free(pl->group);
	free(pl->size);
	free(pl->first);
	free(pl->home);
	free(pl->need);
	free(pl->least);
	free(pl->clone_of);
	free(pl->open);
	free(pl->beyond);
	memset(pl, 0, sizeof *pl);
}

/* Minute by minute, the windows open by their hours (mask), copies open
 * whenever one of their group is. */
static unsigned char (*
plan_mask(const struct config *conf, const struct plan *pl,
    const struct sim_window *w, int64_t ds))[PLAN_DAY_MIN]
{
	int nw = conf->nwindows, i, k, min;
	unsigned char (*mask)[PLAN_DAY_MIN] = xcalloc((size_t)(nw +
	    pl->nclones) + 1, sizeof *mask);

	for (i = 0; i < nw; i++)
		for (k = 0; k < w[i].nopen; k++)
			for (min = 0; min < PLAN_DAY_MIN; min++) {
				int64_t at = ds + min * 60000LL;
				if (w[i].open_from[k] <= at && at < w[i].open_to[k])
					mask[i][min] = 1;
			}
	for (i = nw; i < nw + pl->nclones; i++) {
		int g = pl->group[pl->clone_of[i - nw]];

		for (k = 0; k < nw; k++)
			if (pl->group[k] == g)
				for (min = 0; min < PLAN_DAY_MIN; min++)
					mask[i][min] |= mask[k][min];
	}
	return mask;
}

/* The day's periods under the plan, minute by minute: a window's hours,
 * and, among its group's windows open by their hours at that minute, in
 * order, one of the first the hour needs. */
void
plan_apply(const struct config *conf, const struct plan *pl,
    struct sim_window *w, int64_t ds)
{
	int nw = conf->nwindows, i, g, min;
	unsigned char (*mask)[PLAN_DAY_MIN] = plan_mask(conf, pl, w, ds);
	int *seen = xcalloc((size_t)pl->ngroups + 1, sizeof *seen);

	for (i = nw; i < nw + pl->nclones; i++) {
		int of = pl->clone_of[i - nw];

		w[i].dw = w[of].dw;
		w[i].dw.number = 1001 + (i - nw);
	}
	for (i = 0; i < nw + pl->nclones; i++)
		w[i].nopen = 0;
	for (min = 0; min < PLAN_DAY_MIN; min++) {
		memset(seen, 0, (size_t)pl->ngroups * sizeof *seen);
		for (i = 0; i < nw + pl->nclones; i++) {
			int of = i < nw ? i : pl->clone_of[i - nw], need;
			int64_t at = ds + min * 60000LL;

			g = pl->group[of];
			need = pl->need[g * SIM_HOURS + min / 60];
			if (!mask[i][min] || (need >= 0 && seen[g]++ >= need))
				continue;
			if (w[i].nopen > 0 && w[i].open_to[w[i].nopen - 1] == at)
				w[i].open_to[w[i].nopen - 1] += 60000;
			else if (w[i].nopen < SIM_PERIODS) {
				w[i].open_from[w[i].nopen] = at;
				w[i].open_to[w[i].nopen++] = at + 60000;
			}
		}
	}
	free(mask);
	free(seen);
}

/* -------------------------------------------------------------- the check */

struct check {
	const struct plan_day	*d;
	struct plan		*pl;
	struct sim_model	 m;		/* the caller's, on the day */
	struct sim_ticket	**t;		/* per rep: the day's people */
	size_t			*nt;
	int			*gopen;		/* ngroups x SIM_HOURS: open by hours */
	double			*late;		/* ngroups x SIM_HOURS: late tickets */
	double			*all;		/* ngroups x SIM_HOURS: tickets */
	double			 lv[SIM_HOURS];
};

static struct sim_window *
check_windows(struct check *ck)
{
	const struct plan_day *d = ck->d;
	int nw = d->conf->nwindows;
	struct sim_window *w = xcalloc((size_t)(nw + ck->pl->nclones) + 1,
	    sizeof *w);

	memcpy(w, d->base, (size_t)nw * sizeof *w);
	plan_apply(d->conf, ck->pl, w, d->day_start);
	return w;
}

/* The day under the plan, the same people every time: each hour's share
 * of tickets (issued that hour) called within the target.  -1, nothing
 * run, when the plan has more windows than the simulator takes. */
static int
check_eval(struct check *ck)
{
	const struct plan_day *d = ck->d;
	struct plan *pl = ck->pl;
	int n = d->conf->nwindows + pl->nclones, r, h;
	struct sim_window *w;
	double ok[SIM_HOURS], all[SIM_HOURS];

	if (n > SIM_WINDOWS_MAX)
		return -1;
	w = check_windows(ck);
	memset(ok, 0, sizeof ok);
	memset(all, 0, sizeof all);
	memset(ck->late, 0, (size_t)pl->ngroups * SIM_HOURS * sizeof *ck->late);
	memset(ck->all, 0, (size_t)pl->ngroups * SIM_HOURS * sizeof *ck->all);
	for (r = 0; r < d->reps; r++) {
		struct sim_result res;
		size_t i;

		sim_result_init(&res, n);
		(void)sim_run(&ck->m, w, n, ck->t[r], ck->nt[r], &res);
		sim_result_free(&res);
		for (i = 0; i < ck->nt[r]; i++) {
			const struct sim_ticket *t = &ck->t[r][i];

			if (t->refused)
				continue;
			all[t->hour]++;
			if (pl->home[t->matter] >= 0)
				ck->all[pl->home[t->matter] * SIM_HOURS + t->hour]++;
			if (t->called >= 0 && t->called - t->issued <= d->target_ms)
				ok[t->hour]++;
			else if (pl->home[t->matter] >= 0)
				ck->late[pl->home[t->matter] * SIM_HOURS + t->hour]++;
		}
	}
	for (h = 0; h < SIM_HOURS; h++)
		ck->lv[h] = all[h] > 0 ? ok[h] / all[h] : -1;
	pl->evals++;
	free(w);
	return 0;
}

static int
check_total(const struct plan *pl)
{
	int g, h, most, n = 0;

	for (g = 0; g < pl->ngroups; g++) {
		for (most = pl->size[g], h = 0; h < SIM_HOURS; h++)
			if (pl->need[g * SIM_HOURS + h] > most)
				most = pl->need[g * SIM_HOURS + h];
		n += most;
	}
	return n;
}

/* Add windows where an hour falls short: to the group whose matters had
 * the most tickets late that hour, the more the shorter; an hour that two
 * additions do not move, or that no open group can help, is left. */
static int
check_add(struct check *ck)
{
	const struct plan_day *d = ck->d;
	struct plan *pl = ck->pl;
	double prev[SIM_HOURS];
	int stuck[SIM_HOURS], tries[SIM_HOURS], added[SIM_HOURS];
	int round, h, g, best, changed;

	memset(stuck, 0, sizeof stuck);
	memset(tries, 0, sizeof tries);
	memset(added, 0, sizeof added);
	for (round = 0;; round++) {
		if (check_eval(ck) == -1)
			return -1;
		if (round == PLAN_ADD_ROUNDS)
			break;
		changed = 0;
		for (h = 0; h < SIM_HOURS; h++) {
			int *need, step;

			if (ck->lv[h] < 0 || ck->lv[h] >= d->level || stuck[h])
				continue;
			if (added[h] && ck->lv[h] <= prev[h] + 0.005 &&
			    ++tries[h] >= 2) {
				stuck[h] = 1;
				continue;
			}
			for (best = -1, g = 0; g < pl->ngroups; g++)
				if (pl->need[g * SIM_HOURS + h] >= 0 &&
				    ck->gopen[g * SIM_HOURS + h] &&
				    ck->late[g * SIM_HOURS + h] > 0 && (best < 0 ||
				    ck->late[g * SIM_HOURS + h] >
				    ck->late[best * SIM_HOURS + h]))
					best = g;
			if (best < 0) {
				stuck[h] = 1;
				continue;
			}
			need = &pl->need[best * SIM_HOURS + h];
			step = 1 + (int)((d->level - ck->lv[h]) * *need / 2);
			if (check_total(pl) + step > SIM_WINDOWS_MAX ||
			    *need + step > STAFFING_MAX_WINDOWS) {
				stuck[h] = 1;
				continue;
			}
			*need += step;
			added[h] = 1;
			prev[h] = ck->lv[h];
			changed = 1;
		}
		if (!changed)
			break;
		plan_clones(pl);
	}
	return 0;
}

/* An hour that reached the level (ok0) no longer does. */
static int
check_worse(const struct check *ck, const int *ok0)
{
	int h;

	for (h = 0; h < SIM_HOURS; h++)
		if (ok0[h] && ck->lv[h] < ck->d->level)
			return 1;
	return 0;
}

/* Take windows away where there is clear slack, hour by hour from the
 * morning: a cut in an hour changes nothing before it, so once an hour is
 * settled it stays settled.  In an hour that reaches the level, each group
 * whose own matters' tickets reach half the way from the level to everyone
 * gives up a quarter of its windows (at least one); if any hour that
 * reached the level then falls short, the cut goes back and the next try
 * is half as big, down to one. */
static void
check_cut(struct check *ck)
{
	const struct plan_day *d = ck->d;
	struct plan *pl = ck->pl;
	double slack = d->level + (1 - d->level) / 2, lv[SIM_HOURS];
	int n = pl->ngroups * SIM_HOURS, h, g, k, any, tries, ok0[SIM_HOURS];
	int *cut = xcalloc((size_t)pl->ngroups + 1, sizeof *cut);
	int *step = xcalloc((size_t)pl->ngroups + 1, sizeof *step);
	double *late = xcalloc((size_t)n + 1, sizeof *late);
	double *all = xcalloc((size_t)n + 1, sizeof *all);

	for (h = 0; h < SIM_HOURS; h++)
		ok0[h] = ck->lv[h] >= d->level;
	for (h = 0; h < SIM_HOURS; h++) {
		for (g = 0; g < pl->ngroups; g++)
			step[g] = (pl->need[g * SIM_HOURS + h] + 3) / 4;
		for (tries = 0; tries < PLAN_CUT_TRIES && ok0[h]; tries++) {
			int total = 0, least;

			for (g = 0; g < pl->ngroups; g++)
				if (ck->gopen[g * SIM_HOURS + h] &&
				    pl->need[g * SIM_HOURS + h] > 0)
					total += pl->need[g * SIM_HOURS + h];
			any = 0;
			for (g = 0; g < pl->ngroups; g++) {
				k = g * SIM_HOURS + h;
				cut[g] = 0;
				least = pl->least[k] > 1 ? pl->least[k] : 1;
				if (step[g] <= 0 || pl->need[k] <= least ||
				    !ck->gopen[k] || ck->all[k] <= 0 ||
				    1 - ck->late[k] / ck->all[k] < slack)
					continue;
				cut[g] = step[g] < pl->need[k] - least ? step[g] :
				    pl->need[k] - least;
				if (total - cut[g] < pl->pooled[h])
					cut[g] = total - pl->pooled[h];
				if (cut[g] <= 0) {
					cut[g] = 0;
					continue;
				}
				pl->need[k] -= cut[g];
				total -= cut[g];
				any = 1;
			}
			if (!any)
				break;
			memcpy(lv, ck->lv, sizeof lv);
			memcpy(late, ck->late, (size_t)n * sizeof *late);
			memcpy(all, ck->all, (size_t)n * sizeof *all);
			plan_clones(pl);
			/* Fewer windows than an evaluation that ran: runs. */
			(void)check_eval(ck);
			if (!check_worse(ck, ok0))
				continue;
			/* Back to the plan that held, and its figures. */
			for (g = 0; g < pl->ngroups; g++) {
				pl->need[g * SIM_HOURS + h] += cut[g];
				if (cut[g] > 0)
					step[g] = step[g] > 1 ? step[g] / 2 : 0;
			}
			plan_clones(pl);
			memcpy(ck->lv, lv, sizeof lv);
			memcpy(ck->late, late, (size_t)n * sizeof *late);
			memcpy(ck->all, all, (size_t)n * sizeof *all);
		}
	}
	free(cut);
	free(step);
	free(late);
	free(all);
}

/* The most windows of each group open at once in each hour, and how many
 * of them copies. */
static void
check_count(struct check *ck)
{
	const struct plan_day *d = ck->d;
	struct plan *pl = ck->pl;
	int nw = d->conf->nwindows, n = nw + pl->nclones, i, k, min, g;
	struct sim_window *w = check_windows(ck);
	int *now = xcalloc((size_t)pl->ngroups * 2 + 1, sizeof *now);

	memset(pl->open, 0, (size_t)pl->ngroups * SIM_HOURS * sizeof *pl->open);
	memset(pl->beyond, 0, (size_t)pl->ngroups * SIM_HOURS *
	    sizeof *pl->beyond);
	for (min = 0; min < PLAN_DAY_MIN; min++) {
		int64_t at = d->day_start + min * 60000LL;
		int h = min / 60;

		memset(now, 0, (size_t)pl->ngroups * 2 * sizeof *now);
		for (i = 0; i < n; i++) {
			g = pl->group[i < nw ? i : pl->clone_of[i - nw]];
			for (k = 0; k < w[i].nopen; k++)
				if (w[i].open_from[k] <= at && at < w[i].open_to[k]) {
					now[g * 2]++;
					now[g * 2 + 1] += i >= nw;
					break;
				}
		}
		for (g = 0; g < pl->ngroups; g++)
			if (now[g * 2] > pl->open[g * SIM_HOURS + h]) {
				pl->open[g * SIM_HOURS + h] = now[g * 2];
				pl->beyond[g * SIM_HOURS + h] = now[g * 2 + 1];
			}
	}
	free(now);
	free(w);
}

int
plan_check(const struct plan_day *d, struct plan *pl)
{
	struct check ck;
	int nw = d->conf->nwindows, r, i, g, h, k, rc;

	memset(&ck, 0, sizeof ck);
	ck.d = d;
	ck.pl = pl;
	ck.m = *d->model;
	ck.m.day_start = d->day_start;
	ck.m.obs_from = d->day_start;
	ck.m.obs_to = d->day_start + 2 * CALENDAR_DAY_MS;
	ck.t = xcalloc((size_t)d->reps + 1, sizeof *ck.t);
	ck.nt = xcalloc((size_t)d->reps + 1, sizeof *ck.nt);
	ck.gopen = xcalloc((size_t)pl->ngroups * SIM_HOURS + 1, sizeof *ck.gopen);
	ck.late = xcalloc((size_t)pl->ngroups * SIM_HOURS + 1, sizeof *ck.late);
	ck.all = xcalloc((size_t)pl->ngroups * SIM_HOURS + 1, sizeof *ck.all);
	/* The same people for every plan tried: drawn once, while the
	 * windows are open by their hours. */
	for (r = 0; r < d->reps; r++) {
		struct sim_rng rng;

		sim_rng_seed(&rng, d->seed, (uint64_t)r);
		ck.nt[r] = sim_gen_day(d->wl, d->base, nw, d->day_start, &rng,
		    &ck.t[r], NULL);
	}
	for (i = 0; i < nw; i++)
		for (k = 0; k < d->base[i].nopen; k++)
			for (h = 0; h < SIM_HOURS; h++) {
				int64_t a = d->day_start + h * SIM_HOUR_MS;

				g = pl->group[i];
				if (d->base[i].open_from[k] < a + SIM_HOUR_MS &&
				    d->base[i].open_to[k] > a)
					ck.gopen[g * SIM_HOURS + h] = 1;
			}
	if ((rc = check_add(&ck)) == 0) {
		check_cut(&ck);
		check_count(&ck);
		memcpy(pl->level, ck.lv, sizeof pl->level);
		pl->checked = 1;
	}
	for (r = 0; r < d->reps; r++)
		free(ck.t[r]);
	free(ck.t);
	free(ck.nt);
	free(ck.gopen);
	free(ck.late);
	free(ck.all);
	return rc;
}

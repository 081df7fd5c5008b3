/* window.c — the windows' state: build and load, the window moves table,
 * tiers (a manager's, today's), the held list, open windows for estimates, and
 * handing back what a closing window alone would call.
 * Must not answer commands (cmd_window.c does) nor build JSON (view.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "estimate.h"
#include "hall_int.h"
#include "util.h"

const char *const wstate_names[WS_MAX] = { "closed", "open", "paused" };

struct win *
window_find(struct hall *h, int number)
{
	int i;

	for (i = 0; i < h->nwins; i++)
		if (h->wins[i].number == number)
			return &h->wins[i];
	return NULL;
}

/* ---------------------------------------------------------------- estimates */

int
window_open_count(struct hall *h, int mi)
{
	int i, j, k, n = 0;

	for (i = 0; i < h->nwins; i++) {
		const struct win *w = &h->wins[i];
		int serves = 0;
		if (w->state != WS_OPEN)
			continue;
		for (j = 0; j < w->dw.ntiers && !serves; j++)
			for (k = 0; k < w->dw.tiers[j].nmatters; k++)
				if (w->dw.tiers[j].matters[k] == mi)
					serves = 1;
		n += serves;
	}
	return n;
}

/*
 * The estimated wait behind `ahead` tickets of matter mi, shared by its open
 * windows, or by window `target` alone (a ticket transferred to it; 0: none).
 * -1 when no open window would take it: the wait is unknown, not 0.
 */
int64_t
window_eta_s(struct hall *h, int mi, size_t ahead, int target)
{
	const struct win *w;
	int open;

	if (mi < 0)
		return -1;
	if (target != 0)
		open = (w = window_find(h, target)) != NULL && w->state == WS_OPEN;
	else
		open = window_open_count(h, mi);
	return estimate_eta_s(ahead, h->service_ms[mi], open);
}

/* The held list follows the tickets' states: kept by hold and call, made
 * anew from all tickets after a rebuild or a rollover. */
void
window_held_add(struct hall *h, struct ticket *t)
{
	h->held = xrealloc(h->held, (h->nheld + 1) * sizeof *h->held);
	h->held[h->nheld++] = t;
}

void
window_held_del(struct hall *h, struct ticket *t)
{
	size_t i;

	for (i = 0; i < h->nheld; i++) {
		if (h->held[i] == t) {
			h->held[i] = h->held[--h->nheld];
			return;
		}
	}
}

void
window_held_rebuild(struct hall *h)
{
	struct ticket *t;
	size_t i;

	h->nheld = 0;
	for (i = 0; i < h->nbuckets; i++)
		for (t = h->buckets[i]; t != NULL; t = t->hnext)
			if (t->state == TS_HELD)
				window_held_add(h, t);
}

void
window_load_cb(void *arg, const struct store_window *sw)
{
	struct hall *h = arg;
	struct win *w = window_find(h, sw->number);
	int i;

	if (w == NULL)
		return;		/* no longer configured: its row stays */
	for (i = 0; i < WS_MAX; i++)
		if (strcmp(wstate_names[i], sw->state) == 0)
			w->state = i;
	w->since = sw->since;
	w->cur = sw->ticket ? ticket_find(h, sw->ticket) : NULL;
}

void
window_free_all(struct hall *h)
{
	int i;

	for (i = 0; h->wins != NULL && i < h->nwins; i++) {
		free(h->wins[i].otiers);
		free(h->wins[i].omatters);
	}
	free(h->wins);
	h->wins = NULL;
}

/*
 * Tiers given as [["SB01","SB02"],["YB01"]]: checked, then the window's
 * dispatcher uses them.  Classes and overflow of a tier stay those of the
 * file's tier at the same place (a new tier: every class, no overflow).
 * Returns 0, or -1 with why.
 */
int
window_tiers_set(struct hall *h, struct win *w, json_t *tiers, char *why,
    size_t whylen)
{
	struct dispatch_tier *t;
	json_t *tier, *code;
	size_t i, j, total = 0;
	int *m, k, mi;

	if (!json_is_array(tiers) || json_array_size(tiers) == 0 ||
	    json_array_size(tiers) > 8) {
		snprintf(why, whylen, "tiers is a list of 1 to 8 tiers");
		return -1;
	}
	json_array_foreach(tiers, i, tier) {
		if (!json_is_array(tier) || json_array_size(tier) == 0 ||
		    json_array_size(tier) > 64) {
			snprintf(why, whylen, "tier %zu is a list of 1 to 64 matter codes", i);
			return -1;
		}
		total += json_array_size(tier);
	}
	t = xcalloc(json_array_size(tiers), sizeof *t);
	m = xcalloc(total, sizeof *m);
	total = 0;
	json_array_foreach(tiers, i, tier) {
		t[i].matters = m + total;
		t[i].class_mask = i < (size_t)w->conf->ntiers ?
		    w->conf->tiers[i].class_mask : (1u << h->conf->nclasses) - 1;
		t[i].overflow_ms = i < (size_t)w->conf->ntiers ?
		    w->conf->tiers[i].overflow_ms : 0;
		json_array_foreach(tier, j, code) {
			if (!json_is_string(code) ||
			    (mi = config_matter(h->conf, json_string_value(code))) < 0) {
				snprintf(why, whylen, "tier %zu: no matter %.40s", i,
				    json_is_string(code) ? json_string_value(code) : "(not a code)");
				goto fail;
			}
			for (k = 0; k < t[i].nmatters; k++)
				if (t[i].matters[k] == mi) {
					snprintf(why, whylen, "tier %zu: %s twice", i,
					    json_string_value(code));
					goto fail;
				}
			m[total++] = mi;
			t[i].nmatters++;
		}
	}
	free(w->otiers);
	free(w->omatters);
	w->otiers = t;
	w->omatters = m;
	w->dw.tiers = t;
	w->dw.ntiers = (int)json_array_size(tiers);
	return 0;
fail:
	free(t);
	free(m);
	return -1;
}

/* Today's tiers for a window, in force and kept as "DAY JSON" in meta
 * "tiers.N" (window_tiers_load reads them back); -1 with why when they do
 * not fit the window. */
int
window_tiers_apply(struct hall *h, struct win *w, json_t *tiers, char *why,
    size_t whylen)
{
	char key[32], *v, *text;

	if (window_tiers_set(h, w, tiers, why, whylen) == -1)
		return -1;
	text = json_dumps(tiers, JSON_COMPACT);
	snprintf(key, sizeof key, "tiers.%d", w->number);
	xasprintf(&v, "%s %s", h->day, text);
	if (!h->failed && store_meta_put(h->store, key, v) == -1)
		h->failed = 1;
	free(v);
	free(text);
	return 0;
}

/* Today's tiers of window `number` forgotten: its configured ones serve
 * from the next rebuild. */
void
window_tiers_forget(struct hall *h, int number)
{
	char key[32];

	snprintf(key, sizeof key, "tiers.%d", number);
	if (!h->failed && store_meta_put(h->store, key, "") == -1)
		h->failed = 1;
}

/* Today's tiers set by a manager, kept as "DAY JSON" in meta. */
void
window_tiers_load(struct hall *h, struct win *w)
{
	char key[32], why[128], *v;
	json_t *tiers;

	snprintf(key, sizeof key, "tiers.%d", w->number);
	if ((v = store_meta_get(h->store, key)) == NULL)
		return;
	if (strncmp(v, h->day, strlen(h->day)) == 0 && v[strlen(h->day)] == ' ' &&
	    (tiers = json_loads(v + strlen(h->day) + 1, 0, NULL)) != NULL) {
		if (window_tiers_set(h, w, tiers, why, sizeof why) == -1)
			log_warnx("window %d: today's tiers no longer fit: %s",
			    w->number, why);
		json_decref(tiers);
	}
	free(v);
}

void
window_build_all(struct hall *h)
{
	int i;

	window_free_all(h);
	h->nwins = h->conf->nwindows;
	h->wins = xcalloc(h->nwins + 1, sizeof *h->wins);
	for (i = 0; i < h->nwins; i++) {
		struct win *w = &h->wins[i];
		w->conf = &h->conf->windows[i];
		w->number = w->conf->number;
		w->state = w->conf->initially_open ? WS_OPEN : WS_CLOSED;
		w->since = h->now;
		w->dw.number = w->number;
		w->dw.tiers = w->conf->tiers;
		w->dw.ntiers = w->conf->ntiers;
	}
}

void
window_release(struct hall *h, struct win *w)
{
	w->cur = NULL;
	w->since = h->now;
	hall_put_window(h, w);
}

/* Window states: from which states each command moves, and to what. */
const struct wmove window_moves[WMOVE_MAX] = {
	[WMOVE_PAUSE] = { "pause", 1u << WS_OPEN, WS_PAUSED, "window.paused" },
	[WMOVE_RESUME] = { "resume", 1u << WS_PAUSED, WS_OPEN, "window.resumed" },
	[WMOVE_OPEN] = { "open", 1u << WS_CLOSED | 1u << WS_PAUSED, WS_OPEN,
	    "window.opened" },
	[WMOVE_CLOSE] = { "close", 1u << WS_OPEN | 1u << WS_PAUSED, WS_CLOSED,
	    "window.closed" },
};

static int
cmp_ticket_id(const void *a, const void *b)
{
	const struct ticket *x = *(struct ticket *const *)a;
	const struct ticket *y = *(struct ticket *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * A window that closes hands back what only it would call, so nothing is
 * stranded behind a closed window: the tickets it holds (挂起) wait again,
 * and those transferred to it alone wait for any window of their matter,
 * each in its old place in its matter's queue (the arrival is kept).  One
 * ticket.requeued each, in issue order.
 */
void
window_hand_back(struct hall *h, struct win *w)
{
	struct ticket **back = NULL, *t;
	size_t n = 0, i;

	for (i = 0; i < h->nheld; i++)
		if (h->held[i]->window == w->number) {
			back = xrealloc(back, (n + 1) * sizeof *back);
			back[n++] = h->held[i];
		}
	for (i = 0; i < h->nbuckets; i++)
		for (t = h->buckets[i]; t != NULL; t = t->hnext)
			if (ticket_in_queue_state(t) && t->target_window == w->number) {
				back = xrealloc(back, (n + 1) * sizeof *back);
				back[n++] = t;
			}
	if (n > 1)
		qsort(back, n, sizeof *back, cmp_ticket_id);
	for (i = 0; i < n; i++) {
		t = back[i];
		if (ticket_move(t, TMOVE_REQUEUE) == 0) {
			window_held_del(h, t);
			t->window = 0;
		} else {
			ticket_unqueue(h, t);
			t->target_window = 0;
		}
		ticket_queue(h, t);
		hall_put_ticket(h, t);
		hall_emit(h, "ticket.requeued", json_pack("{s:o, s:i, s:s}",
		    "ticket", view_ticket(h, t), "window", w->number,
		    "reason", "window_closed"));
	}
	free(back);
}

/* ticket.c — the ticket registry (hash by id, find, link, free), a ticket's
 * place in the dispatcher (queue, unqueue) and its state: the table of the
 * moves a ticket may make, and ticket_move(), the one way its state changes.
 * Must not write to the store or emit events: the commands do. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "estimate.h"
#include "hall_int.h"
#include "util.h"

const char *const tstate_names[TS_MAX] = {
	"waiting", "called", "serving", "held", "done", "no_show",
	"cancelled", "transferred", "expired"
};

#define B(s)	(1u << (s))
#define OPEN	(B(TS_WAITING) | B(TS_TRANSFERRED) | B(TS_CALLED) | \
		 B(TS_SERVING) | B(TS_HELD) | B(TS_NO_SHOW))

/* Ticket states: from which states each move may start, and where it leads.
 * A command checks what is its own first (a window's tiers, a hold by
 * another window, a no-show's grace, a manager's role); the table has the
 * last word on the state. */
const struct tmove ticket_moves[TMOVE_MAX] = {
	[TMOVE_CALL] = { "call", B(TS_WAITING) | B(TS_TRANSFERRED), TS_CALLED },
	[TMOVE_CALL_BACK] = { "call back", B(TS_HELD) | B(TS_NO_SHOW), TS_CALLED },
	[TMOVE_RECALL] = { "recall", B(TS_CALLED), TS_CALLED },
	[TMOVE_START] = { "start", B(TS_CALLED), TS_SERVING },
	[TMOVE_FINISH] = { "finish", B(TS_CALLED) | B(TS_SERVING), TS_DONE },
	[TMOVE_NO_SHOW] = { "no-show", B(TS_CALLED), TS_NO_SHOW },
	[TMOVE_HOLD] = { "hold", B(TS_CALLED) | B(TS_SERVING), TS_HELD },
	[TMOVE_TRANSFER] = { "transfer", B(TS_CALLED) | B(TS_SERVING),
	    TS_TRANSFERRED },
	[TMOVE_CANCEL] = { "cancel", OPEN, TS_CANCELLED },
	[TMOVE_REQUEUE] = { "requeue", B(TS_HELD), TS_WAITING },
	[TMOVE_EXPIRE] = { "expire", OPEN, TS_EXPIRED },
};

#undef OPEN
#undef B

/* May the ticket make this move from where it is? */
int
ticket_may(const struct ticket *t, enum tmove_id m)
{
	assert(m >= 0 && m < TMOVE_MAX);
	return (ticket_moves[m].from & (1u << t->state)) != 0;
}

/* The one way a ticket's state changes: 0, or -1 and the ticket untouched
 * when the table does not allow the move from its state. */
int
ticket_move(struct ticket *t, enum tmove_id m)
{
	if (!ticket_may(t, m))
		return -1;
	t->state = ticket_moves[m].to;
	return 0;
}

/* ---------------------------------------------------------------- tickets */

static size_t
ticket_hash(int64_t id, size_t n)
{
	return (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 20) & (n - 1);
}

void
ticket_link(struct hall *h, struct ticket *t)
{
	size_t i;

	if (h->ntickets + 1 > h->nbuckets) {
		size_t n = h->nbuckets ? h->nbuckets * 2 : 1024;
		struct ticket **b = xcalloc(n, sizeof *b);
		for (i = 0; i < h->nbuckets; i++) {
			struct ticket *x, *next;
			for (x = h->buckets[i]; x != NULL; x = next) {
				size_t k = ticket_hash(x->id, n);
				next = x->hnext;
				x->hnext = b[k];
				b[k] = x;
			}
		}
		free(h->buckets);
		h->buckets = b;
		h->nbuckets = n;
	}
	i = ticket_hash(t->id, h->nbuckets);
	t->hnext = h->buckets[i];
	h->buckets[i] = t;
	h->ntickets++;
}

struct ticket *
ticket_find(struct hall *h, int64_t id)
{
	struct ticket *t;

	if (h->nbuckets == 0)
		return NULL;
	for (t = h->buckets[ticket_hash(id, h->nbuckets)]; t != NULL; t = t->hnext)
		if (t->id == id)
			return t;
	return NULL;
}

void
ticket_free(struct ticket *t)
{
	if (t == NULL)
		return;
	free(t->phone);
	free(t->id_number);
	free(t);
}

void
ticket_clear_all(struct hall *h)
{
	size_t i;

	for (i = 0; i < h->nbuckets; i++) {
		struct ticket *t, *next;
		for (t = h->buckets[i]; t != NULL; t = next) {
			next = t->hnext;
			ticket_free(t);
		}
	}
	free(h->buckets);
	h->buckets = NULL;
	h->nbuckets = h->ntickets = 0;
}

static int
ticket_state_parse(const char *s)
{
	int i;

	for (i = 0; i < TS_MAX; i++)
		if (strcmp(tstate_names[i], s) == 0)
			return i;
	return -1;
}

int
ticket_in_queue_state(const struct ticket *t)
{
	return t->state == TS_WAITING || t->state == TS_TRANSFERRED;
}

/* The class a ticket waits as (dispatch_class_of(): the pure rule).  It is
 * queued under this class too, so within a (matter, class) queue key order
 * stays arrival order (dispatch_oldest() and the overflow thresholds rely on
 * it). */
int
ticket_class(struct hall *h, const struct ticket *t)
{
	return dispatch_class_of(&h->rule, t->ci, t->issued_at, t->slot_start);
}

static int64_t
ticket_key(struct hall *h, const struct ticket *t)
{
	return dispatch_key(&h->rule, ticket_class(h, t), t->arrival);
}

void
ticket_queue(struct hall *h, struct ticket *t)
{
	if (t->queued || !ticket_in_queue_state(t) || t->mi < 0)
		return;
	t->dt.id = t->id;
	t->dt.matter = t->mi;
	t->dt.cls = ticket_class(h, t);
	t->dt.window = t->target_window;
	t->dt.arrival = t->arrival;
	t->dt.key = ticket_key(h, t);
	dispatch_add(h->disp, &t->dt);
	t->queued = 1;
}

void
ticket_unqueue(struct hall *h, struct ticket *t)
{
	if (!t->queued)
		return;
	if (dispatch_remove(h->disp, &t->dt) == -1)
		log_warnx("ticket %lld was not in its queue", (long long)t->id);
	t->queued = 0;
}

/* Rolling mean of service time (estimate_learn()), from the configured prior. */
void
ticket_learn_service(struct hall *h, const struct ticket *t)
{
	if (t->mi >= 0)
		h->service_ms[t->mi] = estimate_learn(h->service_ms[t->mi],
		    t->called_at, t->ended_at);
}

static void
ticket_resolve(struct hall *h, struct ticket *t)
{
	t->mi = config_matter(h->conf, t->matter);
	t->ci = config_class(h->conf, t->cls);
	if (t->mi < 0 && ticket_in_queue_state(t))
		log_warnx("ticket %s: matter %s is no longer configured; it "
		    "waits until it is transferred", t->number, t->matter);
}

/* A ticket from its row, not linked anywhere yet. */
struct ticket *
ticket_from_row(struct hall *h, const struct store_ticket *st)
{
	struct ticket *t = xcalloc(1, sizeof *t);
	int s;

	t->id = st->id;
	snprintf(t->day, sizeof t->day, "%s", st->day);
	snprintf(t->number, sizeof t->number, "%s", st->number);
	snprintf(t->prefix, sizeof t->prefix, "%s", st->prefix);
	t->seqno = st->seqno;
	snprintf(t->matter, sizeof t->matter, "%s", st->matter);
	snprintf(t->cls, sizeof t->cls, "%s", st->cls);
	snprintf(t->channel, sizeof t->channel, "%s", st->channel);
	if ((s = ticket_state_parse(st->state)) < 0) {
		log_warnx("ticket %lld: unknown state %s", (long long)st->id, st->state);
		s = TS_EXPIRED;
	}
	t->state = s;
	t->window = st->window;
	t->target_window = st->target_window;
	t->issued_at = st->issued_at;
	t->arrival = st->arrival;
	t->slot_start = st->slot_start;
	t->called_at = st->called_at;
	t->first_called_at = st->first_called_at;
	t->serving_at = st->serving_at;
	t->ended_at = st->ended_at;
	t->no_show_at = st->no_show_at;
	t->recalls = st->recalls;
	t->transfers = st->transfers;
	t->phone = st->phone ? xstrdup(st->phone) : NULL;
	t->id_number = st->id_number ? xstrdup(st->id_number) : NULL;
	snprintf(t->token, sizeof t->token, "%s", st->token ? st->token : "");
	snprintf(t->finished_by, sizeof t->finished_by, "%s",
	    st->finished_by ? st->finished_by : "");
	t->rated = st->rated;
	t->notify = st->notify;
	snprintf(t->appointment, sizeof t->appointment, "%s",
	    st->appointment ? st->appointment : "");
	ticket_resolve(h, t);
	return t;
}

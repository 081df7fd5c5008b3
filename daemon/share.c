/* share.c — the appointment budget of windows shared by several matters.
 *
 * Each window may give share_pct of a slot to bookings; a booking of a
 * matter may be served by any window serving that matter.  Whether a set of
 * bookings fits is a transport problem — source → matter (its booked
 * seconds) → its windows → sink (each window's budget) — and it fits when
 * the maximum flow carries every booked second.  Checking per matter alone
 * would let fifteen matters sharing the same windows each book half of
 * them.  Pure: no clock, no I/O; Edmonds–Karp on a dense matrix of the
 * matters and windows of one slot (a few dozen nodes). */
#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "util.h"

#define SHARE_INF	(INT64_C(1) << 60)

struct net {
	int	 n;
	int64_t	*cap;		/* n × n residual capacities */
	int	*prev;
	int	*queue;
};

static int64_t
net_maxflow(struct net *g, int s, int t)
{
	int64_t flow = 0, push;
	int head, tail, u, v;

	for (;;) {
		for (v = 0; v < g->n; v++)
			g->prev[v] = -1;
		g->prev[s] = s;
		head = tail = 0;
		g->queue[tail++] = s;
		while (head < tail && g->prev[t] == -1) {
			u = g->queue[head++];
			for (v = 0; v < g->n; v++)
				if (g->prev[v] == -1 && g->cap[u * g->n + v] > 0) {
					g->prev[v] = u;
					g->queue[tail++] = v;
				}
		}
		if (g->prev[t] == -1)
			return flow;
		push = SHARE_INF;
		for (v = t; v != s; v = g->prev[v])
			if (g->cap[g->prev[v] * g->n + v] < push)
				push = g->cap[g->prev[v] * g->n + v];
		for (v = t; v != s; v = g->prev[v]) {
			g->cap[g->prev[v] * g->n + v] -= push;
			g->cap[v * g->n + g->prev[v]] += push;
		}
		flow += push;
	}
}

/* Nodes: 0 source, 1..nm matters, nm+1..nm+nw windows, nm+nw+1 sink. */
static int64_t
share_flow(int nm, int nw, const unsigned char *serves, const int64_t *demand_s,
    const int64_t *cap_s, int m_unbounded)
{
	struct net g;
	int64_t f;
	int i, j, sink = nm + nw + 1;

	g.n = nm + nw + 2;
	g.cap = xcalloc((size_t)g.n * (size_t)g.n, sizeof *g.cap);
	g.prev = xcalloc((size_t)g.n, sizeof *g.prev);
	g.queue = xcalloc((size_t)g.n, sizeof *g.queue);
	for (i = 0; i < nm; i++) {
		g.cap[0 * g.n + 1 + i] = i == m_unbounded ? SHARE_INF : demand_s[i];
		for (j = 0; j < nw; j++)
			if (serves[i * nw + j])
				g.cap[(1 + i) * g.n + 1 + nm + j] = SHARE_INF;
	}
	for (j = 0; j < nw; j++)
		g.cap[(1 + nm + j) * g.n + sink] = cap_s[j] > 0 ? cap_s[j] : 0;
	f = net_maxflow(&g, 0, sink);
	free(g.cap);
	free(g.prev);
	free(g.queue);
	return f;
}

int64_t
share_room_s(int nm, int nw, const unsigned char *serves,
    const int64_t *demand_s, const int64_t *cap_s, int m)
{
	int64_t total = 0, f;
	int i;

	if (m < 0 || m >= nm)
		return -1;
	for (i = 0; i < nm; i++)
		total += demand_s[i] > 0 ? demand_s[i] : 0;
	/* What is booked must still fit... */
	if (share_flow(nm, nw, serves, demand_s, cap_s, -1) < total)
		return -1;
	/* ... and then a maximum flow grown from it never takes from the
	 * other matters (an augmenting path leaves the source once), so what
	 * m may add is the maximum with m unbounded less all that is booked. */
	f = share_flow(nm, nw, serves, demand_s, cap_s, m);
	return f - total;
}

/* bridge.c — the queues and the event ring between the core and web threads.
 * Bounded everywhere: a full command queue is refused (the web answers 503);
 * the core takes a command only when the reply queue has room for its answer,
 * so replies are never dropped; the ring overwrites its oldest event and a
 * reader left behind learns so from bridge_event_get(). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "hall.h"
#include "util.h"

struct ring_ev {
	int64_t		 seq;
	char		*json;
	size_t		 len;
};

struct bridge {
	pthread_mutex_t		 mtx;
	struct bridge_cmd	*cmds;
	size_t			 ncmds, cmd_head, cmd_count;
	struct bridge_reply	*replies;
	size_t			 reply_head, reply_count;	/* capacity ncmds */
	size_t			 reply_reserved;		/* cmds taken */
	struct ring_ev		*ring;
	size_t			 nring;
	int64_t			 first_seq;	/* oldest seq in the ring */
	int64_t			 next_seq;	/* one past the newest */
};

struct bridge *
bridge_new(size_t ncmds, size_t nring)
{
	struct bridge *b = xcalloc(1, sizeof *b);

	pthread_mutex_init(&b->mtx, NULL);
	b->ncmds = ncmds;
	b->cmds = xcalloc(ncmds, sizeof *b->cmds);
	b->replies = xcalloc(ncmds, sizeof *b->replies);
	b->nring = nring;
	b->ring = xcalloc(nring, sizeof *b->ring);
	b->first_seq = b->next_seq = 1;
	return b;
}

void
bridge_free(struct bridge *b)
{
	struct bridge_reply r;
	size_t i;

	if (b == NULL)
		return;
	/* Straight from the array: bridge_cmd_pop() holds back commands whose
	 * replies would not fit, and those must be released too. */
	for (i = 0; i < b->cmd_count; i++)
		json_decref(b->cmds[(b->cmd_head + i) % b->ncmds].msg);
	while (bridge_reply_pop(b, &r) == 0)
		bridge_reply_clear(&r);
	for (i = 0; i < b->nring; i++)
		free(b->ring[i].json);
	free(b->cmds);
	free(b->replies);
	free(b->ring);
	pthread_mutex_destroy(&b->mtx);
	free(b);
}

/* Takes the reference to msg on success. */
int
bridge_cmd_push(struct bridge *b, uint64_t conn, json_t *msg)
{
	int rc = -1;

	pthread_mutex_lock(&b->mtx);
	if (b->cmd_count < b->ncmds) {
		struct bridge_cmd *c = &b->cmds[(b->cmd_head + b->cmd_count) % b->ncmds];
		c->conn = conn;
		c->msg = msg;
		b->cmd_count++;
		rc = 0;
	}
	pthread_mutex_unlock(&b->mtx);
	return rc;
}

int
bridge_cmd_pop(struct bridge *b, struct bridge_cmd *out)
{
	int rc = -1;

	pthread_mutex_lock(&b->mtx);
	if (b->cmd_count > 0 && b->reply_count + b->reply_reserved < b->ncmds) {
		*out = b->cmds[b->cmd_head];
		b->cmd_head = (b->cmd_head + 1) % b->ncmds;
		b->cmd_count--;
		b->reply_reserved++;
		rc = 0;
	}
	pthread_mutex_unlock(&b->mtx);
	return rc;
}

/* Takes ownership of the reply's contents. */
void
bridge_reply_push(struct bridge *b, struct bridge_reply *r)
{
	pthread_mutex_lock(&b->mtx);
	if (b->reply_reserved == 0 || b->reply_count >= b->ncmds)
		fatalx("bridge: a reply without a command");
	b->reply_reserved--;
	b->replies[(b->reply_head + b->reply_count) % b->ncmds] = *r;
	b->reply_count++;
	pthread_mutex_unlock(&b->mtx);
	memset(r, 0, sizeof *r);
}

int
bridge_reply_pop(struct bridge *b, struct bridge_reply *out)
{
	int rc = -1;

	pthread_mutex_lock(&b->mtx);
	if (b->reply_count > 0) {
		*out = b->replies[b->reply_head];
		b->reply_head = (b->reply_head + 1) % b->ncmds;
		b->reply_count--;
		rc = 0;
	}
	pthread_mutex_unlock(&b->mtx);
	return rc;
}

void
bridge_reply_clear(struct bridge_reply *r)
{
	size_t i;

	for (i = 0; i < r->nitems; i++)
		free(r->items[i].json);
	free(r->items);
	free(r->body);
	free(r->filename);
	memset(r, 0, sizeof *r);
}

/* The log's last seq at start: live events continue after it. */
void
bridge_events_start(struct bridge *b, int64_t seq)
{
	pthread_mutex_lock(&b->mtx);
	b->first_seq = b->next_seq = seq + 1;
	pthread_mutex_unlock(&b->mtx);
}

void
bridge_events_push(struct bridge *b, const struct hall_event *ev, size_t n)
{
	size_t i;

	pthread_mutex_lock(&b->mtx);
	for (i = 0; i < n; i++) {
		struct ring_ev *slot = &b->ring[ev[i].seq % b->nring];
		if (ev[i].seq != b->next_seq)
			fatalx("bridge: event %lld after %lld", (long long)ev[i].seq,
			    (long long)b->next_seq - 1);
		free(slot->json);
		slot->seq = ev[i].seq;
		slot->len = strlen(ev[i].json);
		slot->json = xstrndup(ev[i].json, slot->len);
		b->next_seq++;
		if (b->next_seq - b->first_seq > (int64_t)b->nring)
			b->first_seq = b->next_seq - b->nring;
	}
	pthread_mutex_unlock(&b->mtx);
}

/*
 * Copy the event `seq`: 1 and *json (caller frees) when the ring has it,
 * 0 when it has not happened yet, -1 when it is older than the ring holds.
 */
int
bridge_event_get(struct bridge *b, int64_t seq, char **json, size_t *len)
{
	int rc;

	pthread_mutex_lock(&b->mtx);
	if (seq >= b->next_seq)
		rc = 0;
	else if (seq < b->first_seq)
		rc = -1;
	else {
		struct ring_ev *slot = &b->ring[seq % b->nring];
		*json = xstrndup(slot->json, slot->len);
		*len = slot->len;
		rc = 1;
	}
	pthread_mutex_unlock(&b->mtx);
	return rc;
}

/* Commands waiting for the core. */
size_t
bridge_cmd_count(struct bridge *b)
{
	size_t n;

	pthread_mutex_lock(&b->mtx);
	n = b->cmd_count;
	pthread_mutex_unlock(&b->mtx);
	return n;
}

/* The ring holds [*first, *next). */
void
bridge_ring_bounds(struct bridge *b, int64_t *first, int64_t *next)
{
	pthread_mutex_lock(&b->mtx);
	*first = b->first_seq;
	*next = b->next_seq;
	pthread_mutex_unlock(&b->mtx);
}

int64_t
bridge_next_seq(struct bridge *b)
{
	int64_t v;

	pthread_mutex_lock(&b->mtx);
	v = b->next_seq;
	pthread_mutex_unlock(&b->mtx);
	return v;
}

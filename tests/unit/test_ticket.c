/* test_ticket.c — the ticket move table (ticket.c's ticket_moves[]) against
 * the moves each command allowed before it was a table, written out here on
 * their own: for every (state, move) pair ticket_move() moves exactly when
 * it may, to the state the move leads to, and a refused move leaves the
 * ticket as it was, byte for byte.  Links the hall files (no hall is made). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hall_int.h"
#include "t.h"

#define W	(1u << TS_WAITING)
#define C	(1u << TS_CALLED)
#define SV	(1u << TS_SERVING)
#define HD	(1u << TS_HELD)
#define NS	(1u << TS_NO_SHOW)
#define TR	(1u << TS_TRANSFERRED)

/* What each move may start from and where it leads, as the commands had it:
 * call-next and call take a waiting or transferred ticket; call takes back a
 * held or no-show one; recall, start and no-show a called one; finish, hold
 * and transfer a called or serving one; cancel and the rollover any open
 * one; a closing window hands back the tickets it holds. */
static const struct {
	enum tmove_id	 m;
	const char	*name;
	unsigned	 from;
	enum tstate	 to;
} want[] = {
	{ TMOVE_CALL, "call", W | TR, TS_CALLED },
	{ TMOVE_CALL_BACK, "call back", HD | NS, TS_CALLED },
	{ TMOVE_RECALL, "recall", C, TS_CALLED },
	{ TMOVE_START, "start", C, TS_SERVING },
	{ TMOVE_FINISH, "finish", C | SV, TS_DONE },
	{ TMOVE_NO_SHOW, "no-show", C, TS_NO_SHOW },
	{ TMOVE_HOLD, "hold", C | SV, TS_HELD },
	{ TMOVE_TRANSFER, "transfer", C | SV, TS_TRANSFERRED },
	{ TMOVE_CANCEL, "cancel", W | TR | C | SV | HD | NS, TS_CANCELLED },
	{ TMOVE_REQUEUE, "requeue", HD, TS_WAITING },
	{ TMOVE_EXPIRE, "expire", W | TR | C | SV | HD | NS, TS_EXPIRED },
};

/* A ticket with every byte set, so any stray write shows. */
static void
ticket_fill(struct ticket *t, enum tstate s)
{
	memset(t, 0xa5, sizeof *t);
	t->phone = NULL;
	t->id_number = NULL;
	t->hnext = NULL;
	t->state = s;
}

static void
test_every_pair(void)
{
	struct ticket t, before;
	size_t i;
	int s, rc;

	CHECK_EQ_INT(sizeof want / sizeof want[0], TMOVE_MAX);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		enum tmove_id m = want[i].m;

		CHECK(strcmp(ticket_moves[m].name, want[i].name) == 0);
		CHECK_EQ_INT(ticket_moves[m].from, want[i].from);
		CHECK_EQ_INT(ticket_moves[m].to, want[i].to);
		for (s = 0; s < TS_MAX; s++) {
			int may = (want[i].from & (1u << s)) != 0;

			ticket_fill(&t, s);
			before = t;
			CHECK_EQ_INT(ticket_may(&t, m), may);
			rc = ticket_move(&t, m);
			if (may) {
				CHECK_EQ_INT(rc, 0);
				CHECK_EQ_INT(t.state, want[i].to);
				t.state = before.state;	/* nothing else moved */
			} else
				CHECK_EQ_INT(rc, -1);
			if (memcmp(&t, &before, sizeof t) != 0) {
				fprintf(stderr, "  %s from %s changed the ticket\n",
				    want[i].name, tstate_names[s]);
				CHECK(0);
			} else
				CHECK(1);
		}
	}
}

/* Done, cancelled and expired are ends: no move leads out of them. */
static void
test_ends(void)
{
	const enum tstate ends[] = { TS_DONE, TS_CANCELLED, TS_EXPIRED };
	struct ticket t;
	size_t i;
	int m;

	for (i = 0; i < sizeof ends / sizeof ends[0]; i++)
		for (m = 0; m < TMOVE_MAX; m++) {
			ticket_fill(&t, ends[i]);
			CHECK_EQ_INT(ticket_move(&t, m), -1);
			CHECK_EQ_INT(t.state, ends[i]);
		}
}

int
main(void)
{
	test_every_pair();
	test_ends();
	return t_done("ticket");
}

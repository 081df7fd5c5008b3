/* test_casefsm.c — every step of a 好差评 case from every state: the legal
 * ones lead where web/README.md's table says, every other is refused and
 * changes nothing. */
#include <stdio.h>
#include <string.h>

#include "casefsm.h"
#include "t.h"

/* The README's table, written out again: the state a step leads to, or -1. */
static int
expect(enum case_state s, int founded, int ledger, enum case_action a, int arg)
{
	switch (a) {
	case CA_VERIFY:
		return s == CS_OPEN ? CS_VERIFIED : -1;
	case CA_RECTIFY:
		if (founded != 1)
			return -1;
		return s == CS_VERIFIED || s == CS_RECTIFYING ||
		    s == CS_REVISITED ? CS_RECTIFYING : -1;
	case CA_REVISIT:
		if (s == CS_VERIFIED)
			return founded == 0 ? CS_REVISITED : -1;
		return s == CS_RECTIFYING || s == CS_REVISITED ? CS_REVISITED : -1;
	case CA_CLOSE:
		return s == CS_REVISITED ? CS_CLOSED : -1;
	case CA_APPEAL:
		if (ledger)
			return -1;
		return s == CS_OPEN || s == CS_VERIFIED ? CS_APPEALED : -1;
	case CA_REVIEW:
		if (s != CS_APPEALED)
			return -1;
		return arg ? CS_CLOSED : CS_VERIFIED;
	default:
		return -1;
	}
}

static void
test_every_step(void)
{
	int s, f, l, a, arg, want;

	for (s = 0; s < CS_MAX; s++)
		for (f = -1; f <= 1; f++)
			for (l = 0; l <= 1; l++)
				for (a = 0; a < CA_MAX; a++)
					for (arg = 0; arg <= 1; arg++) {
		struct case_fsm m = { s, f, l, 0 }, before = m;

		want = expect(s, f, l, a, arg);
		if (want < 0) {
			CHECK_EQ_INT(casefsm_may(&m, a), 0);
			CHECK_EQ_INT(casefsm_step(&m, a, arg), -1);
			CHECK(memcmp(&m, &before, sizeof m) == 0);
			continue;
		}
		CHECK_EQ_INT(casefsm_may(&m, a), 1);
		CHECK_EQ_INT(casefsm_step(&m, a, arg), 0);
		CHECK_EQ_INT(m.state, want);
		if (a == CA_VERIFY)
			CHECK_EQ_INT(m.founded, arg);
		else if (a == CA_REVIEW && !arg)
			CHECK_EQ_INT(m.founded, 1);
		else
			CHECK_EQ_INT(m.founded, f);
		CHECK_EQ_INT(m.struck, a == CA_REVIEW && arg);
	}
}

/* The paths a hall takes, start to end. */
static void
test_paths(void)
{
	struct case_fsm m = { CS_OPEN, -1, 0, 0 };

	/* close is refused until a revisit */
	CHECK_EQ_INT(casefsm_step(&m, CA_CLOSE, 0), -1);
	CHECK_EQ_INT(casefsm_step(&m, CA_RECTIFY, 0), -1);
	CHECK_EQ_INT(casefsm_step(&m, CA_VERIFY, 1), 0);
	CHECK_EQ_INT(casefsm_step(&m, CA_CLOSE, 0), -1);
	CHECK_EQ_INT(casefsm_step(&m, CA_REVISIT, 0), -1);	/* founded: rectify first */
	CHECK_EQ_INT(casefsm_step(&m, CA_RECTIFY, 0), 0);
	CHECK_EQ_INT(casefsm_step(&m, CA_RECTIFY, 0), 0);	/* more measures */
	CHECK_EQ_INT(casefsm_step(&m, CA_APPEAL, 0), -1);	/* too late */
	CHECK_EQ_INT(casefsm_step(&m, CA_REVISIT, 0), 0);
	CHECK_EQ_INT(casefsm_step(&m, CA_CLOSE, 0), 0);
	CHECK_EQ_INT(m.state, CS_CLOSED);
	for (int a = 0; a < CA_MAX; a++)
		CHECK_EQ_INT(casefsm_step(&m, a, 1), -1);

	/* not founded: straight to the revisit */
	m = (struct case_fsm){ CS_OPEN, -1, 1, 0 };
	CHECK_EQ_INT(casefsm_step(&m, CA_APPEAL, 0), -1);	/* a ledger entry */
	CHECK_EQ_INT(casefsm_step(&m, CA_VERIFY, 0), 0);
	CHECK_EQ_INT(casefsm_step(&m, CA_RECTIFY, 0), -1);
	CHECK_EQ_INT(casefsm_step(&m, CA_REVISIT, 0), 0);
	CHECK_EQ_INT(casefsm_step(&m, CA_CLOSE, 0), 0);

	/* appeal upheld strikes; rejected goes back as founded */
	m = (struct case_fsm){ CS_OPEN, -1, 0, 0 };
	CHECK_EQ_INT(casefsm_step(&m, CA_APPEAL, 0), 0);
	CHECK_EQ_INT(casefsm_step(&m, CA_VERIFY, 1), -1);
	CHECK_EQ_INT(casefsm_step(&m, CA_REVIEW, 0), 0);
	CHECK_EQ_INT(m.state, CS_VERIFIED);
	CHECK_EQ_INT(m.founded, 1);
	CHECK_EQ_INT(casefsm_step(&m, CA_APPEAL, 0), 0);
	CHECK_EQ_INT(casefsm_step(&m, CA_REVIEW, 1), 0);
	CHECK_EQ_INT(m.state, CS_CLOSED);
	CHECK_EQ_INT(m.struck, 1);
}

static void
test_names(void)
{
	int i;

	for (i = 0; i < CS_MAX; i++)
		CHECK_EQ_INT(casefsm_state_parse(casefsm_state_name(i)), i);
	for (i = 0; i < CA_MAX; i++)
		CHECK_EQ_INT(casefsm_action_parse(casefsm_action_name(i)), i);
	CHECK_EQ_INT(casefsm_action_parse("close "), -1);
	CHECK_EQ_INT(casefsm_action_parse(NULL), -1);
	CHECK_EQ_INT(casefsm_state_parse("Closed"), -1);
	CHECK(strcmp(casefsm_state_name(CS_MAX), "?") == 0);
}

int
main(void)
{
	test_every_step();
	test_paths();
	test_names();
	return t_done("casefsm");
}

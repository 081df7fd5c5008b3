/* casefsm.h — the steps of a 好差评 case (and of a 办不成事 ledger entry) as a
 * pure state machine: which step each state allows and where it leads.
 * No storage, no clock: cases.c keeps the rows and says who and when.
 *
 *   open ──verify──▶ verified ──rectify (founded)──▶ rectifying ◀─┐
 *     │                 │  └──revisit (not founded)──┐     │ rectify
 *     │                 │                            ▼     ▼       │
 *     │                 │                       revisited ─────────┘
 *     │                 │                            │ revisit (again)
 *     │                 │                            └──close──▶ closed
 *     └──appeal──┬──────┘ (rating cases only)
 *                ▼
 *            appealed ──review upheld──▶ closed, the rating struck
 *                     ──review rejected──▶ verified (founded)
 */
#ifndef HALLQ_CASEFSM_H
#define HALLQ_CASEFSM_H

enum case_state {
	CS_OPEN,
	CS_VERIFIED,
	CS_RECTIFYING,
	CS_REVISITED,
	CS_CLOSED,
	CS_APPEALED,
	CS_MAX
};

enum case_action {
	CA_VERIFY,		/* 核实: arg founded 0|1 */
	CA_RECTIFY,		/* 整改: measures */
	CA_REVISIT,		/* 回访 */
	CA_CLOSE,
	CA_APPEAL,		/* 申诉 */
	CA_REVIEW,		/* 申诉复核: arg upheld 0|1 */
	CA_MAX
};

struct case_fsm {
	enum case_state	 state;
	int		 founded;	/* -1 not verified, 0, 1 */
	int		 ledger;	/* a 办不成事 entry: no appeal */
	int		 struck;	/* an upheld appeal struck the rating */
};

const char	*casefsm_state_name(enum case_state);
const char	*casefsm_action_name(enum case_action);
int		 casefsm_state_parse(const char *);	/* -1: unknown */
int		 casefsm_action_parse(const char *);	/* -1: unknown */
/* Whether the action is allowed now (1) or not (0). */
int		 casefsm_may(const struct case_fsm *, enum case_action);
/* Take the step; -1 (nothing changed) when it is not allowed. */
int		 casefsm_step(struct case_fsm *, enum case_action, int arg);

#endif

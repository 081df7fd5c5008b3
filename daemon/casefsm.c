/* casefsm.c — the steps of a case: see casefsm.h. */
#include <string.h>

#include "casefsm.h"

static const char *const state_names[CS_MAX] = {
	[CS_OPEN] = "open",
	[CS_VERIFIED] = "verified",
	[CS_RECTIFYING] = "rectifying",
	[CS_REVISITED] = "revisited",
	[CS_CLOSED] = "closed",
	[CS_APPEALED] = "appealed",
};

static const char *const action_names[CA_MAX] = {
	[CA_VERIFY] = "verify",
	[CA_RECTIFY] = "rectify",
	[CA_REVISIT] = "revisit",
	[CA_CLOSE] = "close",
	[CA_APPEAL] = "appeal",
	[CA_REVIEW] = "review",
};

const char *
casefsm_state_name(enum case_state s)
{
	return (unsigned)s < CS_MAX ? state_names[s] : "?";
}

const char *
casefsm_action_name(enum case_action a)
{
	return (unsigned)a < CA_MAX ? action_names[a] : "?";
}

int
casefsm_state_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < CS_MAX; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

int
casefsm_action_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < CA_MAX; i++)
		if (strcmp(s, action_names[i]) == 0)
			return i;
	return -1;
}

int
casefsm_may(const struct case_fsm *f, enum case_action a)
{
	switch (a) {
	case CA_VERIFY:
		return f->state == CS_OPEN;
	case CA_RECTIFY:
		return f->founded == 1 && (f->state == CS_VERIFIED ||
		    f->state == CS_RECTIFYING || f->state == CS_REVISITED);
	case CA_REVISIT:
		return (f->state == CS_VERIFIED && f->founded == 0) ||
		    f->state == CS_RECTIFYING || f->state == CS_REVISITED;
	case CA_CLOSE:
		return f->state == CS_REVISITED;
	case CA_APPEAL:
		return !f->ledger && (f->state == CS_OPEN ||
		    f->state == CS_VERIFIED);
	case CA_REVIEW:
		return f->state == CS_APPEALED;
	default:
		return 0;
	}
}

int
casefsm_step(struct case_fsm *f, enum case_action a, int arg)
{
	if (!casefsm_may(f, a))
		return -1;
	switch (a) {
	case CA_VERIFY:
		f->founded = arg != 0;
		f->state = CS_VERIFIED;
		break;
	case CA_RECTIFY:
		f->state = CS_RECTIFYING;
		break;
	case CA_REVISIT:
		f->state = CS_REVISITED;
		break;
	case CA_CLOSE:
		f->state = CS_CLOSED;
		break;
	case CA_APPEAL:
		f->state = CS_APPEALED;
		break;
	case CA_REVIEW:
		if (arg) {
			f->struck = 1;
			f->state = CS_CLOSED;
		} else {
			f->founded = 1;
			f->state = CS_VERIFIED;
		}
		break;
	default:
		return -1;
	}
	return 0;
}

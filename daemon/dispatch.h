/* dispatch.h — the pure dispatcher: ordered queues of waiting tickets and the
 * policies that pick a window's next ticket from them.  No I/O, no clock:
 * time is an argument, so the daemon and the simulator run the same code. */
#ifndef HALLQ_DISPATCH_H
#define HALLQ_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#define DISPATCH_MAX_CLASSES	16

/* What the dispatcher knows of a waiting ticket. */
struct dispatch_ticket {
	int64_t		 id;		/* ticket id, breaks ties */
	int		 matter;	/* matter index */
	int		 cls;		/* class index (config order) */
	int		 window;	/* >0: transferred to this window only */
	int64_t		 arrival;	/* virtual arrival, ms */
	int64_t		 key;		/* arrival - head start of its class, ms */
};

/* One tier of a window's profile. */
struct dispatch_tier {
	const int	*matters;	/* matter indexes */
	int		 nmatters;
	uint32_t	 class_mask;	/* bit per class index that this tier takes */
	int64_t		 overflow_ms;	/* oldest wait that opens this tier early */
};

struct dispatch_window {
	int				 number;
	const struct dispatch_tier	*tiers;
	int				 ntiers;
};

/* Knobs the policies read. */
struct dispatch_params {
	int		 nclasses;
	int64_t		 aging_ms;	/* strict_aging: one class rank per aging_ms waited */
};

/*
 * The fairness rule: which class a ticket waits as, and its key.  An
 * appointment that came later than its slot allows, or that has no booked
 * slot, waits as normal; the key is the virtual arrival less the head start
 * of the class it waits as.  Head starts are additive, so a ticket is only
 * ever passed by tickets that arrived less than the largest head start after
 * it: nobody starves.
 */
struct dispatch_rule {
	int		 nclasses;
	const int64_t	*head_start_ms;		/* per class index */
	int		 normal_class;
	int		 appointment_class;	/* -1: none configured */
	int64_t		 late_ms;		/* past slot start: no head start */
};

int		 dispatch_class_of(const struct dispatch_rule *, int cls,
		     int64_t issued_at, int64_t slot_start);
int64_t		 dispatch_key(const struct dispatch_rule *, int waits_as,
		     int64_t arrival);

struct dispatch;

struct dispatch_policy {
	const char	*name;
	/* Fill *out with the ticket window w should take now; 0, or -1 if none. */
	int		(*pick)(const struct dispatch *, const struct dispatch_window *,
			    const struct dispatch_params *, int64_t now,
			    struct dispatch_ticket *out);
};

struct dispatch	*dispatch_new(int nmatters, int nclasses);
void		 dispatch_free(struct dispatch *);
void		 dispatch_add(struct dispatch *, const struct dispatch_ticket *);
int		 dispatch_remove(struct dispatch *, const struct dispatch_ticket *);
size_t		 dispatch_waiting(const struct dispatch *, int matter);
size_t		 dispatch_total(const struct dispatch *);
int64_t		 dispatch_oldest(const struct dispatch *, int matter);
size_t		 dispatch_ahead(const struct dispatch *, const struct dispatch_ticket *);
int		 dispatch_eligible(const struct dispatch_window *,
		     const struct dispatch_ticket *);

const struct dispatch_policy *dispatch_policy_find(const char *name);
extern const struct dispatch_policy dispatch_policies[];

#endif

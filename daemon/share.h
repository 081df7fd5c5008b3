/* share.h — how much more of a slot's appointment budget one matter may
 * take when several matters share windows.  Pure. */
#ifndef HALLQ_SHARE_H
#define HALLQ_SHARE_H

#include <stdint.h>

/*
 * nm matters, nw windows; serves[i * nw + j] is nonzero when window j serves
 * matter i (and is open for the whole slot); demand_s[i] the seconds of
 * service already booked for matter i in the slot; cap_s[j] the seconds of
 * window j bookings may take (its share of the slot).  Bookings of a matter
 * may be served by any of its windows.  Returns the most seconds matter m
 * can still book with every booking made still served, or -1 when those
 * made already cannot be (the windows or the share shrank since).
 */
int64_t	 share_room_s(int nm, int nw, const unsigned char *serves,
	    const int64_t *demand_s, const int64_t *cap_s, int m);

#endif

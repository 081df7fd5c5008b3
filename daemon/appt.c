/* appt.c — appointments (预约): slots cut from the hall's hours, booking,
 * cancel, reschedule, check-in at the kiosk, no-shows, blocked slots and
 * the purge of personal data.  Bookings live in the database only (the
 * appointments table): every command reads what it needs in its own
 * transaction, so the core's one-at-a-time order is the guard against
 * overbooking.  Personal data is stored once, in the booking's row, and
 * leaves this file masked (appt_json). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hall_int.h"
#include "share.h"
#include "util.h"

#define APPT_CODE_LEN	8
#define APPT_SLOTS_MAX	4096		/* slots listed in one answer */
static const char appt_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/* A booking as read from its row, owning its strings. */
struct appt {
	char		 code[APPT_CODE_LEN + 1];
	char		 token[33];
	char		 matter[40];
	char		 day[16];
	int64_t		 start, end;
	char		 state[16];
	char		 channel[16];
	int64_t		 ticket;
	int		 late;
	char		*phone, *id_number, *name;
	int64_t		 booked_at, checked_in_at, changed_at;
	int		 notify;	/* consent to messages */
};

int
appt_notify(const struct appt *a)
{
	return a->notify && a->phone != NULL;
}

const char *
appt_code(const struct appt *a)
{
	return a->code;
}

static void
appt_clear(struct appt *a)
{
	free(a->phone);
	free(a->id_number);
	free(a->name);
	memset(a, 0, sizeof *a);
}

static void
appt_from_row(void *arg, const struct store_appt *r)
{
	struct appt *a = arg;

	appt_clear(a);
	snprintf(a->code, sizeof a->code, "%s", r->code);
	snprintf(a->token, sizeof a->token, "%s", r->token);
	snprintf(a->matter, sizeof a->matter, "%s", r->matter);
	snprintf(a->day, sizeof a->day, "%s", r->day);
	a->start = r->start;
	a->end = r->end;
	snprintf(a->state, sizeof a->state, "%s", r->state);
	snprintf(a->channel, sizeof a->channel, "%s", r->channel);
	a->ticket = r->ticket;
	a->late = r->late;
	a->phone = r->phone ? xstrdup(r->phone) : NULL;
	a->id_number = r->id_number ? xstrdup(r->id_number) : NULL;
	a->name = r->name ? xstrdup(r->name) : NULL;
	a->booked_at = r->booked_at;
	a->checked_in_at = r->checked_in_at;
	a->changed_at = r->changed_at;
	a->notify = r->notify;
}

static int
appt_put(struct hall *h, struct appt *a)
{
	struct store_appt r = {
		.code = a->code, .token = a->token, .matter = a->matter,
		.day = a->day, .start = a->start, .end = a->end,
		.state = a->state, .channel = a->channel, .ticket = a->ticket,
		.late = a->late, .phone = a->phone, .id_number = a->id_number,
		.name = a->name, .booked_at = a->booked_at,
		.checked_in_at = a->checked_in_at, .changed_at = h->now,
		.notify = a->notify,
	};

	a->changed_at = h->now;
	if (!h->failed && store_appt_put(h->store, &r) == -1)
		h->failed = 1;
	return h->failed ? -1 : 0;
}

/* ------------------------------------------------------ personal data */

/* An 11-digit mainland mobile number: 1[3-9]xxxxxxxxx. */
int
appt_phone_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return 0;
	for (i = 0; i < 11; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A resident ID number (GB 11643-1999): 17 digits and a check character. */
int
appt_id_ok(const char *s)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5,
	    8, 4, 2 };
	static const char check[] = "10X98765432";
	int i, sum = 0;

	if (strlen(s) != 18)
		return 0;
	for (i = 0; i < 17; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		sum += (s[i] - '0') * w[i];
	}
	return toupper((unsigned char)s[17]) == check[sum % 11];
}

/* A name: 1 to 32 bytes of valid UTF-8 without control characters. */
static int
appt_name_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;	/* jansson has checked the UTF-8 */
}

/* keep the first `head` and last `tail` characters (ASCII), the rest '*'. */
static json_t *
mask_ascii(const char *s, size_t head, size_t tail)
{
	char buf[40];
	size_t n, i;

	if (s == NULL)
		return json_null();
	n = strlen(s);
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	for (i = 0; i < n; i++)
		buf[i] = (i < head || i + tail >= n) && n > head + tail ? s[i] : '*';
	buf[n] = '\0';
	return json_string(buf);
}

/* A name: its first character, then one '*' per other character. */
json_t *
appt_mask_name(const char *s)
{
	char buf[128];
	size_t n, o = 0, first;

	if (s == NULL)
		return json_null();
	n = strlen(s);
	for (first = 1; first < n && ((unsigned char)s[first] & 0xc0) == 0x80;
	    first++)
		;
	if (first >= n)		/* one character: nothing of it is shown */
		return json_string("*");
	memcpy(buf, s, first);
	o = first;
	for (n = first; s[n] != '\0' && o < sizeof buf - 1; n++)
		if (((unsigned char)s[n] & 0xc0) != 0x80)
			buf[o++] = '*';
	buf[o] = '\0';
	return json_string(buf);
}

/* APPOINTMENT: what every reply, event and page sees (masked). */
static json_t *
appt_json(struct hall *h, const struct appt *a)
{
	int mi = config_matter(h->conf, a->matter);
	const struct matter *m = mi >= 0 ? &h->conf->matters[mi] : NULL;

	return json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:I, s:s, s:s, s:o, s:b,"
	    " s:o, s:o, s:o, s:I, s:o}",
	    "code", a->code,
	    "matter", a->matter,
	    "matter_name", m ? m->name : NULL,
	    "matter_name_en", m ? m->name_en : NULL,
	    "start", (json_int_t)a->start,
	    "end", (json_int_t)a->end,
	    "state", a->state,
	    "channel", a->channel,
	    "ticket", a->ticket ? json_integer(a->ticket) : json_null(),
	    "late", a->late,
	    "phone", mask_ascii(a->phone, 3, 4),
	    "id_number", mask_ascii(a->id_number, 3, 4),
	    "name", appt_mask_name(a->name),
	    "booked_at", (json_int_t)a->booked_at,
	    "checked_in_at", a->checked_in_at ? json_integer(a->checked_in_at) :
	    json_null());
}

static void
appt_emit(struct hall *h, const char *type, const struct appt *a, json_t *extra)
{
	json_t *o = json_pack("{s:o}", "appointment", appt_json(h, a));

	if (extra != NULL)
		json_object_update_new(o, extra);
	hall_emit(h, type, o);
}

/* --------------------------------------------------------------- slots */


static int32_t
appt_today(struct hall *h)
{
	return calendar_day_of(&h->conf->cal, h->now);
}

/* Slots of mi on days [from, from + days), each with its capacity; now and
 * lead decide the earliest (0: every slot of those days). */
static long
appt_slots(struct hall *h, int mi, int32_t from, int days, int64_t now,
    int lead_min, struct calendar_slot *out, size_t max)
{
	const struct config *c = h->conf;
	struct calendar_slot_req req = {
		.now = now, .from_day = from, .days = days,
		.slot_min = c->appt.slot_min, .lead_min = lead_min,
		.share_pct = c->appt.share_pct,
		.mean_service_s = (int)(c->matters[mi].service_ms / 1000),
		.max_per_slot = c->matters[mi].capacity_per_slot,
		.windows = h->serving[mi].hours, .nwindows = h->serving[mi].n,
	};

	if (req.mean_service_s <= 0)
		req.mean_service_s = 1;
	if (h->serving[mi].n == 0)
		return 0;
	return calendar_slots(&c->cal, &req, out, max);
}

/* Whether a block covers [start, end) of matter code. */
static int
appt_blocked(struct hall *h, const char *code, int64_t start, int64_t end)
{
	size_t i;

	for (i = 0; i < h->nblocks; i++)
		if ((h->blocks[i].matter[0] == '\0' ||
		    strcmp(h->blocks[i].matter, code) == 0) &&
		    h->blocks[i].start < end && start < h->blocks[i].end)
			return 1;
	return 0;
}

static void
appt_block_cb(void *arg, const char *matter, int64_t start, int64_t end)
{
	struct hall *h = arg;
	struct slot_block *b;

	h->blocks = xrealloc(h->blocks, (h->nblocks + 1) * sizeof *h->blocks);
	b = &h->blocks[h->nblocks++];
	snprintf(b->matter, sizeof b->matter, "%s", matter ? matter : "");
	b->start = start;
	b->end = end;
}

/* At every rebuild: the blocks that still matter, from the database. */
int
appt_load(struct hall *h)
{
	free(h->blocks);
	h->blocks = NULL;
	h->nblocks = 0;
	return store_blocks(h->store, h->now - CALENDAR_DAY_MS, appt_block_cb, h) < 0 ?
	    -1 : 0;
}

void
appt_free(struct hall *h)
{
	free(h->blocks);
	h->blocks = NULL;
	h->nblocks = 0;
	free(h->peers);
	h->peers = NULL;
	h->npeers = 0;
}

/* Places taken per (slot start, matter), every matter, over a range. */
struct taken {
	struct hall	*h;
	int64_t		*start;
	int		*mi;
	int64_t		*count;
	size_t		 n;
};

static void
taken_cb(void *arg, int64_t start, const char *matter, int64_t count)
{
	struct taken *t = arg;
	int mi = config_matter(t->h->conf, matter);

	if (mi < 0)
		return;		/* a matter no longer configured */
	t->start = xrealloc(t->start, (t->n + 1) * sizeof *t->start);
	t->mi = xrealloc(t->mi, (t->n + 1) * sizeof *t->mi);
	t->count = xrealloc(t->count, (t->n + 1) * sizeof *t->count);
	t->start[t->n] = start;
	t->mi[t->n] = mi;
	t->count[t->n++] = count;
}

static int
taken_read(struct hall *h, struct taken *t, int64_t from, int64_t to)
{
	memset(t, 0, sizeof *t);
	t->h = h;
	if (store_appt_slot_matters(h->store, from, to, taken_cb, t) < 0) {
		h->failed = 1;
		return -1;
	}
	return 0;
}

static void
taken_free(struct taken *t)
{
	free(t->start);
	free(t->mi);
	free(t->count);
}

static int64_t
taken_at(const struct taken *t, int64_t start, int mi)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->start[i] == start && t->mi[i] == mi)
			return t->count[i];
	return 0;
}

static int64_t
matter_service_s(const struct config *c, int mi)
{
	int64_t s = c->matters[mi].service_ms / 1000;

	return s > 0 ? s : 1;
}

/*
 * How many more bookings of mi the slot takes, counting every matter's
 * bookings in it against the windows they share: each window gives at most
 * share_pct of the slot to bookings of all the matters it serves (share.c).
 * `self` is a booking being moved within this slot (not counted).
 */
static int64_t
appt_room(struct hall *h, int mi, const struct calendar_slot *slot,
    const struct taken *tk, const struct appt *self)
{
	const struct config *c = h->conf;
	int *mats, *wins, nm = 0, nw = 0, i, j, k, m;
	unsigned char *serves;
	int64_t *demand, *cap, room, n;
	size_t e;

	mats = xcalloc((size_t)c->nmatters + 1, sizeof *mats);
	wins = xcalloc((size_t)c->nwindows + 1, sizeof *wins);
	mats[nm++] = mi;
	for (e = 0; e < tk->n; e++)
		if (tk->start[e] == slot->start && tk->mi[e] != mi && tk->count[e] > 0)
			mats[nm++] = tk->mi[e];
	for (i = 0; i < nm; i++) {
		const struct serving *sv = &h->serving[mats[i]];
		size_t q;

		for (q = 0; q < sv->n; q++) {
			for (j = 0; j < nw; j++)
				if (wins[j] == sv->win[q])
					break;
			if (j == nw)
				wins[nw++] = sv->win[q];
		}
	}
	serves = xcalloc((size_t)nm * (size_t)nw + 1, 1);
	demand = xcalloc((size_t)nm + 1, sizeof *demand);
	cap = xcalloc((size_t)nw + 1, sizeof *cap);
	for (j = 0; j < nw; j++)
		if (calendar_closing(&c->cal, hours_of_window(&c->windows[wins[j]]),
		    slot->start) >= slot->end)
			cap[j] = (int64_t)c->appt.share_pct * c->appt.slot_min * 60 / 100;
	for (i = 0; i < nm; i++) {
		const struct serving *sv = &h->serving[mats[i]];
		size_t q;

		m = mats[i];
		n = taken_at(tk, slot->start, m);
		if (self != NULL && self->start == slot->start &&
		    strcmp(self->matter, c->matters[m].code) == 0 && n > 0)
			n--;
		demand[i] = n * matter_service_s(c, m);
		for (q = 0; q < sv->n; q++)
			for (k = 0; k < nw; k++)
				if (wins[k] == sv->win[q])
					serves[i * nw + k] = 1;
	}
	room = share_room_s(nm, nw, serves, demand, cap, 0);
	free(mats);
	free(wins);
	free(serves);
	free(demand);
	free(cap);
	return room < 0 ? 0 : room / matter_service_s(c, mi);
}

/* A bookable matter from the body's "matter", or an error in c (-1). */
static int
appt_matter(struct hall *h, struct op_ctx *c, const char *code)
{
	int mi;

	if (code == NULL)
		return cmd_error(c, 400, "bad_request", "\"matter\" is required"), -1;
	if ((mi = config_matter(h->conf, code)) < 0)
		return cmd_error(c, 404, "unknown_matter", "no matter \"%s\"", code), -1;
	if (!h->conf->appt.enabled || h->conf->matters[mi].capacity_per_slot <= 0 ||
	    !h->conf->has_hours)
		return cmd_error(c, 400, "not_bookable",
		    "matter %s takes no appointments", code), -1;
	return mi;
}

/* GET /api/public/slots?matter=&from=&days= */
int
cmd_appt_slots(struct hall *h, struct op_ctx *c)
{
	const struct config *conf = h->conf;
	struct calendar_slot *slots;
	struct taken tk;
	const char *code, *from;
	int64_t days = conf->appt.horizon_days, free_n;
	int32_t today = appt_today(h), fday = today;
	char why[128];
	json_t *a;
	long n, i;
	int mi;

	if (cmd_body_string(c, "matter", 32, &code) == -1 ||
	    cmd_body_string(c, "from", 10, &from) == -1 ||
	    cmd_body_int(c, "days", 1, 366, &days, 0) == -1)
		return c->status;
	if ((mi = appt_matter(h, c, code)) < 0)
		return c->status;
	if (from != NULL && calendar_parse_date(from, &fday, why, sizeof why) == -1)
		return cmd_error(c, 400, "bad_request", "from: %s", why);
	if (fday < today || fday + days > today + conf->appt.horizon_days)
		return cmd_error(c, 400, "outside_horizon", "bookings are open "
		    "from today for %d days", conf->appt.horizon_days);
	slots = xcalloc(APPT_SLOTS_MAX, sizeof *slots);
	n = appt_slots(h, mi, fday, (int)days, h->now, conf->appt.min_lead_min,
	    slots, APPT_SLOTS_MAX);
	if (n > APPT_SLOTS_MAX)
		n = APPT_SLOTS_MAX;
	if (taken_read(h, &tk, n > 0 ? slots[0].start : 0,
	    n > 0 ? slots[n - 1].start + 1 : 0) == -1) {
		free(slots);
		return 500;
	}
	a = json_array();
	for (i = 0; i < n; i++) {
		int blocked = appt_blocked(h, code, slots[i].start, slots[i].end);
		int64_t room;

		free_n = blocked ? 0 : slots[i].capacity -
		    taken_at(&tk, slots[i].start, mi);
		if (free_n > 0 && (room = appt_room(h, mi, &slots[i], &tk,
		    NULL)) < free_n)
			free_n = room;
		json_array_append_new(a, json_pack("{s:I, s:I, s:i, s:I, s:b}",
		    "start", (json_int_t)slots[i].start,
		    "end", (json_int_t)slots[i].end,
		    "capacity", slots[i].capacity,
		    "free", (json_int_t)(free_n > 0 ? free_n : 0),
		    "blocked", blocked));
	}
	free(slots);
	taken_free(&tk);
	c->reply = json_pack("{s:s, s:i, s:o}", "matter", code, "slot_min",
	    conf->appt.slot_min, "slots", a);
	return 200;
}

/* GET /api/public/hall */
int
cmd_appt_public_hall(struct hall *h, struct op_ctx *c)
{
	const struct config *conf = h->conf;
	json_t *ms = json_array(), *ap = json_null();
	int i;

	for (i = 0; i < conf->nmatters; i++) {
		const struct matter *m = &conf->matters[i];

		json_array_append_new(ms, json_pack("{s:s, s:s, s:s?, s:s, s:s,"
		    " s:s?, s:b}", "code", m->code, "name", m->name,
		    "name_en", m->name_en,
		    "domain", conf->domains[m->domain].code,
		    "domain_name", conf->domains[m->domain].name,
		    "domain_name_en", conf->domains[m->domain].name_en,
		    "bookable", conf->appt.enabled && conf->has_hours &&
		    m->capacity_per_slot > 0));
	}
	if (conf->appt.enabled)
		ap = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}",
		    "slot_min", conf->appt.slot_min,
		    "horizon_days", conf->appt.horizon_days,
		    "min_lead_min", conf->appt.min_lead_min,
		    "early_min", conf->appt.early_min,
		    "late_min", conf->appt.late_min,
		    "per_person_per_day", conf->appt.per_person_per_day);
	c->reply = json_pack("{s:s, s:s?, s:o, s:o}", "hall", conf->hall_name,
	    "hall_en", conf->hall_name_en, "appointments", ap, "matters", ms);
	view_hall_clock(h, c->reply, h->now);
	hours_hall_json(h, h->now, c->reply);
	return 200;
}

/* ------------------------------------------------------------- booking */

/* The public's bookings per client address and minute. */
static int
appt_rate_ok(struct hall *h, const char *peer)
{
	int64_t minute = h->now / 60000, oldest = INT64_MAX;
	size_t i, victim = 0;

	for (i = 0; i < h->npeers; i++) {
		if (strcmp(h->peers[i].addr, peer) == 0) {
			if (h->peers[i].minute != minute) {
				h->peers[i].minute = minute;
				h->peers[i].count = 0;
			}
			return ++h->peers[i].count <= h->conf->appt.public_per_minute;
		}
		if (h->peers[i].minute < oldest) {
			oldest = h->peers[i].minute;
			victim = i;
		}
	}
	if (h->npeers < PEERS_MAX) {
		h->peers = xrealloc(h->peers, (h->npeers + 1) * sizeof *h->peers);
		victim = h->npeers++;
	}
	snprintf(h->peers[victim].addr, sizeof h->peers[victim].addr, "%s", peer);
	h->peers[victim].minute = minute;
	h->peers[victim].count = 1;
	return 1;
}

/*
 * Whether mi's slot at start can take this person (one more place); `self`
 * is a booking being moved (its own place and day not counted), or NULL.
 * 0, or an error in c.  *slot gets the slot.
 */
static int
appt_slot_check(struct hall *h, struct op_ctx *c, int mi, int64_t start,
    const char *id_number, const struct appt *self, struct calendar_slot *slot)
{
	const struct config *conf = h->conf;
	struct calendar_slot *day_slots;
	const char *code = conf->matters[mi].code;
	int32_t today = appt_today(h), day = calendar_day_of(&conf->cal, start);
	int64_t taken, n_person, last = 0;
	char dstr[16];
	long n, i;

	if (day < today || day >= today + conf->appt.horizon_days)
		return cmd_error(c, 400, "outside_horizon", "bookings are open "
		    "from today for %d days", conf->appt.horizon_days);
	day_slots = xcalloc(APPT_SLOTS_MAX, sizeof *day_slots);
	n = appt_slots(h, mi, day, 1, 0, 0, day_slots, APPT_SLOTS_MAX);
	for (i = 0; i < n && i < APPT_SLOTS_MAX; i++)
		if (day_slots[i].start == start)
			break;
	if (i >= n || i >= APPT_SLOTS_MAX) {
		free(day_slots);
		return cmd_error(c, 400, "not_a_slot", "%lld is not a slot start "
		    "of %s (GET /api/public/slots lists them)", (long long)start,
		    code);
	}
	*slot = day_slots[i];
	free(day_slots);
	if (start < h->now + (int64_t)conf->appt.min_lead_min * 60000)
		return cmd_error(c, 400, "too_soon", "a booking is made at least "
		    "%d minutes ahead", conf->appt.min_lead_min);
	if (appt_blocked(h, code, slot->start, slot->end))
		return cmd_error(c, 409, "slot_blocked", "this slot is closed to "
		    "bookings");
	{
		struct taken tk;
		int64_t room;

		if (taken_read(h, &tk, start, start + 1) == -1)
			return 500;
		taken = taken_at(&tk, start, mi);
		if (self != NULL && strcmp(self->matter, code) == 0 &&
		    self->start == start)
			taken--;
		room = appt_room(h, mi, slot, &tk, self);
		taken_free(&tk);
		/* Full by the matter's own cap, or because the windows it
		 * shares with other matters have given their share. */
		if (taken >= slot->capacity || room < 1)
			return cmd_error(c, 409, "slot_full", "this slot is full");
	}
	if (store_appt_person_slot(h->store, id_number, code, start) > 0 &&
	    self == NULL)
		return cmd_error(c, 409, "already_booked", "this person already "
		    "holds this slot");
	calendar_format_day(day, dstr, sizeof dstr);
	if ((n_person = store_appt_person_day(h->store, id_number, dstr)) < 0)
		return h->failed = 1, 500;
	if (self != NULL && strcmp(self->day, dstr) == 0)
		n_person--;
	if (n_person >= conf->appt.per_person_per_day)
		return cmd_error(c, 409, "too_many_appointments", "at most %d "
		    "booking%s a day per person", conf->appt.per_person_per_day,
		    conf->appt.per_person_per_day == 1 ? "" : "s");
	if (conf->appt.suspend_no_shows > 0) {
		int64_t since = h->now -
		    (int64_t)conf->appt.suspend_within_days * CALENDAR_DAY_MS;
		int64_t until;
		int64_t k = store_appt_no_shows(h->store, id_number, since, &last);

		until = last + (int64_t)conf->appt.suspend_days * CALENDAR_DAY_MS;
		if (k >= conf->appt.suspend_no_shows && until > h->now) {
			cmd_error(c, 403, "booking_suspended", "booking is "
			    "suspended after %lld missed appointments",
			    (long long)k);
			json_object_set_new(c->reply, "until", json_integer(until));
			return 403;
		}
	}
	return 0;
}

static void
appt_new_code(struct hall *h, struct appt *a)
{
	unsigned char rnd[APPT_CODE_LEN + 16];
	struct appt other = { 0 };
	int tries, i;

	for (tries = 0; tries < 16; tries++) {
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			fatal("getrandom");
		for (i = 0; i < APPT_CODE_LEN; i++)
			a->code[i] = appt_alphabet[rnd[i] % (sizeof appt_alphabet - 1)];
		a->code[APPT_CODE_LEN] = '\0';
		if (store_appt_get(h->store, a->code, appt_from_row, &other) == 0)
			break;
		appt_clear(&other);
	}
	appt_clear(&other);
	for (i = 0; i < 16; i++)
		snprintf(a->token + 2 * i, 3, "%02x", rnd[APPT_CODE_LEN + i]);
}

/* POST /api/appointments */
int
cmd_appt_book(struct hall *h, struct op_ctx *c)
{
	const char *matter, *phone, *idn, *name, *channel, *peer;
	json_t *tok = json_object_get(c->cmd, "token");
	json_t *consent = json_object_get(c->body, "notify");
	struct calendar_slot slot;
	struct appt a = { 0 };
	int64_t start;
	int mi, rc;

	if (json_is_string(tok) && c->token == NULL)
		return cmd_error(c, 401, "unauthorized", "unknown token");
	if (cmd_body_string(c, "matter", 32, &matter) == -1 ||
	    cmd_body_int(c, "start", 0, INT64_C(1) << 50, &start, 1) == -1 ||
	    cmd_body_string(c, "phone", 64, &phone) == -1 ||
	    cmd_body_string(c, "id_number", 64, &idn) == -1 ||
	    cmd_body_string(c, "name", 32, &name) == -1 ||
	    cmd_body_string(c, "channel", 16, &channel) == -1)
		return c->status;
	if (c->token == NULL) {
		/* The public: the web thread names the client's address. */
		peer = json_string_value(json_object_get(c->cmd, "peer"));
		if (!appt_rate_ok(h, peer != NULL ? peer : "-"))
			return cmd_error(c, 429, "too_many_requests", "at most %d "
			    "bookings a minute from one address",
			    h->conf->appt.public_per_minute);
	}
	if ((mi = appt_matter(h, c, matter)) < 0)
		return c->status;
	if (phone == NULL || !appt_phone_ok(phone))
		return cmd_error(c, 400, "bad_phone", "\"phone\" is an 11-digit "
		    "mobile number");
	if (idn == NULL || !appt_id_ok(idn))
		return cmd_error(c, 400, "bad_id_number", "\"id_number\" is an "
		    "18-character resident ID number with its check digit");
	if (consent != NULL && !json_is_boolean(consent))
		return cmd_error(c, 400, "bad_request", "\"notify\" is true or "
		    "false");
	if (name != NULL && !appt_name_ok(name))
		return cmd_error(c, 400, "bad_request", "\"name\" has control "
		    "characters");
	/* Who books says the channel; only the city's portal and hotline
	 * choose theirs. */
	if (c->token == NULL)
		channel = channel != NULL && strcmp(channel, "web") != 0 ? NULL : "web";
	else if (c->token->role == ROLE_KIOSK)
		channel = channel != NULL && strcmp(channel, "kiosk") != 0 ? NULL : "kiosk";
	else if (c->token->role == ROLE_INTEGRATION) {
		if (channel == NULL)
			channel = "web";
		else if (strcmp(channel, "web") != 0 && strcmp(channel, "phone") != 0)
			channel = NULL;
	} else
		channel = channel == NULL ? "counter" : channel;
	if (channel == NULL || (strcmp(channel, "web") != 0 &&
	    strcmp(channel, "phone") != 0 && strcmp(channel, "kiosk") != 0 &&
	    strcmp(channel, "counter") != 0))
		return cmd_error(c, 400, "unknown_channel", "this booker's channel "
		    "cannot be that");
	if ((rc = appt_slot_check(h, c, mi, start, idn, NULL, &slot)) != 0)
		return rc == 500 ? cmd_error(c, 500, "storage_failed",
		    "the database could not be read") : c->status;
	appt_new_code(h, &a);
	snprintf(a.matter, sizeof a.matter, "%s", matter);
	calendar_format_day(calendar_day_of(&h->conf->cal, start), a.day, sizeof a.day);
	a.start = slot.start;
	a.end = slot.end;
	snprintf(a.state, sizeof a.state, "booked");
	snprintf(a.channel, sizeof a.channel, "%s", channel);
	a.phone = xstrdup(phone);
	a.id_number = xstrdup(idn);
	a.name = name ? xstrdup(name) : NULL;
	a.booked_at = h->now;
	a.notify = json_is_true(consent);
	appt_put(h, &a);
	appt_emit(h, "appointment.booked", &a, NULL);
	c->reply = json_pack("{s:o, s:s}", "appointment", appt_json(h, &a),
	    "token", a.token);
	appt_clear(&a);
	return 201;
}

/* The booking the command names ("name": its code) if the asker may see it:
 * a manager, or the booking's own token; with `booked`, only while it is
 * booked (cancel, reschedule).  0, or an error in c (500: storage). */
static int
appt_find(struct hall *h, struct op_ctx *c, struct appt *a, int booked)
{
	const char *code = json_string_value(json_object_get(c->cmd, "name"));
	json_t *tok = json_object_get(c->cmd, "token");
	char up[APPT_CODE_LEN + 1];
	int rc, i;

	if (c->token == NULL && !json_is_string(tok))
		return cmd_error(c, 401, "unauthorized",
		    "this needs a token (Authorization: Bearer TOKEN)");
	if (code == NULL || strlen(code) != APPT_CODE_LEN)
		return cmd_error(c, 404, "unknown_appointment", "no such booking");
	for (i = 0; i < APPT_CODE_LEN; i++)
		up[i] = (char)toupper((unsigned char)code[i]);
	up[APPT_CODE_LEN] = '\0';
	if ((rc = store_appt_get(h->store, up, appt_from_row, a)) < 0) {
		h->failed = 1;
		return 500;
	}
	/* A wrong token learns nothing: the same answer as no booking. */
	if (rc == 0 || (c->token == NULL && !secret_eq(json_string_value(tok),
	    a->token)))
		return cmd_error(c, 404, "unknown_appointment", "no such booking");
	if (booked && strcmp(a->state, "booked") != 0)
		return cmd_error(c, 409, "appointment_closed", "booking %s is %s",
		    a->code, a->state);
	return 0;
}

int
cmd_appt_get(struct hall *h, struct op_ctx *c)
{
	struct appt a = { 0 };

	if (appt_find(h, c, &a, 0) != 0) {
		appt_clear(&a);
		return c->status ? c->status : 500;
	}
	c->reply = json_pack("{s:o}", "appointment", appt_json(h, &a));
	appt_clear(&a);
	return 200;
}

int
cmd_appt_cancel(struct hall *h, struct op_ctx *c)
{
	struct appt a = { 0 };

	if (appt_find(h, c, &a, 1) != 0) {
		appt_clear(&a);
		return c->status ? c->status : 500;
	}
	snprintf(a.state, sizeof a.state, "cancelled");
	appt_put(h, &a);
	appt_emit(h, "appointment.cancelled", &a, NULL);
	hall_notify_cancelled(h, 0, a.code);
	c->reply = json_pack("{s:o}", "appointment", appt_json(h, &a));
	appt_clear(&a);
	return 200;
}

int
cmd_appt_reschedule(struct hall *h, struct op_ctx *c)
{
	struct calendar_slot slot;
	struct appt a = { 0 };
	int64_t start, from;
	int mi, rc;

	if (cmd_body_int(c, "start", 0, INT64_C(1) << 50, &start, 1) == -1)
		return c->status;
	if (appt_find(h, c, &a, 1) != 0) {
		appt_clear(&a);
		return c->status ? c->status : 500;
	}
	if ((mi = appt_matter(h, c, a.matter)) < 0 || (rc = appt_slot_check(h,
	    c, mi, start, a.id_number ? a.id_number : "", &a, &slot)) != 0) {
		appt_clear(&a);
		return c->status;
	}
	from = a.start;
	a.start = slot.start;
	a.end = slot.end;
	calendar_format_day(calendar_day_of(&h->conf->cal, start), a.day, sizeof a.day);
	appt_put(h, &a);
	hall_notify_cancelled(h, 0, a.code);	/* the new slot's come anew */
	appt_emit(h, "appointment.rescheduled", &a, json_pack("{s:I}", "from",
	    (json_int_t)from));
	c->reply = json_pack("{s:o}", "appointment", appt_json(h, &a));
	appt_clear(&a);
	return 200;
}

/* ------------------------------------------------------------ the day */

struct day_list {
	struct hall	*h;
	json_t		*list;
	struct appt	*rows;
	size_t		 n;
};

static void
day_list_cb(void *arg, const struct store_appt *r)
{
	struct day_list *d = arg;
	struct appt a = { 0 };

	appt_from_row(&a, r);
	if (d->list != NULL)
		json_array_append_new(d->list, appt_json(d->h, &a));
	d->rows = xrealloc(d->rows, (d->n + 1) * sizeof *d->rows);
	d->rows[d->n++] = a;		/* owns its strings now */
}

static void
day_list_free(struct day_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		appt_clear(&d->rows[i]);
	free(d->rows);
}

/* GET /api/appointments?day= */
int
cmd_appt_list(struct hall *h, struct op_ctx *c)
{
	struct day_list d = { h, json_array(), NULL, 0 };
	struct calendar_slot *slots;
	const char *dstr;
	char why[128], daybuf[16];
	int32_t day = appt_today(h);
	json_t *sum = json_array();
	long n, k;
	size_t i;
	int mi;

	if (cmd_body_string(c, "day", 10, &dstr) == -1) {
		json_decref(d.list);
		json_decref(sum);
		return c->status;
	}
	if (dstr != NULL && calendar_parse_date(dstr, &day, why, sizeof why) == -1) {
		json_decref(d.list);
		json_decref(sum);
		return cmd_error(c, 400, "bad_request", "day: %s", why);
	}
	calendar_format_day(day, daybuf, sizeof daybuf);
	if (store_appts_day(h->store, daybuf, NULL, day_list_cb, &d) < 0)
		h->failed = 1;
	slots = xcalloc(APPT_SLOTS_MAX, sizeof *slots);
	for (mi = 0; mi < h->conf->nmatters && h->conf->appt.enabled &&
	    h->conf->has_hours; mi++) {
		const char *code = h->conf->matters[mi].code;

		if (h->conf->matters[mi].capacity_per_slot <= 0)
			continue;
		n = appt_slots(h, mi, day, 1, 0, 0, slots, APPT_SLOTS_MAX);
		for (k = 0; k < n && k < APPT_SLOTS_MAX; k++) {
			int booked = 0, in = 0, ns = 0, cx = 0;
			int blocked = appt_blocked(h, code, slots[k].start,
			    slots[k].end);

			for (i = 0; i < d.n; i++) {
				if (strcmp(d.rows[i].matter, code) != 0 ||
				    d.rows[i].start != slots[k].start)
					continue;
				if (strcmp(d.rows[i].state, "booked") == 0)
					booked++;
				else if (strcmp(d.rows[i].state, "checked_in") == 0)
					in++;
				else if (strcmp(d.rows[i].state, "no_show") == 0)
					ns++;
				else
					cx++;
			}
			if (booked + in + ns + cx == 0 && !blocked)
				continue;
			json_array_append_new(sum, json_pack("{s:s, s:I, s:I, s:i,"
			    " s:i, s:i, s:i, s:i, s:b}", "matter", code,
			    "start", (json_int_t)slots[k].start,
			    "end", (json_int_t)slots[k].end,
			    "capacity", slots[k].capacity, "booked", booked,
			    "checked_in", in, "no_show", ns, "cancelled", cx,
			    "blocked", blocked));
		}
	}
	free(slots);
	day_list_free(&d);
	c->reply = json_pack("{s:s, s:o, s:o}", "day", daybuf, "appointments",
	    d.list, "slots", sum);
	return 200;
}

/* Whether start begins a slot of matter (NULL: of any bookable matter). */
static int
appt_is_slot_start(struct hall *h, const char *matter, int64_t start)
{
	struct calendar_slot *slots = xcalloc(APPT_SLOTS_MAX, sizeof *slots);
	int32_t day = calendar_day_of(&h->conf->cal, start);
	int mi, found = 0;
	long n, i;

	for (mi = 0; mi < h->conf->nmatters && !found; mi++) {
		if (h->conf->matters[mi].capacity_per_slot <= 0 ||
		    (matter != NULL && strcmp(matter, h->conf->matters[mi].code) != 0))
			continue;
		n = appt_slots(h, mi, day, 1, 0, 0, slots, APPT_SLOTS_MAX);
		for (i = 0; i < n && i < APPT_SLOTS_MAX && !found; i++)
			found = slots[i].start == start;
	}
	free(slots);
	return found;
}

/* POST /api/slots/block and /unblock */
static int
appt_block_cmd(struct hall *h, struct op_ctx *c, int block)
{
	const char *dstr, *matter;
	int64_t start = -1, start_ms, end_ms, n_book = 0;
	char why[128];
	int32_t day;
	int rc;

	if (cmd_body_string(c, "day", 10, &dstr) == -1 ||
	    cmd_body_string(c, "matter", 32, &matter) == -1 ||
	    cmd_body_int(c, "start", 0, INT64_C(1) << 50, &start, 0) == -1)
		return c->status;
	if ((dstr == NULL) == (start < 0))
		return cmd_error(c, 400, "bad_request", "give \"day\" or \"start\"");
	if (matter != NULL && appt_matter(h, c, matter) < 0)
		return c->status;
	if (!h->conf->appt.enabled || !h->conf->has_hours)
		return cmd_error(c, 400, "not_bookable", "this hall takes no "
		    "appointments");
	if (start >= 0 && !appt_is_slot_start(h, matter, start))
		return cmd_error(c, 400, "not_a_slot", "%lld is not a slot start "
		    "%s%s (GET /api/public/slots lists them)", (long long)start,
		    matter ? "of " : "of any bookable matter", matter ? matter : "");
	if (dstr != NULL) {
		if (calendar_parse_date(dstr, &day, why, sizeof why) == -1)
			return cmd_error(c, 400, "bad_request", "day: %s", why);
		start_ms = calendar_day_start(&h->conf->cal, day);
		end_ms = start_ms + CALENDAR_DAY_MS;
	} else {
		start_ms = start;
		end_ms = start + (int64_t)h->conf->appt.slot_min * 60000;
	}
	if (block) {
		if (store_block_put(h->store, matter ? matter : "", start_ms, end_ms,
		    h->now) == -1)
			return h->failed = 1, cmd_error(c, 500, "storage_failed",
			    "the block could not be written");
		appt_block_cb(h, matter ? matter : "", start_ms, end_ms);
		/* Bookings already in it stay: the manager is told how many. */
		{
			struct taken tk;
			size_t i;

			if (taken_read(h, &tk, start_ms, end_ms) == -1)
				return cmd_error(c, 500, "storage_failed",
				    "the database could not be read");
			for (i = 0; i < tk.n; i++)
				if (matter == NULL || strcmp(matter,
				    h->conf->matters[tk.mi[i]].code) == 0)
					n_book += tk.count[i];
			taken_free(&tk);
		}
	} else {
		size_t i;

		if ((rc = store_block_del(h->store, matter ? matter : "", start_ms,
		    end_ms)) < 0)
			return h->failed = 1, cmd_error(c, 500, "storage_failed",
			    "the block could not be removed");
		if (rc == 0)
			return cmd_error(c, 404, "no_block", "no such block");
		for (i = 0; i < h->nblocks; i++)
			if (strcmp(h->blocks[i].matter, matter ? matter : "") == 0 &&
			    h->blocks[i].start == start_ms &&
			    h->blocks[i].end == end_ms) {
				h->blocks[i] = h->blocks[--h->nblocks];
				break;
			}
	}
	hall_emit(h, block ? "slots.blocked" : "slots.unblocked",
	    json_pack("{s:s?, s:s?, s:o, s:I, s:I}", "matter", matter,
	    "day", dstr, "start", start >= 0 ? json_integer(start) : json_null(),
	    "from", (json_int_t)start_ms, "to", (json_int_t)end_ms));
	c->reply = json_pack("{s:{s:s?, s:s?, s:I, s:I}, s:I}",
	    block ? "blocked" : "unblocked", "matter", matter, "day", dstr,
	    "from", (json_int_t)start_ms, "to", (json_int_t)end_ms,
	    "bookings", (json_int_t)n_book);
	return 200;
}

int
cmd_appt_block(struct hall *h, struct op_ctx *c)
{
	return appt_block_cmd(h, c, 1);
}

int
cmd_appt_unblock(struct hall *h, struct op_ctx *c)
{
	return appt_block_cmd(h, c, 0);
}

/* ------------------------------------------------------------ check-in */

struct nearest {
	int64_t		 now;
	struct appt	 best;
	int		 found;
	int		 any;
};

static void
nearest_cb(void *arg, const struct store_appt *r)
{
	struct nearest *n = arg;
	int64_t d = r->start > n->now ? r->start - n->now : n->now - r->start;
	int64_t bd = n->best.start > n->now ? n->best.start - n->now :
	    n->now - n->best.start;

	n->any = 1;
	if (strcmp(r->state, "booked") != 0)
		return;
	if (!n->found || d < bd) {
		appt_from_row(&n->best, r);
		n->found = 1;
	}
}

/*
 * POST /api/tickets {"appointment": CODE or ID number}: the booking becomes a
 * ticket (cmd_ticket_issue makes it from what this fills in).  0 and *a
 * filled with *late set; else an error in c.
 */
int
appt_check_in(struct hall *h, struct op_ctx *c, const char *key,
    struct appt_checkin *out)
{
	const struct config *conf = h->conf;
	struct appt *a = xcalloc(1, sizeof *a);
	int32_t today = appt_today(h);
	char dstr[16], up[APPT_CODE_LEN + 1];
	int64_t early, late;
	int rc, i;

	out->appt = a;
	if (!conf->appt.enabled)
		return cmd_error(c, 404, "unknown_appointment", "this hall takes "
		    "no appointments");
	calendar_format_day(today, dstr, sizeof dstr);
	if (strlen(key) == APPT_CODE_LEN) {
		for (i = 0; i < APPT_CODE_LEN; i++)
			up[i] = (char)toupper((unsigned char)key[i]);
		up[APPT_CODE_LEN] = '\0';
		if ((rc = store_appt_get(h->store, up, appt_from_row, a)) < 0)
			return h->failed = 1, cmd_error(c, 500, "storage_failed",
			    "the database could not be read");
		if (rc == 0)
			return cmd_error(c, 404, "unknown_appointment",
			    "no booking %s", up);
	} else if (appt_id_ok(key)) {
		struct nearest n = { .now = h->now };

		if (store_appts_day(h->store, dstr, key, nearest_cb, &n) < 0) {
			appt_clear(&n.best);
			return h->failed = 1, cmd_error(c, 500, "storage_failed",
			    "the database could not be read");
		}
		if (!n.found) {
			appt_clear(&n.best);
			return n.any ? cmd_error(c, 409, "appointment_closed",
			    "this person's bookings of today are used or cancelled") :
			    cmd_error(c, 404, "unknown_appointment",
			    "no booking today for this ID number");
		}
		*a = n.best;
	} else
		return cmd_error(c, 400, "bad_request", "\"appointment\" is an "
		    "8-character booking code or an 18-character ID number");
	if (strcmp(a->state, "booked") != 0)
		return cmd_error(c, 409, "appointment_closed", "booking %s is %s",
		    a->code, a->state);
	if (strcmp(a->day, dstr) != 0) {
		cmd_error(c, 409, "wrong_day", "booking %s is for %s", a->code, a->day);
		json_object_set_new(c->reply, "start", json_integer(a->start));
		return 409;
	}
	early = a->start - (int64_t)conf->appt.early_min * 60000;
	late = (int64_t)conf->appt.late_min * 60000;
	if (h->now < early) {
		char when[32];
		hours_say(h, early, when, sizeof when);
		cmd_error(c, 409, "too_early", "booking %s: check in from %s",
		    a->code, when);
		json_object_set_new(c->reply, "come_back_at", json_integer(early));
		return 409;
	}
	if (h->now > a->end + late) {
		/* Missed: what the timer would have done a moment later. */
		snprintf(a->state, sizeof a->state, "no_show");
		appt_put(h, a);
		appt_emit(h, "appointment.no_show", a, NULL);
		return cmd_error(c, 409, "appointment_closed", "booking %s has "
		    "passed: take an ordinary number", a->code);
	}
	out->late = h->now > a->start + late;
	out->mi = config_matter(conf, a->matter);
	out->start = a->start;
	if (out->mi < 0)
		return cmd_error(c, 409, "appointment_closed", "matter %s is no "
		    "longer served", a->matter);
	return 0;
}

/* The ticket is made: the booking is checked in, in the same transaction. */
void
appt_checked_in(struct hall *h, struct appt_checkin *ci, int64_t ticket,
    json_t *reply)
{
	struct appt *a = ci->appt;

	snprintf(a->state, sizeof a->state, "checked_in");
	a->ticket = ticket;
	a->late = ci->late;
	a->checked_in_at = h->now;
	appt_put(h, a);
	appt_emit(h, "appointment.checked_in", a, json_pack("{s:I}", "ticket",
	    (json_int_t)ticket));
	json_object_set_new(reply, "appointment", appt_json(h, a));
}

void
appt_checkin_free(struct appt_checkin *ci)
{
	if (ci->appt != NULL)
		appt_clear(ci->appt);
	free(ci->appt);
	ci->appt = NULL;
}

/* ------------------------------------------------------------ timers */

#define NO_SHOWS_PER_TICK	64

struct due {
	struct appt	 a[NO_SHOWS_PER_TICK];
	size_t		 n;
};

static void
due_cb(void *arg, const struct store_appt *r)
{
	struct due *d = arg;

	if (d->n < NO_SHOWS_PER_TICK)
		appt_from_row(&d->a[d->n++], r);
}

/* Whether the timer has work (no transaction otherwise). */
int
appt_tick_due(struct hall *h)
{
	char today[16];

	if (!h->conf->appt.enabled && !h->conf->notify.enabled)
		return 0;
	hall_business_day(h->now, today, sizeof today);
	if (strcmp(today, h->purged_day) != 0)
		return 1;
	return h->conf->appt.enabled && h->now >= h->next_no_show_check;
}

/* In hall_tick's transaction: bookings past their slot's end + late_min
 * become no-shows; once a day, personal data past purge_days is emptied. */
void
appt_tick(struct hall *h)
{
	const struct config *conf = h->conf;
	struct due *d;
	char today[16];
	size_t i;
	int n;

	if (!conf->appt.enabled && !conf->notify.enabled)
		return;
	hall_business_day(h->now, today, sizeof today);
	if (strcmp(today, h->purged_day) != 0) {
		/* Once a day: bookings' and tickets' personal data, and the
		 * outbox's phone numbers, past their days. */
		n = 0;
		if (conf->appt.enabled)
			n = store_purge_personal(h->store, h->now -
			    (int64_t)conf->appt.purge_days * CALENDAR_DAY_MS);
		if (n >= 0 && conf->notify.enabled) {
			int m = store_outbox_purge(h->store, h->now -
			    (int64_t)conf->notify.purge_days * CALENDAR_DAY_MS);
			n = m < 0 ? -1 : n + m;
		}
		if (n < 0)
			h->failed = 1;
		else {
			if (n > 0)
				log_info("purged the personal data of %d rows", n);
			snprintf(h->purged_day, sizeof h->purged_day, "%s", today);
		}
	}
	if (!conf->appt.enabled || h->now < h->next_no_show_check)
		return;
	h->next_no_show_check = h->now + 5000;
	d = xcalloc(1, sizeof *d);
	if (store_appts_due(h->store, h->now - (int64_t)conf->appt.late_min * 60000,
	    NO_SHOWS_PER_TICK, due_cb, d) < 0)
		h->failed = 1;
	for (i = 0; i < d->n; i++) {
		snprintf(d->a[i].state, sizeof d->a[i].state, "no_show");
		appt_put(h, &d->a[i]);
		appt_emit(h, "appointment.no_show", &d->a[i], NULL);
	}
	if (d->n == NO_SHOWS_PER_TICK)
		h->next_no_show_check = h->now;	/* more: go on next tick */
	for (i = 0; i < d->n; i++)
		appt_clear(&d->a[i]);
	free(d);
}

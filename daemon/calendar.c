/* calendar.c — opening hours, holidays and 调休 days, working-day arithmetic,
 * appointment slots and the issuing cutoff (issue 13).  Pure: it reads no
 * clock, does no I/O, keeps no globals and allocates nothing; see calendar.h
 * for the rules.  Nothing in the daemon calls it yet. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"

static void calendar__err(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
calendar__err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Division and remainder rounding towards minus infinity: days before 1970
 * and instants before a day's start must land on the right day. */
static int64_t
calendar__fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

void
calendar_init(struct calendar *cal, int32_t utc_offset_s)
{
	memset(cal, 0, sizeof(*cal));
	cal->utc_offset_s = utc_offset_s;
	cal->makeup_weekday = CALENDAR_MON;
	calendar_hours_init(&cal->hall);
}

void
calendar_hours_init(struct calendar_hours *h)
{
	memset(h, 0, sizeof(*h));
}

/* Adds [start, end) minutes to weekday wday, kept sorted; overlapping another
 * period is an error (touching is not: 12:00–13:30 after 08:30–12:00). */
int
calendar_hours_add(struct calendar_hours *h, int wday, int start, int end,
    char *err, size_t errlen)
{
	struct calendar_day_hours *dh;
	int i, at;

	if (wday < 0 || wday >= CALENDAR_WEEKDAY_MAX) {
		calendar__err(err, errlen, "no such weekday %d", wday);
		return -1;
	}
	if (start < 0 || end > 1440 || start >= end) {
		calendar__err(err, errlen, "period %d–%d min is not inside a day "
		    "or ends before it starts", start, end);
		return -1;
	}
	dh = &h->day[wday];
	if (dh->n >= CALENDAR_PERIODS_MAX) {
		calendar__err(err, errlen, "more than %d periods in a day",
		    CALENDAR_PERIODS_MAX);
		return -1;
	}
	for (i = 0; i < dh->n; i++) {
		if (start < dh->p[i].end && dh->p[i].start < end) {
			calendar__err(err, errlen, "period %02d:%02d–%02d:%02d "
			    "overlaps %02d:%02d–%02d:%02d", start / 60, start % 60,
			    end / 60, end % 60, dh->p[i].start / 60,
			    dh->p[i].start % 60, dh->p[i].end / 60, dh->p[i].end % 60);
			return -1;
		}
	}
	for (at = 0; at < dh->n && dh->p[at].start < start; at++)
		;
	memmove(&dh->p[at + 1], &dh->p[at], (size_t)(dh->n - at) * sizeof(dh->p[0]));
	dh->p[at].start = (int16_t)start;
	dh->p[at].end = (int16_t)end;
	dh->n++;
	h->set |= (uint8_t)(1u << wday);
	return 0;
}

/* A window closed on wday although the hall is open. */
void
calendar_hours_close_day(struct calendar_hours *h, int wday)
{
	if (wday < 0 || wday >= CALENDAR_WEEKDAY_MAX)
		return;
	h->day[wday].n = 0;
	h->set |= (uint8_t)(1u << wday);
}

static int
calendar__find(const int32_t *a, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] == day)
			return 1;
		if (a[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
calendar__insert(int32_t *a, size_t *n, int32_t day, const char *what,
    char *err, size_t errlen)
{
	size_t at;

	if (calendar__find(a, *n, day))
		return 0;	/* listed twice: harmless */
	if (*n >= CALENDAR_DATES_MAX) {
		calendar__err(err, errlen, "more than %d %s", CALENDAR_DATES_MAX, what);
		return -1;
	}
	for (at = 0; at < *n && a[at] < day; at++)
		;
	memmove(&a[at + 1], &a[at], (*n - at) * sizeof(a[0]));
	a[at] = day;
	(*n)++;
	return 0;
}

int
calendar_add_holiday(struct calendar *cal, int32_t day, char *err, size_t errlen)
{
	char date[16];

	if (calendar__find(cal->workdays, cal->nworkdays, day)) {
		calendar_format_day(day, date, sizeof date);
		calendar__err(err, errlen, "%s is both a holiday and a workday", date);
		return -1;
	}
	return calendar__insert(cal->holidays, &cal->nholidays, day, "holidays",
	    err, errlen);
}

int
calendar_add_workday(struct calendar *cal, int32_t day, char *err, size_t errlen)
{
	char date[16];

	if (calendar__find(cal->holidays, cal->nholidays, day)) {
		calendar_format_day(day, date, sizeof date);
		calendar__err(err, errlen, "%s is both a holiday and a workday", date);
		return -1;
	}
	return calendar__insert(cal->workdays, &cal->nworkdays, day, "workdays",
	    err, errlen);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); the caller has checked the date. */
int32_t
calendar_day_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void
calendar_ymd(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = calendar__fdiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* CALENDAR_MON .. CALENDAR_SUN; 1970-01-01 was a Thursday. */
int
calendar_weekday(int32_t day)
{
	return (int)(((int64_t)day + 3) - calendar__fdiv((int64_t)day + 3, 7) * 7);
}

int32_t
calendar_day_of(const struct calendar *cal, int64_t ms)
{
	return (int32_t)calendar__fdiv(ms + (int64_t)cal->utc_offset_s * 1000,
	    CALENDAR_DAY_MS);
}

int64_t
calendar_day_start(const struct calendar *cal, int32_t day)
{
	return (int64_t)day * CALENDAR_DAY_MS - (int64_t)cal->utc_offset_s * 1000;
}

int
calendar_is_holiday(const struct calendar *cal, int32_t day)
{
	return calendar__find(cal->holidays, cal->nholidays, day);
}

int
calendar_is_workday(const struct calendar *cal, int32_t day)
{
	return calendar__find(cal->workdays, cal->nworkdays, day);
}

int
calendar_is_working_day(const struct calendar *cal, int32_t day)
{
	if (calendar_is_holiday(cal, day))
		return 0;
	if (calendar_is_workday(cal, day))
		return 1;
	return calendar_weekday(day) < CALENDAR_SAT;
}

/* n > 0: the n-th working day after day (the day itself not counted: "due in
 * 15 working days" counts from the next day); n < 0: the same backwards;
 * n == 0: day.  -1 when no working day turns up within the search bound. */
int
calendar_add_working_days(const struct calendar *cal, int32_t day, int n,
    int32_t *out)
{
	int step = n < 0 ? -1 : 1, left = n < 0 ? -n : n, idle = 0;

	while (left > 0) {
		day += step;
		if (calendar_is_working_day(cal, day)) {
			left--;
			idle = 0;
		} else if (++idle > CALENDAR_SEARCH_DAYS)
			return -1;
	}
	*out = day;
	return 0;
}

/* The periods that apply on day for hours (NULL: the hall's); NULL when
 * closed all day by a holiday. */
static const struct calendar_day_hours *
calendar__day(const struct calendar *cal, const struct calendar_hours *h,
    int32_t day)
{
	int wd;

	if (calendar_is_holiday(cal, day))
		return NULL;
	wd = calendar_is_workday(cal, day) ? cal->makeup_weekday :
	    calendar_weekday(day);
	if (h != NULL && (h->set & (1u << wd)))
		return &h->day[wd];
	return &cal->hall.day[wd];
}

/* The end (minutes) of the open stretch holding minute t of the day: periods
 * that touch are one stretch.  -1 when t is not inside a period. */
static int
calendar__stretch_end(const struct calendar_day_hours *dh, int t)
{
	int i, end = -1;

	if (dh == NULL)
		return -1;
	for (i = 0; i < dh->n; i++) {
		if (end < 0 && dh->p[i].start <= t && t < dh->p[i].end)
			end = dh->p[i].end;
		else if (end >= 0 && dh->p[i].start == end)
			end = dh->p[i].end;
	}
	return end;
}

int
calendar_is_open(const struct calendar *cal, const struct calendar_hours *h,
    int64_t ms)
{
	int32_t day = calendar_day_of(cal, ms);
	int t = (int)((ms - calendar_day_start(cal, day)) / 60000);

	return calendar__stretch_end(calendar__day(cal, h, day), t) >= 0;
}

/* The earliest instant >= ms at which h is open (ms itself when open now);
 * -1 when nothing opens within CALENDAR_SEARCH_DAYS. */
int64_t
calendar_next_open(const struct calendar *cal, const struct calendar_hours *h,
    int64_t ms)
{
	int32_t day = calendar_day_of(cal, ms), d;
	const struct calendar_day_hours *dh;
	int64_t base, s, e;
	int i;

	for (d = day; d <= day + CALENDAR_SEARCH_DAYS; d++) {
		if ((dh = calendar__day(cal, h, d)) == NULL)
			continue;
		base = calendar_day_start(cal, d);
		for (i = 0; i < dh->n; i++) {
			s = base + (int64_t)dh->p[i].start * 60000;
			e = base + (int64_t)dh->p[i].end * 60000;
			if (e > ms)
				return s > ms ? s : ms;
		}
	}
	return -1;
}

/* The end of the open stretch holding ms (touching periods are one; a
 * stretch does not run past midnight); -1 when closed at ms. */
int64_t
calendar_closing(const struct calendar *cal, const struct calendar_hours *h,
    int64_t ms)
{
	int32_t day = calendar_day_of(cal, ms);
	int64_t base = calendar_day_start(cal, day);
	int end = calendar__stretch_end(calendar__day(cal, h, day),
	    (int)((ms - base) / 60000));

	return end < 0 ? -1 : base + (int64_t)end * 60000;
}

/* The end of the day's last period; -1 when closed that day. */
int64_t
calendar_last_close(const struct calendar *cal, const struct calendar_hours *h,
    int32_t day)
{
	const struct calendar_day_hours *dh = calendar__day(cal, h, day);

	if (dh == NULL || dh->n == 0)
		return -1;
	return calendar_day_start(cal, day) + (int64_t)dh->p[dh->n - 1].end * 60000;
}

/* The latest closing on day among windows (NULL entries: the hall's hours):
 * the closing the cutoff of a matter served by those windows is held to. */
int64_t
calendar_last_close_any(const struct calendar *cal,
    const struct calendar_hours *const *w, size_t n, int32_t day)
{
	int64_t best = -1, c;
	size_t i;

	for (i = 0; i < n; i++)
		if ((c = calendar_last_close(cal, w[i], day)) > best)
			best = c;
	return best;
}

/* The rule: capacity = floor(share_pct × nopen × slot_min × 60 /
 * (100 × mean_service_s)), capped by max_per_slot when that is > 0.  nopen is
 * the number of serving windows open for the whole slot; integer arithmetic
 * so 20 % of 3 windows is exact.  Appointments so take at most share_pct of
 * the serving windows' time: walk-ins keep the rest. */
int
calendar_slot_capacity(int share_pct, int nopen, int slot_min,
    int mean_service_s, int max_per_slot)
{
	int64_t cap;

	if (share_pct <= 0 || nopen <= 0 || slot_min <= 0 || mean_service_s <= 0)
		return 0;
	cap = (int64_t)share_pct * nopen * slot_min * 60 /
	    ((int64_t)100 * mean_service_s);
	if (max_per_slot > 0 && cap > max_per_slot)
		cap = max_per_slot;
	return cap > 1000000 ? 1000000 : (int)cap;
}

/* Slots of req: on working days only, inside the hall's periods of the day,
 * laid from each period's start every slot_min minutes; a slot that would
 * run past its period's end (a break such as lunch, or closing) is not made.
 * A slot starting before now + lead_min is left out, and so is one whose
 * capacity is 0 (no serving window open for all of it).  Writes at most max
 * slots into out and returns how many there are (more than max: out holds
 * the first max), or -1 for a request out of bounds. */
long
calendar_slots(const struct calendar *cal, const struct calendar_slot_req *req,
    struct calendar_slot *out, size_t max)
{
	const struct calendar_day_hours *dh, *wh;
	int64_t base, earliest, s;
	long count = 0;
	int32_t d;
	size_t w;
	int i, t, nopen, cap;

	if (req->days < 0 || req->days > CALENDAR_SEARCH_DAYS ||
	    req->slot_min < 1 || req->slot_min > 1440 || req->lead_min < 0 ||
	    req->share_pct < 0 || req->share_pct > 100 ||
	    req->mean_service_s <= 0 || req->max_per_slot < 0 ||
	    (req->nwindows > 0 && req->windows == NULL) || req->nwindows > 100000)
		return -1;
	earliest = req->now + (int64_t)req->lead_min * 60000;
	for (d = req->from_day; d < req->from_day + req->days; d++) {
		if (!calendar_is_working_day(cal, d))
			continue;
		if ((dh = calendar__day(cal, NULL, d)) == NULL)
			continue;
		base = calendar_day_start(cal, d);
		for (i = 0; i < dh->n; i++) {
			for (t = dh->p[i].start; t + req->slot_min <= dh->p[i].end;
			    t += req->slot_min) {
				s = base + (int64_t)t * 60000;
				if (s < earliest)
					continue;
				nopen = 0;
				for (w = 0; w < req->nwindows; w++) {
					wh = calendar__day(cal, req->windows[w], d);
					if (calendar__stretch_end(wh, t) >=
					    t + req->slot_min)
						nopen++;
				}
				cap = calendar_slot_capacity(req->share_pct, nopen,
				    req->slot_min, req->mean_service_s,
				    req->max_per_slot);
				if (cap <= 0)
					continue;
				if ((size_t)count < max) {
					out[count].start = s;
					out[count].end = s +
					    (int64_t)req->slot_min * 60000;
					out[count].capacity = cap;
				}
				count++;
			}
		}
	}
	return count;
}

/* The issuing cutoff: nobody is handed a number that will not be called
 * today.  close is the closing (ms) of the last window serving the matter
 * today (calendar_last_close_any; -1: none).  Closed when now is at or past
 * it or now + wait would run past it; near when now + wait + margin would;
 * a wait ending exactly at the closing is accepted. */
enum calendar_cutoff
calendar_cutoff(int64_t now, int64_t wait_s, int64_t close, int64_t margin_s)
{
	int64_t called;

	if (close < 0 || now >= close)
		return CALENDAR_CUTOFF_CLOSED;
	if (wait_s < 0)
		wait_s = 0;
	if (margin_s < 0)
		margin_s = 0;
	called = now + wait_s * 1000;
	if (called > close)
		return CALENDAR_CUTOFF_CLOSED;
	if (called + margin_s * 1000 > close)
		return CALENDAR_CUTOFF_NEAR;
	return CALENDAR_CUTOFF_ACCEPT;
}

static int
calendar__digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "HH:MM", exactly five characters, 00:00..23:59; "24:00" (the end of the
 * day) only when allow_2400, for a period's end. */
int
calendar_parse_hhmm(const char *s, int allow_2400, int *min, char *err,
    size_t errlen)
{
	int h, m;

	if (s == NULL || strnlen(s, 6) != 5 || s[2] != ':' ||
	    (h = calendar__digits(s, 2)) < 0 || (m = calendar__digits(s + 3, 2)) < 0) {
		calendar__err(err, errlen, "time \"%.16s\" is not HH:MM",
		    s == NULL ? "" : s);
		return -1;
	}
	if (h == 24 && m == 0 && allow_2400) {
		*min = 1440;
		return 0;
	}
	if (h > 23 || m > 59) {
		calendar__err(err, errlen, "time %s is out of range (00:00–%s)",
		    s, allow_2400 ? "24:00" : "23:59");
		return -1;
	}
	*min = h * 60 + m;
	return 0;
}

/* A day as "YYYY-MM-DD". */
void
calendar_format_day(int32_t day, char *buf, size_t len)
{
	int y, m, d;

	calendar_ymd(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

/* "YYYY-MM-DD", exactly ten characters, years 1970..9999, a real date. */
int
calendar_parse_date(const char *s, int32_t *day, char *err, size_t errlen)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, leap, last;

	if (s == NULL || strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-' ||
	    (y = calendar__digits(s, 4)) < 0 || (m = calendar__digits(s + 5, 2)) < 0 ||
	    (d = calendar__digits(s + 8, 2)) < 0) {
		calendar__err(err, errlen, "date \"%.16s\" is not YYYY-MM-DD",
		    s == NULL ? "" : s);
		return -1;
	}
	if (y < 1970 || m < 1 || m > 12) {
		calendar__err(err, errlen, "date %s: no such %s", s,
		    y < 1970 ? "year (1970 or later)" : "month");
		return -1;
	}
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	last = mdays[m - 1] + (m == 2 && leap);
	if (d < 1 || d > last) {
		calendar__err(err, errlen, "date %s: day %d is not in %04d-%02d "
		    "(1–%d)", s, d, y, m, last);
		return -1;
	}
	*day = calendar_day_from_ymd(y, m, d);
	return 0;
}

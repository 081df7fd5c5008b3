/* test_calendar.c — calendar.c alone: strict parsing, days in a UTC+8 hall,
 * holidays and 调休 days (2026 Mid-Autumn and National Day), working-day
 * arithmetic, hall and window hours, next opening, slots and the cutoff. */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "t.h"

#define CN	28800			/* UTC+8 */
#define MIN	60000LL

static struct calendar cal;

static int32_t
D(const char *s)
{
	int32_t d = 0;
	char err[128];

	if (calendar_parse_date(s, &d, err, sizeof(err)) != 0)
		fprintf(stderr, "bad test date %s: %s\n", s, err);
	return d;
}

/* ms of HH:MM on date s in the hall's zone. */
static int64_t
T(const char *s, int h, int m)
{
	return calendar_day_start(&cal, D(s)) + (int64_t)(h * 60 + m) * MIN;
}

static void
hours_weekdays(struct calendar_hours *h, int a0, int a1, int b0, int b1)
{
	int wd;

	for (wd = CALENDAR_MON; wd <= CALENDAR_FRI; wd++) {
		calendar_hours_add(h, wd, a0, a1, NULL, 0);
		if (b0 >= 0)
			calendar_hours_add(h, wd, b0, b1, NULL, 0);
	}
}

/* The demo hall: Mon–Fri 08:30–12:00 and 13:30–17:30.  2026 (国务院办公厅
 * 2026年部分节假日安排): 中秋 09-25..27, 国庆 10-01..07, 调休 workdays
 * 09-20 (Sunday) and 10-10 (Saturday). */
static void
setup(void)
{
	static const char *hol[] = { "2026-09-25", "2026-09-26", "2026-09-27",
	    "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
	    "2026-10-06", "2026-10-07" };
	size_t i;

	calendar_init(&cal, CN);
	hours_weekdays(&cal.hall, 510, 720, 810, 1050);
	for (i = 0; i < sizeof(hol) / sizeof(hol[0]); i++)
		calendar_add_holiday(&cal, D(hol[i]), NULL, 0);
	calendar_add_workday(&cal, D("2026-09-20"), NULL, 0);
	calendar_add_workday(&cal, D("2026-10-10"), NULL, 0);
}

static void
test_parse(void)
{
	char err[128];
	int m = -1;
	int32_t d = -1;

	CHECK_EQ_INT(calendar_parse_hhmm("08:30", 0, &m, err, sizeof(err)), 0);
	CHECK_EQ_INT(m, 510);
	CHECK_EQ_INT(calendar_parse_hhmm("00:00", 0, &m, err, sizeof(err)), 0);
	CHECK_EQ_INT(m, 0);
	CHECK_EQ_INT(calendar_parse_hhmm("23:59", 0, &m, err, sizeof(err)), 0);
	CHECK_EQ_INT(m, 1439);
	CHECK_EQ_INT(calendar_parse_hhmm("8:3", 0, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "not HH:MM") != NULL);
	CHECK_EQ_INT(calendar_parse_hhmm("8:30", 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm("0830", 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm("08:30x", 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm(" 8:30", 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm("08:3a", 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm("+8:30", 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm("", 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm(NULL, 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm("23:60", 0, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "out of range") != NULL);
	CHECK_EQ_INT(calendar_parse_hhmm("24:00", 0, &m, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_hhmm("24:00", 1, &m, err, sizeof(err)), 0);
	CHECK_EQ_INT(m, 1440);
	CHECK_EQ_INT(calendar_parse_hhmm("24:01", 1, &m, err, sizeof(err)), -1);

	CHECK_EQ_INT(calendar_parse_date("1970-01-01", &d, err, sizeof(err)), 0);
	CHECK_EQ_INT(d, 0);
	CHECK_EQ_INT(calendar_parse_date("2026-10-01", &d, err, sizeof(err)), 0);
	CHECK_EQ_INT(d, 20727);	/* 1790812800 s / 86400 */
	CHECK_EQ_INT(calendar_parse_date("2024-02-29", &d, err, sizeof(err)), 0);
	CHECK_EQ_INT(calendar_parse_date("2000-02-29", &d, err, sizeof(err)), 0);
	CHECK_EQ_INT(calendar_parse_date("2100-02-29", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("2026-02-29", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("2026-02-30", &d, err, sizeof(err)), -1);
	CHECK(strstr(err, "day 30 is not in 2026-02") != NULL);
	CHECK_EQ_INT(calendar_parse_date("2026-04-31", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("2026-13-01", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("2026-00-10", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("2026-01-00", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("1969-12-31", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("2026-1-01", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("2026-10-01x", &d, err, sizeof(err)), -1);
	CHECK(strstr(err, "not YYYY-MM-DD") != NULL);
	CHECK_EQ_INT(calendar_parse_date("2026-10-01T00:00", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("2026/10/01", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date("-026-10-01", &d, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_parse_date(NULL, &d, err, sizeof(err)), -1);
	/* a tiny error buffer is cut, not overrun */
	CHECK_EQ_INT(calendar_parse_date("junk", &d, err, 4), -1);
	CHECK_EQ_INT(strlen(err), 3);
}

static void
test_days(void)
{
	int y, m, d;
	int32_t day;

	CHECK_EQ_INT(calendar_weekday(0), CALENDAR_THU);
	CHECK_EQ_INT(calendar_weekday(-1), CALENDAR_WED);
	CHECK_EQ_INT(calendar_weekday(D("2026-10-01")), CALENDAR_THU);
	CHECK_EQ_INT(calendar_weekday(D("2026-10-10")), CALENDAR_SAT);
	CHECK_EQ_INT(calendar_weekday(D("2026-09-20")), CALENDAR_SUN);
	for (day = -800; day < 30000; day += 37) {
		calendar_ymd(day, &y, &m, &d);
		CHECK_EQ_INT(calendar_day_from_ymd(y, m, d), day);
	}
	calendar_ymd(D("2028-02-29"), &y, &m, &d);
	CHECK(y == 2028 && m == 2 && d == 29);

	/* UTC+8: 2026-10-01 starts at 2026-09-30 16:00 UTC */
	CHECK_EQ_INT(calendar_day_start(&cal, D("2026-10-01")), 1790784000000LL);
	CHECK_EQ_INT(calendar_day_of(&cal, 1790784000000LL), D("2026-10-01"));
	CHECK_EQ_INT(calendar_day_of(&cal, 1790784000000LL - 1), D("2026-09-30"));
	CHECK_EQ_INT(T("2026-10-08", 8, 30), 1791419400000LL);
	CHECK_EQ_INT(T("2026-09-30", 17, 30), 1790760600000LL);
	/* before the epoch, floor not truncation */
	CHECK_EQ_INT(calendar_day_of(&cal, -CN * 1000LL - 1), -1);
}

static void
test_calendar_days(void)
{
	struct calendar c;
	char err[128];
	int32_t i, out;

	CHECK(!calendar_is_working_day(&cal, D("2026-10-01")));
	CHECK(!calendar_is_working_day(&cal, D("2026-10-07")));
	CHECK(calendar_is_working_day(&cal, D("2026-10-08")));
	CHECK(calendar_is_working_day(&cal, D("2026-10-10")));	/* 调休 Saturday */
	CHECK(!calendar_is_working_day(&cal, D("2026-10-11")));
	CHECK(calendar_is_working_day(&cal, D("2026-09-20")));	/* 调休 Sunday */
	CHECK(!calendar_is_working_day(&cal, D("2026-09-25")));	/* 中秋, a Friday */
	CHECK(!calendar_is_working_day(&cal, D("2026-10-17")));
	CHECK(calendar_is_working_day(&cal, D("2026-09-30")));

	/* a day cannot be both; listing one twice is harmless */
	CHECK_EQ_INT(calendar_add_workday(&cal, D("2026-10-01"), err, sizeof(err)), -1);
	CHECK(strstr(err, "2026-10-01 is both") != NULL);
	CHECK_EQ_INT(calendar_add_holiday(&cal, D("2026-10-10"), err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_add_holiday(&cal, D("2026-10-01"), err, sizeof(err)), 0);
	CHECK_EQ_INT(cal.nholidays, 10);

	/* working-day arithmetic across the holiday week */
	CHECK_EQ_INT(calendar_add_working_days(&cal, D("2026-09-30"), 1, &out), 0);
	CHECK_EQ_INT(out, D("2026-10-08"));
	CHECK_EQ_INT(calendar_add_working_days(&cal, D("2026-09-30"), 3, &out), 0);
	CHECK_EQ_INT(out, D("2026-10-10"));
	CHECK_EQ_INT(calendar_add_working_days(&cal, D("2026-09-30"), 15, &out), 0);
	CHECK_EQ_INT(out, D("2026-10-27"));
	CHECK_EQ_INT(calendar_add_working_days(&cal, D("2026-09-24"), 1, &out), 0);
	CHECK_EQ_INT(out, D("2026-09-28"));
	CHECK_EQ_INT(calendar_add_working_days(&cal, D("2026-10-08"), -1, &out), 0);
	CHECK_EQ_INT(out, D("2026-09-30"));
	CHECK_EQ_INT(calendar_add_working_days(&cal, D("2026-10-01"), 0, &out), 0);
	CHECK_EQ_INT(out, D("2026-10-01"));
	/* from a holiday, counting starts the next day */
	CHECK_EQ_INT(calendar_add_working_days(&cal, D("2026-10-03"), 2, &out), 0);
	CHECK_EQ_INT(out, D("2026-10-09"));

	/* bounded: a calendar with more than a year of holidays */
	calendar_init(&c, CN);
	for (i = 0; i < 400; i++)
		CHECK_EQ_INT(calendar_add_holiday(&c, D("2030-01-01") + i, NULL, 0), 0);
	CHECK_EQ_INT(calendar_add_working_days(&c, D("2029-12-31"), 1, &out), -1);
	CHECK_EQ_INT(calendar_next_open(&c, NULL, T("2029-12-31", 18, 0)), -1);
}

static void
test_hours(void)
{
	struct calendar_hours lunch, evening, weekend, nowed, bad;
	const struct calendar_hours *ws[3];
	char err[128];

	/* lunch-time duty window: the hall's hours plus 12:00–13:30 */
	calendar_hours_init(&lunch);
	hours_weekdays(&lunch, 510, 720, 810, 1050);
	for (int wd = CALENDAR_MON; wd <= CALENDAR_FRI; wd++)
		calendar_hours_add(&lunch, wd, 720, 810, NULL, 0);
	calendar_hours_init(&evening);		/* 延时 to 19:00 on Thursdays */
	calendar_hours_add(&evening, CALENDAR_THU, 810, 1140, NULL, 0);
	calendar_hours_init(&weekend);		/* Saturday only; weekdays the hall's */
	calendar_hours_add(&weekend, CALENDAR_SAT, 540, 1020, NULL, 0);
	calendar_hours_init(&nowed);
	calendar_hours_close_day(&nowed, CALENDAR_WED);

	calendar_hours_init(&bad);
	CHECK_EQ_INT(calendar_hours_add(&bad, CALENDAR_MON, 600, 600, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_hours_add(&bad, CALENDAR_MON, 600, 1441, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_hours_add(&bad, 7, 600, 700, err, sizeof(err)), -1);
	CHECK_EQ_INT(calendar_hours_add(&bad, CALENDAR_MON, 600, 700, err, sizeof(err)), 0);
	CHECK_EQ_INT(calendar_hours_add(&bad, CALENDAR_MON, 650, 750, err, sizeof(err)), -1);
	CHECK(strstr(err, "10:50–12:30 overlaps 10:00–11:40") != NULL);
	CHECK_EQ_INT(calendar_hours_add(&bad, CALENDAR_MON, 0, 1440, err, sizeof(err)), -1);

	/* the hall */
	CHECK(calendar_is_open(&cal, NULL, T("2026-09-30", 17, 29)));
	CHECK(!calendar_is_open(&cal, NULL, T("2026-09-30", 17, 30)));
	CHECK(calendar_is_open(&cal, NULL, T("2026-09-30", 8, 30)));
	CHECK(!calendar_is_open(&cal, NULL, T("2026-09-30", 8, 29)));
	CHECK(!calendar_is_open(&cal, NULL, T("2026-09-30", 12, 15)));
	CHECK(!calendar_is_open(&cal, NULL, T("2026-10-05", 10, 0)));	/* holiday Monday */
	CHECK(calendar_is_open(&cal, NULL, T("2026-10-10", 10, 0)));	/* 调休 Saturday */
	CHECK(!calendar_is_open(&cal, NULL, T("2026-10-17", 10, 0)));

	/* per window */
	CHECK(calendar_is_open(&cal, &lunch, T("2026-09-30", 12, 15)));
	CHECK(!calendar_is_open(&cal, &lunch, T("2026-10-02", 12, 15)));
	CHECK(calendar_is_open(&cal, &evening, T("2026-10-08", 18, 30)));
	CHECK(!calendar_is_open(&cal, &evening, T("2026-10-08", 10, 0)));	/* Thursday is its own */
	CHECK(calendar_is_open(&cal, &evening, T("2026-10-09", 10, 0)));	/* Friday is the hall's */
	CHECK(calendar_is_open(&cal, &weekend, T("2026-10-17", 10, 0)));
	CHECK(!calendar_is_open(&cal, &weekend, T("2026-10-03", 10, 0)));	/* holiday Saturday */
	CHECK(calendar_is_open(&cal, &weekend, T("2026-10-09", 10, 0)));
	/* 调休 Saturday: Monday's hours, the window's own Saturday not used */
	CHECK(calendar_is_open(&cal, &weekend, T("2026-10-10", 8, 45)));
	CHECK(!calendar_is_open(&cal, &weekend, T("2026-10-10", 17, 45)));
	CHECK(!calendar_is_open(&cal, &nowed, T("2026-09-30", 10, 0)));
	CHECK(calendar_is_open(&cal, &nowed, T("2026-10-08", 10, 0)));

	/* next opening across the National Day week */
	CHECK_EQ_INT(calendar_next_open(&cal, NULL, T("2026-09-30", 17, 30)),
	    T("2026-10-08", 8, 30));
	CHECK_EQ_INT(calendar_next_open(&cal, NULL, T("2026-09-30", 17, 30)),
	    1791419400000LL);
	CHECK_EQ_INT(calendar_next_open(&cal, NULL, T("2026-10-03", 3, 0)),
	    T("2026-10-08", 8, 30));
	CHECK_EQ_INT(calendar_next_open(&cal, NULL, T("2026-10-09", 18, 0)),
	    T("2026-10-10", 8, 30));
	CHECK_EQ_INT(calendar_next_open(&cal, NULL, T("2026-10-08", 12, 15)),
	    T("2026-10-08", 13, 30));
	CHECK_EQ_INT(calendar_next_open(&cal, NULL, T("2026-10-08", 9, 0)),
	    T("2026-10-08", 9, 0));
	CHECK_EQ_INT(calendar_next_open(&cal, NULL, T("2026-09-24", 17, 45)),
	    T("2026-09-28", 8, 30));
	CHECK_EQ_INT(calendar_next_open(&cal, &weekend, T("2026-10-16", 18, 0)),
	    T("2026-10-17", 9, 0));
	CHECK_EQ_INT(calendar_next_open(&cal, &weekend, T("2026-10-02", 18, 0)),
	    T("2026-10-08", 8, 30));

	/* closing: the current stretch; touching periods are one */
	CHECK_EQ_INT(calendar_closing(&cal, NULL, T("2026-10-08", 10, 0)),
	    T("2026-10-08", 12, 0));
	CHECK_EQ_INT(calendar_closing(&cal, NULL, T("2026-10-08", 12, 0)), -1);
	CHECK_EQ_INT(calendar_closing(&cal, &lunch, T("2026-10-08", 10, 0)),
	    T("2026-10-08", 17, 30));
	CHECK_EQ_INT(calendar_closing(&cal, NULL, T("2026-10-04", 10, 0)), -1);
	CHECK_EQ_INT(calendar_last_close(&cal, NULL, D("2026-10-08")),
	    T("2026-10-08", 17, 30));
	CHECK_EQ_INT(calendar_last_close(&cal, NULL, D("2026-10-04")), -1);
	CHECK_EQ_INT(calendar_last_close(&cal, &evening, D("2026-10-08")),
	    T("2026-10-08", 19, 0));
	ws[0] = NULL;
	ws[1] = &evening;
	ws[2] = &lunch;
	CHECK_EQ_INT(calendar_last_close_any(&cal, ws, 3, D("2026-10-08")),
	    T("2026-10-08", 19, 0));
	CHECK_EQ_INT(calendar_last_close_any(&cal, ws, 3, D("2026-10-09")),
	    T("2026-10-09", 17, 30));
	CHECK_EQ_INT(calendar_last_close_any(&cal, ws, 3, D("2026-10-17")), -1);
	CHECK_EQ_INT(calendar_last_close_any(&cal, ws, 0, D("2026-10-09")), -1);
}

static struct calendar_slot out[2000];

static long
slots(int32_t from, int days, int slot_min, int lead_min, int64_t now,
    int share, int mean_s, int cap, const struct calendar_hours *const *w, size_t nw)
{
	struct calendar_slot_req r;

	memset(&r, 0, sizeof(r));
	r.now = now;
	r.from_day = from;
	r.days = days;
	r.slot_min = slot_min;
	r.lead_min = lead_min;
	r.share_pct = share;
	r.mean_service_s = mean_s;
	r.max_per_slot = cap;
	r.windows = w;
	r.nwindows = nw;
	return calendar_slots(&cal, &r, out, sizeof(out) / sizeof(out[0]));
}

/* The slot starting at ms in out[0..n), or NULL. */
static const struct calendar_slot *
find(long n, int64_t ms)
{
	long i;

	for (i = 0; i < n; i++)
		if (out[i].start == ms)
			return &out[i];
	return NULL;
}

static void
test_slots(void)
{
	const struct calendar_hours *hall3[3] = { NULL, NULL, NULL };
	const struct calendar_hours *ws[2];
	struct calendar_hours pm, late, early, lunch;
	struct calendar_slot few[5];
	struct calendar_slot_req r;
	int64_t past = T("2026-09-01", 0, 0);
	long n, i;
	int bad_day = 0;

	/* Thu 10-08, Fri 10-09, 调休 Sat 10-10: 7 + 8 slots of 30 min a day;
	 * 20 % of 3 windows at 6 min a person: floor(20·3·1800/(100·360)) = 3 */
	n = slots(D("2026-10-08"), 3, 30, 0, past, 20, 360, 0, hall3, 3);
	CHECK_EQ_INT(n, 45);
	CHECK_EQ_INT(out[0].start, 1791419400000LL);	/* 08:30 +08 = 00:30 UTC */
	CHECK_EQ_INT(out[0].start % CALENDAR_DAY_MS, 30 * MIN);
	CHECK_EQ_INT(out[0].end - out[0].start, 30 * MIN);
	CHECK_EQ_INT(out[0].capacity, 3);
	CHECK(find(n, T("2026-10-08", 11, 30)) != NULL);
	CHECK(find(n, T("2026-10-08", 12, 0)) == NULL);	/* lunch */
	CHECK(find(n, T("2026-10-08", 13, 0)) == NULL);
	CHECK(find(n, T("2026-10-08", 13, 30)) != NULL);
	CHECK(find(n, T("2026-10-08", 17, 0)) != NULL);
	CHECK(find(n, T("2026-10-08", 17, 30)) == NULL);
	CHECK(find(n, T("2026-10-10", 8, 30)) != NULL);	/* make-up Saturday */
	CHECK_EQ_INT(out[44].start, T("2026-10-10", 17, 0));
	for (i = 1; i < n; i++)
		CHECK(out[i].start > out[i - 1].start);

	/* across the weekend and the holiday week: 09-28 .. 10-11 holds
	 * 09-28, 09-29, 09-30, 10-08, 10-09, 10-10 */
	n = slots(D("2026-09-28"), 14, 30, 0, past, 20, 360, 0, hall3, 3);
	CHECK_EQ_INT(n, 6 * 15);
	for (i = 0; i < n; i++)
		if (!calendar_is_working_day(&cal, calendar_day_of(&cal, out[i].start)))
			bad_day++;
	CHECK_EQ_INT(bad_day, 0);
	CHECK(find(n, T("2026-10-02", 8, 30)) == NULL);
	CHECK(find(n, T("2026-10-03", 8, 30)) == NULL);
	/* 调休 Sunday 09-20 and 中秋 Friday 09-25 */
	n = slots(D("2026-09-20"), 7, 30, 0, past, 20, 360, 0, hall3, 3);
	CHECK_EQ_INT(n, 5 * 15);	/* 20 (Sun), 21–24; not 25, 26 */
	CHECK(find(n, T("2026-09-20", 8, 30)) != NULL);
	CHECK(find(n, T("2026-09-25", 8, 30)) == NULL);

	/* a slot never straddles a break: 45 min → 4 in the morning, 5 after */
	n = slots(D("2026-10-08"), 1, 45, 0, past, 20, 360, 0, hall3, 3);
	CHECK_EQ_INT(n, 9);
	CHECK(find(n, T("2026-10-08", 10, 45)) != NULL);
	CHECK(find(n, T("2026-10-08", 11, 30)) == NULL);
	for (i = 0; i < n; i++)
		CHECK(out[i].end <= T("2026-10-08", 12, 0) ||
		    out[i].start >= T("2026-10-08", 13, 30));
	CHECK_EQ_INT(out[n - 1].end, T("2026-10-08", 17, 15));

	/* minimum lead time: now 10:05, 60 min → the first slot is 11:30 */
	n = slots(D("2026-10-08"), 1, 30, 60, T("2026-10-08", 10, 5), 20, 360, 0,
	    hall3, 3);
	CHECK_EQ_INT(n, 9);
	CHECK_EQ_INT(out[0].start, T("2026-10-08", 11, 30));
	/* a slot starting exactly at now + lead is offered */
	n = slots(D("2026-10-08"), 1, 30, 60, T("2026-10-08", 10, 30), 20, 360, 0,
	    hall3, 3);
	CHECK_EQ_INT(out[0].start, T("2026-10-08", 11, 30));
	CHECK_EQ_INT(n, 9);
	n = slots(D("2026-10-08"), 1, 30, 60, T("2026-10-08", 10, 31), 20, 360, 0,
	    hall3, 3);
	CHECK_EQ_INT(n, 8);
	/* now past the day's last slot: nothing that day */
	n = slots(D("2026-10-08"), 2, 30, 0, T("2026-10-08", 17, 1), 20, 360, 0,
	    hall3, 3);
	CHECK_EQ_INT(n, 15);
	CHECK_EQ_INT(out[0].start, T("2026-10-09", 8, 30));

	/* horizon */
	CHECK_EQ_INT(slots(D("2026-10-08"), 1, 30, 0, past, 20, 360, 0, hall3, 3), 15);
	CHECK_EQ_INT(slots(D("2026-10-08"), 0, 30, 0, past, 20, 360, 0, hall3, 3), 0);
	CHECK_EQ_INT(slots(D("2026-10-01"), 7, 30, 0, past, 20, 360, 0, hall3, 3), 0);

	/* capacity against the serving windows */
	CHECK_EQ_INT(calendar_slot_capacity(20, 1, 30, 360, 0), 1);
	CHECK_EQ_INT(calendar_slot_capacity(20, 2, 30, 360, 0), 2);
	CHECK_EQ_INT(calendar_slot_capacity(20, 3, 30, 360, 0), 3);
	CHECK_EQ_INT(calendar_slot_capacity(20, 5, 30, 360, 0), 5);
	CHECK_EQ_INT(calendar_slot_capacity(20, 5, 30, 360, 2), 2);
	CHECK_EQ_INT(calendar_slot_capacity(10, 1, 30, 360, 0), 0);
	CHECK_EQ_INT(calendar_slot_capacity(20, 3, 30, 720, 0), 1);	/* 1.5 */
	CHECK_EQ_INT(calendar_slot_capacity(0, 3, 30, 360, 0), 0);
	CHECK_EQ_INT(calendar_slot_capacity(20, 0, 30, 360, 0), 0);
	CHECK_EQ_INT(calendar_slot_capacity(100, 1, 30, 1800, 0), 1);
	n = slots(D("2026-10-08"), 1, 30, 0, past, 20, 360, 0, hall3, 1);
	CHECK_EQ_INT(out[0].capacity, 1);
	n = slots(D("2026-10-08"), 1, 30, 0, past, 20, 360, 2, hall3, 3);
	CHECK_EQ_INT(out[0].capacity, 2);
	/* a share that rounds to nothing, or no serving window: no slots */
	CHECK_EQ_INT(slots(D("2026-10-08"), 1, 30, 0, past, 10, 360, 0, hall3, 1), 0);
	CHECK_EQ_INT(slots(D("2026-10-08"), 1, 30, 0, past, 20, 360, 0, NULL, 0), 0);

	/* per-window hours: one hall window, one afternoon-only window */
	calendar_hours_init(&pm);
	for (int wd = CALENDAR_MON; wd <= CALENDAR_FRI; wd++)
		calendar_hours_add(&pm, wd, 810, 1050, NULL, 0);
	ws[0] = NULL;
	ws[1] = &pm;
	n = slots(D("2026-10-08"), 1, 30, 0, past, 100, 1800, 0, ws, 2);
	CHECK_EQ_INT(n, 15);
	CHECK_EQ_INT(find(n, T("2026-10-08", 9, 0))->capacity, 1);
	CHECK_EQ_INT(find(n, T("2026-10-08", 14, 0))->capacity, 2);
	/* a window from 09:00 and one until 17:00 count only for whole slots */
	calendar_hours_init(&late);
	calendar_hours_init(&early);
	hours_weekdays(&late, 540, 720, 810, 1050);
	hours_weekdays(&early, 510, 720, 810, 1020);
	ws[0] = &late;
	ws[1] = &early;
	n = slots(D("2026-10-08"), 1, 30, 0, past, 100, 1800, 0, ws, 2);
	CHECK_EQ_INT(find(n, T("2026-10-08", 8, 30))->capacity, 1);
	CHECK_EQ_INT(find(n, T("2026-10-08", 9, 0))->capacity, 2);
	CHECK_EQ_INT(find(n, T("2026-10-08", 16, 30))->capacity, 2);
	CHECK_EQ_INT(find(n, T("2026-10-08", 17, 0))->capacity, 1);
	/* a lunch-time window does not make lunch-time slots: slots keep to
	 * the hall's periods */
	calendar_hours_init(&lunch);
	hours_weekdays(&lunch, 510, 720, 720, 1050);
	ws[0] = &lunch;
	n = slots(D("2026-10-08"), 1, 30, 0, past, 100, 1800, 0, ws, 1);
	CHECK_EQ_INT(n, 15);
	CHECK(find(n, T("2026-10-08", 12, 0)) == NULL);
	CHECK_EQ_INT(find(n, T("2026-10-08", 11, 30))->capacity, 1);

	/* UTC+0 hall: the same wall times are 8 hours later in ms */
	cal.utc_offset_s = 0;
	n = slots(D("2026-10-08"), 1, 30, 0, past, 20, 360, 0, hall3, 3);
	CHECK_EQ_INT(out[0].start, 1791419400000LL + 8 * 3600000LL);
	cal.utc_offset_s = CN;

	/* the caller's buffer bounds what is written, not the count */
	memset(&r, 0, sizeof(r));
	r.now = past;
	r.from_day = D("2026-10-08");
	r.days = 3;
	r.slot_min = 30;
	r.share_pct = 20;
	r.mean_service_s = 360;
	r.windows = hall3;
	r.nwindows = 3;
	CHECK_EQ_INT(calendar_slots(&cal, &r, few, 5), 45);
	CHECK_EQ_INT(few[4].start, T("2026-10-08", 10, 30));
	CHECK_EQ_INT(calendar_slots(&cal, &r, NULL, 0), 45);
	r.slot_min = 0;
	CHECK_EQ_INT(calendar_slots(&cal, &r, few, 5), -1);
	r.slot_min = 30;
	r.days = CALENDAR_SEARCH_DAYS + 1;
	CHECK_EQ_INT(calendar_slots(&cal, &r, few, 5), -1);
	r.days = 3;
	r.share_pct = 101;
	CHECK_EQ_INT(calendar_slots(&cal, &r, few, 5), -1);
	r.share_pct = 20;
	r.mean_service_s = 0;
	CHECK_EQ_INT(calendar_slots(&cal, &r, few, 5), -1);
	r.mean_service_s = 360;
	r.windows = NULL;
	CHECK_EQ_INT(calendar_slots(&cal, &r, few, 5), -1);
}

static void
test_cutoff(void)
{
	int64_t close = T("2026-10-08", 17, 30), now = T("2026-10-08", 17, 0);

	CHECK_EQ_INT(calendar_cutoff(now, 20 * 60, close, 5 * 60), CALENDAR_CUTOFF_ACCEPT);
	CHECK_EQ_INT(calendar_cutoff(now, 26 * 60, close, 5 * 60), CALENDAR_CUTOFF_NEAR);
	CHECK_EQ_INT(calendar_cutoff(now, 30 * 60, close, 5 * 60), CALENDAR_CUTOFF_NEAR);
	CHECK_EQ_INT(calendar_cutoff(now, 30 * 60, close, 0), CALENDAR_CUTOFF_ACCEPT);
	CHECK_EQ_INT(calendar_cutoff(now, 30 * 60 + 1, close, 5 * 60), CALENDAR_CUTOFF_CLOSED);
	CHECK_EQ_INT(calendar_cutoff(now, 3600, close, 5 * 60), CALENDAR_CUTOFF_CLOSED);
	CHECK_EQ_INT(calendar_cutoff(close, 0, close, 0), CALENDAR_CUTOFF_CLOSED);
	CHECK_EQ_INT(calendar_cutoff(close - 1, 0, close, 0), CALENDAR_CUTOFF_ACCEPT);
	CHECK_EQ_INT(calendar_cutoff(now, 0, -1, 0), CALENDAR_CUTOFF_CLOSED);
	CHECK_EQ_INT(calendar_cutoff(now, -5, close, -5), CALENDAR_CUTOFF_ACCEPT);
	/* with the day's last window: the 延时 window keeps the matter open */
	{
		struct calendar_hours evening;
		const struct calendar_hours *ws[2];
		int64_t c;

		calendar_hours_init(&evening);
		calendar_hours_add(&evening, CALENDAR_THU, 810, 1140, NULL, 0);
		ws[0] = NULL;
		ws[1] = &evening;
		c = calendar_last_close_any(&cal, ws, 2, D("2026-10-08"));
		CHECK_EQ_INT(calendar_cutoff(now, 3600, c, 15 * 60), CALENDAR_CUTOFF_ACCEPT);
		c = calendar_last_close_any(&cal, ws, 1, D("2026-10-08"));
		CHECK_EQ_INT(calendar_cutoff(now, 3600, c, 15 * 60), CALENDAR_CUTOFF_CLOSED);
	}
}

int
main(void)
{
	setup();
	test_parse();
	test_days();
	test_calendar_days();
	test_hours();
	test_slots();
	test_cutoff();
	return t_done("calendar");
}

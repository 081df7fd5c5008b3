/* calendar.h — opening hours, the working-day calendar (holidays, 调休
 * make-up days), appointment slots and the issuing cutoff, as pure functions.
 * No clock, no I/O, no globals: the caller passes "now" and owns every struct.
 *
 * Time is ms since the epoch (UTC).  A "day" is a civil date in the hall's
 * zone, counted in days since 1970-01-01 (calendar_day_from_ymd).  The zone is
 * a fixed UTC offset in seconds (China: +28800, no DST).  A zone with DST is
 * handled by the caller: it sets utc_offset_s to the offset in force on the day
 * it asks about, and walks a search that crosses a change (next_open, slots)
 * one day at a time, each with that day's offset.
 *
 * Which hours apply on a day:
 *   - a holiday (calendar.holidays) closes the hall and every window, weekend
 *     windows included;
 *   - a 调休 make-up day (calendar.workdays) works with the hours of
 *     makeup_weekday (default Monday), the hall's and each window's;
 *   - any other day uses its own weekday's hours;
 *   - a window's hours override the hall's per weekday: a weekday the window
 *     sets (even to closed) is the window's, the others are the hall's.
 * A working day is Monday–Friday, less holidays, plus make-up days; it is the
 * hall's notion (working-day arithmetic, slots), independent of hours. */
#ifndef HALLQ_CALENDAR_H
#define HALLQ_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define CALENDAR_PERIODS_MAX	8	/* periods per weekday */
#define CALENDAR_DATES_MAX	512	/* holidays, and make-up days, each */
#define CALENDAR_SEARCH_DAYS	370	/* bound of every forward search */
#define CALENDAR_DAY_MS		86400000LL

enum calendar_weekday {
	CALENDAR_MON, CALENDAR_TUE, CALENDAR_WED, CALENDAR_THU,
	CALENDAR_FRI, CALENDAR_SAT, CALENDAR_SUN, CALENDAR_WEEKDAY_MAX
};

/* One opening period, minutes of the day, [start, end); end may be 1440. */
struct calendar_period {
	int16_t	start;
	int16_t	end;
};

/* One weekday's periods, sorted, not overlapping (they may touch). */
struct calendar_day_hours {
	uint8_t	n;				/* 0: closed */
	struct calendar_period p[CALENDAR_PERIODS_MAX];
};

/* A week of hours: the hall's, or a window's override. */
struct calendar_hours {
	uint8_t	set;			/* bit wd: day[wd] is given (window override) */
	struct calendar_day_hours day[CALENDAR_WEEKDAY_MAX];
};

struct calendar {
	int32_t	utc_offset_s;		/* the hall's zone; China +28800 */
	int	makeup_weekday;		/* hours of a 调休 day; CALENDAR_MON */
	struct calendar_hours hall;	/* the hall's opening periods */
	size_t	nholidays;
	int32_t	holidays[CALENDAR_DATES_MAX];	/* sorted days */
	size_t	nworkdays;
	int32_t	workdays[CALENDAR_DATES_MAX];	/* sorted days */
};

/* One appointment slot. */
struct calendar_slot {
	int64_t	start;			/* ms */
	int64_t	end;			/* ms */
	int	capacity;		/* > 0 */
};

/* What calendar_slots() generates for one matter. */
struct calendar_slot_req {
	int64_t	now;			/* ms; slots start at now + lead_min or later */
	int32_t	from_day;		/* first day (hall's zone) */
	int	days;			/* horizon: from_day .. from_day + days - 1 */
	int	slot_min;		/* slot length, 1..1440 */
	int	lead_min;		/* minimum lead time, >= 0 */
	int	share_pct;		/* share of serving windows, 0..100 */
	int	mean_service_s;		/* the matter's mean service time, > 0 */
	int	max_per_slot;		/* capacity_per_slot cap; 0: no cap */
	const struct calendar_hours *const *windows;	/* serving; NULL: hall's */
	size_t	nwindows;
};

enum calendar_cutoff {
	CALENDAR_CUTOFF_ACCEPT,		/* the number will be called today */
	CALENDAR_CUTOFF_NEAR,		/* accepted, but within the margin: tell the wait */
	CALENDAR_CUTOFF_CLOSED,		/* matter_closed_for_today */
	CALENDAR_CUTOFF_MAX
};

void	 calendar_init(struct calendar *, int32_t utc_offset_s);
void	 calendar_hours_init(struct calendar_hours *);
int	 calendar_hours_add(struct calendar_hours *, int wday, int start, int end,
	    char *err, size_t errlen);
void	 calendar_hours_close_day(struct calendar_hours *, int wday);
int	 calendar_add_holiday(struct calendar *, int32_t day, char *err, size_t errlen);
int	 calendar_add_workday(struct calendar *, int32_t day, char *err, size_t errlen);

int32_t	 calendar_day_from_ymd(int y, int m, int d);
void	 calendar_ymd(int32_t day, int *y, int *m, int *d);
int	 calendar_weekday(int32_t day);
int32_t	 calendar_day_of(const struct calendar *, int64_t ms);
int64_t	 calendar_day_start(const struct calendar *, int32_t day);

int	 calendar_is_holiday(const struct calendar *, int32_t day);
int	 calendar_is_workday(const struct calendar *, int32_t day);
int	 calendar_is_working_day(const struct calendar *, int32_t day);
int	 calendar_add_working_days(const struct calendar *, int32_t day, int n,
	    int32_t *out);

int	 calendar_is_open(const struct calendar *, const struct calendar_hours *,
	    int64_t ms);
int64_t	 calendar_next_open(const struct calendar *, const struct calendar_hours *,
	    int64_t ms);
int64_t	 calendar_closing(const struct calendar *, const struct calendar_hours *,
	    int64_t ms);
int64_t	 calendar_last_close(const struct calendar *, const struct calendar_hours *,
	    int32_t day);
int64_t	 calendar_last_close_any(const struct calendar *,
	    const struct calendar_hours *const *, size_t, int32_t day);

int	 calendar_slot_capacity(int share_pct, int nopen, int slot_min,
	    int mean_service_s, int max_per_slot);
long	 calendar_slots(const struct calendar *, const struct calendar_slot_req *,
	    struct calendar_slot *, size_t max);

enum calendar_cutoff calendar_cutoff(int64_t now, int64_t wait_s, int64_t close,
	    int64_t margin_s);

int	 calendar_parse_hhmm(const char *, int allow_2400, int *min, char *err,
	    size_t errlen);
int	 calendar_parse_date(const char *, int32_t *day, char *err, size_t errlen);
/* "YYYY-MM-DD" of a day (len >= 11). */
void	 calendar_format_day(int32_t day, char *buf, size_t len);

#endif

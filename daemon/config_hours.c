/* config_hours.c — the hall's time in the configuration: "hours" (opening
 * periods per weekday, the hall's and each window's), "calendar" (holidays
 * and 调休 make-up days) and "appointments" (slots, check-in, limits), with
 * each matter's "appointment".  Errors name file:line:col like the rest. */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "config_int.h"
#include "util.h"

static const char *const weekday_keys[CALENDAR_WEEKDAY_MAX] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* One weekday: [["08:30","12:00"], ...]; [] is closed. */
static void
hours_day(struct cfg *c, json_t *v, struct calendar_hours *h, int wd)
{
	char why[160];
	json_t *p;
	size_t i;
	int start, end;

	if (!json_is_array(v))
		cfg_error(c, "%s must be an array of [\"HH:MM\", \"HH:MM\"] periods",
		    weekday_keys[wd]);
	calendar_hours_close_day(h, wd);
	if (json_array_size(v) > CALENDAR_PERIODS_MAX)
		cfg_error(c, "%s has more than %d periods", weekday_keys[wd],
		    CALENDAR_PERIODS_MAX);
	json_array_foreach(v, i, p) {
		cfg_push_index(c, (int)i);
		if (!json_is_array(p) || json_array_size(p) != 2 ||
		    !json_is_string(json_array_get(p, 0)) ||
		    !json_is_string(json_array_get(p, 1)))
			cfg_error(c, "a period is [\"HH:MM\", \"HH:MM\"]");
		cfg_push_index(c, 0);
		if (calendar_parse_hhmm(json_string_value(json_array_get(p, 0)), 0,
		    &start, why, sizeof why) == -1)
			cfg_error(c, "%s", why);
		cfg_pop(c);
		cfg_push_index(c, 1);
		if (calendar_parse_hhmm(json_string_value(json_array_get(p, 1)), 1,
		    &end, why, sizeof why) == -1)
			cfg_error(c, "%s", why);
		cfg_pop(c);
		if (end <= start)
			cfg_error(c, "a period must end after it starts");
		if (calendar_hours_add(h, wd, start, end, why, sizeof why) == -1)
			cfg_error(c, "%s", why);
		cfg_pop(c);
	}
}

/* {"mon": [...], ..., "sun": [...]}: the weekdays given are set. */
static void
hours_week(struct cfg *c, json_t *v, struct calendar_hours *h)
{
	const char *key;
	json_t *d;
	int wd;

	if (!json_is_object(v))
		cfg_error(c, "hours must be an object of weekdays (\"mon\" … \"sun\")");
	json_object_foreach(v, key, d) {
		for (wd = 0; wd < CALENDAR_WEEKDAY_MAX; wd++)
			if (strcmp(key, weekday_keys[wd]) == 0)
				break;
		cfg_push_key(c, key);
		if (wd == CALENDAR_WEEKDAY_MAX)
			cfg_error(c, "unknown weekday \"%s\" (mon, tue, wed, thu, "
			    "fri, sat, sun)", key);
		hours_day(c, d, h, wd);
		h->set |= 1u << wd;
		cfg_pop(c);
	}
}

void
cfg_hours_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	calendar_hours_init(&c->conf->cal.hall);
	hours_week(c, v, &c->conf->cal.hall);
	c->conf->has_hours = 1;
}

void
cfg_window_hours_h(struct cfg *c, json_t *v, void *a)
{
	struct window_conf *w = a;

	calendar_hours_init(&w->hours);
	hours_week(c, v, &w->hours);
	w->has_hours = 1;
}

/* --- "calendar" --- */

static void
calendar_dates(struct cfg *c, json_t *v, int holidays)
{
	char why[160];
	int32_t day;
	json_t *e;
	size_t i;

	if (json_array_size(v) > CALENDAR_DATES_MAX)
		cfg_error(c, "more than %d dates", CALENDAR_DATES_MAX);
	json_array_foreach(v, i, e) {
		cfg_push_index(c, (int)i);
		if (!json_is_string(e))
			cfg_error(c, "a date is a string \"YYYY-MM-DD\"");
		if (calendar_parse_date(json_string_value(e), &day, why,
		    sizeof why) == -1)
			cfg_error(c, "%s", why);
		if ((holidays ? calendar_add_holiday(&c->conf->cal, day, why,
		    sizeof why) : calendar_add_workday(&c->conf->cal, day, why,
		    sizeof why)) == -1)
			cfg_error(c, "%s", why);
		cfg_pop(c);
	}
}

static void
cal_holidays_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	calendar_dates(c, v, 1);
}

static void
cal_workdays_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	calendar_dates(c, v, 0);
}

static void
cal_makeup_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 8);
	int wd;

	(void)a;
	for (wd = 0; wd < CALENDAR_SAT; wd++)
		if (strcmp(s, weekday_keys[wd]) == 0)
			break;
	if (wd == CALENDAR_SAT)
		cfg_error(c, "makeup_weekday must be \"mon\" … \"fri\"");
	c->conf->cal.makeup_weekday = wd;
}

static const struct cfg_key calendar_keys[] = {
	{ "holidays", JSON_ARRAY, 0, cal_holidays_h },
	{ "workdays", JSON_ARRAY, 0, cal_workdays_h },
	{ "makeup_weekday", JSON_STRING, 0, cal_makeup_h },
	{ NULL, 0, 0, NULL }
};

void
cfg_calendar_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	cfg_object(c, v, calendar_keys, NULL);
}

/* --- "appointments" --- */

#define APPT_INT(fn, field, lo, hi)				\
static void							\
fn(struct cfg *c, json_t *v, void *a)				\
{								\
	(void)a;						\
	c->conf->appt.field = (int)cfg_int(c, v, lo, hi);	\
}
APPT_INT(appt_slot_h, slot_min, 5, 240)
APPT_INT(appt_horizon_h, horizon_days, 1, 90)
APPT_INT(appt_lead_h, min_lead_min, 0, 7 * 1440)
APPT_INT(appt_early_h, early_min, 0, 240)
APPT_INT(appt_late_h, late_min, 0, 240)
APPT_INT(appt_per_person_h, per_person_per_day, 1, 20)
APPT_INT(appt_share_h, share_pct, 1, 90)
APPT_INT(appt_purge_h, purge_days, 1, 3650)
APPT_INT(appt_rate_h, public_per_minute, 1, 10000)
APPT_INT(susp_count_h, suspend_no_shows, 1, 100)
APPT_INT(susp_within_h, suspend_within_days, 1, 365)
APPT_INT(susp_days_h, suspend_days, 1, 3650)

static const struct cfg_key suspend_keys[] = {
	{ "no_shows", JSON_INTEGER, 1, susp_count_h },
	{ "within_days", JSON_INTEGER, 1, susp_within_h },
	{ "days", JSON_INTEGER, 1, susp_days_h },
	{ NULL, 0, 0, NULL }
};

static void
appt_suspend_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	cfg_object(c, v, suspend_keys, NULL);
}

static const struct cfg_key appt_keys[] = {
	{ "slot_min", JSON_INTEGER, 0, appt_slot_h },
	{ "horizon_days", JSON_INTEGER, 0, appt_horizon_h },
	{ "min_lead_min", JSON_INTEGER, 0, appt_lead_h },
	{ "early_min", JSON_INTEGER, 0, appt_early_h },
	{ "late_min", JSON_INTEGER, 0, appt_late_h },
	{ "per_person_per_day", JSON_INTEGER, 0, appt_per_person_h },
	{ "share_pct", JSON_INTEGER, 0, appt_share_h },
	{ "purge_days", JSON_INTEGER, 0, appt_purge_h },
	{ "public_per_minute", JSON_INTEGER, 0, appt_rate_h },
	{ "suspend", JSON_OBJECT, 0, appt_suspend_h },
	{ NULL, 0, 0, NULL }
};

void
cfg_appointments_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->appt.enabled = 1;
	cfg_object(c, v, appt_keys, NULL);
	if (c->conf->appt.suspend_no_shows > 0 &&
	    c->conf->appt.purge_days < c->conf->appt.suspend_within_days) {
		cfg_push_key(c, "purge_days");
		cfg_error(c, "purge_days (%d) must be at least suspend.within_days "
		    "(%d): no-shows are counted by ID number",
		    c->conf->appt.purge_days, c->conf->appt.suspend_within_days);
	}
}

/* A matter's "appointment": {"capacity_per_slot": N}. */
static void
matter_capacity_h(struct cfg *c, json_t *v, void *a)
{
	((struct matter *)a)->capacity_per_slot = (int)cfg_int(c, v, 0, 1000);
}

static const struct cfg_key matter_appt_keys[] = {
	{ "capacity_per_slot", JSON_INTEGER, 1, matter_capacity_h },
	{ NULL, 0, 0, NULL }
};

void
cfg_matter_appointment_h(struct cfg *c, json_t *v, void *a)
{
	cfg_object(c, v, matter_appt_keys, a);
}

void
cfg_hours_defaults(struct config *conf)
{
	calendar_init(&conf->cal, 0);
	conf->closing_notice_ms = 30 * 60 * 1000;
	conf->appt.slot_min = 30;
	conf->appt.horizon_days = 7;
	conf->appt.min_lead_min = 30;
	conf->appt.early_min = 30;
	conf->appt.late_min = 15;
	conf->appt.per_person_per_day = 1;
	conf->appt.share_pct = 50;
	conf->appt.purge_days = 30;
	conf->appt.public_per_minute = 10;
}

/* Checks that need the whole file. */
void
cfg_hours_finish(struct cfg *c)
{
	struct config *conf = c->conf;
	int i;

	for (i = 0; i < conf->nmatters; i++) {
		if (conf->matters[i].capacity_per_slot == 0)
			continue;
		cfg_push_key(c, "matters");
		cfg_push_index(c, i);
		cfg_push_key(c, "appointment");
		if (!conf->appt.enabled)
			cfg_error(c, "matter %s is bookable but there is no "
			    "\"appointments\" section", conf->matters[i].code);
		if (!conf->has_hours)
			cfg_error(c, "matter %s is bookable but the hall has no "
			    "\"hours\": slots are cut from opening hours",
			    conf->matters[i].code);
		cfg_pop(c);
		cfg_pop(c);
		cfg_pop(c);
	}
	for (i = 0; i < conf->nwindows; i++) {
		if (!conf->windows[i].has_hours || conf->has_hours)
			continue;
		cfg_push_key(c, "windows");
		cfg_push_index(c, i);
		cfg_push_key(c, "hours");
		cfg_error(c, "window %d has hours but the hall has none (\"hours\")",
		    conf->windows[i].number);
	}
}

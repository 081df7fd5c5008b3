/* config_staffing.c — the "staffing" section: the wait target staffing is
 * planned for, how much history the forecast reads, and the forecast to use
 * before there is history (tools/mkhall.py writes the demo hall's from its
 * workload).  Errors name file:line:col. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "util.h"

static void
s_target_h(struct cfg *c, json_t *v, void *a)
{
	((struct staffing_conf *)a)->target_s = (int)cfg_int(c, v, 1, 240) * 60;
}

static void
s_level_h(struct cfg *c, json_t *v, void *a)
{
	((struct staffing_conf *)a)->level_pct = (int)cfg_int(c, v, 1, 99);
}

static void
s_weeks_h(struct cfg *c, json_t *v, void *a)
{
	((struct staffing_conf *)a)->history_weeks = (int)cfg_int(c, v, 1, 12);
}

static double
cfg_share(struct cfg *c, json_t *v)
{
	double d;

	if (!json_is_number(v))
		cfg_error(c, "a share is a number from 0 to 1");
	d = json_number_value(v);
	if (d < 0 || d > 1)
		cfg_error(c, "a share is a number from 0 to 1");
	return d;
}

static void
f_tickets_h(struct cfg *c, json_t *v, void *a)
{
	((struct staffing_conf *)a)->tickets_per_day = (int)cfg_int(c, v, 0,
	    1000000);
}

static void
f_profile_h(struct cfg *c, json_t *v, void *a)
{
	struct staffing_conf *s = a;
	const char *k;
	json_t *x;
	char *e;
	long h;

	json_object_foreach(v, k, x) {
		cfg_push_key(c, k);
		h = strtol(k, &e, 10);
		if (*k == '\0' || *e != '\0' || h < 0 || h > 23)
			cfg_error(c, "an hour of the profile is \"00\" to \"23\"");
		s->profile[h] = cfg_share(c, x);
		cfg_pop(c);
	}
}

static void
f_shares_h(struct cfg *c, json_t *v, void *a)
{
	struct staffing_conf *s = a;
	const char *k;
	json_t *x;
	int mi;

	json_object_foreach(v, k, x) {
		cfg_push_key(c, k);
		if ((mi = config_matter(c->conf, k)) < 0)
			cfg_error(c, "no matter \"%s\"", k);
		s->share[mi] = cfg_share(c, x);
		cfg_pop(c);
	}
}

static const struct cfg_key forecast_keys[] = {
	{ "tickets_per_day", JSON_INTEGER, 1, f_tickets_h },
	{ "profile", JSON_OBJECT, 1, f_profile_h },
	{ "shares", JSON_OBJECT, 1, f_shares_h },
	{ NULL, 0, 0, NULL }
};

static void
s_forecast_h(struct cfg *c, json_t *v, void *a)
{
	struct staffing_conf *s = a;

	if (c->conf->nmatters == 0)
		cfg_error(c, "\"staffing\" comes after \"matters\"");
	s->share = xcalloc((size_t)c->conf->nmatters, sizeof *s->share);
	cfg_object(c, v, forecast_keys, s);
	s->has_forecast = 1;
}

static const struct cfg_key staffing_keys[] = {
	{ "target_wait_min", JSON_INTEGER, 0, s_target_h },
	{ "level_pct", JSON_INTEGER, 0, s_level_h },
	{ "history_weeks", JSON_INTEGER, 0, s_weeks_h },
	{ "forecast", JSON_OBJECT, 0, s_forecast_h },
	{ NULL, 0, 0, NULL }
};

void
cfg_staffing_defaults(struct config *conf)
{
	memset(&conf->staffing, 0, sizeof conf->staffing);
	conf->staffing.target_s = 15 * 60;
	conf->staffing.level_pct = 80;
	conf->staffing.history_weeks = 4;
}

void
cfg_staffing_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	cfg_object(c, v, staffing_keys, &c->conf->staffing);
}

void
cfg_staffing_free(struct config *conf)
{
	free(conf->staffing.share);
}

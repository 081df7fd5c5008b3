/* config_notify.c — the "notify" section: the SMS gateway (kannel or a
 * template API over http), the message templates, and the outbox's timing.
 * Errors name file:line:col like the rest. */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "config_int.h"
#include "util.h"

const char *const notify_kind_names[NK_MAX] = {
	"booked", "reminder", "soon", "ahead", "called", "no_show", "rate"
};

/* The default texts: one SMS segment (70 characters) with a short hall name. */
static const char *const notify_default_text[NK_MAX] = {
	"【{hall}】预约成功：{date} {time} 办理{matter}，预约码{code}。请提前到大厅取号机签到。",
	"【{hall}】提醒：您预约了明天 {time} 办理{matter}，预约码{code}。",
	"【{hall}】提醒：您预约的{matter}将于 {time} 开始，请按时到大厅签到。",
	"【{hall}】您的{number}号前面还有{ahead}人，约{minutes}分钟，请留意叫号。",
	"【{hall}】请{number}号到{window}号窗口办理。",
	"【{hall}】{number}号已过号，请在{minutes}分钟内到{window}号窗口请求叫回。",
	"【{hall}】{number}号已办结，欢迎评价：{link}",
};

static const char *const notify_placeholders[] = {
	"hall", "number", "window", "ahead", "minutes", "matter", "code", "date",
	"time", "link", NULL
};

int
notify_kind(const char *name)
{
	int k;

	for (k = 0; k < NK_MAX; k++)
		if (strcmp(notify_kind_names[k], name) == 0)
			return k;
	return -1;
}

static int
kind_of(struct cfg *c, const char *key)
{
	int k = notify_kind(key);

	if (k < 0)
		cfg_error(c, "unknown message kind \"%s\" (booked, reminder, soon, "
		    "ahead, called, no_show, rate)", key);
	return k;
}

/* A template: its placeholders must be known ones, braces balanced. */
static void
check_template(struct cfg *c, const char *t)
{
	const char *p = t, *e;
	size_t n;
	int i;

	while ((p = strchr(p, '{')) != NULL) {
		if ((e = strchr(p, '}')) == NULL)
			cfg_error(c, "a '{' without its '}'");
		n = (size_t)(e - p - 1);
		for (i = 0; notify_placeholders[i] != NULL; i++)
			if (strlen(notify_placeholders[i]) == n &&
			    strncmp(notify_placeholders[i], p + 1, n) == 0)
				break;
		if (notify_placeholders[i] == NULL)
			cfg_error(c, "unknown placeholder {%.*s} (hall, number, "
			    "window, ahead, minutes, matter, code, date, time, link)",
			    (int)n, p + 1);
		p = e + 1;
	}
}

static void
n_templates_h(struct cfg *c, json_t *v, void *a)
{
	struct notify_conf *n = &c->conf->notify;
	const char *key;
	json_t *t;
	int k;

	(void)a;
	json_object_foreach(v, key, t) {
		cfg_push_key(c, key);
		k = kind_of(c, key);
		check_template(c, cfg_string(c, t, 1024));
		free(n->templates[k]);
		n->templates[k] = xstrdup(json_string_value(t));
		cfg_pop(c);
	}
}

static void
n_disabled_h(struct cfg *c, json_t *v, void *a)
{
	json_t *e;
	size_t i;

	(void)a;
	json_array_foreach(v, i, e) {
		cfg_push_index(c, (int)i);
		c->conf->notify.disabled[kind_of(c, cfg_string(c, e, 16))] = 1;
		cfg_pop(c);
	}
}

#define N_INT(fn, field, lo, hi)				\
static void							\
fn(struct cfg *c, json_t *v, void *a)				\
{								\
	(void)a;						\
	c->conf->notify.field = (int)cfg_int(c, v, lo, hi);	\
}
N_INT(n_ahead_h, ahead_at, 0, 100)
N_INT(n_ahead_min_h, ahead_min, 0, 240)
N_INT(n_max_h, max_per_ticket, 1, 20)
N_INT(n_soon_h, soon_min, 0, 24 * 60)
N_INT(n_timeout_h, timeout_s, 1, 120)
N_INT(n_report_wait_h, report_wait_s, 0, 86400)
N_INT(n_purge_h, purge_days, 1, 3650)
N_INT(r_first_h, retry_first_s, 1, 3600)
N_INT(r_max_h, retry_max_s, 1, 86400)
N_INT(r_attempts_h, retry_attempts, 1, 100)

static void
n_quiet_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	if (json_array_size(v) != 2)
		cfg_error(c, "quiet_hours is [\"HH:MM\", \"HH:MM\"]");
	cfg_push_index(c, 0);
	c->conf->notify.quiet_start = cfg_hhmm(c, json_array_get(v, 0));
	cfg_pop(c);
	cfg_push_index(c, 1);
	c->conf->notify.quiet_end = cfg_hhmm(c, json_array_get(v, 1));
	cfg_pop(c);
}

static void
n_reminder_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->notify.reminder_at = cfg_hhmm(c, v);
}

static const struct cfg_key retry_keys[] = {
	{ "first_s", JSON_INTEGER, 0, r_first_h },
	{ "max_s", JSON_INTEGER, 0, r_max_h },
	{ "attempts", JSON_INTEGER, 0, r_attempts_h },
	{ NULL, 0, 0, NULL }
};

static void
n_retry_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	cfg_object(c, v, retry_keys, NULL);
}

/* --- the gateway --- */

static void
g_kind_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 16);

	(void)a;
	if (strcmp(s, "kannel") == 0)
		c->conf->notify.gateway = NOTIFY_KANNEL;
	else if (strcmp(s, "http") == 0)
		c->conf->notify.gateway = NOTIFY_HTTP;
	else
		cfg_error(c, "gateway kind must be \"kannel\" or \"http\"");
}

/* http://HOST[:PORT]/PATH: the parts kept apart for the client. */
static void
g_url_parse(struct cfg *c, const char *url, struct notify_url *u)
{
	const char *p, *slash, *colon;
	size_t hl;
	long port = 80;

	if (strncmp(url, "https://", 8) == 0) {
		u->tls = 1;
		port = 443;
		p = url + 8;
	} else if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		cfg_error(c, "the URL must start with http:// or https://");
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	colon = memchr(p, ':', (size_t)(slash - p));
	hl = (size_t)((colon ? colon : slash) - p);
	if (hl == 0 || hl >= sizeof u->host)
		cfg_error(c, "the URL has no host");
	memcpy(u->host, p, hl);
	u->host[hl] = '\0';
	if (colon != NULL) {
		char *end;
		port = strtol(colon + 1, &end, 10);
		if (end != slash || port < 1 || port > 65535)
			cfg_error(c, "the URL's port must be 1 to 65535");
	}
	u->port = (int)port;
	snprintf(u->path, sizeof u->path, "%s", *slash ? slash : "/");
}

static void
g_url_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	g_url_parse(c, cfg_string(c, v, 200), &c->conf->notify.url);
}

static void
g_report_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 200);

	(void)a;
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		cfg_error(c, "report_url must start with http:// or https://");
	free(c->conf->notify.report_url);
	c->conf->notify.report_url = xstrdup(s);
	/* No trailing '/': paths are added to it. */
	if (s[strlen(s) - 1] == '/')
		c->conf->notify.report_url[strlen(s) - 1] = '\0';
}

#define G_STR(fn, field, max)						\
static void								\
fn(struct cfg *c, json_t *v, void *a)					\
{									\
	(void)a;							\
	free(c->conf->notify.field);					\
	c->conf->notify.field = xstrdup(cfg_string(c, v, max));		\
}
G_STR(g_user_h, username, 64)
G_STR(g_pass_h, password, 128)
G_STR(g_sign_h, sign_name, 64)
G_STR(g_secret_h, secret, 256)
G_STR(g_ca_h, ca_file, 1024)

static void
g_ids_h(struct cfg *c, json_t *v, void *a)
{
	const char *key;
	json_t *t;
	int k;

	(void)a;
	json_object_foreach(v, key, t) {
		cfg_push_key(c, key);
		k = kind_of(c, key);
		free(c->conf->notify.template_ids[k]);
		c->conf->notify.template_ids[k] = xstrdup(cfg_string(c, t, 64));
		cfg_pop(c);
	}
}

static void
g_headers_h(struct cfg *c, json_t *v, void *a)
{
	struct notify_conf *n = &c->conf->notify;
	const char *key, *p;
	json_t *t;

	(void)a;
	json_object_foreach(v, key, t) {
		cfg_push_key(c, key);
		for (p = key; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-'))
				cfg_error(c, "a header name is letters, digits and '-'");
		if (*key == '\0' || strlen(key) > 64 || n->nheaders >= 16)
			cfg_error(c, "at most 16 headers, names of 1 to 64 bytes");
		for (p = cfg_string(c, t, 512); *p; p++)
			if ((unsigned char)*p < 0x20)
				cfg_error(c, "a header value has no control characters");
		n->header_names[n->nheaders] = xstrdup(key);
		n->header_values[n->nheaders++] = xstrdup(json_string_value(t));
		cfg_pop(c);
	}
}

static const struct cfg_key gateway_keys[] = {
	{ "kind", JSON_STRING, 1, g_kind_h },
	{ "url", JSON_STRING, 1, g_url_h },
	{ "username", JSON_STRING, 0, g_user_h },
	{ "password", JSON_STRING, 0, g_pass_h },
	{ "report_url", JSON_STRING, 0, g_report_h },
	{ "sign_name", JSON_STRING, 0, g_sign_h },
	{ "template_ids", JSON_OBJECT, 0, g_ids_h },
	{ "headers", JSON_OBJECT, 0, g_headers_h },
	{ "secret", JSON_STRING, 0, g_secret_h },
	{ "ca_file", JSON_STRING, 0, g_ca_h },
	{ NULL, 0, 0, NULL }
};

static void
n_gateway_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	cfg_object(c, v, gateway_keys, NULL);
}

static const struct cfg_key notify_keys[] = {
	{ "gateway", JSON_OBJECT, 1, n_gateway_h },
	{ "templates", JSON_OBJECT, 0, n_templates_h },
	{ "disabled", JSON_ARRAY, 0, n_disabled_h },
	{ "ahead_at", JSON_INTEGER, 0, n_ahead_h },
	{ "ahead_min", JSON_INTEGER, 0, n_ahead_min_h },
	{ "quiet_hours", JSON_ARRAY, 0, n_quiet_h },
	{ "max_per_ticket", JSON_INTEGER, 0, n_max_h },
	{ "reminder_at", JSON_STRING, 0, n_reminder_h },
	{ "soon_min", JSON_INTEGER, 0, n_soon_h },
	{ "retry", JSON_OBJECT, 0, n_retry_h },
	{ "timeout_s", JSON_INTEGER, 0, n_timeout_h },
	{ "report_wait_s", JSON_INTEGER, 0, n_report_wait_h },
	{ "purge_days", JSON_INTEGER, 0, n_purge_h },
	{ NULL, 0, 0, NULL }
};

void
cfg_notify_h(struct cfg *c, json_t *v, void *a)
{
	struct notify_conf *n = &c->conf->notify;
	int k;

	(void)a;
	n->enabled = 1;
	cfg_object(c, v, notify_keys, NULL);
	if (n->retry_max_s < n->retry_first_s)
		n->retry_max_s = n->retry_first_s;
	cfg_push_key(c, "gateway");
	if (n->gateway == NOTIFY_KANNEL && (n->username == NULL || n->password == NULL))
		cfg_error(c, "a kannel gateway needs \"username\" and \"password\" "
		    "(smsbox's sendsms-user)");
	if (n->gateway == NOTIFY_HTTP) {
		for (k = 0; k < NK_MAX; k++)
			if (!n->disabled[k] && n->template_ids[k] == NULL)
				cfg_error(c, "an http gateway needs template_ids for "
				    "every kind not disabled: %s has none",
				    notify_kind_names[k]);
		if (n->sign_name == NULL)
			cfg_error(c, "an http gateway needs \"sign_name\"");
	}
	cfg_pop(c);
}

void
cfg_notify_defaults(struct config *conf)
{
	struct notify_conf *n = &conf->notify;
	int k;

	for (k = 0; k < NK_MAX; k++)
		n->templates[k] = xstrdup(notify_default_text[k]);
	n->ahead_at = 2;
	n->quiet_start = n->quiet_end = -1;
	n->max_per_ticket = 4;
	n->reminder_at = 18 * 60;
	n->soon_min = 60;
	n->retry_first_s = 5;
	n->retry_max_s = 600;
	n->retry_attempts = 8;
	n->timeout_s = 10;
	n->report_wait_s = 120;
	n->purge_days = 30;
}

void
cfg_notify_free(struct config *conf)
{
	struct notify_conf *n = &conf->notify;
	int k;

	for (k = 0; k < NK_MAX; k++) {
		free(n->templates[k]);
		free(n->template_ids[k]);
	}
	for (k = 0; k < n->nheaders; k++) {
		free(n->header_names[k]);
		free(n->header_values[k]);
	}
	free(n->username);
	free(n->password);
	free(n->report_url);
	free(n->sign_name);
	free(n->secret);
	free(n->ca_file);
}

/* config.c — reads and checks the hall configuration (every section but
 * "devices", config_dev.c's) and answers look-ups on it; an error names the
 * file, line and column of the value at fault.  Touches no hall state. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "config_int.h"
#include "limit.h"
#include "util.h"

/* The value at hand as a path: windows[2].tiers[0][1]. */
static void
cfg_field(struct cfg *c, char *buf, size_t len)
{
	size_t n = 0;
	int i, k;

	buf[0] = '\0';
	for (i = 0; i < c->depth && n < len; i++) {
		if (c->path[i].key != NULL)
			k = snprintf(buf + n, len - n, "%s%s", i ? "." : "",
			    c->path[i].key);
		else
			k = snprintf(buf + n, len - n, "[%d]", c->path[i].index);
		if (k < 0)
			break;
		n += (size_t)k;
	}
}

void
cfg_error(struct cfg *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int line, col;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	jsonpos_locate(c->text, c->path, c->depth, &line, &col);
	snprintf(c->err, c->errlen, "%s:%d:%d: %s", c->file, line, col, msg);
	if (c->ce != NULL) {
		cfg_field(c, c->ce->field, sizeof c->ce->field);
		snprintf(c->ce->message, sizeof c->ce->message, "%s", msg);
	}
	longjmp(c->fail, 1);
}

void
cfg_push_key(struct cfg *c, const char *key)
{
	if (c->depth == CFG_MAX_DEPTH)
		cfg_error(c, "nested too deeply");
	c->path[c->depth].key = key;
	c->path[c->depth].index = 0;
	c->depth++;
}

void
cfg_push_index(struct cfg *c, int index)
{
	if (c->depth == CFG_MAX_DEPTH)
		cfg_error(c, "nested too deeply");
	c->path[c->depth].key = NULL;
	c->path[c->depth].index = index;
	c->depth++;
}

void
cfg_pop(struct cfg *c)
{
	c->depth--;
}

static const char *
cfg_where(struct cfg *c)
{
	return c->depth ? (c->path[c->depth - 1].key ?
	    c->path[c->depth - 1].key : "element") : "configuration";
}

const char *
cfg_string(struct cfg *c, json_t *v, size_t maxlen)
{
	const char *s;

	if (!json_is_string(v))
		cfg_error(c, "%s must be a string", cfg_where(c));
	s = json_string_value(v);
	if (*s == '\0')
		cfg_error(c, "%s must not be empty", cfg_where(c));
	if (strlen(s) > maxlen)
		cfg_error(c, "%s is longer than %zu bytes", cfg_where(c), maxlen);
	return s;
}

/* A time of day "HH:MM" (00:00 to 23:59) as minutes. */
int
cfg_hhmm(struct cfg *c, json_t *v)
{
	char why[128];
	int m;

	if (calendar_parse_hhmm(cfg_string(c, v, 8), 0, &m, why, sizeof why) == -1)
		cfg_error(c, "%s: the hall's time as \"HH:MM\"", why);
	return m;
}

json_int_t
cfg_int(struct cfg *c, json_t *v, json_int_t lo, json_int_t hi)
{
	json_int_t n;

	if (!json_is_integer(v))
		cfg_error(c, "%s must be an integer", cfg_where(c));
	n = json_integer_value(v);
	if (n < lo || n > hi)
		cfg_error(c, "%s must be from %lld to %lld", cfg_where(c),
		    (long long)lo, (long long)hi);
	return n;
}


static const char *
cfg_type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:	return "true or false";
	default:		return "null";
	}
}

/*
 * Unknown keys are refused first; known ones are handled in table order, so a
 * table lists what a key refers to before the key that refers to it.
 */
void
cfg_object(struct cfg *c, json_t *obj, const struct cfg_key *keys, void *arg)
{
	const struct cfg_key *k;
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		cfg_error(c, "%s must be an object", cfg_where(c));
	json_object_foreach(obj, key, v) {
		for (k = keys; k->key != NULL; k++)
			if (strcmp(k->key, key) == 0)
				break;
		if (k->key == NULL) {
			cfg_push_key(c, key);
			cfg_error(c, "unknown key \"%s\"", key);
		}
	}
	for (k = keys; k->key != NULL; k++) {
		if ((v = json_object_get(obj, k->key)) == NULL) {
			if (k->required)
				cfg_error(c, "missing key \"%s\"", k->key);
			continue;
		}
		cfg_push_key(c, k->key);
		/* JSON_NULL in a table: the handler checks the type. */
		if (json_typeof(v) != k->type && k->type != JSON_NULL &&
		    !(k->type == JSON_TRUE && json_is_boolean(v)))
			cfg_error(c, "%s must be %s", k->key, cfg_type_name(k->type));
		k->handle(c, v, arg);
		cfg_pop(c);
	}
}

/* --- "hall" --- */

static void
hall_name_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->hall_name = xstrdup(cfg_string(c, v, 200));
}

/* hall.name_en, matters[].name_en, windows[].name_en and kind_en, a
 * domain's name_en: what the pages show in English instead of the name
 * (NULL: the name).  cfg_string() refuses an empty one, naming its key. */
static char *
name_en(struct cfg *c, json_t *v)
{
	return xstrdup(cfg_string(c, v, 200));
}

static void
hall_name_en_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->hall_name_en = name_en(c, v);
}

static void
hall_tz_h(struct cfg *c, json_t *v, void *a)
{
	const char *tz = cfg_string(c, v, 100);
	char path[256];
	FILE *f;

	(void)a;
	if (strstr(tz, "..") != NULL || tz[0] == '/')
		cfg_error(c, "bad time zone \"%s\"", tz);
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
	if ((f = fopen(path, "r")) == NULL)
		cfg_error(c, "unknown time zone \"%s\"", tz);
	fclose(f);
	c->conf->timezone = xstrdup(tz);
}

static void
hall_width_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->number_width = (int)cfg_int(c, v, 1, 6);
}

static void
hall_grace_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->no_show_grace_ms = cfg_int(c, v, 0, 86400) * 1000;
}

static void
hall_late_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->late_appointment_ms = cfg_int(c, v, 0, 86400) * 1000;
}

static void
hall_policy_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 64);

	(void)a;
	if (dispatch_policy_find(s) == NULL)
		cfg_error(c, "unknown policy \"%s\" (default, strict_aging)", s);
	free(c->conf->policy);
	c->conf->policy = xstrdup(s);
}

static void
hall_aging_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->aging_ms = cfg_int(c, v, 1, 86400) * 1000;
}


static void
hall_rating_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->rating_timeout_ms = cfg_int(c, v, 10, 86400) * 1000;
}

static void
hall_url_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 200);

	(void)a;
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		cfg_error(c, "public_url starts with http:// or https://");
	free(c->conf->public_url);
	c->conf->public_url = xstrdup(s);
	if (c->conf->public_url[strlen(s) - 1] == '/')
		c->conf->public_url[strlen(s) - 1] = '\0';
}

static void
hall_notice_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->closing_notice_ms = cfg_int(c, v, 0, 240) * 60 * 1000;
}

static void
hall_region_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 12);
	size_t i;

	(void)a;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (s[i] != '\0' || i != 12)
		cfg_error(c, "region_code is the 12 digits of a 行政区划代码");
	free(c->conf->region_code);
	c->conf->region_code = xstrdup(s);
}

static const struct cfg_key hall_keys[] = {
	{ "region_code", JSON_STRING, 0, hall_region_h },
	{ "closing_notice_min", JSON_INTEGER, 0, hall_notice_h },
	{ "rating_timeout_s", JSON_INTEGER, 0, hall_rating_h },
	{ "public_url", JSON_STRING, 0, hall_url_h },
	{ "name", JSON_STRING, 1, hall_name_h },
	{ "name_en", JSON_STRING, 0, hall_name_en_h },
	{ "timezone", JSON_STRING, 1, hall_tz_h },
	{ "number_width", JSON_INTEGER, 0, hall_width_h },
	{ "no_show_grace_s", JSON_INTEGER, 0, hall_grace_h },
	{ "late_appointment_s", JSON_INTEGER, 0, hall_late_h },
	{ "policy", JSON_STRING, 0, hall_policy_h },
	{ "aging_s", JSON_INTEGER, 0, hall_aging_h },
	{ NULL, 0, 0, NULL }
};

static void
top_hall_h(struct cfg *c, json_t *v, void *a)
{
	cfg_object(c, v, hall_keys, a);
}

/* --- "web": the web thread's knobs --- */

static void
web_root_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	free(c->conf->web_root);
	c->conf->web_root = xstrdup(cfg_string(c, v, 1024));
}

static void
web_ring_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->event_ring = (int)cfg_int(c, v, 64, 1 << 20);
}

static void
web_clients_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->max_clients = (int)cfg_int(c, v, 1, 100000);
}

static void
web_queue_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->cmd_queue = (int)cfg_int(c, v, 16, 1 << 16);
}

static const struct cfg_key web_keys[] = {
	{ "root", JSON_STRING, 0, web_root_h },
	{ "event_ring", JSON_INTEGER, 0, web_ring_h },
	{ "max_clients", JSON_INTEGER, 0, web_clients_h },
	{ "command_queue", JSON_INTEGER, 0, web_queue_h },
	{ NULL, 0, 0, NULL }
};

static void
top_web_h(struct cfg *c, json_t *v, void *a)
{
	cfg_object(c, v, web_keys, a);
}

static void
top_listen_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 300), *colon = strrchr(s, ':');
	char *end;
	long port;

	(void)a;
	if (colon == NULL || colon == s)
		cfg_error(c, "listen must be \"HOST:PORT\"");
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || port < 1 ||
	    port > 65535)
		cfg_error(c, "bad port in \"%s\"", s);
	c->conf->listen_host = xstrndup(s, colon - s);
	c->conf->listen_port = (int)port;
}

static void
top_database_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->database = xstrdup(cfg_string(c, v, 1024));
}

/* --- "tokens" --- */

static struct token *
token_add(struct cfg *c, const char *tok, enum role role)
{
	struct config *conf = c->conf;
	struct token *t;
	int i;

	for (i = 0; i < conf->ntokens; i++)
		if (strcmp(conf->tokens[i].token, tok) == 0)
			cfg_error(c, "token \"%s\" is given twice", tok);
	conf->tokens = xrealloc(conf->tokens,
	    (conf->ntokens + 1) * sizeof *conf->tokens);
	t = &conf->tokens[conf->ntokens++];
	memset(t, 0, sizeof *t);
	t->token = xstrdup(tok);
	t->role = role;
	return t;
}

/*
 * Tokens of a role with no windows.  Managers and admins are recorded by
 * name in the audit trail (never by token): {"m1": "王主任"} names them;
 * the list form ["m1"] names them manager1, manager2, … in order.
 */
static void
tokens_list(struct cfg *c, json_t *v, enum role role)
{
	const char *key;
	size_t i;
	json_t *e;
	struct token *t;
	int n = 0;

	if (json_is_object(v) && (role == ROLE_MANAGER || role == ROLE_ADMIN)) {
		json_object_foreach(v, key, e) {
			cfg_push_key(c, key);
			if (*key == '\0' || strlen(key) > 256)
				cfg_error(c, "bad %s token", config_role_name(role));
			t = token_add(c, key, role);
			t->name = xstrdup(cfg_string(c, e, 64));
			cfg_pop(c);
		}
		return;
	}
	if (!json_is_array(v))
		cfg_error(c, "%s tokens are a list%s", config_role_name(role),
		    role == ROLE_MANAGER || role == ROLE_ADMIN ?
		    " or {\"token\": \"name\"}" : "");
	json_array_foreach(v, i, e) {
		cfg_push_index(c, (int)i);
		t = token_add(c, cfg_string(c, e, 256), role);
		if (role == ROLE_MANAGER || role == ROLE_ADMIN)
			xasprintf(&t->name, "%s%d", config_role_name(role), ++n);
		cfg_pop(c);
	}
}

#define TOKENS_H(fn, role)				\
static void						\
fn(struct cfg *c, json_t *v, void *a)			\
{							\
	(void)a;					\
	tokens_list(c, v, role);			\
}
TOKENS_H(tokens_kiosk_h, ROLE_KIOSK)
TOKENS_H(tokens_manager_h, ROLE_MANAGER)
TOKENS_H(tokens_admin_h, ROLE_ADMIN)
TOKENS_H(tokens_display_h, ROLE_DISPLAY)
TOKENS_H(tokens_integration_h, ROLE_INTEGRATION)

/* Tokens bound to windows: clerks (with a name, recorded with ratings) and
 * evaluators (a window's 好差评 tablet, /rate?window=N). */
static void
tokens_bound(struct cfg *c, json_t *v, enum role role)
{
	const char *key;
	json_t *w, *e;
	size_t i;

	json_object_foreach(v, key, w) {
		struct token *t;
		int pushed = 0;

		cfg_push_key(c, key);
		if (*key == '\0' || strlen(key) > 256)
			cfg_error(c, "bad %s token", config_role_name(role));
		t = token_add(c, key, role);
		/* {"windows": [3], "name": "王芳"}: the long form, with a name. */
		if (json_is_object(w)) {
			json_t *nm = json_object_get(w, "name");
			const char *k2;
			json_t *v2;

			json_object_foreach(w, k2, v2)
				if (strcmp(k2, "windows") != 0 && strcmp(k2, "name") != 0) {
					cfg_push_key(c, k2);
					cfg_error(c, "unknown key \"%s\"", k2);
				}
			if (nm != NULL) {
				cfg_push_key(c, "name");
				t->name = xstrdup(cfg_string(c, nm, 64));
				cfg_pop(c);
			}
			if ((w = json_object_get(w, "windows")) == NULL)
				cfg_error(c, "missing key \"windows\"");
			cfg_push_key(c, "windows");
			pushed = 1;
		}
		if (t->name == NULL && role == ROLE_CLERK) {
			int k, nclerks = 0;

			for (k = 0; k < c->conf->ntokens; k++)
				nclerks += c->conf->tokens[k].role == ROLE_CLERK;
			xasprintf(&t->name, "clerk%d", nclerks);
		}
		if (json_is_string(w) && strcmp(json_string_value(w), "*") == 0)
			t->all_windows = 1;
		else if (json_is_array(w)) {
			t->windows = xcalloc(json_array_size(w) + 1, sizeof(int));
			json_array_foreach(w, i, e) {
				cfg_push_index(c, (int)i);
				t->windows[t->nwindows++] = (int)cfg_int(c, e, 1, LIMIT_WINDOW_MAX);
				cfg_pop(c);
			}
		} else
			cfg_error(c, "%s %s token maps to [window numbers], \"*\" "
			    "or {\"windows\": ..., \"name\": ...}",
			    role == ROLE_EVALUATOR ? "an" : "a", config_role_name(role));
		if (pushed)
			cfg_pop(c);
		cfg_pop(c);
	}
}

static void
tokens_clerk_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	tokens_bound(c, v, ROLE_CLERK);
}

static void
tokens_evaluator_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	tokens_bound(c, v, ROLE_EVALUATOR);
}

static const struct cfg_key tokens_keys[] = {
	{ "kiosk", JSON_ARRAY, 0, tokens_kiosk_h },
	{ "clerk", JSON_OBJECT, 0, tokens_clerk_h },
	{ "manager", JSON_NULL, 0, tokens_manager_h },	/* list or object */
	{ "admin", JSON_NULL, 0, tokens_admin_h },
	{ "display", JSON_ARRAY, 0, tokens_display_h },
	{ "evaluator", JSON_OBJECT, 0, tokens_evaluator_h },
	{ "integration", JSON_ARRAY, 0, tokens_integration_h },
	{ NULL, 0, 0, NULL }
};

static void
top_tokens_h(struct cfg *c, json_t *v, void *a)
{
	cfg_object(c, v, tokens_keys, a);
}

/* --- "classes" --- */

static void
class_head_h(struct cfg *c, json_t *v, void *a)
{
	struct klass *k = a;

	(void)c;
	k->head_start_ms = cfg_int(c, v, 0, 86400) * 1000;
}

static const struct cfg_key class_keys[] = {
	{ "head_start_s", JSON_INTEGER, 1, class_head_h },
	{ NULL, 0, 0, NULL }
};

static void
top_classes_h(struct cfg *c, json_t *v, void *a)
{
	struct config *conf = c->conf;
	const char *key;
	json_t *o;

	(void)a;
	if (json_object_size(v) > DISPATCH_MAX_CLASSES)
		cfg_error(c, "at most %d classes", DISPATCH_MAX_CLASSES);
	conf->classes = xcalloc(json_object_size(v) + 1, sizeof *conf->classes);
	json_object_foreach(v, key, o) {
		struct klass *k = &conf->classes[conf->nclasses];

		cfg_push_key(c, key);
		if (*key == '\0' || strlen(key) > 32)
			cfg_error(c, "bad class name");
		k->name = xstrdup(key);
		conf->nclasses++;
		cfg_object(c, o, class_keys, k);
		cfg_pop(c);
	}
}

/* --- "domains": code → name, or code → {"name": .., "name_en": ..} --- */

static void
domain_name_h(struct cfg *c, json_t *v, void *a)
{
	((struct domain *)a)->name = xstrdup(cfg_string(c, v, 200));
}

static void
domain_name_en_h(struct cfg *c, json_t *v, void *a)
{
	((struct domain *)a)->name_en = name_en(c, v);
}

static const struct cfg_key domain_keys[] = {
	{ "name", JSON_STRING, 1, domain_name_h },
	{ "name_en", JSON_STRING, 0, domain_name_en_h },
	{ NULL, 0, 0, NULL }
};

static void
top_domains_h(struct cfg *c, json_t *v, void *a)
{
	struct config *conf = c->conf;
	const char *key;
	json_t *o;

	(void)a;
	conf->domains = xcalloc(json_object_size(v) + 1, sizeof *conf->domains);
	json_object_foreach(v, key, o) {
		struct domain *d = &conf->domains[conf->ndomains];

		cfg_push_key(c, key);
		if (*key == '\0' || strlen(key) > 32)
			cfg_error(c, "bad domain code");
		d->code = xstrdup(key);
		if (json_is_object(o))
			cfg_object(c, o, domain_keys, d);
		else if (json_is_string(o))
			d->name = xstrdup(cfg_string(c, o, 200));
		else
			cfg_error(c, "a domain is a name or {\"name\": ..., \"name_en\": ...}");
		conf->ndomains++;
		cfg_pop(c);
	}
}

/* --- "matters" --- */

static void
matter_code_h(struct cfg *c, json_t *v, void *a)
{
	struct matter *m = a;
	const char *s = cfg_string(c, v, 32), *p;

	for (p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			cfg_error(c, "matter code \"%s\": letters, digits, - and _ only", s);
	if (config_matter(c->conf, s) != -1)
		cfg_error(c, "matter \"%s\" is given twice", s);
	m->code = xstrdup(s);
}

static void
matter_name_h(struct cfg *c, json_t *v, void *a)
{
	((struct matter *)a)->name = xstrdup(cfg_string(c, v, 200));
}

static void
matter_name_en_h(struct cfg *c, json_t *v, void *a)
{
	((struct matter *)a)->name_en = name_en(c, v);
}

static void
matter_domain_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 32);
	int i;

	for (i = 0; i < c->conf->ndomains; i++)
		if (strcmp(c->conf->domains[i].code, s) == 0)
			break;
	if (i == c->conf->ndomains)
		cfg_error(c, "unknown domain \"%s\"", s);
	((struct matter *)a)->domain = i;
}

static void
matter_prefix_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 4), *p;

	for (p = s; *p; p++)
		if (!(*p >= 'A' && *p <= 'Z'))
			cfg_error(c, "prefix must be capital letters");
	((struct matter *)a)->prefix = xstrdup(s);
}

static void
matter_service_h(struct cfg *c, json_t *v, void *a)
{
	((struct matter *)a)->service_ms = cfg_int(c, v, 1, 86400) * 1000;
}

static void
matter_target_h(struct cfg *c, json_t *v, void *a)
{
	((struct matter *)a)->target_wait_ms = cfg_int(c, v, 1, 86400) * 1000;
}

static const struct cfg_key matter_keys[] = {
	{ "code", JSON_STRING, 1, matter_code_h },
	{ "name", JSON_STRING, 1, matter_name_h },
	{ "name_en", JSON_STRING, 0, matter_name_en_h },
	{ "domain", JSON_STRING, 1, matter_domain_h },
	{ "prefix", JSON_STRING, 1, matter_prefix_h },
	{ "service_s", JSON_INTEGER, 0, matter_service_h },
	{ "target_wait_s", JSON_INTEGER, 0, matter_target_h },
	{ "appointment", JSON_OBJECT, 0, cfg_matter_appointment_h },
	{ NULL, 0, 0, NULL }
};

static void
top_matters_h(struct cfg *c, json_t *v, void *a)
{
	struct config *conf = c->conf;
	json_t *o;
	size_t i;

	(void)a;
	conf->matters = xcalloc(json_array_size(v) + 1, sizeof *conf->matters);
	json_array_foreach(v, i, o) {
		struct matter *m = &conf->matters[conf->nmatters];

		cfg_push_index(c, (int)i);
		m->service_ms = 600 * 1000;
		m->target_wait_ms = 1800 * 1000;
		m->domain = -1;
		cfg_object(c, o, matter_keys, m);
		conf->nmatters++;
		cfg_pop(c);
	}
}

/* --- "windows" --- */

static void
window_number_h(struct cfg *c, json_t *v, void *a)
{
	struct window_conf *w = a;
	int n = (int)cfg_int(c, v, 1, LIMIT_WINDOW_MAX);

	if (config_window(c->conf, n) != NULL)
		cfg_error(c, "window %d is given twice", n);
	w->number = n;
}

static void
window_name_h(struct cfg *c, json_t *v, void *a)
{
	((struct window_conf *)a)->name = xstrdup(cfg_string(c, v, 200));
}

static void
window_name_en_h(struct cfg *c, json_t *v, void *a)
{
	((struct window_conf *)a)->name_en = name_en(c, v);
}

static void
window_kind_h(struct cfg *c, json_t *v, void *a)
{
	((struct window_conf *)a)->kind = xstrdup(cfg_string(c, v, 200));
}

static void
window_kind_en_h(struct cfg *c, json_t *v, void *a)
{
	((struct window_conf *)a)->kind_en = name_en(c, v);
}

static void
window_state_h(struct cfg *c, json_t *v, void *a)
{
	const char *s = cfg_string(c, v, 16);

	if (strcmp(s, "open") == 0)
		((struct window_conf *)a)->initially_open = 1;
	else if (strcmp(s, "closed") != 0)
		cfg_error(c, "state must be \"open\" or \"closed\"");
}

static void
window_tiers_h(struct cfg *c, json_t *v, void *a)
{
	struct window_conf *w = a;
	json_t *tier, *code;
	size_t i, j;

	if (json_array_size(v) == 0 || json_array_size(v) > 8)
		cfg_error(c, "a window has 1 to 8 tiers");
	w->ntiers = (int)json_array_size(v);
	w->tiers = xcalloc(w->ntiers, sizeof *w->tiers);
	w->tier_codes = xcalloc(w->ntiers, sizeof *w->tier_codes);
	json_array_foreach(v, i, tier) {
		int *m;

		cfg_push_index(c, (int)i);
		if (!json_is_array(tier) || json_array_size(tier) == 0)
			cfg_error(c, "a tier is a non-empty array of matter codes");
		m = xcalloc(json_array_size(tier), sizeof *m);
		w->tiers[i].matters = m;
		w->tiers[i].class_mask = (1u << c->conf->nclasses) - 1;
		w->tier_codes[i] = xcalloc(json_array_size(tier) + 1, sizeof(char *));
		json_array_foreach(tier, j, code) {
			const char *s;
			int k, idx;

			cfg_push_index(c, (int)j);
			s = cfg_string(c, code, 32);
			if ((idx = config_matter(c->conf, s)) == -1)
				cfg_error(c, "unknown matter \"%s\"", s);
			for (k = 0; k < w->tiers[i].nmatters; k++)
				if (m[k] == idx)
					cfg_error(c, "matter \"%s\" twice in a tier", s);
			m[w->tiers[i].nmatters++] = idx;
			w->tier_codes[i][j] = xstrdup(s);
			cfg_pop(c);
		}
		cfg_pop(c);
	}
}

static void
window_classes_h(struct cfg *c, json_t *v, void *a)
{
	struct window_conf *w = a;
	json_t *tier, *name;
	size_t i, j;

	if ((int)json_array_size(v) != w->ntiers)
		cfg_error(c, "tier_classes needs one entry per tier (%d)", w->ntiers);
	json_array_foreach(v, i, tier) {
		cfg_push_index(c, (int)i);
		if (!json_is_array(tier))
			cfg_error(c, "each tier_classes entry is an array of class names");
		if (json_array_size(tier) > 0)
			w->tiers[i].class_mask = 0;
		json_array_foreach(tier, j, name) {
			int k;

			cfg_push_index(c, (int)j);
			if ((k = config_class(c->conf, cfg_string(c, name, 32))) == -1)
				cfg_error(c, "unknown class \"%s\"", json_string_value(name));
			w->tiers[i].class_mask |= 1u << k;
			cfg_pop(c);
		}
		cfg_pop(c);
	}
}

static void
window_overflow_h(struct cfg *c, json_t *v, void *a)
{
	struct window_conf *w = a;
	json_t *e;
	size_t i;

	if ((int)json_array_size(v) != w->ntiers)
		cfg_error(c, "overflow_s needs one entry per tier (%d)", w->ntiers);
	json_array_foreach(v, i, e) {
		cfg_push_index(c, (int)i);
		w->tiers[i].overflow_ms = cfg_int(c, e, 0, 86400) * 1000;
		cfg_pop(c);
	}
}

static void
window_paused_text_h(struct cfg *c, json_t *v, void *a)
{
	struct window_conf *w = a;

	free(w->paused_text);
	w->paused_text = xstrdup(cfg_string(c, v, LIMIT_DISPLAY_TEXT));
}

static void
window_closed_text_h(struct cfg *c, json_t *v, void *a)
{
	struct window_conf *w = a;

	free(w->closed_text);
	w->closed_text = xstrdup(cfg_string(c, v, LIMIT_DISPLAY_TEXT));
}

static void
window_ledger_h(struct cfg *c, json_t *v, void *a)
{
	(void)c;
	((struct window_conf *)a)->ledger = json_is_true(v);
}

static const struct cfg_key window_keys[] = {
	{ "ledger", JSON_TRUE, 0, window_ledger_h },
	{ "number", JSON_INTEGER, 1, window_number_h },
	{ "paused_text", JSON_STRING, 0, window_paused_text_h },
	{ "closed_text", JSON_STRING, 0, window_closed_text_h },
	{ "name", JSON_STRING, 0, window_name_h },
	{ "name_en", JSON_STRING, 0, window_name_en_h },
	{ "kind", JSON_STRING, 0, window_kind_h },
	{ "kind_en", JSON_STRING, 0, window_kind_en_h },
	{ "state", JSON_STRING, 0, window_state_h },
	{ "tiers", JSON_ARRAY, 1, window_tiers_h },
	{ "tier_classes", JSON_ARRAY, 0, window_classes_h },
	{ "overflow_s", JSON_ARRAY, 0, window_overflow_h },
	{ "hours", JSON_OBJECT, 0, cfg_window_hours_h },
	{ NULL, 0, 0, NULL }
};

static void
top_windows_h(struct cfg *c, json_t *v, void *a)
{
	struct config *conf = c->conf;
	json_t *o;
	size_t i;

	(void)a;
	conf->windows = xcalloc(json_array_size(v) + 1, sizeof *conf->windows);
	json_array_foreach(v, i, o) {
		struct window_conf *w = &conf->windows[conf->nwindows];

		cfg_push_index(c, (int)i);
		w->paused_text = xstrdup("暂停服务");
		w->closed_text = xstrdup("停止服务");
		cfg_object(c, o, window_keys, w);
		if (w->name == NULL)
			xasprintf(&w->name, "%d", w->number);
		conf->nwindows++;
		cfg_pop(c);
	}
}

/* "devices": config_dev.c. */

/* --- "voice" --- */

static void
voice_langs_h(struct cfg *c, json_t *v, void *a)
{
	struct voice_conf *vc = &c->conf->voice;
	json_t *e;
	size_t i;
	int k;

	(void)a;
	for (k = 0; k < vc->nlangs; k++)
		free(vc->langs[k]);
	vc->nlangs = 0;
	if (json_array_size(v) > 4)
		cfg_error(c, "at most 4 languages");
	json_array_foreach(v, i, e) {
		const char *s;

		cfg_push_index(c, (int)i);
		s = cfg_string(c, e, 8);
		if (strcmp(s, "zh") != 0 && strcmp(s, "en") != 0)
			cfg_error(c, "unknown language \"%s\" (zh, en)", s);
		vc->langs[vc->nlangs++] = xstrdup(s);
		cfg_pop(c);
	}
}

static void
voice_repeat_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->voice.repeat = (int)cfg_int(c, v, 1, 5);
}

static void
voice_dir_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->voice.dir = xstrdup(cfg_string(c, v, 200));
}

static void
voice_player_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->voice.player = xstrdup(cfg_string(c, v, 500));
}

static const struct cfg_key voice_keys[] = {
	{ "languages", JSON_ARRAY, 0, voice_langs_h },
	{ "repeat", JSON_INTEGER, 0, voice_repeat_h },
	{ "dir", JSON_STRING, 0, voice_dir_h },
	{ "player", JSON_STRING, 0, voice_player_h },
	{ NULL, 0, 0, NULL }
};

static void
top_voice_h(struct cfg *c, json_t *v, void *a)
{
	cfg_object(c, v, voice_keys, a);
}

/* "ratings": the 好差评 cases' deadline. */
static void
ratings_days_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	c->conf->rectify_working_days = (int)cfg_int(c, v, 1, 120);
}

static const struct cfg_key ratings_keys[] = {
	{ "rectify_working_days", JSON_INTEGER, 0, ratings_days_h },
	{ NULL, 0, 0, NULL }
};

static void
top_ratings_h(struct cfg *c, json_t *v, void *a)
{
	cfg_object(c, v, ratings_keys, a);
}

static const struct cfg_key top_keys[] = {
	{ "ratings", JSON_OBJECT, 0, top_ratings_h },
	{ "hall", JSON_OBJECT, 1, top_hall_h },
	{ "listen", JSON_STRING, 1, top_listen_h },
	{ "database", JSON_STRING, 1, top_database_h },
	{ "web", JSON_OBJECT, 0, top_web_h },
	{ "tokens", JSON_OBJECT, 1, top_tokens_h },
	{ "classes", JSON_OBJECT, 1, top_classes_h },
	{ "domains", JSON_OBJECT, 1, top_domains_h },
	{ "matters", JSON_ARRAY, 1, top_matters_h },
	{ "windows", JSON_ARRAY, 1, top_windows_h },
	{ "devices", JSON_ARRAY, 0, cfg_devices_h },
	{ "voice", JSON_OBJECT, 0, top_voice_h },
	{ "hours", JSON_OBJECT, 0, cfg_hours_h },
	{ "calendar", JSON_OBJECT, 0, cfg_calendar_h },
	{ "appointments", JSON_OBJECT, 0, cfg_appointments_h },
	{ "notify", JSON_OBJECT, 0, cfg_notify_h },
	{ "uplink", JSON_OBJECT, 0, cfg_uplink_h },
	{ "staffing", JSON_OBJECT, 0, cfg_staffing_h },
	{ "backup", JSON_OBJECT, 0, cfg_backup_h },
	{ NULL, 0, 0, NULL }
};

/* Checks that need the whole file: the numbering prefixes, the classes. */
static void
cfg_finish(struct cfg *c)
{
	struct config *conf = c->conf;
	int i, j;

	if ((conf->normal_class = config_class(conf, "normal")) == -1) {
		cfg_push_key(c, "classes");
		cfg_error(c, "class \"normal\" is required");
	}
	if (conf->public_url == NULL)
		xasprintf(&conf->public_url, "http://%s:%d", conf->listen_host,
		    conf->listen_port);
	if (conf->voice.dir == NULL)
		xasprintf(&conf->voice.dir, "%s/voice", conf->web_root);
	if (conf->nmatters == 0) {
		cfg_push_key(c, "matters");
		cfg_error(c, "a hall needs at least one matter");
	}
	/* Tokens are read before windows: check clerks' windows now. */
	for (i = 0; i < conf->ntokens; i++) {
		for (j = 0; j < conf->tokens[i].nwindows; j++) {
			if (config_window(conf, conf->tokens[i].windows[j]) != NULL)
				continue;
			cfg_push_key(c, "tokens");
			cfg_push_key(c, "clerk");
			cfg_push_key(c, conf->tokens[i].token);
			cfg_push_index(c, j);
			cfg_error(c, "no window %d", conf->tokens[i].windows[j]);
		}
	}
}

struct config *
config_parse(const char *path, const char *text, char *err, size_t errlen)
{
	return config_parse_ce(path, text, err, errlen, NULL);
}

/* As config_parse(); an error also says its field and bare message in *ce
 * (PUT /api/config: line and column of a text the client never saw mean
 * nothing to it). */
struct config *
config_parse_ce(const char *path, const char *text, char *err, size_t errlen,
    struct config_err *ce)
{
	struct cfg c;
	json_error_t jerr;
	json_t *root;

	memset(&c, 0, sizeof c);
	c.file = path;
	c.text = text;
	c.err = err;
	c.errlen = errlen;
	c.ce = ce;
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line,
		    jerr.column, jerr.text);
		if (ce != NULL) {
			ce->field[0] = '\0';
			snprintf(ce->message, sizeof ce->message, "%s", jerr.text);
		}
		return NULL;
	}
	c.conf = xcalloc(1, sizeof *c.conf);
	c.conf->path = xstrdup(path);
	c.conf->number_width = 3;
	c.conf->no_show_grace_ms = 600 * 1000;
	c.conf->late_appointment_ms = 900 * 1000;
	c.conf->policy = xstrdup("default");
	c.conf->aging_ms = 600 * 1000;
	c.conf->rating_timeout_ms = 300 * 1000;
	c.conf->rectify_working_days = 15;
	c.conf->region_code = xstrdup("");
	c.conf->web_root = xstrdup("web");
	c.conf->event_ring = 4096;
	c.conf->max_clients = 1000;
	c.conf->cmd_queue = 1024;
	c.conf->voice.langs[0] = xstrdup("zh");
	c.conf->voice.nlangs = 1;
	c.conf->voice.repeat = 2;
	cfg_hours_defaults(c.conf);
	cfg_notify_defaults(c.conf);
	cfg_uplink_defaults(c.conf);
	cfg_staffing_defaults(c.conf);
	cfg_backup_defaults(c.conf);
	if (setjmp(c.fail) != 0) {
		json_decref(root);
		config_free(c.conf);
		return NULL;
	}
	cfg_object(&c, root, top_keys, NULL);
	cfg_finish(&c);
	cfg_hours_finish(&c);
	c.conf->raw = root;
	return c.conf;
}

#define CONFIG_MAX_BYTES	(4 * 1024 * 1024)

/* The file's text (at most CONFIG_MAX_BYTES, no NUL inside), its length in
 * *len; or NULL with "path:0:0: why" in err.  Also PUT /api/config's. */
char *
config_read(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f;
	char *text;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s:0:0: %s", path, strerror(errno));
		return NULL;
	}
	text = xmalloc(CONFIG_MAX_BYTES + 1);
	n = fread(text, 1, CONFIG_MAX_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s:0:0: %s", path, strerror(errno));
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	if (n > CONFIG_MAX_BYTES) {
		snprintf(err, errlen, "%s:0:0: larger than %d bytes", path,
		    CONFIG_MAX_BYTES);
		free(text);
		return NULL;
	}
	text[n] = '\0';
	if (strlen(text) != n) {
		snprintf(err, errlen, "%s:0:0: contains a NUL byte", path);
		free(text);
		return NULL;
	}
	*len = n;
	return text;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config *conf;
	char *text;
	size_t n;

	if ((text = config_read(path, &n, err, errlen)) == NULL)
		return NULL;
	conf = config_parse(path, text, err, errlen);
	free(text);
	return conf;
}

/* The dispatcher's knobs and fairness rule as the configuration sets them,
 * for the hall (hall.c) and the simulator (sim/plan.c) alike; hs holds the
 * classes' head starts (DISPATCH_MAX_CLASSES), which the rule points at. */
void
config_dispatch(const struct config *c, struct dispatch_params *p,
    struct dispatch_rule *r, int64_t *hs)
{
	int i;

	p->nclasses = c->nclasses;
	p->aging_ms = c->aging_ms;
	r->nclasses = c->nclasses;
	r->normal_class = c->normal_class;
	r->late_ms = c->late_appointment_ms;
	if (c->appt.enabled)	/* check-in's "late" is the dispatcher's */
		r->late_ms = (int64_t)c->appt.late_min * 60000;
	r->appointment_class = -1;
	for (i = 0; i < c->nclasses && i < DISPATCH_MAX_CLASSES; i++) {
		hs[i] = c->classes[i].head_start_ms;
		if (strcmp(c->classes[i].name, "appointment") == 0)
			r->appointment_class = i;
	}
	r->head_start_ms = hs;
}

/* The top-level keys whose values differ between two configurations (a
 * key present in one only counts), as a JSON array of strings. */
json_t *
config_changed(const struct config *a, const struct config *b)
{
	json_t *out = json_array(), *v;
	const char *k;

	json_object_foreach(b->raw, k, v)
		if (!json_equal(v, json_object_get(a->raw, k)))
			json_array_append_new(out, json_string(k));
	json_object_foreach(a->raw, k, v)
		if (json_object_get(b->raw, k) == NULL)
			json_array_append_new(out, json_string(k));
	return out;
}

void
config_free(struct config *conf)
{
	int i, j, k;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->ntokens; i++) {
		free(conf->tokens[i].token);
		free(conf->tokens[i].name);
		free(conf->tokens[i].windows);
	}
	for (i = 0; i < conf->nclasses; i++)
		free(conf->classes[i].name);
	/* A domain being parsed when an error struck is one past n. */
	for (i = 0; i <= conf->ndomains && conf->domains != NULL; i++) {
		free(conf->domains[i].code);
		free(conf->domains[i].name);
		free(conf->domains[i].name_en);
	}
	/* A matter or window being parsed when an error struck is one past n. */
	for (i = 0; i <= conf->nmatters && conf->matters != NULL; i++) {
		free(conf->matters[i].code);
		free(conf->matters[i].name);
		free(conf->matters[i].name_en);
		free(conf->matters[i].prefix);
	}
	for (i = 0; i <= conf->nwindows && conf->windows != NULL; i++) {
		struct window_conf *w = &conf->windows[i];
		for (j = 0; j < w->ntiers; j++) {
			free((void *)w->tiers[j].matters);
			for (k = 0; w->tier_codes[j] && w->tier_codes[j][k]; k++)
				free(w->tier_codes[j][k]);
			free(w->tier_codes[j]);
		}
		free(w->tiers);
		free(w->tier_codes);
		free(w->name);
		free(w->name_en);
		free(w->kind);
		free(w->kind_en);
		free(w->paused_text);
		free(w->closed_text);
	}
	for (i = 0; i <= conf->ndevices && conf->devices != NULL; i++) {
		struct device_conf *d = &conf->devices[i];
		free(d->name);
		free(d->transport);
		free(d->spec);
		free(d->charset);
		for (j = 0; j < DEVICE_TEXTS; j++)
			free(d->texts[j]);
		for (j = 0; j < 16; j++)
			free(d->keys[j]);
		free(d->map_addr);
		free(d->map_window);
		free(d->remote_ids);
		free(d->remote_windows);
		free(d->kiosk);
	}
	free(conf->devices);
	for (i = 0; i < conf->voice.nlangs; i++)
		free(conf->voice.langs[i]);
	free(conf->voice.dir);
	free(conf->voice.player);
	free(conf->tokens);
	free(conf->classes);
	free(conf->domains);
	free(conf->matters);
	free(conf->windows);
	free(conf->path);
	json_decref(conf->raw);
	free(conf->hall_name);
	free(conf->hall_name_en);
	free(conf->timezone);
	cfg_notify_free(conf);
	cfg_uplink_free(conf);
	cfg_staffing_free(conf);
	cfg_backup_free(conf);
	free(conf->policy);
	free(conf->public_url);
	free(conf->region_code);
	free(conf->web_root);
	free(conf->listen_host);
	free(conf->database);
	free(conf);
}

int
config_matter(const struct config *conf, const char *code)
{
	int i;

	for (i = 0; i < conf->nmatters; i++)
		if (strcmp(conf->matters[i].code, code) == 0)
			return i;
	return -1;
}

int
config_class(const struct config *conf, const char *name)
{
	int i;

	for (i = 0; i < conf->nclasses; i++)
		if (strcmp(conf->classes[i].name, name) == 0)
			return i;
	return -1;
}

const struct window_conf *
config_window(const struct config *conf, int number)
{
	int i;

	for (i = 0; i < conf->nwindows; i++)
		if (conf->windows[i].number == number)
			return &conf->windows[i];
	return NULL;
}

const struct token *
config_token(const struct config *conf, const char *token)
{
	int i;

	if (token == NULL)
		return NULL;
	for (i = 0; i < conf->ntokens; i++)
		if (strcmp(conf->tokens[i].token, token) == 0)
			return &conf->tokens[i];
	return NULL;
}

int
config_token_has_window(const struct token *t, int number)
{
	int i;

	if (t->role == ROLE_MANAGER || t->role == ROLE_ADMIN)
		return 1;
	if (t->role != ROLE_CLERK && t->role != ROLE_EVALUATOR)
		return 0;
	if (t->all_windows)
		return 1;
	for (i = 0; i < t->nwindows; i++)
		if (t->windows[i] == number)
			return 1;
	return 0;
}

/* The clerk a window's own pad acts as: the first token bound to that
 * window by number, else one bound to every window. */
const struct token *
config_window_clerk(const struct config *conf, int window)
{
	const struct token *any = NULL;
	int i, j;

	for (i = 0; i < conf->ntokens; i++) {
		const struct token *t = &conf->tokens[i];
		if (t->role != ROLE_CLERK)
			continue;
		for (j = 0; j < t->nwindows; j++)
			if (t->windows[j] == window)
				return t;
		if (t->all_windows && any == NULL)
			any = t;
	}
	return any;
}

const char *
config_role_name(enum role r)
{
	static const char *names[ROLE_MAX] = {
		"none", "kiosk", "clerk", "manager", "admin", "display",
		"evaluator", "integration"
	};

	return r < ROLE_MAX ? names[r] : "none";
}

/* config.c — reads and checks the hall configuration (jansson), and answers
 * look-ups on it.  Every object is parsed from a table of its keys; an unknown
 * key, a wrong type or a dangling reference is an error that names the file,
 * line and column of the value at fault.  Touches no hall state. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "limit.h"
#include "transport.h"
#include "util.h"

#define CFG_MAX_DEPTH	8

struct cfg {
	const char		*file;
	const char		*text;
	struct config		*conf;
	struct jsonpos_step	 path[CFG_MAX_DEPTH];
	int			 depth;
	char			*err;
	size_t			 errlen;
	jmp_buf			 fail;
};

static void cfg_error(struct cfg *, const char *, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
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
	longjmp(c->fail, 1);
}

static void
cfg_push_key(struct cfg *c, const char *key)
{
	if (c->depth == CFG_MAX_DEPTH)
		cfg_error(c, "nested too deeply");
	c->path[c->depth].key = key;
	c->path[c->depth].index = 0;
	c->depth++;
}

static void
cfg_push_index(struct cfg *c, int index)
{
	if (c->depth == CFG_MAX_DEPTH)
		cfg_error(c, "nested too deeply");
	c->path[c->depth].key = NULL;
	c->path[c->depth].index = index;
	c->depth++;
}

static void
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

static const char *
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

static json_int_t
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

/*
 * A table of an object's keys.  handle() sees the value with the path already
 * pointing at it.
 */
struct cfg_key {
	const char	*key;
	json_type	 type;
	int		 required;
	void		(*handle)(struct cfg *, json_t *, void *);
};

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
static void
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
		if (json_typeof(v) != k->type &&
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

static const struct cfg_key hall_keys[] = {
	{ "rating_timeout_s", JSON_INTEGER, 0, hall_rating_h },
	{ "public_url", JSON_STRING, 0, hall_url_h },
	{ "name", JSON_STRING, 1, hall_name_h },
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

static void
tokens_list(struct cfg *c, json_t *v, enum role role)
{
	size_t i;
	json_t *e;

	json_array_foreach(v, i, e) {
		cfg_push_index(c, (int)i);
		token_add(c, cfg_string(c, e, 256), role);
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

static void
tokens_clerk_h(struct cfg *c, json_t *v, void *a)
{
	const char *key;
	json_t *w, *e;
	size_t i;

	(void)a;
	json_object_foreach(v, key, w) {
		struct token *t;
		int pushed = 0;

		cfg_push_key(c, key);
		if (*key == '\0' || strlen(key) > 256)
			cfg_error(c, "bad clerk token");
		t = token_add(c, key, ROLE_CLERK);
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
		if (t->name == NULL) {
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
			cfg_error(c, "a clerk token maps to [window numbers], \"*\" "
			    "or {\"windows\": ..., \"name\": ...}");
		if (pushed)
			cfg_pop(c);
		cfg_pop(c);
	}
}

static const struct cfg_key tokens_keys[] = {
	{ "kiosk", JSON_ARRAY, 0, tokens_kiosk_h },
	{ "clerk", JSON_OBJECT, 0, tokens_clerk_h },
	{ "manager", JSON_ARRAY, 0, tokens_manager_h },
	{ "admin", JSON_ARRAY, 0, tokens_admin_h },
	{ "display", JSON_ARRAY, 0, tokens_display_h },
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

/* --- "domains" --- */

static void
top_domains_h(struct cfg *c, json_t *v, void *a)
{
	struct config *conf = c->conf;
	const char *key;
	json_t *o;

	(void)a;
	conf->domains = xcalloc(json_object_size(v) + 1, sizeof *conf->domains);
	json_object_foreach(v, key, o) {
		cfg_push_key(c, key);
		if (*key == '\0' || strlen(key) > 32)
			cfg_error(c, "bad domain code");
		conf->domains[conf->ndomains].code = xstrdup(key);
		conf->domains[conf->ndomains].name = xstrdup(cfg_string(c, o, 200));
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
	{ "domain", JSON_STRING, 1, matter_domain_h },
	{ "prefix", JSON_STRING, 1, matter_prefix_h },
	{ "service_s", JSON_INTEGER, 0, matter_service_h },
	{ "target_wait_s", JSON_INTEGER, 0, matter_target_h },
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
window_kind_h(struct cfg *c, json_t *v, void *a)
{
	((struct window_conf *)a)->kind = xstrdup(cfg_string(c, v, 200));
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

static const struct cfg_key window_keys[] = {
	{ "number", JSON_INTEGER, 1, window_number_h },
	{ "paused_text", JSON_STRING, 0, window_paused_text_h },
	{ "closed_text", JSON_STRING, 0, window_closed_text_h },
	{ "name", JSON_STRING, 0, window_name_h },
	{ "kind", JSON_STRING, 0, window_kind_h },
	{ "state", JSON_STRING, 0, window_state_h },
	{ "tiers", JSON_ARRAY, 1, window_tiers_h },
	{ "tier_classes", JSON_ARRAY, 0, window_classes_h },
	{ "overflow_s", JSON_ARRAY, 0, window_overflow_h },
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

/* --- "devices" --- */

static const char *devrole_names[DEVROLE_MAX] = {
	"window_display", "hall_board", "keypad_bus", "keypad", "evaluator",
	"remote_receiver", "printer"
};
/* Each protocol as the file names it, and what checking a device of it
 * needs; what the daemon does with it is daemon/devproto.c's table. */
static const struct {
	const char	*name;
	int		 addr_lo, addr_hi;	/* "address" */
	int		 reply_ms;	/* "reply_ms" unless the file says */
	int		 answers;	/* always answers: reply_ms 0 is refused */
} devprotos[DEVPROTO_MAX] = {
	[DEVPROTO_BX] = { "bx", 1, 0xfffe, 300, 0 },
	[DEVPROTO_FT12] = { "ft12", 0, 255, 0, 0 },
	[DEVPROTO_MODBUS] = { "modbus", 1, 247, 300, 1 },
	[DEVPROTO_EV1527] = { "ev1527", 1, 247, 0, 0 },
	[DEVPROTO_ESCPOS] = { "escpos", 1, 247, 1000, 0 },
};
/* Which protocols each role speaks. */
static const unsigned devrole_protos[DEVROLE_MAX] = {
	[DEVROLE_WINDOW_DISPLAY] = 1u << DEVPROTO_BX | 1u << DEVPROTO_FT12 |
	    1u << DEVPROTO_MODBUS,
	[DEVROLE_HALL_BOARD] = 1u << DEVPROTO_BX,
	[DEVROLE_KEYPAD_BUS] = 1u << DEVPROTO_FT12,
	[DEVROLE_KEYPAD] = 1u << DEVPROTO_MODBUS,
	[DEVROLE_EVALUATOR] = 1u << DEVPROTO_MODBUS,
	[DEVROLE_REMOTE_RECEIVER] = 1u << DEVPROTO_EV1527,
	[DEVROLE_PRINTER] = 1u << DEVPROTO_ESCPOS,
};
/* The commands a remote's key may stand for. */
static const char *remote_ops[] = {
	"call-next", "recall", "start", "finish", "no-show", "hold", "pause",
	"resume", NULL
};
static const char *devtext_defaults[DEVICE_TEXTS] = {
	"{number} 请到{window}号窗口", "{number} 正在办理", "{window}号窗口",
	"{number} 请到{window}号窗口"
};

/* "bx, ft12, ...": the protocols of a mask, for messages. */
static const char *
device_protos_list(unsigned mask)
{
	static char list[128];
	int k;

	list[0] = '\0';
	for (k = 0; k < DEVPROTO_MAX; k++)
		if (mask & 1u << k) {
			if (list[0])
				strcat(list, ", ");
			strcat(list, devprotos[k].name);
		}
	return list;
}

static void
device_name_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *s = cfg_string(c, v, LIMIT_DEVICE_NAME), *p;

	for (p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			cfg_error(c, "device name \"%s\": letters, digits, '.', '-' and '_' only", s);
	if (config_device(c->conf, s) != NULL)
		cfg_error(c, "device \"%s\" is given twice", s);
	d->name = xstrdup(s);
}

static void
device_role_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *s = cfg_string(c, v, 64);
	int i;

	for (i = 0; i < DEVROLE_MAX; i++)
		if (strcmp(devrole_names[i], s) == 0)
			break;
	if (i == DEVROLE_MAX)
		cfg_error(c, "unknown role \"%s\" (window_display, hall_board, "
		    "keypad_bus, keypad, evaluator, remote_receiver, printer)", s);
	d->role = i;
}

static void
device_proto_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *s = cfg_string(c, v, 64);
	int i;

	for (i = 0; i < DEVPROTO_MAX; i++)
		if (strcmp(devprotos[i].name, s) == 0)
			break;
	if (i == DEVPROTO_MAX)
		cfg_error(c, "unknown protocol \"%s\" (%s)", s,
		    device_protos_list(~0u));
	if (!(devrole_protos[d->role] & 1u << i))
		cfg_error(c, "a %s speaks %s", devrole_names[d->role],
		    device_protos_list(devrole_protos[d->role]));
	d->proto = i;
}

static void
device_transport_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *s = cfg_string(c, v, 300);
	char err[256];

	d->spec = xcalloc(1, sizeof *d->spec);
	if (transport_parse(s, d->spec, err, sizeof err) == -1)
		cfg_error(c, "%s", err);
	d->transport = xstrdup(s);
}

static void
device_window_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	int n = (int)cfg_int(c, v, 1, LIMIT_WINDOW_MAX);

	if (config_window(c->conf, n) == NULL)
		cfg_error(c, "no window %d", n);
	d->window = n;
}

static void
device_address_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;

	d->address = (int)cfg_int(c, v, devprotos[d->proto].addr_lo,
	    devprotos[d->proto].addr_hi);
}

static void
device_width_h(struct cfg *c, json_t *v, void *a)
{
	((struct device_conf *)a)->width = (int)cfg_int(c, v, 2, 256);
}

static void
device_rows_h(struct cfg *c, json_t *v, void *a)
{
	((struct device_conf *)a)->rows = (int)cfg_int(c, v, 1, 32);
}

static void
device_line_px_h(struct cfg *c, json_t *v, void *a)
{
	((struct device_conf *)a)->line_px = (int)cfg_int(c, v, 8, 64);
}

static void
device_mode_h(struct cfg *c, json_t *v, void *a)
{
	static const char *modes[] = { "static", "quick", "left", "right", "up", "down" };
	const char *s = cfg_string(c, v, 16);
	size_t i;

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(modes[i], s) == 0) {
			((struct device_conf *)a)->mode = (int)i + 1;
			return;
		}
	cfg_error(c, "unknown mode \"%s\" (static, quick, left, right, up, down)", s);
}

static void
device_reply_h(struct cfg *c, json_t *v, void *a)
{
	((struct device_conf *)a)->reply_ms = (int)cfg_int(c, v, 0, 5000);
}

static void
device_charset_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *s = cfg_string(c, v, 16);

	if (strcmp(s, "GB2312") != 0 && strcmp(s, "GB18030") != 0)
		cfg_error(c, "charset is GB2312 or GB18030");
	free(d->charset);
	d->charset = xstrdup(s);
}

static void
device_poll_h(struct cfg *c, json_t *v, void *a)
{
	((struct device_conf *)a)->poll_ms = (int)cfg_int(c, v, 20, 10000);
}

static void
device_debounce_h(struct cfg *c, json_t *v, void *a)
{
	((struct device_conf *)a)->debounce_ms = (int)cfg_int(c, v, 50, 5000);
}

static void
device_status_h(struct cfg *c, json_t *v, void *a)
{
	((struct device_conf *)a)->status_ms = (int)cfg_int(c, v, 500, 600000);
}

static void
device_kiosk_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *s = cfg_string(c, v, 256);
	const struct token *t = config_token(c->conf, s);

	if (t == NULL || t->role != ROLE_KIOSK)
		cfg_error(c, "\"%s\" is not a kiosk token", s);
	d->kiosk = xstrdup(s);
}

/* keypad_bus: {"1": 1, "2": 2}: pad address → window. */
static void
device_map_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *key;
	json_t *w;
	int k;

	if (json_object_size(v) == 0 || json_object_size(v) > 255)
		cfg_error(c, "a map has 1 to 255 pads");
	d->map_addr = xcalloc(json_object_size(v), sizeof *d->map_addr);
	d->map_window = xcalloc(json_object_size(v), sizeof *d->map_window);
	json_object_foreach(v, key, w) {
		char *end;
		long addr;

		cfg_push_key(c, key);
		addr = strtol(key, &end, 10);
		if (*key == '\0' || *end != '\0' || addr < 0 || addr > 255)
			cfg_error(c, "a pad address is 0 to 255");
		for (k = 0; k < d->nmap; k++)
			if (d->map_addr[k] == addr)
				cfg_error(c, "pad %ld is given twice", addr);
		d->map_window[d->nmap] = (int)cfg_int(c, w, 1, LIMIT_WINDOW_MAX);
		if (config_window(c->conf, d->map_window[d->nmap]) == NULL)
			cfg_error(c, "no window %d", d->map_window[d->nmap]);
		d->map_addr[d->nmap++] = (int)addr;
		cfg_pop(c);
	}
}

/* ev1527: {"1": "call-next", "2": "recall", ...}: a remote's key → command. */
static void
device_keys_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *key, *op;
	json_t *o;
	int k;

	for (k = 0; k < 16; k++) {
		free(d->keys[k]);
		d->keys[k] = NULL;
	}
	json_object_foreach(v, key, o) {
		char *end;
		long code;

		cfg_push_key(c, key);
		code = strtol(key, &end, 10);
		if (*key == '\0' || *end != '\0' || code < 1 || code > 15)
			cfg_error(c, "a remote key is 1 to 15");
		op = cfg_string(c, o, 32);
		for (k = 0; remote_ops[k] != NULL; k++)
			if (strcmp(remote_ops[k], op) == 0)
				break;
		if (remote_ops[k] == NULL)
			cfg_error(c, "a remote key does call-next, recall, start, "
			    "finish, no-show, hold, pause or resume");
		d->keys[code] = xstrdup(op);
		cfg_pop(c);
	}
}

/* ev1527: {"A1B2C": 3}: remote id (hex, 20 bits) → window. */
static void
device_remotes_h(struct cfg *c, json_t *v, void *a)
{
	struct device_conf *d = a;
	const char *key;
	json_t *w;

	if (json_object_size(v) > 1024)
		cfg_error(c, "at most 1024 remotes");
	d->remote_ids = xcalloc(json_object_size(v) + 1, sizeof(int));
	d->remote_windows = xcalloc(json_object_size(v) + 1, sizeof(int));
	json_object_foreach(v, key, w) {
		char *end;
		long id;

		cfg_push_key(c, key);
		id = strtol(key, &end, 16);
		if (*key == '\0' || *end != '\0' || id < 0 || id > 0xFFFFF)
			cfg_error(c, "a remote id is 1 to 5 hex digits");
		d->remote_windows[d->nremotes] = (int)cfg_int(c, w, 1, LIMIT_WINDOW_MAX);
		if (config_window(c->conf, d->remote_windows[d->nremotes]) == NULL)
			cfg_error(c, "no window %d", d->remote_windows[d->nremotes]);
		d->remote_ids[d->nremotes++] = (int)id;
		cfg_pop(c);
	}
}

static void
device_text_h(struct cfg *c, json_t *v, void *a, int which)
{
	struct device_conf *d = a;

	free(d->texts[which]);
	d->texts[which] = xstrdup(cfg_string(c, v, LIMIT_DISPLAY_TEXT));
}

static void device_called_h(struct cfg *c, json_t *v, void *a) { device_text_h(c, v, a, DEVTEXT_CALLED); }
static void device_serving_h(struct cfg *c, json_t *v, void *a) { device_text_h(c, v, a, DEVTEXT_SERVING); }
static void device_idle_h(struct cfg *c, json_t *v, void *a) { device_text_h(c, v, a, DEVTEXT_IDLE); }
static void device_row_h(struct cfg *c, json_t *v, void *a) { device_text_h(c, v, a, DEVTEXT_ROW); }

/* Table order: what a key depends on comes first (role before protocol,
 * protocol before address). */
static const struct cfg_key device_keys[] = {
	{ "name", JSON_STRING, 1, device_name_h },
	{ "role", JSON_STRING, 1, device_role_h },
	{ "protocol", JSON_STRING, 1, device_proto_h },
	{ "transport", JSON_STRING, 1, device_transport_h },
	{ "window", JSON_INTEGER, 0, device_window_h },
	{ "address", JSON_INTEGER, 0, device_address_h },
	{ "width", JSON_INTEGER, 0, device_width_h },
	{ "rows", JSON_INTEGER, 0, device_rows_h },
	{ "line_px", JSON_INTEGER, 0, device_line_px_h },
	{ "mode", JSON_STRING, 0, device_mode_h },
	{ "reply_ms", JSON_INTEGER, 0, device_reply_h },
	{ "charset", JSON_STRING, 0, device_charset_h },
	{ "called_text", JSON_STRING, 0, device_called_h },
	{ "serving_text", JSON_STRING, 0, device_serving_h },
	{ "idle_text", JSON_STRING, 0, device_idle_h },
	{ "row_text", JSON_STRING, 0, device_row_h },
	{ "poll_ms", JSON_INTEGER, 0, device_poll_h },
	{ "debounce_ms", JSON_INTEGER, 0, device_debounce_h },
	{ "status_ms", JSON_INTEGER, 0, device_status_h },
	{ "kiosk", JSON_STRING, 0, device_kiosk_h },
	{ "map", JSON_OBJECT, 0, device_map_h },
	{ "keys", JSON_OBJECT, 0, device_keys_h },
	{ "remotes", JSON_OBJECT, 0, device_remotes_h },
	{ NULL, 0, 0, NULL }
};

#define DEVICES_MAX	256

static void
top_devices_h(struct cfg *c, json_t *v, void *a)
{
	struct config *conf = c->conf;
	json_t *o;
	size_t i;
	int k;

	(void)a;
	if (json_array_size(v) > DEVICES_MAX)
		cfg_error(c, "at most %d devices", DEVICES_MAX);
	conf->devices = xcalloc(json_array_size(v) + 1, sizeof *conf->devices);
	json_array_foreach(v, i, o) {
		struct device_conf *d = &conf->devices[conf->ndevices];

		cfg_push_index(c, (int)i);
		d->address = 1;
		d->line_px = 16;
		d->mode = 1;
		d->reply_ms = -1;
		d->charset = xstrdup("GB2312");
		for (k = 0; k < DEVICE_TEXTS; k++)
			d->texts[k] = xstrdup(devtext_defaults[k]);
		d->poll_ms = 200;
		d->debounce_ms = 300;
		d->status_ms = 5000;
		d->keys[1] = xstrdup("call-next");
		d->keys[2] = xstrdup("recall");
		d->keys[4] = xstrdup("finish");
		d->keys[8] = xstrdup("pause");
		cfg_object(c, o, device_keys, d);
		switch (d->role) {
		case DEVROLE_WINDOW_DISPLAY:
		case DEVROLE_KEYPAD:
		case DEVROLE_EVALUATOR:
			if (d->window == 0)
				cfg_error(c, "a %s needs \"window\"", devrole_names[d->role]);
			break;
		default:
			if (d->window != 0)
				cfg_error(c, "a %s takes no \"window\"", devrole_names[d->role]);
			break;
		}
		if ((d->role == DEVROLE_KEYPAD_BUS) != (d->nmap > 0))
			cfg_error(c, d->nmap ? "only a keypad_bus has a \"map\"" :
			    "a keypad_bus needs \"map\" (pad address → window)");
		if ((d->role == DEVROLE_PRINTER) != (d->kiosk != NULL))
			cfg_error(c, d->kiosk ? "only a printer has a \"kiosk\"" :
			    "a printer needs \"kiosk\" (the kiosk token it prints for)");
		if (d->nremotes > 0 && d->role != DEVROLE_REMOTE_RECEIVER)
			cfg_error(c, "only a remote_receiver has \"remotes\"");
		if (d->width == 0)
			d->width = d->role == DEVROLE_HALL_BOARD ? 32 :
			    d->role == DEVROLE_PRINTER ? 32 : 16;
		if (d->rows == 0)
			d->rows = d->role == DEVROLE_HALL_BOARD ? 4 : 1;
		if (d->role != DEVROLE_HALL_BOARD && d->rows != 1)
			cfg_error(c, "a %s has one row", devrole_names[d->role]);
		if (d->reply_ms == -1)
			d->reply_ms = devprotos[d->proto].reply_ms;
		if (devprotos[d->proto].answers && d->reply_ms == 0)
			cfg_error(c, "a %s device needs reply_ms above 0",
			    devprotos[d->proto].name);
		if (d->proto == DEVPROTO_BX && d->width * 8 > 4096)
			cfg_error(c, "a bx area is at most 4096 pixels wide");
		if (d->proto == DEVPROTO_ESCPOS && strcmp(d->charset, "GB2312") == 0) {
			free(d->charset);		/* printers: GB18030, FS & */
			d->charset = xstrdup("GB18030");
		}
		conf->ndevices++;
		cfg_pop(c);
	}
	/* Devices on one transport share it: one protocol per line. */
	for (k = 0; k < conf->ndevices; k++) {
		int j;

		for (j = 0; j < k; j++) {
			if (strcmp(conf->devices[j].transport, conf->devices[k].transport) != 0)
				continue;
			cfg_push_index(c, k);
			cfg_push_key(c, "transport");
			if (conf->devices[j].proto != conf->devices[k].proto)
				cfg_error(c, "devices sharing %s must speak one protocol",
				    conf->devices[k].transport);
			if (conf->devices[j].address == conf->devices[k].address)
				cfg_error(c, "devices %s and %s share %s and address %d",
				    conf->devices[j].name, conf->devices[k].name,
				    conf->devices[k].transport, conf->devices[k].address);
			cfg_pop(c);
			cfg_pop(c);
		}
	}
}

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

static const struct cfg_key top_keys[] = {
	{ "hall", JSON_OBJECT, 1, top_hall_h },
	{ "listen", JSON_STRING, 1, top_listen_h },
	{ "database", JSON_STRING, 1, top_database_h },
	{ "web", JSON_OBJECT, 0, top_web_h },
	{ "tokens", JSON_OBJECT, 1, top_tokens_h },
	{ "classes", JSON_OBJECT, 1, top_classes_h },
	{ "domains", JSON_OBJECT, 1, top_domains_h },
	{ "matters", JSON_ARRAY, 1, top_matters_h },
	{ "windows", JSON_ARRAY, 1, top_windows_h },
	{ "devices", JSON_ARRAY, 0, top_devices_h },
	{ "voice", JSON_OBJECT, 0, top_voice_h },
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
	struct cfg c;
	json_error_t jerr;
	json_t *root;

	memset(&c, 0, sizeof c);
	c.file = path;
	c.text = text;
	c.err = err;
	c.errlen = errlen;
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line,
		    jerr.column, jerr.text);
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
	c.conf->web_root = xstrdup("web");
	c.conf->event_ring = 4096;
	c.conf->max_clients = 1000;
	c.conf->cmd_queue = 1024;
	c.conf->voice.langs[0] = xstrdup("zh");
	c.conf->voice.nlangs = 1;
	c.conf->voice.repeat = 2;
	if (setjmp(c.fail) != 0) {
		json_decref(root);
		config_free(c.conf);
		return NULL;
	}
	cfg_object(&c, root, top_keys, NULL);
	cfg_finish(&c);
	json_decref(root);
	return c.conf;
}

#define CONFIG_MAX_BYTES	(4 * 1024 * 1024)

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config *conf;
	FILE *f;
	char *text;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s:0:0: %s", path, strerror(errno));
		return NULL;
	}
	text = xmalloc(CONFIG_MAX_BYTES + 1);
	n = fread(text, 1, CONFIG_MAX_BYTES + 1, f);
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
	conf = config_parse(path, text, err, errlen);
	free(text);
	return conf;
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
	for (i = 0; i < conf->ndomains; i++) {
		free(conf->domains[i].code);
		free(conf->domains[i].name);
	}
	/* A matter or window being parsed when an error struck is one past n. */
	for (i = 0; i <= conf->nmatters && conf->matters != NULL; i++) {
		free(conf->matters[i].code);
		free(conf->matters[i].name);
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
		free(w->kind);
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
	free(conf->hall_name);
	free(conf->timezone);
	free(conf->policy);
	free(conf->public_url);
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
	if (t->role != ROLE_CLERK)
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

const struct device_conf *
config_device(const struct config *conf, const char *name)
{
	int i;

	for (i = 0; i < conf->ndevices; i++)
		if (conf->devices[i].name != NULL &&
		    strcmp(conf->devices[i].name, name) == 0)
			return &conf->devices[i];
	return NULL;
}

const char *
config_devrole_name(enum device_role r)
{
	return r < DEVROLE_MAX ? devrole_names[r] : "?";
}

const char *
config_devproto_name(enum device_proto p)
{
	return p < DEVPROTO_MAX ? devprotos[p].name : "?";
}

const char *
config_role_name(enum role r)
{
	static const char *names[ROLE_MAX] = {
		"none", "kiosk", "clerk", "manager", "admin", "display"
	};

	return r < ROLE_MAX ? names[r] : "none";
}

/* config_uplink.c — the "uplink" section: the city's MQTT broker, the
 * hall's id in the topics, TLS, and the uplink's timing (web/README.md,
 * "Uplink to the city platform").  Errors name file:line:col. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "util.h"

static char *
dup_str(struct cfg *c, json_t *v, size_t max)
{
	return xstrdup(cfg_string(c, v, max));
}

static void
u_url_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = a;
	const char *s = cfg_string(c, v, 300), *host, *colon, *end;
	char *e;
	long port;

	(void)a;
	if (strncmp(s, "mqtt://", 7) == 0) {
		u->tls = 0;
		host = s + 7;
		u->port = 1883;
	} else if (strncmp(s, "mqtts://", 8) == 0) {
		u->tls = 1;
		host = s + 8;
		u->port = 8883;
	} else
		cfg_error(c, "url is mqtt://HOST[:PORT] or mqtts://HOST[:PORT]");
	end = host + strcspn(host, "/");
	if (*end == '/' && end[1] != '\0')
		cfg_error(c, "url has no path: mqtt://HOST[:PORT]");
	colon = memchr(host, ':', (size_t)(end - host));
	if ((colon ? colon : end) == host)
		cfg_error(c, "url has no host");
	if ((size_t)((colon ? colon : end) - host) >= sizeof u->host)
		cfg_error(c, "the host is too long");
	memcpy(u->host, host, (size_t)((colon ? colon : end) - host));
	u->host[(colon ? colon : end) - host] = '\0';
	if (colon != NULL) {
		port = strtol(colon + 1, &e, 10);
		if (e != end || port < 1 || port > 65535)
			cfg_error(c, "the port is 1 to 65535");
		u->port = (int)port;
	}
	free(u->url);
	u->url = xstrdup(s);
}

static void
u_hall_id_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = a;
	const char *s = cfg_string(c, v, 64);
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' ||
		    s[i] == '.'))
			cfg_error(c, "hall_id is letters, digits, '-', '_' and '.'");
	free(u->hall_id);
	u->hall_id = xstrdup(s);
}

static void
u_prefix_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = a;
	const char *s = cfg_string(c, v, 64);

	if (strpbrk(s, "+#") != NULL || s[0] == '/' || s[strlen(s) - 1] == '/')
		cfg_error(c, "topic_prefix has no '+', '#' or outer '/'");
	free(u->prefix);
	u->prefix = xstrdup(s);
}

static void
u_user_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = a;

	free(u->username);
	u->username = dup_str(c, v, 128);
}

static void
u_pass_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = a;

	free(u->password);
	u->password = dup_str(c, v, 128);
}

static void
u_client_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = a;

	free(u->client_id);
	u->client_id = dup_str(c, v, 64);
}

static void
u_protocol_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = a;
	const char *s = cfg_string(c, v, 8);

	if (strcmp(s, "3.1.1") == 0)
		u->protocol = 4;
	else if (strcmp(s, "5") == 0)
		u->protocol = 5;
	else
		cfg_error(c, "protocol is \"3.1.1\" or \"5\"");
}

static void
u_keepalive_h(struct cfg *c, json_t *v, void *a)
{
	((struct uplink_conf *)a)->keepalive_s = (int)cfg_int(c, v, 5, 3600);
}

static void
u_inflight_h(struct cfg *c, json_t *v, void *a)
{
	((struct uplink_conf *)a)->inflight = (int)cfg_int(c, v, 1, 1000);
}

static void
u_public_h(struct cfg *c, json_t *v, void *a)
{
	((struct uplink_conf *)a)->public_every_s = (int)cfg_int(c, v, 1, 3600);
}

static void
u_backlog_h(struct cfg *c, json_t *v, void *a)
{
	((struct uplink_conf *)a)->backlog_alert = cfg_int(c, v, 1, 1000000000);
}

static void
u_away_h(struct cfg *c, json_t *v, void *a)
{
	((struct uplink_conf *)a)->away_alert_s = (int)cfg_int(c, v, 1, 86400);
}

static void
u_rfirst_h(struct cfg *c, json_t *v, void *a)
{
	((struct uplink_conf *)a)->reconnect_first_s = (int)cfg_int(c, v, 1, 3600);
}

static void
u_rmax_h(struct cfg *c, json_t *v, void *a)
{
	((struct uplink_conf *)a)->reconnect_max_s = (int)cfg_int(c, v, 1, 3600);
}

static const struct cfg_key reconnect_keys[] = {
	{ "first_s", JSON_INTEGER, 0, u_rfirst_h },
	{ "max_s", JSON_INTEGER, 0, u_rmax_h },
	{ NULL, 0, 0, NULL }
};

static void
u_reconnect_h(struct cfg *c, json_t *v, void *a)
{
	cfg_object(c, v, reconnect_keys, a);
}

static void
u_file(struct cfg *c, json_t *v, char **out)
{
	const char *s = cfg_string(c, v, 1024);
	FILE *f;

	if ((f = fopen(s, "r")) == NULL)
		cfg_error(c, "cannot read %s", s);
	fclose(f);
	free(*out);
	*out = xstrdup(s);
}

static void
u_ca_h(struct cfg *c, json_t *v, void *a)
{
	u_file(c, v, &((struct uplink_conf *)a)->ca_file);
}

static void
u_cert_h(struct cfg *c, json_t *v, void *a)
{
	u_file(c, v, &((struct uplink_conf *)a)->cert_file);
}

static void
u_key_h(struct cfg *c, json_t *v, void *a)
{
	u_file(c, v, &((struct uplink_conf *)a)->key_file);
}

static const struct cfg_key tls_keys[] = {
	{ "ca_file", JSON_STRING, 0, u_ca_h },
	{ "cert_file", JSON_STRING, 0, u_cert_h },
	{ "key_file", JSON_STRING, 0, u_key_h },
	{ NULL, 0, 0, NULL }
};

static void
u_tls_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = a;

	cfg_object(c, v, tls_keys, a);
	if ((u->cert_file == NULL) != (u->key_file == NULL))
		cfg_error(c, "cert_file and key_file go together");
}

static const struct cfg_key uplink_keys[] = {
	{ "url", JSON_STRING, 1, u_url_h },
	{ "hall_id", JSON_STRING, 1, u_hall_id_h },
	{ "username", JSON_STRING, 0, u_user_h },
	{ "password", JSON_STRING, 0, u_pass_h },
	{ "protocol", JSON_STRING, 0, u_protocol_h },
	{ "tls", JSON_OBJECT, 0, u_tls_h },
	{ "topic_prefix", JSON_STRING, 0, u_prefix_h },
	{ "client_id", JSON_STRING, 0, u_client_h },
	{ "keepalive_s", JSON_INTEGER, 0, u_keepalive_h },
	{ "inflight", JSON_INTEGER, 0, u_inflight_h },
	{ "public_every_s", JSON_INTEGER, 0, u_public_h },
	{ "backlog_alert", JSON_INTEGER, 0, u_backlog_h },
	{ "away_alert_s", JSON_INTEGER, 0, u_away_h },
	{ "reconnect", JSON_OBJECT, 0, u_reconnect_h },
	{ NULL, 0, 0, NULL }
};

void
cfg_uplink_defaults(struct config *conf)
{
	struct uplink_conf *u = &conf->uplink;

	memset(u, 0, sizeof *u);
	u->protocol = 4;
	u->keepalive_s = 30;
	u->inflight = 20;
	u->public_every_s = 5;
	u->backlog_alert = 1000;
	u->away_alert_s = 120;
	u->reconnect_first_s = 1;
	u->reconnect_max_s = 60;
	u->prefix = xstrdup("hallq");
}

void
cfg_uplink_h(struct cfg *c, json_t *v, void *a)
{
	struct uplink_conf *u = &c->conf->uplink;

	(void)a;
	cfg_object(c, v, uplink_keys, u);
	if (u->password != NULL && u->username == NULL)
		cfg_error(c, "a password needs its username");
	if (u->reconnect_max_s < u->reconnect_first_s)
		cfg_error(c, "reconnect.max_s is below first_s");
	if (u->client_id == NULL)
		xasprintf(&u->client_id, "hallq-%.57s", u->hall_id);
	u->enabled = 1;
}

void
cfg_uplink_free(struct config *conf)
{
	struct uplink_conf *u = &conf->uplink;

	free(u->url);
	free(u->hall_id);
	free(u->username);
	free(u->password);
	free(u->client_id);
	free(u->prefix);
	free(u->ca_file);
	free(u->cert_file);
	free(u->key_file);
}

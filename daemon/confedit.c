/* confedit.c — the configuration from the dashboard: GET /api/config reads
 * the file as it is on disk, PUT /api/config checks a new one with the
 * file's own parser, writes it back atomically (the old one kept as .prev)
 * and hands it to the core, which applies it as SIGHUP does once the
 * command's batch is committed (hall_take_config). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hall_int.h"
#include "limit.h"
#include "sha256.h"
#include "util.h"

static char *
confedit_prev_path(const char *path)
{
	char *p;

	xasprintf(&p, "%s.prev", path);
	return p;
}

/* One line: {"a": 1, "b": [2, 3]}, UTF-8 as is. */
static void
confedit_line(FILE *b, json_t *v)
{
	if (json_dumpf(v, b, JSON_INDENT(0) | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) == -1)
		fatalx("json_dumpf");
}

/* Its members (an object of objects or arrays) or elements (an array of
 * objects) one to a line; anything else on one line. */
static int
confedit_split(json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach(v, i, e)
			if (!json_is_object(e))
				return 0;
		return 1;
	}
	if (json_is_object(v) && json_object_size(v) > 0) {
		json_object_foreach(v, k, e)
			if (!json_is_object(e) && !json_is_array(e))
				return 0;
		return 1;
	}
	return 0;
}

/* The file's text: each top-level member on its own line, and each element
 * of an array of objects (matters, windows) or member of an object of
 * objects (tokens, classes, domains) on its own line, as etc/hallq.json. */
static char *
confedit_text(json_t *conf)
{
	const char *k, *k2;
	json_t *v, *e;
	size_t n = 0, m, i, len;
	char *out = NULL;
	FILE *b;

	if ((b = open_memstream(&out, &len)) == NULL)
		fatal("open_memstream");
	fputs("{\n", b);
	json_object_foreach(conf, k, v) {
		json_t *ks = json_string(k);

		fputs(n++ ? ",\n  " : "  ", b);
		confedit_line(b, ks);
		json_decref(ks);
		fputs(": ", b);
		if (!confedit_split(v)) {
			confedit_line(b, v);
			continue;
		}
		m = 0;
		if (json_is_array(v)) {
			fputs("[\n", b);
			json_array_foreach(v, i, e) {
				fputs(m++ ? ",\n    " : "    ", b);
				confedit_line(b, e);
			}
			fputs("\n  ]", b);
			continue;
		}
		fputs("{\n", b);
		json_object_foreach(v, k2, e) {
			ks = json_string(k2);
			fputs(m++ ? ",\n    " : "    ", b);
			confedit_line(b, ks);
			json_decref(ks);
			fputs(": ", b);
			confedit_line(b, e);
		}
		fputs("\n  }", b);
	}
	fputs("\n}\n", b);
	if (fclose(b) != 0)
		fatal("open_memstream");
	return out;
}

/* Write all of it to a new file and make it durable; 0 or -1 (errno). */
static int
confedit_put_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd, e;
	size_t off = 0;
	ssize_t n;

	(void)unlink(path);	/* a stale one of an earlier failure */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) == -1)
		return -1;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	(void)unlink(path);
	errno = e;
	return -1;
}

/*
 * PATH.tmp with the new text, the old kept as PATH.prev, the new renamed
 * over PATH, the directory synced.  0, or -1 with the reason in err and PATH
 * as it was.
 */
static int
confedit_write(const char *path, const char *old, size_t oldlen,
    const char *text, char *err, size_t errlen)
{
	char *tmp, *prev, *ptmp;
	struct stat st;
	mode_t mode = 0640;
	int rc = -1;

	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	xasprintf(&tmp, "%s.tmp", path);
	prev = confedit_prev_path(path);
	xasprintf(&ptmp, "%s.prev.tmp", path);
	if (confedit_put_file(tmp, text, strlen(text), mode) == -1)
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	else if (confedit_put_file(ptmp, old, oldlen, mode) == -1 ||
	    rename(ptmp, prev) == -1) {
		snprintf(err, errlen, "%s: %s", prev, strerror(errno));
		(void)unlink(ptmp);
		(void)unlink(tmp);
	} else if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
	} else {
		fsync_dir(path);
		rc = 0;
	}
	free(tmp);
	free(prev);
	free(ptmp);
	return rc;
}

/* GET /api/config */
int
cmd_config_get(struct hall *h, struct op_ctx *c)
{
	const char *path = h->conf->path;
	char version[65], err[512], *text, *prev;
	json_error_t jerr;
	json_t *conf;
	size_t len;

	if ((text = config_read(path, &len, err, sizeof err)) == NULL)
		return cmd_error(c, 500, "config_unreadable", "%s", err);
	if ((conf = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		free(text);
		return cmd_error(c, 500, "config_unreadable", "%s:%d:%d: %s",
		    path, jerr.line, jerr.column, jerr.text);
	}
	sha256_hex(text, len, version);
	free(text);
	prev = confedit_prev_path(path);
	c->reply = json_pack("{s:s, s:s, s:o, s:o}", "path", path, "version",
	    version, "config", conf, "previous", access(prev, F_OK) == 0 ?
	    json_string(prev) : json_null());
	free(prev);
	return 200;
}

static int
confedit_bad(struct op_ctx *c, const char *field, const char *fmt, const char *msg)
{
	cmd_error(c, 400, "bad_config", fmt, msg);
	json_object_set_new(json_object_get(c->reply, "error"), "field",
	    json_string(field));
	return 400;
}

/* What a running hall cannot take without a restart (core_reload says so
 * of a file; from the page they are refused). */
static const char *
confedit_restart_key(const struct config *a, const struct config *b)
{
	if (strcmp(a->listen_host, b->listen_host) != 0 ||
	    a->listen_port != b->listen_port)
		return "listen";
	if (strcmp(a->database, b->database) != 0)
		return "database";
	if (strcmp(a->timezone, b->timezone) != 0)
		return "hall.timezone";
	if (strcmp(a->web_root, b->web_root) != 0)
		return "web.root";
	return NULL;
}

static json_t *
confedit_window(json_t *conf, json_t *number)
{
	json_t *w;
	size_t i;

	json_array_foreach(json_object_get(conf, "windows"), i, w)
		if (json_equal(json_object_get(w, "number"), number))
			return w;
	return NULL;
}

/* A window whose configured tiers the new configuration changes serves
 * them now: today's tiers a manager set for it are dropped
 * (window_tiers_load reads "tiers.N"). */
static void
confedit_tiers_reset(struct hall *h, const struct config *nc)
{
	json_t *w, *ow, *num;
	size_t i;

	json_array_foreach(json_object_get(nc->raw, "windows"), i, w) {
		num = json_object_get(w, "number");
		ow = confedit_window(h->conf->raw, num);
		if (ow != NULL && json_equal(json_object_get(w, "tiers"),
		    json_object_get(ow, "tiers")) && json_equal(json_object_get(w,
		    "overflow_s"), json_object_get(ow, "overflow_s")))
			continue;
		window_tiers_forget(h, (int)json_integer_value(num));
	}
}

/* PUT /api/config {"config": {...}, "version": "..."} */
int
cmd_config_put(struct hall *h, struct op_ctx *c)
{
	const char *path = h->conf->path, *ver, *restart;
	json_t *nconf = json_object_get(c->body, "config");
	char version[65], err[1024], *old, *text, *prev;
	struct config_err ce;
	struct config *nc;
	size_t oldlen;

	if (nconf == NULL || json_is_null(nconf))
		return cmd_error(c, 400, "bad_request",
		    "\"config\" (the configuration) is required");
	if (!json_is_object(nconf))
		return confedit_bad(c, "", "%s", "the configuration must be an "
		    "object");
	if (cmd_body_string(c, "version", 64, &ver) == -1)
		return c->status;
	if ((old = config_read(path, &oldlen, err, sizeof err)) == NULL)
		return cmd_error(c, 500, "config_unreadable", "%s", err);
	sha256_hex(old, oldlen, version);
	if (ver != NULL && strcmp(ver, version) != 0) {
		free(old);
		return cmd_error(c, 409, "config_changed", "the configuration "
		    "file changed since it was read: read it again");
	}
	/* The body is at most LIMIT_CONFIG_BODY: its text is far below
	 * config_read's bound. */
	text = confedit_text(nconf);
	memset(&ce, 0, sizeof ce);
	if ((nc = config_parse_ce(path, text, err, sizeof err, &ce)) == NULL)
		confedit_bad(c, ce.field, "%s", ce.message);
	else if ((restart = confedit_restart_key(h->conf, nc)) != NULL)
		confedit_bad(c, restart, "%s is changed in the file only and "
		    "takes effect at a restart: not from here", restart);
	else if (confedit_write(path, old, oldlen, text, err, sizeof err) == -1)
		cmd_error(c, 500, "config_write_failed", "the configuration was "
		    "not written and nothing changed: %s", err);
	else {
		log_info("configuration written to %s from the dashboard", path);
		confedit_tiers_reset(h, nc);
		sha256_hex(text, strlen(text), version);
		prev = confedit_prev_path(path);
		/* What changed, against the configuration in force. */
		c->reply = json_pack("{s:s, s:s, s:o}", "version", version,
		    "previous", prev, "changed", config_changed(h->conf, nc));
		free(prev);
		hall_set_pending_config(h, nc);
		nc = NULL;
		c->status = 200;
	}
	config_free(nc);
	free(old);
	free(text);
	return c->status;
}

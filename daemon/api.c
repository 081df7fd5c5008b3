/* api.c — maps REST paths of API.md to core commands.  The route table is the
 * whole REST surface; hall.c decides everything else (auth, states). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "limit.h"
#include "util.h"

/* A route: a path pattern where "#" matches a positive integer segment. */
struct route {
	enum api_method	 method;
	const char	*pattern;
	const char	*op;
	int		 takes_body;
};

static const struct route routes[] = {
	{ API_GET, "/api/status", "status", 0 },
	{ API_POST, "/api/tickets", "issue", 1 },
	{ API_GET, "/api/tickets/#", "ticket", 0 },
	{ API_DELETE, "/api/tickets/#", "cancel", 0 },
	{ API_GET, "/api/windows/#", "window", 0 },
	{ API_POST, "/api/windows/#/call-next", "call-next", 1 },
	{ API_POST, "/api/windows/#/call", "call", 1 },
	{ API_POST, "/api/windows/#/recall", "recall", 1 },
	{ API_POST, "/api/windows/#/start", "start", 1 },
	{ API_POST, "/api/windows/#/finish", "finish", 1 },
	{ API_POST, "/api/windows/#/no-show", "no-show", 1 },
	{ API_POST, "/api/windows/#/hold", "hold", 1 },
	{ API_POST, "/api/windows/#/transfer", "transfer", 1 },
	{ API_POST, "/api/windows/#/pause", "pause", 1 },
	{ API_POST, "/api/windows/#/resume", "resume", 1 },
	{ API_POST, "/api/windows/#/open", "open", 1 },
	{ API_POST, "/api/windows/#/close", "close", 1 },
	{ API_POST, "/api/windows/#/tiers", "tiers", 1 },
	{ API_GET, "/api/stats", "stats", 0 },
	{ API_GET, "/api/hall", "hall", 0 },
	{ API_GET, "/api/devices", "devices", 0 },
	{ API_POST, "/api/devices/$/learn", "learn", 1 },
	{ API_GET, "/api/events", "events", 0 },
	/* Later parts of the hall: answered plainly until they exist. */
	{ API_POST, "/api/ratings", "rate", 1 },
	{ API_GET, "/api/public/queue", NULL, 0 },
};

char *
api_error(const char *code, const char *message)
{
	json_t *o = json_pack("{s:{s:s, s:s}}", "error", "code", code,
	    "message", message);
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (s == NULL)
		fatalx("json_dumps");
	return s;
}

static int
api_fail(char **err, int status, const char *code, const char *message)
{
	*err = api_error(code, message);
	return status;
}

/* Match path to pattern; the "#" segment's value goes to *num, the "$"
 * segment (a device name: letters, digits, '.', '-', '_') to name. */
static int
route_match(const char *pattern, const char *path, long long *num, char *name)
{
	while (*pattern != '\0') {
		if (*pattern == '$') {
			size_t n = 0;
			while ((path[n] >= 'a' && path[n] <= 'z') ||
			    (path[n] >= 'A' && path[n] <= 'Z') ||
			    (path[n] >= '0' && path[n] <= '9') || path[n] == '.' ||
			    path[n] == '-' || path[n] == '_')
				n++;
			if (n == 0 || n > LIMIT_DEVICE_NAME)
				return 0;
			memcpy(name, path, n);
			name[n] = '\0';
			path += n;
			pattern++;
			continue;
		}
		if (*pattern == '#') {
			char *end;
			if (*path < '1' || *path > '9')
				return 0;
			errno = 0;
			*num = strtoll(path, &end, 10);
			if (errno != 0 || *num > 1000000000000LL)
				return 0;
			path = end;
			pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	return *path == '\0' || (path[0] == '/' && path[1] == '\0');
}

/* since= and limit= from the query string, as non-negative integers. */
static int
query_int(const char *query, const char *name, long long *out)
{
	size_t n = strlen(name);
	const char *p = query;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			char *end;
			errno = 0;
			*out = strtoll(p + n + 1, &end, 10);
			if (errno != 0 || end == p + n + 1 || *out < 0 ||
			    (*end != '\0' && *end != '&'))
				return -1;
			return 1;
		}
		if ((p = strchr(p, '&')) != NULL)
			p++;
	}
	return 0;
}

int
api_route(enum api_method method, const char *path, const char *query,
    const char *body, size_t bodylen, const char *token, json_t **cmd,
    char **err)
{
	const struct route *r = NULL;
	int path_known = 0;
	long long num = 0, v;
	char name[LIMIT_DEVICE_NAME + 1] = "";
	json_t *b = NULL;
	json_error_t jerr;
	size_t i;

	*cmd = NULL;
	*err = NULL;
	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!route_match(routes[i].pattern, path, &num, name))
			continue;
		path_known = 1;
		if (routes[i].method == method) {
			r = &routes[i];
			break;
		}
	}
	if (r == NULL)
		return path_known ?
		    api_fail(err, 405, "method_not_allowed", "method not allowed here") :
		    api_fail(err, 404, "not_found", "no such path");
	if (r->op == NULL)
		return api_fail(err, 501, "not_implemented",
		    "this part of the hall is not built yet");
	if (bodylen > API_MAX_BODY)
		return api_fail(err, 413, "body_too_large",
		    "the body is over " LIMIT_MESSAGE_TEXT);
	if (bodylen > 0 && r->takes_body) {
		b = json_loadb(body, bodylen, JSON_REJECT_DUPLICATES, &jerr);
		if (b == NULL) {
			char msg[300];
			snprintf(msg, sizeof msg, "malformed JSON at %d:%d: %s",
			    jerr.line, jerr.column, jerr.text);
			return api_fail(err, 400, "malformed_json", msg);
		}
		if (!json_is_object(b)) {
			json_decref(b);
			return api_fail(err, 400, "bad_request",
			    "the body must be a JSON object");
		}
	} else if (bodylen > 0)
		return api_fail(err, 400, "bad_request", "this request takes no body");
	if (b == NULL)
		b = json_object();
	if (strcmp(r->op, "events") == 0) {
		int rc;
		if ((rc = query_int(query, "since", &v)) == -1) {
			json_decref(b);
			return api_fail(err, 400, "bad_request",
			    "since must be a non-negative integer");
		}
		if (rc == 1)
			json_object_set_new(b, "since", json_integer(v));
		if ((rc = query_int(query, "limit", &v)) == -1 || (rc == 1 &&
		    (v < 1 || v > LIMIT_EVENTS_PAGE))) {
			json_decref(b);
			return api_fail(err, 400, "bad_request", "limit must be an "
			    "integer from 1 to " LIMIT_STR(LIMIT_EVENTS_PAGE));
		}
		if (rc == 1)
			json_object_set_new(b, "limit", json_integer(v));
	}
	*cmd = json_pack("{s:s, s:o}", "op", r->op, "body", b);
	if (token != NULL)
		json_object_set_new(*cmd, "token", json_string(token));
	if (strstr(r->pattern, "/windows/#") != NULL)
		json_object_set_new(*cmd, "window", json_integer(num));
	else if (strstr(r->pattern, "/tickets/#") != NULL)
		json_object_set_new(*cmd, "ticket", json_integer(num));
	else if (strstr(r->pattern, "/$") != NULL)
		json_object_set_new(*cmd, "name", json_string(name));
	return 0;
}

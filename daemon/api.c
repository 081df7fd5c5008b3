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
	{ API_POST, "/api/tickets/#/notify", "ticket-notify", 1 },
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
	{ API_POST, "/api/ratings", "rate", 1 },
	{ API_GET, "/api/hours", "hours", 0 },
	{ API_GET, "/api/public/hall", "public-hall", 0 },
	{ API_GET, "/api/public/slots", "slots", 0 },
	{ API_POST, "/api/appointments", "book", 1 },
	{ API_GET, "/api/appointments", "appointments", 0 },
	{ API_GET, "/api/appointments/$", "appointment", 0 },
	{ API_DELETE, "/api/appointments/$", "unbook", 0 },
	{ API_POST, "/api/appointments/$/reschedule", "reschedule", 1 },
	{ API_POST, "/api/slots/block", "block", 1 },
	{ API_POST, "/api/slots/unblock", "unblock", 1 },
	{ API_GET, "/api/notify/kannel", "notify-kannel", 0 },
	{ API_POST, "/api/notify/report", "notify-report", 1 },
	{ API_GET, "/api/notifications", "notifications", 0 },
	{ API_GET, "/api/cases", "cases", 0 },
	{ API_POST, "/api/cases", "case-new", 1 },
	{ API_GET, "/api/cases/#", "case", 0 },
	{ API_POST, "/api/cases/#/steps", "case-step", 1 },
	{ API_GET, "/api/ratings", "ratings", 0 },
	{ API_GET, "/api/reports", "report", 0 },
	{ API_GET, "/api/uplink", "uplink", 0 },
	{ API_GET, "/api/audit", "audit", 0 },
	{ API_GET, "/api/config", "config", 0 },
	{ API_PUT, "/api/config", "config-put", 1 },
	{ API_GET, "/api/staffing", "staffing", 0 },
	{ API_GET, "/api/advice", "advice", 0 },
	{ API_POST, "/api/advice/auto", "advice-auto", 1 },
	{ API_GET, "/metrics", "metrics", 0 },
	/* Later parts of the hall: answered plainly until they exist. */
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

/*
 * The query members some reads take, copied into the body as strings or
 * integers: a code or a date (letters, digits, '-', '_'; 1 to 32) or a
 * number.  Anything else in the query of these routes is refused, so a
 * mistyped name is not silently ignored.
 */
static const struct {
	const char	*op;
	const char	*names[6];
	const char	*ints[3];
} query_ops[] = {
	{ "hours", { "day", NULL }, { NULL } },
	{ "slots", { "matter", "from", NULL }, { "days", NULL } },
	{ "appointments", { "day", NULL }, { NULL } },
	{ "notify-kannel", { "key", NULL }, { "id", "type" } },
	{ "notify-report", { "key", NULL }, { NULL } },
	{ "notifications", { "appointment", NULL }, { "ticket", NULL } },
	{ "cases", { "state", "kind", "from", "to" }, { NULL } },
	{ "ratings", { "from", "to", NULL }, { "after", NULL } },
	{ "report", { "from", "to", "group", "format" }, { NULL } },
	{ "staffing", { "day", NULL }, { NULL } },
	{ "audit", { "from", "to", NULL }, { "before", "limit", NULL } },
};

static int
query_members(const char *op, const char *query, json_t *b, char **err)
{
	const char *p, *eq, *end;
	char name[16], val[40];
	size_t qi, i, n, vn;
	int found;

	for (qi = 0; qi < sizeof query_ops / sizeof query_ops[0]; qi++)
		if (strcmp(query_ops[qi].op, op) == 0)
			break;
	if (qi == sizeof query_ops / sizeof query_ops[0] || query == NULL)
		return 0;
	for (p = query; *p != '\0'; p = *end ? end + 1 : end) {
		if ((end = strchr(p, '&')) == NULL)
			end = p + strlen(p);
		if (end == p)
			continue;
		/* An empty key= is a missing key: refused by the op (403). */
		if (end - p == 4 && strncmp(p, "key=", 4) == 0)
			continue;
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL ||
		    (n = (size_t)(eq - p)) >= sizeof name ||
		    (vn = (size_t)(end - eq - 1)) == 0 || vn >= 33) {
			*err = api_error("bad_request", "a query member is "
			    "name=value, the value 1 to 32 characters");
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		memcpy(val, eq + 1, vn);
		val[vn] = '\0';
		for (i = 0; i < vn; i++)
			if (!((val[i] >= 'a' && val[i] <= 'z') ||
			    (val[i] >= 'A' && val[i] <= 'Z') ||
			    (val[i] >= '0' && val[i] <= '9') || val[i] == '-' ||
			    val[i] == '_')) {
				*err = api_error("bad_request", "a query value is "
				    "letters, digits, '-' and '_'");
				return -1;
			}
		found = 0;
		for (i = 0; query_ops[qi].names[i] != NULL; i++)
			if (strcmp(query_ops[qi].names[i], name) == 0) {
				json_object_set_new(b, name, json_string(val));
				found = 1;
			}
		for (i = 0; query_ops[qi].ints[i] != NULL; i++)
			if (strcmp(query_ops[qi].ints[i], name) == 0) {
				char *e;
				long long v;

				errno = 0;
				v = strtoll(val, &e, 10);
				if (errno != 0 || *e != '\0' || v < 0) {
					*err = api_error("bad_request", "a count is a "
					    "non-negative integer");
					return -1;
				}
				json_object_set_new(b, name, json_integer(v));
				found = 1;
			}
		if (!found) {
			char msg[96];
			snprintf(msg, sizeof msg, "this path takes no query member "
			    "\"%s\"", name);
			*err = api_error("unknown_field", msg);
			return -1;
		}
	}
	return 0;
}

/* The largest body a request may carry: a whole configuration for PUT
 * /api/config, a command's otherwise. */
size_t
api_body_max(enum api_method method, const char *path)
{
	if (method == API_PUT && (strcmp(path, "/api/config") == 0 ||
	    strcmp(path, "/api/config/") == 0))
		return LIMIT_CONFIG_BODY;
	return API_MAX_BODY;
}

/* What a 413 says: "the body is over 64 KiB". */
void
api_body_max_msg(size_t max, char *buf, size_t len)
{
	snprintf(buf, len, "the body is over %zu KiB", max / 1024);
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
	if (bodylen > api_body_max(method, path)) {
		char msg[64];

		api_body_max_msg(api_body_max(method, path), msg, sizeof msg);
		return api_fail(err, 413, "body_too_large", msg);
	}
	if (bodylen > 0 && r->takes_body) {
		b = json_loadb(body, bodylen, JSON_REJECT_DUPLICATES, &jerr);
		if (b == NULL) {
			char msg[300];
			snprintf(msg, sizeof msg, "malformed JSON at %d:%d: %s",
			    jerr.line, jerr.column, jerr.text);
			return api_fail(err, 400, "malformed_json", msg);
		}
		if (json_is_array(b) && strcmp(r->op, "notify-report") == 0)
			b = json_pack("{s:o}", "reports", b);	/* a list of reports */
		if (!json_is_object(b)) {
			json_decref(b);
			return api_fail(err, 400, "bad_request",
			    "the body must be a JSON object");
		}
	} else if (bodylen > 0)
		return api_fail(err, 400, "bad_request", "this request takes no body");
	if (b == NULL)
		b = json_object();
	if (query_members(r->op, query, b, err) == -1) {
		json_decref(b);
		return 400;
	}
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
	/* Only HTTP can carry a CSV or a metrics answer: the WebSocket's are
	 * JSON. */
	if (strcmp(r->op, "report") == 0 || strcmp(r->op, "metrics") == 0)
		json_object_set_new(b, "via", json_string("http"));
	*cmd = json_pack("{s:s, s:o}", "op", r->op, "body", b);
	if (token != NULL)
		json_object_set_new(*cmd, "token", json_string(token));
	if (strstr(r->pattern, "/windows/#") != NULL)
		json_object_set_new(*cmd, "window", json_integer(num));
	else if (strstr(r->pattern, "/tickets/#") != NULL)
		json_object_set_new(*cmd, "ticket", json_integer(num));
	else if (strstr(r->pattern, "/cases/#") != NULL)
		json_object_set_new(b, "case", json_integer(num));
	else if (strstr(r->pattern, "/$") != NULL)
		json_object_set_new(*cmd, "name", json_string(name));
	return 0;
}

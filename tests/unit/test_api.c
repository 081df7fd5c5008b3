/* test_api.c — REST paths to core commands: every route, the 404/405/413/501
 * answers, JSON bodies that are malformed or not objects, and the since/limit
 * query of the event log.  Links api.c and util.c only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "t.h"

static json_t *CMD;
static char *ERR;

/* Route one request; the status (0 = a command). */
static int
route(enum api_method m, const char *path, const char *query, const char *body,
    const char *token)
{
	int rc;

	json_decref(CMD);
	free(ERR);
	CMD = NULL;
	ERR = NULL;
	rc = api_route(m, path, query, body, body ? strlen(body) : 0, token, &CMD, &ERR);
	if (rc == 0) {
		CHECK(CMD != NULL && ERR == NULL);
	} else
		CHECK(CMD == NULL && ERR != NULL);
	return rc;
}

static const char *
op(void)
{
	const char *s = json_string_value(json_object_get(CMD, "op"));

	return s ? s : "";
}

static long long
cmd_int(const char *key)
{
	json_t *v = json_object_get(CMD, key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static long long
body_int(const char *key)
{
	json_t *v = json_object_get(json_object_get(CMD, "body"), key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* The error code in ERR. */
static const char *
err_code(void)
{
	static char code[64];
	json_t *o = ERR ? json_loads(ERR, 0, NULL) : NULL;
	const char *s = json_string_value(json_object_get(json_object_get(o, "error"),
	    "code"));

	snprintf(code, sizeof code, "%s", s ? s : "");
	json_decref(o);
	return code;
}

#define CHECK_STR(a, b) do {						\
	const char *t_sa_ = (a), *t_sb_ = (b);				\
	if (strcmp(t_sa_, t_sb_) == 0)					\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "%s:%d: FAILED: %s == \"%s\" (got \"%s\")\n", \
		    __FILE__, __LINE__, #a, t_sb_, t_sa_);		\
	}								\
} while (0)

#define CHECK_FAIL(status, code, call) do {				\
	CHECK_EQ_INT((call), status);					\
	CHECK_STR(err_code(), code);					\
} while (0)

static void
test_routes(void)
{
	static const struct {
		enum api_method	 m;
		const char	*path;
		const char	*op;
		long long	 window, ticket;
	} cases[] = {
		{ API_GET, "/api/status", "status", -1, -1 },
		{ API_POST, "/api/tickets", "issue", -1, -1 },
		{ API_GET, "/api/tickets/12", "ticket", -1, 12 },
		{ API_DELETE, "/api/tickets/12", "cancel", -1, 12 },
		{ API_GET, "/api/windows/3", "window", 3, -1 },
		{ API_POST, "/api/windows/3/call-next", "call-next", 3, -1 },
		{ API_POST, "/api/windows/28/call", "call", 28, -1 },
		{ API_POST, "/api/windows/3/recall", "recall", 3, -1 },
		{ API_POST, "/api/windows/3/start", "start", 3, -1 },
		{ API_POST, "/api/windows/3/finish", "finish", 3, -1 },
		{ API_POST, "/api/windows/3/no-show", "no-show", 3, -1 },
		{ API_POST, "/api/windows/3/hold", "hold", 3, -1 },
		{ API_POST, "/api/windows/3/transfer", "transfer", 3, -1 },
		{ API_POST, "/api/windows/3/pause", "pause", 3, -1 },
		{ API_POST, "/api/windows/3/resume", "resume", 3, -1 },
		{ API_POST, "/api/windows/3/open", "open", 3, -1 },
		{ API_POST, "/api/windows/3/close", "close", 3, -1 },
		{ API_GET, "/api/hall", "hall", -1, -1 },
		{ API_GET, "/api/events", "events", -1, -1 },
		/* A trailing slash is the same path. */
		{ API_POST, "/api/windows/7/call-next/", "call-next", 7, -1 },
		{ API_GET, "/api/tickets/5/", "ticket", -1, 5 },
		{ API_GET, "/api/windows/1000000000000", "window", 1000000000000LL, -1 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = route(cases[i].m, cases[i].path, NULL, NULL, "tok");
		CHECK_EQ_INT(rc, 0);
		if (rc != 0) {
			fprintf(stderr, "  %s: %d %s\n", cases[i].path, rc, ERR);
			continue;
		}
		CHECK_STR(op(), cases[i].op);
		CHECK_EQ_INT(cmd_int("window"), cases[i].window);
		CHECK_EQ_INT(cmd_int("ticket"), cases[i].ticket);
		CHECK_STR(json_string_value(json_object_get(CMD, "token")), "tok");
		CHECK(json_is_object(json_object_get(CMD, "body")));
		CHECK_EQ_INT(json_object_size(json_object_get(CMD, "body")), 0);
	}
	/* No token: no "token" member (the core answers 401 where it matters). */
	CHECK_EQ_INT(route(API_GET, "/api/status", NULL, NULL, NULL), 0);
	CHECK(json_object_get(CMD, "token") == NULL);
	CHECK_EQ_INT(json_object_size(CMD), 2);		/* op, body */
}

static void
test_bodies(void)
{
	json_t *b;
	char *big;
	size_t n;

	/* The body goes through as the command's body. */
	CHECK_EQ_INT(route(API_POST, "/api/tickets", NULL,
	    "{\"matter\":\"SB01\",\"class\":\"green\"}", "k1"), 0);
	b = json_object_get(CMD, "body");
	CHECK_STR(json_string_value(json_object_get(b, "matter")), "SB01");
	CHECK_STR(json_string_value(json_object_get(b, "class")), "green");
	CHECK_EQ_INT(route(API_POST, "/api/windows/3/call", NULL, "{\"ticket\":41}", "c3"), 0);
	CHECK_EQ_INT(body_int("ticket"), 41);
	CHECK_EQ_INT(cmd_int("window"), 3);
	CHECK_EQ_INT(route(API_POST, "/api/windows/3/transfer", NULL,
	    " {\"window\": 7} \n", "c3"), 0);
	CHECK_EQ_INT(body_int("window"), 7);
	CHECK_EQ_INT(cmd_int("window"), 3);
	/* An empty body is an empty object. */
	CHECK_EQ_INT(route(API_POST, "/api/windows/3/finish", NULL, "", "c3"), 0);
	CHECK_EQ_INT(json_object_size(json_object_get(CMD, "body")), 0);

	/* Malformed JSON. */
	CHECK_FAIL(400, "malformed_json", route(API_POST, "/api/tickets", NULL, "{", "k1"));
	CHECK_FAIL(400, "malformed_json",
	    route(API_POST, "/api/tickets", NULL, "{\"matter\":}", "k1"));
	CHECK_FAIL(400, "malformed_json",
	    route(API_POST, "/api/tickets", NULL, "{\"a\":1} x", "k1"));
	CHECK_FAIL(400, "malformed_json",
	    route(API_POST, "/api/tickets", NULL, "{\"a\":1,\"a\":2}", "k1"));
	CHECK_FAIL(400, "malformed_json",
	    route(API_POST, "/api/tickets", NULL, "\"SB01\"", "k1"));
	CHECK_FAIL(400, "malformed_json",
	    route(API_POST, "/api/tickets", NULL, "{\"m\":\"\xff\"}", "k1"));
	CHECK(strstr(ERR, "\"message\"") != NULL);
	/* Not an object. */
	CHECK_FAIL(400, "bad_request", route(API_POST, "/api/tickets", NULL, "[1,2]", "k1"));
	CHECK_FAIL(400, "bad_request",
	    route(API_POST, "/api/windows/3/call", NULL, "[]", "c3"));
	/* A body where none is taken. */
	CHECK_FAIL(400, "bad_request", route(API_GET, "/api/hall", NULL, "{}", "d1"));
	CHECK_FAIL(400, "bad_request", route(API_DELETE, "/api/tickets/3", NULL, "{}", "k1"));

	/* 64 KiB is the limit: one byte over is 413, exactly at it is fine. */
	n = API_MAX_BODY;
	big = malloc(n + 2);
	memset(big, ' ', n + 1);
	memcpy(big, "{\"matter\":\"SB01\"}", 17);
	big[n] = '\0';
	CHECK_EQ_INT(strlen(big), API_MAX_BODY);
	CHECK_EQ_INT(route(API_POST, "/api/tickets", NULL, big, "k1"), 0);
	big[n] = ' ';
	big[n + 1] = '\0';
	CHECK_FAIL(413, "body_too_large", route(API_POST, "/api/tickets", NULL, big, "k1"));
	/* Even garbage that large is a 413, not a parse error. */
	memset(big, '{', n + 1);
	CHECK_FAIL(413, "body_too_large", route(API_POST, "/api/tickets", NULL, big, "k1"));
	free(big);
}

static void
test_not_found(void)
{
	static const char *const paths[] = {
		"/", "/api", "/api/", "/api/nope", "/api/statusx", "/api/status/x",
		"/api/tickets/0", "/api/tickets/-1", "/api/tickets/012",
		"/api/tickets/abc", "/api/tickets/1x", "/api/tickets/12/extra",
		"/api/tickets/99999999999999999999", "/api/windows/1000000000001",
		"/api/windows/3/call-nextx", "/api/windows/3/calls",
		"/api/windows/3//call-next", "/api/windows//call-next",
		"/API/status", "/api/windows/3/call-next//",
	};
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		int rc = route(API_GET, paths[i], NULL, NULL, "t");
		if (rc != 404)
			fprintf(stderr, "  %s: %d\n", paths[i], rc);
		CHECK_FAIL(404, "not_found", rc);
	}
	/* 405: the path exists, not with this method. */
	CHECK_FAIL(405, "method_not_allowed", route(API_GET, "/api/tickets", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed", route(API_POST, "/api/status", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed", route(API_OTHER, "/api/hall", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed",
	    route(API_DELETE, "/api/windows/3", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed",
	    route(API_GET, "/api/windows/3/call-next", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed", route(API_POST, "/api/tickets/4", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed", route(API_DELETE, "/api/ratings", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed", route(API_DELETE, "/api/cases/3", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed", route(API_GET, "/api/cases/3/steps", NULL, NULL, "t"));
	CHECK_FAIL(405, "method_not_allowed", route(API_POST, "/api/reports", NULL, NULL, "t"));
	/* A case's id is in the body, over HTTP as over the WebSocket; a
	 * report asked over HTTP may be CSV. */
	CHECK_EQ_INT(route(API_POST, "/api/cases/12/steps", NULL,
	    "{\"action\":\"verify\",\"case\":99}", "t"), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(CMD,
	    "body"), "case")), 12);
	CHECK_EQ_INT(route(API_GET, "/api/reports", "from=2026-11-01&format=csv",
	    NULL, "t"), 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(CMD,
	    "body"), "via")), "http") == 0);
	CHECK_FAIL(400, "unknown_field", route(API_GET, "/api/reports", "form=x",
	    NULL, "t"));
	/* GET /metrics: text, so marked as asked over HTTP; read only. */
	CHECK_EQ_INT(route(API_GET, "/metrics", NULL, NULL, "m1"), 0);
	CHECK(strcmp(json_string_value(json_object_get(CMD, "op")), "metrics") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(CMD,
	    "body"), "via")), "http") == 0);
	CHECK_FAIL(405, "method_not_allowed", route(API_POST, "/metrics", NULL, NULL, "t"));
	/* Later parts of the hall. */
	CHECK_EQ_INT(route(API_POST, "/api/ratings", NULL, "{\"ticket\":1,\"score\":5}", "t"), 0);
	CHECK_FAIL(501, "not_implemented", route(API_GET, "/api/public/queue", NULL, NULL, NULL));
}

static void
test_query(void)
{
	CHECK_EQ_INT(route(API_GET, "/api/events", "since=5&limit=10", NULL, "d1"), 0);
	CHECK_EQ_INT(body_int("since"), 5);
	CHECK_EQ_INT(body_int("limit"), 10);
	CHECK_EQ_INT(route(API_GET, "/api/events", "limit=1000&since=0", NULL, "d1"), 0);
	CHECK_EQ_INT(body_int("since"), 0);
	CHECK_EQ_INT(body_int("limit"), 1000);
	CHECK_EQ_INT(route(API_GET, "/api/events", "since=123456789012", NULL, "d1"), 0);
	CHECK_EQ_INT(body_int("since"), 123456789012LL);
	CHECK_EQ_INT(body_int("limit"), -1);	/* absent: the core's default */
	/* Absent, or other parameters only. */
	CHECK_EQ_INT(route(API_GET, "/api/events", NULL, NULL, "d1"), 0);
	CHECK_EQ_INT(json_object_size(json_object_get(CMD, "body")), 0);
	CHECK_EQ_INT(route(API_GET, "/api/events", "", NULL, "d1"), 0);
	CHECK_EQ_INT(json_object_size(json_object_get(CMD, "body")), 0);
	CHECK_EQ_INT(route(API_GET, "/api/events", "xsince=4&foo=1&limits=3", NULL, "d1"), 0);
	CHECK_EQ_INT(json_object_size(json_object_get(CMD, "body")), 0);
	CHECK_EQ_INT(route(API_GET, "/api/events", "foo=bar&since=9", NULL, "d1"), 0);
	CHECK_EQ_INT(body_int("since"), 9);
	/* Bad values. */
	CHECK_FAIL(400, "bad_request", route(API_GET, "/api/events", "since=abc", NULL, "d1"));
	CHECK_FAIL(400, "bad_request", route(API_GET, "/api/events", "since=-1", NULL, "d1"));
	CHECK_FAIL(400, "bad_request", route(API_GET, "/api/events", "since=", NULL, "d1"));
	CHECK_FAIL(400, "bad_request", route(API_GET, "/api/events", "since=5x", NULL, "d1"));
	CHECK_FAIL(400, "bad_request",
	    route(API_GET, "/api/events", "since=99999999999999999999", NULL, "d1"));
	CHECK_FAIL(400, "bad_request", route(API_GET, "/api/events", "limit=0", NULL, "d1"));
	CHECK_FAIL(400, "bad_request", route(API_GET, "/api/events", "limit=1001", NULL, "d1"));
	CHECK_FAIL(400, "bad_request",
	    route(API_GET, "/api/events", "since=1&limit=ten", NULL, "d1"));
	/* The query is the event log's alone. */
	CHECK_EQ_INT(route(API_GET, "/api/hall", "since=abc", NULL, "d1"), 0);
	CHECK(json_object_get(json_object_get(CMD, "body"), "since") == NULL);
}

static void
test_error_shape(void)
{
	char *e = api_error("unknown_matter", "no matter \"X\"");
	json_t *o = json_loads(e, 0, NULL);

	CHECK(o != NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "error"), "code")),
	    "unknown_matter");
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "error"), "message")),
	    "no matter \"X\"");
	CHECK_EQ_INT(json_object_size(o), 1);
	json_decref(o);
	free(e);
}

int
main(void)
{
	test_routes();
	test_bodies();
	test_not_found();
	test_query();
	test_error_shape();
	json_decref(CMD);
	free(ERR);
	return t_done("api");
}

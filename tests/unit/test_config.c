/* test_config.c — the config checker: a good file parses to what it says, and
 * every error names the file, line and column of the value at fault.  Each
 * bad text marks the expected position with '@' (removed before parsing), so
 * the expected line:col is read off the text, not off the implementation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "transport.h"
#include "t.h"

/*
 * A small good hall.  BASE_* pieces are glued so each test can swap one line.
 */
#define L_HALL		"  \"hall\": {\"name\": \"示范县政务服务中心\", \"timezone\": \"Asia/Shanghai\", \"number_width\": 4},\n"
#define L_LISTEN	"  \"listen\": \"127.0.0.1:8080\",\n"
#define L_DB		"  \"database\": \"var/t.db\",\n"
#define L_WEB		"  \"web\": {\"root\": \"web\", \"event_ring\": 128},\n"
#define L_TOKENS	"  \"tokens\": {\"kiosk\": [\"k1\"], \"clerk\": {\"c3\": [3], \"c-all\": \"*\"},\n" \
			"             \"manager\": [\"m1\"], \"admin\": [\"a1\"], \"display\": [\"d1\"]},\n"
#define L_CLASSES	"  \"classes\": {\"green\": {\"head_start_s\": 900}, \"appointment\": {\"head_start_s\": 600},\n" \
			"              \"normal\": {\"head_start_s\": 0}},\n"
#define L_DOMAINS	"  \"domains\": {\"SB\": \"社会保险\", \"YB\": \"医疗保障\"},\n"
#define L_MATTERS	"  \"matters\": [\n" \
			"    {\"code\": \"SB01\", \"name\": \"社保参保登记\", \"domain\": \"SB\", \"prefix\": \"A\", \"service_s\": 360},\n" \
			"    {\"code\": \"SB02\", \"name\": \"养老保险待遇申领\", \"domain\": \"SB\", \"prefix\": \"A\"},\n" \
			"    {\"code\": \"YB01\", \"name\": \"医保参保变更\", \"domain\": \"YB\", \"prefix\": \"B\", \"target_wait_s\": 900}\n" \
			"  ],\n"
#define L_W3		"    {\"number\": 3, \"name\": \"3号窗口\", \"state\": \"open\", \"tiers\": [[\"SB01\", \"SB02\"], [\"YB01\"]], \"overflow_s\": [0, 1200]},\n"
#define L_W4		"    {\"number\": 4, \"tiers\": [[\"SB01\", \"SB02\", \"YB01\"], [\"YB01\"]], \"tier_classes\": [[\"green\"], []]}\n"
#define L_WINDOWS	"  \"windows\": [\n" L_W3 L_W4 "  ]\n"

#define GOOD	"{\n" L_HALL L_LISTEN L_DB L_WEB L_TOKENS L_CLASSES L_DOMAINS L_MATTERS L_WINDOWS "}\n"

/* Replace the first occurrence of `from` in GOOD with `to`. */
static char *
subst(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out;

	if (at == NULL) {
		fprintf(stderr, "test bug: \"%s\" not in the text\n", from);
		abort();
	}
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	memcpy(out, text, at - text);
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}

/* Where '@' is (line, column in characters, 1-based); the text without it. */
static char *
unmark(const char *marked, int *line, int *col)
{
	const char *at = strchr(marked, '@'), *p;
	char *out;

	if (at == NULL || strchr(at + 1, '@') != NULL) {
		fprintf(stderr, "test bug: need exactly one '@'\n");
		abort();
	}
	*line = 1;
	*col = 1;
	for (p = marked; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)*p & 0xC0) != 0x80)
			(*col)++;
	}
	out = malloc(strlen(marked));
	memcpy(out, marked, at - marked);
	strcpy(out + (at - marked), at + 1);
	return out;
}

static int expect_fail_count;

/* The marked text must fail at the mark with a message containing msg. */
static void
expect_err(const char *what, const char *marked, const char *msg)
{
	char err[1024], prefix[64];
	struct config *c;
	int line, col;
	char *text = unmark(marked, &line, &col);

	err[0] = '\0';
	snprintf(prefix, sizeof prefix, "t.json:%d:%d: ", line, col);
	c = config_parse("t.json", text, err, sizeof err);
	CHECK(c == NULL);
	if (strncmp(err, prefix, strlen(prefix)) != 0 || strstr(err, msg) == NULL) {
		fprintf(stderr, "  %s: want \"%s...%s\", got \"%s\"\n", what, prefix,
		    msg, err);
		expect_fail_count++;
		CHECK(0);
	} else
		CHECK(1);
	config_free(c);
	free(text);
}

/* Same, for a GOOD text with `from` replaced by the marked `to`. */
static void
expect_sub(const char *what, const char *from, const char *to, const char *msg)
{
	char *marked = subst(GOOD, from, to);

	expect_err(what, marked, msg);
	free(marked);
}

static void
test_good(void)
{
	char err[512] = "";
	struct config *c = config_parse("t.json", GOOD, err, sizeof err);
	const struct window_conf *w3, *w4;
	const struct token *t;

	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  good config refused: %s\n", err);
		return;
	}
	CHECK(strcmp(c->hall_name, "示范县政务服务中心") == 0);
	CHECK(strcmp(c->timezone, "Asia/Shanghai") == 0);
	CHECK_EQ_INT(c->number_width, 4);
	CHECK_EQ_INT(c->no_show_grace_ms, 600000);	/* default */
	CHECK(strcmp(c->policy, "default") == 0);
	CHECK(strcmp(c->listen_host, "127.0.0.1") == 0);
	CHECK_EQ_INT(c->listen_port, 8080);
	CHECK(strcmp(c->database, "var/t.db") == 0);
	CHECK(strcmp(c->web_root, "web") == 0);
	CHECK_EQ_INT(c->event_ring, 128);
	CHECK_EQ_INT(c->nclasses, 3);
	CHECK_EQ_INT(config_class(c, "green"), 0);
	CHECK_EQ_INT(config_class(c, "normal"), 2);
	CHECK_EQ_INT(c->normal_class, 2);
	CHECK_EQ_INT(config_class(c, "vip"), -1);
	CHECK_EQ_INT(c->classes[0].head_start_ms, 900000);
	CHECK_EQ_INT(c->classes[1].head_start_ms, 600000);
	CHECK_EQ_INT(c->ndomains, 2);
	CHECK_EQ_INT(c->nmatters, 3);
	CHECK_EQ_INT(config_matter(c, "YB01"), 2);
	CHECK_EQ_INT(config_matter(c, "ZZ01"), -1);
	CHECK_EQ_INT(c->matters[0].service_ms, 360000);
	CHECK_EQ_INT(c->matters[1].service_ms, 600000);	/* default */
	CHECK_EQ_INT(c->matters[1].target_wait_ms, 1800000);
	CHECK_EQ_INT(c->matters[2].target_wait_ms, 900000);
	CHECK_EQ_INT(c->matters[2].domain, 1);
	CHECK(strcmp(c->matters[2].prefix, "B") == 0);
	CHECK_EQ_INT(c->nwindows, 2);
	w3 = config_window(c, 3);
	w4 = config_window(c, 4);
	CHECK(w3 != NULL && w4 != NULL);
	CHECK(config_window(c, 5) == NULL);
	if (w3 != NULL && w4 != NULL) {
		CHECK(strcmp(w3->name, "3号窗口") == 0);
		CHECK(strcmp(w4->name, "4") == 0);	/* default name */
		CHECK(w3->initially_open);
		CHECK(!w4->initially_open);
		CHECK_EQ_INT(w3->ntiers, 2);
		CHECK_EQ_INT(w3->tiers[0].nmatters, 2);
		CHECK_EQ_INT(w3->tiers[0].matters[1], 1);
		CHECK_EQ_INT(w3->tiers[1].matters[0], 2);
		CHECK_EQ_INT(w3->tiers[0].overflow_ms, 0);
		CHECK_EQ_INT(w3->tiers[1].overflow_ms, 1200000);
		CHECK_EQ_INT(w3->tiers[0].class_mask, 7);
		CHECK(strcmp(w3->tier_codes[1][0], "YB01") == 0);
		CHECK(w3->tier_codes[1][1] == NULL);
		CHECK_EQ_INT(w4->tiers[0].class_mask, 1);	/* green only */
		CHECK_EQ_INT(w4->tiers[1].class_mask, 7);	/* [] = all */
	}
	CHECK_EQ_INT(c->ntokens, 6);
	CHECK(config_token(c, "nope") == NULL);
	CHECK(config_token(c, NULL) == NULL);
	t = config_token(c, "c3");
	CHECK(t != NULL && t->role == ROLE_CLERK);
	if (t != NULL) {
		CHECK(config_token_has_window(t, 3));
		CHECK(!config_token_has_window(t, 4));
	}
	t = config_token(c, "c-all");
	CHECK(t != NULL && config_token_has_window(t, 4));
	t = config_token(c, "m1");
	CHECK(t != NULL && t->role == ROLE_MANAGER && config_token_has_window(t, 4));
	t = config_token(c, "k1");
	CHECK(t != NULL && t->role == ROLE_KIOSK && !config_token_has_window(t, 3));
	t = config_token(c, "d1");
	CHECK(t != NULL && t->role == ROLE_DISPLAY && !config_token_has_window(t, 3));
	CHECK(strcmp(config_role_name(ROLE_ADMIN), "admin") == 0);
	config_free(c);
	config_free(NULL);
}

static void
test_errors(void)
{
	/* Unknown keys: the value of the stray key. */
	expect_sub("unknown top key", L_LISTEN,
	    "  \"listen\": \"127.0.0.1:8080\", \"lisen\": @\"x\",\n",
	    "unknown key \"lisen\"");
	expect_sub("unknown key in a window", L_W4,
	    "    {\"number\": 4, \"tiers\": [[\"SB01\"]], \"colour\": @\"red\"}\n",
	    "unknown key \"colour\"");
	expect_sub("unknown key after CJK text", L_HALL,
	    "  \"hall\": {\"name\": \"示范县政务服务中心\", \"timezone\": \"Asia/Shanghai\", \"nmae\": @1},\n",
	    "unknown key \"nmae\"");
	expect_sub("unknown key with an escape", L_HALL,
	    "  \"hall\": {\"name\": \"示范县\", \"x\\\"y\": @1, \"timezone\": \"Asia/Shanghai\"},\n",
	    "unknown key \"x\"y\"");
	expect_sub("unknown key written as \\u", L_HALL,
	    "  \"hall\": {\"\\u540d\": @1, \"name\": \"示范县\", \"timezone\": \"Asia/Shanghai\"},\n",
	    "unknown key \"名\"");
	expect_sub("unknown key in a matter", "\"prefix\": \"B\", ",
	    "\"prefix\": \"B\", \"fee\": @0, ", "unknown key \"fee\"");

	/* Wrong types and ranges. */
	expect_sub("number_width as a string", "\"number_width\": 4",
	    "\"number_width\": @\"4\"", "number_width must be an integer");
	expect_sub("number_width range", "\"number_width\": 4",
	    "\"number_width\": @9", "must be from 1 to 6");
	expect_sub("windows as an object", L_WINDOWS,
	    "  \"windows\": @{}\n", "windows must be an array");
	expect_sub("a tier that is a string", "[[\"SB01\", \"SB02\"], [\"YB01\"]]",
	    "[[\"SB01\", \"SB02\"], @\"YB01\"]", "a tier is a non-empty array");
	expect_sub("head start negative", "{\"head_start_s\": 600}",
	    "{\"head_start_s\": @-1}", "must be from 0 to 86400");
	expect_sub("event_ring below 64", "\"event_ring\": 128",
	    "\"event_ring\": @8", "must be from 64");
	expect_sub("empty database", L_DB, "  \"database\": @\"\",\n",
	    "must not be empty");

	/* Dangling references. */
	expect_sub("unknown matter in a tier", "[[\"SB01\", \"SB02\"], [\"YB01\"]]",
	    "[[\"SB01\", @\"SB09\"], [\"YB01\"]]", "unknown matter \"SB09\"");
	expect_sub("unknown matter in tier 2, window 4",
	    "[[\"SB01\", \"SB02\", \"YB01\"], [\"YB01\"]]",
	    "[[\"SB01\", \"SB02\", \"YB01\"], [@\"YB07\"]]", "unknown matter \"YB07\"");
	expect_sub("matter twice in a tier", "[[\"SB01\", \"SB02\"], [\"YB01\"]]",
	    "[[\"SB01\", @\"SB01\"], [\"YB01\"]]", "twice in a tier");
	expect_sub("unknown domain", "\"domain\": \"YB\", \"prefix\": \"B\"",
	    "\"domain\": @\"XX\", \"prefix\": \"B\"", "unknown domain \"XX\"");
	expect_sub("unknown class in tier_classes", "[[\"green\"], []]",
	    "[[@\"gold\"], []]", "unknown class \"gold\"");
	expect_sub("tier_classes count", "\"tier_classes\": [[\"green\"], []]",
	    "\"tier_classes\": @[[\"green\"]]", "one entry per tier");
	expect_sub("overflow_s count", "\"overflow_s\": [0, 1200]",
	    "\"overflow_s\": @[0]", "one entry per tier");
	expect_sub("overflow_s range", "\"overflow_s\": [0, 1200]",
	    "\"overflow_s\": [0, @100000]", "must be from 0 to 86400");

	/* Duplicates the checker finds. */
	expect_sub("duplicate window", L_W4,
	    "    {\"number\": @3, \"tiers\": [[\"SB01\"]]}\n", "window 3 is given twice");
	expect_sub("duplicate matter", "{\"code\": \"SB02\"",
	    "{\"code\": @\"SB01\"", "matter \"SB01\" is given twice");
	expect_sub("duplicate token", "\"display\": [\"d1\"]",
	    "\"display\": [@\"k1\"]", "token \"k1\" is given twice");
	expect_sub("clerk token for a window that does not exist",
	    "\"c3\": [3]", "\"c3\": [3, @99]", "no window 99");
	expect_sub("clerk token mapping", "\"c-all\": \"*\"",
	    "\"c-all\": @\"all\"", "maps to [window numbers]");

	/* listen. */
	expect_sub("listen without port", L_LISTEN,
	    "  \"listen\": @\"127.0.0.1\",\n", "listen must be \"HOST:PORT\"");
	expect_sub("listen port too big", L_LISTEN,
	    "  \"listen\": @\"127.0.0.1:70000\",\n", "bad port");
	expect_sub("listen port not a number", L_LISTEN,
	    "  \"listen\": @\"127.0.0.1:80x\",\n", "bad port");
	expect_sub("listen without host", L_LISTEN,
	    "  \"listen\": @\":8080\",\n", "HOST:PORT");
	expect_sub("listen as a number", L_LISTEN,
	    "  \"listen\": @8080,\n", "listen must be a string");

	/* Whole-file and hall checks. */
	expect_sub("unknown time zone", "\"timezone\": \"Asia/Shanghai\"",
	    "\"timezone\": @\"Mars/Olympus\"", "unknown time zone");
	expect_sub("time zone path", "\"timezone\": \"Asia/Shanghai\"",
	    "\"timezone\": @\"../etc/passwd\"", "bad time zone");
	expect_sub("unknown policy", "\"number_width\": 4",
	    "\"number_width\": 4, \"policy\": @\"random\"", "unknown policy");
	expect_sub("no normal class", L_CLASSES,
	    "  \"classes\": @{\"green\": {\"head_start_s\": 900}, \"appointment\": {\"head_start_s\": 600}},\n",
	    "class \"normal\" is required");
	/* A missing key: the object that lacks it. */
	expect_sub("matter without prefix", "{\"code\": \"SB02\", \"name\": \"养老保险待遇申领\", \"domain\": \"SB\", \"prefix\": \"A\"}",
	    "@{\"code\": \"SB02\", \"name\": \"养老保险待遇申领\", \"domain\": \"SB\"}",
	    "missing key \"prefix\"");
	expect_sub("no windows key", L_WINDOWS, "  \"w\": @[]\n", "unknown key \"w\"");
	expect_err("top level not an object", "@[1, 2]", "configuration must be an object");

	/* JSON syntax: jansson's position (the last character it read). */
	expect_sub("missing comma", L_DB,
	    "  \"database\": \"var/t.db\"\n  \"web@\": {},\n", "'}' expected");
	expect_sub("trailing comma", "\"display\": [\"d1\"]}",
	    "\"display\": [\"d1\"],@}", "string or '}' expected");
	expect_sub("duplicate key", "\"number_width\": 4",
	    "\"number_width\": 4, \"name@\": \"x\"", "duplicate object key");
	expect_sub("bad literal", "\"state\": \"open\"", "\"state\": ope@n",
	    "invalid token");
}

/* Errors jansson places at column 0 (end of input), and files. */
static void
test_eof_and_files(void)
{
	char err[512];
	struct config *c;

	c = config_parse("t.json", "{\n  \"hall\": {\n", err, sizeof err);
	CHECK(c == NULL);
	CHECK(strncmp(err, "t.json:3:0: ", 12) == 0);
	c = config_parse("t.json", "", err, sizeof err);
	CHECK(c == NULL);
	CHECK(strncmp(err, "t.json:1:0: ", 12) == 0);
	c = config_load("/nonexistent/hallq.json", err, sizeof err);
	CHECK(c == NULL);
	CHECK(strncmp(err, "/nonexistent/hallq.json:0:0: ", 29) == 0);
	CHECK(strstr(err, "No such file") != NULL);
}

/* The demo hall the project ships, as tools/mkhall.py wrote it. */
static void
test_demo_hall(void)
{
	char err[512] = "";
	struct config *c = config_load("etc/hallq.json", err, sizeof err);
	const struct window_conf *w;
	int i, green, normal;

	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  etc/hallq.json: %s\n", err);
		return;
	}
	CHECK(strcmp(c->hall_name, "示范县政务服务中心") == 0);
	CHECK_EQ_INT(c->nmatters, 23);
	CHECK_EQ_INT(c->nwindows, 28);
	CHECK_EQ_INT(c->number_width, 3);
	CHECK_EQ_INT(c->no_show_grace_ms, 600000);
	CHECK_EQ_INT(c->listen_port, 8080);
	CHECK(strcmp(c->database, "var/hallq.db") == 0);
	/* ... an evaluator per window, the portal and the hotline */
	CHECK_EQ_INT(c->ntokens, 2 + 29 + 3 + 28 + 2);
	/* Its hours: weekdays 08:30–12:00 and 13:30–17:30, the lunch-time
	 * windows 1, 2 and 21 through lunch, 1 and 2 on Saturday mornings,
	 * the 2026 holidays and make-up days, 22 bookable matters. */
	CHECK(c->has_hours && c->appt.enabled);
	CHECK_EQ_INT(c->cal.hall.day[CALENDAR_MON].n, 2);
	CHECK_EQ_INT(c->cal.hall.day[CALENDAR_SAT].n, 0);
	CHECK(calendar_is_holiday(&c->cal, calendar_day_from_ymd(2026, 10, 1)));
	CHECK(calendar_is_workday(&c->cal, calendar_day_from_ymd(2026, 10, 10)));
	CHECK(config_window(c, 21)->has_hours &&
	    config_window(c, 21)->hours.day[CALENDAR_TUE].n == 1 &&
	    config_window(c, 21)->hours.day[CALENDAR_TUE].p[0].start == 8 * 60 + 30 &&
	    config_window(c, 21)->hours.day[CALENDAR_TUE].p[0].end == 17 * 60 + 30);
	CHECK(config_window(c, 1)->hours.day[CALENDAR_SAT].n == 1);
	CHECK(!config_window(c, 5)->has_hours);
	CHECK_EQ_INT(c->matters[config_matter(c, "ZX01")].capacity_per_slot, 0);
	CHECK_EQ_INT(c->matters[config_matter(c, "SB01")].capacity_per_slot, 3);
	CHECK(config_matter(c, "ZX01") >= 0);
	CHECK_EQ_INT(c->matters[config_matter(c, "GC01")].service_ms, 1800000);
	green = config_class(c, "green");
	normal = config_class(c, "normal");
	CHECK(green >= 0 && normal >= 0);
	for (i = 1; i <= 28; i++) {
		const struct token *t;
		char name[16];
		snprintf(name, sizeof name, "c%d", i);
		t = config_token(c, name);
		CHECK(t != NULL && config_token_has_window(t, i) &&
		    !config_token_has_window(t, i % 28 + 1));
		w = config_window(c, i);
		CHECK(w != NULL && w->initially_open);
	}
	/* 无差别: SB YB GJJ GA JG MZ + ZX01 = 3+3+2+2+2+1+1. */
	w = config_window(c, 1);
	CHECK_EQ_INT(w->ntiers, 1);
	CHECK_EQ_INT(w->tiers[0].nmatters, 14);
	/* 不动产 then 公积金 at 900 s. */
	w = config_window(c, 15);
	CHECK_EQ_INT(w->ntiers, 2);
	CHECK_EQ_INT(w->tiers[0].nmatters, 3);
	CHECK_EQ_INT(w->tiers[1].nmatters, 2);
	CHECK(strcmp(w->tier_codes[1][1], "GJJ02") == 0);
	CHECK_EQ_INT(w->tiers[1].overflow_ms, 900000);
	w = config_window(c, 21);
	CHECK_EQ_INT(w->tiers[0].nmatters, 4);		/* QY01-03, GC01 */
	w = config_window(c, 22);
	CHECK(strcmp(w->tier_codes[0][0], "SW01") == 0);
	CHECK_EQ_INT(w->tiers[1].nmatters, 3);
	/* 绿色通道: every matter, green only; then every matter, all classes. */
	w = config_window(c, 25);
	CHECK_EQ_INT(w->ntiers, 2);
	CHECK_EQ_INT(w->tiers[0].nmatters, 23);
	CHECK_EQ_INT(w->tiers[0].class_mask, 1u << green);
	CHECK_EQ_INT(w->tiers[1].nmatters, 23);
	CHECK_EQ_INT(w->tiers[1].class_mask, (1u << c->nclasses) - 1);
	w = config_window(c, 26);
	CHECK_EQ_INT(w->tiers[0].nmatters, 23);
	w = config_window(c, 27);
	CHECK_EQ_INT(w->tiers[0].nmatters, 8);
	w = config_window(c, 28);
	CHECK_EQ_INT(w->tiers[0].nmatters, 1);
	CHECK(strcmp(w->kind, "办不成事反映窗口") == 0);
	config_free(c);
}

/* Devices and voice: defaults, and each error at its place. */
#define DEV_W3	"{\"name\": \"w3-strip\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"bx\", \"address\": 3, \"transport\": \"tty:/dev/pts/7\"}"
#define DEV_BOARD "{\"name\": \"board\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": \"tcp:10.0.0.50:5005\", \"rows\": 6, \"mode\": \"up\", \"charset\": \"GB18030\"}"
#define DEV_MB	"{\"name\": \"w4-num\", \"role\": \"window_display\", \"window\": 4, \"protocol\": \"modbus\", \"address\": 4, \"transport\": \"serial:/dev/ttyUSB0?baud=9600\"}"

static char *
with_devices(const char *devices)
{
	char *text = malloc(strlen(GOOD) + strlen(devices) + 64);
	size_t n = strlen(GOOD);

	/* GOOD ends "  ]\n}\n": put the list after the windows. */
	memcpy(text, GOOD, n - 3);
	sprintf(text + n - 3, ",\n%s\n}\n", devices);
	return text;
}

static void
dev_err(const char *what, const char *devices, const char *msg)
{
	char *text = with_devices(devices);

	expect_err(what, text, msg);
	free(text);
}

static void
test_devices(void)
{
	char err[512] = "", *text;
	struct config *c;
	const struct device_conf *d;

	text = with_devices("  \"devices\": [" DEV_W3 ", " DEV_BOARD ", " DEV_MB "],\n"
	    "  \"voice\": {\"languages\": [\"zh\", \"en\"], \"repeat\": 3, \"player\": \"aplay -q\"}");
	c = config_parse("t.json", text, err, sizeof err);
	free(text);
	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  devices refused: %s\n", err);
		return;
	}
	CHECK_EQ_INT(c->ndevices, 3);
	d = config_device(c, "w3-strip");
	CHECK(d != NULL && d->role == DEVROLE_WINDOW_DISPLAY && d->window == 3 &&
	    d->address == 3 && d->proto == DEVPROTO_BX && d->width == 16 &&
	    d->rows == 1 && d->reply_ms == 300 && strcmp(d->charset, "GB2312") == 0 &&
	    strcmp(d->texts[DEVTEXT_CALLED], "{number} 请到{window}号窗口") == 0);
	d = config_device(c, "board");
	CHECK(d != NULL && d->role == DEVROLE_HALL_BOARD && d->rows == 6 &&
	    d->width == 32 && d->mode == 5 && d->address == 1 &&
	    strcmp(d->charset, "GB18030") == 0 && strcmp(d->spec->path, "10.0.0.50") == 0 &&
	    d->spec->port == 5005);
	d = config_device(c, "w4-num");
	CHECK(d != NULL && d->proto == DEVPROTO_MODBUS && d->spec->baud == 9600);
	CHECK(config_device(c, "nothing") == NULL);
	CHECK_EQ_INT(c->voice.nlangs, 2);
	CHECK(strcmp(c->voice.langs[1], "en") == 0);
	CHECK_EQ_INT(c->voice.repeat, 3);
	CHECK(strcmp(c->voice.player, "aplay -q") == 0);
	CHECK(strcmp(c->voice.dir, "web/voice") == 0);
	CHECK(strcmp(config_window(c, 3)->paused_text, "暂停服务") == 0);
	config_free(c);

	/* Without a voice section: Chinese, twice, no player. */
	c = config_parse("t.json", GOOD, err, sizeof err);
	CHECK(c != NULL && c->voice.nlangs == 1 && c->voice.repeat == 2 &&
	    c->voice.player == NULL && c->ndevices == 0);
	config_free(c);

	dev_err("unknown role", "  \"devices\": [{\"name\": \"x\", \"role\": @\"toaster\", \"protocol\": \"bx\", \"transport\": \"tty:/dev/x\"}]",
	    "unknown role \"toaster\"");
	dev_err("printer without kiosk", "  \"devices\": [@{\"name\": \"x\", \"role\": \"printer\", \"protocol\": \"escpos\", \"transport\": \"tcp:10.0.0.60:9100\"}]",
	    "needs \"kiosk\"");
	dev_err("printer for a clerk", "  \"devices\": [{\"name\": \"x\", \"role\": \"printer\", \"protocol\": \"escpos\", \"kiosk\": @\"c3\", \"transport\": \"tcp:10.0.0.60:9100\"}]",
	    "not a kiosk token");
	dev_err("keypad bus without map", "  \"devices\": [@{\"name\": \"x\", \"role\": \"keypad_bus\", \"protocol\": \"ft12\", \"transport\": \"tty:/dev/x\"}]",
	    "needs \"map\"");
	dev_err("keypad bus map window", "  \"devices\": [{\"name\": \"x\", \"role\": \"keypad_bus\", \"protocol\": \"ft12\", \"map\": {\"1\": @7}, \"transport\": \"tty:/dev/x\"}]",
	    "no window 7");
	dev_err("keypad bus speaks ft12", "  \"devices\": [{\"name\": \"x\", \"role\": \"keypad_bus\", \"protocol\": @\"bx\", \"map\": {\"1\": 3}, \"transport\": \"tty:/dev/x\"}]",
	    "a keypad_bus speaks ft12");
	dev_err("remote key", "  \"devices\": [{\"name\": \"x\", \"role\": \"remote_receiver\", \"protocol\": \"ev1527\", \"keys\": {\"1\": @\"dance\"}, \"transport\": \"tty:/dev/x\"}]",
	    "a remote key does");
	dev_err("remote id", "  \"devices\": [{\"name\": \"x\", \"role\": \"remote_receiver\", \"protocol\": \"ev1527\", \"remotes\": {\"XYZ\": @3}, \"transport\": \"tty:/dev/x\"}]",
	    "hex digits");
	dev_err("unknown protocol", "  \"devices\": [{\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"protocol\": @\"morse\", \"transport\": \"tty:/dev/x\"}]",
	    "unknown protocol");
	dev_err("board not bx", "  \"devices\": [{\"name\": \"x\", \"role\": \"hall_board\", \"protocol\": @\"ft12\", \"transport\": \"tty:/dev/x\"}]",
	    "a hall_board speaks bx");
	dev_err("bad transport", "  \"devices\": [{\"name\": \"x\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": @\"usb:thing\"}]",
	    "a transport is");
	dev_err("tcp name", "  \"devices\": [{\"name\": \"x\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": @\"tcp:board.local:5005\"}]",
	    "must be an IP address");
	dev_err("relative path", "  \"devices\": [{\"name\": \"x\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": @\"tty:dev/x\"}]",
	    "absolute");
	dev_err("no window", "  \"devices\": [@{\"name\": \"x\", \"role\": \"window_display\", \"protocol\": \"bx\", \"transport\": \"tty:/dev/x\"}]",
	    "needs \"window\"");
	dev_err("unknown window", "  \"devices\": [{\"name\": \"x\", \"role\": \"window_display\", \"window\": @9, \"protocol\": \"bx\", \"transport\": \"tty:/dev/x\"}]",
	    "no window 9");
	dev_err("board with window", "  \"devices\": [@{\"name\": \"x\", \"role\": \"hall_board\", \"window\": 3, \"protocol\": \"bx\", \"transport\": \"tty:/dev/x\"}]",
	    "no \"window\"");
	dev_err("modbus address", "  \"devices\": [{\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"modbus\", \"address\": @248, \"transport\": \"tty:/dev/x\"}]",
	    "from 1 to 247");
	dev_err("twice", "  \"devices\": [" DEV_W3 ", {\"name\": @\"w3-strip\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": \"tty:/dev/y\"}]",
	    "given twice");
	dev_err("bad name", "  \"devices\": [{\"name\": @\"w 3\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": \"tty:/dev/y\"}]",
	    "letters, digits");
	dev_err("line protocols", "  \"devices\": [" DEV_W3 ", {\"name\": \"p\", \"role\": \"window_display\", \"window\": 4, \"protocol\": \"ft12\", \"transport\": @\"tty:/dev/pts/7\"}]",
	    "must speak one protocol");
	dev_err("line address", "  \"devices\": [" DEV_W3 ", {\"name\": \"p\", \"role\": \"window_display\", \"window\": 4, \"protocol\": \"bx\", \"address\": 3, \"transport\": @\"tty:/dev/pts/7\"}]",
	    "share tty:/dev/pts/7 and address 3");
	dev_err("bad charset", "  \"devices\": [{\"name\": \"x\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": \"tty:/dev/y\", \"charset\": @\"BIG5\"}]",
	    "GB2312 or GB18030");
	dev_err("bad mode", "  \"devices\": [{\"name\": \"x\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": \"tty:/dev/y\", \"mode\": @\"spin\"}]",
	    "unknown mode");
	dev_err("modbus silent", "  \"devices\": [@{\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"modbus\", \"reply_ms\": 0, \"transport\": \"tty:/dev/y\"}]",
	    "reply_ms above 0");
	dev_err("strip rows", "  \"devices\": [@{\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"bx\", \"rows\": 2, \"transport\": \"tty:/dev/y\"}]",
	    "one row");
	dev_err("unknown key", "  \"devices\": [{\"name\": \"x\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": \"tty:/dev/y\", \"colour\": @1}]",
	    "unknown key \"colour\"");
	/* Clerks with names (recorded with ratings). */
	{
		char *t2 = subst(GOOD, "\"c3\": [3]", "\"c3\": {\"windows\": [3], \"name\": \"王芳\"}");
		c = config_parse("t.json", t2, err, sizeof err);
		free(t2);
		CHECK(c != NULL && strcmp(config_token(c, "c3")->name, "王芳") == 0 &&
		    config_token(c, "c3")->windows[0] == 3 &&
		    strcmp(config_token(c, "c-all")->name, "clerk2") == 0 &&
		    config_window_clerk(c, 3) == config_token(c, "c3") &&
		    config_window_clerk(c, 4) == config_token(c, "c-all") &&
		    c->rating_timeout_ms == 300000 &&
		    strcmp(c->public_url, "http://127.0.0.1:8080") == 0);
		config_free(c);
	}
	expect_sub("clerk bad key", "\"c3\": [3]", "\"c3\": {\"windows\": [3], \"x\": @1}",
	    "unknown key \"x\"");
	expect_sub("clerk no windows", "\"c3\": [3]", "\"c3\": @{\"name\": \"王芳\"}",
	    "missing key \"windows\"");
	expect_sub("clerk bad window", "\"c3\": [3]", "\"c3\": {\"windows\": [@0]}",
	    "from 1 to 9999");
	expect_sub("public url", "\"number_width\": 4", "\"number_width\": 4, \"public_url\": @\"ftp://x\"",
	    "http://");
	dev_err("voice language", "  \"voice\": {\"languages\": [@\"fr\"]}",
	    "unknown language \"fr\"");
	dev_err("voice repeat", "  \"voice\": {\"repeat\": @9}", "from 1 to 5");
}

/* name_en: the hall, a domain (plain name or {"name", "name_en"}), a matter
 * and a window may carry an English name; absent, it is NULL. */
static void
test_name_en(void)
{
	char err[512] = "", *t1, *t2, *t3, *t4;
	struct config *c;

	c = config_parse("t.json", GOOD, err, sizeof err);
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(c->hall_name_en == NULL);
		CHECK(c->domains[0].name_en == NULL);
		CHECK(c->matters[0].name_en == NULL);
		CHECK(config_window(c, 3)->name_en == NULL);
		config_free(c);
	}
	t1 = subst(GOOD, "\"timezone\": \"Asia/Shanghai\"",
	    "\"name_en\": \"Demo County Service Centre\", \"timezone\": \"Asia/Shanghai\"");
	t2 = subst(t1, "\"SB\": \"社会保险\"",
	    "\"SB\": {\"name\": \"社会保险\", \"name_en\": \"Social Insurance\"}");
	t3 = subst(t2, "\"name\": \"医保参保变更\"",
	    "\"name\": \"医保参保变更\", \"name_en\": \"Medical insurance changes\"");
	t4 = subst(t3, "\"name\": \"3号窗口\"",
	    "\"name\": \"3号窗口\", \"name_en\": \"Window 3\", \"kind_en\": \"All services\"");
	c = config_parse("t.json", t4, err, sizeof err);
	CHECK(c != NULL);
	if (c == NULL)
		fprintf(stderr, "  name_en config refused: %s\n", err);
	else {
		CHECK(strcmp(c->hall_name_en, "Demo County Service Centre") == 0);
		CHECK(strcmp(c->domains[0].name, "社会保险") == 0);
		CHECK(strcmp(c->domains[0].name_en, "Social Insurance") == 0);
		CHECK(strcmp(c->domains[1].name, "医疗保障") == 0);
		CHECK(c->domains[1].name_en == NULL);
		CHECK(c->matters[0].name_en == NULL);
		CHECK(strcmp(c->matters[2].name_en, "Medical insurance changes") == 0);
		CHECK(strcmp(config_window(c, 3)->name_en, "Window 3") == 0);
		CHECK(strcmp(config_window(c, 3)->kind_en, "All services") == 0);
		CHECK(config_window(c, 4)->name_en == NULL);
		config_free(c);
	}
	free(t1);
	free(t2);
	free(t3);
	free(t4);

	expect_sub("hall name_en a number", "\"number_width\": 4",
	    "\"number_width\": 4, \"name_en\": @5", "name_en must be a string");
	expect_sub("matter name_en empty", "\"name\": \"医保参保变更\"",
	    "\"name\": \"医保参保变更\", \"name_en\": @\"\"", "name_en must not be empty");
	expect_sub("window name_en a list", "\"name\": \"3号窗口\"",
	    "\"name\": \"3号窗口\", \"name_en\": @[\"Window 3\"]", "name_en must be a string");
	expect_sub("domain name_en a number", "\"SB\": \"社会保险\"",
	    "\"SB\": {\"name\": \"社会保险\", \"name_en\": @1}", "name_en must be a string");
	expect_sub("domain without name", "\"SB\": \"社会保险\"",
	    "\"SB\": @{\"name_en\": \"Social Insurance\"}", "missing key \"name\"");
	expect_sub("domain unknown key", "\"SB\": \"社会保险\"",
	    "\"SB\": {\"name\": \"社会保险\", \"en\": @\"x\"}", "unknown key \"en\"");
	expect_sub("domain a number", "\"SB\": \"社会保险\"",
	    "\"SB\": @7", "a domain is a name or");
}

/* jsonpos directly: paths through objects and arrays. */
static void
test_jsonpos(void)
{
	static const char text[] = "{\"a\": [1, {\"b\": \"中文\", \"c\": [true, null]}],\n \"d\": 2}";
	struct jsonpos_step p1[] = { { "a", 0 }, { NULL, 1 }, { "c", 0 }, { NULL, 1 } };
	struct jsonpos_step p2[] = { { "d", 0 } };
	struct jsonpos_step p3[] = { { "a", 0 }, { NULL, 5 } };
	int line, col;

	CHECK_EQ_INT(jsonpos_locate(text, p1, 4, &line, &col), 0);
	CHECK_EQ_INT(line, 1);
	CHECK_EQ_INT(col, 35);
	CHECK_EQ_INT(jsonpos_locate(text, p2, 1, &line, &col), 0);
	CHECK_EQ_INT(line, 2);
	CHECK_EQ_INT(col, 7);
	CHECK_EQ_INT(jsonpos_locate(text, p3, 2, &line, &col), -1);
}

/* "hours", "calendar", "appointments" and their errors, at the value. */
#define L_HOURS	"  \"hours\": {\"mon\": [[\"08:30\", \"12:00\"], [\"13:30\", \"17:30\"]], \"sat\": []},\n"
#define L_CAL	"  \"calendar\": {\"holidays\": [\"2026-10-01\"], \"workdays\": [\"2026-10-10\"]},\n"
#define L_APPT	"  \"appointments\": {\"slot_min\": 30, \"horizon_days\": 7},\n"
#define HOURS_GOOD "{\n" L_HALL L_LISTEN L_DB L_WEB L_TOKENS L_CLASSES L_DOMAINS \
	L_HOURS L_CAL L_APPT \
	"  \"matters\": [\n" \
	"    {\"code\": \"SB01\", \"name\": \"社保参保登记\", \"domain\": \"SB\", \"prefix\": \"A\", \"appointment\": {\"capacity_per_slot\": 4}}\n" \
	"  ],\n" \
	"  \"windows\": [\n" \
	"    {\"number\": 3, \"tiers\": [[\"SB01\"]], \"hours\": {\"mon\": [[\"08:30\", \"17:30\"]]}}\n" \
	"  ]\n}\n"

static void
expect_hours(const char *what, const char *from, const char *to, const char *msg)
{
	char *marked = subst(HOURS_GOOD, from, to);

	expect_err(what, marked, msg);
	free(marked);
}

static void
test_hours(void)
{
	char err[512] = "", *text;
	struct config *c = config_parse("t.json", HOURS_GOOD, err, sizeof err);

	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  hours: %s\n", err);
		return;
	}
	CHECK(c->has_hours && c->appt.enabled);
	CHECK_EQ_INT(c->cal.hall.day[CALENDAR_MON].n, 2);
	CHECK_EQ_INT(c->cal.hall.day[CALENDAR_MON].p[1].start, 13 * 60 + 30);
	CHECK_EQ_INT(c->cal.hall.day[CALENDAR_TUE].n, 0);
	CHECK_EQ_INT(c->cal.nholidays, 1);
	CHECK_EQ_INT(c->cal.nworkdays, 1);
	CHECK_EQ_INT(c->appt.slot_min, 30);
	CHECK_EQ_INT(c->appt.late_min, 15);		/* defaults */
	CHECK_EQ_INT(c->appt.share_pct, 50);
	CHECK_EQ_INT(c->appt.suspend_no_shows, 0);	/* off unless given */
	CHECK_EQ_INT(c->closing_notice_ms, 30 * 60 * 1000);
	CHECK_EQ_INT(c->matters[0].capacity_per_slot, 4);
	CHECK(c->windows[0].has_hours &&
	    (c->windows[0].hours.set & (1u << CALENDAR_MON)) &&
	    !(c->windows[0].hours.set & (1u << CALENDAR_TUE)));
	config_free(c);

	/* Without "hours" nothing changes: open at every hour. */
	text = subst(GOOD, "x", "x");
	c = config_parse("t.json", GOOD, err, sizeof err);
	CHECK(c != NULL && !c->has_hours && !c->appt.enabled);
	config_free(c);
	free(text);

	expect_hours("bad HH:MM", "\"08:30\", \"12:00\"", "@\"8:30\", \"12:00\"",
	    "is not HH:MM");
	expect_hours("minute 60", "\"08:30\", \"12:00\"", "\"08:30\", @\"12:60\"",
	    "out of range");
	expect_hours("24:00 may end a period", "\"13:30\", \"17:30\"",
	    "\"13:30\", \"24:00\"], @[\"13:00\", \"14:00\"", "overlaps");
	expect_hours("ends before it starts", "[\"13:30\", \"17:30\"]",
	    "@[\"17:30\", \"13:30\"]", "must end after it starts");
	expect_hours("unknown weekday", "\"sat\": []", "\"sam\": @[]",
	    "unknown weekday \"sam\"");
	expect_hours("a period that is not a pair", "\"sat\": []",
	    "\"sat\": [@[\"09:00\"]]", "a period is");
	expect_hours("bad date", "\"2026-10-01\"", "@\"2026-02-30\"",
	    "day 30 is not in 2026-02");
	expect_hours("holiday and workday", "\"workdays\": [\"2026-10-10\"]",
	    "\"workdays\": [@\"2026-10-01\"]", "both a holiday and a workday");
	expect_hours("slot_min range", "\"slot_min\": 30", "\"slot_min\": @1",
	    "must be from 5 to 240");
	expect_hours("unknown appointments key", "\"horizon_days\": 7",
	    "\"horizon_days\": 7, \"horizon\": @7", "unknown key \"horizon\"");
	expect_hours("capacity negative", "{\"capacity_per_slot\": 4}",
	    "{\"capacity_per_slot\": @-1}", "must be from 0 to 1000");
	expect_hours("purge before the no-shows are counted", "\"horizon_days\": 7",
	    "\"horizon_days\": 7, \"purge_days\": @5, \"suspend\": "
	    "{\"no_shows\": 3, \"within_days\": 30, \"days\": 30}",
	    "must be at least suspend.within_days");
	expect_hours("makeup weekday", "\"workdays\": [\"2026-10-10\"]",
	    "\"workdays\": [\"2026-10-10\"], \"makeup_weekday\": @\"sat\"",
	    "makeup_weekday must be");
	{
		/* Bookable, or window hours, without the hall's hours. */
		char *a = subst(HOURS_GOOD, L_HOURS, "");
		char *b = subst(a, "{\"capacity_per_slot\": 4}", "@{\"capacity_per_slot\": 4}");
		expect_err("bookable without hours", b, "the hall has no \"hours\"");
		free(b);
		b = subst(HOURS_GOOD, L_APPT, "");
		free(a);
		a = subst(b, "{\"capacity_per_slot\": 4}", "@{\"capacity_per_slot\": 4}");
		expect_err("bookable without appointments", a, "no \"appointments\"");
		free(a);
		free(b);
		a = subst(HOURS_GOOD, L_HOURS, "");
		b = subst(a, "{\"capacity_per_slot\": 4}", "{\"capacity_per_slot\": 0}");
		free(a);
		a = subst(b, "\"hours\": {\"mon\"", "\"hours\": @{\"mon\"");
		expect_err("window hours without the hall's", a, "the hall has none");
		free(a);
		free(b);
	}
}

/* "notify" and its errors at the value. */
#define L_NOTIFY "  \"notify\": {\"gateway\": {\"kind\": \"kannel\", \"url\": \"http://127.0.0.1:13013/cgi-bin/sendsms\", \"username\": \"u\", \"password\": \"p\"}, \"templates\": {\"called\": \"请{number}号到{window}号窗口\"}, \"ahead_at\": 3},\n"
#define NOTIFY_GOOD "{\n" L_HALL L_LISTEN L_DB L_WEB L_TOKENS L_CLASSES L_DOMAINS \
	L_NOTIFY L_MATTERS L_WINDOWS "}\n"

static void
expect_notify(const char *what, const char *from, const char *to, const char *msg)
{
	char *marked = subst(NOTIFY_GOOD, from, to);

	expect_err(what, marked, msg);
	free(marked);
}

static void
test_notify(void)
{
	char err[512] = "";
	struct config *c = config_parse("t.json", NOTIFY_GOOD, err, sizeof err);

	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  notify: %s\n", err);
		return;
	}
	CHECK(c->notify.enabled && c->notify.gateway == NOTIFY_KANNEL);
	CHECK(strcmp(c->notify.url.host, "127.0.0.1") == 0);
	CHECK_EQ_INT(c->notify.url.port, 13013);
	CHECK(strcmp(c->notify.url.path, "/cgi-bin/sendsms") == 0);
	CHECK(!c->notify.url.tls);
	CHECK(strcmp(c->notify.templates[NK_CALLED], "请{number}号到{window}号窗口") == 0);
	CHECK(strstr(c->notify.templates[NK_AHEAD], "{ahead}") != NULL);	/* default */
	CHECK_EQ_INT(c->notify.ahead_at, 3);
	CHECK_EQ_INT(c->notify.retry_attempts, 8);
	config_free(c);

	expect_notify("unknown kind", "\"templates\": {\"called\"",
	    "\"templates\": {\"calld\": @\"x\", \"called\"",
	    "unknown message kind \"calld\"");
	expect_notify("unknown placeholder", "\"请{number}号到{window}号窗口\"",
	    "@\"请{numbr}号\"", "unknown placeholder {numbr}");
	{
		char *a = subst(NOTIFY_GOOD, "\"username\": \"u\", ", "");
		char *b = subst(a, "\"gateway\": {", "\"gateway\": @{");
		expect_err("kannel without a user", b, "needs \"username\" and "
		    "\"password\"");
		free(a);
		free(b);
	}
	expect_notify("a URL of another scheme", "\"http://127.0.0.1:13013/cgi-bin/sendsms\"",
	    "@\"ftp://x/\"", "must start with http:// or https://");
	expect_notify("a bad port", "\"http://127.0.0.1:13013/cgi-bin/sendsms\"",
	    "@\"http://h:99999/\"", "port must be 1 to 65535");
	{
		char *a = subst(NOTIFY_GOOD, "\"kind\": \"kannel\"",
		    "\"kind\": \"http\", \"sign_name\": \"x\"");
		char *b = subst(a, "\"gateway\": {", "\"gateway\": @{");
		expect_err("http without template ids", b,
		    "needs template_ids for every kind not disabled");
		free(a);
		free(b);
	}
	expect_notify("quiet hours", "\"ahead_at\": 3",
	    "\"ahead_at\": 3, \"quiet_hours\": [\"21:00\", @\"8:00\"]", "is not HH:MM");
	{
		/* https with a CA file. */
		char *t = subst(NOTIFY_GOOD, "\"http://127.0.0.1:13013/cgi-bin/sendsms\"",
		    "\"https://sms.example.cn/send\", \"ca_file\": \"/etc/ca.pem\"");
		c = config_parse("t.json", t, err, sizeof err);
		CHECK(c != NULL && c->notify.url.tls && c->notify.url.port == 443 &&
		    strcmp(c->notify.url.host, "sms.example.cn") == 0 &&
		    strcmp(c->notify.ca_file, "/etc/ca.pem") == 0);
		config_free(c);
		free(t);
	}
}

/* "uplink", "ratings", hall.region_code, windows[].ledger and their errors. */
#define L_UPLINK "  \"uplink\": {\"url\": \"mqtt://broker.city.cn:1884\", \"hall_id\": \"hall-01\", \"username\": \"u\", \"password\": \"p\", \"keepalive_s\": 15},\n"
#define UPLINK_GOOD "{\n" L_HALL L_LISTEN L_DB L_WEB L_TOKENS L_CLASSES L_DOMAINS \
	L_UPLINK L_MATTERS L_WINDOWS "}\n"

static void
expect_uplink(const char *what, const char *from, const char *to, const char *msg)
{
	char *marked = subst(UPLINK_GOOD, from, to);

	expect_err(what, marked, msg);
	free(marked);
}

static void
test_uplink(void)
{
	char err[512] = "";
	struct config *c = config_parse("t.json", UPLINK_GOOD, err, sizeof err);
	char *t;

	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  uplink: %s\n", err);
		return;
	}
	CHECK(c->uplink.enabled && !c->uplink.tls);
	CHECK(strcmp(c->uplink.host, "broker.city.cn") == 0);
	CHECK_EQ_INT(c->uplink.port, 1884);
	CHECK(strcmp(c->uplink.client_id, "hallq-hall-01") == 0);
	CHECK(strcmp(c->uplink.prefix, "hallq") == 0);
	CHECK_EQ_INT(c->uplink.protocol, 4);
	CHECK_EQ_INT(c->uplink.keepalive_s, 15);
	CHECK_EQ_INT(c->uplink.inflight, 20);
	CHECK_EQ_INT(c->rectify_working_days, 15);	/* the default */
	CHECK(strcmp(c->region_code, "") == 0);
	config_free(c);

	t = subst(UPLINK_GOOD, "\"mqtt://broker.city.cn:1884\"",
	    "\"mqtts://broker.city.cn\", \"protocol\": \"5\", \"topic_prefix\": \"gov/halls\"");
	c = config_parse("t.json", t, err, sizeof err);
	CHECK(c != NULL && c->uplink.tls && c->uplink.port == 8883 &&
	    c->uplink.protocol == 5 && strcmp(c->uplink.prefix, "gov/halls") == 0);
	config_free(c);
	free(t);

	expect_uplink("another scheme", "\"mqtt://broker.city.cn:1884\"",
	    "@\"tcp://broker:1883\"", "url is mqtt://HOST[:PORT]");
	expect_uplink("a bad port", "\"mqtt://broker.city.cn:1884\"",
	    "@\"mqtt://broker:0\"", "the port is 1 to 65535");
	expect_uplink("no host", "\"mqtt://broker.city.cn:1884\"",
	    "@\"mqtt://:1883\"", "url has no host");
	expect_uplink("a hall id with a slash", "\"hall-01\"", "@\"a/b\"",
	    "hall_id is letters, digits");
	expect_uplink("a wildcard prefix", "\"keepalive_s\": 15",
	    "\"keepalive_s\": 15, \"topic_prefix\": @\"a/#\"", "no '+', '#'");
	expect_uplink("a protocol", "\"keepalive_s\": 15",
	    "\"keepalive_s\": 15, \"protocol\": @\"3\"", "\"3.1.1\" or \"5\"");
	expect_uplink("keepalive", "\"keepalive_s\": 15", "\"keepalive_s\": @1",
	    "5");
	{
		char *a = subst(UPLINK_GOOD, "\"hall_id\": \"hall-01\", ", "");
		char *b = subst(a, "\"uplink\": {", "\"uplink\": @{");

		expect_err("no hall id", b, "\"hall_id\"");
		free(a);
		free(b);
		a = subst(UPLINK_GOOD, "\"username\": \"u\", ", "");
		b = subst(a, "\"uplink\": {", "\"uplink\": @{");
		expect_err("a password without user", b,
		    "a password needs its username");
		free(a);
		free(b);
	}
	expect_uplink("a CA file that is not there", "\"keepalive_s\": 15",
	    "\"keepalive_s\": 15, \"tls\": {\"ca_file\": @\"/nonexistent/ca.pem\"}",
	    "cannot read /nonexistent/ca.pem");
	expect_uplink("rectify days", "\"uplink\": {",
	    "\"ratings\": {\"rectify_working_days\": @0}, \"uplink\": {", "1");
	expect_uplink("a region code", "\"number_width\": 4",
	    "\"number_width\": 4, \"region_code\": @\"44010\"", "12 digits");
	t = subst(UPLINK_GOOD, "\"number_width\": 4",
	    "\"number_width\": 4, \"region_code\": \"440103000000\"");
	{
		char *t2 = subst(t, "\"uplink\": {",
		    "\"ratings\": {\"rectify_working_days\": 10}, \"uplink\": {");
		char *t3 = subst(t2, "\"number\": 3,", "\"number\": 3, \"ledger\": true,");

		c = config_parse("t.json", t3, err, sizeof err);
		CHECK(c != NULL);
		if (c != NULL) {
			CHECK(strcmp(c->region_code, "440103000000") == 0);
			CHECK_EQ_INT(c->rectify_working_days, 10);
			CHECK(config_window(c, 3) != NULL && config_window(c, 3)->ledger);
			CHECK(config_window(c, 4) != NULL && !config_window(c, 4)->ledger);
		} else
			fprintf(stderr, "  ratings/ledger: %s\n", err);
		config_free(c);
		free(t2);
		free(t3);
	}
	free(t);
}

/* "backup": the daily copy's place, time and count; defaults; errors. */
static void
test_backup(void)
{
	char err[512] = "", *t;
	struct config *c = config_parse("t.json", GOOD, err, sizeof err);

	CHECK(c != NULL && !c->backup.enabled && c->backup.dir == NULL &&
	    c->backup.at_min == 150 && c->backup.keep == 7);
	config_free(c);
	t = subst(GOOD, "  \"web\":", "  \"backup\": {\"dir\": \"var/b\", \"at\": \"23:59\", "
	    "\"keep\": 30},\n  \"web\":");
	c = config_parse("t.json", t, err, sizeof err);
	CHECK(c != NULL && c->backup.enabled && strcmp(c->backup.dir, "var/b") == 0 &&
	    c->backup.at_min == 23 * 60 + 59 && c->backup.keep == 30);
	config_free(c);
	free(t);
	expect_sub("backup at", "  \"web\":", "  \"backup\": {\"dir\": \"b\", \"at\": @\"24:00\"},\n"
	    "  \"web\":", "HH:MM");
	expect_sub("backup at form", "  \"web\":", "  \"backup\": {\"dir\": \"b\", \"at\": @\"2:30\"},\n"
	    "  \"web\":", "HH:MM");
	expect_sub("backup keep", "  \"web\":", "  \"backup\": {\"dir\": \"b\", \"keep\": @0},\n"
	    "  \"web\":", "keep");
	expect_sub("backup dir", "  \"web\":", "  \"backup\": @{\"keep\": 3},\n  \"web\":",
	    "missing key \"dir\"");
	expect_sub("backup key", "  \"web\":", "  \"backup\": {\"dir\": \"b\", \"every\": @1},\n"
	    "  \"web\":", "unknown key");
}

/* Managers and admins named for the audit trail; the error's field. */
static void
test_names_fields(void)
{
	char err[1024], *t;
	const struct token *tk;
	struct config_err ce;
	struct config *c;

	c = config_parse("t.json", GOOD, err, sizeof err);
	CHECK(c != NULL);
	tk = config_token(c, "m1");
	CHECK(tk != NULL && tk->name != NULL && strcmp(tk->name, "manager1") == 0);
	tk = config_token(c, "a1");
	CHECK(tk != NULL && tk->name != NULL && strcmp(tk->name, "admin1") == 0);
	config_free(c);
	t = subst(GOOD, "\"manager\": [\"m1\"], \"admin\": [\"a1\"]",
	    "\"manager\": {\"m1\": \"王主任\", \"m2\": \"值班长\"}, "
	    "\"admin\": {\"a1\": \"信息科李工\"}");
	c = config_parse("t.json", t, err, sizeof err);
	CHECK(c != NULL);
	tk = config_token(c, "m2");
	CHECK(tk != NULL && tk->role == ROLE_MANAGER && strcmp(tk->name, "值班长") == 0);
	tk = config_token(c, "a1");
	CHECK(tk != NULL && tk->role == ROLE_ADMIN && strcmp(tk->name, "信息科李工") == 0);
	config_free(c);
	free(t);
	expect_sub("manager name not a string", "\"manager\": [\"m1\"]",
	    "\"manager\": {\"m1\": @5}", "must be a string");
	expect_sub("manager tokens a number", "\"manager\": [\"m1\"]",
	    "\"manager\": @5", "manager tokens are a list or");
	/* The field of an error, as PUT /api/config says it. */
	t = subst(GOOD, "[[\"SB01\", \"SB02\"], [\"YB01\"]]",
	    "[[\"SB01\", \"XX02\"], [\"YB01\"]]");
	memset(&ce, 0, sizeof ce);
	c = config_parse_ce("t.json", t, err, sizeof err, &ce);
	CHECK(c == NULL);
	CHECK(strcmp(ce.field, "windows[0].tiers[0][1]") == 0);
	CHECK(strstr(ce.message, "XX02") != NULL && strstr(ce.message, "t.json") == NULL);
	free(t);
	t = subst(GOOD, "\"head_start_s\": 900", "\"head_start_s\": -1");
	c = config_parse_ce("t.json", t, err, sizeof err, &ce);
	CHECK(c == NULL);
	CHECK(strcmp(ce.field, "classes.green.head_start_s") == 0);
	free(t);
	c = config_parse_ce("t.json", "{\"hall\": ", err, sizeof err, &ce);
	CHECK(c == NULL);
	CHECK(strcmp(ce.field, "") == 0);
}

int
main(void)
{
	test_good();
	test_errors();
	test_eof_and_files();
	test_demo_hall();
	test_jsonpos();
	test_name_en();
	test_devices();
	test_hours();
	test_notify();
	test_uplink();
	test_backup();
	test_names_fields();
	return t_done("config");
}

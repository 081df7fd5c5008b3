/* test_devproto.c — the table of protocol operations (daemon/devproto.c):
 * every protocol the configuration knows has its entry, with the operations
 * the device manager calls unconditionally; a value past the table has
 * none; every protocol a file names resolves to its own entry, and a name
 * the table lacks (or none) is refused when the file is checked, never
 * taken for another protocol.  Linked with the daemon's core and devices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "devproto.h"
#include "t.h"

#define HALL \
	"{\n" \
	"  \"hall\": {\"name\": \"示范县政务服务中心\", \"timezone\": \"Asia/Shanghai\"},\n" \
	"  \"listen\": \"127.0.0.1:8080\",\n" \
	"  \"database\": \"var/t.db\",\n" \
	"  \"tokens\": {\"kiosk\": [\"k1\"], \"clerk\": {\"c3\": [3]}},\n" \
	"  \"classes\": {\"normal\": {\"head_start_s\": 0}},\n" \
	"  \"domains\": {\"SB\": \"社会保险\"},\n" \
	"  \"matters\": [{\"code\": \"SB01\", \"name\": \"社保参保登记\", \"domain\": \"SB\", \"prefix\": \"A\"}],\n" \
	"  \"windows\": [{\"number\": 3, \"tiers\": [[\"SB01\"]]}, {\"number\": 4, \"tiers\": [[\"SB01\"]]}],\n" \
	"  \"devices\": [\n%s\n  ]\n" \
	"}\n"

/* One device of every role, on every protocol a role may speak. */
static const char every[] =
    "    {\"name\": \"w3-strip\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"bx\", \"transport\": \"tty:/dev/x1\"},\n"
    "    {\"name\": \"board\", \"role\": \"hall_board\", \"protocol\": \"bx\", \"transport\": \"tty:/dev/x2\"},\n"
    "    {\"name\": \"w4-ft12\", \"role\": \"window_display\", \"window\": 4, \"protocol\": \"ft12\", \"transport\": \"tty:/dev/x3\"},\n"
    "    {\"name\": \"pads\", \"role\": \"keypad_bus\", \"protocol\": \"ft12\", \"map\": {\"1\": 3, \"2\": 4}, \"transport\": \"tty:/dev/x4\"},\n"
    "    {\"name\": \"w4-num\", \"role\": \"window_display\", \"window\": 4, \"protocol\": \"modbus\", \"address\": 4, \"transport\": \"tty:/dev/x5\"},\n"
    "    {\"name\": \"w3-keys\", \"role\": \"keypad\", \"window\": 3, \"protocol\": \"modbus\", \"address\": 13, \"poll_ms\": 250, \"transport\": \"tty:/dev/x5\"},\n"
    "    {\"name\": \"w3-rate\", \"role\": \"evaluator\", \"window\": 3, \"protocol\": \"modbus\", \"address\": 23, \"transport\": \"tty:/dev/x5\"},\n"
    "    {\"name\": \"remotes\", \"role\": \"remote_receiver\", \"protocol\": \"ev1527\", \"transport\": \"tty:/dev/x6\"},\n"
    "    {\"name\": \"k1-printer\", \"role\": \"printer\", \"protocol\": \"escpos\", \"kiosk\": \"k1\", \"status_ms\": 700, \"transport\": \"tcp:127.0.0.1:9100\"},\n"
    "    {\"name\": \"k1-mute\", \"role\": \"printer\", \"protocol\": \"escpos\", \"kiosk\": \"k1\", \"reply_ms\": 0, \"transport\": \"tcp:127.0.0.1:9101\"}";

static struct config *
parse(const char *devices, char *err, size_t errlen)
{
	char *text = malloc(sizeof HALL + strlen(devices));
	struct config *c;

	sprintf(text, HALL, devices);
	c = config_parse("t.json", text, err, errlen);
	free(text);
	return c;
}

/* Every protocol value has its own entry, with what is always called. */
static void
test_table(void)
{
	const struct devproto *p;
	int i, k;

	for (i = 0; i < DEVPROTO_MAX; i++) {
		p = devproto_get((enum device_proto)i);
		CHECK(p != NULL);
		if (p == NULL)
			continue;
		CHECK_EQ_INT(p->proto, i);
		CHECK(p->send != NULL && p->rx != NULL && p->done != NULL);
		CHECK(p->poll_ms == NULL || p->tick != NULL);
		CHECK(strcmp(config_devproto_name(p->proto), "?") != 0);
		for (k = 0; k < i; k++)
			CHECK(devproto_get((enum device_proto)k) != p);
	}
	CHECK(devproto_get(DEVPROTO_MAX) == NULL);
	CHECK(devproto_get((enum device_proto)(DEVPROTO_MAX + 1)) == NULL);
	CHECK(devproto_get((enum device_proto)-1) == NULL);
}

/* What each protocol's entry says of the devices of a real file. */
static void
test_configured(void)
{
	char err[512] = "";
	struct config *c = parse(every, err, sizeof err);
	const struct devproto *p;
	struct dev d;
	int i, seen = 0;

	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "  refused: %s\n", err);
		return;
	}
	CHECK_EQ_INT(c->ndevices, 10);
	for (i = 0; i < c->ndevices; i++) {
		const struct device_conf *dc = &c->devices[i];

		p = devproto_get(dc->proto);
		CHECK(p != NULL && p->proto == dc->proto);
		seen |= 1 << dc->proto;
	}
	CHECK_EQ_INT(seen, (1 << DEVPROTO_MAX) - 1);
	CHECK(config_device(c, "w3-strip")->proto == DEVPROTO_BX);
	CHECK(config_device(c, "pads")->proto == DEVPROTO_FT12);
	CHECK(config_device(c, "w3-keys")->proto == DEVPROTO_MODBUS);
	CHECK(config_device(c, "remotes")->proto == DEVPROTO_EV1527);
	CHECK(config_device(c, "k1-printer")->proto == DEVPROTO_ESCPOS);

	/* Polled: keypads and evaluators at poll_ms, printers that answer at
	 * status_ms; nothing else. */
	for (i = 0; i < c->ndevices; i++) {
		const struct device_conf *dc = &c->devices[i];
		int ms;

		p = devproto_get(dc->proto);
		ms = p->poll_ms != NULL ? p->poll_ms(dc) : 0;
		if (strcmp(dc->name, "w3-keys") == 0)
			CHECK_EQ_INT(ms, 250);
		else if (strcmp(dc->name, "w3-rate") == 0)
			CHECK_EQ_INT(ms, 200);
		else if (strcmp(dc->name, "k1-printer") == 0)
			CHECK_EQ_INT(ms, 700);
		else
			CHECK_EQ_INT(ms, 0);
	}

	/* Who shows a window's waiting count: pads of a bus and Modbus
	 * displays, not an evaluator, a strip or an ft12 number display. */
	memset(&d, 0, sizeof d);
	for (i = 0; i < c->ndevices; i++) {
		const struct device_conf *dc = &c->devices[i];
		int shows, want;

		p = devproto_get(dc->proto);
		d.conf = dc;
		shows = p->shows_waiting != NULL && p->shows_waiting(&d);
		want = strcmp(dc->name, "pads") == 0 ||
		    strcmp(dc->name, "w4-num") == 0 || strcmp(dc->name, "w3-keys") == 0;
		CHECK_EQ_INT(shows, want);
	}

	/* A printer that answers is up when it says so; a mute one at once. */
	memset(&d, 0, sizeof d);
	d.conf = config_device(c, "k1-printer");
	p = devproto_get(DEVPROTO_ESCPOS);
	CHECK(p->up != NULL && p->up(&d) == 0 && d.status_due == 1);
	memset(&d, 0, sizeof d);
	d.conf = config_device(c, "k1-mute");
	CHECK(p->up(&d) == 1 && d.status_due == 0);
	/* A status asked is not asked again until the tick. */
	CHECK(p->tick != NULL);
	p->tick(&d);
	CHECK_EQ_INT(d.status_due, 1);

	/* A receiver sends nothing, whatever is marked. */
	memset(&d, 0, sizeof d);
	d.conf = config_device(c, "remotes");
	d.dirty = 1;
	CHECK_EQ_INT(devproto_get(DEVPROTO_EV1527)->send(&d), 0);
	CHECK_EQ_INT(d.dirty, 0);
	config_free(c);
}

/* Unknown or missing: refused at config time, never a protocol by default. */
static void
test_refused(void)
{
	static const char *const bad[] = {
		"    {\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"ft13\", \"transport\": \"tty:/dev/x\"}",
		"    {\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"\", \"transport\": \"tty:/dev/x\"}",
		"    {\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"FT12\", \"transport\": \"tty:/dev/x\"}",
	};
	char err[512];
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		c = parse(bad[i], err, sizeof err);
		CHECK(c == NULL);
		config_free(c);
		CHECK(strstr(err, "protocol") != NULL);
	}
	c = parse(bad[0], err, sizeof err);
	CHECK(strstr(err, "unknown protocol \"ft13\" (bx, ft12, modbus, ev1527, escpos)") != NULL);
	config_free(c);

	c = parse("    {\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"transport\": \"tty:/dev/x\"}",
	    err, sizeof err);
	CHECK(c == NULL);
	CHECK(strstr(err, "protocol") != NULL);
	config_free(c);

	/* A known protocol a role does not speak, and one that must answer. */
	c = parse("    {\"name\": \"x\", \"role\": \"printer\", \"kiosk\": \"k1\", \"protocol\": \"ft12\", \"transport\": \"tty:/dev/x\"}",
	    err, sizeof err);
	CHECK(c == NULL && strstr(err, "a printer speaks escpos") != NULL);
	config_free(c);
	c = parse("    {\"name\": \"x\", \"role\": \"window_display\", \"window\": 3, \"protocol\": \"modbus\", \"reply_ms\": 0, \"transport\": \"tty:/dev/x\"}",
	    err, sizeof err);
	CHECK(c == NULL && strstr(err, "a modbus device needs reply_ms above 0") != NULL);
	config_free(c);
}

int
main(void)
{
	test_table();
	test_configured();
	test_refused();
	return t_done("devproto");
}

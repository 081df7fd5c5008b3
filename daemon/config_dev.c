/* config_dev.c — the "devices" section: each device's keys, the role and
 * protocol tables and the checks between them, and the device look-ups.
 * Reads no other section; the parse and its helpers are config.c's. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "config_int.h"
#include "limit.h"
#include "transport.h"
#include "util.h"

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

void
cfg_devices_h(struct cfg *c, json_t *v, void *a)
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

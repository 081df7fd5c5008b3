/* config.h — the hall's configuration as the daemon uses it: parsed and fully
 * checked from one JSON file; errors name file, line and column. */
#ifndef HALLQ_CONFIG_H
#define HALLQ_CONFIG_H

#include <stdint.h>

#include <jansson.h>

#include "calendar.h"
#include "dispatch.h"

struct transport_spec;

enum role {
	ROLE_NONE,
	ROLE_KIOSK,
	ROLE_CLERK,
	ROLE_MANAGER,
	ROLE_ADMIN,
	ROLE_DISPLAY,
	ROLE_EVALUATOR,	/* a window's 好差评 tablet: rates its windows' tickets */
	ROLE_INTEGRATION, /* the city's portal, the 12345 hotline: books */
	ROLE_MAX
};

struct token {
	char		*token;
	char		*name;		/* clerk: recorded with ratings (never the token) */
	enum role	 role;
	int		 all_windows;	/* clerk, evaluator: bound to every window */
	int		*windows;	/* clerk's, evaluator's windows */
	int		 nwindows;
};

struct klass {
	char		*name;
	int64_t		 head_start_ms;
};

struct domain {
	char		*code;
	char		*name;
	char		*name_en;	/* English name, or NULL */
};

struct matter {
	char		*code;
	char		*name;
	char		*name_en;	/* English name, or NULL */
	int		 domain;	/* index into domains */
	char		*prefix;
	int64_t		 service_ms;	/* prior mean service time */
	int64_t		 target_wait_ms;
	int		 capacity_per_slot;	/* appointment: 0 not bookable */
};

struct window_conf {
	int			 number;
	char			*name;
	char			*name_en;	/* English name, or NULL */
	char			*kind;
	char			*kind_en;	/* English kind, or NULL */
	char			*paused_text;	/* what its display shows when paused */
	char			*closed_text;	/* ... and when closed */
	int			 initially_open;
	int			 ntiers;
	struct dispatch_tier	*tiers;	/* matters arrays owned here */
	char			***tier_codes;	/* matter codes as configured */
	int			 ledger;	/* a 办不成事反映 window */
	int			 has_hours;	/* "hours": overrides the hall's */
	struct calendar_hours	 hours;
};

/* Devices: transport × protocol × role (ARCHITECTURE.md). */
enum device_role {
	DEVROLE_WINDOW_DISPLAY,		/* one window's caller strip or number display */
	DEVROLE_HALL_BOARD,		/* the latest calls of the whole hall */
	DEVROLE_KEYPAD_BUS,		/* ft12 pads of several windows on one bus */
	DEVROLE_KEYPAD,			/* one window's Modbus keypad (+ display) */
	DEVROLE_EVALUATOR,		/* one window's Modbus 好差评 evaluator */
	DEVROLE_REMOTE_RECEIVER,	/* 433 MHz receiver of clerks' remotes */
	DEVROLE_PRINTER,		/* a kiosk's ticket printer */
	DEVROLE_MAX
};

enum device_proto {
	DEVPROTO_BX,			/* Onbon BX-5K/6K text */
	DEVPROTO_FT12,			/* 叫号 pad display */
	DEVPROTO_MODBUS,		/* Modbus RTU display */
	DEVPROTO_EV1527,		/* FD id id id|key DF */
	DEVPROTO_ESCPOS,		/* ESC/POS printer */
	DEVPROTO_MAX
};

#define DEVICE_TEXTS	4
enum device_text {
	DEVTEXT_CALLED,			/* a ticket is called to the window */
	DEVTEXT_SERVING,		/* ... and being served */
	DEVTEXT_IDLE,			/* open, nobody called */
	DEVTEXT_ROW,			/* one row of the hall board */
};

struct device_conf {
	char			*name;
	enum device_role	 role;
	enum device_proto	 proto;
	char			*transport;	/* as written */
	struct transport_spec	*spec;		/* parsed */
	int			 window;	/* window display: its window */
	int			 address;	/* bx screen, ft12 pad, modbus slave */
	int			 width;		/* columns: 1 per ASCII, 2 per 汉字 */
	int			 rows;		/* hall board: lines */
	int			 line_px;	/* bx: pixel height of one line */
	int			 mode;		/* bx: enum bx_mode */
	int			 reply_ms;	/* wait this long for a reply (0: none) */
	char			*charset;	/* GB2312 or GB18030 */
	char			*texts[DEVICE_TEXTS];	/* templates */
	int			 poll_ms;	/* modbus keypad/evaluator */
	int			 debounce_ms;	/* ev1527 */
	int			*map_addr;	/* keypad_bus: pad address → window */
	int			*map_window;
	int			 nmap;
	char			*keys[16];	/* ev1527: key → op ("call-next"...) */
	int			*remote_ids;	/* ev1527: remotes bound in the file */
	int			*remote_windows;
	int			 nremotes;
	char			*kiosk;		/* printer: the kiosk token it serves */
	int			 status_ms;	/* printer: how often to ask DLE EOT */
};

struct voice_conf {
	char			*langs[4];	/* "zh", "en" */
	int			 nlangs;
	int			 repeat;
	char			*dir;		/* clips: NAME.wav, served as /voice/ */
	char			*player;	/* optional command that plays on the box */
};

/* "appointments" (config_hours.c). */
struct appt_conf {
	int		 enabled;	/* the section is there */
	int		 slot_min;
	int		 horizon_days;
	int		 min_lead_min;
	int		 early_min;
	int		 late_min;
	int		 per_person_per_day;
	int		 share_pct;
	int		 purge_days;
	int		 public_per_minute;
	int		 suspend_no_shows;	/* 0: never suspended */
	int		 suspend_within_days;
	int		 suspend_days;
};

/* "notify" (config_notify.c): messages to citizens. */
enum notify_kind {
	NK_BOOKED, NK_REMINDER, NK_SOON, NK_AHEAD, NK_CALLED, NK_NO_SHOW,
	NK_RATE, NK_MAX
};
extern const char *const notify_kind_names[NK_MAX];
int	notify_kind(const char *);

enum { NOTIFY_KANNEL = 1, NOTIFY_HTTP };

struct notify_url {
	int		 tls;		/* https:// */
	char		 host[128];
	int		 port;
	char		 path[256];
};

struct notify_conf {
	int		 enabled;	/* the section is there */
	int		 gateway;	/* NOTIFY_KANNEL, NOTIFY_HTTP */
	struct notify_url url;
	char		*username, *password;	/* kannel */
	char		*report_url;	/* where reports come; NULL: listen */
	char		*sign_name, *secret;	/* http */
	char		*ca_file;	/* https: the CAs to trust; NULL: the system's */
	char		*template_ids[NK_MAX];
	char		*header_names[16], *header_values[16];
	int		 nheaders;
	char		*templates[NK_MAX];
	int		 disabled[NK_MAX];
	int		 ahead_at;
	int		 ahead_min;	/* or when the estimate falls to this; 0 off */
	int		 quiet_start, quiet_end;	/* minutes; -1 none */
	int		 max_per_ticket;
	int		 reminder_at;	/* minutes of the day before */
	int		 soon_min;
	int		 retry_first_s, retry_max_s, retry_attempts;
	int		 timeout_s;
	int		 report_wait_s;
	int		 purge_days;
};

/* "uplink" (config_uplink.c): the city's MQTT broker. */
struct uplink_conf {
	int		 enabled;	/* the section is there */
	char		*url;		/* as written */
	char		 host[256];
	int		 port;
	int		 tls;		/* mqtts:// */
	char		*hall_id;
	char		*username, *password;
	char		*client_id;
	char		*prefix;	/* topic_prefix */
	char		*ca_file, *cert_file, *key_file;
	int		 protocol;	/* 4 (3.1.1) or 5 */
	int		 keepalive_s;
	int		 inflight;
	int		 public_every_s;
	int64_t		 backlog_alert;
	int		 away_alert_s;
	int		 reconnect_first_s, reconnect_max_s;
};

/* "staffing" (config_staffing.c). */
struct staffing_conf {
	int		 target_s;	/* the wait planned for (15 min) */
	int		 level_pct;	/* ... for this share of tickets (80) */
	int		 history_weeks;	/* same weekday, this many back (4) */
	int		 has_forecast;	/* before history: this forecast */
	int		 tickets_per_day;
	double		 profile[24];	/* share of a day's tickets per hour */
	double		*share;		/* per matter index */
};

/* "backup" (config_backup.c): the daily copy of the database (backup.c). */
struct backup_conf {
	int		 enabled;	/* the section is there */
	char		*dir;		/* where hallq-YYYY-MM-DD.db go */
	int		 at_min;	/* hall time, minutes after midnight */
	int		 keep;		/* newest copies kept */
};

struct config {
	char		*path;
	json_t		*raw;		/* the file as parsed: what a reload changed */
	char		*hall_name;
	char		*hall_name_en;	/* hall.name_en, or NULL */
	char		*timezone;
	int		 number_width;
	int64_t		 no_show_grace_ms;
	int64_t		 late_appointment_ms;	/* past slot start: no head start */
	char		*policy;
	int64_t		 aging_ms;
	int64_t		 rating_timeout_ms;	/* no rating by then: "not rated" */
	char		*public_url;	/* the ticket QR's base: URL/t/ID?token=T */
	char		*region_code;	/* hall.region_code: 12 digits, or "" */
	int		 rectify_working_days;	/* ratings: a case's deadline */
	char		*web_root;	/* web.root: the pages */
	int		 event_ring;	/* web.event_ring: live events kept for WebSocket readers */
	int		 max_clients;	/* web.max_clients: WebSocket sessions at once */
	int		 cmd_queue;	/* web.command_queue: commands waiting for the core */
	char		*listen_host;
	int		 listen_port;
	char		*database;

	struct token	*tokens;
	int		 ntokens;
	struct klass	*classes;
	int		 nclasses;
	int		 normal_class;
	struct domain	*domains;
	int		 ndomains;
	struct matter	*matters;
	int		 nmatters;
	struct window_conf *windows;
	int		 nwindows;
	struct device_conf *devices;
	int		 ndevices;
	struct voice_conf voice;

	/* Hours and calendar (config_hours.c); cal.utc_offset_s is the
	 * hall's, set when the hall starts. */
	int		 has_hours;	/* "hours" given: enforced unless -a */
	struct calendar	 cal;
	int64_t		 closing_notice_ms;
	struct appt_conf appt;
	struct notify_conf notify;
	struct uplink_conf uplink;
	struct staffing_conf staffing;
	struct backup_conf backup;
};

/* Where a configuration is wrong: the value's path and what is wrong. */
struct config_err {
	char		 field[256];	/* windows[2].tiers[0][1]; "" the whole */
	char		 message[512];
};

struct config	*config_load(const char *path, char *err, size_t errlen);
char		*config_read(const char *path, size_t *len, char *err,
		    size_t errlen);
json_t		*config_changed(const struct config *, const struct config *);
void		 config_dispatch(const struct config *, struct dispatch_params *,
		    struct dispatch_rule *, int64_t *head_starts);
struct config	*config_parse_ce(const char *path, const char *text,
		    char *err, size_t errlen, struct config_err *);
struct config	*config_parse(const char *path, const char *text, char *err,
		     size_t errlen);
void		 config_free(struct config *);
int		 config_matter(const struct config *, const char *code);
int		 config_class(const struct config *, const char *name);
const struct window_conf *config_window(const struct config *, int number);
const struct token *config_token(const struct config *, const char *token);
int		 config_token_has_window(const struct token *, int number);
const char	*config_role_name(enum role);
const struct token *config_window_clerk(const struct config *, int window);
const struct device_conf *config_device(const struct config *, const char *name);
const char	*config_devrole_name(enum device_role);
const char	*config_devproto_name(enum device_proto);

/* jsonpos.c: where in a JSON text the value at a path starts. */
struct jsonpos_step {
	const char	*key;		/* object member, or NULL for an index */
	int		 index;
};
int		 jsonpos_locate(const char *text, const struct jsonpos_step *,
		     int nsteps, int *line, int *col);

#endif

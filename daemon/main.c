/* main.c — hallqd: flags, configuration, detaching, the store and the hall,
 * then the core thread's libevent loop.  The core alone owns hall state and
 * SQLite; it runs each command the web thread hands over, publishes the
 * committed events to the bridge ring and wakes the web thread.  Signals:
 * TERM/INT stop cleanly, HUP re-reads the configuration and applies it only
 * when it is valid. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "backup.h"
#include "bridge.h"
#include "config.h"
#include "devices.h"
#include "outbox.h"
#include "report.h"
#include "uplink.h"

#include <mosquitto.h>
#include "event.h"
#include "hall.h"
#include "metrics.h"
#include "store.h"
#include "transport.h"
#include "util.h"
#include "web.h"

/* Commands run per loop turn before timers and signals get theirs. */
#define CORE_BATCH	64

/* The reporter's "connection" for the uplink's daily report. */
#define CORE_CONN_UPLINK	UINT64_MAX

struct core {
	struct event_base	*base;
	struct event		*ev_cmd;	/* activated by the web thread */
	struct event		*ev_tick;	/* once a second: day rollover */
	struct event		*ev_sig[3];
	const char		*conf_path;
	struct config		*conf;
	struct store		*store;
	struct hall		*hall;
	struct events		*bus;		/* committed events to subscribers */
	struct metrics		*metrics;	/* GET /metrics: the core's counters */
	struct bridge		*bridge;
	struct web		*web;
	struct devices		*devices;
	struct outbox		*outbox;	/* messages to citizens */
	struct reporter		*reporter;	/* reports, on their own thread */
	struct uplink		*uplink;	/* to the city's MQTT broker */
	struct backup		*backup;	/* the daily copy, its own thread */
	int			 public_dirty;	/* events since the last public copy */
	int64_t			 public_at;	/* when it was made */
};

static void
usage(void)
{
	fprintf(stderr, "usage: hallqd [-adnv] -f config\n"
	    "       hallqd --backup FILE -f config\n"
	    "       hallqd --list-ports\n");
	exit(1);
}

/*
 * Detach before anything is opened: SQLite's POSIX locks belong to the
 * process that took them, so a connection opened before a fork is a
 * connection without locks in the child, and another process (a backup, an
 * sqlite3 shell) would then checkpoint and delete the write-ahead log under
 * it.  The parent waits on a pipe until the child says it is serving (one
 * byte) and exits 0, or sees the pipe close without it and exits 1: the
 * child has already said why on the same stderr.  Returns the pipe's end
 * for main_ready() in the child; the parent never returns.
 */
static int
main_detach(void)
{
	int fds[2], status;
	char ok;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1)
		fatal("pipe");
	fflush(NULL);
	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		close(fds[0]);
		if (setsid() == -1)
			fatal("setsid");
		return fds[1];
	default:
		break;
	}
	close(fds[1]);
	while ((n = read(fds[0], &ok, 1)) == -1 && errno == EINTR)
		;
	if (n == 1)
		_exit(0);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		fprintf(stderr, "hallqd: not started: killed by signal %d\n",
		    WTERMSIG(status));
	else
		fprintf(stderr, "hallqd: not started\n");
	_exit(1);
}

/* Serving: tell the parent, leave its terminal, log to syslog from now on. */
static void
main_ready(int fd, int verbose)
{
	int null;

	if ((null = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	if (write(fd, "", 1) != 1)
		log_warn("could not tell the parent that hallqd is serving");
	close(fd);
	log_init(0, verbose);
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
}

/* Idle peers and WebSocket clients cost a descriptor each: raise the soft
 * limit towards the hard one (never lower it), before the web side sizes its
 * tables from it. */
static void
main_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 :
	    rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("raising the open-file limit");
	}
}

/* From the web thread: commands wait.  event_active() is thread-safe once
 * evthread_use_pthreads() has run. */
static void
core_wake(void *arg)
{
	struct core *c = arg;

	event_active(c->ev_cmd, EV_READ, 0);
}

/* Subscriber: the WebSocket broadcast reads the bridge's ring. */
static void
core_ring_deliver(void *arg, const struct event *ev, size_t n)
{
	struct core *c = arg;
	struct hall_event he;
	size_t i;

	for (i = 0; i < n; i++) {
		he.seq = ev[i].seq;
		he.json = ev[i].json;
		bridge_events_push(c->bridge, &he, 1);
	}
}

/* Subscriber: displays, voice, pads and evaluators (remade on SIGHUP). */
static void
core_devices_deliver(void *arg, const struct event *ev, size_t n)
{
	struct core *c = arg;

	devices_events(c->devices, ev, n);
}

/* Any committed change may move the public figures: remade at the next
 * tick (at most once a second). */
static void
core_public_deliver(void *arg, const struct event *ev, size_t n)
{
	struct core *c = arg;

	(void)ev;
	(void)n;
	c->public_dirty = 1;
}

static void
core_public_refresh(struct core *c, int64_t now)
{
	uint64_t tag;
	char *body;

	if (c->web == NULL)
		return;
	if (!c->public_dirty && now - c->public_at < 10000)
		return;
	body = hall_public_queue(c->hall, now, &tag);
	uplink_public(c->uplink, body, tag);
	web_public_set(c->web, body, tag);
	c->public_dirty = 0;
	c->public_at = now;
}

/* Messages to citizens: their rows are written in the change's own
 * transaction (durable: its cursor moves with them); after the commit the
 * sender looks at once. */
static int
core_notify_stage(void *arg, const struct event *ev, size_t n)
{
	struct core *c = arg;

	return hall_notify_stage(c->hall, ev, n);
}

static void
core_notify_deliver(void *arg, const struct event *ev, size_t n)
{
	struct core *c = arg;

	(void)ev;
	(void)n;
	outbox_kick(c->outbox);
}

/* The uplink reads the log itself from its own cursor: told only that
 * there is more (and of a day's end). */
static void
core_uplink_deliver(void *arg, const struct event *ev, size_t n)
{
	struct core *c = arg;

	uplink_events(c->uplink, ev, n);
}

/* GET /metrics counts the tickets of committed events. */
static void
core_metrics_deliver(void *arg, const struct event *ev, size_t n)
{
	struct core *c = arg;

	metrics_events(c->metrics, ev, n);
}

static const struct event_sub core_subs[] = {
	{ "web", 0, NULL, core_ring_deliver },
	{ "uplink", 0, NULL, core_uplink_deliver },
	{ "notify", 1, core_notify_stage, core_notify_deliver },
	{ "public", 0, NULL, core_public_deliver },
	{ "devices", 0, NULL, core_devices_deliver },
	{ "metrics", 0, NULL, core_metrics_deliver },
};

/* A report made by the reporter's thread: answered from there. */
static void
core_report_done(void *arg, uint64_t conn, int status, char *body,
    const char *ctype, char *filename)
{
	struct core *c = arg;
	struct bridge_reply br;

	if (conn == CORE_CONN_UPLINK) {		/* the day's report, retained */
		free(filename);
		uplink_daily_done(status == 200 ? c->uplink : NULL, body);
		return;
	}
	memset(&br, 0, sizeof br);
	br.conn = conn;
	br.status = status;
	br.body = body;
	br.ctype = ctype;
	br.filename = filename;
	bridge_reply_push(c->bridge, &br);
	web_wake(c->web);
}

/* The uplink's daily report: made by the reporter like any. */
static int
core_uplink_daily(void *arg, json_t *job)
{
	struct core *c = arg;
	struct report_req *q = report_req_from_json(job, CORE_CONN_UPLINK);

	json_decref(job);
	if (q == NULL || c->reporter == NULL)
		return -1;
	return reporter_submit(c->reporter, q);
}

static const struct uplink_host core_uplink_host = { core_uplink_daily };

/* A report asked for: to the reporter, or 503 when it has its hands full. */
static int
core_report(struct core *c, uint64_t conn, struct hall_result *r)
{
	struct report_req *q = report_req_from_json(r->defer, conn);

	if (q != NULL && c->reporter != NULL &&
	    reporter_submit(c->reporter, q) == 0)
		return 0;
	if (q == NULL)
		log_warnx("a report job was malformed");
	free(r->body);
	r->status = 503;
	r->body = xstrdup("{\"error\":{\"code\":\"busy\",\"message\":\""
	    "reports are being made: try again in a moment\"}}");
	return -1;
}

/* Hand a result's reply to the web thread and its events to the
 * subscribers: the one who asked is answered first. */
static void
core_publish(struct core *c, uint64_t conn, struct hall_result *r, int reply)
{
	struct bridge_reply br;

	if (reply && r->defer != NULL && core_report(c, conn, r) == 0)
		reply = 0;	/* the reporter answers */
	if (reply) {
		memset(&br, 0, sizeof br);
		br.conn = conn;
		br.status = r->status;
		br.body = r->body;
		br.items = r->items;
		br.nitems = r->nitems;
		br.ctype = r->ctype;
		r->body = NULL;
		r->items = NULL;
		r->nitems = 0;
		bridge_reply_push(c->bridge, &br);
	}
	if (r->nevents)
		events_publish(c->bus, r->events, r->nevents);
	hall_result_clear(r);
}

/*
 * A command committed a ticket.issued: if its caller is a kiosk with a
 * printer, the printer prints the ticket when the event reaches the devices
 * (devices_events), and the kiosk's reply says whether it will ({"printed":
 * bool}).  The ticket's own token, for its QR code, is in the reply only.
 */
static void
core_print(struct core *c, const char *caller, struct hall_result *r)
{
	json_t *body;
	size_t i;
	int printed;

	for (i = 0; i < r->nevents && r->events[i].type != EVT_TICKET_ISSUED; i++)
		;
	if (i == r->nevents || r->body == NULL ||
	    (body = json_loads(r->body, 0, NULL)) == NULL)
		return;
	printed = devices_print_expect(c->devices, caller, &r->events[i],
	    json_string_value(json_object_get(body, "token")));
	if (printed >= 0) {
		json_object_set_new(body, "printed", json_boolean(printed));
		free(r->body);
		r->body = json_dumps(body, JSON_COMPACT);
	}
	json_decref(body);
}

static void	 core_apply(struct core *, struct config *);

/*
 * Run what waits, up to CORE_BATCH commands, in one transaction (group
 * commit, see hall_batch_begin): replies and events go out after the commit.
 */
static void
core_cmd_cb(evutil_socket_t fd, short what, void *arg)
{
	struct core *c = arg;
	static struct {
		uint64_t		 conn;
		struct hall_result	 r;
		char			 caller[260];	/* its token, if one fits */
	} batch[CORE_BATCH];
	struct bridge_cmd cmd;
	struct config *nc;
	int n, i, batched;

	(void)fd;
	(void)what;
	batched = hall_batch_begin(c->hall) == 0;
	for (n = 0; n < CORE_BATCH && bridge_cmd_pop(c->bridge, &cmd) == 0; n++) {
		const char *tok = json_string_value(json_object_get(cmd.msg, "token"));

		batch[n].conn = cmd.conn;
		batch[n].caller[0] = '\0';
		if (tok != NULL && strlen(tok) < sizeof batch[n].caller)
			strcpy(batch[n].caller, tok);
		hall_exec(c->hall, cmd.msg, now_ms(), &batch[n].r);
		json_decref(cmd.msg);
	}
	if (batched && hall_batch_end(c->hall) == -1) {
		log_warnx("a batch of %d commands could not be committed", n);
		for (i = 0; i < n; i++)
			hall_result_fail(&batch[i].r);
	}
	for (i = 0; i < n; i++) {
		if (batch[i].caller[0] != '\0')
			core_print(c, batch[i].caller, &batch[i].r);
		core_publish(c, batch[i].conn, &batch[i].r, 1);
	}
	/* A PUT /api/config, written and audited: applied before any other
	 * command runs (after the batch's events went out, in seq order). */
	if ((nc = hall_take_config(c->hall)) != NULL) {
		core_apply(c, nc);
		log_info("configuration applied from %s", c->conf_path);
	}
	if (n > 0)
		web_wake(c->web);
	if (n == CORE_BATCH)
		event_active(c->ev_cmd, EV_READ, 0);	/* more: after others */
}

static void
core_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct core *c = arg;
	struct hall_result r;

	(void)fd;
	(void)what;
	hall_tick(c->hall, now_ms(), &r);
	if (r.nevents) {
		core_publish(c, 0, &r, 0);
		web_wake(c->web);
	} else
		hall_result_clear(&r);
	core_public_refresh(c, now_ms());
}

/* The outbox's own changes (row states, notify.* events). */
static int
core_outbox_write(void *arg, int (*fn)(struct store *, void *), void *farg,
    const char *type, json_t *o)
{
	struct core *c = arg;
	struct hall_result r;

	if (hall_write(c->hall, fn, farg, type, o, now_ms(), &r) == -1) {
		hall_result_clear(&r);
		return -1;
	}
	if (r.nevents) {
		core_publish(c, 0, &r, 0);
		web_wake(c->web);
	} else
		hall_result_clear(&r);
	return 0;
}

static const struct outbox_host core_outbox_host = { core_outbox_write };

/* The device manager's own events: device.up, device.down. */
static void
core_note(void *arg, const char *type, json_t *o)
{
	struct core *c = arg;
	struct hall_result r;

	if (hall_note(c->hall, type, o, now_ms(), &r) == -1) {
		log_warnx("could not write a %s event", type);
		hall_result_clear(&r);
		return;
	}
	core_publish(c, 0, &r, 0);
	web_wake(c->web);
}

/* A window's pad or evaluator: one command in its own transaction. */
static int
core_device_cmd(void *arg, json_t *cmd)
{
	struct core *c = arg;
	struct hall_result r;
	int status;

	hall_exec(c->hall, cmd, now_ms(), &r);
	json_decref(cmd);
	status = r.status;
	if (status >= 400)
		log_info("a device command was refused: %d %s", status,
		    r.body ? r.body : "");
	core_publish(c, 0, &r, 0);
	web_wake(c->web);
	return status;
}

static void
core_learned(void *arg, const char *device, int64_t remote, int window)
{
	struct core *c = arg;
	struct hall_result r;

	if (hall_learned(c->hall, device, remote, window, now_ms(), &r) == -1) {
		log_warnx("could not keep remote %05llX of %s", (long long)remote,
		    device);
		hall_result_clear(&r);
		return;
	}
	core_publish(c, 0, &r, 0);
	web_wake(c->web);
}

static const struct devices_host core_devices_host = {
	core_note, core_device_cmd, core_learned
};

/* A configuration that passed every check replaces the running one: a
 * SIGHUP's, or a PUT /api/config's once its command is committed. */
static void
core_apply(struct core *c, struct config *nc)
{
	struct config *old = c->conf;

	if (strcmp(nc->database, old->database) != 0 ||
	    strcmp(nc->listen_host, old->listen_host) != 0 ||
	    nc->listen_port != old->listen_port ||
	    strcmp(nc->timezone, old->timezone) != 0 ||
	    strcmp(nc->web_root, old->web_root) != 0)
		log_warnx("reload: listen, database, timezone and web.root take "
		    "effect at the next start");
	devices_free(c->devices);
	outbox_free(c->outbox);
	uplink_free(c->uplink);
	hall_reconfigure(c->hall, nc);
	c->conf = nc;
	c->devices = devices_new(c->base, nc, c->hall, &core_devices_host, c);
	c->outbox = outbox_new(c->base, nc, c->hall, c->store, &core_outbox_host, c);
	c->uplink = uplink_new(c->base, nc, c->hall, c->store, &core_uplink_host, c);
	hall_set_uplink(c->hall, uplink_status, c->uplink);
	backup_reconfigure(c->backup, nc);
	config_free(old);
}

/* SIGHUP: only a configuration that passes every check replaces the old;
 * the change is audited (by "SIGHUP": who sent it is not known here). */
static void
core_reload(struct core *c)
{
	struct config *nc;
	struct hall_result r;
	json_t *changed;
	char err[1024];

	if ((nc = config_load(c->conf_path, err, sizeof err)) == NULL) {
		log_warnx("reload refused, keeping the running configuration: %s",
		    err);
		return;
	}
	changed = config_changed(c->conf, nc);
	core_apply(c, nc);
	log_info("configuration reloaded from %s", c->conf_path);
	if (hall_audit_system(c->hall, "reload", "SIGHUP", json_pack("{s:s, s:o}",
	    "file", c->conf_path, "changed", changed), now_ms(), &r) == -1) {
		log_warnx("reload: the audit event could not be written");
		hall_result_clear(&r);
		return;
	}
	core_publish(c, 0, &r, 0);
	web_wake(c->web);
}

static void
core_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct core *c = arg;

	(void)what;
	switch (sig) {
	case SIGHUP:
		core_reload(c);
		break;
	default:
		log_info("signal %d: stopping", (int)sig);
		event_base_loopbreak(c->base);
		break;
	}
}

/*
 * -n also looks where the configuration points, as the start would: a
 * database whose directory is missing or not writable stops the start (so
 * it fails the check); a web.root that is no directory only serves 404s
 * (a warning).  0 or 1.
 */
static int
main_check_paths(const struct config *conf)
{
	char *dir = path_dir(conf->database);
	struct stat st;
	int rc = 0;

	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: database %s: its directory %s does not "
		    "exist\n", conf->path, conf->database, dir);
		rc = 1;
	} else if (access(dir, W_OK | X_OK) == -1) {
		fprintf(stderr, "%s: database %s: its directory %s is not "
		    "writable by this user (%s)\n", conf->path, conf->database,
		    dir, strerror(errno));
		rc = 1;
	}
	if (stat(conf->web_root, &st) == -1 || !S_ISDIR(st.st_mode))
		fprintf(stderr, "%s: warning: web.root %s is not a directory: "
		    "every page will be 404\n", conf->path, conf->web_root);
	free(dir);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct core core, *c = &core;
	struct web_conf wc;
	struct timeval sec = { 1, 0 };
	char err[1024];
	int ch, foreground = 0, check = 0, verbose = 0, i, ready = -1;
	int any_hour = 0;
	const char *clock_start, *backup_file = NULL;
	static const struct option longopts[] = {
		{ "backup", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 }
	};
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };

	memset(c, 0, sizeof *c);
	if (argc == 2 && strcmp(argv[1], "--list-ports") == 0) {
		/* What libserialport sees, for `serial:` transports. */
		char ports[8192];
		int n = transport_list_ports(ports, sizeof ports);
		if (n < 0) {
			fprintf(stderr, "hallqd: cannot list serial ports\n");
			return 1;
		}
		fputs(ports, stdout);
		fprintf(stderr, "%d serial port%s\n", n, n == 1 ? "" : "s");
		return 0;
	}
	while ((ch = getopt_long(argc, argv, "adf:nv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'B':
			backup_file = optarg;
			break;
		case 'a':
			any_hour = 1;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'f':
			c->conf_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || c->conf_path == NULL)
		usage();
	log_init(1, verbose);

	if ((c->conf = config_load(c->conf_path, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check) {
		i = main_check_paths(c->conf);
		if (i == 0)
			fprintf(stderr, "%s: configuration OK\n", c->conf_path);
		config_free(c->conf);
		return i;
	}
	if (backup_file != NULL) {	/* a copy of the running hall's database */
		i = backup_cli(c->conf, backup_file);
		config_free(c->conf);
		return i;
	}
	/* The business day is the hall's, whatever the machine's zone. */
	setenv("TZ", c->conf->timezone, 1);
	tzset();
	if ((clock_start = getenv("HALLQ_CLOCK_START")) != NULL) {
		char *end;
		long long ms;

		errno = 0;
		ms = strtoll(clock_start, &end, 10);
		if (errno != 0 || *end != '\0' || end == clock_start || ms < 0 ||
		    ms > 32503680000000LL) {
			fprintf(stderr, "hallqd: HALLQ_CLOCK_START must be ms since "
			    "the epoch\n");
			return 1;
		}
		now_ms_start_at(ms);
		log_warnx("the clock starts at HALLQ_CLOCK_START=%lld, not now",
		    ms);
	}
	signal(SIGPIPE, SIG_IGN);
	main_fd_limit();

	/* Nothing is open yet: the database, the devices and the listening
	 * socket belong to the process that serves.  Until it serves, its
	 * errors still go to the caller's stderr. */
	if (!foreground)
		ready = main_detach();

	if ((c->store = store_open(c->conf->database, err, sizeof err)) == NULL)
		fatalx("database %s", err);
	if ((c->hall = hall_new(c->conf, c->store, now_ms(), err, sizeof err)) == NULL)
		fatalx("%s", err);
	hall_set_any_hour(c->hall, any_hour);
	if (hall_restored(c->hall, now_ms()) == -1)
		fatalx("cannot mark the start on a restored backup copy");
	if (any_hour && c->conf->has_hours)
		log_info("-a: opening hours are shown, not enforced");
	c->bridge = bridge_new((size_t)c->conf->cmd_queue, (size_t)c->conf->event_ring);
	bridge_events_start(c->bridge, hall_seq(c->hall));
	c->bus = events_new(c->store);
	for (i = 0; i < (int)(sizeof core_subs / sizeof core_subs[0]); i++)
		events_subscribe(c->bus, &core_subs[i], c);
	hall_set_events(c->hall, c->bus);
	c->metrics = metrics_new(hall_ticket_first_call, c->hall);
	hall_set_metrics(c->hall, c->metrics);
	/* Durable subscribers catch up from their cursors before anything new. */
	if (events_replay(c->bus) == -1)
		fatalx("cannot replay the event log to its subscribers");

	if (evthread_use_pthreads() == -1)
		fatalx("evthread_use_pthreads");
	mosquitto_lib_init();
	if ((c->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	c->ev_cmd = event_new(c->base, -1, 0, core_cmd_cb, c);
	c->ev_tick = event_new(c->base, -1, EV_PERSIST, core_tick_cb, c);
	for (i = 0; i < 3; i++) {
		c->ev_sig[i] = evsignal_new(c->base, sigs[i], core_signal_cb, c);
		event_add(c->ev_sig[i], NULL);
	}
	event_add(c->ev_tick, &sec);

	wc.host = c->conf->listen_host;
	wc.port = c->conf->listen_port;
	wc.root = c->conf->web_root;
	wc.voice_dir = c->conf->voice.dir;
	wc.max_clients = c->conf->max_clients;
	if ((c->web = web_new(&wc, c->bridge, core_wake, c, err, sizeof err)) == NULL)
		fatalx("web: %s", err);
	c->public_dirty = 1;
	core_public_refresh(c, now_ms());
	if (web_start(c->web) == -1)
		fatalx("web: cannot start its thread");
	c->reporter = reporter_new(c->conf->database, core_report_done, c);
	c->backup = backup_new(c->base, c->conf, core_note, c);
	c->uplink = uplink_new(c->base, c->conf, c->hall, c->store,
	    &core_uplink_host, c);
	hall_set_uplink(c->hall, uplink_status, c->uplink);
	c->devices = devices_new(c->base, c->conf, c->hall, &core_devices_host, c);
	c->outbox = outbox_new(c->base, c->conf, c->hall, c->store,
	    &core_outbox_host, c);
	if (ready != -1)
		main_ready(ready, verbose);
	log_info("%s: serving on %s:%d, database %s, seq %lld, day %s",
	    c->conf->hall_name, c->conf->listen_host, c->conf->listen_port,
	    c->conf->database, (long long)hall_seq(c->hall), hall_day(c->hall));

	/* The timers' first turn now, not a second from now: a hall started
	 * on a later day than its database's rolls over before it answers. */
	core_tick_cb(-1, 0, c);
	event_base_dispatch(c->base);

	/*
	 * Stop taking requests, run the commands already taken (their clients
	 * are waiting), let the web thread send those answers, then go.
	 */
	web_quiesce(c->web);
	for (i = 0; i < 2000 && bridge_cmd_count(c->bridge) > 0; i++) {
		core_cmd_cb(-1, 0, c);
		usleep(1000);
	}
	reporter_free(c->reporter);	/* a report being made is finished */
	c->reporter = NULL;
	backup_free(c->backup);		/* a copy being made is given up */
	c->backup = NULL;
	uplink_free(c->uplink);		/* "offline", cleanly */
	c->uplink = NULL;
	web_free(c->web);
	devices_free(c->devices);
	c->devices = NULL;
	outbox_free(c->outbox);
	c->outbox = NULL;
	for (i = 0; i < 3; i++)
		event_free(c->ev_sig[i]);
	event_free(c->ev_tick);
	event_free(c->ev_cmd);
	event_base_free(c->base);
	hall_free(c->hall);
	metrics_free(c->metrics);
	events_free(c->bus);
	store_close(c->store);
	bridge_free(c->bridge);
	config_free(c->conf);
	mosquitto_lib_cleanup();
	log_info("stopped");
	return 0;
}

/* limit.h — the hall's limits that more than one file checks or says,
 * written once: the configuration, the REST routes, the commands and the
 * device manager take them from here.  Only numbers (and the words that say
 * them): no code, no other header. */
#ifndef HALLQ_LIMIT_H
#define HALLQ_LIMIT_H

/* Windows are numbered 1 to this, in the file and in every command. */
#define LIMIT_WINDOW_MAX	9999

/* After POST /api/devices/{name}/learn a remote_receiver binds the next
 * unknown remote it hears within this long (the reply's "expires_in_s"). */
#define LIMIT_LEARN_MS		60000
#define LIMIT_LEARN_S		(LIMIT_LEARN_MS / 1000)

/* A request body or one WebSocket message, and the words that say it. */
#define LIMIT_MESSAGE_BYTES	(64 * 1024)
#define LIMIT_MESSAGE_TEXT	"64 KiB"

/* Events in one page of GET /api/events (and its WebSocket command). */
#define LIMIT_EVENTS_PAGE	1000

/* Audit events in one page of GET /api/audit. */
#define LIMIT_AUDIT_PAGE	500

/* The body of PUT /api/config: a whole configuration (a hall of 100
 * windows writes about 60 KB).  The gate hands a request to lws only when
 * all of it is in the socket's receive buffer, so the listener's buffer is
 * made to hold it (gate.c) within Debian's default net.core.rmem_max. */
#define LIMIT_CONFIG_BODY	(192 * 1024)

/* A device's name: in the file and in /api/devices/{name}/learn. */
#define LIMIT_DEVICE_NAME	64

/* A text a display shows (paused_text, closed_text, called_text...), bytes
 * of UTF-8 as written in the file, before its {fields} are filled in. */
#define LIMIT_DISPLAY_TEXT	200

/* A limit as the digits of its number, for messages: LIMIT_STR(LIMIT_X). */
#define LIMIT_STR_(x)		#x
#define LIMIT_STR(x)		LIMIT_STR_(x)

#endif

/* config_int.h — the inside of the configuration parser, shared by its files
 * only (config.c, config_dev.c): the parse state, the key tables and the
 * helpers that check a value and name its place.  config.h stays the API. */
#ifndef HALLQ_CONFIG_INT_H
#define HALLQ_CONFIG_INT_H

#include <setjmp.h>
#include <stddef.h>

#include <jansson.h>

#include "config.h"

#define CFG_MAX_DEPTH	8

/* One parse: the file, where in it we are, and where an error goes. */
struct cfg {
	const char		*file;		/* its name, for messages */
	const char		*text;		/* its text, for line:col */
	struct config		*conf;		/* what is being filled */
	struct jsonpos_step	 path[CFG_MAX_DEPTH];	/* the value at hand */
	int			 depth;
	char			*err;		/* the caller's buffer */
	size_t			 errlen;
	jmp_buf			 fail;		/* cfg_error() jumps here */
	struct config_err	*ce;		/* field and message, or NULL */
};

/*
 * A table of an object's keys.  handle() sees the value with the path already
 * pointing at it.
 */
struct cfg_key {
	const char	*key;
	json_type	 type;
	int		 required;
	void		(*handle)(struct cfg *, json_t *, void *);
};

/* config.c */
void		 cfg_error(struct cfg *, const char *, ...)
		    __attribute__((format(printf, 2, 3), noreturn));
void		 cfg_push_key(struct cfg *, const char *);
void		 cfg_push_index(struct cfg *, int);
void		 cfg_pop(struct cfg *);
const char	*cfg_string(struct cfg *, json_t *, size_t);
json_int_t	 cfg_int(struct cfg *, json_t *, json_int_t, json_int_t);
int		 cfg_hhmm(struct cfg *, json_t *);
void		 cfg_object(struct cfg *, json_t *, const struct cfg_key *,
		    void *);

/* config_hours.c */
void		 cfg_hours_h(struct cfg *, json_t *, void *);
void		 cfg_window_hours_h(struct cfg *, json_t *, void *);
void		 cfg_calendar_h(struct cfg *, json_t *, void *);
void		 cfg_appointments_h(struct cfg *, json_t *, void *);
void		 cfg_matter_appointment_h(struct cfg *, json_t *, void *);
void		 cfg_hours_defaults(struct config *);
void		 cfg_hours_finish(struct cfg *);

/* config_notify.c */
void		 cfg_notify_h(struct cfg *, json_t *, void *);
void		 cfg_notify_defaults(struct config *);
void		 cfg_notify_free(struct config *);

/* config_uplink.c */
void		 cfg_uplink_h(struct cfg *, json_t *, void *);
void		 cfg_uplink_defaults(struct config *);
void		 cfg_uplink_free(struct config *);

/* config_staffing.c */
void		 cfg_staffing_h(struct cfg *, json_t *, void *);
void		 cfg_staffing_defaults(struct config *);
void		 cfg_staffing_free(struct config *);

/* config_backup.c */
void		 cfg_backup_h(struct cfg *, json_t *, void *);
void		 cfg_backup_defaults(struct config *);
void		 cfg_backup_free(struct config *);

/* config_dev.c */
void		 cfg_devices_h(struct cfg *, json_t *, void *);

#endif

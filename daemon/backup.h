/* backup.h — copies of the database made while the hall goes on: by
 * `hallqd --backup FILE` from a process of its own, and once a day by the
 * daemon on a worker thread ("backup" in the configuration).  Either way the
 * copy is read through a read-only connection of its own inside one read
 * transaction (WAL: the hall's writer is never held up), written in small
 * steps to FILE.tmp, checked (PRAGMA integrity_check), fsynced and renamed
 * to FILE.  The core's connection is never touched. */
#ifndef HALLQ_BACKUP_H
#define HALLQ_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct config;
struct event_base;

/* Copy the database at src to dst; `stop`, when not NULL, is looked at
 * between steps (the copy is given up).  0 with the copy's size in bytes,
 * or -1 with err (dst is then left as it was). */
int		 backup_copy(const char *src, const char *dst, const int *stop,
		     int64_t *bytes, char *err, size_t errlen);

/* hallqd --backup FILE: the exit status (0, or 1 with the reason on stderr). */
int		 backup_cli(const struct config *, const char *file);

/* The daily backup.  note() is called on the core thread after each one,
 * with "backup.done" {"file","bytes","ms","removed"} or "backup.failed"
 * {"file","error"} (it takes the object). */
typedef void (*backup_note_fn)(void *arg, const char *type, json_t *o);

struct backup;

struct backup	*backup_new(struct event_base *, const struct config *,
		     backup_note_fn, void *arg);
/* SIGHUP: the new "backup" section (dir, at, keep) from the next copy on. */
void		 backup_reconfigure(struct backup *, const struct config *);
/* Gives up a copy being made (its .tmp removed) and joins the worker. */
void		 backup_free(struct backup *);

#endif

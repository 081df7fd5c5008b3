/* config_backup.c — the "backup" section: where the daily copy of the
 * database goes, at what hall time, and how many are kept (backup.c makes
 * them).  Only the values are checked here: the directory is made when the
 * first copy is written.  Errors name file:line:col. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "util.h"

static void
b_dir_h(struct cfg *c, json_t *v, void *a)
{
	struct backup_conf *b = a;

	free(b->dir);
	b->dir = xstrdup(cfg_string(c, v, 900));
}

static void
b_at_h(struct cfg *c, json_t *v, void *a)
{
	((struct backup_conf *)a)->at_min = cfg_hhmm(c, v);
}

static void
b_keep_h(struct cfg *c, json_t *v, void *a)
{
	((struct backup_conf *)a)->keep = (int)cfg_int(c, v, 1, 3660);
}

static const struct cfg_key backup_keys[] = {
	{ "dir", JSON_STRING, 1, b_dir_h },
	{ "at", JSON_STRING, 0, b_at_h },
	{ "keep", JSON_INTEGER, 0, b_keep_h },
	{ NULL, 0, 0, NULL }
};

void
cfg_backup_defaults(struct config *conf)
{
	memset(&conf->backup, 0, sizeof conf->backup);
	conf->backup.at_min = 2 * 60 + 30;
	conf->backup.keep = 7;
}

void
cfg_backup_h(struct cfg *c, json_t *v, void *a)
{
	(void)a;
	cfg_object(c, v, backup_keys, &c->conf->backup);
	c->conf->backup.enabled = 1;
}

void
cfg_backup_free(struct config *conf)
{
	free(conf->backup.dir);
}

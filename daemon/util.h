/* util.h — the few helpers every file uses: fatal allocation, logging, clock.
 * Out of memory is fatal here and only here, so no caller checks malloc. */
#ifndef HALLQ_UTIL_H
#define HALLQ_UTIL_H

#include <stddef.h>
#include <stdint.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrdup_null(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));

void	 log_init(int foreground, int verbose);
void	 log_capture(char *, size_t);	/* tests: lines into a buffer */
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

int64_t	 now_ms(void);
void	 now_ms_start_at(int64_t);
int	 secret_eq(const char *, const char *);
char	*path_dir(const char *);	/* "a/b" -> "a", "b" -> ".", "/b" -> "/" */
void	 fsync_dir(const char *file);	/* make a rename in file's directory durable */

#endif

/* api.h — the REST surface as data: a method and path become one core
 * command.  Pure: no lws, no hall state, so it is unit-tested alone. */
#ifndef HALLQ_API_H
#define HALLQ_API_H

#include <stddef.h>

#include <jansson.h>

#include "limit.h"

#define API_MAX_BODY	LIMIT_MESSAGE_BYTES	/* limit.h */

enum api_method {
	API_GET,
	API_POST,
	API_DELETE,
	API_PUT,
	API_OTHER,
	API_METHOD_MAX
};

/*
 * Turn a request into a command object for the core.  Returns 0 and *cmd, or
 * an HTTP status with *err set to an error body (JSON text, caller frees).
 */
size_t	 api_body_max(enum api_method, const char *path);
void	 api_body_max_msg(size_t max, char *buf, size_t len);
int	 api_route(enum api_method, const char *path, const char *query,
	     const char *body, size_t bodylen, const char *token, json_t **cmd,
	     char **err);
char	*api_error(const char *code, const char *message);

#endif

/* console: where console output goes. Every console method ends in isl_console_write, so
 * `islet test` or a log collector can capture output by installing a sink. */
#ifndef ISL_API_CONSOLE_H
#define ISL_API_CONSOLE_H

#include <stddef.h>

#include "api.h"

/* The realm->api_state slot holding the console's per-realm state (group indentation). */

enum { ISL_CONSOLE_DEBUG, ISL_CONSOLE_LOG, ISL_CONSOLE_INFO, ISL_CONSOLE_WARN, ISL_CONSOLE_ERROR };

/* Writes one console message (UTF-8, without the trailing newline). The default sink writes
 * it and a newline to stdout (debug, log, info) or stderr (warn, error) and flushes, so the
 * order stays right when both are piped. */
void isl_console_write(int level, const char *p, size_t n);

/* Replaces the sink (process-wide; NULL restores the default). Not thread-safe: set it
 * before starting workers. */
typedef void (*isl_console_sink_t)(void *data, int level, const char *p, size_t n);
void isl_console_set_sink(isl_console_sink_t sink, void *data);

#endif

/* Install functions of the Web APIs listed in api_list.h. */
#ifndef ISL_API_H
#define ISL_API_H

#include "../jsc/jsc.h"

#define ISL_API(x) void isl_api_##x##_install(isl_realm_t *r);
#include "api_list.h"
#undef ISL_API

/* The realm->api_state slots, one per API that keeps per-realm state (in one list so two
 * APIs can never pick the same number). */
enum {
  ISL_STATE_TIMERS,
  ISL_STATE_CONSOLE,
  ISL_STATE_FETCH,
  ISL_STATE_DOMEXCEPTION,
  ISL_STATE_EVENTS,
  ISL_STATE_ABORT,
  ISL_STATE_CLONE,
  ISL_STATE_STREAMS,
  ISL_STATE_COUNT
};
_Static_assert(ISL_STATE_COUNT <= sizeof(((isl_realm_t *)0)->api_state) / sizeof(void *),
               "realm->api_state has too few slots");

/* Installs every API in api_list.h into r. */
void isl_api_install_all(isl_realm_t *r);

#endif

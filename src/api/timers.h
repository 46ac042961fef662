/* Timers (HTML "Timers" and queueMicrotask) for the worker layer. */
#ifndef ISL_API_TIMERS_H
#define ISL_API_TIMERS_H

#include "api.h"

/* The realm->api_state slot holding the timer list. */

/* Number of timers that are scheduled and not yet cleared or finished (an interval counts
 * until it is cleared). The worker layer and `islet test` use it to know whether work is
 * still outstanding. */
size_t isl_timers_pending(isl_realm_t *r);

#endif

/* Sending a JS request to a service in memory and getting a Response back: the common
 * part of the global fetch() (src/api/fetch.c) and Fetcher.fetch() (src/worker/fetcher.c,
 * service bindings). */
#ifndef ISL_FETCH_H
#define ISL_FETCH_H

#include "../base/message.h"
#include "../jsc/jsc.h"
#include "api.h"

/* The realm->api_state slot holding fetch.c's list of calls in flight. */

/* Builds `new Request(argv[0], argv[1])` (so the arguments follow the Request
 * constructor's rules), takes its C form and sends it to svc as a task on the loop (never
 * re-entrantly). Returns a promise for the Response; bad arguments give a rejected
 * promise. If the realm is torn down before svc answers, the answer is dropped. */
JSObjectRef isl_fetch_to_service(JSContextRef ctx, isl_service_t *svc, size_t argc,
                                 const JSValueRef argv[], JSValueRef *exc);

#endif

/* What the worker layer needs from Request/Response (src/api/request.c, response.c):
 * moving requests and responses between their C form (src/base/message.h) and JS. */
#ifndef ISL_FETCH_API_H
#define ISL_FETCH_API_H

#include "../base/message.h"
#include "../jsc/jsc.h"

/* A JS Request for a C request. Takes ownership of req (its body is handed over, not
 * copied). The Request's headers have the "request" guard... as for an incoming request
 * in workerd, they are mutable only through a new Request. */
JSObjectRef isl_request_from_c(JSContextRef ctx, isl_request_t *req);

/* The C form of a JS Request (e.g. for a service binding call). The body is taken, so
 * the Request's bodyUsed becomes true. NULL with *exc set if v is not a Request or its
 * body was already used. */
isl_request_t *isl_request_to_c(JSContextRef ctx, JSValueRef v, JSValueRef *exc);

/* The C form of the value a fetch handler returned. NULL with a TypeError in *exc if v is
 * not a Response or its body was already used. A string or bytes body is handed over
 * without copying through JS streams. */
isl_response_t *isl_response_to_c(JSContextRef ctx, JSValueRef v, JSValueRef *exc);

/* A JS Response for a C response (e.g. what a service binding call returns). Takes
 * ownership of res. */
JSObjectRef isl_response_from_c(JSContextRef ctx, isl_response_t *res);

/* new Request(argv[0], argv[1]) with the Request class as installed (never the global,
 * which user code may replace). */
JSObjectRef isl_request_construct(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                                  JSValueRef *exc);

/* The AbortSignal a fetch() of this JS Request honours (the one it follows), or NULL. */
typedef struct isl_abort_signal isl_abort_signal_t;
isl_abort_signal_t *isl_request_abort_signal(JSContextRef ctx, JSObjectRef request);

#endif

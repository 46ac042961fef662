/* DOMException (Web IDL) for other APIs. Throwing one from C goes through isl_throw_dom
 * (src/jsc), which uses the class installed here; making one without throwing (an abort
 * reason, a rejection) through isl_dom_error_new. */
#ifndef ISL_API_DOMEXCEPTION_H
#define ISL_API_DOMEXCEPTION_H

#include "api.h"

/* The realm->api_state slot holding the DOMException state (the original
 * Error.captureStackTrace). */

/* True if v is a DOMException (or an instance of a derived interface). */
bool isl_is_dom_exception(JSContextRef ctx, JSValueRef v);

#endif

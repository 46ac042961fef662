/* The global scope itself (WorkerGlobalScope): `self` refers to the global object, as in
 * workers and workerd. */
#include "api.h"

void isl_api_global_install(isl_realm_t *r) {
  isl_define_value(r->ctx, r->global, "self", r->global, ISL_W | ISL_E | ISL_C);
}

#include "api.h"

void isl_api_install_all(isl_realm_t *r) {
#define ISL_API(x) isl_api_##x##_install(r);
#include "api_list.h"
#undef ISL_API
}

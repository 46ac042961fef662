/* Install functions of the Web APIs listed in api_list.h. */
#ifndef ISL_API_H
#define ISL_API_H

#include "../jsc/jsc.h"

#define ISL_API(x) void isl_api_##x##_install(isl_realm_t *r);
#include "api_list.h"
#undef ISL_API

/* Installs every API in api_list.h into r. */
void isl_api_install_all(isl_realm_t *r);

#endif

/* Built-in modules (see builtins.c). */
#ifndef ISL_BUILTINS_H
#define ISL_BUILTINS_H

#include "../jsc/jsc.h"

/* True if specifier names a built-in module. */
bool isl_builtin_exists(const char *specifier);
/* Sets the built-in's exports as properties of values (a plain object; the linker turns
 * them into the namespace). env is the worker's env object. */
bool isl_builtin_fill(JSContextRef ctx, const char *specifier, JSObjectRef env,
                      JSObjectRef values);

#endif

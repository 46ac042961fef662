/* Every Web API islet installs in a realm, one line each, in install order (a class must
 * come after its parent). Each entry X has `void isl_api_X_install(isl_realm_t *r)` in
 * src/api/X.c. */
ISL_API(global)
ISL_API(console)
ISL_API(timers)
ISL_API(encoding)
ISL_API(base64)
ISL_API(crypto)
ISL_API(performance)
ISL_API(navigator)
ISL_API(headers)
ISL_API(body)
ISL_API(request)
ISL_API(response)
ISL_API(fetch)
ISL_API(webassembly)
ISL_API(structured_clone)

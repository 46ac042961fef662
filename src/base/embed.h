/* Files compiled into the binary. The Makefile turns every src/DIR/NAME.js into a
 * generated C file holding its bytes (see "Embedded files" there); ISL_EMBED declares
 * them for the file that uses them:
 *
 *   ISL_EMBED(isl_embed_api_urlpattern_js);   // src/api/urlpattern.js
 *   ... isl_embed_api_urlpattern_js, isl_embed_api_urlpattern_js_len ...
 *
 * The array is NUL-terminated; _len does not count the NUL. The symbol is the path under
 * src/ with '/' and '.' replaced by '_', after "isl_embed_". */
#ifndef ISL_EMBED_H
#define ISL_EMBED_H

#include <stddef.h>

#define ISL_EMBED(sym)             \
  extern const unsigned char sym[]; \
  extern const size_t sym##_len

#endif

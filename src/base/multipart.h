/* multipart/form-data (RFC 7578) as the web platform writes and reads it. No JS, no I/O.
 *
 * Writing follows the HTML Standard's "multipart/form-data encoding algorithm"
 * (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart-form-data):
 * newlines in names and in text values are normalised to CRLF; in names and filenames LF,
 * CR and '"' are written as %0A, %0D and %22, and nothing else is escaped; a file part
 * carries its type as Content-Type, application/octet-stream when it has none.
 *
 * Reading is what the Fetch Standard's formData() asks of RFC 7578, with the details of
 * the multipart/form-data parser draft that browsers' behaviour was written down in
 * (https://andreubotella.github.io/multipart-form-data/): a preamble before the first
 * boundary and an epilogue after the last are ignored; each part has CRLF-terminated
 * headers, of which Content-Disposition (form-data, with a name and maybe a filename)
 * is required and Content-Type is kept; names and filenames are quoted strings without
 * backslash escapes, and %0A, %0D, %22 in them are decoded back. Anything else is
 * malformed. */
#ifndef ISL_MULTIPART_H
#define ISL_MULTIPART_H

#include "base.h"

/* One part to write. Strings are UTF-8 with explicit lengths (they may hold NULs). */
typedef struct {
  const char *name;
  size_t name_len;
  const char *filename; /* NULL: a text field */
  size_t filename_len;
  const char *type;     /* file parts: the Content-Type ("" or NULL: octet-stream) */
  const char *data;     /* text value or file bytes */
  size_t len;
} isl_mp_out_t;

/* Appends the encoded parts and the closing delimiter to out. boundary is ASCII. */
void isl_multipart_encode(isl_buf_t *out, const char *boundary, const isl_mp_out_t *parts,
                          size_t n);

/* Writes a fresh boundary (ASCII, unpredictable: 16 random letters and digits after a
 * fixed prefix) into buf, which must hold ISL_MULTIPART_BOUNDARY_SIZE bytes. */
#define ISL_MULTIPART_BOUNDARY_SIZE 40
void isl_multipart_boundary(char *buf);

/* One part read. name and filename are malloc'ed bytes (NUL-terminated, lengths given,
 * percent escapes decoded; not checked to be UTF-8); the data is a span of the input. */
typedef struct {
  char *name;
  size_t name_len;
  char *filename; /* NULL when the part has no filename parameter */
  size_t filename_len;
  char *type; /* the part's Content-Type value as sent, or NULL when absent */
  size_t off, len;
} isl_mp_part_t;

typedef struct {
  isl_mp_part_t *v;
  size_t n;
} isl_mp_parts_t;

/* Parses body[0..n) with boundary[0..blen). true and *out filled on success (dispose
 * it); false for a malformed body (out left empty). */
bool isl_multipart_parse(const char *body, size_t n, const char *boundary, size_t blen,
                         isl_mp_parts_t *out);
void isl_multipart_dispose(isl_mp_parts_t *parts);

#endif

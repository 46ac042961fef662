/* The Cap'n Proto text format, as workerd's config.capnp files use it: a parser that turns a
 * file into a generic tree of values, without knowing any schema. No JavaScript; the only
 * I/O is reading the file itself and the files named by `embed`.
 *
 * What it accepts (see src/config/README.md for the grammar):
 *
 *     @0xfeb2cedfa7aad686;                               # optional file id
 *     using Workerd = import "/workerd/workerd.capnp";   # recognised, never read
 *     const config :Workerd.Config = (
 *       services = [ (name = "main", worker = .main), ],
 *       sockets = [ (name = "http", address = "*:8080", http = (), service = "main") ],
 *     );
 *     const main :Workerd.Worker = (modules = [(name = "w", esModule = embed "w.js")]);
 *
 * The parser knows no field names or types: checking them, unions ("two values for one
 * union"), and the rule that a plain value where a struct is expected fills the struct's
 * first field (`service = "main"`) belong to the config model, which walks this tree. A
 * bare identifier (`style = host`) may be an enum value or a const: it stays an
 * ISL_CAPNP_IDENT node and the model decides with isl_capnp_resolve().
 *
 * Ownership: isl_capnp_parse_*() return a file that owns every node, string and embedded
 * byte it points to; isl_capnp_free() releases all of it at once. Nothing is shared between
 * files, so different files may be used from different threads; one file is read-only after
 * parsing and may be read from several threads.
 *
 * Errors: the first error stops the parse. err->msg is "path:line:col: message" (lines and
 * columns 1-based, columns counted in Unicode code points, a tab is one column); errors
 * with no position in the file (the file itself cannot be read) are "path: message" with
 * line = col = 0. */
#ifndef ISL_CONFIG_CAPNP_H
#define ISL_CONFIG_CAPNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting of ( ) and [ ] deeper than this is refused with an error (never a deep stack). */
#define ISL_CAPNP_MAX_DEPTH 256
/* The config file and each embedded file may be at most this large. */
#define ISL_CAPNP_MAX_FILE (256u << 20)
#define ISL_CAPNP_ERR_MAX 512

typedef struct {
  char msg[ISL_CAPNP_ERR_MAX]; /* "path:line:col: message", NUL-terminated */
  int line, col;               /* position of the error, 0 when it has none */
} isl_capnp_error_t;

/* Where a node starts. file points to the name the file was parsed under (owned by the
 * isl_capnp_file_t): every node of one parse has the same pointer. */
typedef struct {
  const char *file;
  int line, col;
} isl_capnp_pos_t;

typedef enum {
  ISL_CAPNP_VOID,   /* void */
  ISL_CAPNP_BOOL,   /* true / false: .b */
  ISL_CAPNP_INT,    /* integer literal: .i (see isl_capnp_as_i64/u64) */
  ISL_CAPNP_FLOAT,  /* literal with '.' or exponent, inf, nan: .f */
  ISL_CAPNP_STRING, /* "…" (adjacent literals joined, escapes decoded): .str */
  ISL_CAPNP_DATA,   /* 0x"0a 1b" (adjacent literals joined): .str */
  ISL_CAPNP_STRUCT, /* ( name = value, … ): .st, fields in source order */
  ISL_CAPNP_LIST,   /* [ value, … ]: .list */
  ISL_CAPNP_IDENT,  /* bare identifier: an enum value or a const of this file: .ident */
  ISL_CAPNP_REF,    /* .name or A.b (dotted reference): .ref */
  ISL_CAPNP_EMBED,  /* embed "path": the file's bytes, text or data as the model needs */
} isl_capnp_kind_t;

typedef struct isl_capnp_value isl_capnp_value_t;

typedef struct {
  const char *name;
  isl_capnp_pos_t pos; /* of the name */
  isl_capnp_value_t *value;
} isl_capnp_field_t;

struct isl_capnp_value {
  isl_capnp_kind_t kind;
  isl_capnp_pos_t pos; /* of the value's first token ('-' of a negative number) */
  union {
    bool b;
    /* The literal's magnitude and sign; -0 is stored as 0 with neg = false. Any magnitude
     * up to UINT64_MAX, or down to -2^63 when negative, parses; wider is an error. */
    struct {
      uint64_t mag;
      bool neg;
    } i;
    double f;
    /* STRING and DATA: bytes, with a NUL after them (not counted in len). A string may
     * contain NUL bytes from escapes (\0, \x00); Text cannot, so the model checks len. */
    struct {
      const char *p;
      size_t len;
    } str;
    struct {
      isl_capnp_field_t *fields;
      size_t n;
    } st;
    struct {
      isl_capnp_value_t **items;
      size_t n;
    } list;
    const char *ident;
    /* path is the reference as written without spaces (".main", "Workerd.Foo.bar"); dot
     * says it started with '.'; nseg counts the names in it. A single-name reference
     * (".main") always names a const of this file: the parser checks it exists. */
    struct {
      const char *path;
      bool dot;
      int nseg;
    } ref;
    /* The embedded file's bytes (NUL after them, not counted), the path as written and
     * the path that was read (relative paths start at the containing file's directory). */
    struct {
      const char *p;
      size_t len;
      const char *path;
      const char *resolved;
    } embed;
  };
};

typedef struct {
  const char *name;
  /* The type as written, without spaces: "Workerd.Config", "Text", "List(Workerd.Worker)". */
  const char *type;
  isl_capnp_pos_t pos; /* of the name */
  isl_capnp_pos_t type_pos;
  isl_capnp_value_t *value;
} isl_capnp_const_t;

/* using NAME = import "PATH"; Only "/workerd/workerd.capnp" is accepted. */
typedef struct {
  const char *name;
  const char *path;
  isl_capnp_pos_t pos;
} isl_capnp_import_t;

typedef struct isl_capnp_file_priv isl_capnp_file_priv_t;

typedef struct {
  const char *path; /* the name the file was parsed under; nodes' pos.file points here */
  bool has_id;
  uint64_t id; /* @0x…; when has_id */
  isl_capnp_const_t *consts; /* in source order */
  size_t nconsts;
  isl_capnp_import_t *imports;
  size_t nimports;
  /* The name the workerd schema was imported under ("Workerd"), or NULL. */
  const char *workerd_alias;
  isl_capnp_file_priv_t *priv;
} isl_capnp_file_t;

/* Options for isl_capnp_parse_string_opts(); a zeroed struct gives the defaults. */
typedef struct {
  /* Directory that relative embed paths start from. NULL: the directory part of the
   * name the file is parsed under ("" when it has none: the current directory). */
  const char *base_dir;
  /* Refuse `embed` with an error (for input that must not read files). */
  bool no_embed;
  /* When set, embeds are read through this instead of the file system: return 0 with a
   * malloc'ed *data (the parser frees it) and its length, or a negative errno value
   * (-ENOENT gives "embed file not found"). path is the resolved path. */
  int (*read_embed)(void *ud, const char *path, char **data, size_t *len);
  void *ud;
} isl_capnp_opts_t;

/* Reads and parses the file at path. Returns NULL with *err filled on any error. */
isl_capnp_file_t *isl_capnp_parse_file(const char *path, isl_capnp_error_t *err);
/* Parses src[0..len) (need not be NUL-terminated) under the given name, which is used in
 * positions and messages and, by default, as the base of relative embed paths. */
isl_capnp_file_t *isl_capnp_parse_string(const char *src, size_t len, const char *name,
                                         isl_capnp_error_t *err);
/* The same with options; opts may be NULL. */
isl_capnp_file_t *isl_capnp_parse_string_opts(const char *src, size_t len, const char *name,
                                              const isl_capnp_opts_t *opts,
                                              isl_capnp_error_t *err);
void isl_capnp_free(isl_capnp_file_t *f);

/* The const named name (without a leading '.'), or NULL. Constant time. */
const isl_capnp_const_t *isl_capnp_find_const(const isl_capnp_file_t *f, const char *name);

/* What the model expects where it resolves a value: for ENUM a bare identifier is an enum
 * value and stays as it is; for VALUE (anything else) it must name a const. */
typedef enum { ISL_CAPNP_EXPECT_VALUE, ISL_CAPNP_EXPECT_ENUM } isl_capnp_expect_t;

/* Follows const references from v until a value that is not one: ".name" always, a bare
 * identifier unless expect is ENUM. Shallow: the fields and items of the result may hold
 * references in turn, which the model resolves as it visits them. Returns the value
 * (borrowed from f), or NULL with *err at v's position: "reference to unknown const 'x'",
 * "'Workerd.x' refers into an imported schema, which islet does not read". Cycles cannot
 * reach the model: the parser refuses a const that contains a reference to itself, directly
 * or through other consts. If via is not NULL it gets the last const followed (or NULL
 * when v was not a reference), e.g. to check its declared type. */
const isl_capnp_value_t *isl_capnp_resolve(const isl_capnp_file_t *f, const isl_capnp_value_t *v,
                                           isl_capnp_expect_t expect,
                                           const isl_capnp_const_t **via, isl_capnp_error_t *err);

/* True if c's declared type is NAME of the imported workerd schema, e.g.
 * isl_capnp_type_is(f, c, "Config") for ":Workerd.Config" (whatever the alias is). */
bool isl_capnp_type_is(const isl_capnp_file_t *f, const isl_capnp_const_t *c, const char *name);

/* The value of field name in a STRUCT node, or NULL (also when v is not a struct). */
const isl_capnp_value_t *isl_capnp_field(const isl_capnp_value_t *v, const char *name);

/* A plain value is anything but a struct literal; where the schema expects a struct, the
 * model gives it to the struct's first field (workerd's `service = "main"`). References
 * must be resolved first. */
static inline bool isl_capnp_is_plain(const isl_capnp_value_t *v) {
  return v->kind != ISL_CAPNP_STRUCT;
}

/* Integer conversions: false if v is not an INT or out of the type's range. */
bool isl_capnp_as_i64(const isl_capnp_value_t *v, int64_t *out);
bool isl_capnp_as_u64(const isl_capnp_value_t *v, uint64_t *out);
/* FLOAT, or INT converted: false for other kinds. */
bool isl_capnp_as_double(const isl_capnp_value_t *v, double *out);

/* "a string", "a list", … for messages like "expected a string, got a list". */
const char *isl_capnp_kind_name(isl_capnp_kind_t kind);

/* Formats "file:line:col: message" into err, for the model's errors about a node. Returns
 * NULL so that `return isl_capnp_error_at(…);` ends a failing lookup. */
void *isl_capnp_error_at(isl_capnp_error_t *err, isl_capnp_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

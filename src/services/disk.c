/* The disk service (see disk.h for the behaviour). File I/O here is plain blocking I/O
 * on the loop thread: the files served are small today. Moving reads and writes to
 * libuv's fs thread pool (uv_fs_*) is the next step once bodies stream. */
#include "disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/base.h"

typedef struct {
  isl_service_t iface;
  int root_fd; /* O_PATH descriptor of the root, open for the service's life */
  bool writable, allow_dotfiles;
} disk_t;

/* ---- Paths ---- */

typedef struct {
  char **v;
  size_t n;
} segments_t;

static void segments_free(segments_t *s) {
  for (size_t i = 0; i < s->n; i++) free(s->v[i]);
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The path of an absolute URL (or of a bare "/path"), without query or fragment. */
static void url_path(const char *url, const char **p, size_t *n) {
  const char *s = url;
  const char *scheme = strstr(url, "://");
  if (scheme && (!strchr(url, '/') || scheme < strchr(url, '/'))) {
    s = scheme + 3;
    s += strcspn(s, "/?#");
  }
  *p = s;
  *n = strcspn(s, "?#");
}

/* Splits and decodes the URL path. Returns 0, or the status to answer with: 400 for a
 * malformed escape, 404 for a segment that could leave the root or name a dotfile. Empty
 * segments ("//", a trailing "/") are skipped: they name no file. */
static int parse_path(const disk_t *d, const char *url, segments_t *out) {
  const char *p;
  size_t n;
  url_path(url, &p, &n);
  out->v = NULL;
  out->n = 0;
  size_t i = 0;
  while (i < n) {
    while (i < n && p[i] == '/') i++;
    size_t start = i;
    while (i < n && p[i] != '/') i++;
    if (i == start) break;
    char *seg = isl_malloc(i - start + 1);
    size_t k = 0;
    for (size_t j = start; j < i; j++) {
      char c = p[j];
      if (c == '%') {
        int hi = j + 2 < i ? hexval(p[j + 1]) : -1;
        int lo = j + 2 < i ? hexval(p[j + 2]) : -1;
        if (hi < 0 || lo < 0) {
          free(seg);
          segments_free(out);
          return 400;
        }
        c = (char)(hi * 16 + lo);
        j += 2;
      }
      /* A decoded '/' or '\' would make one segment two; NUL would cut the name short. */
      if (c == '/' || c == '\\' || c == '\0') {
        free(seg);
        segments_free(out);
        return 404;
      }
      seg[k++] = c;
    }
    seg[k] = 0;
    bool dots = strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0;
    if (dots || (seg[0] == '.' && !d->allow_dotfiles)) {
      free(seg);
      segments_free(out);
      return 404;
    }
    out->v = isl_realloc(out->v, (out->n + 1) * sizeof(char *));
    out->v[out->n++] = seg;
  }
  return 0;
}

/* Opens the directory holding the last segment, one segment at a time without following
 * symlinks. create: make missing directories (PUT). Returns a descriptor the caller
 * closes, or -1 with errno set. */
static int open_parent(const disk_t *d, const segments_t *s, bool create) {
  int fd = dup(d->root_fd);
  if (fd < 0) return -1;
  for (size_t i = 0; i + 1 < s->n; i++) {
    int next = openat(fd, s->v[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT && create) {
      if (mkdirat(fd, s->v[i], 0755) < 0 && errno != EEXIST) {
        close(fd);
        return -1;
      }
      next = openat(fd, s->v[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    int e = errno;
    close(fd);
    if (next < 0) {
      errno = e;
      return -1;
    }
    fd = next;
  }
  return fd;
}

/* ---- Header values ---- */

static const struct {
  const char *ext, *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},  {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"}, {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},  {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml"},            {"csv", "text/csv; charset=utf-8"},
    {"png", "image/png"},                  {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},                {"gif", "image/gif"},
    {"webp", "image/webp"},                {"avif", "image/avif"},
    {"svg", "image/svg+xml"},              {"ico", "image/x-icon"},
    {"wasm", "application/wasm"},          {"pdf", "application/pdf"},
    {"woff", "font/woff"},                 {"woff2", "font/woff2"},
    {"mp4", "video/mp4"},                  {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},                 {"zip", "application/zip"},
};

static const char *content_type(const char *name) {
  const char *dot = strrchr(name, '.');
  if (dot && dot != name)
    for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
      if (strcasecmp(dot + 1, content_types[i].ext) == 0) return content_types[i].type;
  return "application/octet-stream";
}

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* IMF-fixdate (RFC 9110 §5.6.7), by hand: strftime's names follow the locale. */
static void http_date(time_t t, char out[32]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
           months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Parses an IMF-fixdate; other forms (obsolete RFC 850, asctime) are not accepted, and
 * RFC 9110 §13.1.3 says an invalid date makes the header ignored. */
static bool parse_http_date(const char *s, time_t *out) {
  char wd[4], mon[4];
  int day, year, h, m, sec, used = 0;
  if (sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT%n", wd, &day, mon, &year, &h, &m, &sec, &used) !=
          7 || used == 0 || s[used] != 0)
    return false;
  int mi = -1;
  for (int i = 0; i < 12; i++)
    if (strcmp(mon, months[i]) == 0) mi = i;
  if (mi < 0 || day < 1 || day > 31 || h > 23 || m > 59 || sec > 60 || year < 1900) return false;
  struct tm tm = {.tm_year = year - 1900, .tm_mon = mi, .tm_mday = day,
                  .tm_hour = h, .tm_min = m, .tm_sec = sec};
  *out = timegm(&tm);
  return true;
}

/* A strong validator from size and modification time: it changes whenever either does. */
static void make_etag(const struct stat *st, char out[64]) {
  snprintf(out, 64, "\"%llx-%llx%09lx\"", (unsigned long long)st->st_size,
           (unsigned long long)st->st_mtim.tv_sec, (unsigned long)st->st_mtim.tv_nsec);
}

/* If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity tags, compared weakly
 * (a W/ prefix is ignored). */
static bool etag_matches(const char *header, const char *etag) {
  const char *p = header;
  size_t elen = strlen(etag);
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (!*p) break;
    if (*p == '*') return true;
    if (strncmp(p, "W/", 2) == 0) p += 2;
    const char *start = p;
    if (*p == '"') {
      p++;
      while (*p && *p != '"') p++;
      if (*p == '"') p++;
    } else {
      while (*p && *p != ',') p++;
    }
    if ((size_t)(p - start) == elen && memcmp(start, etag, elen) == 0) return true;
    while (*p && *p != ',') p++;
  }
  return false;
}

/* Range (RFC 9110 §14.2): the single range "bytes=a-b", "bytes=a-" or "bytes=-n".
 * Returns 1 with [*first, *last] for a satisfiable range, 0 when the header is to be
 * ignored (malformed, another unit, several ranges: answered with the whole file), -1
 * when unsatisfiable. */
static int parse_range(const char *h, unsigned long long len, unsigned long long *first,
                       unsigned long long *last) {
  if (strncasecmp(h, "bytes=", 6) != 0) return 0;
  const char *p = h + 6;
  while (*p == ' ') p++;
  /* Several ranges ("0-1,4-5") fail the digit scan below at the ',' and are ignored. */
  const char *dash = strchr(p, '-');
  if (!dash) return 0;
  unsigned long long a = 0, b = 0;
  bool have_a = false, have_b = false;
  for (const char *q = p; q < dash; q++) {
    if (*q < '0' || *q > '9' || a > (~0ULL - 9) / 10) return 0;
    a = a * 10 + (unsigned)(*q - '0');
    have_a = true;
  }
  const char *q = dash + 1;
  for (; *q && *q != ' '; q++) {
    if (*q < '0' || *q > '9' || b > (~0ULL - 9) / 10) return 0;
    b = b * 10 + (unsigned)(*q - '0');
    have_b = true;
  }
  while (*q == ' ') q++;
  if (*q) return 0;
  if (!have_a) {
    /* A suffix: the last b bytes. */
    if (!have_b) return 0;
    if (b == 0 || len == 0) return -1;
    *first = b >= len ? 0 : len - b;
    *last = len - 1;
    return 1;
  }
  if (have_b && b < a) return 0;
  if (a >= len) return -1;
  *first = a;
  *last = have_b && b < len ? b : len - 1;
  return 1;
}

/* ---- Methods ---- */

static isl_response_t *not_allowed(const disk_t *d) {
  isl_response_t *res = isl_response_text(405, "Method Not Allowed");
  const char *allow = d->writable ? "GET, HEAD, PUT, DELETE" : "GET, HEAD";
  isl_headers_add(&res->headers, "Allow", 5, allow, strlen(allow));
  return res;
}

static void add_header(isl_response_t *res, const char *name, const char *value) {
  isl_headers_add(&res->headers, name, strlen(name), value, strlen(value));
}

/* Reads len bytes at off; false on a short read (the file shrank under us). */
static bool read_at(int fd, char *buf, size_t len, off_t off) {
  size_t got = 0;
  while (got < len) {
    ssize_t r = pread(fd, buf + got, len - got, off + (off_t)got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += (size_t)r;
  }
  return true;
}

static isl_response_t *do_get(const disk_t *d, const isl_request_t *req, const segments_t *s) {
  if (s->n == 0) return isl_response_text(404, "Not Found"); /* the root: no listing */
  int dir = open_parent(d, s, false);
  if (dir < 0) return isl_response_text(404, "Not Found");
  const char *name = s->v[s->n - 1];
  /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway. */
  int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  close(dir);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) close(fd);
    return isl_response_text(404, "Not Found");
  }
  char etag[64], modified[32], num[64];
  make_etag(&st, etag);
  http_date(st.st_mtim.tv_sec, modified);
  unsigned long long len = (unsigned long long)st.st_size;

  /* RFC 9110 §13.2.2: If-None-Match first; If-Modified-Since only without it. */
  const char *inm = isl_headers_get(&req->headers, "If-None-Match");
  const char *ims = isl_headers_get(&req->headers, "If-Modified-Since");
  time_t since;
  bool not_modified = inm ? etag_matches(inm, etag)
                          : ims && parse_http_date(ims, &since) && st.st_mtim.tv_sec <= since;
  if (not_modified) {
    close(fd);
    isl_response_t *res = isl_response_new(304);
    add_header(res, "ETag", etag);
    add_header(res, "Last-Modified", modified);
    return res;
  }

  unsigned long long first = 0, last = len ? len - 1 : 0;
  int ranged = 0;
  const char *range = isl_headers_get(&req->headers, "Range");
  const char *if_range = isl_headers_get(&req->headers, "If-Range");
  /* §13.1.5: a Range with an If-Range that does not match is answered in full. */
  if (range && (!if_range || strcmp(if_range, etag) == 0 || strcmp(if_range, modified) == 0))
    ranged = parse_range(range, len, &first, &last);
  if (ranged < 0) {
    close(fd);
    isl_response_t *res = isl_response_text(416, "Range Not Satisfiable");
    snprintf(num, sizeof(num), "bytes */%llu", len);
    add_header(res, "Content-Range", num);
    return res;
  }
  size_t n = len ? (size_t)(last - first + 1) : 0;
  char *data = isl_malloc(n ? n : 1);
  if (n && !read_at(fd, data, n, (off_t)first)) {
    free(data);
    close(fd);
    return isl_response_text(500, "Internal Server Error");
  }
  close(fd);
  isl_response_t *res = isl_response_new(ranged ? 206 : 200);
  /* The HTTP server frames from the body and never sends it for HEAD; a JS caller
   * sees the length it would get. */
  res->body = isl_body_new(data, n);
  snprintf(num, sizeof(num), "%zu", n);
  add_header(res, "Content-Length", num);
  add_header(res, "Content-Type", content_type(name));
  add_header(res, "ETag", etag);
  add_header(res, "Last-Modified", modified);
  add_header(res, "Accept-Ranges", "bytes");
  if (ranged) {
    snprintf(num, sizeof(num), "bytes %llu-%llu/%llu", first, last, len);
    add_header(res, "Content-Range", num);
  }
  return res;
}

static bool write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

static isl_response_t *do_put(const disk_t *d, const isl_request_t *req, const segments_t *s) {
  if (s->n == 0) return isl_response_text(409, "Conflict"); /* the root is a directory */
  int dir = open_parent(d, s, true);
  if (dir < 0)
    return errno == ENOTDIR || errno == ELOOP || errno == EEXIST
               ? isl_response_text(409, "Conflict")
               : isl_response_text(500, "Internal Server Error");
  const char *name = s->v[s->n - 1];
  struct stat st;
  bool existed = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (existed && !S_ISREG(st.st_mode)) {
    close(dir);
    return isl_response_text(409, "Conflict");
  }
  /* A temporary file beside the target, then rename(): readers see the old file or the
   * new one, never a half-written one. The name is a dotfile, so it is not served
   * (unless allowDotfiles). */
  char tmp[64];
  int fd = -1;
  for (int tries = 0; tries < 16 && fd < 0; tries++) {
    snprintf(tmp, sizeof(tmp), ".islet-put-%ld-%08lx", (long)getpid(),
             (unsigned long)(isl_now_ns() ^ ((uint64_t)tries << 40)) & 0xffffffffUL);
    fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    close(dir);
    return isl_response_text(500, "Internal Server Error");
  }
  const isl_body_t *b = req->body;
  bool ok = write_all(fd, b ? b->data : "", b ? b->len : 0);
  ok = close(fd) == 0 && ok;
  if (!ok || renameat(dir, tmp, dir, name) < 0) {
    unlinkat(dir, tmp, 0);
    close(dir);
    return isl_response_text(500, "Internal Server Error");
  }
  close(dir);
  return existed ? isl_response_new(204) : isl_response_text(201, "Created");
}

static isl_response_t *do_delete(const disk_t *d, const segments_t *s) {
  if (s->n == 0) return isl_response_text(409, "Conflict");
  int dir = open_parent(d, s, false);
  if (dir < 0) return isl_response_text(404, "Not Found");
  const char *name = s->v[s->n - 1];
  struct stat st;
  isl_response_t *res;
  if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    res = isl_response_text(404, "Not Found");
  else if (S_ISDIR(st.st_mode))
    res = isl_response_text(409, "Conflict");
  else if (unlinkat(dir, name, 0) < 0)
    res = isl_response_text(500, "Internal Server Error");
  else
    res = isl_response_new(204);
  close(dir);
  return res;
}

static void disk_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  disk_t *d = (disk_t *)svc;
  const char *m = req->method;
  bool get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
  bool put = strcmp(m, "PUT") == 0, del = strcmp(m, "DELETE") == 0;
  /* A file is written whole (a temporary file renamed into place): a streamed body is
   * read to the end first, and this is called again with its bytes. */
  if (put && d->writable && isl_request_await_body(svc, req, ISL_DISK_MAX_PUT_BODY, cb, data))
    return;
  isl_response_t *res;
  segments_t s;
  if (!get && !((put || del) && d->writable)) {
    res = not_allowed(d);
  } else {
    int status = parse_path(d, req->url, &s);
    if (status)
      res = isl_response_text(status, isl_status_reason(status));
    else {
      res = get ? do_get(d, req, &s) : put ? do_put(d, req, &s) : do_delete(d, &s);
      segments_free(&s);
    }
  }
  isl_request_free(req);
  cb(data, res);
}

isl_service_t *isl_disk_service_new(const char *root, bool writable, bool allow_dotfiles,
                                    char *err, size_t errlen) {
  int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "cannot open directory '%s': %s", root, strerror(errno));
    return NULL;
  }
  disk_t *d = isl_calloc(1, sizeof(*d));
  d->iface.name = "disk";
  d->iface.fetch = disk_fetch;
  d->root_fd = fd;
  d->writable = writable;
  d->allow_dotfiles = allow_dotfiles;
  return &d->iface;
}

void isl_disk_service_free(isl_service_t *svc) {
  if (!svc) return;
  disk_t *d = (disk_t *)svc;
  close(d->root_fd);
  free(d);
}

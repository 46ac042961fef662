/* The disk service driven directly with isl_request_t objects on a temporary directory
 * under /tmp (removed at the end): reads, headers, conditionals, ranges, writes, and
 * every way out of the root we know of. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "services/disk.h"

static char root[64];

static void put_file(const char *rel, const char *text) {
  char p[256];
  snprintf(p, sizeof(p), "%s/%s", root, rel);
  FILE *f = fopen(p, "w");
  fputs(text, f);
  fclose(f);
}

static char *read_file(const char *rel) {
  char p[256];
  snprintf(p, sizeof(p), "%s/%s", root, rel);
  FILE *f = fopen(p, "r");
  if (!f) return NULL;
  static char buf[256];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = 0;
  fclose(f);
  return buf;
}

static void on_response(void *data, isl_response_t *res) {
  isl_response_t **out = data;
  CHECK(*out == NULL); /* exactly once */
  *out = res;
}

/* Sends method url (with one optional header and body) and returns the response, which
 * the service must have answered synchronously. */
static isl_response_t *send(isl_service_t *svc, const char *method, const char *url,
                            const char *hname, const char *hvalue, const char *body) {
  isl_request_t *req = isl_request_new(method, url);
  if (hname) isl_headers_add(&req->headers, hname, strlen(hname), hvalue, strlen(hvalue));
  if (body) req->body = isl_body_copy_of(body, strlen(body));
  isl_response_t *res = NULL;
  svc->fetch(svc, req, on_response, &res);
  CHECK(res != NULL);
  return res;
}

static int status_of(isl_service_t *svc, const char *method, const char *url) {
  isl_response_t *res = send(svc, method, url, NULL, NULL, NULL);
  int st = res->status;
  isl_response_free(res);
  return st;
}

static bool body_is(const isl_response_t *res, const char *text) {
  size_t n = strlen(text);
  return res->body && res->body->len == n && memcmp(res->body->data, text, n) == 0;
}

static const char *hdr(const isl_response_t *res, const char *name) {
  const char *v = isl_headers_get(&res->headers, name);
  return v ? v : "(none)";
}

static void test_get(isl_service_t *ro) {
  isl_response_t *res = send(ro, "GET", "http://files/index.html", NULL, NULL, NULL);
  CHECK(res->status == 200);
  CHECK(body_is(res, "<h1>hi</h1>"));
  CHECK_STR(hdr(res, "Content-Type"), "text/html; charset=utf-8");
  CHECK_STR(hdr(res, "Content-Length"), "11");
  CHECK_STR(hdr(res, "Last-Modified"), "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(hdr(res, "ETag")[0] == '"');
  CHECK_STR(hdr(res, "Accept-Ranges"), "bytes");
  isl_response_free(res);

  /* Nested path, query and fragment ignored, percent-decoded name. */
  res = send(ro, "GET", "http://files/sub/data.json?x=1#frag", NULL, NULL, NULL);
  CHECK(res->status == 200 && body_is(res, "{\"a\":1}"));
  CHECK_STR(hdr(res, "Content-Type"), "application/json");
  isl_response_free(res);
  res = send(ro, "GET", "http://files/with%20space.txt", NULL, NULL, NULL);
  CHECK(res->status == 200 && body_is(res, "spaced"));
  CHECK_STR(hdr(res, "Content-Type"), "text/plain; charset=utf-8");
  isl_response_free(res);
  res = send(ro, "GET", "http://files/blob.bin", NULL, NULL, NULL);
  CHECK_STR(hdr(res, "Content-Type"), "application/octet-stream");
  isl_response_free(res);
  res = send(ro, "GET", "http://files/app.WASM", NULL, NULL, NULL);
  CHECK_STR(hdr(res, "Content-Type"), "application/wasm");
  isl_response_free(res);

  /* HEAD: same headers; the body is there for framing (the server never sends it). */
  res = send(ro, "HEAD", "http://files/index.html", NULL, NULL, NULL);
  CHECK(res->status == 200);
  CHECK_STR(hdr(res, "Content-Length"), "11");
  CHECK_STR(hdr(res, "Content-Type"), "text/html; charset=utf-8");
  isl_response_free(res);

  /* Empty file. */
  res = send(ro, "GET", "http://files/empty.txt", NULL, NULL, NULL);
  CHECK(res->status == 200 && res->body && res->body->len == 0);
  CHECK_STR(hdr(res, "Content-Length"), "0");
  isl_response_free(res);
}

static void test_not_found(isl_service_t *ro) {
  CHECK(status_of(ro, "GET", "http://files/missing.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/") == 404);         /* the root: no listing */
  CHECK(status_of(ro, "GET", "http://files/sub") == 404);      /* a directory */
  CHECK(status_of(ro, "GET", "http://files/sub/") == 404);
  CHECK(status_of(ro, "GET", "http://files/index.html/x") == 404); /* file as a directory */
  CHECK(status_of(ro, "GET", "http://files/fifo") == 404);     /* not a regular file */
  CHECK(status_of(ro, "GET", "http://files/bad%zzescape") == 400);
  CHECK(status_of(ro, "GET", "http://files/trailing%2") == 400);
}

static void test_traversal(isl_service_t *ro, isl_service_t *dot) {
  /* outside.txt sits next to the root; every one of these would reach it or /etc. */
  CHECK(status_of(ro, "GET", "http://files/../etc/passwd") == 404);
  CHECK(status_of(ro, "GET", "http://files/../outside.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/sub/../../outside.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/%2e%2e/outside.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/%2E%2E/outside.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/.%2e/outside.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/a%2F..%2F..%2Foutside.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/sub%2F..%2F..%2Foutside.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/..%5C..%5Coutside.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/sub%2Fdata.json") == 404); /* no decoded slashes */
  CHECK(status_of(ro, "GET", "http://files/index.html%00.png") == 404);
  CHECK(status_of(ro, "GET", "http://files/./index.html") == 404);
  /* Symlinks are never followed: to /etc, to a file outside, even to a file inside. */
  CHECK(status_of(ro, "GET", "http://files/etc/passwd") == 404);
  CHECK(status_of(ro, "GET", "http://files/escape.txt") == 404);
  CHECK(status_of(ro, "GET", "http://files/alias.html") == 404);
  /* With dotfiles allowed, ".." is still no way out. */
  CHECK(status_of(dot, "GET", "http://files/../outside.txt") == 404);
  CHECK(status_of(dot, "GET", "http://files/%2e%2e/outside.txt") == 404);
  CHECK(status_of(dot, "GET", "http://files/etc/passwd") == 404);
}

static void test_dotfiles(isl_service_t *ro, isl_service_t *dot) {
  CHECK(status_of(ro, "GET", "http://files/.secret") == 404);
  CHECK(status_of(ro, "GET", "http://files/%2esecret") == 404);
  CHECK(status_of(ro, "GET", "http://files/.hidden/file.txt") == 404);
  isl_response_t *res = send(dot, "GET", "http://files/.secret", NULL, NULL, NULL);
  CHECK(res->status == 200 && body_is(res, "s3cret"));
  isl_response_free(res);
  res = send(dot, "GET", "http://files/.hidden/file.txt", NULL, NULL, NULL);
  CHECK(res->status == 200 && body_is(res, "in hidden dir"));
  isl_response_free(res);
}

static void test_conditional(isl_service_t *ro) {
  isl_response_t *res = send(ro, "GET", "http://files/index.html", NULL, NULL, NULL);
  char etag[64];
  snprintf(etag, sizeof(etag), "%s", hdr(res, "ETag"));
  isl_response_free(res);

  res = send(ro, "GET", "http://files/index.html", "If-None-Match", etag, NULL);
  CHECK(res->status == 304 && res->body == NULL);
  CHECK_STR(hdr(res, "ETag"), etag);
  isl_response_free(res);
  char list[160], weak[80];
  snprintf(list, sizeof(list), "\"nope\", %s", etag);
  res = send(ro, "GET", "http://files/index.html", "If-None-Match", list, NULL);
  CHECK(res->status == 304);
  isl_response_free(res);
  snprintf(weak, sizeof(weak), "W/%s", etag);
  res = send(ro, "GET", "http://files/index.html", "If-None-Match", weak, NULL);
  CHECK(res->status == 304);
  isl_response_free(res);
  res = send(ro, "GET", "http://files/index.html", "If-None-Match", "*", NULL);
  CHECK(res->status == 304);
  isl_response_free(res);
  res = send(ro, "GET", "http://files/index.html", "If-None-Match", "\"other\"", NULL);
  CHECK(res->status == 200 && body_is(res, "<h1>hi</h1>"));
  isl_response_free(res);

  /* mtime is Sun, 06 Nov 1994 08:49:37 GMT. */
  res = send(ro, "GET", "http://files/index.html", "If-Modified-Since",
             "Sun, 06 Nov 1994 08:49:37 GMT", NULL);
  CHECK(res->status == 304);
  isl_response_free(res);
  res = send(ro, "GET", "http://files/index.html", "If-Modified-Since",
             "Mon, 01 Jan 2024 00:00:00 GMT", NULL);
  CHECK(res->status == 304);
  isl_response_free(res);
  res = send(ro, "GET", "http://files/index.html", "If-Modified-Since",
             "Sun, 06 Nov 1994 08:49:36 GMT", NULL);
  CHECK(res->status == 200);
  isl_response_free(res);
  res = send(ro, "GET", "http://files/index.html", "If-Modified-Since", "yesterday", NULL);
  CHECK(res->status == 200); /* an invalid date is ignored */
  isl_response_free(res);
}

/* 0123456789 in digits.txt. */
static void check_range(isl_service_t *ro, const char *range, int status, const char *body,
                        const char *content_range) {
  isl_response_t *res = send(ro, "GET", "http://files/digits.txt", "Range", range, NULL);
  CHECK(res->status == status);
  if (!(res->status == status)) printf("  range %s: got %d\n", range, res->status);
  if (body) CHECK(body_is(res, body));
  CHECK_STR(hdr(res, "Content-Range"), content_range);
  isl_response_free(res);
}

static void test_ranges(isl_service_t *ro) {
  check_range(ro, "bytes=2-5", 206, "2345", "bytes 2-5/10");
  check_range(ro, "bytes=7-", 206, "789", "bytes 7-9/10");
  check_range(ro, "bytes=-3", 206, "789", "bytes 7-9/10");
  check_range(ro, "bytes=-30", 206, "0123456789", "bytes 0-9/10");
  check_range(ro, "bytes=8-100", 206, "89", "bytes 8-9/10");
  check_range(ro, "bytes=0-0", 206, "0", "bytes 0-0/10");
  check_range(ro, "bytes=10-", 416, NULL, "bytes */10");
  check_range(ro, "bytes=50-60", 416, NULL, "bytes */10");
  check_range(ro, "bytes=-0", 416, NULL, "bytes */10");
  check_range(ro, "bytes=0-1,4-5", 200, "0123456789", "(none)"); /* several: whole file */
  check_range(ro, "bytes=5-2", 200, "0123456789", "(none)");     /* malformed: ignored */
  check_range(ro, "items=0-1", 200, "0123456789", "(none)");
  check_range(ro, "bytes=x-1", 200, "0123456789", "(none)");
  isl_response_t *res = send(ro, "GET", "http://files/digits.txt", "Range", "bytes=2-3", NULL);
  CHECK_STR(hdr(res, "Content-Length"), "2");
  isl_response_free(res);
  res = send(ro, "GET", "http://files/empty.txt", "Range", "bytes=0-", NULL);
  CHECK(res->status == 416);
  CHECK_STR(hdr(res, "Content-Range"), "bytes */0");
  isl_response_free(res);
}

static void test_methods(isl_service_t *ro) {
  isl_response_t *res = send(ro, "PUT", "http://files/new.txt", NULL, NULL, "x");
  CHECK(res->status == 405);
  CHECK_STR(hdr(res, "Allow"), "GET, HEAD");
  isl_response_free(res);
  CHECK(read_file("new.txt") == NULL);
  CHECK(status_of(ro, "DELETE", "http://files/index.html") == 405);
  CHECK(read_file("index.html") != NULL);
  CHECK(status_of(ro, "POST", "http://files/index.html") == 405);
  CHECK(status_of(ro, "OPTIONS", "http://files/index.html") == 405);
}

static void test_put_delete(isl_service_t *rw) {
  isl_response_t *res = send(rw, "PUT", "http://files/up/new.txt", NULL, NULL, "fresh");
  CHECK(res->status == 201);
  isl_response_free(res);
  CHECK_STR(read_file("up/new.txt"), "fresh");
  res = send(rw, "PUT", "http://files/up/new.txt", NULL, NULL, "replaced");
  CHECK(res->status == 204);
  isl_response_free(res);
  CHECK_STR(read_file("up/new.txt"), "replaced");
  res = send(rw, "GET", "http://files/up/new.txt", NULL, NULL, NULL);
  CHECK(res->status == 200 && body_is(res, "replaced"));
  isl_response_free(res);
  /* No temporary file is left beside the target. */
  char p[256];
  snprintf(p, sizeof(p), "ls -A %s/up | wc -l | grep -qx 1", root);
  CHECK(system(p) == 0);
  res = send(rw, "POST", "http://files/up/new.txt", NULL, NULL, "x");
  CHECK(res->status == 405);
  CHECK_STR(hdr(res, "Allow"), "GET, HEAD, PUT, DELETE");
  isl_response_free(res);

  CHECK(status_of(rw, "PUT", "http://files/sub") == 409);  /* a directory */
  CHECK(status_of(rw, "PUT", "http://files/../outside.txt") == 404);
  CHECK(status_of(rw, "PUT", "http://files/a%2F..%2F..%2Foutside.txt") == 404);
  CHECK(status_of(rw, "PUT", "http://files/.evil") == 404);
  CHECK(status_of(rw, "PUT", "http://files/etc/x") == 409);  /* through the symlink */
  CHECK(status_of(rw, "PUT", "http://files/escape.txt") == 409); /* never writes through */
  CHECK_STR(read_file("../outside.txt"), "outside");

  CHECK(status_of(rw, "DELETE", "http://files/up/new.txt") == 204);
  CHECK(read_file("up/new.txt") == NULL);
  CHECK(status_of(rw, "DELETE", "http://files/up/new.txt") == 404);
  CHECK(status_of(rw, "DELETE", "http://files/sub") == 409);
  CHECK(status_of(rw, "DELETE", "http://files/../outside.txt") == 404);
  CHECK(status_of(rw, "DELETE", "http://files/.secret") == 404);
  CHECK(read_file(".secret") != NULL);
}

int main(void) {
  char base[] = "/tmp/islet-disk-XXXXXX";
  if (!mkdtemp(base)) return 1;
  snprintf(root, sizeof(root), "%s/root", base);
  mkdir(root, 0755);
  char p[256];
  snprintf(p, sizeof(p), "%s/outside.txt", base);
  FILE *f = fopen(p, "w");
  fputs("outside", f);
  fclose(f);
  put_file("index.html", "<h1>hi</h1>");
  snprintf(p, sizeof(p), "%s/index.html", root);
  struct timespec t[2] = {{784111777, 0}, {784111777, 0}}; /* Sun, 06 Nov 1994 08:49:37 */
  utimensat(AT_FDCWD, p, t, 0);
  put_file("digits.txt", "0123456789");
  put_file("empty.txt", "");
  put_file("with space.txt", "spaced");
  put_file("blob.bin", "\x01\x02");
  put_file("app.WASM", "\0asm");
  put_file(".secret", "s3cret");
  snprintf(p, sizeof(p), "%s/sub", root);
  mkdir(p, 0755);
  put_file("sub/data.json", "{\"a\":1}");
  snprintf(p, sizeof(p), "%s/.hidden", root);
  mkdir(p, 0755);
  put_file(".hidden/file.txt", "in hidden dir");
  snprintf(p, sizeof(p), "%s/etc", root);
  CHECK(symlink("/etc", p) == 0);
  snprintf(p, sizeof(p), "%s/escape.txt", root);
  CHECK(symlink("../outside.txt", p) == 0);
  snprintf(p, sizeof(p), "%s/alias.html", root);
  CHECK(symlink("index.html", p) == 0);
  snprintf(p, sizeof(p), "%s/fifo", root);
  CHECK(mkfifo(p, 0644) == 0);

  char err[256];
  CHECK(isl_disk_service_new("/nonexistent/islet", false, false, err, sizeof(err)) == NULL);
  CHECK(strstr(err, "/nonexistent/islet") != NULL);
  snprintf(p, sizeof(p), "%s/index.html", root);
  CHECK(isl_disk_service_new(p, false, false, err, sizeof(err)) == NULL); /* not a directory */

  isl_service_t *ro = isl_disk_service_new(root, false, false, err, sizeof(err));
  isl_service_t *dot = isl_disk_service_new(root, false, true, err, sizeof(err));
  isl_service_t *rw = isl_disk_service_new(root, true, false, err, sizeof(err));
  CHECK(ro && dot && rw);
  if (ro && dot && rw) {
    test_get(ro);
    test_not_found(ro);
    test_traversal(ro, dot);
    test_dotfiles(ro, dot);
    test_conditional(ro);
    test_ranges(ro);
    test_methods(ro);
    test_put_delete(rw);
  }
  isl_disk_service_free(ro);
  isl_disk_service_free(dot);
  isl_disk_service_free(rw);

  snprintf(p, sizeof(p), "rm -rf '%s'", base);
  CHECK(system(p) == 0);
  return check_summary();
}

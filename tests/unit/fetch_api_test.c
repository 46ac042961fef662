/* Request/Response between C and JS (src/api/fetch_api.h): bodies handed over without
 * copying, headers and status carried, used bodies refused; and the stand-in URL check. */
#include <stdlib.h>

#include "api/api.h"
#include "api/fetch_api.h"
#include "api/request.h"
#include "check.h"

static JSValueRef run(JSContextRef ctx, const char *src) {
  JSValueRef exc = NULL;
  JSValueRef v = isl_eval(ctx, src, strlen(src), "fetch_api_test", 1, &exc);
  if (exc) {
    char *d = isl_exception_describe(ctx, exc);
    printf("JS error: %s\n", d);
    free(d);
  }
  return v;
}

static void test_response_to_c(JSContextRef ctx) {
  JSValueRef v = run(ctx, "globalThis.res = new Response('hello', {status: 201, statusText: "
                          "'Made', headers: {'X-A': '1'}}); res");
  JSValueRef exc = NULL;
  isl_response_t *r = isl_response_to_c(ctx, v, &exc);
  CHECK(r && !exc);
  if (!r) return;
  CHECK(r->status == 201);
  CHECK_STR(r->status_text, "Made");
  CHECK_STR(isl_headers_get(&r->headers, "x-a"), "1");
  CHECK_STR(isl_headers_get(&r->headers, "content-type"), "text/plain;charset=UTF-8");
  CHECK(r->body && r->body->len == 5 && memcmp(r->body->data, "hello", 5) == 0);
  CHECK(r->body && r->body->refs == 1); /* handed over, not shared with JS */
  isl_response_free(r);
  CHECK(JSValueToBoolean(ctx, run(ctx, "res.bodyUsed")));
  /* A second conversion is refused: the body is gone. */
  exc = NULL;
  CHECK(isl_response_to_c(ctx, v, &exc) == NULL && exc != NULL);
}

static void test_response_to_c_null_body(JSContextRef ctx) {
  JSValueRef v = run(ctx, "new Response(null, {status: 204})");
  JSValueRef exc = NULL;
  isl_response_t *r = isl_response_to_c(ctx, v, &exc);
  CHECK(r && r->status == 204 && r->body == NULL && r->status_text == NULL);
  isl_response_free(r);
}

static void test_response_to_c_rejects_non_response(JSContextRef ctx) {
  JSValueRef exc = NULL;
  CHECK(isl_response_to_c(ctx, run(ctx, "({status: 200})"), &exc) == NULL);
  CHECK(exc != NULL);
  exc = NULL;
  CHECK(isl_response_to_c(ctx, run(ctx, "new Request('https://a/')"), &exc) == NULL && exc);
}

static void test_response_from_c_keeps_body_pointer(JSContextRef ctx) {
  isl_response_t *res = isl_response_text(404, "missing");
  isl_headers_add(&res->headers, "X-Up", 4, "v", 1);
  isl_body_t *body = res->body;
  JSObjectRef o = isl_response_from_c(ctx, res);
  isl_set(ctx, JSContextGetGlobalObject(ctx), "fromC", o, NULL);
  CHECK(JSValueToNumber(ctx, run(ctx, "fromC.status"), NULL) == 404);
  CHECK(JSValueToBoolean(ctx, run(ctx, "fromC.statusText === 'Not Found'")));
  CHECK(JSValueToBoolean(ctx, run(ctx, "fromC.headers.get('x-up') === 'v'")));
  CHECK(JSValueToBoolean(ctx, run(ctx, "(() => { try { fromC.headers.set('a', 'b'); "
                                       "return false; } catch (e) { return e instanceof "
                                       "TypeError; } })()")));
  JSValueRef exc = NULL;
  isl_response_t *back = isl_response_to_c(ctx, o, &exc);
  CHECK(back && back->body == body); /* the same bytes went C → JS → C */
  isl_response_free(back);
}

static void test_request_round_trip(JSContextRef ctx) {
  isl_request_t *req = isl_request_new("POST", "https://example.com/p");
  isl_headers_add(&req->headers, "Content-Type", 12, "text/plain", 10);
  req->body = isl_body_copy_of("payload", 7);
  isl_body_t *body = req->body;
  JSObjectRef o = isl_request_from_c(ctx, req);
  isl_set(ctx, JSContextGetGlobalObject(ctx), "reqC", o, NULL);
  CHECK(JSValueToBoolean(ctx, run(ctx, "reqC.method === 'POST' && reqC.url === "
                                       "'https://example.com/p' && reqC.headers.get('content-"
                                       "type') === 'text/plain' && !reqC.bodyUsed")));
  JSValueRef exc = NULL;
  isl_request_t *back = isl_request_to_c(ctx, o, &exc);
  CHECK(back && !exc);
  if (back) {
    CHECK_STR(back->method, "POST");
    CHECK_STR(back->url, "https://example.com/p");
    CHECK_STR(isl_headers_get(&back->headers, "content-type"), "text/plain");
    CHECK(back->body == body);
    isl_request_free(back);
  }
  CHECK(JSValueToBoolean(ctx, run(ctx, "reqC.bodyUsed")));
  exc = NULL;
  CHECK(isl_request_to_c(ctx, o, &exc) == NULL && exc);
}

static void check_url(const char *in, const char *want) {
  char *got = isl_fetch_url_parse(in, strlen(in), NULL);
  if (want) CHECK_STR(got, want);
  else if (got) printf("FAIL %s:%d: \"%s\" accepted as \"%s\"\n", __FILE__, __LINE__, in, got),
    check_failed++;
  else check_passed++;
  free(got);
}

static void test_url_check(void) {
  check_url("https://example.com", "https://example.com/");
  check_url("HTTP://Ex.COM:80/A?B#C", "http://ex.com/A?B#C");
  check_url("https://ex.com:8443", "https://ex.com:8443/");
  check_url("http://[::1]:8080/x", "http://[::1]:8080/x");
  check_url(" http://a/\tb ", "http://a/b");
  check_url("mailto:Someone@x", "mailto:Someone@x");
  check_url("/path", NULL);
  check_url("", NULL);
  check_url("http:x", "http://x/");
  check_url("http://EXAMPLE.com/%7e/../a b", "http://example.com/a%20b");
  check_url("http://", NULL);
  check_url("http://:80/", NULL);
  check_url("http://a:65536/", NULL);
  check_url("http://a b/", NULL);
  check_url("+x:y", NULL);
  bool cred;
  char *u = isl_fetch_url_parse("https://u:p@h/", 14, &cred);
  CHECK(u && cred);
  free(u);
}

int main(void) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  isl_realm_t *r = isl_realm_new(&loop);
  isl_api_install_all(r);
  long protected_at_start = r->protected_count; /* other APIs' roots */
  test_response_to_c(r->ctx);
  test_response_to_c_null_body(r->ctx);
  test_response_to_c_rejects_non_response(r->ctx);
  test_response_from_c_keeps_body_pointer(r->ctx);
  test_request_round_trip(r->ctx);
  test_url_check();
  CHECK(r->protected_count == protected_at_start); /* nothing here protects values */
  isl_realm_teardown(r);
  uv_run(&loop, UV_RUN_DEFAULT);
  isl_realm_free(r);
  uv_loop_close(&loop);
  return check_summary();
}

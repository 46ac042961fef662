/* src/base/multipart.c: the writer's exact output and the reader's spans and failures. */
#include <stdlib.h>

#include "base/multipart.h"
#include "check.h"

static void test_encode(void) {
  isl_mp_out_t parts[] = {
      {"a\nb\"", 4, NULL, 0, NULL, "x\ry\r\nz\n", 7},
      {"f", 1, "q\"\r\n.bin", 8, "", "\r\n", 2},
      {"g", 1, "t.txt", 5, "text/plain", "hi", 2},
  };
  isl_buf_t b = {0};
  isl_multipart_encode(&b, "BB", parts, 3);
  CHECK_STR(b.p,
            "--BB\r\nContent-Disposition: form-data; name=\"a%0D%0Ab%22\"\r\n\r\n"
            "x\r\ny\r\nz\r\n\r\n"
            "--BB\r\nContent-Disposition: form-data; name=\"f\"; filename=\"q%22%0D%0A.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n\r\n\r\n"
            "--BB\r\nContent-Disposition: form-data; name=\"g\"; filename=\"t.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\nhi\r\n"
            "--BB--\r\n");
  isl_buf_free(&b);
  isl_multipart_encode(&b, "BB", NULL, 0);
  CHECK_STR(b.p, "--BB--\r\n");
  isl_buf_free(&b);
}

static void test_boundary(void) {
  char a[ISL_MULTIPART_BOUNDARY_SIZE], b[ISL_MULTIPART_BOUNDARY_SIZE];
  isl_multipart_boundary(a);
  isl_multipart_boundary(b);
  CHECK(strlen(a) == 37);
  CHECK(strcmp(a, b) != 0);
  for (const char *p = a; *p; p++)
    CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-');
}

static void test_parse(void) {
  static const char body[] =
      "ignored\r\n--XY\r\n"
      "Content-Disposition: form-data; name=\"a%22%0A\"; filename=\"\"\r\n"
      "Content-Type: x/y\r\n\r\n"
      "12\r\n--X\r\n"
      "--XY\t \r\n"
      "CONTENT-DISPOSITION: Form-Data; Name=b; Name=\"c\"\r\n\r\n"
      "\r\n--XY--tail";
  isl_mp_parts_t p;
  CHECK(isl_multipart_parse(body, sizeof(body) - 1, "XY", 2, &p));
  CHECK(p.n == 2);
  if (p.n == 2) {
    CHECK(p.v[0].name_len == 3 && memcmp(p.v[0].name, "a\"\n", 3) == 0);
    CHECK(p.v[0].filename && p.v[0].filename_len == 0);
    CHECK_STR(p.v[0].type, "x/y");
    CHECK(p.v[0].len == 7 && memcmp(body + p.v[0].off, "12\r\n--X", 7) == 0);
    CHECK_STR(p.v[1].name, "b");
    CHECK(p.v[1].filename == NULL && p.v[1].type == NULL);
    CHECK(p.v[1].len == 0);
  }
  isl_multipart_dispose(&p);
  static const char *const bad[] = {
      "",
      "--XY",
      "--XY\r\n\r\nv\r\n--XY--",
      "--XY\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv",
      "--XY\r\nContent-Disposition: form-data; name=\"a\"\r\nno colon\r\n\r\nv\r\n--XY--",
      "--XY\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nv\r\n--XY--",
      "--XY\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; "
      "name=\"b\"\r\n\r\nv\r\n--XY--",
      "--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--XY--",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    bool ok = isl_multipart_parse(bad[i], strlen(bad[i]), "XY", 2, &p);
    if (ok) printf("FAIL accepted: %s\n", bad[i]);
    CHECK(!ok);
    CHECK(p.n == 0 && p.v == NULL);
  }
  CHECK(!isl_multipart_parse("--\r\n", 4, "", 0, &p));
}

int main(void) {
  test_encode();
  test_boundary();
  test_parse();
  return check_summary();
}

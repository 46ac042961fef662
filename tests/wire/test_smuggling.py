#!/usr/bin/env python3
"""HTTP/1.1 hardening: raw bytes on 127.0.0.1 against `islet serve tests/wire/echo.js`.

Every request that could be framed two ways (Content-Length / Transfer-Encoding conflicts,
bad chunk sizes, bare CR or LF, obs-fold, controls, bad Host, methods, versions, target
forms, limits) must get the right 4xx/5xx with `Connection: close`, the connection must be
closed, and a valid request pipelined right after the bad bytes must NEVER be answered.
Forms that look odd but are valid must be served (with the pipelined request after them),
so that strictness cannot hide behind rejecting everything. Then the timeouts: slow heads,
slow and stalled bodies and trailers, idle connections, clients that do not read.

Usage: tests/wire/test_smuggling.py [ISLET_BINARY]. Prints `N passed, N failed`.
"""
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import rawhttp  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
ISLET = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                        os.environ.get("ISLET", os.path.join(ROOT, "build", "islet")))
WORKER = os.path.join(HERE, "echo.js")
MAX_BODY = 10000
FLAGS = ["--max-body-bytes", str(MAX_BODY), "--header-timeout-ms", "500",
         "--body-timeout-ms", "500", "--idle-timeout-ms", "1000"]
PIPELINED = b"GET /must-not-answer HTTP/1.1\r\nHost: a\r\n\r\n"


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


POST = b"POST / HTTP/1.1\r\nHost: a\r\n"
CHUNKED = POST + b"Transfer-Encoding: chunked\r\n\r\n"
GET = b"GET / HTTP/1.1\r\nHost: a\r\n"

# name → (bytes, expected status). Each is followed by PIPELINED on the same connection.
REJECTED = {
    # Content-Length / Transfer-Encoding conflicts (RFC 9112 §6.1, §6.3)
    "cl_and_te": (POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    "te_and_cl": (POST + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
    "two_cl_equal": (POST + b"Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
    "two_cl_different": (POST + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
    "cl_list": (POST + b"Content-Length: 3, 3\r\n\r\nabc", 400),
    "cl_plus": (POST + b"Content-Length: +3\r\n\r\nabc", 400),
    "cl_minus": (POST + b"Content-Length: -3\r\n\r\nabc", 400),
    "cl_inner_space": (POST + b"Content-Length: 1 2\r\n\r\nabc", 400),
    "cl_hex": (POST + b"Content-Length: 0x3\r\n\r\nabc", 400),
    "cl_empty": (POST + b"Content-Length: \r\n\r\nabc", 400),
    "cl_overflow": (POST + b"Content-Length: 99999999999999999999999\r\n\r\nabc", 400),
    "cl_space_before_colon": (POST + b"Content-Length : 3\r\n\r\nabc", 400),
    "te_chunked_twice": (POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"
                         b"\r\n\r\n0\r\n\r\n", 400),
    "te_chunked_chunked": (POST + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
    "te_gzip": (POST + b"Transfer-Encoding: gzip\r\n\r\nabc", 400),
    "te_gzip_then_chunked": (POST + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    "te_gzip_header_then_chunked": (POST + b"Transfer-Encoding: gzip\r\nTransfer-Encoding: "
                                    b"chunked\r\n\r\n0\r\n\r\n", 501),
    "te_chunked_identity": (POST + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
    "te_identity": (POST + b"Transfer-Encoding: identity\r\n\r\n", 400),
    "te_chunked_not_last": (POST + b"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
    "te_chunked_header_not_last": (POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: "
                                   b"gzip\r\n\r\n0\r\n\r\n", 400),
    "te_chunked_with_parameter": (POST + b"Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n", 400),
    "te_xchunked": (POST + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
    "te_empty": (POST + b"Transfer-Encoding: \r\n\r\n", 400),
    "te_vertical_tab": (POST + b"Transfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n", 400),
    "te_space_before_colon": (POST + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    "te_in_http10": (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    "te_and_cl_in_http10": (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
                            b"Content-Length: 3\r\n\r\nabc", 400),
    # chunk sizes and chunk framing
    "chunk_size_0x": (CHUNKED + b"0x3\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_trailing_space": (CHUNKED + b"3 \r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_trailing_tab": (CHUNKED + b"3\t\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_leading_space": (CHUNKED + b" 3\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_not_hex": (CHUNKED + b"zz\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_negative": (CHUNKED + b"-3\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_empty": (CHUNKED + b"\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_over_64_bits": (CHUNKED + b"1" + b"0" * 16 + b"3\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_17_f": (CHUNKED + b"f" * 17 + b"\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_over_limit": (CHUNKED + b"ffffffff\r\nabc\r\n0\r\n\r\n", 413),
    "chunk_data_without_crlf": (CHUNKED + b"3\r\nabcX\r\n0\r\n\r\n", 400),
    "chunk_data_bare_lf": (CHUNKED + b"3\r\nabc\n0\r\n\r\n", 400),
    "chunk_data_bare_cr": (CHUNKED + b"3\r\nabc\r0\r\n\r\n", 400),
    "chunk_size_bare_lf": (CHUNKED + b"3\nabc\r\n0\r\n\r\n", 400),
    "chunk_size_bare_cr": (CHUNKED + b"3\rabc\r\n0\r\n\r\n", 400),
    "chunk_ext_control": (CHUNKED + b"3;a=\x01\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_ext_lone_quote": (CHUNKED + b"3;\"\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_ext_bare_lf": (CHUNKED + b"3;a\nb\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_ext_space_before_semicolon": (CHUNKED + b"3 ;a=b\r\nabc\r\n0\r\n\r\n", 400),
    "chunk_ext_nul": (CHUNKED + b"3;a=b\x00\r\nabc\r\n0\r\n\r\n", 400),
    "last_chunk_bare_lf": (CHUNKED + b"0\n\r\n", 400),
    "end_of_trailers_bare_lf": (CHUNKED + b"0\r\n\n", 400),
    "trailer_bare_lf": (CHUNKED + b"0\r\nX: y\n\r\n", 400),
    "trailer_bare_cr": (CHUNKED + b"0\r\nX: a\rb\r\n\r\n", 400),
    "trailer_obs_fold": (CHUNKED + b"0\r\nX: y\r\n z\r\n\r\n", 400),
    "trailer_bad_name": (CHUNKED + b"0\r\nX y: y\r\n\r\n", 400),
    "trailer_empty_name": (CHUNKED + b"0\r\n: y\r\n\r\n", 400),
    "trailer_nul": (CHUNKED + b"0\r\nX: y\x00\r\n\r\n", 400),
    "trailer_too_many_lines": (CHUNKED + b"0\r\n" + b"".join(b"T%d: v\r\n" % i
                                                            for i in range(101)) + b"\r\n", 431),
    # bare CR and bare LF in every position of the head
    "bare_lf_before_request_line": (b"\n" + GET + b"\r\n", 400),
    "bare_cr_before_request_line": (b"\r" + GET + b"\r\n", 400),
    "bare_cr_in_method": (b"GE\rT / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "bare_cr_in_target": (b"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "bare_cr_in_version": (b"GET / HTTP/1\r.1\r\nHost: a\r\n\r\n", 400),
    "bare_cr_ending_request_line": (b"GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
    "cr_cr_lf_ending_request_line": (b"GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400),
    "bare_lf_ending_request_line": (b"GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
    "bare_lf_in_target": (b"GET /\n HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "bare_cr_in_name": (GET + b"X\rY: b\r\n\r\n", 400),
    "bare_cr_before_colon": (b"GET / HTTP/1.1\r\nHost\r: a\r\n\r\n", 400),
    "bare_cr_after_colon": (b"GET / HTTP/1.1\r\nHost:\ra\r\n\r\n", 400),
    "bare_cr_in_value": (GET + b"X: a\rb\r\n\r\n", 400),
    "bare_cr_ending_header": (GET + b"X: ab\rY: c\r\n\r\n", 400),
    "cr_cr_lf_ending_header": (GET + b"X: ab\r\r\n\r\n", 400),
    "bare_cr_ending_head": (GET + b"\rX", 400),
    "cr_cr_lf_ending_head": (GET + b"\r\r\n", 400),
    "bare_lf_in_name": (GET + b"X\n: b\r\n\r\n", 400),
    "bare_lf_in_value": (GET + b"X: a\nb\r\n\r\n", 400),
    "bare_lf_ending_header": (b"GET / HTTP/1.1\r\nHost: a\n\r\n", 400),
    "bare_lf_ending_head": (GET + b"\n", 400),
    "bare_lf_everywhere": (b"GET / HTTP/1.1\nHost: a\n\n", 400),
    # obs-fold and whitespace
    "obs_fold_space": (GET + b"X: a\r\n b\r\n\r\n", 400),
    "obs_fold_tab": (GET + b"X: a\r\n\tb\r\n\r\n", 400),
    "space_before_first_header": (b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
    "space_before_colon": (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
    "tab_before_colon": (b"GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400),
    "empty_header_name": (GET + b": b\r\n\r\n", 400),
    "header_without_colon": (GET + b"X\r\n\r\n", 400),
    # NUL and controls
    "nul_in_method": (b"G\x00T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "nul_in_target": (b"GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "nul_in_version": (b"GET / HTTP/1.\x001\r\nHost: a\r\n\r\n", 400),
    "nul_in_name": (GET + b"X\x00: b\r\n\r\n", 400),
    "nul_in_value": (GET + b"X: a\x00b\r\n\r\n", 400),
    "control_in_target": (b"GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "del_in_target": (b"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "tab_in_target": (b"GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "non_ascii_in_target": (b"GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "control_in_name": (GET + b"X\x01: b\r\n\r\n", 400),
    "control_in_value": (GET + b"X: a\x01b\r\n\r\n", 400),
    "escape_in_value": (GET + b"X: a\x1bb\r\n\r\n", 400),
    "vertical_tab_in_value": (GET + b"X: a\x0bb\r\n\r\n", 400),
    "form_feed_in_value": (GET + b"X: a\x0cb\r\n\r\n", 400),
    "del_in_value": (GET + b"X: a\x7fb\r\n\r\n", 400),
    # Host (RFC 9112 §3.2)
    "missing_host_http11": (b"GET / HTTP/1.1\r\n\r\n", 400),
    "two_hosts": (b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
    "two_different_hosts": (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    "host_with_userinfo": (b"GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
    "host_with_space": (b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    "host_with_path": (b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
    "host_with_query": (b"GET / HTTP/1.1\r\nHost: a?b\r\n\r\n", 400),
    "host_with_fragment": (b"GET / HTTP/1.1\r\nHost: a#b\r\n\r\n", 400),
    "host_with_backslash": (b"GET / HTTP/1.1\r\nHost: a\\b\r\n\r\n", 400),
    "host_list": (b"GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400),
    "host_bad_port": (b"GET / HTTP/1.1\r\nHost: a:xx\r\n\r\n", 400),
    "host_port_too_big": (b"GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n", 400),
    "host_two_colons": (b"GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400),
    "host_percent": (b"GET / HTTP/1.1\r\nHost: a%2fb\r\n\r\n", 400),
    "host_non_ascii": (b"GET / HTTP/1.1\r\nHost: \xc3\xa9\r\n\r\n", 400),
    "host_unclosed_bracket": (b"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
    "host_bad_ip_literal": (b"GET / HTTP/1.1\r\nHost: [a@b]\r\n\r\n", 400),
    "host_empty_brackets": (b"GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400),
    # methods
    "method_lower_case": (b"get / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
    "method_unknown": (b"FOO / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
    "method_not_token": (b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "method_empty": (b" / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "connect": (b"CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n", 501),
    # versions
    "http_2_0": (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
    "http_1_2": (b"GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
    "http_3_0": (b"GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
    "http2_preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
    "http_0_9_version": (b"GET / HTTP/0.9\r\nHost: a\r\n\r\n", 400),
    "no_version": (b"GET /\r\nHost: a\r\n\r\n", 400),
    "lower_case_http": (b"GET / http/1.1\r\nHost: a\r\n\r\n", 400),
    "version_two_digits": (b"GET / HTTP/1.11\r\nHost: a\r\n\r\n", 400),
    "version_no_minor": (b"GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
    "version_letters": (b"GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400),
    # request-line shape and target forms
    "two_spaces_after_method": (b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "two_spaces_before_version": (b"GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "space_after_version": (b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
    "tab_separator": (b"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "asterisk_with_get": (b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "asterisk_with_post": (b"POST * HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 400),
    "authority_form_with_get": (b"GET a.test:80 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "relative_target": (b"GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "target_with_fragment": (b"GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "absolute_form_other_scheme": (b"GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "absolute_form_no_slashes": (b"GET http:a HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "absolute_form_empty_host": (b"GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "absolute_form_userinfo": (b"GET http://u:p@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "absolute_form_bad_port": (b"GET http://a:x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    # limits
    "request_line_over_8k": (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414),
    "headers_over_64k": (GET + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 8000)
                                        for i in range(9)) + b"\r\n", 431),
    "over_100_header_lines": (GET + b"".join(b"X-%d: v\r\n" % i for i in range(100))
                              + b"\r\n", 431),
    "one_header_over_64k": (GET + b"X: " + b"v" * 65536 + b"\r\n\r\n", 431),
    "content_length_over_limit": (POST + b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1), 413),
    "chunked_over_limit": (CHUNKED + b"".join(b"400\r\n" + b"z" * 1024 + b"\r\n"
                                              for _ in range(MAX_BODY // 1024 + 2)), 413),
    # expectations
    "unknown_expectation": (POST + b"Expect: magic\r\nContent-Length: 1\r\n\r\nx", 417),
}

# name → (bytes, expected echoed body or None). Each is valid and followed by a second
# request that must be answered too.
ACCEPTED = {
    "cl_with_ows": (POST + b"Content-Length:   3  \r\n\r\nabc", "abc"),
    "cl_leading_zeros": (POST + b"Content-Length: 003\r\n\r\nabc", "abc"),
    "te_upper_case": (POST + b"Transfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "abc"),
    "te_tab_before_value": (POST + b"Transfer-Encoding:\tchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                            "abc"),
    "te_empty_list_element": (POST + b"Transfer-Encoding: ,chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                              "abc"),
    "chunk_size_upper_hex": (CHUNKED + b"A\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
    "chunk_size_leading_zeros": (CHUNKED + b"0003\r\nabc\r\n0000\r\n\r\n", "abc"),
    "chunk_ext_name_only": (CHUNKED + b"3;a\r\nabc\r\n0\r\n\r\n", "abc"),
    "chunk_ext_value": (CHUNKED + b"3;a=b\r\nabc\r\n0;z=1\r\n\r\n", "abc"),
    "chunk_ext_quoted": (CHUNKED + b"3;a=\"b c\"\r\nabc\r\n0\r\n\r\n", "abc"),
    "trailers": (CHUNKED + b"3\r\nabc\r\n0\r\nX-T: 1\r\nY-T: two words\r\n\r\n", "abc"),
    "crlf_before_request_line": (b"\r\n\r\n" + GET + b"\r\n", None),
    "obs_text_in_value": (GET + b"X-Test: caf\xe9\r\n\r\n", None),
    "ows_around_value": (GET + b"X-Test: \t v \t\r\n\r\n", None),
    "empty_value": (GET + b"X-Test:\r\n\r\n", None),
    "empty_host_http11": (b"GET / HTTP/1.1\r\nHost:\r\n\r\n", None),
    "host_with_port": (b"GET / HTTP/1.1\r\nHost: a.test:8080\r\n\r\n", None),
    "host_ipv6": (b"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", None),
    "host_ipv4": (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", None),
    "host_underscore_tilde": (b"GET / HTTP/1.1\r\nHost: a_b~c\r\n\r\n", None),
    "http10_keep_alive_no_host": (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", None),
    "absolute_form": (b"GET http://other.test:81/abs?x HTTP/1.1\r\nHost: a\r\n\r\n", None),
    "absolute_form_https_no_path": (b"GET https://other.test HTTP/1.1\r\nHost: a\r\n\r\n", None),
    "odd_target_bytes": (b"GET /a\"{}|\\^`<>?q=%zz HTTP/1.1\r\nHost: a\r\n\r\n", None),
    "get_with_body": (b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", "abc"),
    "known_method_patch": (b"PATCH / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", "x"),
    "cl_zero": (POST + b"Content-Length: 0\r\n\r\n", ""),
}


def expect_rejected(srv, data, status):
    out, closed = rawhttp.exchange(srv.port, data + PIPELINED, timeout=3)
    responses, rest = rawhttp.parse_responses(out)
    check(len(responses) == 1, "%d responses (%r)" % (len(responses), out[:200]))
    r = responses[0]
    check(r.status == status, "expected %d, got %d %r" % (status, r.status, r.body))
    check(r.header("connection") == "close", "no Connection: close: %r" % r.headers)
    check((r.header("content-type") or "").startswith("text/plain"), "error body not text/plain")
    check(rest == b"", "bytes after the error response: %r" % rest[:80])
    check(b"must-not-answer" not in out, "the pipelined request was answered")
    check(closed, "connection left open after %d" % status)


def expect_accepted(srv, data, body):
    out, closed = rawhttp.exchange(srv.port, data + b"GET /second HTTP/1.1\r\nHost: a\r\n"
                                   b"Connection: close\r\n\r\n", timeout=3)
    responses, rest = rawhttp.parse_responses(out)
    check(len(responses) == 2, "%d responses (%r)" % (len(responses), out[:300]))
    check(responses[0].status == 200, "status %d %r" % (responses[0].status, responses[0].body))
    if body is not None:
        import json
        got = json.loads(responses[0].body)["body"]
        check(got == body, "body %r, expected %r" % (got, body))
    check(responses[1].status == 200 and b"/second" in responses[1].body, "second %r"
          % responses[1].body[:100])
    check(closed and rest == b"", "not closed after Connection: close")


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


for _name, (_data, _status) in REJECTED.items():
    def _rejected(srv, data=_data, status=_status):
        expect_rejected(srv, data, status)
    _rejected.__name__ = "rejected_%d_%s" % (_status, _name)
    test(_rejected)

for _name, (_data, _body) in ACCEPTED.items():
    def _accepted(srv, data=_data, body=_body):
        expect_accepted(srv, data, body)
    _accepted.__name__ = "accepted_" + _name
    test(_accepted)


def expect_408(srv, data):
    """Sends data (an incomplete request) and expects 408 and the connection closed."""
    s = rawhttp.connect(srv.port)
    s.sendall(data)
    out, closed = rawhttp.read_until_close(s, 3)
    check(out.startswith(b"HTTP/1.1 408 ") and closed, repr(out[:80]))


@test
def rejected_head_split_into_single_bytes(srv):
    """The scanner keeps its state across reads: a smuggling attempt sent one byte per
    segment is refused just the same."""
    s = rawhttp.connect(srv.port)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for b in POST + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\n" + PIPELINED:
        try:
            s.send(bytes([b]))
        except OSError:
            break
    out, closed = rawhttp.read_until_close(s, 3)
    responses, _ = rawhttp.parse_responses(out)
    check(len(responses) == 1 and responses[0].status == 400, repr(out[:120]))
    check(closed and b"must-not-answer" not in out, "pipelined request answered or open")


@test
def rejected_after_a_served_request(srv):
    """A keep-alive connection that served a request, then sends bad framing: the first
    answer stays, the bad request is refused, and what follows it is not answered."""
    out, closed = rawhttp.exchange(srv.port, GET + b"\r\n" + POST +
                                   b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab" + PIPELINED)
    responses, _ = rawhttp.parse_responses(out)
    check([r.status for r in responses] == [200, 400], repr([r.status for r in responses]))
    check(closed and b"must-not-answer" not in out, "pipelined request answered")


# ---- timeouts ----

@test
def slow_head_drip_gets_408_at_the_deadline(srv):
    """The header timeout is a deadline from the first byte: a byte every 100 ms does not
    keep a head alive."""
    s = rawhttp.connect(srv.port)
    start = time.time()
    data = GET + b"X-Slow: " + b"a" * 100
    i = 0
    out = b""
    s.settimeout(0.1)
    while time.time() - start < 3:
        if i < len(data):
            try:
                s.send(data[i:i + 1])
            except OSError:
                break
            i += 1
        try:
            chunk = s.recv(4096)
            if not chunk:
                break
            out += chunk
        except socket.timeout:
            pass
        except ConnectionResetError:
            break
    took = time.time() - start
    check(out.startswith(b"HTTP/1.1 408 ") and b"\r\nConnection: close\r\n" in out, repr(out[:80]))
    check(0.4 < took < 1.5, "closed after %.2fs" % took)


@test
def stalled_body_gets_408(srv):
    s = rawhttp.connect(srv.port)
    start = time.time()
    s.sendall(POST + b"Content-Length: 10\r\n\r\nabc")
    out, closed = rawhttp.read_until_close(s, 3)
    check(out.startswith(b"HTTP/1.1 408 ") and closed, repr(out[:80]))
    check(time.time() - start < 1.5, "took %.2fs" % (time.time() - start))


@test
def body_stalling_after_progress_gets_408(srv):
    """The body timeout restarts with each read: it ends a body that stops midway."""
    s = rawhttp.connect(srv.port)
    s.sendall(POST + b"Content-Length: 10\r\n\r\n")
    for b in b"abcd":
        time.sleep(0.3)
        s.sendall(bytes([b]))
    start = time.time()
    out, closed = rawhttp.read_until_close(s, 3)
    check(out.startswith(b"HTTP/1.1 408 ") and closed, repr(out[:80]))
    check(0.3 < time.time() - start < 1.5, "took %.2fs" % (time.time() - start))


@test
def stalled_chunked_body_gets_408(srv):
    expect_408(srv, CHUNKED + b"3\r\nabc\r\n")


@test
def stalled_trailers_get_408(srv):
    expect_408(srv, CHUNKED + b"3\r\nabc\r\n0\r\nX-T: 1\r\n")


@test
def stalled_request_line_gets_408(srv):
    expect_408(srv, b"GET /incomplete")


@test
def only_empty_lines_get_408(srv):
    """CRLFs before a request line are skipped, but they start the header deadline."""
    s = rawhttp.connect(srv.port)
    start = time.time()
    out = b""
    s.settimeout(0.1)
    while time.time() - start < 3:
        try:
            s.send(b"\r\n")
            chunk = s.recv(4096)
            if not chunk:
                break
            out += chunk
        except socket.timeout:
            pass
        except OSError:
            break
    check(out.startswith(b"HTTP/1.1 408 "), repr(out[:80]))
    check(time.time() - start < 1.5, "took %.2fs" % (time.time() - start))


@test
def silent_connection_is_closed_when_idle(srv):
    s = rawhttp.connect(srv.port)
    start = time.time()
    out, closed = rawhttp.read_until_close(s, 3)
    check(closed and out == b"", "idle close: %r" % out[:80])
    check(0.8 < time.time() - start < 2.0, "closed after %.2fs" % (time.time() - start))


@test
def idle_keep_alive_is_closed(srv):
    s = rawhttp.connect(srv.port)
    s.sendall(GET + b"\r\n")
    time.sleep(0.2)
    start = time.time()
    out, closed = rawhttp.read_until_close(s, 3)
    responses, rest = rawhttp.parse_responses(out)
    check(len(responses) == 1 and rest == b"" and closed, repr(out[:80]))
    check(0.6 < time.time() - start < 2.0, "closed after %.2fs" % (time.time() - start))


@test
def client_that_never_reads_is_cut_off(srv):
    """A response the client stops taking is dropped after the body timeout: the
    connection does not hold it forever."""
    n = 40 * 1000 * 1000
    s = rawhttp.connect(srv.port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.sendall(b"GET /big?n=%d HTTP/1.1\r\nHost: a\r\n\r\n" % n)
    time.sleep(2.5)  # the worker makes the body, the socket fills, the timeout passes
    out, closed = rawhttp.read_until_close(s, 3)
    check(closed, "connection still open")
    check(len(out) < n, "the whole body came (%d bytes)" % len(out))


def main():
    passed = failed = 0
    srv = None
    try:
        for fn in TESTS:
            if srv is None or not srv.alive():
                if srv:
                    srv.stop()
                srv = rawhttp.Islet(ISLET, WORKER, FLAGS)
            start = time.time()
            try:
                fn(srv)
                if not srv.alive():
                    raise Failure("islet died (exit status %s)" % srv.proc.poll())
                passed += 1
                print("PASS %s (%.0f ms)" % (fn.__name__, (time.time() - start) * 1000))
            except (Failure, OSError, ValueError, KeyError) as e:
                failed += 1
                print("FAIL %s: %s: %s" % (fn.__name__, type(e).__name__, e))
            sys.stdout.flush()
    finally:
        if srv:
            srv.stop()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

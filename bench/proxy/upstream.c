/* The upstream of bench/proxy.sh: a tiny single-threaded HTTP/1.1 server on epoll, made to
 * cost as little CPU as possible so the proxies in front of it are what is measured.
 *
 *   GET /small   "Hello World\n"
 *   GET /big     1 MiB of bytes
 *   anything with a body (Content-Length)   reads and drops it, then answers "ok\n"
 *
 * Keep-alive, pipelining, Content-Length framing only (no chunked request bodies: the
 * proxies under test send Content-Length for a body of known length). Not a general server:
 * a benchmark fixture. Usage: upstream PORT (listens on 127.0.0.1). */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define BIG (1 << 20)
#define INBUF (64 * 1024)

typedef struct {
  int fd;
  char in[INBUF];
  size_t inlen;
  unsigned long long skip; /* request body bytes still to drop */
  const char *head;        /* the response being written: head then body */
  size_t headlen, headoff;
  const char *body;
  size_t bodylen, bodyoff;
  int queued; /* responses owed after the current one (pipelined requests) */
  const char *qhead[64], *qbody[64];
  size_t qheadlen[64], qbodylen[64];
} conn_t;

static char big[BIG];
static char head_small[128], head_big[128], head_ok[128];
static const char small_body[] = "Hello World\n", ok_body[] = "ok\n";

static void answer(conn_t *c, const char *h, const char *b, size_t blen) {
  if (!c->head) {
    c->head = h, c->headlen = strlen(h), c->headoff = 0;
    c->body = b, c->bodylen = blen, c->bodyoff = 0;
  } else if (c->queued < 64) {
    c->qhead[c->queued] = h, c->qheadlen[c->queued] = strlen(h);
    c->qbody[c->queued] = b, c->qbodylen[c->queued] = blen;
    c->queued++;
  }
}

/* Parses what is buffered: requests are answered in order. */
static void parse(conn_t *c) {
  for (;;) {
    if (c->skip) {
      size_t n = c->inlen < c->skip ? c->inlen : (size_t)c->skip;
      memmove(c->in, c->in + n, c->inlen - n);
      c->inlen -= n;
      c->skip -= n;
      if (c->skip) return;
      /* The whole body is in: now the answer, as an upload handler would give it. */
      answer(c, head_ok, ok_body, sizeof(ok_body) - 1);
    }
    c->in[c->inlen] = 0;
    char *end = memmem(c->in, c->inlen, "\r\n\r\n", 4);
    if (!end) return;
    size_t hlen = (size_t)(end + 4 - c->in);
    unsigned long long cl = 0;
    for (char *line = strstr(c->in, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
      if (strncasecmp(line + 2, "content-length:", 15) == 0) cl = strtoull(line + 17, NULL, 10);
    if (cl) { /* answered once the body is read */ }
    else if (strncmp(c->in, "GET /big", 8) == 0) answer(c, head_big, big, BIG);
    else answer(c, head_small, small_body, sizeof(small_body) - 1);
    memmove(c->in, c->in + hlen, c->inlen - hlen);
    c->inlen -= hlen;
    c->skip = cl;
  }
}

/* Writes what is owed; false when the connection failed. */
static bool flush(conn_t *c) {
  while (c->head) {
    struct iovec v[2] = {{(char *)c->head + c->headoff, c->headlen - c->headoff},
                         {(char *)c->body + c->bodyoff, c->bodylen - c->bodyoff}};
    ssize_t n = writev(c->fd, v, 2);
    if (n < 0) return errno == EAGAIN;
    size_t h = (size_t)n < v[0].iov_len ? (size_t)n : v[0].iov_len;
    c->headoff += h;
    c->bodyoff += (size_t)n - h;
    if (c->headoff < c->headlen || c->bodyoff < c->bodylen) continue;
    c->head = NULL;
    if (c->queued) {
      answer(c, c->qhead[0], c->qbody[0], c->qbodylen[0]);
      memmove(c->qhead, c->qhead + 1, sizeof(c->qhead[0]) * 63);
      memmove(c->qbody, c->qbody + 1, sizeof(c->qbody[0]) * 63);
      memmove(c->qbodylen, c->qbodylen + 1, sizeof(c->qbodylen[0]) * 63);
      c->queued--;
    }
  }
  return true;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: upstream PORT\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  for (size_t i = 0; i < BIG; i++) big[i] = (char)('a' + i % 26);
  snprintf(head_small, sizeof(head_small),
           "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n",
           sizeof(small_body) - 1);
  snprintf(head_big, sizeof(head_big),
           "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n",
           BIG);
  snprintf(head_ok, sizeof(head_ok),
           "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n",
           sizeof(ok_body) - 1);
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 1024) < 0) {
    perror("upstream: bind/listen");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (!c) {
        int fd;
        while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          conn_t *nc = calloc(1, sizeof(*nc));
          nc->fd = fd;
          struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = nc};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
        }
        continue;
      }
      bool dead = false;
      for (;;) {
        if (c->inlen == INBUF - 1) break; /* owed answers first */
        ssize_t r = read(c->fd, c->in + c->inlen, INBUF - 1 - c->inlen);
        if (r == 0 || (r < 0 && errno != EAGAIN)) {
          dead = true;
          break;
        }
        if (r < 0) break;
        c->inlen += (size_t)r;
        parse(c);
      }
      if (!dead && !flush(c)) dead = true;
      if (dead) {
        close(c->fd);
        free(c);
      }
    }
  }
}

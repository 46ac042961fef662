#include "task.h"

#include <stdlib.h>

#include "../base/base.h"

typedef struct task {
  isl_task_fn fn;
  void *data;
  struct task *next;
} task_t;

/* One queue per loop. loop->data belongs to the application, so queues live in a short
 * list keyed by loop (one loop per thread: the list stays tiny). */
typedef struct queue {
  uv_loop_t *loop;
  uv_idle_t idle;
  task_t *head, *tail;
  struct queue *next;
} queue_t;

static queue_t *queues;

static void run_tasks(uv_idle_t *h) {
  queue_t *q = h->data;
  /* Detach the queue first: tasks posted while these run wait for the next turn, so a
   * task that posts again cannot starve the loop. */
  task_t *t = q->head;
  q->head = q->tail = NULL;
  while (t) {
    task_t *next = t->next;
    t->fn(t->data);
    free(t);
    t = next;
  }
  if (!q->head) uv_idle_stop(&q->idle);
}

static queue_t *queue_for(uv_loop_t *loop) {
  for (queue_t *q = queues; q; q = q->next)
    if (q->loop == loop) return q;
  queue_t *q = isl_calloc(1, sizeof(*q));
  q->loop = loop;
  uv_idle_init(loop, &q->idle);
  q->idle.data = q;
  q->next = queues;
  queues = q;
  return q;
}

void isl_task_post(uv_loop_t *loop, isl_task_fn fn, void *data) {
  queue_t *q = queue_for(loop);
  task_t *t = isl_malloc(sizeof(*t));
  t->fn = fn;
  t->data = data;
  t->next = NULL;
  if (q->tail) q->tail->next = t;
  else q->head = t;
  q->tail = t;
  uv_idle_start(&q->idle, run_tasks);
}

static void on_close(uv_handle_t *h) { free(h->data); }

void isl_task_shutdown(uv_loop_t *loop) {
  for (queue_t **pp = &queues; *pp; pp = &(*pp)->next) {
    queue_t *q = *pp;
    if (q->loop != loop) continue;
    *pp = q->next;
    while (q->head) {
      task_t *t = q->head;
      q->head = t->next;
      free(t);
    }
    uv_close((uv_handle_t *)&q->idle, on_close);
    return;
  }
}

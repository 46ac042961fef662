/* Tasks: run a C function on the loop's next turn, in posting order. Used where work
 * must not run inside the caller's stack, e.g. a service binding call from worker A to
 * worker B is posted as a task rather than called re-entrantly. */
#ifndef ISL_TASK_H
#define ISL_TASK_H

#include <uv.h>

typedef void (*isl_task_fn)(void *data);

/* Runs fn(data) on the next loop iteration. The first call for a loop sets up an idle
 * handle that stays unreferenced while the queue is empty. */
void isl_task_post(uv_loop_t *loop, isl_task_fn fn, void *data);
/* Closes the loop's task handle; pending tasks are dropped. Call before uv_loop_close. */
void isl_task_shutdown(uv_loop_t *loop);

#endif

/* Running numbered tasks on a few threads (internal). */
#ifndef HK_COMMON_PARALLEL_H
#define HK_COMMON_PARALLEL_H

#include <stddef.h>

/* Threads to use for a request: 0 means one per online core. */
int hk_threads_resolve(int requested);

/* Calls fn(arg, task, worker) once for every task in [0, n_tasks), on
 * `threads` threads: the calling thread (worker 0) and threads - 1 new ones
 * (workers 1 ..), which end before this returns. Tasks are handed out in
 * order, one at a time, so a worker index is < min(threads, n_tasks). Which
 * worker runs which task varies; callers make results independent of it. If
 * a thread cannot be started, the others (at least the caller) do its share. */
void hk_parallel_run(int threads, size_t n_tasks, void (*fn)(void *arg, size_t task, int worker),
                     void *arg);

#endif

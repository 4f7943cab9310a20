/* Tasks on threads: no pool and no global state; each call starts its own
 * threads and joins them, so a library call never leaves threads behind and
 * two calls from two host threads never share anything. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/parallel.h"

int hk_threads_resolve(int requested)
{
    if (requested > 0)
        return requested;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}

typedef struct shared {
    void (*fn)(void *arg, size_t task, int worker);
    void *arg;
    size_t n_tasks;
    atomic_size_t next;
} shared;

typedef struct worker {
    shared *s;
    int index;
} worker;

static void drain(shared *s, int index)
{
    for (;;) {
        size_t t = atomic_fetch_add(&s->next, 1);
        if (t >= s->n_tasks)
            return;
        s->fn(s->arg, t, index);
    }
}

static void *thread_main(void *p)
{
    worker *w = p;
    drain(w->s, w->index);
    return NULL;
}

void hk_parallel_run(int threads, size_t n_tasks, void (*fn)(void *arg, size_t task, int worker),
                     void *arg)
{
    shared s = {fn, arg, n_tasks, 0};
    if ((size_t)threads > n_tasks)
        threads = (int)n_tasks;
    pthread_t *ids = NULL;
    worker *ws = NULL;
    int started = 0;
    if (threads > 1) {
        ids = malloc((size_t)threads * sizeof(*ids));
        ws = malloc((size_t)threads * sizeof(*ws));
    }
    for (int i = 1; ids && ws && i < threads; i++) {
        ws[i] = (worker){&s, started + 1};
        if (pthread_create(&ids[started], NULL, thread_main, &ws[i]) != 0)
            break;
        started++;
    }
    drain(&s, 0);
    for (int i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    free(ids);
    free(ws);
}

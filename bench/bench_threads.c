/* bench_threads: where the time of one threaded hk_hog_extract call goes,
 * measured so that the answer does not depend on a free second core (a
 * benchmark tool, not a test).
 *
 *   bench_threads IN.npy VARIANT [--threads N] [--reps R] [--cell C]
 *   bench_threads spin [--reps R]
 *
 * VARIANT: skimage | opencv | vlfeat-dt | vlfeat-uoctti | dlib (the
 * geometries of bench_hog). Linked with -Wl,--wrap=hk_parallel_run (see
 * bench/CMakeLists.txt): the wrapper times, in thread CPU time
 * (CLOCK_THREAD_CPUTIME_ID, which counts only the time the thread ran),
 *   - serial: the calling thread's time outside hk_parallel_run,
 *   - busy[w]: worker w's time inside tasks (a task that waits for another
 *     by spinning counts as busy: see "spin" below),
 *   - the tasks: their count and the largest one,
 * and, in wall time, how long after the start of hk_parallel_run each
 * worker begins its first task (thread start; this one does depend on a
 * free core). From these:
 *   critical path = serial + max_w busy[w]   (the wall time with a free core
 *                                             for each worker)
 *   ideal speed-up = one-thread CPU time / critical path
 *   inflation = (serial + sum busy) / one-thread CPU time (work added by
 *               the split: remade rows, per-task set-up)
 * Each is the median over R calls (the one-thread time likewise, from R
 * calls with --threads 1 interleaved). Prints one JSON line.
 *
 * `spin` times the machine instead: a 10 ms loop of integer adds on one
 * thread, then the same loop on each of two threads at once, R times
 * interleaved; its wall speed-up (best and median) is what two threads can
 * give at that moment, whatever hogkit does (1.9x or so when the other
 * core is free, less when other processes load it). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hogkit.h"

#define MAXW 64

static double clk(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* What the wrapper records for one hk_extract call (tool-local state: this
 * is a single-call measurement program, not library code). */
static struct {
    double par_cpu;        /* calling thread's CPU time inside hk_parallel_run */
    double busy[MAXW];     /* per worker, inside tasks */
    double first[MAXW];    /* wall: first task start after the run began */
    double t0;             /* wall at the start of the run */
    double max_task;
    size_t tasks;
    int workers, runs;
} rec;

typedef struct wrap_arg {
    void (*fn)(void *arg, size_t task, int worker);
    void *arg;
} wrap_arg;

static void timed_task(void *a, size_t task, int worker)
{
    wrap_arg *w = a;
    double s = clk(CLOCK_THREAD_CPUTIME_ID);
    if (worker < MAXW && rec.first[worker] < 0)
        rec.first[worker] = clk(CLOCK_MONOTONIC) - rec.t0;
    w->fn(w->arg, task, worker);
    double d = clk(CLOCK_THREAD_CPUTIME_ID) - s;
    if (worker < MAXW) {
        rec.busy[worker] += d; /* each worker writes only its own slot */
        if (worker + 1 > rec.workers)
            rec.workers = worker + 1;
    }
    if (d > rec.max_task) /* a racy max is good enough for a report */
        rec.max_task = d;
}

void __real_hk_parallel_run(int threads, size_t n_tasks,
                            void (*fn)(void *arg, size_t task, int worker), void *arg);

void __wrap_hk_parallel_run(int threads, size_t n_tasks,
                            void (*fn)(void *arg, size_t task, int worker), void *arg)
{
    wrap_arg w = {fn, arg};
    for (int i = 0; i < MAXW; i++)
        rec.first[i] = -1;
    rec.tasks += n_tasks;
    rec.runs++;
    double c0 = clk(CLOCK_THREAD_CPUTIME_ID);
    rec.t0 = clk(CLOCK_MONOTONIC);
    __real_hk_parallel_run(threads, n_tasks, timed_task, &w);
    rec.par_cpu += clk(CLOCK_THREAD_CPUTIME_ID) - c0;
}

static void *spin(void *arg)
{
    volatile unsigned long x = 0;
    const unsigned long n = *(const unsigned long *)arg;
    for (unsigned long i = 0; i < n; i++)
        x += i;
    return NULL;
}

/* Seconds of one spin on `threads` (1 or 2) threads at once. */
static double spin_once(int threads, unsigned long n)
{
    pthread_t t;
    double w0 = clk(CLOCK_MONOTONIC);
    int two = threads == 2 && pthread_create(&t, NULL, spin, &n) == 0;
    spin(&n);
    if (two)
        pthread_join(t, NULL);
    return clk(CLOCK_MONOTONIC) - w0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return v[n / 2];
}

static int set_variant(hk_hog_params *p, const char *variant, const hk_image *im, int cell)
{
    if (strcmp(variant, "skimage") == 0) {
        hk_hog_params_default(p, HK_VARIANT_SKIMAGE);
    } else if (strcmp(variant, "opencv") == 0) {
        hk_hog_params_default(p, HK_VARIANT_OPENCV);
        p->opencv.win_width = (int)im->width / cell * cell;
        p->opencv.win_height = (int)im->height / cell * cell;
        p->opencv.block_width = p->opencv.block_height = 2 * cell;
        p->opencv.block_stride_x = p->opencv.block_stride_y = cell;
        p->opencv.cell_width = p->opencv.cell_height = cell;
        p->opencv.gamma_correction = 0;
    } else if (strcmp(variant, "vlfeat-dt") == 0 || strcmp(variant, "vlfeat-uoctti") == 0) {
        hk_hog_params_default(p, strcmp(variant, "vlfeat-dt") == 0 ? HK_VARIANT_VLFEAT_DT
                                                                  : HK_VARIANT_VLFEAT_UOCTTI);
        p->vlfeat.cell_size = cell;
    } else if (strcmp(variant, "dlib") == 0) {
        hk_hog_params_default(p, HK_VARIANT_DLIB);
        p->dlib.cell_size = cell;
    } else {
        return 0;
    }
    return hk_hog_params_check(p) == HK_OK;
}

static int spin_main(int argc, char **argv)
{
    int reps = 20;
    for (int i = 2; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[i + 1]);
    if (reps < 1 || reps > 10000)
        return 2;
    /* iterations for about 10 ms, from a 1 ms trial */
    unsigned long n = 1000000;
    double t = spin_once(1, n);
    n = (unsigned long)((double)n * 0.010 / (t > 1e-6 ? t : 1e-6));
    double *a = malloc(2 * sizeof(double) * (size_t)reps), *b = a + reps;
    if (!a)
        return 1;
    for (int r = 0; r < reps; r++) {
        a[r] = spin_once(1, n);
        b[r] = spin_once(2, n) / 2; /* twice the work: per loop */
    }
    double ma = median(a, reps), mb = median(b, reps);
    printf("{\"spin_1\": %.6f, \"spin_2\": %.6f, \"spin_speedup_med\": %.3f, "
           "\"spin_speedup_best\": %.3f}\n",
           ma, 2 * mb, ma / mb, a[0] / b[0]);
    free(a);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_threads IN.npy VARIANT [--threads N] [--reps R] "
                        "[--cell C]\n");
        return 2;
    }
    int threads = 2, reps = 20, cell = 8;
    if (strcmp(argv[1], "spin") == 0)
        return spin_main(argc, argv);
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--threads") == 0)
            threads = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--cell") == 0)
            cell = atoi(argv[i + 1]);
    }
    if (reps < 1 || reps > 10000 || threads < 2 || threads > MAXW || cell < 1)
        return 2;
    hk_limits lim;
    hk_limits_default(&lim);
    lim.max_pixels = (uint64_t)1 << 32;
    lim.max_file_bytes = (uint64_t)1 << 34;
    hk_image im;
    hk_status st = hk_image_load(argv[1], &lim, &im);
    if (st != HK_OK) {
        fprintf(stderr, "bench_threads: %s: %s\n", argv[1], hk_strerror(st));
        return 1;
    }
    hk_hog_params p;
    if (!set_variant(&p, argv[2], &im, cell)) {
        fprintf(stderr, "bench_threads: no variant %s in this build\n", argv[2]);
        return 3;
    }
    hk_shape shape;
    hk_hog_ctx *ctx1 = NULL, *ctxn = NULL;
    if (hk_hog_shape(&p, im.width, im.height, im.channels, &shape) != HK_OK ||
        hk_hog_ctx_new(&ctx1) != HK_OK || hk_hog_ctx_new(&ctxn) != HK_OK)
        return 1;
    float *out = malloc(shape.count * sizeof(float) + 1);
    double *one = malloc(sizeof(double) * (size_t)reps * 8), *serial = one + reps,
           *crit = one + 2 * reps, *sum = one + 3 * reps, *wall1 = one + 4 * reps,
           *walln = one + 5 * reps, *start = one + 6 * reps, *maxt = one + 7 * reps;
    if (!out || !one)
        return 1;
    int workers = 0;
    size_t tasks = 0;
    for (int r = -1; r < reps && st == HK_OK; r++) { /* r = -1 warms both contexts up */
        p.threads = 1;
        double w0 = clk(CLOCK_MONOTONIC), c0 = clk(CLOCK_THREAD_CPUTIME_ID);
        st = hk_hog_extract(ctx1, &p, &im, out, shape.count);
        double c1 = clk(CLOCK_THREAD_CPUTIME_ID), w1 = clk(CLOCK_MONOTONIC);
        p.threads = threads;
        memset(&rec, 0, sizeof(rec));
        double w2 = clk(CLOCK_MONOTONIC), c2 = clk(CLOCK_THREAD_CPUTIME_ID);
        if (st == HK_OK)
            st = hk_hog_extract(ctxn, &p, &im, out, shape.count);
        double c3 = clk(CLOCK_THREAD_CPUTIME_ID), w3 = clk(CLOCK_MONOTONIC);
        if (r < 0)
            continue;
        double mx = 0, s = 0, st_max = 0;
        for (int w = 0; w < rec.workers; w++) {
            mx = rec.busy[w] > mx ? rec.busy[w] : mx;
            s += rec.busy[w];
            if (w > 0 && rec.first[w] > st_max)
                st_max = rec.first[w];
        }
        one[r] = c1 - c0;
        serial[r] = (c3 - c2) - rec.par_cpu;
        crit[r] = serial[r] + mx;
        sum[r] = serial[r] + s;
        wall1[r] = w1 - w0;
        walln[r] = w3 - w2;
        start[r] = st_max;
        maxt[r] = rec.max_task;
        workers = rec.workers;
        tasks = rec.runs ? rec.tasks / (size_t)rec.runs : 0;
    }
    if (st != HK_OK) {
        fprintf(stderr, "bench_threads: %s\n", hk_strerror(st));
        return 1;
    }
    double m_one = median(one, reps), m_crit = median(crit, reps), m_sum = median(sum, reps);
    double m_ser = median(serial, reps), m_w1 = median(wall1, reps), m_wn = median(walln, reps);
    double b_w1 = wall1[0], b_wn = walln[0]; /* sorted by median() */
    printf("{\"variant\": \"%s\", \"width\": %u, \"height\": %u, \"threads\": %d, "
           "\"workers\": %d, \"tasks\": %zu, \"one_cpu\": %.6f, \"serial\": %.6f, "
           "\"critical\": %.6f, \"work\": %.6f, \"max_task\": %.6f, \"thread_start\": %.6f, "
           "\"ideal_speedup\": %.3f, \"inflation\": %.3f, \"wall1_med\": %.6f, "
           "\"walln_med\": %.6f, \"wall_speedup_med\": %.3f, \"wall_speedup_best\": %.3f}\n",
           argv[2], im.width, im.height, threads, workers, tasks, m_one, m_ser, m_crit, m_sum,
           median(maxt, reps), median(start, reps), m_one / m_crit, m_sum / m_one, m_w1, m_wn,
           m_w1 / m_wn, b_w1 / b_wn);
    free(out);
    free(one);
    hk_hog_ctx_free(ctx1);
    hk_hog_ctx_free(ctxn);
    hk_image_free(&im);
    return 0;
}

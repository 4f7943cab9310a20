/* Grouping of detection windows: OpenCV's HOGDescriptor::groupRectangles
 * (partition by the SimilarRects predicate, average each class, drop
 * classes with too few members and small classes inside bigger ones),
 * cv::groupRectangles_meanshift, and greedy non-maximum suppression. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/group.h"

static int find_root(int *parent, int i)
{
    int r = i;
    while (parent[r] != r)
        r = parent[r];
    while (parent[i] != r) {
        int n = parent[i];
        parent[i] = r;
        i = n;
    }
    return r;
}

/* cv::SimilarRects */
static int similar(const hk_cand *a, const hk_cand *b, double eps)
{
    double delta = eps * ((a->w < b->w ? a->w : b->w) + (a->h < b->h ? a->h : b->h)) * 0.5;
    return fabs((double)(a->x - b->x)) <= delta && fabs((double)(a->y - b->y)) <= delta &&
           fabs((double)(a->x + a->w - b->x - b->w)) <= delta &&
           fabs((double)(a->y + a->h - b->y - b->h)) <= delta;
}

/* saturate_cast<int>(double): round half to even, as cvRound does. */
static int cv_round(double v)
{
    if (v >= 2147483647.0)
        return 2147483647;
    if (v <= -2147483648.0)
        return -2147483647 - 1;
    return (int)nearbyint(v);
}

size_t hk__group_opencv(const hk_cand *c, size_t n, int group_threshold, double eps,
                        hk_box *out, hk_status *st)
{
    *st = HK_OK;
    if (group_threshold <= 0 || n == 0) {
        for (size_t i = 0; i < n; i++) {
            out[i].x = c[i].x;
            out[i].y = c[i].y;
            out[i].w = c[i].w;
            out[i].h = c[i].h;
            out[i].score = c[i].score;
        }
        return n;
    }
    int *parent = malloc(n * sizeof *parent);
    int *label = malloc(n * sizeof *label);
    double *sum = calloc(n * 4, sizeof *sum);
    double *best = malloc(n * sizeof *best);
    int *cnt = calloc(n, sizeof *cnt);
    hk_box *avg = malloc(n * sizeof *avg);
    size_t nout = 0;
    if (!parent || !label || !sum || !best || !cnt || !avg) {
        *st = HK_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        parent[i] = (int)i;
    /* The equivalence classes of the transitive closure of SimilarRects,
     * which is what cv::partition computes (labels aside). */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (similar(&c[i], &c[j], eps)) {
                int a = find_root(parent, (int)i), b = find_root(parent, (int)j);
                if (a != b)
                    parent[a < b ? b : a] = a < b ? a : b;
            }
    int ncls = 0;
    for (size_t i = 0; i < n; i++) {
        int r = find_root(parent, (int)i);
        if (r == (int)i)
            label[i] = ncls++;
    }
    for (size_t i = 0; i < n; i++)
        label[i] = label[find_root(parent, (int)i)];
    for (int k = 0; k < ncls; k++)
        best[k] = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        int k = label[i];
        sum[4 * k] += c[i].x;
        sum[4 * k + 1] += c[i].y;
        sum[4 * k + 2] += c[i].w;
        sum[4 * k + 3] += c[i].h;
        if (c[i].score > best[k])
            best[k] = c[i].score;
        cnt[k]++;
    }
    for (int k = 0; k < ncls; k++) {
        double s = 1.0 / cnt[k];
        avg[k].x = cv_round(sum[4 * k] * s);
        avg[k].y = cv_round(sum[4 * k + 1] * s);
        avg[k].w = cv_round(sum[4 * k + 2] * s);
        avg[k].h = cv_round(sum[4 * k + 3] * s);
        avg[k].score = best[k];
    }
    for (int i = 0; i < ncls; i++) {
        int n1 = cnt[i];
        if (n1 <= group_threshold)
            continue;
        const hk_box *r1 = &avg[i];
        int j;
        for (j = 0; j < ncls; j++) {
            int n2 = cnt[j];
            if (j == i || n2 <= group_threshold)
                continue;
            const hk_box *r2 = &avg[j];
            int dx = cv_round(r2->w * eps), dy = cv_round(r2->h * eps);
            if (r1->x >= r2->x - dx && r1->y >= r2->y - dy &&
                r1->x + r1->w <= r2->x + r2->w + dx && r1->y + r1->h <= r2->y + r2->h + dy &&
                (n2 > (n1 > 3 ? n1 : 3) || n1 < 3))
                break;
        }
        if (j == ncls)
            out[nout++] = *r1;
    }
done:
    free(parent);
    free(label);
    free(sum);
    free(best);
    free(cnt);
    free(avg);
    return nout;
}

/* ------------------------------------------------ mean shift (OpenCV's) */

typedef struct p3 {
    double x, y, z;
} p3;

typedef struct ms {
    const p3 *pos;
    const double *w;
    size_t n;
    p3 ker;
} ms;

static p3 ms_new_value(const ms *m, p3 in)
{
    p3 res = {0, 0, 0}, rat = {0, 0, 0};
    for (size_t i = 0; i < m->n; i++) {
        p3 a = m->pos[i], b = in, s = m->ker;
        double ez = exp(a.z);
        s.x *= ez;
        s.y *= ez;
        a.x /= s.x;
        a.y /= s.y;
        a.z /= s.z;
        b.x /= s.x;
        b.y /= s.y;
        b.z /= s.z;
        p3 d = {a.x - b.x, a.y - b.y, a.z - b.z};
        double w = m->w[i] * exp(-(d.x * d.x + d.y * d.y + d.z * d.z) / 2) /
                   sqrt(s.x + s.y + s.z);
        res.x += w * a.x;
        res.y += w * a.y;
        res.z += w * a.z;
        rat.x += w / s.x;
        rat.y += w / s.y;
        rat.z += w / s.z;
    }
    res.x /= rat.x;
    res.y /= rat.y;
    res.z /= rat.z;
    return res;
}

static double ms_distance(const ms *m, p3 a, p3 b)
{
    p3 ns = m->ker;
    double ez = exp(b.z);
    ns.x *= ez;
    ns.y *= ez;
    p3 d = {(b.x - a.x) / ns.x, (b.y - a.y) / ns.y, (b.z - a.z) / ns.z};
    return d.x * d.x + d.y * d.y + d.z * d.z;
}

static double ms_weight(const ms *m, p3 in)
{
    double sw = 0;
    for (size_t i = 0; i < m->n; i++) {
        p3 a = m->pos[i], s = m->ker;
        double ez = exp(a.z);
        s.x *= ez;
        s.y *= ez;
        p3 d = {(a.x - in.x) / s.x, (a.y - in.y) / s.y, (a.z - in.z) / s.z};
        sw += m->w[i] * exp(-(d.x * d.x + d.y * d.y + d.z * d.z) / 2) / sqrt(s.x + s.y + s.z);
    }
    return sw;
}

size_t hk__group_meanshift(const hk_cand *c, size_t n, double threshold, int win_w, int win_h,
                           hk_box *out, hk_status *st)
{
    *st = HK_OK;
    if (n == 0)
        return 0;
    p3 *pos = malloc(n * sizeof *pos);
    p3 *modes = malloc(n * sizeof *modes);
    double *w = malloc(n * sizeof *w);
    size_t nmodes = 0, nout = 0;
    if (!pos || !modes || !w) {
        *st = HK_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        w[i] = c[i].score;
        /* (tl + br) * 0.5 is an integer Point in OpenCV: rounded */
        pos[i].x = cv_round((2.0 * c[i].x + c[i].w) * 0.5);
        pos[i].y = cv_round((2.0 * c[i].y + c[i].h) * 0.5);
        pos[i].z = log(c[i].scale);
    }
    ms m = {pos, w, n, {8, 16, log(1.3)}};
    for (size_t i = 0; i < n; i++) {
        p3 a = ms_new_value(&m, pos[i]);
        for (int it = 0; it < 100; it++) {
            p3 b = a;
            a = ms_new_value(&m, b);
            if (ms_distance(&m, a, b) <= 1e-5)
                break;
        }
        int found = 0;
        for (size_t j = 0; j < nmodes; j++)
            if (ms_distance(&m, a, modes[j]) < 1) {
                found = 1;
                break;
            }
        if (!found)
            modes[nmodes++] = a;
    }
    for (size_t i = 0; i < nmodes; i++) {
        double wt = ms_weight(&m, modes[i]);
        double scale = exp(modes[i].z);
        int sw = (int)(win_w * scale), sh = (int)(win_h * scale);
        if (wt > threshold) {
            out[nout].x = (int)(modes[i].x - sw / 2);
            out[nout].y = (int)(modes[i].y - sh / 2);
            out[nout].w = sw;
            out[nout].h = sh;
            out[nout].score = wt;
            nout++;
        }
    }
done:
    free(pos);
    free(modes);
    free(w);
    return nout;
}

/* --------------------------------------------------------------- NMS */

static int by_score(const void *a, const void *b)
{
    const hk_box *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->y != y->y)
        return x->y < y->y ? -1 : 1;
    if (x->x != y->x)
        return x->x < y->x ? -1 : 1;
    if (x->w != y->w)
        return x->w < y->w ? -1 : 1;
    return x->h < y->h ? -1 : x->h > y->h;
}

void hk__sort_boxes(hk_box *b, size_t n)
{
    if (n > 1)
        qsort(b, n, sizeof *b, by_score);
}

static double iou(const hk_box *a, const hk_box *b)
{
    double x0 = a->x > b->x ? a->x : b->x, y0 = a->y > b->y ? a->y : b->y;
    double x1 = a->x + a->w < b->x + b->w ? a->x + a->w : b->x + b->w;
    double y1 = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;
    if (x1 <= x0 || y1 <= y0)
        return 0;
    double in = (x1 - x0) * (y1 - y0);
    return in / ((double)a->w * a->h + (double)b->w * b->h - in);
}

size_t hk__group_nms(const hk_cand *c, size_t n, double thr, hk_box *out, hk_status *st)
{
    *st = HK_OK;
    for (size_t i = 0; i < n; i++) {
        out[i].x = c[i].x;
        out[i].y = c[i].y;
        out[i].w = c[i].w;
        out[i].h = c[i].h;
        out[i].score = c[i].score;
    }
    hk__sort_boxes(out, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int keep = 1;
        for (size_t j = 0; j < k && keep; j++)
            if (iou(&out[i], &out[j]) > thr)
                keep = 0;
        if (keep)
            out[k++] = out[i];
    }
    return k;
}

size_t hk__clip_boxes(hk_box *b, size_t n, int width, int height)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int x0 = b[i].x > 0 ? b[i].x : 0, y0 = b[i].y > 0 ? b[i].y : 0;
        long x1 = (long)b[i].x + b[i].w, y1 = (long)b[i].y + b[i].h;
        if (x1 > width)
            x1 = width;
        if (y1 > height)
            y1 = height;
        if (x1 > x0 && y1 > y0) {
            b[k] = b[i];
            b[k].x = x0;
            b[k].y = y0;
            b[k].w = (int)(x1 - x0);
            b[k].h = (int)(y1 - y0);
            k++;
        }
    }
    return k;
}

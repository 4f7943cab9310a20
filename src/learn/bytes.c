/* Little-endian serialisation helpers for learner blobs and model files. */
#include <stdlib.h>
#include <string.h>

#include "learn/learn_internal.h"

void hk__w_bytes(hk__wbuf *w, const void *p, size_t n)
{
    if (w->failed)
        return;
    if (n > SIZE_MAX / 2 - w->size) {
        w->failed = 1;
        return;
    }
    if (w->size + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->size + n)
            cap *= 2;
        uint8_t *d = realloc(w->data, cap);
        if (!d) {
            w->failed = 1;
            return;
        }
        w->data = d;
        w->cap = cap;
    }
    if (n)
        memcpy(w->data + w->size, p, n);
    w->size += n;
}

void hk__w_u64(hk__wbuf *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    hk__w_bytes(w, b, 8);
}

void hk__w_u32(hk__wbuf *w, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    hk__w_bytes(w, b, 4);
}

void hk__w_f64(hk__wbuf *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    hk__w_u64(w, u);
}

const uint8_t *hk__r_bytes(hk__rbuf *r, size_t n)
{
    if (r->failed || n > r->size - r->pos) {
        r->failed = 1;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

uint64_t hk__r_u64(hk__rbuf *r)
{
    const uint8_t *b = hk__r_bytes(r, 8);
    uint64_t v = 0;
    for (int i = 0; b && i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

uint32_t hk__r_u32(hk__rbuf *r)
{
    const uint8_t *b = hk__r_bytes(r, 4);
    uint32_t v = 0;
    for (int i = 0; b && i < 4; i++)
        v |= (uint32_t)b[i] << (8 * i);
    return v;
}

double hk__r_f64(hk__rbuf *r)
{
    uint64_t u = hk__r_u64(r);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

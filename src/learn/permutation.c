/* numpy's legacy RandomState(seed).permutation(n), so that datasets can be
 * split exactly as Python samples do (OpenCV's digits.py uses seed 321).
 * MT19937 with init_genrand seeding (numpy's _legacy_seeding for an int),
 * shuffle from the end with random_interval: a masked 32-bit draw retried
 * until it is <= max. */
#include "learn/learn_internal.h"

typedef struct mt19937 {
    uint32_t key[624];
    int pos;
} mt19937;

static void mt_seed(mt19937 *s, uint32_t seed)
{
    s->key[0] = seed;
    for (int i = 1; i < 624; i++)
        s->key[i] = 1812433253u * (s->key[i - 1] ^ (s->key[i - 1] >> 30)) + (uint32_t)i;
    s->pos = 624;
}

static uint32_t mt_next(mt19937 *s)
{
    if (s->pos >= 624) {
        for (int i = 0; i < 624; i++) {
            uint32_t y = (s->key[i] & 0x80000000u) | (s->key[(i + 1) % 624] & 0x7fffffffu);
            s->key[i] = s->key[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        s->pos = 0;
    }
    uint32_t y = s->key[s->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

static uint32_t random_interval(mt19937 *s, uint32_t max)
{
    if (max == 0)
        return 0;
    uint32_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    while ((v = (mt_next(s) & mask)) > max)
        ;
    return v;
}

hk_status hk_numpy_permutation(uint32_t seed, uint32_t count, uint32_t *perm)
{
    if (!perm && count)
        return HK_ERR_INVALID_ARG;
    mt19937 s;
    mt_seed(&s, seed);
    for (uint32_t i = 0; i < count; i++)
        perm[i] = i;
    for (uint32_t i = count; i-- > 1;) {
        uint32_t j = random_interval(&s, i);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    return HK_OK;
}

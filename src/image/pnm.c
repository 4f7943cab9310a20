/* Netpbm reader: P2/P5 (grey) and P3/P6 (RGB), maxval 1..65535.
 * Samples keep their stored values (no rescaling to the type's range): a
 * maxval up to 255 gives HK_U8, above gives HK_U16. Every sample is checked
 * against maxval, in the ASCII and the binary forms alike, because a value
 * over maxval means the file is not what its header claims. */
#include <string.h>

#include "image/decoders.h"

typedef struct cursor {
    const uint8_t *p;
    size_t n, pos;
} cursor;

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Skips whitespace and '#' comments (to end of line). */
static void skip_blank(cursor *c)
{
    while (c->pos < c->n) {
        uint8_t ch = c->p[c->pos];
        if (ch == '#') {
            while (c->pos < c->n && c->p[c->pos] != '\n' && c->p[c->pos] != '\r')
                c->pos++;
        } else if (is_space(ch)) {
            c->pos++;
        } else {
            return;
        }
    }
}

/* Reads one decimal number after optional blanks. Values above `max` give
 * `too_big`; digits keep being consumed so the error is about the value. A
 * number must be followed by whitespace, a comment or (if at_end_ok) EOF. */
static hk_status read_uint(cursor *c, uint32_t max, hk_status too_big,
                           int at_end_ok, uint32_t *out)
{
    uint64_t v = 0;
    size_t start;

    skip_blank(c);
    if (c->pos >= c->n)
        return HK_ERR_TRUNCATED;
    start = c->pos;
    while (c->pos < c->n && c->p[c->pos] >= '0' && c->p[c->pos] <= '9') {
        if (v <= UINT32_MAX)
            v = v * 10 + (uint64_t)(c->p[c->pos] - '0');
        c->pos++;
    }
    if (c->pos == start)
        return HK_ERR_FORMAT;
    if (c->pos == c->n) {
        if (!at_end_ok)
            return HK_ERR_TRUNCATED;
    } else if (!is_space(c->p[c->pos]) && c->p[c->pos] != '#') {
        return HK_ERR_FORMAT;
    }
    if (v > max)
        return too_big;
    *out = (uint32_t)v;
    return HK_OK;
}

static hk_status read_ascii(cursor *c, uint32_t maxval, size_t count,
                            int wide, void *buffer)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t v;
        hk_status st = read_uint(c, maxval, HK_ERR_FORMAT, 1, &v);
        if (st != HK_OK)
            return st;
        if (wide) {
            uint16_t s = (uint16_t)v;
            memcpy((uint8_t *)buffer + 2 * i, &s, 2);
        } else {
            ((uint8_t *)buffer)[i] = (uint8_t)v;
        }
    }
    return HK_OK;
}

/* Binary samples are big-endian when two bytes wide. */
static hk_status read_binary(const uint8_t *src, uint32_t maxval, size_t count,
                             int wide, void *buffer)
{
    if (!wide) {
        memcpy(buffer, src, count);
        if (maxval < 255)
            for (size_t i = 0; i < count; i++)
                if (src[i] > maxval)
                    return HK_ERR_FORMAT;
        return HK_OK;
    }
    for (size_t i = 0; i < count; i++) {
        uint16_t s = (uint16_t)((src[2 * i] << 8) | src[2 * i + 1]);
        if (s > maxval)
            return HK_ERR_FORMAT;
        memcpy((uint8_t *)buffer + 2 * i, &s, 2);
    }
    return HK_OK;
}

hk_status hk__pnm_read(const uint8_t *data, size_t size,
                       const hk_limits *limits, hk_image_info *info,
                       void *buffer, size_t capacity)
{
    cursor c = {data, size, 2};
    uint32_t width, height, maxval, channels;
    int ascii, wide;
    size_t count, need;
    hk_status st;

    if (size < 2 || data[0] != 'P')
        return HK_ERR_FORMAT;
    switch (data[1]) {
    case '2': ascii = 1; channels = 1; break;
    case '3': ascii = 1; channels = 3; break;
    case '5': ascii = 0; channels = 1; break;
    case '6': ascii = 0; channels = 3; break;
    default: return HK_ERR_FORMAT;
    }
    /* Sides over 32 bits are over any pixel limit, hence HK_ERR_LIMIT. */
    st = read_uint(&c, UINT32_MAX, HK_ERR_LIMIT, 0, &width);
    if (st == HK_OK)
        st = read_uint(&c, UINT32_MAX, HK_ERR_LIMIT, 0, &height);
    if (st == HK_OK)
        st = read_uint(&c, 65535, HK_ERR_FORMAT, 0, &maxval);
    if (st == HK_OK && maxval == 0)
        st = HK_ERR_FORMAT;
    if (st != HK_OK)
        return st;
    wide = maxval > 255;
    st = hk__image_info_set(info, HK_FORMAT_PNM, width, height, channels,
                            wide ? HK_U16 : HK_U8, limits);
    if (st != HK_OK || !buffer)
        return st;
    st = hk__image_capacity(info, capacity);
    if (st != HK_OK)
        return st;

    count = info->bytes >> wide; /* samples */
    if (ascii)
        return read_ascii(&c, maxval, count, wide, buffer);
    /* Exactly one whitespace byte separates maxval from the raster (a
     * comment there would be raster data); read_uint left us on it. */
    if (c.p[c.pos] == '#')
        return HK_ERR_FORMAT;
    c.pos++;
    need = info->bytes;
    if (c.n - c.pos < need)
        return HK_ERR_TRUNCATED;
    return read_binary(c.p + c.pos, maxval, count, wide, buffer);
}

/* Reading and writing cv::HOGDescriptor model files (the subset of OpenCV's
 * FileStorage XML and YAML that HOGDescriptor::save writes).
 *
 * Every byte is hostile: the parser never reads past `size`, never trusts a
 * length, counts the SVMDetector values and checks the count against the
 * limits before allocating, and accepts only what OpenCV itself writes for
 * this object (one top-level map of scalars and flat number sequences; other
 * keys are skipped). Both formats are reduced to a list of (key, value text)
 * entries, then one interpreter turns entries into a detector. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/checked.h"
#include "detect/detector.h"

#define MAX_ENTRIES 64
#define MAX_KEY 64

typedef struct entry {
    char key[MAX_KEY];
    const char *v;   /* value text (inside brackets for a YAML sequence) */
    size_t n;
} entry;

typedef struct doc {
    entry e[MAX_ENTRIES];
    int count;
} doc;

static hk_status add_entry(doc *d, const char *k, size_t kn, const char *v, size_t vn)
{
    if (kn == 0 || kn >= MAX_KEY)
        return HK_ERR_FORMAT;
    if (d->count >= MAX_ENTRIES)
        return HK_ERR_LIMIT;
    entry *e = &d->e[d->count++];
    memcpy(e->key, k, kn);
    e->key[kn] = 0;
    e->v = v;
    e->n = vn;
    return HK_OK;
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':';
}

/* ---------------------------------------------------------------- XML */

/* Skips whitespace, comments and processing instructions. */
static size_t xml_skip(const char *s, size_t n, size_t i)
{
    for (;;) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i + 4 <= n && memcmp(s + i, "<!--", 4) == 0) {
            size_t j = i + 4;
            while (j + 3 <= n && memcmp(s + j, "-->", 3) != 0)
                j++;
            if (j + 3 > n)
                return n;
            i = j + 3;
        } else if (i + 2 <= n && memcmp(s + i, "<?", 2) == 0) {
            size_t j = i + 2;
            while (j + 2 <= n && memcmp(s + j, "?>", 2) != 0)
                j++;
            if (j + 2 > n)
                return n;
            i = j + 2;
        } else {
            return i;
        }
    }
}

/* Parses an opening or closing tag at s[i] == '<'. Sets name span, whether it
 * closes, whether it is self-closing, and returns the index after '>'
 * (0 on error). Attributes are skipped (quoted values may hold '>'). */
static size_t xml_tag(const char *s, size_t n, size_t i, const char **name, size_t *nlen,
                      int *closing, int *selfclose)
{
    if (i >= n || s[i] != '<')
        return 0;
    i++;
    *closing = 0;
    *selfclose = 0;
    if (i < n && s[i] == '/') {
        *closing = 1;
        i++;
    }
    size_t a = i;
    while (i < n && is_name_char(s[i]))
        i++;
    *name = s + a;
    *nlen = i - a;
    if (*nlen == 0)
        return 0;
    while (i < n && s[i] != '>') {
        if (s[i] == '"' || s[i] == '\'') {
            char q = s[i++];
            while (i < n && s[i] != q)
                i++;
            if (i >= n)
                return 0;
        }
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '>')
            *selfclose = 1;
        i++;
    }
    if (i >= n)
        return 0;
    return i + 1;
}

/* Skips the content of an element whose opening tag ended before i, up to
 * and including its closing tag; nested elements are counted, not parsed. */
static size_t xml_skip_element(const char *s, size_t n, size_t i)
{
    int depth = 1;
    while (i < n) {
        if (s[i] != '<') {
            i++;
            continue;
        }
        size_t j = xml_skip(s, n, i);
        if (j != i) {
            i = j;
            continue;
        }
        const char *nm;
        size_t nl;
        int cl, sc;
        j = xml_tag(s, n, i, &nm, &nl, &cl, &sc);
        if (!j)
            return 0;
        if (cl)
            depth--;
        else if (!sc) {
            if (++depth > 64)
                return 0;
        }
        i = j;
        if (depth == 0)
            return i;
    }
    return 0;
}

static hk_status parse_xml(const char *s, size_t n, doc *d)
{
    size_t i = xml_skip(s, n, 0);
    const char *nm;
    size_t nl;
    int cl, sc;
    size_t j = xml_tag(s, n, i, &nm, &nl, &cl, &sc);
    if (!j || cl || sc || nl != 14 || memcmp(nm, "opencv_storage", 14) != 0)
        return HK_ERR_FORMAT;
    i = xml_skip(s, n, j);
    /* The first top-level node is the descriptor (getFirstTopLevelNode). */
    j = xml_tag(s, n, i, &nm, &nl, &cl, &sc);
    if (!j || cl || sc)
        return j ? HK_ERR_FORMAT : HK_ERR_TRUNCATED;
    const char *top = nm;
    size_t topn = nl;
    i = j;
    for (;;) {
        i = xml_skip(s, n, i);
        if (i >= n)
            return HK_ERR_TRUNCATED;
        j = xml_tag(s, n, i, &nm, &nl, &cl, &sc);
        if (!j)
            return HK_ERR_FORMAT;
        if (cl) {
            if (nl != topn || memcmp(nm, top, nl) != 0)
                return HK_ERR_FORMAT;
            return HK_OK;
        }
        if (sc) {
            i = j;
            continue;
        }
        const char *key = nm;
        size_t keyn = nl;
        size_t a = j;
        size_t b = a;
        while (b < n && s[b] != '<')
            b++;
        if (b >= n)
            return HK_ERR_TRUNCATED;
        const char *cn;
        size_t cnl;
        size_t k = xml_tag(s, n, b, &cn, &cnl, &cl, &sc);
        if (k && cl && cnl == keyn && memcmp(cn, key, keyn) == 0) {
            hk_status st = add_entry(d, key, keyn, s + a, b - a);
            if (st != HK_OK)
                return st;
            i = k;
        } else {
            /* Structured value (e.g. a matrix): not part of the HOG subset;
             * skipped so that unknown keys do not fail the load. */
            size_t e = xml_skip_element(s, n, a);
            if (!e)
                return HK_ERR_FORMAT;
            i = e;
        }
    }
}

/* --------------------------------------------------------------- YAML */

static size_t line_end(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] != '\n')
        i++;
    return i;
}

static hk_status parse_yaml(const char *s, size_t n, doc *d)
{
    size_t i = line_end(s, n, 0); /* %YAML:1.0 */
    int top_indent = -1;
    int in_top = 0;
    while (i < n) {
        i++; /* past '\n' */
        size_t ls = i;
        size_t le = line_end(s, n, i);
        size_t p = ls;
        while (p < le && s[p] == ' ')
            p++;
        int indent = (int)(p - ls);
        if (p < le && s[p] == '\t')
            return HK_ERR_FORMAT;
        if (p >= le || s[p] == '#' || s[p] == '\r') {
            i = le;
            continue;
        }
        if (le - p >= 3 && (memcmp(s + p, "---", 3) == 0 || memcmp(s + p, "...", 3) == 0)) {
            if (in_top)
                return HK_OK;
            i = le;
            continue;
        }
        /* key: value */
        size_t k = p;
        while (k < le && s[k] != ':')
            k++;
        if (k >= le)
            return HK_ERR_FORMAT;
        size_t ke = k;
        while (ke > p && s[ke - 1] == ' ')
            ke--;
        const char *key = s + p;
        size_t keyn = ke - p;
        size_t v = k + 1;
        while (v < le && s[v] == ' ')
            v++;
        size_t ve = le;
        while (ve > v && (s[ve - 1] == ' ' || s[ve - 1] == '\r'))
            ve--;
        if (!in_top) {
            if (top_indent >= 0)
                return HK_ERR_FORMAT;
            /* the first top-level node: a map, optionally tagged */
            if (v < ve && !(ve - v >= 2 && s[v] == '!' && s[v + 1] == '!'))
                return HK_ERR_FORMAT;
            top_indent = indent;
            in_top = 1;
            i = le;
            continue;
        }
        if (indent <= top_indent)
            return HK_OK; /* next top-level node: ours is complete */
        if (v < ve && s[v] == '[') {
            size_t q = v + 1;
            int depth = 1;
            while (q < n && depth) {
                if (s[q] == '[' || s[q] == '{')
                    return HK_ERR_FORMAT; /* nested: not a flat number list */
                if (s[q] == ']')
                    depth--;
                else
                    q++;
            }
            if (q >= n)
                return HK_ERR_TRUNCATED;
            hk_status st = add_entry(d, key, keyn, s + v + 1, q - v - 1);
            if (st != HK_OK)
                return st;
            le = line_end(s, n, q);
        } else if (v < ve && (s[v] == '{' || s[v] == '!' || s[v] == '|' || s[v] == '>')) {
            return HK_ERR_FORMAT;
        } else if (v == ve) {
            /* block value on the following lines: not part of the subset */
            return HK_ERR_FORMAT;
        } else {
            hk_status st = add_entry(d, key, keyn, s + v, ve - v);
            if (st != HK_OK)
                return st;
        }
        i = le;
    }
    return in_top ? HK_OK : HK_ERR_TRUNCATED;
}

/* ------------------------------------------------------- interpretation */

static const entry *find(const doc *d, const char *key)
{
    for (int i = 0; i < d->count; i++)
        if (strcmp(d->e[i].key, key) == 0)
            return &d->e[i];
    return NULL;
}

static int is_sep(char c)
{
    return c == ',' || isspace((unsigned char)c);
}

/* Next number token of [*p, end) as a double; 0 at the end, -1 on a bad token. */
static int next_number(const char **p, const char *end, double *out)
{
    const char *s = *p;
    while (s < end && is_sep(*s))
        s++;
    if (s >= end) {
        *p = s;
        return 0;
    }
    const char *t = s;
    while (t < end && !is_sep(*t))
        t++;
    size_t len = (size_t)(t - s);
    char buf[64];
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    for (size_t k = 0; k < len; k++)
        if (!(isdigit((unsigned char)buf[k]) || strchr("+-.eE", buf[k])))
            return -1; /* also rejects inf/nan spellings */
    char *e;
    double v = strtod(buf, &e);
    if (e != buf + len || !isfinite(v))
        return -1;
    *out = v;
    *p = t;
    return 1;
}

static hk_status get_numbers(const doc *d, const char *key, double *v, int want, int required)
{
    const entry *e = find(d, key);
    if (!e)
        return required ? HK_ERR_FORMAT : HK_ERR_UNSUPPORTED;
    const char *p = e->v, *end = e->v + e->n;
    for (int i = 0; i < want; i++)
        if (next_number(&p, end, &v[i]) != 1)
            return HK_ERR_FORMAT;
    double extra;
    if (next_number(&p, end, &extra) != 0)
        return HK_ERR_FORMAT;
    return HK_OK;
}

static hk_status get_ints(const doc *d, const char *key, int *out, int want)
{
    double v[2];
    hk_status st = get_numbers(d, key, v, want, 1);
    if (st != HK_OK)
        return st;
    for (int i = 0; i < want; i++) {
        if (v[i] != floor(v[i]) || v[i] < -1e6 || v[i] > 1e6)
            return HK_ERR_FORMAT;
        out[i] = (int)v[i];
    }
    return HK_OK;
}

static hk_status interpret(const doc *d, const hk_detector_limits *lim, hk_detector **out)
{
    hk_opencv_params g;
    hk_hog_params hp;
    hk_hog_params_default(&hp, HK_VARIANT_OPENCV);
    g = hp.opencv;
    int v2[2], v1;
    hk_status st;
#define PAIR(k, a, b) \
    if ((st = get_ints(d, k, v2, 2)) != HK_OK) \
        return st; \
    a = v2[0]; \
    b = v2[1];
    PAIR("winSize", g.win_width, g.win_height)
    PAIR("blockSize", g.block_width, g.block_height)
    PAIR("blockStride", g.block_stride_x, g.block_stride_y)
    PAIR("cellSize", g.cell_width, g.cell_height)
#undef PAIR
    if ((st = get_ints(d, "nbins", &g.nbins, 1)) != HK_OK)
        return st;
    int deriv = 1, normtype = 0, nlevels = 64;
    if ((st = get_ints(d, "derivAperture", &deriv, 1)) != HK_OK)
        return st;
    double sigma, thr;
    if ((st = get_numbers(d, "winSigma", &sigma, 1, 1)) != HK_OK)
        return st;
    if ((st = get_ints(d, "histogramNormType", &normtype, 1)) != HK_OK)
        return st;
    if (normtype != 0)
        return HK_ERR_UNSUPPORTED; /* OpenCV only implements L2Hys */
    if ((st = get_numbers(d, "L2HysThreshold", &thr, 1, 1)) != HK_OK)
        return st;
    if ((st = get_ints(d, "gammaCorrection", &v1, 1)) != HK_OK)
        return st;
    g.gamma_correction = v1 != 0;
    if ((st = get_ints(d, "nlevels", &nlevels, 1)) != HK_OK)
        return st;
    g.signed_gradient = 0;
    if (find(d, "signedGradient")) {
        if ((st = get_ints(d, "signedGradient", &v1, 1)) != HK_OK)
            return st;
        g.signed_gradient = v1 != 0;
    }
    g.win_sigma = sigma;
    g.l2hys_threshold = thr;
    size_t len;
    if ((st = hk__detector_geometry(&g, lim->max_window, &len)) != HK_OK)
        return st;
    const entry *e = find(d, "SVMDetector");
    if (!e)
        return HK_ERR_UNSUPPORTED; /* a descriptor without a detector */
    /* Count first, allocate after the count passed the limits. */
    size_t count = 0;
    const char *p = e->v, *end = e->v + e->n;
    double x;
    int r;
    while ((r = next_number(&p, end, &x)) == 1) {
        if (++count > lim->max_coefficients)
            return HK_ERR_LIMIT;
    }
    if (r < 0)
        return HK_ERR_FORMAT;
    if (count != len && count != len + 1)
        return HK_ERR_FORMAT;
    float *coef = malloc(count * sizeof *coef);
    if (!coef)
        return HK_ERR_NOMEM;
    p = e->v;
    for (size_t k = 0; k < count; k++) {
        next_number(&p, end, &x);
        if (fabs(x) > 3.4e38) {
            free(coef);
            return HK_ERR_FORMAT;
        }
        coef[k] = (float)x;
    }
    return hk__detector_make(&g, deriv, normtype, nlevels, coef, count, out);
}

hk_status hk_detector_parse(const void *bytes, size_t size, const hk_detector_limits *limits,
                            hk_detector **out)
{
    if (!out || (!bytes && size))
        return HK_ERR_INVALID_ARG;
    *out = NULL;
    hk_detector_limits lim;
    if (limits)
        lim = *limits;
    else
        hk_detector_limits_default(&lim);
    if (size > lim.max_file_bytes)
        return HK_ERR_LIMIT;
    const char *s = bytes;
    size_t n = size;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    doc *d = calloc(1, sizeof *d);
    if (!d)
        return HK_ERR_NOMEM;
    hk_status st;
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == '<')
        st = parse_xml(s, n, d);
    else if (n - i >= 5 && memcmp(s + i, "%YAML", 5) == 0)
        st = parse_yaml(s + i, n - i, d);
    else
        st = n ? HK_ERR_FORMAT : HK_ERR_TRUNCATED;
    if (st == HK_OK)
        st = interpret(d, &lim, out);
    free(d);
    return st;
}

hk_status hk_detector_load(const char *path, const hk_detector_limits *limits,
                           hk_detector **out)
{
    if (!path || !out)
        return HK_ERR_INVALID_ARG;
    *out = NULL;
    hk_detector_limits lim;
    if (limits)
        lim = *limits;
    else
        hk_detector_limits_default(&lim);
    FILE *f = fopen(path, "rb");
    if (!f)
        return HK_ERR_IO;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    hk_status st = buf ? HK_OK : HK_ERR_NOMEM;
    while (st == HK_OK) {
        if (len == cap) {
            if (cap > lim.max_file_bytes) {
                st = HK_ERR_LIMIT;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                st = HK_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0) {
            if (ferror(f))
                st = HK_ERR_IO;
            break;
        }
        if (len > lim.max_file_bytes)
            st = HK_ERR_LIMIT;
    }
    fclose(f);
    if (st == HK_OK)
        st = hk_detector_parse(buf, len, &lim, out);
    free(buf);
    return st;
}

/* ------------------------------------------------------------- writing */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)k < b->cap - b->len) {
            b->len += (size_t)k;
            return;
        }
        size_t nc = b->cap * 2 + (size_t)k;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
}

hk_status hk__detector_format(const hk_detector *det, int xml, const char *name, char **text,
                              size_t *len)
{
    sbuf b = {malloc(4096), 0, 4096, 0};
    if (!b.p)
        return HK_ERR_NOMEM;
    const hk_opencv_params *g = &det->hog;
    double sigma = g->win_sigma > 0 ? g->win_sigma : (g->block_width + g->block_height) / 8.0;
    /* %.9g round-trips a float, %.17g a double; OpenCV reads both. */
    if (xml) {
        put(&b, "<?xml version=\"1.0\"?>\n<opencv_storage>\n");
        put(&b, "<%s type_id=\"opencv-object-detector-hog\">\n", name);
        put(&b, "  <winSize>\n    %d %d</winSize>\n", g->win_width, g->win_height);
        put(&b, "  <blockSize>\n    %d %d</blockSize>\n", g->block_width, g->block_height);
        put(&b, "  <blockStride>\n    %d %d</blockStride>\n", g->block_stride_x, g->block_stride_y);
        put(&b, "  <cellSize>\n    %d %d</cellSize>\n", g->cell_width, g->cell_height);
        put(&b, "  <nbins>%d</nbins>\n  <derivAperture>%d</derivAperture>\n", g->nbins,
            det->deriv_aperture);
        put(&b, "  <winSigma>%.17g</winSigma>\n  <histogramNormType>%d</histogramNormType>\n",
            sigma, det->norm_type);
        put(&b, "  <L2HysThreshold>%.17g</L2HysThreshold>\n", g->l2hys_threshold);
        put(&b, "  <gammaCorrection>%d</gammaCorrection>\n  <nlevels>%d</nlevels>\n",
            g->gamma_correction ? 1 : 0, det->nlevels);
        put(&b, "  <signedGradient>%d</signedGradient>\n  <SVMDetector>", g->signed_gradient ? 1 : 0);
        for (size_t i = 0; i < det->n_coef; i++)
            put(&b, "%s%.9g", i % 4 == 0 ? "\n    " : " ", (double)det->coef[i]);
        put(&b, "</SVMDetector></%s>\n</opencv_storage>\n", name);
    } else {
        put(&b, "%%YAML:1.0\n---\n%s: !!opencv-object-detector-hog\n", name);
        put(&b, "   winSize: [ %d, %d ]\n", g->win_width, g->win_height);
        put(&b, "   blockSize: [ %d, %d ]\n", g->block_width, g->block_height);
        put(&b, "   blockStride: [ %d, %d ]\n", g->block_stride_x, g->block_stride_y);
        put(&b, "   cellSize: [ %d, %d ]\n", g->cell_width, g->cell_height);
        put(&b, "   nbins: %d\n   derivAperture: %d\n", g->nbins, det->deriv_aperture);
        /* a double must not look like an integer in YAML: keep a '.' or 'e' */
        char sb[40], tb[40];
        snprintf(sb, sizeof sb, "%.17g", sigma);
        if (!strpbrk(sb, ".e"))
            strcat(sb, ".");
        snprintf(tb, sizeof tb, "%.17g", g->l2hys_threshold);
        if (!strpbrk(tb, ".e"))
            strcat(tb, ".");
        put(&b, "   winSigma: %s\n   histogramNormType: %d\n", sb, det->norm_type);
        put(&b, "   L2HysThreshold: %s\n", tb);
        put(&b, "   gammaCorrection: %d\n   nlevels: %d\n", g->gamma_correction ? 1 : 0,
            det->nlevels);
        put(&b, "   signedGradient: %d\n   SVMDetector: [", g->signed_gradient ? 1 : 0);
        for (size_t i = 0; i < det->n_coef; i++)
            put(&b, "%s%.9g%s", i % 4 == 0 ? "\n       " : " ", (double)det->coef[i],
                i + 1 < det->n_coef ? "," : "");
        put(&b, " ]\n");
    }
    if (b.failed) {
        free(b.p);
        return HK_ERR_NOMEM;
    }
    *text = b.p;
    *len = b.len;
    return HK_OK;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    if (a < b)
        return 0;
    for (size_t i = 0; i < b; i++)
        if (tolower((unsigned char)s[a - b + i]) != suf[i])
            return 0;
    return 1;
}

hk_status hk_detector_save(const hk_detector *det, const char *path)
{
    if (!det || !path || !*path)
        return HK_ERR_INVALID_ARG;
    int xml = ends_with(path, ".xml");
    /* The object's name, as FileStorage::getDefaultObjectName makes it: the
     * file's base name without extension, non-identifier characters as '_'. */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[64];
    size_t k = 0;
    if (isdigit((unsigned char)base[0]) || base[0] == '.' || !base[0])
        name[k++] = '_';
    for (size_t i = 0; base[i] && base[i] != '.' && k + 1 < sizeof name; i++)
        name[k++] = (isalnum((unsigned char)base[i]) || base[i] == '_') ? base[i] : '_';
    if (k == 0)
        name[k++] = '_';
    name[k] = 0;
    char *text;
    size_t len;
    hk_status st = hk__detector_format(det, xml, name, &text, &len);
    if (st != HK_OK)
        return st;
    const void *chunks[1] = {text};
    size_t sizes[1] = {len};
    st = hk_atomic_write(path, chunks, sizes, 1);
    free(text);
    return st;
}

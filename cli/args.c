/* Option parsing helpers for the CLI. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hogkit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int parse_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end)
        return 0;
    *out = v;
    return 1;
}

int cli_parse_int(const char *opt, const char *text, long lo, long hi, long *out)
{
    long v;
    if (!parse_long(text, &v) || v < lo || v > hi) {
        cli_error("%s: expected an integer in %ld..%ld, got '%s'", opt, lo, hi, text);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_parse_u64(const char *opt, const char *text, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v == 0) {
        cli_error("%s: expected a positive integer, got '%s'", opt, text);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_parse_pair(const char *opt, const char *text, long lo, long hi, long out[2])
{
    char buf[64];
    const char *comma = strchr(text, ',');
    size_t n = comma ? (size_t)(comma - text) : 0;
    if (!comma || n == 0 || n >= sizeof(buf) || strchr(comma + 1, ',')) {
        cli_error("%s: expected two integers as R,C, got '%s'", opt, text);
        return 0;
    }
    memcpy(buf, text, n);
    buf[n] = 0;
    long a, b;
    if (!parse_long(buf, &a) || !parse_long(comma + 1, &b) || a < lo || a > hi || b < lo ||
        b > hi) {
        cli_error("%s: expected two integers in %ld..%ld as R,C, got '%s'", opt, lo, hi, text);
        return 0;
    }
    out[0] = a;
    out[1] = b;
    return 1;
}

int cli_is_option(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == 0 || arg[n] == '=');
}

const char *cli_option_value(int argc, char **argv, int *i, const char *name)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (arg[n] == '=')
        return arg + n + 1;
    if (*i + 1 >= argc) {
        cli_error("%s needs a value", name);
        return NULL;
    }
    return argv[++*i];
}

int cli_output_in_dir(const char *dir, const char *in, char *out, size_t cap)
{
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    int w = snprintf(out, cap, "%s/%.*s.npy", dir, (int)len, base);
    return w > 0 && (size_t)w < cap;
}

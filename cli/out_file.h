/* CLI output helpers: atomic file writes and a text buffer. */
#ifndef HK_CLI_OUT_FILE_H
#define HK_CLI_OUT_FILE_H

#include <stddef.h>

/* Writes data to path whole or not at all; returns 0 on failure. */
int cli_write_atomic(const char *path, const void *data, size_t len);

typedef struct text_buf {
    char *p;
    size_t len, cap;
    int failed;
} text_buf;

void tb_printf(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes and escapes). */
void tb_json_string(text_buf *b, const char *s);

#endif

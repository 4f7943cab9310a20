/* Whole-or-nothing file writes: temp file + fsync + rename. */
#include "common/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h> /* rename */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/checked.h"

/* write() may write less than asked or be interrupted; loop until done. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t step = n > (size_t)1 << 30 ? (size_t)1 << 30 : n;
        ssize_t w = write(fd, p, step);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return 0;
        }
        p += (size_t)w;
        n -= (size_t)w;
    }
    return 1;
}

/* Flushes the folder entry so the rename itself survives a crash. Failure
 * here is not reported: the data is complete and in place either way. */
static void sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd;

    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return;
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        (void)close(fd);
    }
    free(dir);
}

hk_status hk_atomic_write(const char *path, const void *const *chunks,
                          const size_t *sizes, int n)
{
    static const char suffix[] = ".tmp.XXXXXX";
    size_t len, cap;
    char *tmp;
    int fd, ok;

    if (!path || !*path || n < 0 || (n > 0 && (!chunks || !sizes)))
        return HK_ERR_INVALID_ARG;
    for (int i = 0; i < n; i++)
        if (!chunks[i] && sizes[i] > 0)
            return HK_ERR_INVALID_ARG;

    /* "<path>.tmp.XXXXXX" lies in the same folder as path by construction. */
    len = strlen(path);
    if (!hk_add_size(len, sizeof suffix, &cap))
        return HK_ERR_OVERFLOW;
    tmp = malloc(cap);
    if (!tmp)
        return HK_ERR_NOMEM;
    memcpy(tmp, path, len);
    memcpy(tmp + len, suffix, sizeof suffix);

    fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return HK_ERR_IO;
    }
    /* mkstemp creates 0600; a result file should be readable like one made
     * by open(O_CREAT, 0666) under the usual umask 022. */
    ok = fchmod(fd, 0644) == 0;
    for (int i = 0; ok && i < n; i++)
        ok = write_all(fd, chunks[i], sizes[i]);
    ok = ok && fsync(fd) == 0;
    ok = (close(fd) == 0) && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        (void)unlink(tmp);
        free(tmp);
        return HK_ERR_IO;
    }
    free(tmp);
    sync_parent(path);
    return HK_OK;
}

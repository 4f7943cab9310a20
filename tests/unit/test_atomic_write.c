/* Whole-or-nothing output (src/common/atomic_file.c, hk_npy_write_f32):
 *  - a write that fails part-way (file size limit reached: what a full disk
 *    looks like to write()) returns HK_ERR_IO, leaves no file under the final
 *    name, no temporary file, and an existing file untouched;
 *  - a process killed part-way through the write (SIGXFSZ's default action
 *    terminates it at the exact byte where the limit is hit: deterministic,
 *    no timing) leaves no file under the final name and the old one intact;
 *  - an output in a folder that does not exist, or that is a folder itself,
 *    gives HK_ERR_IO and creates nothing.
 * RLIMIT_FSIZE applies to root too, so this runs the same under any user. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "common/atomic_file.h"
#include "hogkit.h"

static char dir[] = "/tmp/hk_atomic_XXXXXX";

static const char *in_dir(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Number of entries in the test folder (to see leftover temporaries). */
static int count_entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static long file_size(const char *path)
{
    struct stat s;
    return stat(path, &s) == 0 ? (long)s.st_size : -1;
}

static int file_equals(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char *buf = malloc(n + 1);
    size_t got = buf ? fread(buf, 1, n + 1, f) : 0;
    fclose(f);
    int eq = buf && got == n && memcmp(buf, data, n) == 0;
    free(buf);
    return eq;
}

/* Runs hk_npy_write_f32 of `count` floats to `path` in a child whose file
 * size limit is `limit` bytes. kill_on_limit: SIGXFSZ keeps its default
 * action (the child dies in the middle of write()); otherwise it is ignored
 * and write() fails with EFBIG. Returns the child's wait status. */
static int write_limited(const char *path, size_t count, rlim_t limit, int kill_on_limit)
{
    pid_t pid = fork();
    if (pid == 0) {
        float *a = calloc(count, sizeof(float));
        size_t shape[1] = {count};
        struct rlimit rl = {limit, limit};
        signal(SIGXFSZ, kill_on_limit ? SIG_DFL : SIG_IGN);
        if (!a || setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(100);
        hk_status st = hk_npy_write_f32(path, a, shape, 1);
        _exit(st == HK_OK ? 0 : st == HK_ERR_IO ? 1 : 2);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

static void test_full_disk(void)
{
    const char *out = in_dir("full.npy");
    int status = write_limited(out, 100000, 4096, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1); /* HK_ERR_IO */
    CHECK(file_size(out) == -1);
    CHECK(count_entries() == 0); /* the temporary was removed */

    /* An existing result survives a failed overwrite untouched. */
    static const char old[] = "previous result";
    const void *chunks[1] = {old};
    size_t sizes[1] = {sizeof old};
    CHECK(hk_atomic_write(out, chunks, sizes, 1) == HK_OK);
    status = write_limited(out, 100000, 4096, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    CHECK(file_equals(out, old, sizeof old));
    CHECK(count_entries() == 1);
    unlink(out);

    /* The same write within the limit succeeds: the limit was the cause. */
    status = write_limited(out, 100, 4096, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(file_size(out) > 400);
    unlink(out);
}

static void test_killed_mid_write(void)
{
    const char *out = in_dir("killed.npy");
    int status = write_limited(out, 1000000, 65536, 1);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ);
    CHECK(file_size(out) == -1); /* never a partial file under the final name */

    static const char old[] = "old";
    const void *chunks[1] = {old};
    size_t sizes[1] = {sizeof old};
    CHECK(hk_atomic_write(out, chunks, sizes, 1) == HK_OK);
    status = write_limited(out, 1000000, 65536, 1);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ);
    CHECK(file_equals(out, old, sizeof old));

    /* What a killed writer can leave is its own "<name>.tmp.XXXXXX", never
     * a file a reader would take for a result. Remove them for the next test. */
    DIR *d = opendir(dir);
    struct dirent *e;
    int temps = 0;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "killed.npy.tmp.", 15) == 0) {
            temps++;
            unlink(in_dir(e->d_name));
        }
    }
    if (d)
        closedir(d);
    CHECK(temps == 2);
    unlink(out);
}

static void test_bad_places(void)
{
    float a[4] = {1, 2, 3, 4};
    size_t shape[1] = {4};
    CHECK(hk_npy_write_f32(in_dir("no/such/folder/x.npy"), a, shape, 1) == HK_ERR_IO);
    CHECK(mkdir(in_dir("sub"), 0777) == 0);
    CHECK(hk_npy_write_f32(in_dir("sub"), a, shape, 1) == HK_ERR_IO); /* a folder */
    CHECK(count_entries() == 1);
    DIR *d = opendir(in_dir("sub"));
    CHECK(d && readdir(d) && readdir(d) && !readdir(d)); /* still empty: . and .. */
    if (d)
        closedir(d);
    rmdir(in_dir("sub"));
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_full_disk();
    test_killed_mid_write();
    test_bad_places();
    rmdir(dir);
    return check_report("test_atomic_write");
}

/* `hogkit dataset`: HOG of a whole dataset on a Dask cluster. The work lives
 * in the Python package (hogkit.dask, over the same C library); this command
 * runs `python3 -m hogkit.dataset` with the package of this build or install
 * on its path, passing every argument through. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Folder of this executable (from /proc/self/exe), or "" when unknown. */
static void exe_dir(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    out[n > 0 ? n : 0] = 0;
    char *slash = strrchr(out, '/');
    if (slash)
        *slash = 0;
    else
        out[0] = 0;
}

/* The build tree keeps the package in <build>/python/hogkit next to the CLI;
 * an install puts it in the interpreter's dist-packages, found without help. */
static void add_build_package_to_path(void)
{
    char dir[PATH_MAX], pkg[PATH_MAX + 32];
    struct stat st;
    exe_dir(dir, sizeof(dir));
    if (!dir[0] || snprintf(pkg, sizeof(pkg), "%s/python/hogkit", dir) >= (int)sizeof(pkg) ||
        stat(pkg, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    pkg[strlen(pkg) - strlen("/hogkit")] = 0;
    const char *old = getenv("PYTHONPATH");
    size_t len = strlen(pkg) + (old ? strlen(old) + 1 : 0) + 1;
    char *path = malloc(len);
    if (!path)
        return;
    snprintf(path, len, "%s%s%s", pkg, old ? ":" : "", old ? old : "");
    setenv("PYTHONPATH", path, 1);
    free(path);
}

int cmd_dataset(int argc, char **argv)
{
    const char *python = getenv("HK_PYTHON");
    if (!python || !*python)
        python = "/usr/bin/python3";
    char **args = calloc((size_t)argc + 3, sizeof(*args));
    if (!args) {
        cli_error("dataset: %s", hk_strerror(HK_ERR_NOMEM));
        return HK_EXIT_DATA;
    }
    args[0] = (char *)python;
    args[1] = "-m";
    args[2] = "hogkit.dataset";
    for (int i = 1; i < argc; i++)
        args[i + 2] = argv[i];
    add_build_package_to_path();
    execv(python, args);
    cli_error("dataset: cannot run %s: %s (the dataset command needs Python 3 with "
              "hogkit, dask, distributed and zarr)", python, strerror(errno));
    free(args);
    return HK_EXIT_DATA;
}

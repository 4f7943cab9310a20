/* The command line shared by `hogkit train`, `predict` and `study`: -o,
 * -q, up to two named value options, the dataset and search options, and
 * positional arguments, with one set of error messages. */
#include <string.h>

#include "cli.h"
#include "recog.h"

void recog_args_init(recog_args *a, const char *cmd, int max_pos, const char *pos_hint)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->max_pos = max_pos;
    a->pos_hint = pos_hint;
    recog_data_opts_default(&a->data);
    recog_fit_opts_default(&a->fit);
    a->fit.verbose = 1;
}

/* The value option argv[*i] names, or -1. */
static int named_option(const recog_args *a, const char *arg)
{
    for (int k = 0; k < RECOG_ARGS_NAMED; k++)
        if (a->named[k] && cli_is_option(arg, a->named[k]))
            return k;
    return -1;
}

int recog_parse_args(int argc, char **argv, recog_args *a, void (*usage)(void), int *exit_code)
{
    *exit_code = HK_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int r, k;
        if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            usage();
            *exit_code = HK_EXIT_OK;
            return 1;
        } else if (strcmp(s, "-o") == 0 || cli_is_option(s, "--output")) {
            if (!(a->output = cli_option_value(argc, argv, &i, s[1] == 'o' ? "-o" : "--output")))
                return 1;
        } else if ((k = named_option(a, s)) >= 0) {
            if (!(a->value[k] = cli_option_value(argc, argv, &i, a->named[k])))
                return 1;
        } else if (a->fit_opts && (strcmp(s, "-q") == 0 || strcmp(s, "--quiet") == 0)) {
            a->fit.verbose = 0;
        } else if ((r = recog_parse_data_opt(argc, argv, &i, &a->data)) != 0 ||
                   (a->fit_opts && (r = recog_parse_fit_opt(argc, argv, &i, &a->fit)) != 0)) {
            if (r < 0)
                return 1;
        } else if (s[0] == '-' && s[1]) {
            cli_error("%s: unknown option '%s' (see hogkit %s --help)", a->cmd, s, a->cmd);
            return 1;
        } else if (a->n_pos < a->max_pos) {
            a->pos[a->n_pos++] = s;
        } else {
            cli_error("%s: %s, got '%s' too", a->cmd, a->pos_hint, s);
            return 1;
        }
    }
    return 0;
}

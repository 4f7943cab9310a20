/* Shared helpers of the hogkit command-line tool (a client of the public API). */
#ifndef HK_CLI_H
#define HK_CLI_H

#include <stddef.h>

#include "hogkit.h"

/* Exit codes, the same for every subcommand. */
enum { HK_EXIT_OK = 0, HK_EXIT_DATA = 1, HK_EXIT_USAGE = 2 };

/* Prints "hogkit: <message>" to stderr (printf-style). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Option value parsers: return 0 and print a usage error naming `opt` when
 * the text is not a valid value in [lo, hi]. */
int cli_parse_int(const char *opt, const char *text, long lo, long hi, long *out);
int cli_parse_u64(const char *opt, const char *text, unsigned long long *out);
int cli_parse_pair(const char *opt, const char *text, long lo, long hi, long out[2]);

/* argv helper: the value of an option that takes one ("--x V" or "--x=V"),
 * advancing *i; NULL (after a usage error) when missing. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name);

/* True when arg is "--name" or "--name=..." */
int cli_is_option(const char *arg, const char *name);

/* rgb2gray of img into a new *buf (caller frees); 0 after printing an error. */
int cli_to_gray(const char *in, const hk_image *img, void **buf, hk_image *out);

/* Output path for input `in` inside folder `dir`: dir/<basename without extension>.npy */
int cli_output_in_dir(const char *dir, const char *in, char *out, size_t cap);

int cmd_hog(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_detect(int argc, char **argv);
int cmd_train_detector(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_study(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_data(int argc, char **argv);

/* `hogkit hog` argument parsing alone, touching no file: the exit status
 * cmd_hog would give before reading any input (HK_EXIT_OK after --help,
 * HK_EXIT_USAGE after a usage error), or -1 when it would go on to run, with
 * the parsed, checked parameters and limits filled in. */
int cmd_hog_parse(int argc, char **argv, hk_hog_params *params, hk_limits *limits);
/* --simd value: auto, scalar, avx2 or avx512 (usage error otherwise). */
int cli_parse_simd(const char *text, hk_simd *simd);

/* `hogkit hog --batch STACK -o OUT`: every image of STACK into one N x D
 * float32 .npy, written atomically. Returns an exit code. */
int cli_hog_batch(const hk_hog_params *params, const hk_limits *limits, const char *stack,
                  const char *output, int verbose);
int cmd_dataset(int argc, char **argv);

#endif

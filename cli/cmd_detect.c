/* `hogkit detect`: cv::HOGDescriptor::detectMultiScale on image files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "draw_png.h"
#include "out_file.h"

static void print_usage(void)
{
    fputs("usage: hogkit detect IMAGE... --model FILE -o boxes.json [options]\n"
          "\n"
          "Finds objects with a linear HOG detector saved by cv2.HOGDescriptor.save (XML or\n"
          "YAML), exactly as cv2.HOGDescriptor.detectMultiScale does, and writes a JSON list\n"
          "with one {\"image\": PATH, \"boxes\": [{\"x\",\"y\",\"w\",\"h\",\"score\"}...]} per IMAGE,\n"
          "in input order (boxes by score, highest first).\n"
          "\n"
          "options:\n"
          "  --model FILE            detector file (required). OpenCV's default people\n"
          "                          detector: python3 -c \"import cv2; h=cv2.HOGDescriptor();\n"
          "                          h.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector());\n"
          "                          h.save('people.yml')\"\n"
          "  -o, --output FILE       JSON output (required)\n"
          "  --scale S               pyramid scale step (1.05)\n"
          "  --win-stride X,Y        window stride (default: the block stride, 8,8)\n"
          "  --padding X,Y           padding (0,0)\n"
          "  --hit-threshold T       SVM score threshold (0)\n"
          "  --group-threshold G     groupRectangles threshold / mean-shift weight (2)\n"
          "  --group MODE            opencv (default) | meanshift | nms | none\n"
          "  --nms-iou V             overlap for --group nms (0.5)\n"
          "  --eps E                 groupRectangles eps (0.2)\n"
          "  --nlevels N             most pyramid levels (default: the model's, 64)\n"
          "  --threads N             threads (0 = all cores; results do not depend on it)\n"
          "  --draw DIR              also write DIR/NAME.png with the boxes drawn\n"
          "  -h, --help              show this help\n"
          "\n"
          "Exit status: 0 success, 1 some input failed (named on stderr; the JSON is then\n"
          "not written), 2 usage error.\n",
          stdout);
}

static int parse_double(const char *opt, const char *text, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= lo && v <= hi)) {
        cli_error("%s: expected a number in %g..%g, got '%s'", opt, lo, hi, text);
        return 0;
    }
    *out = v;
    return 1;
}

static int draw_path(const char *dir, const char *in, char *out, size_t cap)
{
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    int w = snprintf(out, cap, "%s/%.*s.png", dir, (int)len, base);
    return w > 0 && (size_t)w < cap;
}

int cmd_detect(int argc, char **argv)
{
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    const char *model = NULL, *output = NULL, *draw = NULL;
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    int n_in = 0;
    if (!inputs)
        return HK_EXIT_DATA;
    long pair[2], l;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
#define VAL(name) \
    if (!(v = cli_option_value(argc, argv, &i, name))) \
        goto usage;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_usage();
            free(inputs);
            return HK_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 || cli_is_option(a, "--output")) {
            VAL(a[1] == 'o' ? "-o" : "--output")
            output = v;
        } else if (cli_is_option(a, "--model")) {
            VAL("--model")
            model = v;
        } else if (cli_is_option(a, "--draw")) {
            VAL("--draw")
            draw = v;
        } else if (cli_is_option(a, "--scale")) {
            VAL("--scale")
            if (!parse_double("--scale", v, 0, 100, &dp.scale))
                goto usage;
        } else if (cli_is_option(a, "--hit-threshold")) {
            VAL("--hit-threshold")
            if (!parse_double("--hit-threshold", v, -1e30, 1e30, &dp.hit_threshold))
                goto usage;
        } else if (cli_is_option(a, "--group-threshold")) {
            VAL("--group-threshold")
            if (!parse_double("--group-threshold", v, -1e6, 1e6, &dp.group_threshold))
                goto usage;
        } else if (cli_is_option(a, "--eps")) {
            VAL("--eps")
            if (!parse_double("--eps", v, 0, 100, &dp.eps))
                goto usage;
        } else if (cli_is_option(a, "--nms-iou")) {
            VAL("--nms-iou")
            if (!parse_double("--nms-iou", v, 0, 1, &dp.nms_iou))
                goto usage;
        } else if (cli_is_option(a, "--win-stride")) {
            VAL("--win-stride")
            if (!cli_parse_pair("--win-stride", v, 1, 4096, pair))
                goto usage;
            dp.win_stride_x = (int)pair[0];
            dp.win_stride_y = (int)pair[1];
        } else if (cli_is_option(a, "--padding")) {
            VAL("--padding")
            if (!cli_parse_pair("--padding", v, 0, 4096, pair))
                goto usage;
            dp.pad_x = (int)pair[0];
            dp.pad_y = (int)pair[1];
        } else if (cli_is_option(a, "--nlevels")) {
            VAL("--nlevels")
            if (!cli_parse_int("--nlevels", v, 1, 4096, &l))
                goto usage;
            dp.nlevels = (int)l;
        } else if (cli_is_option(a, "--threads")) {
            VAL("--threads")
            if (!cli_parse_int("--threads", v, 0, 256, &l))
                goto usage;
            dp.threads = (int)l;
        } else if (cli_is_option(a, "--group")) {
            VAL("--group")
            if (strcmp(v, "opencv") == 0)
                dp.grouping = HK_GROUP_OPENCV;
            else if (strcmp(v, "meanshift") == 0)
                dp.grouping = HK_GROUP_MEANSHIFT;
            else if (strcmp(v, "nms") == 0)
                dp.grouping = HK_GROUP_NMS;
            else if (strcmp(v, "none") == 0)
                dp.grouping = HK_GROUP_NONE;
            else {
                cli_error("--group: expected opencv, meanshift, nms or none, got '%s'", v);
                goto usage;
            }
        } else if (a[0] == '-' && a[1]) {
            cli_error("detect: unknown option '%s' (see hogkit detect --help)", a);
            goto usage;
        } else {
            inputs[n_in++] = a;
        }
#undef VAL
    }
    if (!n_in || !model || !output) {
        cli_error("detect: %s (see hogkit detect --help)",
                  !n_in ? "no input images" : !model ? "missing --model FILE" : "missing -o FILE");
        goto usage;
    }

    hk_detector *det = NULL;
    hk_status st = hk_detector_load(model, NULL, &det);
    if (st != HK_OK) {
        cli_error("%s: %s", model, hk_strerror(st));
        free(inputs);
        return HK_EXIT_DATA;
    }
    if (draw && mkdir(draw, 0755) != 0 && errno != EEXIST) {
        cli_error("%s: cannot create folder", draw);
        hk_detector_free(det);
        free(inputs);
        return HK_EXIT_DATA;
    }
    text_buf js = {0};
    tb_printf(&js, "[");
    int failed = 0;
    size_t cap = 1024;
    hk_box *boxes = malloc(cap * sizeof *boxes);
    for (int k = 0; k < n_in && boxes; k++) {
        hk_image im;
        st = hk_image_load(inputs[k], NULL, &im);
        if (st != HK_OK) {
            cli_error("%s: %s", inputs[k], hk_strerror(st));
            failed = 1;
            continue;
        }
        size_t n = 0;
        st = hk_detector_detect(det, &dp, &im, boxes, cap, &n);
        if (st == HK_ERR_BUFFER_TOO_SMALL) {
            hk_box *nb = realloc(boxes, n * sizeof *nb);
            if (nb) {
                boxes = nb;
                cap = n;
                st = hk_detector_detect(det, &dp, &im, boxes, cap, &n);
            } else {
                st = HK_ERR_NOMEM;
            }
        }
        if (st != HK_OK) {
            cli_error("%s: %s", inputs[k], hk_strerror(st));
            failed = 1;
            hk_image_free(&im);
            continue;
        }
        tb_printf(&js, "%s\n  {\"image\": ", k ? "," : "");
        tb_json_string(&js, inputs[k]);
        tb_printf(&js, ", \"boxes\": [");
        for (size_t i = 0; i < n; i++)
            tb_printf(&js, "%s{\"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"score\": %.17g}",
                      i ? ", " : "", boxes[i].x, boxes[i].y, boxes[i].w, boxes[i].h,
                      boxes[i].score);
        tb_printf(&js, "]}");
        if (draw) {
            char path[4096];
            if (!draw_path(draw, inputs[k], path, sizeof path) ||
                !cli_draw_boxes_png(&im, boxes, n, path)) {
                cli_error("%s: cannot write the drawing", inputs[k]);
                failed = 1;
            }
        }
        hk_image_free(&im);
    }
    tb_printf(&js, "\n]\n");
    if (!boxes || js.failed) {
        cli_error("out of memory");
        failed = 1;
    }
    if (!failed && !cli_write_atomic(output, js.p, js.len)) {
        cli_error("%s: cannot write", output);
        failed = 1;
    }
    free(js.p);
    free(boxes);
    hk_detector_free(det);
    free(inputs);
    return failed ? HK_EXIT_DATA : HK_EXIT_OK;
usage:
    free(inputs);
    return HK_EXIT_USAGE;
}

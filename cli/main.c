/* hogkit: command-line entry point; each subcommand lives in cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: hogkit COMMAND [options]\n"
    "\n"
    "Histograms of Oriented Gradients that match the reference libraries exactly.\n"
    "\n"
    "commands:\n"
    "  hog        HOG of image files into .npy (scikit-image 0.19.3 variant)\n"
    "  render     the HOG picture of an image as a PNG (skimage hog_image, VLFeat glyphs)\n"
    "  detect     find objects with an OpenCV HOG detector (detectMultiScale)\n"
    "  train-detector  train a linear HOG detector (OpenCV model file)\n"
    "  dataset    HOG of a whole dataset on a Dask cluster into a Zarr store\n"
    "  train      train a classifier (HOG/LBP/Gabor x SVM/KNN/trees) into a model file\n"
    "  predict    classify a dataset with a model file\n"
    "  study      compare features x learners on a train/test split, with a report\n"
    "  features   HOG, LBP or Gabor descriptors of image files into .npy\n"
    "  data       show or export a labelled dataset (IDX, class folders, digits.png)\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help (hogkit COMMAND --help for a command's options)\n"
    "  --version      print the library version\n"
    "\n"
    "Exit status: 0 success, 1 data error, 2 usage error.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return HK_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return HK_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("hogkit %s\n", hk_version_string());
        return HK_EXIT_OK;
    }
    if (strcmp(cmd, "hog") == 0)
        return cmd_hog(argc - 1, argv + 1);
    if (strcmp(cmd, "render") == 0)
        return cmd_render(argc - 1, argv + 1);
    if (strcmp(cmd, "detect") == 0)
        return cmd_detect(argc - 1, argv + 1);
    if (strcmp(cmd, "train-detector") == 0)
        return cmd_train_detector(argc - 1, argv + 1);
    if (strcmp(cmd, "train") == 0)
        return cmd_train(argc - 1, argv + 1);
    if (strcmp(cmd, "predict") == 0)
        return cmd_predict(argc - 1, argv + 1);
    if (strcmp(cmd, "study") == 0)
        return cmd_study(argc - 1, argv + 1);
    if (strcmp(cmd, "features") == 0)
        return cmd_features(argc - 1, argv + 1);
    if (strcmp(cmd, "data") == 0)
        return cmd_data(argc - 1, argv + 1);
    if (strcmp(cmd, "dataset") == 0)
        return cmd_dataset(argc - 1, argv + 1);
    cli_error("unknown command '%s' (see hogkit --help)", cmd);
    return HK_EXIT_USAGE;
}

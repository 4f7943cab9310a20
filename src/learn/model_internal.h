/* The model object shared by learner.c (train, predict) and model_file.c. */
#ifndef HK_LEARN_MODEL_INTERNAL_H
#define HK_LEARN_MODEL_INTERNAL_H

#include "learn/learn_internal.h"

struct hk_model {
    hk_learner_params learner;
    size_t dim;
    uint32_t n_classes;
    int scaled;          /* rows are standardised with mean / scale first */
    double *mean, *scale;
    hk__blob blob;       /* the learner's trained state */
    int has_pipeline;
    hk_feature_params features;
    uint32_t width, height;
    char **class_names;  /* n_classes, when has_pipeline */
};

hk_status hk__model_new(hk_model **out);
hk_status hk__learner_check(const hk_learner_params *p);
int hk__learner_standardizes(const hk_learner_params *p);

#endif

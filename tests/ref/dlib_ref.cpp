// Reference driver for the differential tests: runs the real dlib
// extract_fhog_features (header-only templates of libdlib-dev) on an image
// read from a raw interleaved file.
//   dlib_ref u8|u16|f32|f64|rgb CELL PAD_ROWS PAD_COLS W H IN.raw OUT.f32
// writes the 31 planes (rows x cols each, row-major) and prints "31 ROWS COLS".
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <dlib/array.h>
#include <dlib/array2d.h>
#include <dlib/image_transforms/fhog.h>
#include <dlib/pixel.h>

template <typename P>
static int run(const char *in, const char *out, long w, long h, int cell, int pr, int pc)
{
    dlib::array2d<P> img(h, w);
    std::FILE *f = std::fopen(in, "rb");
    for (long r = 0; r < h; r++)
        for (long c = 0; c < w; c++)
            if (!f || std::fread(&img[r][c], sizeof(P), 1, f) != 1)
                return 1;
    std::fclose(f);
    dlib::array<dlib::array2d<float>> hog;
    dlib::extract_fhog_features(img, hog, cell, pr, pc);
    f = std::fopen(out, "wb");
    if (!f)
        return 1;
    for (unsigned long d = 0; d < hog.size(); d++)
        for (long r = 0; r < hog[d].nr(); r++)
            for (long c = 0; c < hog[d].nc(); c++)
                std::fwrite(&hog[d][r][c], sizeof(float), 1, f);
    std::fclose(f);
    std::printf("%lu %ld %ld\n", (unsigned long)hog.size(), hog[0].nr(), hog[0].nc());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        std::fprintf(stderr, "usage: dlib_ref u8|u16|f32|f64|rgb CELL PR PC W H IN OUT\n");
        return 2;
    }
    int cell = std::atoi(argv[2]), pr = std::atoi(argv[3]), pc = std::atoi(argv[4]);
    long w = std::atol(argv[5]), h = std::atol(argv[6]);
    const char *t = argv[1];
    if (!std::strcmp(t, "u8"))
        return run<unsigned char>(argv[7], argv[8], w, h, cell, pr, pc);
    if (!std::strcmp(t, "u16"))
        return run<unsigned short>(argv[7], argv[8], w, h, cell, pr, pc);
    if (!std::strcmp(t, "f32"))
        return run<float>(argv[7], argv[8], w, h, cell, pr, pc);
    if (!std::strcmp(t, "f64"))
        return run<double>(argv[7], argv[8], w, h, cell, pr, pc);
    if (!std::strcmp(t, "rgb"))
        return run<dlib::rgb_pixel>(argv[7], argv[8], w, h, cell, pr, pc);
    return 2;
}

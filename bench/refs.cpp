// refs: times the reference HOG implementations on the same 8-bit grey input
// as bench_hog, for bench/run_bench.py. Built by the driver with
//   g++ -O3 -march=native refs.cpp $(pkg-config --cflags --libs opencv4) -lvl
// (dlib's fhog is header-only: -O3 -march=native is how dlib is meant to be
// built, and the flag is used here only, never in hogkit's own build).
//
//   refs LIB IN.raw W H N START COUNT REPS CELL OUT.f32
// LIB: opencv | vlfeat-dt | vlfeat-uoctti | dlib. IN.raw holds N images of
// W x H bytes; images START .. START+COUNT-1 are processed per repetition.
// OpenCV runs one window covering the image (blocks of 2x2 cells, stride one
// cell, 9 bins), VLFeat and dlib their defaults at cell size CELL.
// Every image's descriptor is left in row k of one COUNT x D matrix, the job
// hogkit's batch API does (VLFeat extracts straight into the row; OpenCV and
// dlib fill their own containers, copied into the row as a caller must).
// Prints {"seconds": best wall, "median": ..., "cpu": best CPU time}; writes
// image START's descriptor.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <dlib/array2d.h>
#include <dlib/image_transforms/fhog.h>
#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>
extern "C" {
#include <vl/hog.h>
}

static double now()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// CPU time of this (single-threaded) process: on a shared, overloaded machine
// it counts only the time the work actually ran.
static double cpu_now()
{
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 11) {
        std::fprintf(stderr, "usage: refs LIB IN.raw W H N START COUNT REPS CELL OUT.f32\n");
        return 2;
    }
    std::string lib = argv[1];
    // One thread, and no idle OpenCV pool threads: their spinning counted in
    // this process's CPU time (up to twice the wall time of the timed call),
    // which overstated every reference's time.
    cv::setNumThreads(0);
    int w = std::atoi(argv[3]), h = std::atoi(argv[4]);
    long n = std::atol(argv[5]), start = std::atol(argv[6]), count = std::atol(argv[7]);
    int reps = std::atoi(argv[8]), cell = std::atoi(argv[9]);
    size_t px = (size_t)w * h;
    std::vector<unsigned char> data(px * n);
    FILE *f = std::fopen(argv[2], "rb");
    if (!f || std::fread(data.data(), 1, data.size(), f) != data.size()) {
        std::fprintf(stderr, "refs: cannot read %s\n", argv[2]);
        return 1;
    }
    std::fclose(f);

    std::vector<float> first;
    std::vector<double> times, cpu_times;
    // per-library state reused across images, as a caller would
    int ww = w / cell * cell, wh = h / cell * cell;
    cv::HOGDescriptor cvhog(cv::Size(ww, wh), cv::Size(2 * cell, 2 * cell), cv::Size(cell, cell),
                            cv::Size(cell, cell), 9);
    std::vector<float> cvout;
    VlHog *vl = vl_hog_new(lib == "vlfeat-uoctti" ? VlHogVariantUoctti : VlHogVariantDalalTriggs,
                           9, VL_FALSE);
    std::vector<float> fimg; // VLFeat takes float pixels: converted before timing
    if (lib.rfind("vlfeat", 0) == 0) {
        fimg.resize(px * count);
        for (size_t i = 0; i < px * count; i++)
            fimg[i] = data[px * start + i];
    }
    dlib::array2d<unsigned char> dimg;
    std::vector<dlib::array2d<unsigned char>> dimgs(count);
    if (lib == "dlib")
        for (long k = 0; k < count; k++) {
            dimgs[k].set_size(h, w);
            std::memcpy(&dimgs[k][0][0], &data[px * (start + k)], px);
        }
    dlib::array2d<dlib::matrix<float, 31, 1>> dout;
    std::vector<float> matrix; // COUNT x dim, sized by the first image
    size_t dim = 0;
    auto row = [&](size_t d, long k) {
        if (dim == 0) {
            dim = d;
            matrix.resize(dim * count);
        }
        return &matrix[dim * k];
    };
    std::vector<cv::Mat> mats;
    for (long k = 0; k < count; k++)
        mats.emplace_back(h, w, CV_8UC1, &data[px * (start + k)]);

    for (int r = 0; r <= reps; r++) { // round 0 warms up
        double t0 = now(), c0 = cpu_now();
        for (long k = 0; k < count; k++) {
            if (lib == "opencv") {
                cvhog.compute(mats[k], cvout);
                std::copy(cvout.begin(), cvout.end(), row(cvout.size(), k));
                if (k == 0 && r == 0)
                    first = cvout;
            } else if (lib == "dlib") {
                dlib::extract_fhog_features(dimgs[k], dout, cell);
                float *o = row((size_t)dout.size() * 31, k);
                for (long y = 0; y < dout.nr(); y++)
                    for (long x = 0; x < dout.nc(); x++, o += 31)
                        std::memcpy(o, &dout[y][x](0), 31 * sizeof(float));
                if (k == 0 && r == 0) // planes (31, rows, cols), as hogkit lays them out
                    for (int d = 0; d < 31; d++)
                        for (long y = 0; y < dout.nr(); y++)
                            for (long x = 0; x < dout.nc(); x++)
                                first.push_back(dout[y][x](d));
            } else if (lib.rfind("vlfeat", 0) == 0) {
                vl_hog_put_image(vl, &fimg[px * k], w, h, 1, cell);
                size_t d = vl_hog_get_width(vl) * vl_hog_get_height(vl) *
                           vl_hog_get_dimension(vl);
                float *o = row(d, k);
                vl_hog_extract(vl, o);
                if (k == 0 && r == 0)
                    first.assign(o, o + d);
            } else {
                std::fprintf(stderr, "refs: unknown library %s\n", lib.c_str());
                return 2;
            }
        }
        if (r > 0) {
            times.push_back(now() - t0);
            cpu_times.push_back(cpu_now() - c0);
        }
    }
    vl_hog_delete(vl);
    std::sort(times.begin(), times.end());
    std::sort(cpu_times.begin(), cpu_times.end());
    FILE *o = std::fopen(argv[10], "wb");
    if (o) {
        std::fwrite(first.data(), sizeof(float), first.size(), o);
        std::fclose(o);
    }
    std::printf("{\"seconds\": %.9g, \"median\": %.9g, \"cpu\": %.9g}\n", times[0],
                times[times.size() / 2], cpu_times[0]);
    return 0;
}

// Timing driver of the matmul benchmark (bench/matmul/run.py builds and runs
// it): in one process, the machine's f32 FMA peak (the method of
// shared/perf/fma.cpp: 24 independent zmm accumulators, no memory traffic),
// OpenBLAS sgemm and the xfmr-compiled libraries given on the command line,
// for C[M, N] = A[M, K] . W[N, K]^T on one thread.
//
//   matmul_bench N K M1,M2,... NAME=LIB.so:SYMBOL [NAME=LIB.so:SYMBOL ...]
//
// SYMBOL(out, a, w) is the C entry point of the library's @f on memref
// descriptors (`f` from xfmr-compile, `_mlir_ciface_f` from mlir-translate);
// it returns a freshly allocated C that the caller frees.

#include <algorithm>
#include <cblas.h>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <functional>
#include <random>
#include <string>
#include <vector>

extern "C" char *openblas_get_corename(void);

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// 24 FMAs on zmm0..23 per iteration, sources zmm30/zmm31.
#define FMA(R) "vfmadd231ps %%zmm30, %%zmm31, %%zmm" #R "\n\t"
__attribute__((noinline)) long fmaKernel(long iters) {
  __asm__ volatile(
      "vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
      "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
      "1:\n\t" FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7) FMA(8)
          FMA(9) FMA(10) FMA(11) FMA(12) FMA(13) FMA(14) FMA(15) FMA(16) FMA(17)
              FMA(18) FMA(19) FMA(20) FMA(21) FMA(22)
                  FMA(23) "dec %0\n\tjnz 1b\n\t"
      : "+r"(iters)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16",
        "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm30",
        "xmm31", "cc");
  return iters;
}
#undef FMA

/// The best of 15 short runs, in GFLOP/s: the peak is a property of the
/// core, and the best run is the one a noisy neighbour disturbed least (the
/// kernels below are reported by their best time as well).
double peakGflops() {
  const long iters = 4000000;
  double best = 0;
  for (int rep = 0; rep < 15; ++rep) {
    auto t0 = Clock::now();
    fmaKernel(iters);
    best = std::max(best, 24.0 * 16 * 2 * iters / seconds(t0) / 1e9);
  }
  return best;
}

struct Memref2D {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
};

Memref2D view(float *data, int64_t rows, int64_t cols) {
  return {data, data, 0, {rows, cols}, {cols, 1}};
}

using Entry = void (*)(Memref2D *, Memref2D *, Memref2D *);

/// Per-call times of several implementations, measured in interleaved
/// rounds so that a noisy neighbour slows all of them alike.
struct Timer {
  std::vector<std::vector<double>> times;

  /// Runs every call once (warm-up), then rounds of each call in turn until
  /// `budget` seconds have passed (at least 5 rounds, at most 200).
  template <typename F> void run(const std::vector<F> &calls, double budget) {
    times.assign(calls.size(), {});
    for (const F &call : calls)
      call();
    auto start = Clock::now();
    for (int round = 0; round < 5 || (seconds(start) < budget && round < 200);
         ++round) {
      for (size_t i = 0; i < calls.size(); ++i) {
        auto t0 = Clock::now();
        calls[i]();
        times[i].push_back(seconds(t0));
      }
    }
  }
  double best(size_t i) const {
    return *std::min_element(times[i].begin(), times[i].end());
  }
  double median(size_t i) const {
    std::vector<double> t = times[i];
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
  }
};

std::vector<int64_t> parseList(const char *s) {
  std::vector<int64_t> out;
  for (const char *p = s; *p;) {
    out.push_back(std::strtoll(p, const_cast<char **>(&p), 10));
    if (*p == ',')
      ++p;
  }
  return out;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s N K M1,M2,... NAME=LIB.so ...\n", argv[0]);
    return 2;
  }
  int64_t n = std::atoll(argv[1]), k = std::atoll(argv[2]);
  std::vector<int64_t> ms = parseList(argv[3]);
  struct Lib {
    std::string name;
    Entry fn;
  };
  std::vector<Lib> libs;
  for (int i = 4; i < argc; ++i) {
    std::string arg = argv[i];
    size_t eq = arg.find('='), colon = arg.rfind(':');
    if (eq == std::string::npos || colon == std::string::npos || colon < eq) {
      std::fprintf(stderr, "expected NAME=LIB.so:SYMBOL, got %s\n",
                   arg.c_str());
      return 2;
    }
    std::string path = arg.substr(eq + 1, colon - eq - 1);
    std::string symbol = arg.substr(colon + 1);
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      std::fprintf(stderr, "%s\n", dlerror());
      return 1;
    }
    auto fn = reinterpret_cast<Entry>(dlsym(handle, symbol.c_str()));
    if (!fn) {
      std::fprintf(stderr, "%s: no %s\n", path.c_str(), symbol.c_str());
      return 1;
    }
    libs.push_back({arg.substr(0, eq), fn});
  }

  // The peak is measured before every row as well; the best one counts.
  double peak = peakGflops();
  std::printf("OpenBLAS core: %s\n", openblas_get_corename());
  std::printf("C[M,N] = A[M,K] . W[N,K]^T, N=%lld K=%lld, 1 thread; best "
              "(median) of interleaved rounds\n",
              (long long)n, (long long)k);

  std::mt19937 gen(0);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> w(n * k);
  for (float &v : w)
    v = dist(gen) / std::sqrt(float(k));

  struct Row {
    int64_t m;
    std::string name;
    double best, median, err;
  };
  std::vector<Row> rows;
  for (int64_t m : ms) {
    std::vector<float> a(m * k), ref(m * n);
    for (float &v : a)
      v = dist(gen);
    Memref2D av = view(a.data(), m, k), wv = view(w.data(), n, k);

    std::vector<std::function<void()>> calls;
    calls.push_back([&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f,
                  a.data(), k, w.data(), k, 0.0f, ref.data(), n);
    });
    for (const Lib &lib : libs)
      calls.push_back([&av, &wv, fn = lib.fn] {
        Memref2D o;
        fn(&o, &av, &wv);
        std::free(o.allocated);
      });
    Timer timer;
    timer.run(calls, 2.0);
    peak = std::max(peak, peakGflops());

    rows.push_back({m, "openblas", timer.best(0), timer.median(0), -1});
    for (size_t i = 0; i < libs.size(); ++i) {
      // Largest |got - ref| relative to the largest |ref|.
      Memref2D out;
      libs[i].fn(&out, &av, &wv);
      double maxErr = 0, maxRef = 0;
      for (int64_t e = 0; e < m * n; ++e) {
        float got = out.aligned[out.offset + e];
        maxErr = std::max(maxErr, (double)std::fabs(got - ref[e]));
        maxRef = std::max(maxRef, (double)std::fabs(ref[e]));
      }
      std::free(out.allocated);
      rows.push_back({m, libs[i].name, timer.best(i + 1), timer.median(i + 1),
                      maxRef > 0 ? maxErr / maxRef : maxErr});
    }
  }

  std::printf("f32 FMA peak, 1 thread: %.1f GFLOP/s\n\n", peak);
  std::printf("%-6s %-18s %18s %18s %8s %9s %12s\n", "M", "impl", "ms",
              "GFLOP/s", "%peak", "vs BLAS", "max rel err");
  double blasBest = 0;
  for (const Row &r : rows) {
    if (r.name == "openblas") {
      blasBest = r.best;
      if (&r != &rows.front())
        std::printf("\n");
    }
    double flop = 2.0 * r.m * n * k;
    double rate = flop / r.best / 1e9;
    char ms[64], rates[64];
    std::snprintf(ms, sizeof ms, "%.3f (%.3f)", r.best * 1e3, r.median * 1e3);
    std::snprintf(rates, sizeof rates, "%.1f (%.1f)", rate,
                  flop / r.median / 1e9);
    std::printf("%-6lld %-18s %18s %18s %7.1f%% %8.2fx", (long long)r.m,
                r.name.c_str(), ms, rates, 100.0 * rate / peak,
                blasBest / r.best);
    if (r.err >= 0)
      std::printf(" %12.1e", r.err);
    std::printf("\n");
  }
  return 0;
}

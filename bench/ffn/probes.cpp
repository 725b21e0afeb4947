// Machine-limit probes for the FFN benchmark, called from run.py via ctypes.
//
//   double ffn_probe_fma_gflops(int threads)
//       peak f32 FMA throughput: 24 independent AVX-512 FMA chains per thread
//       (inline asm, no memory traffic), median of 7 runs.
//   double ffn_probe_read_gbs(int threads, int streams)
//       read bandwidth over a 1 GiB buffer, each thread walking `streams`
//       concurrent streams of its half (the way a GEMV walks weight rows),
//       median of 7 runs.
//
// Threads are std::threads (no OpenMP runtime is involved).
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

using clk = std::chrono::steady_clock;

namespace {

#define FMA1(i) "vfmadd231ps %%zmm30, %%zmm31, %%zmm" #i "\n\t"
#define CLOB                                                                   \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",      \
      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16",   \
      "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm30",  \
      "xmm31", "cc"

// 24 FMAs of 16 lanes per iteration: 768 flop.
__attribute__((noinline)) long fmaKernel(long iters) {
  __asm__ volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
                   "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
                   "1:\n\t" FMA1(0) FMA1(1) FMA1(2) FMA1(3) FMA1(4) FMA1(5)
                       FMA1(6) FMA1(7) FMA1(8) FMA1(9) FMA1(10) FMA1(11)
                           FMA1(12) FMA1(13) FMA1(14) FMA1(15) FMA1(16) FMA1(17)
                               FMA1(18) FMA1(19) FMA1(20) FMA1(21) FMA1(22)
                                   FMA1(23) "dec %0\n\tjnz 1b\n\t"
                   : "+r"(iters)
                   :
                   : CLOB);
  return iters;
}

template <class F> double timeThreads(int threads, F body) {
  auto t0 = clk::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] { body(t); });
  for (auto &th : pool)
    th.join();
  return std::chrono::duration<double>(clk::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace

extern "C" double ffn_probe_fma_gflops(int threads) {
  const long iters = 20000000; // ~0.07 s per run at 221 GFLOP/s
  std::vector<double> rates;
  for (int rep = 0; rep < 7; ++rep) {
    double s = timeThreads(threads, [&](int) { fmaKernel(iters); });
    rates.push_back(768.0 * iters * threads / s / 1e9);
  }
  return median(rates);
}

extern "C" double ffn_probe_read_gbs(int threads, int streams) {
  if (streams < 1 || streams > 8 || threads < 1)
    return 0;
  const size_t n = (size_t(1) << 30) / sizeof(float);
  float *buf =
      static_cast<float *>(std::aligned_alloc(4096, n * sizeof(float)));
  if (!buf)
    return 0;
  const size_t chunk = n / threads;
  // First touch by the thread that reads the part later.
  timeThreads(threads, [&](int t) {
    std::fill(buf + t * chunk, buf + (t + 1) * chunk, 1.0f);
  });
  std::vector<double> rates;
  volatile float sink = 0;
  for (int rep = 0; rep < 7; ++rep) {
    std::vector<float> partial(threads);
    double s = timeThreads(threads, [&](int t) {
      const float *lo = buf + t * chunk;
      const size_t per = chunk / streams;
      __m512 acc[8];
      for (auto &a : acc)
        a = _mm512_setzero_ps();
      for (size_t i = 0; i + 32 <= per; i += 32)
        for (int s = 0; s < streams; ++s) {
          const float *p = lo + s * per + i;
          acc[s] = _mm512_add_ps(
              acc[s], _mm512_add_ps(_mm512_load_ps(p), _mm512_load_ps(p + 16)));
        }
      for (int j = 1; j < 8; ++j)
        acc[0] = _mm512_add_ps(acc[0], acc[j]);
      partial[t] = _mm512_reduce_add_ps(acc[0]);
    });
    for (float p : partial)
      sink = sink + p;
    rates.push_back(double(chunk) * threads * sizeof(float) / s / 1e9);
  }
  std::free(buf);
  return median(rates);
}

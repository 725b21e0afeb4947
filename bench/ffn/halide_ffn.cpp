// Halide peer of the FFN benchmark, called from run.py via ctypes: the
// pipelines of halide_gen.cpp (compiled ahead of time) behind the same small
// C interface as the other peers.
//
// ffn_halide_create packs the weights into P-wide panels once (outside the
// timed calls); ffn_halide_run picks the 32 x 8 register-tiled pipeline when
// T is a multiple of 8, else the 32 x 1 one. The thread count is the Halide
// runtime's (halide_set_num_threads).
#include "HalideBuffer.h"
#include "HalideRuntime.h"
#include "ffn_halide_t1.h"
#include "ffn_halide_t8.h"

#include <cstdlib>
#include <cstring>
#include <vector>

using Halide::Runtime::Buffer;

namespace {
const int P = 32;

struct Ffn {
  int t, d, f;
  float *wg, *wu, *wd;
};

// W [N, K] row-major -> panels p(i, k, o) = W[o*P + i][k], stored [N/P][K][P].
float *pack(const float *w, int n, int k) {
  float *p = static_cast<float *>(
      std::aligned_alloc(64, sizeof(float) * size_t(n) * k));
  for (int o = 0; o < n / P; ++o)
    for (int kk = 0; kk < k; ++kk)
      for (int i = 0; i < P; ++i)
        p[(size_t(o) * k + kk) * P + i] = w[size_t(o * P + i) * k + kk];
  return p;
}

Buffer<float> panels(float *p, int n, int k) {
  halide_dimension_t dims[3] = {{0, P, 1}, {0, k, P}, {0, n / P, k * P}};
  return Buffer<float>(p, 3, dims);
}
} // namespace

extern "C" int ffn_halide_set_threads(int n) {
  halide_set_num_threads(n);
  return halide_set_num_threads(n); // returns the previous value: n
}

extern "C" void *ffn_halide_create(int t, int d, int f, const float *wg,
                                   const float *wu, const float *wd) {
  if (d % P || f % 256) // the panel width and the F blocking of halide_gen
    return nullptr;
  return new Ffn{t, d, f, pack(wg, f, d), pack(wu, f, d), pack(wd, d, f)};
}

extern "C" int ffn_halide_run(void *handle, const float *x, float *y) {
  Ffn &p = *static_cast<Ffn *>(handle);
  halide_dimension_t xd[2] = {{0, p.d, 1}, {0, p.t, p.d}};
  // y(di, t, dO) = Y[t][dO*P + di]: a strided view of the row-major result.
  halide_dimension_t yd[3] = {{0, P, 1}, {0, p.t, p.d}, {0, p.d / P, P}};
  Buffer<float> xb(const_cast<float *>(x), 2, xd), yb(y, 3, yd);
  Buffer<float> wg = panels(p.wg, p.f, p.d), wu = panels(p.wu, p.f, p.d),
                wd = panels(p.wd, p.d, p.f);
  auto fn = p.t % 8 == 0 ? ffn_halide_t8 : ffn_halide_t1;
  return fn(xb, wg, wu, wd, yb);
}

extern "C" void ffn_halide_destroy(void *handle) {
  Ffn *p = static_cast<Ffn *>(handle);
  std::free(p->wg);
  std::free(p->wu);
  std::free(p->wd);
  delete p;
}

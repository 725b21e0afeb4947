//===- check-matmul.cpp - compiled GPU matmuls against a float64 reference ===//
//
// The test program of test/gpu/matmul.py: loads a library compiled by
// `xfmr-compile --target=cuda --emit=shared`, calls the entry points listed
// in the generated cases.inc for several token counts M, and compares
// every checked element with a float64 product of the same (rounded)
// inputs. Arguments are ordinary host memory and results malloc()
// allocations, as the library's header describes; the library's
// xfmr_cuda_take_error() reports a failed launch or a missing driver.
// Prints one line per case and exits with 1 when any is wrong.
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <vector>

template <int Rank> struct Descriptor {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

enum class Storage { F32, F16, BF16 };

/// What the entry point computes: x[M,K] * w[N,K]^T (an xfmr.linear), the
/// same plus a bias[N], or c[M,N] + a[M,K] * b[K,N] (linalg.matmul
/// accumulating into an argument).
enum class Kind { Linear, LinearBias, Accumulate };

struct Case {
  const char *name;
  Kind kind;
  Storage storage;
  int64_t n, k;
};

#include "cases.inc"

namespace {

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1f,
           mantissa = h & 0x3ff, bits;
  if (exponent == 0) {
    // Zero or subnormal: exact in float.
    float value = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -value : value;
  }
  if (exponent == 31)
    bits = sign | 0x7f800000u | (mantissa << 13);
  else
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

uint16_t floatToHalf(float f) {
  // Inputs are in [-1, 1]: normal or zero results only, round to nearest
  // even.
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint32_t sign = (bits >> 16) & 0x8000u;
  float magnitude = std::fabs(f);
  if (magnitude < 6.103515625e-05f) // below the smallest normal: flush
    return static_cast<uint16_t>(sign);
  int exponent;
  float fraction = std::frexp(magnitude, &exponent);       // [0.5, 1)
  float scaled = std::nearbyint(std::ldexp(fraction, 11)); // 1024..2048
  if (scaled >= 2048.0f) {
    scaled /= 2;
    ++exponent;
  }
  uint32_t mantissa = static_cast<uint32_t>(scaled) - 1024;
  return static_cast<uint16_t>(sign | ((exponent + 14) << 10) | mantissa);
}

float bf16ToFloat(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

uint16_t floatToBF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
  return static_cast<uint16_t>(bits >> 16);
}

size_t bytesOf(Storage s) { return s == Storage::F32 ? 4 : 2; }

/// A managed buffer of `count` values drawn from [-1, 1], and their values
/// as the kernel sees them (rounded to the storage type).
struct Tensor {
  void *data = nullptr;
  std::vector<double> values;
};

Tensor makeTensor(Storage s, int64_t count, uint64_t &seed) {
  Tensor t;
  t.data = std::malloc(count ? count * bytesOf(s) : 1);
  t.values.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    float v = static_cast<float>((seed >> 40) * (2.0 / 16777216.0) - 1.0);
    if (s == Storage::F32) {
      static_cast<float *>(t.data)[i] = v;
      t.values[i] = v;
    } else if (s == Storage::F16) {
      uint16_t h = floatToHalf(v);
      static_cast<uint16_t *>(t.data)[i] = h;
      t.values[i] = halfToFloat(h);
    } else {
      uint16_t h = floatToBF16(v);
      static_cast<uint16_t *>(t.data)[i] = h;
      t.values[i] = bf16ToFloat(h);
    }
  }
  return t;
}

double read(Storage s, const void *data, int64_t i) {
  if (s == Storage::F32)
    return static_cast<const float *>(data)[i];
  uint16_t h = static_cast<const uint16_t *>(data)[i];
  return s == Storage::F16 ? halfToFloat(h) : bf16ToFloat(h);
}

template <int Rank>
Descriptor<Rank> describe(void *data, std::initializer_list<int64_t> sizes) {
  Descriptor<Rank> d{data, data, 0, {}, {}};
  int64_t stride = 1;
  for (int i = Rank - 1; i >= 0; --i) {
    d.sizes[i] = sizes.begin()[i];
    d.strides[i] = stride;
    stride *= d.sizes[i];
  }
  return d;
}

/// Rows compared with the reference: all of them when the product is
/// small, else the first and last 70 (the first and last blocks of the
/// grid, with the M tail) and every 13th.
bool checkedRow(int64_t row, int64_t m, int64_t n, int64_t k) {
  if (m * n * k <= (int64_t{1} << 27))
    return true;
  return row < 70 || row >= m - 70 || row % 13 == 0;
}

using TakeError = const char *(*)();

bool run(const Case &c, void *entry, TakeError takeError, int64_t m,
         uint64_t seed) {
  int64_t n = c.n, k = c.k;
  Tensor x = makeTensor(c.storage, m * k, seed);
  Tensor w = makeTensor(c.storage, n * k, seed);
  Tensor extra; // the bias, or the C accumulated into
  Descriptor<2> result{};
  auto dx = describe<2>(x.data, {m, k});
  if (c.kind == Kind::Linear) {
    auto dw = describe<2>(w.data, {n, k});
    reinterpret_cast<void (*)(Descriptor<2> *, Descriptor<2> *,
                              Descriptor<2> *)>(entry)(&result, &dx, &dw);
  } else if (c.kind == Kind::LinearBias) {
    extra = makeTensor(c.storage, n, seed);
    auto dw = describe<2>(w.data, {n, k});
    auto db = describe<1>(extra.data, {n});
    reinterpret_cast<void (*)(Descriptor<2> *, Descriptor<2> *, Descriptor<2> *,
                              Descriptor<1> *)>(entry)(&result, &dx, &dw, &db);
  } else {
    extra = makeTensor(c.storage, m * n, seed);
    auto dw = describe<2>(w.data, {k, n});
    auto dc = describe<2>(extra.data, {m, n});
    reinterpret_cast<void (*)(Descriptor<2> *, Descriptor<2> *, Descriptor<2> *,
                              Descriptor<2> *)>(entry)(&result, &dx, &dw, &dc);
  }

  if (const char *error = takeError()) {
    std::printf("FAIL %s M=%lld: %s\n", c.name, (long long)m, error);
    return false;
  }

  // The output's rounding (f16 / bf16 results, possibly rounded twice
  // around the bias) plus f32 accumulation error, relative to sum |x w|.
  double outputTolerance = c.storage == Storage::F32   ? 1e-6
                           : c.storage == Storage::F16 ? 2.0 / 1024
                                                       : 2.0 / 128;
  // f16/bf16 matmuls run on tensor cores (mma.sync), whose f32 additions
  // are not IEEE round-to-nearest (PTX leaves their order and intermediate
  // precision unspecified; measured hardware truncates), so the
  // accumulation error can grow by about 2^-23 of sum |x w| per m16n8k16
  // step, K / 16 of them: 1.5e-5 at K = 4096 on top of the FMA kernel's.
  double accumulationTolerance = c.storage == Storage::F32 ? 2e-5 : 1e-4;
  double worst = 0;
  int64_t wrong = 0, firstRow = -1, firstCol = -1;
  bool shapeOk = result.sizes[0] == m && result.sizes[1] == n;
  for (int64_t i = 0; shapeOk && i < m; ++i) {
    if (!checkedRow(i, m, n, k))
      continue;
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0, magnitude = 0;
      for (int64_t l = 0; l < k; ++l) {
        double wv = c.kind == Kind::Accumulate ? w.values[l * n + j]
                                               : w.values[j * k + l];
        double p = x.values[i * k + l] * wv;
        sum += p;
        magnitude += std::fabs(p);
      }
      if (c.kind == Kind::LinearBias) {
        sum += extra.values[j];
        magnitude += std::fabs(extra.values[j]);
      } else if (c.kind == Kind::Accumulate) {
        sum += extra.values[i * n + j];
        magnitude += std::fabs(extra.values[i * n + j]);
      }
      double got =
          read(c.storage, result.aligned,
               result.offset + i * result.strides[0] + j * result.strides[1]);
      double error = std::fabs(got - sum);
      double tolerance = outputTolerance * std::fabs(sum) +
                         accumulationTolerance * magnitude + 1e-6;
      if (!(error <= tolerance)) { // NaN fails too
        if (wrong++ == 0) {
          firstRow = i;
          firstCol = j;
        }
      }
      if (error / (magnitude + 1e-30) > worst)
        worst = error / (magnitude + 1e-30);
    }
  }
  bool ok = shapeOk && wrong == 0;
  std::printf("%s %s M=%lld N=%lld K=%lld: worst |error| / sum|x w| = %.3g",
              ok ? "PASS" : "FAIL", c.name, (long long)m, (long long)n,
              (long long)k, worst);
  if (!shapeOk)
    std::printf(", result shape %lld x %lld", (long long)result.sizes[0],
                (long long)result.sizes[1]);
  if (wrong)
    std::printf(", %lld wrong, first at [%lld, %lld]", (long long)wrong,
                (long long)firstRow, (long long)firstCol);
  std::printf("\n");
  std::fflush(stdout);
  std::free(x.data);
  std::free(w.data);
  std::free(extra.data);
  std::free(result.allocated);
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s LIBRARY.so [M ...]\n", argv[0]);
    return 2;
  }
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    std::fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  auto takeError =
      reinterpret_cast<TakeError>(dlsym(library, "xfmr_cuda_take_error"));
  std::vector<int64_t> ms = {1, 7, 64, 129, 512};
  if (argc > 2) {
    ms.clear();
    for (int i = 2; i < argc; ++i)
      ms.push_back(std::atoll(argv[i]));
  }
  int failures = 0, total = 0;
  uint64_t seed = 1;
  for (const Case &c : kCases) {
    void *entry = dlsym(library, c.name);
    if (!entry || !takeError) {
      std::fprintf(stderr, "%s: no entry point %s\n", argv[1], c.name);
      return 2;
    }
    for (int64_t m : ms) {
      ++total;
      if (!run(c, entry, takeError, m, seed++))
        ++failures;
    }
  }
  std::printf("%d of %d cases wrong\n", failures, total);
  return failures ? 1 : 0;
}

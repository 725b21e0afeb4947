/* Loads the FFN of cache-temporaries.mlir from a shared library and calls it
 * repeatedly at T = 128, counting minor page faults with getrusage: the
 * warm-up call maps the temporaries, later calls must reuse them. Checks
 * that every call gives the warm-up call's result bit for bit, also from two
 * threads at once. Usage: call-repeatedly LIBRARY */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum { T = 128, D = 128, F = 2048, kCalls = 8, kMaxFaultsPerCall = 24 };

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} Desc1;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} Desc2;
typedef void (*FfnFn)(Desc2 *, const Desc2 *, const Desc1 *, const Desc2 *,
                      const Desc2 *, const Desc2 *);

static FfnFn ffn;
static float *x, *norm, *wg, *wu, *wd, *reference;

static Desc2 matrix(float *data, int64_t rows, int64_t cols) {
  Desc2 d = {data, data, 0, {rows, cols}, {cols, 1}};
  return d;
}

static float *random_floats(size_t n, float scale) {
  float *p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; ++i)
    p[i] = scale * ((float)rand() / (float)RAND_MAX - 0.5f);
  return p;
}

/* One call; returns the result buffer, which the caller frees. */
static float *call(void) {
  Desc2 out, dx = matrix(x, T, D), dwg = matrix(wg, F, D),
             dwu = matrix(wu, F, D), dwd = matrix(wd, D, F);
  Desc1 dn = {norm, norm, 0, {D}, {1}};
  ffn(&out, &dx, &dn, &dwg, &dwu, &dwd);
  if (out.sizes[0] != T || out.sizes[1] != D || out.strides[0] != D ||
      out.strides[1] != 1) {
    printf("BAD result shape\n");
    exit(1);
  }
  return out.aligned + out.offset == out.allocated
             ? out.allocated
             : memcpy(malloc(T * D * sizeof(float)), out.aligned + out.offset,
                      T * D * sizeof(float));
}

static int same_as_reference(float *result) {
  int same = memcmp(result, reference, T * D * sizeof(float)) == 0;
  free(result);
  return same;
}

static long minor_faults(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

static void *call_in_thread(void *arg) {
  int *ok = arg;
  for (int i = 0; i < 4; ++i)
    *ok &= same_as_reference(call());
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib || !(ffn = (FfnFn)dlsym(lib, "ffn"))) {
    printf("ERROR %s\n", dlerror());
    return 1;
  }
  srand(1);
  x = random_floats(T * D, 2.0f);
  norm = random_floats(D, 2.0f);
  wg = random_floats(F * D, 0.1f);
  wu = random_floats(F * D, 0.1f);
  wd = random_floats(D * F, 0.1f);

  long before = minor_faults();
  float *first = call();
  printf("WARM-UP faults %ld\n", minor_faults() - before);
  reference = malloc(T * D * sizeof(float));
  memcpy(reference, first, T * D * sizeof(float));
  free(first);
  int finite = 1;
  for (int i = 0; i < T * D; ++i)
    finite &= isfinite(reference[i]);

  int same = finite;
  before = minor_faults();
  for (int i = 0; i < kCalls; ++i)
    same &= same_as_reference(call());
  long faults = minor_faults() - before;
  printf("REPEATED calls %d faults %ld\n", kCalls, faults);
  printf("REPEATED calls %d faults-per-call-below %d %s\n", kCalls,
         kMaxFaultsPerCall,
         faults < (long)kCalls * kMaxFaultsPerCall ? "ok" : "FAILED");
  printf("SAME results %s\n", same ? "ok" : "FAILED");

  pthread_t threads[2];
  int ok[2] = {1, 1};
  for (int i = 0; i < 2; ++i)
    pthread_create(&threads[i], NULL, call_in_thread, &ok[i]);
  for (int i = 0; i < 2; ++i)
    pthread_join(threads[i], NULL);
  printf("THREADS 2 results %s\n", ok[0] && ok[1] ? "ok" : "FAILED");
  dlclose(lib);
  return 0;
}

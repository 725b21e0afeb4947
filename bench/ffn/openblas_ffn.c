// OpenBLAS peer of the FFN benchmark, called from run.py via ctypes.
//
//   y = (silu(x Wg^T) * (x Wu^T)) Wd^T,  x [T, D], Wg/Wu [F, D], Wd [D, F]
//
// T == 1: three cblas_sgemv; T > 1: three cblas_sgemm. The weights are used
// in place (nn.Linear layout, row-major); silu(g) * u is a plain C loop over
// the [T, F] intermediates, which are allocated (and touched) once per
// configuration, outside the timed calls.
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void openblas_set_num_threads(int);
int openblas_get_num_threads(void);

typedef struct {
  int t, d, f;
  const float *wg, *wu, *wd;
  float *g, *u;
} ffn_t;

int ffn_openblas_set_threads(int n) {
  openblas_set_num_threads(n);
  return openblas_get_num_threads();
}

void *ffn_openblas_create(int t, int d, int f, const float *wg, const float *wu,
                          const float *wd) {
  ffn_t *h = calloc(1, sizeof(ffn_t));
  h->t = t, h->d = d, h->f = f, h->wg = wg, h->wu = wu, h->wd = wd;
  h->g = aligned_alloc(64, sizeof(float) * (size_t)t * f + 64);
  h->u = aligned_alloc(64, sizeof(float) * (size_t)t * f + 64);
  memset(h->g, 0, sizeof(float) * (size_t)t * f);
  memset(h->u, 0, sizeof(float) * (size_t)t * f);
  return h;
}

void ffn_openblas_run(void *p, const float *x, float *y) {
  ffn_t *h = p;
  const int t = h->t, d = h->d, f = h->f;
  if (t == 1) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, f, d, 1.f, h->wg, d, x, 1, 0.f,
                h->g, 1);
    cblas_sgemv(CblasRowMajor, CblasNoTrans, f, d, 1.f, h->wu, d, x, 1, 0.f,
                h->u, 1);
  } else {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, f, d, 1.f, x, d,
                h->wg, d, 0.f, h->g, f);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, f, d, 1.f, x, d,
                h->wu, d, 0.f, h->u, f);
  }
  float *g = h->g;
  const float *u = h->u;
  const size_t n = (size_t)t * f;
  for (size_t i = 0; i < n; ++i)
    g[i] = g[i] / (1.f + expf(-g[i])) * u[i];
  if (t == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, d, f, 1.f, h->wd, f, g, 1, 0.f, y,
                1);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, d, f, 1.f, g, f,
                h->wd, f, 0.f, y, d);
}

void ffn_openblas_destroy(void *p) {
  ffn_t *h = p;
  free(h->g);
  free(h->u);
  free(h);
}

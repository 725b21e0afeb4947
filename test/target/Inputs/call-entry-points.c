/* Calls the entry points of c-abi.mlir's shared library through its
 * generated header, as a user's C program would. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  printf("manifest: %.20s\n", xfmr_manifest); /* the ABI tag */

  /* add: 3x4 + 3x4, typed entry. */
  float x[12], bias[12];
  for (int i = 0; i < 12; ++i) {
    x[i] = (float)(i + 1);
    bias[i] = (float)(10 * ((i % 4) + 1));
  }
  xfmr_memref_2d_f32 xd = {x, x, 0, {3, 4}, {4, 1}};
  xfmr_memref_2d_f32 bd = {bias, bias, 0, {3, 4}, {4, 1}};
  xfmr_memref_2d_f32 sum;
  add(&sum, &xd, &bd);
  printf("add: %ldx%ld", (long)sum.sizes[0], (long)sum.sizes[1]);
  for (int i = 0; i < 3; ++i) {
    printf(" [");
    for (int j = 0; j < 4; ++j)
      printf(j ? " %g" : "%g",
             sum.aligned[sum.offset + i * sum.strides[0] + j * sum.strides[1]]);
    printf("]");
  }
  printf("\n");
  free(sum.allocated);

  /* matmul through the packed entry: args[0..1] inputs, args[2] result. */
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {7, 8, 9, 10, 11, 12};
  xfmr_memref_2d_f32 ad = {a, a, 0, {2, 3}, {3, 1}};
  xfmr_memref_2d_f32 bd2 = {b, b, 0, {3, 2}, {2, 1}};
  xfmr_memref_2d_f32 prod;
  void *args[3] = {&ad, &bd2, &prod};
  xfmr_packed_matmul(args);
  printf("matmul (packed): [%g %g] [%g %g]\n", prod.aligned[0], prod.aligned[1],
         prod.aligned[2], prod.aligned[3]);
  free(prod.allocated);

  /* pair: two results in a struct, each its own allocation. */
  int32_t v[3] = {1, -2, 3};
  xfmr_memref_1d_i32 vd = {v, v, 0, {3}, {1}};
  pair_results pr;
  pair(&pr, &vd);
  printf("pair: [%d %d %d] [%d %d %d] fresh=%d distinct=%d\n", pr.r0.aligned[0],
         pr.r0.aligned[1], pr.r0.aligned[2], pr.r1.aligned[0], pr.r1.aligned[1],
         pr.r1.aligned[2], pr.r0.allocated != v,
         pr.r0.allocated != pr.r1.allocated);
  free(pr.r0.allocated);
  free(pr.r1.allocated);

  /* identity: the returned buffer is a copy the caller may overwrite. */
  int64_t w[2] = {5, 6};
  xfmr_memref_1d_i64 wd = {w, w, 0, {2}, {1}};
  xfmr_memref_1d_i64 same;
  identity(&same, &wd);
  int fresh = same.allocated != w;
  printf("identity: [%ld %ld] fresh=%d", (long)same.aligned[0],
         (long)same.aligned[1], fresh);
  same.aligned[0] = 99;
  printf(" input=[%ld %ld]\n", (long)w[0], (long)w[1]);
  free(same.allocated);

  /* bump: twice on the same input, which it must not modify. */
  float u[4] = {1, 2, 3, 4};
  xfmr_memref_1d_f32 ud = {u, u, 0, {4}, {1}};
  xfmr_memref_1d_f32 b1, b2;
  bump(&b1, &ud);
  bump(&b2, &ud);
  printf("bump: [%g %g %g %g] [%g %g %g %g] input=[%g %g %g %g]\n",
         b1.aligned[0], b1.aligned[1], b1.aligned[2], b1.aligned[3],
         b2.aligned[0], b2.aligned[1], b2.aligned[2], b2.aligned[3], u[0], u[1],
         u[2], u[3]);
  free(b1.allocated);
  free(b2.allocated);

  printf("done\n");
  return 0;
}

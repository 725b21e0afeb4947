/* Embeds xfmr through the installed C API: builds y = rms_norm(x, g) with
 * the builder, JIT-compiles it and calls it; prints one line per step. */
#include <xfmr-c/xfmr.h>

#include <math.h>
#include <stdio.h>

static int check(xfmr_status s, const char *what) {
  if (!s)
    return 1;
  printf("%s failed: %s\n", what, xfmr_status_message(s));
  xfmr_status_free(s);
  return 0;
}

int main(void) {
  xfmr_context ctx;
  xfmr_module m;
  xfmr_function f;
  xfmr_executable exe;
  xfmr_entry e;
  xfmr_tensor y;
  int64_t xs[2] = {-1, 4}, gs[1] = {4};
  xfmr_arg_spec args[2] = {{"x", XFMR_F32, 2, xs}, {"g", XFMR_F32, 1, gs}};
  if (!check(xfmr_context_create(&ctx), "context") ||
      !check(xfmr_module_create(ctx, &m), "module") ||
      !check(xfmr_function_create(m, "norm", 2, args, &f), "function"))
    return 1;
  xfmr_value ops[2] = {xfmr_function_arg(f, 0), xfmr_function_arg(f, 1)};
  xfmr_value r;
  if (!check(xfmr_function_add_op(f, "xfmr.rms_norm", 2, ops, NULL, NULL, 1, &r,
                                  NULL),
             "rms_norm") ||
      !check(xfmr_function_return(f, 1, &r), "return") ||
      !check(xfmr_compile_jit(m, "opt-level=2", &exe), "compile") ||
      !check(xfmr_executable_lookup(exe, "norm", &e), "lookup"))
    return 1;
  float x[8] = {1, 2, 3, 4, -1, 0, 1, 0}, g[4] = {1, 1, 2, 2};
  int64_t shape[2] = {2, 4};
  xfmr_tensor_view views[2] = {{x, XFMR_F32, 2, shape, NULL},
                               {g, XFMR_F32, 1, gs, NULL}};
  if (!check(xfmr_call(exe, e, 2, views, 1, &y), "call"))
    return 1;
  const float *out = xfmr_tensor_data(y);
  double inv = 1.0 / sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-6);
  printf("norm: %lldx%lld, y[0][3] = %.4f (expected %.4f)\n",
         (long long)xfmr_tensor_shape(y)[0], (long long)xfmr_tensor_shape(y)[1],
         out[3], 4 * inv * 2);
  int good = fabs(out[3] - 4 * inv * 2) < 1e-5;
  xfmr_tensor_free(y);
  /* An error comes back as a status, not an abort. */
  views[1].shape = xs + 1; /* g of 4 is fine; give x a wrong width */
  int64_t bad[2] = {2, 3};
  views[0].shape = bad;
  xfmr_status s = xfmr_call(exe, e, 2, views, 1, &y);
  printf("bad call: %s\n", xfmr_status_message(s));
  xfmr_status_free(s);
  xfmr_executable_destroy(exe);
  xfmr_module_destroy(m);
  xfmr_context_destroy(ctx);
  printf("%s\n", good ? "OK" : "WRONG");
  return !good;
}

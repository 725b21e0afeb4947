/* Exercises the whole C API of xfmr-c/xfmr.h from plain C: parsing, the
 * builder, printing, pipelines, JIT and shared-library compilation, loading,
 * signatures, calls with contiguous and strided views, and the error path of
 * each. Prints what FileCheck checks in capi.test; exits non-zero on the
 * first unexpected outcome. Usage: capi WORKDIR */

#include "xfmr-c/xfmr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

/* Expects success; prints the diagnostic and counts a failure otherwise. */
static int ok(xfmr_status s, const char *what) {
  if (!s)
    return 1;
  printf("UNEXPECTED FAILURE %s: %s\n", what, xfmr_status_message(s));
  xfmr_status_free(s);
  ++failures;
  return 0;
}

/* Expects a failure and prints its message as "ERROR <what>: <message>". */
static void expect_error(xfmr_status s, const char *what) {
  if (!s) {
    printf("UNEXPECTED SUCCESS %s\n", what);
    ++failures;
    return;
  }
  printf("ERROR %s: %s\n", what, xfmr_status_message(s));
  xfmr_status_free(s);
}

static void check_close(const char *what, const float *got, const double *ref,
                        int64_t n) {
  double max_err = 0;
  for (int64_t i = 0; i < n; ++i) {
    double err = fabs(got[i] - ref[i]);
    if (err > max_err)
      max_err = err;
    if (err > 1e-5 + 1e-4 * fabs(ref[i])) {
      printf("MISMATCH %s at %lld: %g vs %g\n", what, (long long)i, got[i],
             ref[i]);
      ++failures;
      return;
    }
  }
  printf("NUMERICS %s ok (max error %.3g)\n", what, max_err);
}

static const char *kLinear =
    "func.func @lin(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>,\n"
    "               %b: tensor<3xf32>) -> tensor<?x3xf32> {\n"
    "  %y = xfmr.linear %x, %w, %b : tensor<?x4xf32>, tensor<3x4xf32>, "
    "tensor<3xf32>\n"
    "  return %y : tensor<?x3xf32>\n"
    "}\n";

static const char *kBadShape =
    "func.func @bad(%x: tensor<2x4xf32>, %w: tensor<3x5xf32>) -> "
    "tensor<2x3xf32> {\n"
    "  %y = xfmr.linear %x, %w : tensor<2x4xf32>, tensor<3x5xf32>\n"
    "  return %y : tensor<2x3xf32>\n"
    "}\n";

/* y[t][n] = sum_k x[t][k] w[n][k] + b[n], x given with element strides. */
static void linear_ref(const float *x, const int64_t *xs, int64_t T,
                       const float *w, const float *b, double *y) {
  for (int64_t t = 0; t < T; ++t)
    for (int n = 0; n < 3; ++n) {
      double acc = b[n];
      for (int k = 0; k < 4; ++k)
        acc += (double)x[t * xs[0] + k * xs[1]] * w[n * 4 + k];
      y[t * 3 + n] = acc;
    }
}

static void test_parse_and_call(xfmr_context ctx, const char *workdir) {
  xfmr_module m = NULL;
  /* Parse errors carry file:line:col. */
  expect_error(xfmr_module_parse(ctx, "func.func @f(", 13, "broken.mlir", &m),
               "parse");
  expect_error(
      xfmr_module_parse(ctx, kBadShape, strlen(kBadShape), "bad.mlir", &m),
      "verify");
  if (!ok(xfmr_module_parse(ctx, kLinear, strlen(kLinear), "lin.mlir", &m),
          "parse linear"))
    return;

  char *text = NULL;
  if (ok(xfmr_module_print(m, 0, &text), "print")) {
    printf("PRINTED %s", strstr(text, "xfmr.linear") ? "xfmr.linear\n" : "?\n");
    xfmr_string_free(text);
  }

  /* Bad compile options and pipelines. */
  xfmr_executable exe = NULL;
  expect_error(xfmr_compile_jit(m, "opt-level=7", &exe), "options");
  expect_error(xfmr_compile_jit(m, "no-such-option=1", &exe), "pipeopts");
  expect_error(xfmr_module_run_pipeline(m, "no-such-pass"), "pipeline");

  if (!ok(xfmr_compile_jit(m, "opt-level=3 vectorize=false", &exe), "jit"))
    return;
  printf("FUNCTIONS %zu\n", xfmr_executable_num_functions(exe));

  xfmr_entry e = NULL;
  expect_error(xfmr_executable_lookup(exe, "nope", &e), "lookup");
  if (!ok(xfmr_executable_lookup(exe, "lin", &e), "lookup lin"))
    return;
  char *sig = NULL;
  if (ok(xfmr_entry_signature_string(e, &sig), "signature")) {
    printf("SIGNATURE %s\n", sig);
    xfmr_string_free(sig);
  }
  for (size_t i = 0; i < xfmr_entry_num_args(e); ++i) {
    xfmr_tensor_signature a = xfmr_entry_arg(e, i);
    printf("ARG %zu %s %s rank %lld dim0 %lld\n", i, a.name,
           xfmr_dtype_name(a.dtype), (long long)a.rank, (long long)a.shape[0]);
  }
  xfmr_tensor_signature r = xfmr_entry_result(e, 0);
  printf("RESULT %s rank %lld dims %lld %lld\n", xfmr_dtype_name(r.dtype),
         (long long)r.rank, (long long)r.shape[0], (long long)r.shape[1]);

  /* x is a transposed view: a 4x5 buffer read as 5x4 with strides {1, 5}. */
  float xbuf[20], w[12], b[3];
  for (int i = 0; i < 20; ++i)
    xbuf[i] = (float)(i % 7) * 0.25f - 0.5f;
  for (int i = 0; i < 12; ++i)
    w[i] = (float)(i % 5) * 0.5f - 1.0f;
  for (int i = 0; i < 3; ++i)
    b[i] = (float)i - 1.0f;
  int64_t xshape[2] = {5, 4}, xstrides[2] = {1, 5}, cstrides[2] = {4, 1};
  int64_t wshape[2] = {3, 4}, bshape[1] = {3};
  xfmr_tensor_view args[3] = {{xbuf, XFMR_F32, 2, xshape, xstrides},
                              {w, XFMR_F32, 2, wshape, NULL},
                              {b, XFMR_F32, 1, bshape, NULL}};
  xfmr_tensor y = NULL;
  double ref[15];
  if (ok(xfmr_call(exe, e, 3, args, 1, &y), "call strided")) {
    linear_ref(xbuf, xstrides, 5, w, b, ref);
    printf("SHAPE %lld %lld\n", (long long)xfmr_tensor_shape(y)[0],
           (long long)xfmr_tensor_shape(y)[1]);
    check_close("linear strided", xfmr_tensor_data(y), ref, 15);
    xfmr_tensor_free(y);
  }
  args[0].strides = cstrides; /* explicit C-contiguous strides */
  if (ok(xfmr_call(exe, e, 3, args, 1, &y), "call contiguous")) {
    linear_ref(xbuf, cstrides, 5, w, b, ref);
    check_close("linear contiguous", xfmr_tensor_data(y), ref, 15);
    xfmr_tensor_free(y);
  }

  /* Checked against the signature. */
  int64_t badw[2] = {3, 5};
  args[1].shape = badw;
  expect_error(xfmr_call(exe, e, 3, args, 1, &y), "call shape");
  args[1].shape = wshape;
  args[2].dtype = XFMR_I32;
  expect_error(xfmr_call(exe, e, 3, args, 1, &y), "call dtype");
  args[2].dtype = XFMR_F32;
  expect_error(xfmr_call(exe, e, 2, args, 1, &y), "call count");
  expect_error(xfmr_call(exe, e, 3, args, 2, &y), "call results");
  args[0].data = NULL;
  expect_error(xfmr_call(exe, e, 3, args, 1, &y), "call null");
  args[0].data = xbuf;
  xfmr_executable_destroy(exe);

  /* Shared library + header, then load it back. */
  char path[4096], header[4096];
  snprintf(path, sizeof path, "%s/lin.so", workdir);
  snprintf(header, sizeof header, "%s/lin.h", workdir);
  if (ok(xfmr_compile_shared_library(m, "", path), "shared")) {
    FILE *h = fopen(header, "r");
    printf("HEADER %s\n", h ? "written" : "missing");
    if (h)
      fclose(h);
    if (ok(xfmr_executable_load(path, &exe), "load")) {
      if (ok(xfmr_executable_lookup(exe, "lin", &e), "lookup loaded") &&
          ok(xfmr_call(exe, e, 3, args, 1, &y), "call loaded")) {
        check_close("linear loaded", xfmr_tensor_data(y), ref, 15);
        xfmr_tensor_free(y);
      }
      xfmr_executable_destroy(exe);
    }
  }
  expect_error(xfmr_executable_load("/nonexistent/x.so", &exe), "load");

  /* Lowering in place with a named pipeline. */
  if (ok(xfmr_module_run_pipeline(m, "xfmr-to-linalg-pipeline"), "pipeline") &&
      ok(xfmr_module_print(m, 0, &text), "print lowered")) {
    printf("LOWERED %s\n", strstr(text, "linalg.") ? "linalg" : text);
    xfmr_string_free(text);
  }
  xfmr_module_destroy(m);
}

static void test_builder(xfmr_context ctx) {
  xfmr_module m = NULL;
  if (!ok(xfmr_module_create(ctx, &m), "module"))
    return;
  /* ffn(x: ?x8, wg: 16x8, wu: 16x8, wd: 8x16, g: 8) =
   *   gated_ffn<silu>(rms_norm(x, g), wg, wu, wd) + x */
  int64_t xs[2] = {-1, 8}, gs[2] = {16, 8}, ds[2] = {8, 16}, ns[1] = {8};
  xfmr_arg_spec specs[5] = {{"x", XFMR_F32, 2, xs},
                            {"wg", XFMR_F32, 2, gs},
                            {"wu", XFMR_F32, 2, gs},
                            {"wd", XFMR_F32, 2, ds},
                            {"g", XFMR_F32, 1, ns}};
  xfmr_function f = NULL;
  expect_error(xfmr_function_create(m, "bad name", 5, specs, &f), "fname");
  specs[1].name = "x";
  expect_error(xfmr_function_create(m, "ffn", 5, specs, &f), "argname");
  specs[1].name = "wg";
  if (!ok(xfmr_function_create(m, "ffn", 5, specs, &f), "function"))
    return;
  xfmr_value x = xfmr_function_arg(f, 0), wg = xfmr_function_arg(f, 1),
             wu = xfmr_function_arg(f, 2), wd = xfmr_function_arg(f, 3),
             g = xfmr_function_arg(f, 4);
  xfmr_value h, y, r, ops[4];
  size_t n = 0;
  ops[0] = x;
  ops[1] = g;
  ok(xfmr_function_add_op(f, "xfmr.rms_norm", 2, ops,
                          "{epsilon = 1.0e-5 : f32}", NULL, 1, &h, &n),
     "rms_norm");
  ops[0] = h;
  ops[1] = wg;
  ops[2] = wu;
  ops[3] = wd;
  /* Error paths: unknown op, bad attribute text, wrong attribute type,
   * mismatched shapes, missing attribute. */
  expect_error(
      xfmr_function_add_op(f, "xfmr.gated_fn", 4, ops, NULL, NULL, 1, &y, &n),
      "unknown op");
  expect_error(xfmr_function_add_op(f, "xfmr.gated_ffn", 4, ops, "{activation",
                                    NULL, 1, &y, &n),
               "attr syntax");
  expect_error(xfmr_function_add_op(f, "xfmr.gated_ffn", 4, ops,
                                    "{activation = 3 : i64}", NULL, 1, &y, &n),
               "attr type");
  ops[3] = wg;
  expect_error(xfmr_function_add_op(f, "xfmr.gated_ffn", 4, ops,
                                    "{activation = #xfmr.activation<silu>}",
                                    NULL, 1, &y, &n),
               "shape");
  ops[3] = wd;
  expect_error(
      xfmr_function_add_op(f, "xfmr.gated_ffn", 4, ops, NULL, NULL, 1, &y, &n),
      "missing attr");
  ok(xfmr_function_add_op(f, "xfmr.gated_ffn", 4, ops,
                          "{activation = #xfmr.activation<silu>}", NULL, 1, &y,
                          &n),
     "gated_ffn");
  ops[0] = y;
  ops[1] = x;
  ok(xfmr_function_add_op(f, "arith.addf", 2, ops, NULL, NULL, 1, &r, &n),
     "addf");
  char *type = NULL;
  if (ok(xfmr_value_type(r, &type), "type")) {
    printf("TYPE %s\n", type);
    xfmr_string_free(type);
  }
  ok(xfmr_function_return(f, 1, &r), "return");
  expect_error(xfmr_function_return(f, 1, &r), "return twice");

  /* An op with optional operands in the middle (ffn: b_up absent, b_down
   * given) gets its operand segments from the NULL markers. */
  int64_t us[2] = {16, 8};
  xfmr_arg_spec specs2[4] = {{"x", XFMR_F32, 2, xs},
                             {"wu", XFMR_F32, 2, us},
                             {"wd", XFMR_F32, 2, ds},
                             {"bd", XFMR_F32, 1, ns}};
  xfmr_function f2 = NULL;
  if (ok(xfmr_function_create(m, "ffn2", 4, specs2, &f2), "function2")) {
    xfmr_value o[5] = {xfmr_function_arg(f2, 0),
                       xfmr_function_arg(f2, 1),
                       xfmr_function_arg(f2, 2),
                       {NULL},
                       xfmr_function_arg(f2, 3)};
    xfmr_value z;
    if (ok(xfmr_function_add_op(f2, "xfmr.ffn", 5, o,
                                "{activation = #xfmr.activation<gelu>}", NULL,
                                1, &z, &n),
           "ffn"))
      ok(xfmr_function_return(f2, 1, &z), "return2");
  }
  expect_error(xfmr_function_create(m, "ffn", 0, NULL, &f2), "dup function");

  char *text = NULL;
  if (ok(xfmr_module_print(m, 0, &text), "print built")) {
    printf("%s", text);
    xfmr_string_free(text);
  }
  ok(xfmr_module_verify(m), "verify built");

  /* Compile the built module and check it numerically. */
  xfmr_executable exe = NULL;
  xfmr_entry e = NULL;
  if (!ok(xfmr_compile_jit(m, NULL, &exe), "jit built"))
    return;
  if (ok(xfmr_executable_lookup(exe, "ffn", &e), "lookup ffn")) {
    enum { T = 3, D = 8, F = 16 };
    float xv[T * D], wgv[F * D], wuv[F * D], wdv[D * F], gv[D];
    for (int i = 0; i < T * D; ++i)
      xv[i] = sinf((float)i * 0.37f);
    for (int i = 0; i < F * D; ++i) {
      wgv[i] = cosf((float)i * 0.11f) * 0.3f;
      wuv[i] = sinf((float)i * 0.23f) * 0.3f;
      wdv[i] = cosf((float)i * 0.17f) * 0.3f;
    }
    for (int i = 0; i < D; ++i)
      gv[i] = 1.0f + 0.1f * (float)i;
    double ref[T * D];
    for (int t = 0; t < T; ++t) {
      double ss = 0, hn[D], a[F];
      for (int d = 0; d < D; ++d)
        ss += (double)xv[t * D + d] * xv[t * D + d];
      double inv = 1.0 / sqrt(ss / D + 1e-5);
      for (int d = 0; d < D; ++d)
        hn[d] = xv[t * D + d] * inv * gv[d];
      for (int j = 0; j < F; ++j) {
        double gg = 0, uu = 0;
        for (int d = 0; d < D; ++d) {
          gg += hn[d] * wgv[j * D + d];
          uu += hn[d] * wuv[j * D + d];
        }
        a[j] = gg / (1.0 + exp(-gg)) * uu;
      }
      for (int d = 0; d < D; ++d) {
        double acc = 0;
        for (int j = 0; j < F; ++j)
          acc += a[j] * wdv[d * F + j];
        ref[t * D + d] = acc + xv[t * D + d];
      }
    }
    int64_t s_x[2] = {T, D}, s_g[2] = {F, D}, s_d[2] = {D, F}, s_n[1] = {D};
    xfmr_tensor_view v[5] = {{xv, XFMR_F32, 2, s_x, NULL},
                             {wgv, XFMR_F32, 2, s_g, NULL},
                             {wuv, XFMR_F32, 2, s_g, NULL},
                             {wdv, XFMR_F32, 2, s_d, NULL},
                             {gv, XFMR_F32, 1, s_n, NULL}};
    xfmr_tensor out = NULL;
    if (ok(xfmr_call(exe, e, 5, v, 1, &out), "call ffn")) {
      check_close("built ffn", xfmr_tensor_data(out), ref, T * D);
      xfmr_tensor_free(out);
    }
  }
  xfmr_executable_destroy(exe);
  xfmr_module_destroy(m);
}

int main(int argc, char **argv) {
  const char *workdir = argc > 1 ? argv[1] : ".";
  xfmr_dtype dt;
  expect_error(xfmr_dtype_parse("f8", &dt), "dtype");
  if (ok(xfmr_dtype_parse("bf16", &dt), "dtype bf16"))
    printf("DTYPE %s %zu\n", xfmr_dtype_name(dt), xfmr_dtype_size(dt));
  printf("SUCCESS MESSAGE '%s'\n", xfmr_status_message(NULL));

  xfmr_context ctx = NULL;
  if (!ok(xfmr_context_create(&ctx), "context"))
    return 1;
  test_parse_and_call(ctx, workdir);
  test_builder(ctx);
  xfmr_context_destroy(ctx);
  printf("DONE failures=%d\n", failures);
  return failures != 0;
}

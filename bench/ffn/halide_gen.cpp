// Builds the Halide pipelines of the FFN benchmark ahead of time (run.py
// compiles and runs this generator at benchmark build time):
//
//   halide_gen OUTDIR  ->  OUTDIR/ffn_halide_t8.{o,h}   register tile 32 x 8
//                          OUTDIR/ffn_halide_t1.{o,h}   32 x 1 (GEMV, T = 1)
//                          OUTDIR/halide_runtime.o      the runtime, once
//
// Layouts (Halide lists the innermost dimension first; P = 32 = two zmm):
//   x   (d, t)        the tokens, [T, D] row-major
//   wg  (fi, d, fo)   Wg packed into panels: wg(fi, d, fo) = Wg[fo*P + fi][d]
//   wu  (fi, d, fo)   the same for Wu
//   wd  (di, f, dO)   Wd packed the same way: wd(di, f, dO) = Wd[dO*P + di][f]
//   y   (di, t, dO)   the output, a strided view of the [T, D] result
//
// Schedule: h = silu(g) * u is computed for all tokens first, in parallel
// over the F panels; for each panel and block of TT tokens, g and u are
// accumulated in registers (a P x TT tile, 2 x TT zmm accumulators, the
// reduction over d outermost, x broadcast, two vector loads of the packed
// weight per step). y is computed the same way over h, in parallel over the
// D panels, with the reduction over F blocked by KC = 256 so that a 32 x 256
// piece of a Wd panel is reused from cache by every token block; the
// partial sums are added into y. Vectorized over the panel, unrolled over
// the register tile. Needs D % 32 == 0 and F % 256 == 0.
#include "Halide.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace Halide;

static const int P = 32;
static const int KC = 256; // F must be a multiple

static Pipeline build(int tt, std::vector<Argument> &args) {
  ImageParam x(Float(32), 2, "x"), wg(Float(32), 3, "wg"),
      wu(Float(32), 3, "wu"), wd(Float(32), 3, "wd");
  Var fi("fi"), t("t"), fo("fo"), di("di"), dO("dO"), to("to"), ti("ti");
  Expr f = wg.dim(2).extent() * P;
  RDom r(0, x.dim(0).extent(), "r");

  Func g("g"), u("u"), h("h"), yp("yp"), y("y");
  g(fi, t, fo) = 0.f;
  g(fi, t, fo) += x(r, t) * wg(fi, r, fo);
  u(fi, t, fo) = 0.f;
  u(fi, t, fo) += x(r, t) * wu(fi, r, fo);
  h(fi, t, fo) = g(fi, t, fo) / (1.f + exp(-g(fi, t, fo))) * u(fi, t, fo);
  // y is accumulated over chunks of KC hidden columns (the reduction is
  // blocked so that a chunk of a Wd panel stays in cache for all tokens).
  Var c("c");
  RDom rk(0, P, 0, KC / P, "rk");
  RDom rc(0, f / KC, "rc");
  Expr fp = c * (KC / P) + rk.y; // the panel of h / column block of Wd
  yp(di, t, dO, c) = 0.f;
  yp(di, t, dO, c) += h(rk.x, t, fp) * wd(di, fp * P + rk.x, dO);
  y(di, t, dO) = 0.f;
  y(di, t, dO) += yp(di, t, dO, rc);

  for (ImageParam *w : {&wg, &wu, &wd})
    w->dim(0).set_bounds(0, P);
  wd.dim(1).set_bounds(0, f);
  y.output_buffer().dim(0).set_bounds(0, P);

  const int vec = 16;
  h.compute_root()
      .split(t, to, ti, tt)
      .reorder(fi, ti, to, fo)
      .vectorize(fi, vec)
      .parallel(fo);
  for (Func *acc : {&g, &u}) {
    acc->compute_at(h, to)
        .store_in(MemoryType::Register)
        .vectorize(fi, vec)
        .unroll(fi)
        .unroll(t);
    acc->update().reorder(fi, t, r).vectorize(fi, vec).unroll(fi).unroll(t);
  }
  y.vectorize(di, vec).parallel(dO);
  y.update()
      .split(t, to, ti, tt)
      .reorder(di, ti, to, rc, dO)
      .vectorize(di, vec)
      .parallel(dO);
  yp.compute_at(y, to)
      .store_in(MemoryType::Register)
      .vectorize(di, vec)
      .unroll(di)
      .unroll(t);
  yp.update()
      .reorder(di, t, rk.x, rk.y)
      .vectorize(di, vec)
      .unroll(di)
      .unroll(t);

  args = {x, wg, wu, wd};
  return Pipeline(y);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 1;
  }
  std::string out = argv[1];
  Target target = get_host_target().with_feature(Target::NoRuntime);
  std::printf("Halide target: %s\n", target.to_string().c_str());
  for (int tt : {8, 1}) {
    std::string name = "ffn_halide_t" + std::to_string(tt);
    std::vector<Argument> args;
    Pipeline p = build(tt, args);
    p.compile_to_object(out + "/" + name + ".o", args, name, target);
    p.compile_to_header(out + "/" + name + ".h", args, name, target);
  }
  compile_standalone_runtime(out + "/halide_runtime.o",
                             target.without_feature(Target::NoRuntime));
  return 0;
}

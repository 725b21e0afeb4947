// oneDNN peer of the FFN benchmark, called from run.py via ctypes.
//
//   y = (silu(x Wg^T) * (x Wu^T)) Wd^T,  x [T, D], Wg/Wu [F, D], Wd [D, F]
//
// Three matmul primitives whose weights are created with format_tag::any and
// reordered once, in ffn_dnnl_create (outside the timed calls), into the
// layout the primitive chose for this T and thread count:
//   gate = x . Wg^T   with an eltwise_swish(alpha=1) post-op  -> silu(gate)
//   h    = x . Wu^T   with a binary_mul post-op by silu(gate)  -> silu(g) * u
//   y    = h . Wd^T
// so silu(gate) * up costs no separate pass. Intermediates are allocated once
// per configuration. oneDNN from Debian uses the GNU OpenMP runtime
// (libgomp); the thread count is set through libgomp's omp_set_num_threads.
#include <dlfcn.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdio>
#include <memory>
#include <unordered_map>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct Ffn {
  engine eng{engine::kind::cpu, 0};
  stream strm{eng};
  matmul gate, up, down;
  memory x, wg, wu, wd, sg, h, y;
};

// libgomp's own entry points, looked up in libgomp even if another OpenMP
// runtime (libomp) is loaded in the process and exports the same names.
using SetFn = void (*)(int);
using GetFn = int (*)();
void *gomp() {
  static void *handle = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD);
  return handle;
}

memory weights(engine &eng, stream &strm, const matmul::primitive_desc &pd,
               const float *w, memory::dim k, memory::dim n) {
  // User layout: nn.Linear [N, K] row-major, i.e. the logical [K, N] in ba.
  memory user({{k, n}, dt::f32, tag::ba}, eng, const_cast<float *>(w));
  memory packed(pd.weights_desc(), eng);
  reorder(user, packed).execute(strm, user, packed);
  strm.wait();
  return packed;
}

} // namespace

extern "C" int ffn_dnnl_set_threads(int n) {
  void *g = gomp();
  if (!g)
    return -1;
  auto set = reinterpret_cast<SetFn>(dlsym(g, "omp_set_num_threads"));
  auto get = reinterpret_cast<GetFn>(dlsym(g, "omp_get_max_threads"));
  if (!set || !get)
    return -1;
  set(n);
  return get();
}

extern "C" void *ffn_dnnl_create(int t, int d, int f, const float *wg,
                                 const float *wu, const float *wd) {
  try {
    auto p = std::make_unique<Ffn>();
    engine &eng = p->eng;
    memory::desc xd({t, d}, dt::f32, tag::ab), hd({t, f}, dt::f32, tag::ab),
        yd({t, d}, dt::f32, tag::ab);
    memory::desc wkn({d, f}, dt::f32, tag::any), wfd({f, d}, dt::f32, tag::any);

    post_ops swish;
    swish.append_eltwise(1.f, algorithm::eltwise_swish, 1.f, 0.f);
    primitive_attr gateAttr;
    gateAttr.set_post_ops(swish);
    matmul::primitive_desc gatePd(matmul::desc(xd, wkn, hd), gateAttr, eng);

    post_ops mul;
    mul.append_binary(algorithm::binary_mul, hd);
    primitive_attr upAttr;
    upAttr.set_post_ops(mul);
    matmul::primitive_desc upPd(matmul::desc(xd, wkn, hd), upAttr, eng);

    matmul::primitive_desc downPd(matmul::desc(hd, wfd, yd), eng);

    p->gate = matmul(gatePd);
    p->up = matmul(upPd);
    p->down = matmul(downPd);
    p->wg = weights(eng, p->strm, gatePd, wg, d, f);
    p->wu = weights(eng, p->strm, upPd, wu, d, f);
    p->wd = weights(eng, p->strm, downPd, wd, f, d);
    p->sg = memory(hd, eng);
    p->h = memory(hd, eng);
    p->x = memory(xd, eng, nullptr);
    p->y = memory(yd, eng, nullptr);
    return p.release();
  } catch (const dnnl::error &e) {
    std::fprintf(stderr, "oneDNN: %s (status %d)\n", e.what(), int(e.status));
    return nullptr;
  }
}

extern "C" void ffn_dnnl_run(void *handle, const float *x, float *y) {
  Ffn &p = *static_cast<Ffn *>(handle);
  p.x.set_data_handle(const_cast<float *>(x));
  p.y.set_data_handle(y);
  p.gate.execute(
      p.strm,
      {{DNNL_ARG_SRC, p.x}, {DNNL_ARG_WEIGHTS, p.wg}, {DNNL_ARG_DST, p.sg}});
  p.up.execute(p.strm,
               {{DNNL_ARG_SRC, p.x},
                {DNNL_ARG_WEIGHTS, p.wu},
                {DNNL_ARG_DST, p.h},
                {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, p.sg}});
  p.down.execute(
      p.strm,
      {{DNNL_ARG_SRC, p.h}, {DNNL_ARG_WEIGHTS, p.wd}, {DNNL_ARG_DST, p.y}});
  p.strm.wait();
}

// The implementation oneDNN picked for each matmul, e.g. "brg:avx512_core".
extern "C" const char *ffn_dnnl_impl(void *handle) {
  static thread_local char buf[256];
  Ffn &p = *static_cast<Ffn *>(handle);
  auto name = [](const matmul &m) {
    const_dnnl_primitive_desc_t pd;
    dnnl_primitive_get_primitive_desc(m.get(), &pd);
    const char *s = nullptr;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &s);
    return s ? s : "?";
  };
  std::snprintf(buf, sizeof buf, "%s/%s/%s", name(p.gate), name(p.up),
                name(p.down));
  return buf;
}

extern "C" void ffn_dnnl_destroy(void *handle) {
  delete static_cast<Ffn *>(handle);
}

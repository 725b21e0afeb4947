//===- XfmrOps.cpp - xfmr shape checking and result type inference --------===//
//
// Every op infers its result types from its operands. Inference and
// verification share one code path: the checks below run when an op is built
// or parsed and again when it is verified, and reject every shape, rank,
// element-type and attribute combination the dialect contract leaves
// undefined, naming the operand and the expected vs. actual value.
//
//===----------------------------------------------------------------------===//

#include "dialects/xfmr/XfmrOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::xfmr;

namespace {

/// Collects the diagnostics of one op's shape checks. Every message starts
/// like MLIR's own op errors: `'xfmr.linear' op ...`.
class Checker {
public:
  Checker(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}

  template <typename... Args> LogicalResult fail(Args &&...args) {
    return emitOptionalError(loc, "'xfmr.", opName, "' op ",
                             std::forward<Args>(args)...);
  }

  /// The operand must be a ranked tensor (ODS checks this too, but inference
  /// runs before ODS constraints are verified).
  FailureOr<RankedTensorType> ranked(Type type, StringRef name) {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t) {
      (void)fail("operand '", name, "' must be a ranked tensor, got ", type);
      return failure();
    }
    return t;
  }

  LogicalResult rank(RankedTensorType t, StringRef name, int64_t expected) {
    if (t.getRank() != expected)
      return fail("operand '", name, "' must have rank ", expected, ", got ",
                  t.getRank());
    return success();
  }

  LogicalResult rankIn(RankedTensorType t, StringRef name, int64_t lo,
                       int64_t hi) {
    if (t.getRank() < lo || t.getRank() > hi) {
      if (hi == std::numeric_limits<int64_t>::max())
        return fail("operand '", name, "' must have rank >= ", lo, ", got ",
                    t.getRank());
      return fail("operand '", name, "' must have rank ", lo, " to ", hi,
                  ", got ", t.getRank());
    }
    return success();
  }

  /// Dimension `idx` (negative counts from the back) must equal `expected`
  /// when both are static.
  LogicalResult dim(RankedTensorType t, StringRef name, int64_t idx,
                    int64_t expected, StringRef what) {
    int64_t i = idx < 0 ? t.getRank() + idx : idx;
    int64_t actual = t.getDimSize(i);
    if (ShapedType::isDynamic(actual) || ShapedType::isDynamic(expected))
      return success();
    if (actual != expected)
      return fail("operand '", name, "' dimension ", i, " (", what,
                  ") must be ", expected, ", got ", actual);
    return success();
  }

  LogicalResult sameElementType(RankedTensorType t, StringRef name,
                                RankedTensorType ref, StringRef refName) {
    if (t.getElementType() != ref.getElementType())
      return fail("operand '", name, "' must have element type ",
                  ref.getElementType(), " like '", refName, "', got ",
                  t.getElementType());
    return success();
  }

  LogicalResult floatElement(RankedTensorType t, StringRef name) {
    Type e = t.getElementType();
    if (!e.isF32() && !e.isF16() && !e.isBF16())
      return fail("operand '", name,
                  "' must have element type f32, f16 or bf16, got ", e);
    return success();
  }

  LogicalResult intElement(RankedTensorType t, StringRef name,
                           bool allowI64) {
    Type e = t.getElementType();
    if (e.isSignlessInteger(32) || (allowI64 && e.isSignlessInteger(64)))
      return success();
    return fail("operand '", name, "' must have element type ",
                allowI64 ? "i32 or i64" : "i32", ", got ", e);
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};

/// The more precise of two sizes of the same dimension.
int64_t mergeDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

int64_t product(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  return a * b;
}

/// An inherent attribute of the op being inferred. While an op is parsed its
/// attributes are still in the attribute dictionary (properties are filled in
/// when the op is created), so look there when the property is not set.
template <typename AttrT, typename AdaptorT>
AttrT inherentAttr(AdaptorT &adaptor, AttrT fromProperties, StringRef name) {
  if (fromProperties)
    return fromProperties;
  if (DictionaryAttr dict = adaptor.getAttributes())
    return dyn_cast_or_null<AttrT>(dict.get(name));
  return {};
}

#define XFMR_CHECK(expr)                                                       \
  do {                                                                         \
    if (failed(expr))                                                          \
      return failure();                                                        \
  } while (false)

#define XFMR_RANKED(var, value, name)                                          \
  auto var##OrErr = c.ranked((value).getType(), name);                         \
  if (failed(var##OrErr))                                                      \
    return failure();                                                          \
  RankedTensorType var = *var##OrErr

/// Checks a float operand that must share `ref`'s element type.
LogicalResult checkFloatLike(Checker &c, RankedTensorType t, StringRef name,
                             RankedTensorType ref, StringRef refName) {
  XFMR_CHECK(c.floatElement(t, name));
  return c.sameElementType(t, name, ref, refName);
}

} // namespace

//===----------------------------------------------------------------------===//
// Position-wise ops
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  Checker c(loc, "linear");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(w, adaptor.getW(), "w");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankIn(x, "x", 1, std::numeric_limits<int64_t>::max()));
  XFMR_CHECK(c.rank(w, "w", 2));
  XFMR_CHECK(checkFloatLike(c, w, "w", x, "x"));
  XFMR_CHECK(c.dim(w, "w", 1, x.getDimSize(x.getRank() - 1),
                   "in_features, the last dimension of 'x'"));
  if (Value bv = adaptor.getB()) {
    XFMR_RANKED(b, bv, "b");
    XFMR_CHECK(c.rank(b, "b", 1));
    XFMR_CHECK(checkFloatLike(c, b, "b", x, "x"));
    XFMR_CHECK(c.dim(b, "b", 0, w.getDimSize(0), "out_features of 'w'"));
  }
  SmallVector<int64_t> shape(x.getShape());
  shape.back() = w.getDimSize(0);
  if (Value bv = adaptor.getB())
    shape.back() =
        mergeDim(shape.back(), cast<RankedTensorType>(bv.getType()).getDimSize(0));
  results.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult ActivationOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  Checker c(loc, "activation");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_CHECK(c.floatElement(x, "x"));
  results.push_back(x);
  return success();
}

LogicalResult GatedActivationOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  Checker c(loc, "gated_activation");
  XFMR_RANKED(gate, adaptor.getGate(), "gate");
  XFMR_RANKED(up, adaptor.getUp(), "up");
  XFMR_CHECK(c.floatElement(gate, "gate"));
  XFMR_CHECK(checkFloatLike(c, up, "up", gate, "gate"));
  XFMR_CHECK(c.rank(up, "up", gate.getRank()));
  SmallVector<int64_t> shape(gate.getShape());
  for (int64_t i = 0; i < gate.getRank(); ++i) {
    XFMR_CHECK(c.dim(up, "up", i, gate.getDimSize(i), "must match 'gate'"));
    shape[i] = mergeDim(shape[i], up.getDimSize(i));
  }
  results.push_back(RankedTensorType::get(shape, gate.getElementType()));
  return success();
}

LogicalResult GluOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  Checker c(loc, "glu");
  XFMR_RANKED(gu, adaptor.getGu(), "gu");
  XFMR_CHECK(c.floatElement(gu, "gu"));
  XFMR_CHECK(c.rankIn(gu, "gu", 1, std::numeric_limits<int64_t>::max()));
  SmallVector<int64_t> shape(gu.getShape());
  int64_t last = shape.back();
  if (!ShapedType::isDynamic(last)) {
    if (last % 2 != 0)
      return c.fail("operand 'gu' last dimension (2F) must be even, got ",
                    last);
    shape.back() = last / 2;
  }
  results.push_back(RankedTensorType::get(shape, gu.getElementType()));
  return success();
}

LogicalResult FfnOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  Checker c(loc, "ffn");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(wUp, adaptor.getWUp(), "w_up");
  XFMR_RANKED(wDown, adaptor.getWDown(), "w_down");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankIn(x, "x", 1, std::numeric_limits<int64_t>::max()));
  XFMR_CHECK(c.rank(wUp, "w_up", 2));
  XFMR_CHECK(c.rank(wDown, "w_down", 2));
  XFMR_CHECK(checkFloatLike(c, wUp, "w_up", x, "x"));
  XFMR_CHECK(checkFloatLike(c, wDown, "w_down", x, "x"));
  int64_t d = x.getDimSize(x.getRank() - 1);
  int64_t f = wUp.getDimSize(0);
  XFMR_CHECK(c.dim(wUp, "w_up", 1, d, "D, the last dimension of 'x'"));
  XFMR_CHECK(c.dim(wDown, "w_down", 0, d, "D, the last dimension of 'x'"));
  XFMR_CHECK(c.dim(wDown, "w_down", 1, f, "F, dimension 0 of 'w_up'"));
  if (Value v = adaptor.getBUp()) {
    XFMR_RANKED(b, v, "b_up");
    XFMR_CHECK(c.rank(b, "b_up", 1));
    XFMR_CHECK(checkFloatLike(c, b, "b_up", x, "x"));
    XFMR_CHECK(c.dim(b, "b_up", 0, mergeDim(f, wDown.getDimSize(1)), "F"));
  }
  if (Value v = adaptor.getBDown()) {
    XFMR_RANKED(b, v, "b_down");
    XFMR_CHECK(c.rank(b, "b_down", 1));
    XFMR_CHECK(checkFloatLike(c, b, "b_down", x, "x"));
    XFMR_CHECK(c.dim(b, "b_down", 0, d, "D, the last dimension of 'x'"));
  }
  results.push_back(x);
  return success();
}

LogicalResult GatedFfnOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  Checker c(loc, "gated_ffn");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(wGate, adaptor.getWGate(), "w_gate");
  XFMR_RANKED(wUp, adaptor.getWUp(), "w_up");
  XFMR_RANKED(wDown, adaptor.getWDown(), "w_down");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankIn(x, "x", 1, std::numeric_limits<int64_t>::max()));
  XFMR_CHECK(c.rank(wGate, "w_gate", 2));
  XFMR_CHECK(c.rank(wUp, "w_up", 2));
  XFMR_CHECK(c.rank(wDown, "w_down", 2));
  XFMR_CHECK(checkFloatLike(c, wGate, "w_gate", x, "x"));
  XFMR_CHECK(checkFloatLike(c, wUp, "w_up", x, "x"));
  XFMR_CHECK(checkFloatLike(c, wDown, "w_down", x, "x"));
  int64_t d = x.getDimSize(x.getRank() - 1);
  int64_t f = wGate.getDimSize(0);
  XFMR_CHECK(c.dim(wGate, "w_gate", 1, d, "D, the last dimension of 'x'"));
  XFMR_CHECK(c.dim(wUp, "w_up", 0, f, "F, dimension 0 of 'w_gate'"));
  XFMR_CHECK(c.dim(wUp, "w_up", 1, d, "D, the last dimension of 'x'"));
  f = mergeDim(f, wUp.getDimSize(0));
  XFMR_CHECK(c.dim(wDown, "w_down", 0, d, "D, the last dimension of 'x'"));
  XFMR_CHECK(c.dim(wDown, "w_down", 1, f, "F, dimension 0 of 'w_gate'"));
  results.push_back(x);
  return success();
}

/// Shared by both norms: `x[..., D]` and per-feature vectors `[D]`.
static LogicalResult checkNorm(Checker &c, RankedTensorType x,
                               ArrayRef<std::pair<Value, StringRef>> vectors,
                               FloatAttr epsilon) {
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankIn(x, "x", 1, std::numeric_limits<int64_t>::max()));
  for (auto [value, name] : vectors) {
    XFMR_RANKED(v, value, name);
    XFMR_CHECK(c.rank(v, name, 1));
    XFMR_CHECK(checkFloatLike(c, v, name, x, "x"));
    XFMR_CHECK(c.dim(v, name, 0, x.getDimSize(x.getRank() - 1),
                     "D, the last dimension of 'x'"));
  }
  if (!epsilon)
    return success(); // the default value
  double eps = epsilon.getValueAsDouble();
  if (!(eps >= 0.0) || std::isinf(eps))
    return c.fail("attribute 'epsilon' must be a finite value >= 0, got ",
                  eps);
  return success();
}

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  Checker c(loc, "rms_norm");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_CHECK(checkNorm(c, x, {{adaptor.getWeight(), "weight"}},
                       inherentAttr(adaptor, adaptor.getEpsilonAttr(),
                                    "epsilon")));
  results.push_back(x);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  Checker c(loc, "layer_norm");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_CHECK(checkNorm(c, x,
                       {{adaptor.getWeight(), "weight"},
                        {adaptor.getBias(), "bias"}},
                       inherentAttr(adaptor, adaptor.getEpsilonAttr(),
                                    "epsilon")));
  results.push_back(x);
  return success();
}

LogicalResult RopeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  Checker c(loc, "rope");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(pos, adaptor.getPositions(), "positions");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankIn(x, "x", 3, 4));
  XFMR_CHECK(c.intElement(pos, "positions", /*allowI64=*/true));
  int64_t tDim = x.getRank() - 3;
  if (x.getRank() == 3) {
    XFMR_CHECK(c.rank(pos, "positions", 1));
  } else {
    XFMR_CHECK(c.rankIn(pos, "positions", 1, 2));
    if (pos.getRank() == 2)
      XFMR_CHECK(c.dim(pos, "positions", 0, x.getDimSize(0),
                       "B, dimension 0 of 'x'"));
  }
  XFMR_CHECK(c.dim(pos, "positions", -1, x.getDimSize(tDim),
                   "T, the token dimension of 'x'"));
  auto thetaAttr = inherentAttr(adaptor, adaptor.getThetaAttr(), "theta");
  double theta = thetaAttr ? thetaAttr.getValueAsDouble() : 10000.0;
  if (!(theta > 0.0) || std::isinf(theta))
    return c.fail("attribute 'theta' must be a finite value > 0, got ", theta);
  int64_t dh = x.getDimSize(x.getRank() - 1);
  if (auto rd =
          inherentAttr(adaptor, adaptor.getRotaryDimAttr(), "rotary_dim")) {
    int64_t r = rd.getInt();
    if (r <= 0 || r % 2 != 0)
      return c.fail("attribute 'rotary_dim' must be even and > 0, got ", r);
    if (!ShapedType::isDynamic(dh) && r > dh)
      return c.fail("attribute 'rotary_dim' (", r,
                    ") must not exceed the head dimension of 'x' (", dh, ")");
  } else if (!ShapedType::isDynamic(dh) && dh % 2 != 0) {
    return c.fail("operand 'x' head dimension must be even when 'rotary_dim' "
                  "is absent, got ",
                  dh);
  }
  results.push_back(x);
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  Checker c(loc, "attention");
  XFMR_RANKED(q, adaptor.getQ(), "q");
  XFMR_RANKED(k, adaptor.getK(), "k");
  XFMR_RANKED(v, adaptor.getV(), "v");
  XFMR_CHECK(c.floatElement(q, "q"));
  XFMR_CHECK(c.rankIn(q, "q", 3, 4));
  XFMR_CHECK(c.rank(k, "k", q.getRank()));
  XFMR_CHECK(c.rank(v, "v", q.getRank()));
  XFMR_CHECK(checkFloatLike(c, k, "k", q, "q"));
  XFMR_CHECK(checkFloatLike(c, v, "v", q, "q"));
  if (q.getRank() == 4) {
    XFMR_CHECK(c.dim(k, "k", 0, q.getDimSize(0), "B, dimension 0 of 'q'"));
    XFMR_CHECK(c.dim(v, "v", 0, q.getDimSize(0), "B, dimension 0 of 'q'"));
  }
  int64_t hq = q.getDimSize(q.getRank() - 3);
  int64_t hkv = k.getDimSize(k.getRank() - 3);
  XFMR_CHECK(c.dim(v, "v", -3, hkv, "Hkv, the head dimension of 'k'"));
  hkv = mergeDim(hkv, v.getDimSize(v.getRank() - 3));
  if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) &&
      (hkv == 0 || hq % hkv != 0))
    return c.fail("query heads (", hq, ") must be a multiple of kv heads (",
                  hkv, ")");
  XFMR_CHECK(c.dim(k, "k", -1, q.getDimSize(q.getRank() - 1),
                   "Dh, the last dimension of 'q'"));
  int64_t tq = q.getDimSize(q.getRank() - 2);
  int64_t tk = k.getDimSize(k.getRank() - 2);
  XFMR_CHECK(c.dim(v, "v", -2, tk, "Tk, the key length of 'k'"));
  if (Value m = adaptor.getMask()) {
    XFMR_RANKED(mask, m, "mask");
    XFMR_CHECK(c.rank(mask, "mask", 2));
    XFMR_CHECK(checkFloatLike(c, mask, "mask", q, "q"));
    XFMR_CHECK(c.dim(mask, "mask", 0, tq, "Tq, the query length of 'q'"));
    XFMR_CHECK(c.dim(mask, "mask", 1, mergeDim(tk, v.getDimSize(v.getRank() - 2)),
                     "Tk, the key length of 'k'"));
  }
  if (auto s = inherentAttr(adaptor, adaptor.getScaleAttr(), "scale")) {
    double scale = s.getValueAsDouble();
    if (!std::isfinite(scale))
      return c.fail("attribute 'scale' must be finite, got ", scale);
  }
  SmallVector<int64_t> shape(q.getShape());
  shape.back() = v.getDimSize(v.getRank() - 1);
  results.push_back(RankedTensorType::get(shape, q.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Mixture of experts
//===----------------------------------------------------------------------===//

/// `top_k` must pick between 1 and E experts.
static LogicalResult checkTopK(Checker &c, int64_t topK, int64_t numExperts) {
  if (topK < 1)
    return c.fail("attribute 'top_k' must be >= 1, got ", topK);
  if (!ShapedType::isDynamic(numExperts) && topK > numExperts)
    return c.fail("attribute 'top_k' (", topK,
                  ") must not exceed the number of experts (", numExperts,
                  ")");
  return success();
}

/// Stacked expert weights: w_gate/w_up `[E, F, D]`, w_down `[E, D, F]`.
static LogicalResult checkExpertWeights(Checker &c, RankedTensorType x,
                                        int64_t numExperts, Value gateV,
                                        Value upV, Value downV) {
  XFMR_RANKED(wGate, gateV, "w_gate");
  XFMR_RANKED(wUp, upV, "w_up");
  XFMR_RANKED(wDown, downV, "w_down");
  XFMR_CHECK(c.rank(wGate, "w_gate", 3));
  XFMR_CHECK(c.rank(wUp, "w_up", 3));
  XFMR_CHECK(c.rank(wDown, "w_down", 3));
  XFMR_CHECK(checkFloatLike(c, wGate, "w_gate", x, "x"));
  XFMR_CHECK(checkFloatLike(c, wUp, "w_up", x, "x"));
  XFMR_CHECK(checkFloatLike(c, wDown, "w_down", x, "x"));
  int64_t d = x.getDimSize(x.getRank() - 1);
  int64_t f = wGate.getDimSize(1);
  XFMR_CHECK(c.dim(wGate, "w_gate", 0, numExperts, "E, the number of experts"));
  XFMR_CHECK(c.dim(wGate, "w_gate", 2, d, "D, the last dimension of 'x'"));
  XFMR_CHECK(c.dim(wUp, "w_up", 0, numExperts, "E, the number of experts"));
  XFMR_CHECK(c.dim(wUp, "w_up", 1, f, "F, dimension 1 of 'w_gate'"));
  XFMR_CHECK(c.dim(wUp, "w_up", 2, d, "D, the last dimension of 'x'"));
  f = mergeDim(f, wUp.getDimSize(1));
  XFMR_CHECK(c.dim(wDown, "w_down", 0, numExperts, "E, the number of experts"));
  XFMR_CHECK(c.dim(wDown, "w_down", 1, d, "D, the last dimension of 'x'"));
  XFMR_CHECK(c.dim(wDown, "w_down", 2, f, "F, dimension 1 of 'w_gate'"));
  return success();
}

LogicalResult MoeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  Checker c(loc, "moe");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(router, adaptor.getRouterW(), "router_w");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankIn(x, "x", 2, std::numeric_limits<int64_t>::max()));
  XFMR_CHECK(c.rank(router, "router_w", 2));
  XFMR_CHECK(checkFloatLike(c, router, "router_w", x, "x"));
  XFMR_CHECK(c.dim(router, "router_w", 1, x.getDimSize(x.getRank() - 1),
                   "D, the last dimension of 'x'"));
  int64_t e = router.getDimSize(0);
  XFMR_CHECK(checkExpertWeights(c, x, e, adaptor.getWGate(), adaptor.getWUp(),
                                adaptor.getWDown()));
  auto topK = inherentAttr(adaptor, adaptor.getTopKAttr(), "top_k");
  if (!topK)
    return c.fail("requires attribute 'top_k'");
  XFMR_CHECK(checkTopK(c, topK.getInt(), e));
  results.push_back(x);
  return success();
}

LogicalResult TopkRouterOp::inferReturnTypes(MLIRContext *ctx,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  Checker c(loc, "topk_router");
  XFMR_RANKED(logits, adaptor.getLogits(), "logits");
  XFMR_CHECK(c.floatElement(logits, "logits"));
  XFMR_CHECK(c.rank(logits, "logits", 2));
  auto topK = inherentAttr(adaptor, adaptor.getTopKAttr(), "top_k");
  if (!topK)
    return c.fail("requires attribute 'top_k'");
  int64_t k = topK.getInt();
  XFMR_CHECK(checkTopK(c, k, logits.getDimSize(1)));
  SmallVector<int64_t> shape = {logits.getDimSize(0), k};
  results.push_back(RankedTensorType::get(shape, Float32Type::get(ctx)));
  results.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 32)));
  return success();
}

LogicalResult DispatchOp::inferReturnTypes(MLIRContext *ctx,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  Checker c(loc, "dispatch");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(experts, adaptor.getExperts(), "experts");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rank(x, "x", 2));
  XFMR_CHECK(c.rank(experts, "experts", 2));
  XFMR_CHECK(c.intElement(experts, "experts", /*allowI64=*/false));
  XFMR_CHECK(c.dim(experts, "experts", 0, x.getDimSize(0),
                   "T, dimension 0 of 'x'"));
  auto numExperts =
      inherentAttr(adaptor, adaptor.getNumExpertsAttr(), "num_experts");
  if (!numExperts)
    return c.fail("requires attribute 'num_experts'");
  int64_t e = numExperts.getInt();
  if (e < 1)
    return c.fail("attribute 'num_experts' must be >= 1, got ", e);
  int64_t t = mergeDim(x.getDimSize(0), experts.getDimSize(0));
  int64_t rows = product(t, experts.getDimSize(1));
  Type i32 = IntegerType::get(ctx, 32);
  results.push_back(
      RankedTensorType::get({rows, x.getDimSize(1)}, x.getElementType()));
  results.push_back(RankedTensorType::get({e + 1}, i32));
  results.push_back(RankedTensorType::get({rows}, i32));
  return success();
}

LogicalResult GroupedGatedFfnOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  Checker c(loc, "grouped_gated_ffn");
  XFMR_RANKED(x, adaptor.getSortedX(), "sorted_x");
  XFMR_RANKED(offsets, adaptor.getOffsets(), "offsets");
  XFMR_CHECK(c.floatElement(x, "sorted_x"));
  XFMR_CHECK(c.rank(x, "sorted_x", 2));
  XFMR_CHECK(c.rank(offsets, "offsets", 1));
  XFMR_CHECK(c.intElement(offsets, "offsets", /*allowI64=*/false));
  XFMR_RANKED(wGate, adaptor.getWGate(), "w_gate");
  XFMR_CHECK(c.rank(wGate, "w_gate", 3));
  int64_t e = wGate.getDimSize(0);
  if (!ShapedType::isDynamic(e))
    XFMR_CHECK(c.dim(offsets, "offsets", 0, e + 1,
                     "E + 1, one more than the number of experts"));
  else if (!offsets.isDynamicDim(0))
    e = offsets.getDimSize(0) - 1;
  XFMR_CHECK(checkExpertWeights(c, x, e, adaptor.getWGate(), adaptor.getWUp(),
                                adaptor.getWDown()));
  results.push_back(x);
  return success();
}

LogicalResult CombineOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  Checker c(loc, "combine");
  XFMR_RANKED(out, adaptor.getExpertOut(), "expert_out");
  XFMR_RANKED(order, adaptor.getOrder(), "order");
  XFMR_RANKED(weights, adaptor.getWeights(), "weights");
  XFMR_CHECK(c.floatElement(out, "expert_out"));
  XFMR_CHECK(c.rank(out, "expert_out", 2));
  XFMR_CHECK(c.rank(order, "order", 1));
  XFMR_CHECK(c.intElement(order, "order", /*allowI64=*/false));
  XFMR_CHECK(c.rank(weights, "weights", 2));
  if (!weights.getElementType().isF32())
    return c.fail("operand 'weights' must have element type f32, got ",
                  weights.getElementType());
  int64_t rows =
      product(weights.getDimSize(0), weights.getDimSize(1));
  XFMR_CHECK(c.dim(order, "order", 0, rows, "T·k, the size of 'weights'"));
  XFMR_CHECK(c.dim(out, "expert_out", 0, mergeDim(rows, order.getDimSize(0)),
                   "T·k, the size of 'weights'"));
  results.push_back(RankedTensorType::get(
      {weights.getDimSize(0), out.getDimSize(1)}, out.getElementType()));
  return success();
}

#define GET_OP_CLASSES
#include "dialects/xfmr/XfmrOps.cpp.inc"

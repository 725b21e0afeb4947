//===- XfmrOps.cpp - xfmr shape checking and result type inference --------===//
//
// Every op infers its result types from its operands. Inference and
// verification share one code path: the checks below run when an op is built
// or parsed and again when it is verified, and reject every shape, rank,
// element-type and attribute combination the dialect contract leaves
// undefined, naming the operand and the expected vs. actual value.
//
// Sizes the contract names (D, F, E, Hkv, T·k, ...) usually appear in several
// operands. Each is tracked as a `Size` that starts at the first operand
// carrying it and adopts the first static value it meets, so two weights are
// checked against each other even where `x` leaves the size dynamic.
//
//===----------------------------------------------------------------------===//

#include "dialects/xfmr/XfmrOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>
#include <string>

using namespace mlir;
using namespace mlir::xfmr;

namespace {

/// Expert indices, offsets and row orders are i32 tensors.
constexpr int64_t kMaxI32 = std::numeric_limits<int32_t>::max();

/// A size shared by several operands, and where its value comes from: the
/// operand and dimension it was read from, and how messages describe it.
struct Size {
  int64_t value = ShapedType::kDynamic;
  std::string operand;
  int64_t index = -1;
  std::string desc;

  bool isStatic() const { return !ShapedType::isDynamic(value); }
};

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

  /// The operand must be a ranked tensor. ODS checks this too, but inference
  /// runs before ODS constraints are verified when an op is built in C++.
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

  LogicalResult rankAtLeast(RankedTensorType t, StringRef name, int64_t lo) {
    if (t.getRank() < lo)
      return fail("operand '", name, "' must have rank >= ", lo, ", got ",
                  t.getRank());
    return success();
  }

  /// `x` of rope and attention, and rope's positions: an optional batch.
  LogicalResult rankOneOf(RankedTensorType t, StringRef name, int64_t lo,
                          int64_t hi) {
    if (t.getRank() != lo && t.getRank() != hi)
      return fail("operand '", name, "' must have rank ", lo, " or ", hi,
                  ", got ", t.getRank());
    return success();
  }

  /// The size of dimension `idx` (negative counts from the back) of an
  /// operand, described as `desc` or as "dimension <i> of '<name>'".
  static Size size(RankedTensorType t, StringRef name, int64_t idx,
                   StringRef desc = {}) {
    int64_t i = idx < 0 ? t.getRank() + idx : idx;
    Size s;
    s.value = t.getDimSize(i);
    s.operand = name.str();
    s.index = i;
    s.desc = desc.empty() ? describe(name, i) : desc.str();
    return s;
  }

  /// Dimension `idx` of an operand must be `s`, the size called `symbol` in
  /// the contract. If `s` is still dynamic it adopts the operand's size.
  LogicalResult match(RankedTensorType t, StringRef name, int64_t idx,
                      StringRef symbol, Size &s) {
    int64_t i = idx < 0 ? t.getRank() + idx : idx;
    int64_t actual = t.getDimSize(i);
    if (ShapedType::isDynamic(actual))
      return success();
    if (!s.isStatic()) {
      s.value = actual;
      s.operand = name.str();
      s.index = i;
      s.desc = describe(name, i);
      return success();
    }
    if (actual != s.value)
      return fail("operand '", name, "' dimension ", i, " (", symbol, ", ",
                  s.desc, ") must be ", s.value, ", got ", actual);
    return success();
  }

  /// Dimension `idx` must equal a size derived from other operands.
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

  /// A size the math divides by or iterates over must not be zero.
  LogicalResult positive(const Size &s, StringRef what) {
    if (s.isStatic() && s.value < 1)
      return fail("operand '", s.operand, "' dimension ", s.index, " (", what,
                  ") must be >= 1, got ", s.value);
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

  LogicalResult f32Element(RankedTensorType t, StringRef name) {
    if (!t.getElementType().isF32())
      return fail("operand '", name, "' must have element type f32, got ",
                  t.getElementType());
    return success();
  }

  LogicalResult intElement(RankedTensorType t, StringRef name, bool allowI64) {
    Type e = t.getElementType();
    if (e.isSignlessInteger(32) || (allowI64 && e.isSignlessInteger(64)))
      return success();
    return fail("operand '", name, "' must have element type ",
                allowI64 ? "i32 or i64" : "i32", ", got ", e);
  }

private:
  static std::string describe(StringRef name, int64_t i) {
    return ("dimension " + Twine(i) + " of '" + name + "'").str();
  }

  std::optional<Location> loc;
  StringRef opName;
};

/// `a · b` as a dimension size: zero if either is zero, dynamic if either is
/// dynamic, and dynamic with `*overflow` set if the product overflows.
int64_t product(int64_t a, int64_t b, bool *overflow = nullptr) {
  if (a == 0 || b == 0)
    return 0;
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  int64_t r;
  if (llvm::MulOverflow(a, b, r)) {
    if (overflow)
      *overflow = true;
    return ShapedType::kDynamic;
  }
  return r;
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

/// The last dimension of `x`, the feature size of position-wise ops.
Size lastDim(RankedTensorType x, StringRef name) {
  return Checker::size(x, name, -1,
                       ("the last dimension of '" + name + "'").str());
}

} // namespace

//===----------------------------------------------------------------------===//
// Position-wise ops
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  Checker c(loc, "linear");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(w, adaptor.getW(), "w");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankAtLeast(x, "x", 1));
  XFMR_CHECK(c.rank(w, "w", 2));
  XFMR_CHECK(checkFloatLike(c, w, "w", x, "x"));
  Size k = lastDim(x, "x");
  XFMR_CHECK(c.match(w, "w", 1, "in_features", k));
  Size n = Checker::size(w, "w", 0);
  if (Value bv = adaptor.getB()) {
    XFMR_RANKED(b, bv, "b");
    XFMR_CHECK(c.rank(b, "b", 1));
    XFMR_CHECK(checkFloatLike(c, b, "b", x, "x"));
    XFMR_CHECK(c.match(b, "b", 0, "out_features", n));
  }
  SmallVector<int64_t> shape(x.getShape());
  shape.back() = n.value;
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

LogicalResult
GatedActivationOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  Checker c(loc, "gated_activation");
  XFMR_RANKED(gate, adaptor.getGate(), "gate");
  XFMR_RANKED(up, adaptor.getUp(), "up");
  XFMR_CHECK(c.floatElement(gate, "gate"));
  XFMR_CHECK(c.rankAtLeast(gate, "gate", 1));
  XFMR_CHECK(checkFloatLike(c, up, "up", gate, "gate"));
  XFMR_CHECK(c.rank(up, "up", gate.getRank()));
  SmallVector<int64_t> shape(gate.getShape());
  for (int64_t i = 0; i < gate.getRank(); ++i) {
    bool isLast = i == gate.getRank() - 1;
    Size s = isLast ? lastDim(gate, "gate") : Checker::size(gate, "gate", i);
    XFMR_CHECK(c.match(up, "up", i, isLast ? "F" : "a batch dimension", s));
    shape[i] = s.value;
  }
  results.push_back(RankedTensorType::get(shape, gate.getElementType()));
  return success();
}

LogicalResult GluOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  Checker c(loc, "glu");
  XFMR_RANKED(gu, adaptor.getGu(), "gu");
  XFMR_CHECK(c.floatElement(gu, "gu"));
  XFMR_CHECK(c.rankAtLeast(gu, "gu", 1));
  SmallVector<int64_t> shape(gu.getShape());
  int64_t last = shape.back();
  if (!ShapedType::isDynamic(last)) {
    if (last % 2 != 0)
      return c.fail("operand 'gu' dimension ", gu.getRank() - 1,
                    " (2F, the gate and up halves) must be even, got ", last);
    shape.back() = last / 2;
  }
  results.push_back(RankedTensorType::get(shape, gu.getElementType()));
  return success();
}

LogicalResult FfnOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  Checker c(loc, "ffn");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(wUp, adaptor.getWUp(), "w_up");
  XFMR_RANKED(wDown, adaptor.getWDown(), "w_down");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankAtLeast(x, "x", 1));
  XFMR_CHECK(c.rank(wUp, "w_up", 2));
  XFMR_CHECK(c.rank(wDown, "w_down", 2));
  XFMR_CHECK(checkFloatLike(c, wUp, "w_up", x, "x"));
  XFMR_CHECK(checkFloatLike(c, wDown, "w_down", x, "x"));
  Size d = lastDim(x, "x");
  Size f = Checker::size(wUp, "w_up", 0);
  XFMR_CHECK(c.match(wUp, "w_up", 1, "D", d));
  XFMR_CHECK(c.match(wDown, "w_down", 0, "D", d));
  XFMR_CHECK(c.match(wDown, "w_down", 1, "F", f));
  if (Value v = adaptor.getBUp()) {
    XFMR_RANKED(b, v, "b_up");
    XFMR_CHECK(c.rank(b, "b_up", 1));
    XFMR_CHECK(checkFloatLike(c, b, "b_up", x, "x"));
    XFMR_CHECK(c.match(b, "b_up", 0, "F", f));
  }
  if (Value v = adaptor.getBDown()) {
    XFMR_RANKED(b, v, "b_down");
    XFMR_CHECK(c.rank(b, "b_down", 1));
    XFMR_CHECK(checkFloatLike(c, b, "b_down", x, "x"));
    XFMR_CHECK(c.match(b, "b_down", 0, "D", d));
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
  XFMR_CHECK(c.rankAtLeast(x, "x", 1));
  XFMR_CHECK(c.rank(wGate, "w_gate", 2));
  XFMR_CHECK(c.rank(wUp, "w_up", 2));
  XFMR_CHECK(c.rank(wDown, "w_down", 2));
  XFMR_CHECK(checkFloatLike(c, wGate, "w_gate", x, "x"));
  XFMR_CHECK(checkFloatLike(c, wUp, "w_up", x, "x"));
  XFMR_CHECK(checkFloatLike(c, wDown, "w_down", x, "x"));
  Size d = lastDim(x, "x");
  Size f = Checker::size(wGate, "w_gate", 0);
  XFMR_CHECK(c.match(wGate, "w_gate", 1, "D", d));
  XFMR_CHECK(c.match(wUp, "w_up", 0, "F", f));
  XFMR_CHECK(c.match(wUp, "w_up", 1, "D", d));
  XFMR_CHECK(c.match(wDown, "w_down", 0, "D", d));
  XFMR_CHECK(c.match(wDown, "w_down", 1, "F", f));
  results.push_back(x);
  return success();
}

/// Shared by both norms: `x[..., D]` and per-feature vectors `[D]`.
static LogicalResult checkNorm(Checker &c, RankedTensorType x,
                               ArrayRef<std::pair<Value, StringRef>> vectors,
                               FloatAttr epsilon) {
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankAtLeast(x, "x", 1));
  Size d = lastDim(x, "x");
  for (auto [value, name] : vectors) {
    XFMR_RANKED(v, value, name);
    XFMR_CHECK(c.rank(v, name, 1));
    XFMR_CHECK(checkFloatLike(c, v, name, x, "x"));
    XFMR_CHECK(c.match(v, name, 0, "D", d));
  }
  // The statistics average over D features.
  XFMR_CHECK(c.positive(d, "D, the normalised features"));
  if (!epsilon)
    return success(); // the default value
  double eps = epsilon.getValueAsDouble();
  if (!(eps >= 0.0) || std::isinf(eps))
    return c.fail("attribute 'epsilon' must be a finite value >= 0, got ", eps);
  return success();
}

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  Checker c(loc, "rms_norm");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_CHECK(
      checkNorm(c, x, {{adaptor.getWeight(), "weight"}},
                inherentAttr(adaptor, adaptor.getEpsilonAttr(), "epsilon")));
  results.push_back(x);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  Checker c(loc, "layer_norm");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_CHECK(checkNorm(
      c, x, {{adaptor.getWeight(), "weight"}, {adaptor.getBias(), "bias"}},
      inherentAttr(adaptor, adaptor.getEpsilonAttr(), "epsilon")));
  results.push_back(x);
  return success();
}

LogicalResult RopeOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  Checker c(loc, "rope");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(pos, adaptor.getPositions(), "positions");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankOneOf(x, "x", 3, 4));
  XFMR_CHECK(c.intElement(pos, "positions", /*allowI64=*/true));
  // x is [T, H, Dh] with positions [T], or [B, T, H, Dh] with positions [T]
  // (shared by the batch) or [B, T] (per sequence).
  if (x.getRank() == 3) {
    XFMR_CHECK(c.rank(pos, "positions", 1));
  } else {
    XFMR_CHECK(c.rankOneOf(pos, "positions", 1, 2));
    if (pos.getRank() == 2) {
      Size b = Checker::size(x, "x", 0);
      XFMR_CHECK(c.match(pos, "positions", 0, "B", b));
    }
  }
  Size t = Checker::size(x, "x", x.getRank() - 3);
  XFMR_CHECK(c.match(pos, "positions", -1, "T", t));
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
      return c.fail("attribute 'rotary_dim' must be <= ", dh,
                    " (Dh, the last dimension of 'x'), got ", r);
  } else if (!ShapedType::isDynamic(dh) && dh % 2 != 0) {
    return c.fail("operand 'x' dimension ", x.getRank() - 1,
                  " (Dh, the rotary dimension when 'rotary_dim' is absent) "
                  "must be even, got ",
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
  XFMR_CHECK(c.rankOneOf(q, "q", 3, 4));
  XFMR_CHECK(c.rank(k, "k", q.getRank()));
  XFMR_CHECK(c.rank(v, "v", q.getRank()));
  XFMR_CHECK(checkFloatLike(c, k, "k", q, "q"));
  XFMR_CHECK(checkFloatLike(c, v, "v", q, "q"));
  if (q.getRank() == 4) {
    Size b = Checker::size(q, "q", 0);
    XFMR_CHECK(c.match(k, "k", 0, "B", b));
    XFMR_CHECK(c.match(v, "v", 0, "B", b));
  }
  // [B?, H, T, Dh]: heads, sequence and head size count from the back.
  Size hkv = Checker::size(k, "k", -3);
  XFMR_CHECK(c.match(v, "v", -3, "Hkv", hkv));
  XFMR_CHECK(c.positive(hkv, "Hkv, the number of kv heads"));
  int64_t hq = q.getDimSize(q.getRank() - 3);
  if (!ShapedType::isDynamic(hq) && hkv.isStatic() && hq % hkv.value != 0)
    return c.fail("operand 'q' dimension ", q.getRank() - 3,
                  " (Hq, the number of query heads) must be a multiple of ",
                  hkv.value, " (Hkv, ", hkv.desc, "), got ", hq);
  Size dh = lastDim(q, "q");
  XFMR_CHECK(c.match(k, "k", -1, "Dh", dh));
  auto scaleAttr = inherentAttr(adaptor, adaptor.getScaleAttr(), "scale");
  if (!scaleAttr)
    XFMR_CHECK(
        c.positive(dh, "Dh, the head size; the default 'scale' is 1/sqrt(Dh)"));
  Size tq = Checker::size(q, "q", -2);
  Size tk = Checker::size(k, "k", -2);
  XFMR_CHECK(c.match(v, "v", -2, "Tk", tk));
  if (Value m = adaptor.getMask()) {
    XFMR_RANKED(mask, m, "mask");
    XFMR_CHECK(c.rank(mask, "mask", 2));
    XFMR_CHECK(checkFloatLike(c, mask, "mask", q, "q"));
    XFMR_CHECK(c.match(mask, "mask", 0, "Tq", tq));
    XFMR_CHECK(c.match(mask, "mask", 1, "Tk", tk));
  }
  if (scaleAttr && !std::isfinite(scaleAttr.getValueAsDouble()))
    return c.fail("attribute 'scale' must be finite, got ",
                  scaleAttr.getValueAsDouble());
  SmallVector<int64_t> shape(q.getShape());
  shape.back() = v.getDimSize(v.getRank() - 1);
  results.push_back(RankedTensorType::get(shape, q.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Mixture of experts
//===----------------------------------------------------------------------===//

/// `capacity_factor`, when present, must be a finite value > 0.
static LogicalResult checkCapacityFactor(Checker &c, FloatAttr factor) {
  if (!factor)
    return success();
  double cf = factor.getValueAsDouble();
  if (!(cf > 0.0) || std::isinf(cf))
    return c.fail("attribute 'capacity_factor' must be a finite value > 0, "
                  "got ",
                  cf);
  return success();
}

/// `top_k` must pick between 1 and E experts, and index them in i32.
static LogicalResult checkTopK(Checker &c, int64_t topK, const Size &e) {
  if (topK < 1)
    return c.fail("attribute 'top_k' must be >= 1, got ", topK);
  if (e.isStatic() && topK > e.value)
    return c.fail("attribute 'top_k' must be <= ", e.value,
                  " (E, the number of experts, ", e.desc, "), got ", topK);
  if (topK > kMaxI32)
    return c.fail("attribute 'top_k' must be <= ", kMaxI32,
                  " (expert indices are i32), got ", topK);
  return success();
}

/// Stacked expert weights: w_gate/w_up `[E, F, D]`, w_down `[E, D, F]`, with
/// the same element type as the tokens `x` (called `xName`).
static LogicalResult checkExpertWeights(Checker &c, RankedTensorType x,
                                        StringRef xName, Size &e, Size &d,
                                        Value gateV, Value upV, Value downV) {
  XFMR_RANKED(wGate, gateV, "w_gate");
  XFMR_RANKED(wUp, upV, "w_up");
  XFMR_RANKED(wDown, downV, "w_down");
  XFMR_CHECK(c.rank(wGate, "w_gate", 3));
  XFMR_CHECK(c.rank(wUp, "w_up", 3));
  XFMR_CHECK(c.rank(wDown, "w_down", 3));
  XFMR_CHECK(checkFloatLike(c, wGate, "w_gate", x, xName));
  XFMR_CHECK(checkFloatLike(c, wUp, "w_up", x, xName));
  XFMR_CHECK(checkFloatLike(c, wDown, "w_down", x, xName));
  Size f = Checker::size(wGate, "w_gate", 1);
  XFMR_CHECK(c.match(wGate, "w_gate", 0, "E", e));
  XFMR_CHECK(c.match(wGate, "w_gate", 2, "D", d));
  XFMR_CHECK(c.match(wUp, "w_up", 0, "E", e));
  XFMR_CHECK(c.match(wUp, "w_up", 1, "F", f));
  XFMR_CHECK(c.match(wUp, "w_up", 2, "D", d));
  XFMR_CHECK(c.match(wDown, "w_down", 0, "E", e));
  XFMR_CHECK(c.match(wDown, "w_down", 1, "D", d));
  XFMR_CHECK(c.match(wDown, "w_down", 2, "F", f));
  return success();
}

LogicalResult MoeOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  Checker c(loc, "moe");
  XFMR_RANKED(x, adaptor.getX(), "x");
  XFMR_RANKED(router, adaptor.getRouterW(), "router_w");
  XFMR_CHECK(c.floatElement(x, "x"));
  XFMR_CHECK(c.rankAtLeast(x, "x", 2));
  XFMR_CHECK(c.rank(router, "router_w", 2));
  XFMR_CHECK(checkFloatLike(c, router, "router_w", x, "x"));
  Size d = lastDim(x, "x");
  XFMR_CHECK(c.match(router, "router_w", 1, "D", d));
  Size e = Checker::size(router, "router_w", 0);
  XFMR_CHECK(checkExpertWeights(c, x, "x", e, d, adaptor.getWGate(),
                                adaptor.getWUp(), adaptor.getWDown()));
  auto topK = inherentAttr(adaptor, adaptor.getTopKAttr(), "top_k");
  if (!topK)
    return c.fail("requires attribute 'top_k'");
  XFMR_CHECK(checkTopK(c, topK.getInt(), e));
  XFMR_CHECK(checkCapacityFactor(
      c, inherentAttr(adaptor, adaptor.getCapacityFactorAttr(),
                      "capacity_factor")));
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
  XFMR_CHECK(checkTopK(c, k, Checker::size(logits, "logits", 1)));
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
  Size t = Checker::size(x, "x", 0);
  XFMR_CHECK(c.match(experts, "experts", 0, "T", t));
  auto numExperts =
      inherentAttr(adaptor, adaptor.getNumExpertsAttr(), "num_experts");
  if (!numExperts)
    return c.fail("requires attribute 'num_experts'");
  int64_t e = numExperts.getInt();
  if (e < 1)
    return c.fail("attribute 'num_experts' must be >= 1, got ", e);
  if (e > kMaxI32)
    return c.fail("attribute 'num_experts' must be <= ", kMaxI32,
                  " (expert indices are i32), got ", e);
  XFMR_CHECK(checkCapacityFactor(
      c, inherentAttr(adaptor, adaptor.getCapacityFactorAttr(),
                      "capacity_factor")));
  bool overflow = false;
  int64_t rows = product(t.value, experts.getDimSize(1), &overflow);
  if (overflow || (!ShapedType::isDynamic(rows) && rows > kMaxI32))
    return c.fail("operand 'experts' holds T·k = ", t.value, "·",
                  experts.getDimSize(1), " (token, slot) pairs, more than the ",
                  kMaxI32, " that the i32 'order' and 'offsets' can index");
  Type i32 = IntegerType::get(ctx, 32);
  results.push_back(
      RankedTensorType::get({rows, x.getDimSize(1)}, x.getElementType()));
  results.push_back(RankedTensorType::get({e + 1}, i32));
  results.push_back(RankedTensorType::get({rows}, i32));
  return success();
}

/// offsets[E + 1] of the grouped FFNs, once E is known (or not).
static LogicalResult checkOffsets(Checker &c, RankedTensorType offsets,
                                  const Size &e) {
  XFMR_CHECK(c.positive(e, "E, the number of experts"));
  if (e.isStatic())
    return c.dim(offsets, "offsets", 0, e.value + 1,
                 "E + 1, one more than " + e.desc);
  if (!offsets.isDynamicDim(0) && offsets.getDimSize(0) < 2)
    return c.fail("operand 'offsets' dimension 0 (E + 1, one more than the "
                  "number of experts) must be >= 2, got ",
                  offsets.getDimSize(0));
  return success();
}

LogicalResult
GroupedGatedFfnOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  Checker c(loc, "grouped_gated_ffn");
  XFMR_RANKED(x, adaptor.getSortedX(), "sorted_x");
  XFMR_RANKED(offsets, adaptor.getOffsets(), "offsets");
  XFMR_CHECK(c.floatElement(x, "sorted_x"));
  XFMR_CHECK(c.rank(x, "sorted_x", 2));
  XFMR_CHECK(c.rank(offsets, "offsets", 1));
  XFMR_CHECK(c.intElement(offsets, "offsets", /*allowI64=*/false));
  Size d = Checker::size(x, "sorted_x", 1);
  Size e;
  XFMR_CHECK(checkExpertWeights(c, x, "sorted_x", e, d, adaptor.getWGate(),
                                adaptor.getWUp(), adaptor.getWDown()));
  XFMR_CHECK(checkOffsets(c, offsets, e));
  results.push_back(x);
  return success();
}

LogicalResult
GroupedGluFfnOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  Checker c(loc, "grouped_glu_ffn");
  XFMR_RANKED(x, adaptor.getSortedX(), "sorted_x");
  XFMR_RANKED(offsets, adaptor.getOffsets(), "offsets");
  XFMR_RANKED(wGateUp, adaptor.getWGateUp(), "w_gate_up");
  XFMR_RANKED(wDown, adaptor.getWDown(), "w_down");
  XFMR_CHECK(c.floatElement(x, "sorted_x"));
  XFMR_CHECK(c.rank(x, "sorted_x", 2));
  XFMR_CHECK(c.rank(offsets, "offsets", 1));
  XFMR_CHECK(c.intElement(offsets, "offsets", /*allowI64=*/false));
  XFMR_CHECK(c.rank(wGateUp, "w_gate_up", 3));
  XFMR_CHECK(c.rank(wDown, "w_down", 3));
  XFMR_CHECK(checkFloatLike(c, wGateUp, "w_gate_up", x, "sorted_x"));
  XFMR_CHECK(checkFloatLike(c, wDown, "w_down", x, "sorted_x"));
  Size d = Checker::size(x, "sorted_x", 1);
  Size e = Checker::size(wGateUp, "w_gate_up", 0);
  XFMR_CHECK(c.match(wGateUp, "w_gate_up", 2, "D", d));
  XFMR_CHECK(c.match(wDown, "w_down", 0, "E", e));
  XFMR_CHECK(c.match(wDown, "w_down", 1, "D", d));
  // F is half of the stacked dimension: the gate rows, then the up rows.
  int64_t twoF = wGateUp.getDimSize(1);
  if (!ShapedType::isDynamic(twoF)) {
    if (twoF % 2 != 0)
      return c.fail("operand 'w_gate_up' dimension 1 (2F, the gate and up "
                    "rows) must be even, got ",
                    twoF);
    XFMR_CHECK(c.dim(wDown, "w_down", 2, twoF / 2,
                     "F, half of dimension 1 of 'w_gate_up'"));
  }
  XFMR_CHECK(checkOffsets(c, offsets, e));
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
  XFMR_CHECK(c.f32Element(weights, "weights"));
  // One row of expert_out and one entry of order per (token, slot) pair.
  int64_t k = weights.getDimSize(1);
  Size rows;
  rows.value = product(weights.getDimSize(0), k);
  rows.operand = "weights";
  rows.desc = "the number of elements of 'weights'";
  XFMR_CHECK(c.match(order, "order", 0, "T·k", rows));
  XFMR_CHECK(c.match(out, "expert_out", 0, "T·k", rows));
  if (rows.isStatic() && !ShapedType::isDynamic(k) && k != 0 &&
      rows.value % k != 0)
    return c.fail("operand '", rows.operand, "' dimension ", rows.index,
                  " (T·k) must be a multiple of ", k,
                  " (k, dimension 1 of 'weights'), got ", rows.value);
  results.push_back(RankedTensorType::get(
      {weights.getDimSize(0), out.getDimSize(1)}, out.getElementType()));
  return success();
}

#define GET_OP_CLASSES
#include "dialects/xfmr/XfmrOps.cpp.inc"

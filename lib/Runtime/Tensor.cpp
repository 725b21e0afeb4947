//===- Tensor.cpp - host tensors and their iree-style text form -----------===//

#include "xfmr/Runtime/Tensor.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

using namespace llvm;
using namespace mlir::xfmr;

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// The number of elements of `shape`, or nullopt if a dimension is negative
/// or the byte size overflows.
static std::optional<int64_t> getCheckedNumElements(ArrayRef<int64_t> shape,
                                                    ElementType type) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      return std::nullopt;
  }
  int64_t bytes;
  if (__builtin_mul_overflow(n, int64_t(getElementByteSize(type)), &bytes))
    return std::nullopt;
  return n;
}

static std::string shapeString(ArrayRef<int64_t> shape, ElementType type) {
  TensorSignature sig;
  sig.elementType = type;
  sig.shape.assign(shape.begin(), shape.end());
  return sig.str();
}

Expected<HostTensor> HostTensor::allocate(ElementType elementType,
                                          ArrayRef<int64_t> shape) {
  std::optional<int64_t> n = getCheckedNumElements(shape, elementType);
  if (!n)
    return makeError("invalid tensor shape " + shapeString(shape, elementType) +
                     ": negative or too large");
  // calloc checks the multiplication and leaves untouched pages lazy.
  size_t count = std::max<int64_t>(*n, 1);
  void *data = std::calloc(count, getElementByteSize(elementType));
  if (!data)
    return makeError(
        "cannot allocate " + Twine(*n * getElementByteSize(elementType)) +
        " bytes for a " + shapeString(shape, elementType) + " tensor");
  return wrap(elementType, shape, std::shared_ptr<void>(data, std::free), data);
}

HostTensor HostTensor::wrap(ElementType elementType, ArrayRef<int64_t> shape,
                            std::shared_ptr<void> owner, void *data) {
  HostTensor t;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  t.owner = std::move(owner);
  t.data = data;
  return t;
}

int64_t HostTensor::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string HostTensor::getTypeString() const {
  return shapeString(shape, elementType);
}

//===----------------------------------------------------------------------===//
// 16-bit floats
//===----------------------------------------------------------------------===//

static float toFloat(const fltSemantics &semantics, uint16_t bits) {
  APFloat f(semantics, APInt(16, bits));
  bool lost;
  f.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
  return f.convertToFloat();
}

static uint16_t fromFloat(const fltSemantics &semantics, float value) {
  APFloat f(value);
  bool lost;
  f.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
  return f.bitcastToAPInt().getZExtValue();
}

float mlir::xfmr::halfToFloat(uint16_t bits) {
  return toFloat(APFloat::IEEEhalf(), bits);
}
uint16_t mlir::xfmr::floatToHalf(float value) {
  return fromFloat(APFloat::IEEEhalf(), value);
}
float mlir::xfmr::bfloat16ToFloat(uint16_t bits) {
  return toFloat(APFloat::BFloat(), bits);
}
uint16_t mlir::xfmr::floatToBFloat16(float value) {
  return fromFloat(APFloat::BFloat(), value);
}

double HostTensor::getAsDouble(int64_t i) const {
  switch (elementType) {
  case ElementType::F32:
    return static_cast<const float *>(data)[i];
  case ElementType::F16:
    return halfToFloat(static_cast<const uint16_t *>(data)[i]);
  case ElementType::BF16:
    return bfloat16ToFloat(static_cast<const uint16_t *>(data)[i]);
  case ElementType::I32:
    return static_cast<const int32_t *>(data)[i];
  case ElementType::I64:
    return static_cast<const int64_t *>(data)[i];
  }
  llvm_unreachable("unknown element type");
}

//===----------------------------------------------------------------------===//
// Text form
//===----------------------------------------------------------------------===//

static const fltSemantics &getSemantics(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return APFloat::IEEEhalf();
  case ElementType::BF16:
    return APFloat::BFloat();
  default:
    return APFloat::IEEEsingle();
  }
}

/// Parses one value into element `i` of `t`.
static Error parseValue(StringRef token, HostTensor &t, int64_t i) {
  ElementType type = t.getElementType();
  auto invalid = [&](StringRef why) {
    return makeError("invalid " + stringifyElementType(type) + " value '" +
                     token + "'" + why);
  };
  switch (type) {
  case ElementType::F32:
  case ElementType::F16:
  case ElementType::BF16: {
    APFloat f(getSemantics(type));
    Expected<APFloat::opStatus> status =
        f.convertFromString(token, APFloat::rmNearestTiesToEven);
    if (!status) {
      consumeError(status.takeError());
      return invalid("");
    }
    if (*status & APFloat::opOverflow)
      return invalid(": out of range");
    uint64_t bits = f.bitcastToAPInt().getZExtValue();
    if (type == ElementType::F32)
      t.getValues<uint32_t>()[i] = bits;
    else
      t.getValues<uint16_t>()[i] = bits;
    return Error::success();
  }
  case ElementType::I32:
  case ElementType::I64: {
    int64_t v;
    if (token.getAsInteger(10, v))
      return invalid("");
    if (type == ElementType::I64) {
      t.getValues<int64_t>()[i] = v;
    } else {
      if (v < INT32_MIN || v > INT32_MAX)
        return invalid(": out of range");
      t.getValues<int32_t>()[i] = v;
    }
    return Error::success();
  }
  }
  llvm_unreachable("unknown element type");
}

Expected<HostTensor> mlir::xfmr::parseTensorLiteral(StringRef text) {
  auto [typePart, valuePart] = text.split('=');
  if (!text.contains('='))
    return makeError("expected SHAPExTYPE=VALUES (e.g. 2x3xf32=1 2 3 4 5 "
                     "6), got '" +
                     text + "'");
  SmallVector<StringRef> parts;
  typePart.trim().split(parts, 'x');
  std::optional<ElementType> type = parseElementType(parts.back());
  if (!type)
    return makeError("unknown element type '" + parts.back() + "' in '" +
                     typePart +
                     "' (expected f32, f16, bf16, i32 or i64 after the "
                     "shape, e.g. 2x3xf32)");
  SmallVector<int64_t> shape;
  for (StringRef dim : ArrayRef(parts).drop_back()) {
    int64_t d;
    if (dim.empty() || !all_of(dim, isDigit) || dim.getAsInteger(10, d))
      return makeError("invalid dimension '" + dim + "' in '" + typePart +
                       "' (dimensions are non-negative integers)");
    shape.push_back(d);
  }
  Expected<HostTensor> tensor = HostTensor::allocate(*type, shape);
  if (!tensor)
    return tensor.takeError();

  SmallVector<StringRef> tokens;
  SplitString(valuePart, tokens, " \t\n\r,[]");
  int64_t n = tensor->getNumElements();
  bool splat = tokens.size() == 1 && n != 1;
  if (!splat && int64_t(tokens.size()) != n)
    return makeError("'" + typePart + "' needs " + Twine(n) +
                     " values (or 1 to fill it), got " + Twine(tokens.size()));
  for (int64_t i = 0; i < n; ++i)
    if (Error e = parseValue(tokens[splat ? 0 : i], *tensor, i))
      return std::move(e);
  return tensor;
}

static void printValue(const HostTensor &t, int64_t i, raw_ostream &os) {
  char buf[64];
  switch (t.getElementType()) {
  case ElementType::F32: {
    auto r = std::to_chars(buf, buf + sizeof(buf), t.getValues<float>()[i]);
    os << StringRef(buf, r.ptr - buf);
    return;
  }
  case ElementType::F16:
  case ElementType::BF16: {
    // The shortest decimal that reads back to the same 16 bits, printed as
    // a float in its shortest form (2000 rather than 2e+03).
    uint16_t bits = t.getValues<uint16_t>()[i];
    bool half = t.getElementType() == ElementType::F16;
    float v = half ? halfToFloat(bits) : bfloat16ToFloat(bits);
    float shortest = v;
    for (int precision = 1; precision <= 9 && v == v; ++precision) {
      snprintf(buf, sizeof(buf), "%.*g", precision, v);
      float back = std::strtof(buf, nullptr);
      if ((half ? floatToHalf(back) : floatToBFloat16(back)) == bits) {
        shortest = back;
        break;
      }
    }
    auto r = std::to_chars(buf, buf + sizeof(buf), shortest);
    os << StringRef(buf, r.ptr - buf);
    return;
  }
  case ElementType::I32:
    os << t.getValues<int32_t>()[i];
    return;
  case ElementType::I64:
    os << t.getValues<int64_t>()[i];
    return;
  }
}

/// Prints dimension `dim` onwards; iree leaves the outermost level bare:
/// `2x2xf32=[1 2][3 4]`, `2xf32=1 2`.
static void printDims(const HostTensor &t, unsigned dim, int64_t &next,
                      raw_ostream &os) {
  ArrayRef<int64_t> shape = t.getShape();
  if (dim)
    os << '[';
  for (int64_t i = 0; i < shape[dim]; ++i) {
    if (dim + 1 < shape.size()) {
      printDims(t, dim + 1, next, os);
    } else {
      if (i)
        os << ' ';
      printValue(t, next++, os);
    }
  }
  if (dim)
    os << ']';
}

void mlir::xfmr::printTensor(const HostTensor &tensor, raw_ostream &os) {
  os << tensor.getTypeString() << '=';
  int64_t next = 0;
  if (tensor.getRank() == 0)
    printValue(tensor, 0, os);
  else
    printDims(tensor, 0, next, os);
}

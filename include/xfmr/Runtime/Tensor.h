//===- Tensor.h - dense host tensors handed to compiled modules -*- C++ -*-===//
//
// A HostTensor is a dense, row-major buffer with a shape and one of the
// element types of the entry-point ABI. It owns (or shares ownership of) its
// storage, so results returned by a compiled function can be wrapped without
// a copy. The text form follows iree-run-module: `2x3xf32=1 2 3 4 5 6`.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_RUNTIME_TENSOR_H
#define XFMR_RUNTIME_TENSOR_H

#include "xfmr/Target/EntryABI.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>
#include <string>

namespace mlir::xfmr {

class HostTensor {
public:
  HostTensor() = default;

  /// A zero-filled tensor. Fails (never aborts) on negative or overflowing
  /// shapes and when the memory cannot be allocated.
  static llvm::Expected<HostTensor> allocate(ElementType elementType,
                                             llvm::ArrayRef<int64_t> shape);

  /// A tensor viewing `data` (dense, row-major) and keeping `owner` alive.
  static HostTensor wrap(ElementType elementType, llvm::ArrayRef<int64_t> shape,
                         std::shared_ptr<void> owner, void *data);

  ElementType getElementType() const { return elementType; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getRank() const { return shape.size(); }
  int64_t getNumElements() const;
  size_t getByteSize() const {
    return getNumElements() * getElementByteSize(elementType);
  }
  void *getData() { return data; }
  const void *getData() const { return data; }
  template <typename T> llvm::MutableArrayRef<T> getValues() {
    return {static_cast<T *>(data), size_t(getNumElements())};
  }
  template <typename T> llvm::ArrayRef<T> getValues() const {
    return {static_cast<const T *>(data), size_t(getNumElements())};
  }

  /// "2x3xf32".
  std::string getTypeString() const;

  /// Element `i` (row-major) as a double, whatever the element type.
  double getAsDouble(int64_t i) const;

private:
  ElementType elementType = ElementType::F32;
  llvm::SmallVector<int64_t, 4> shape;
  std::shared_ptr<void> owner;
  void *data = nullptr;
};

/// Converts IEEE half and bfloat16 bit patterns, rounding to nearest even.
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
float bfloat16ToFloat(uint16_t bits);
uint16_t floatToBFloat16(float value);

/// Parses `[DIMxDIMx...]TYPE=VALUES`, e.g. `2x3xf32=1 2 3 4 5 6` or
/// `i32=7` (rank 0). Values are separated by spaces or commas; brackets are
/// ignored, so printTensor's output parses back. A single value fills the
/// whole tensor.
llvm::Expected<HostTensor> parseTensorLiteral(llvm::StringRef text);

/// Prints `2x3xf32=[1 2 3][4 5 6]` as iree-run-module does, floats in their
/// shortest exact form.
void printTensor(const HostTensor &tensor, llvm::raw_ostream &os);

} // namespace mlir::xfmr

#endif // XFMR_RUNTIME_TENSOR_H

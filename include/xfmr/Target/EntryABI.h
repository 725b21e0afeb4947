//===- EntryABI.h - the C entry-point ABI of compiled xfmr modules -*- C++ -*-//
//
// Every public function `f` of a compiled module (shared library or JIT) is
// reachable through the same three symbols:
//
//   void f(<result> *out, const <descriptor> *arg0, ...);   typed C entry
//   void xfmr_packed_f(void **args);                        arity-free entry
//   const char xfmr_manifest[];                             one per module
//
// Tensors cross the boundary as MLIR memref descriptors, one C struct per
// (rank, element type):
//
//   struct { T *allocated; T *aligned; int64_t offset;
//            int64_t sizes[rank]; int64_t strides[rank]; }
//
// (a rank-0 descriptor stops after `offset`). `out` points to the single
// result's descriptor, or to a struct holding one descriptor per result in
// order; a function without results takes no `out`. `xfmr_packed_f` reads
// args[i] as a pointer to argument i's descriptor and args[n] as `out`.
// Every returned buffer is a fresh malloc() owned by the caller, who frees
// `allocated` with free().
//
// `xfmr_manifest` is a NUL-terminated JSON document describing every entry
// point, so that a loaded module can be checked without its source:
//
//   {"abi":"xfmr.cpu.v1","entries":[{"name":"add","packed":"xfmr_packed_add",
//     "args":[{"name":"a","dtype":"f32","shape":[-1,4]}, ...],
//     "results":[{"dtype":"f32","shape":[-1,4]}]}]}
//
// An entry whose weights can be prepared once also carries
//   "prepared":{"prepare":"f_prepare","run":"f_prepared",
//               "weights":[1,2,3],"inputs":[0]}
// (see PreparedEntry); both functions are entries of the same module.
//
// A dimension of -1 is dynamic. This header holds the in-memory form of the
// manifest, its (de)serialisation and the generated C header; it has no MLIR
// dependency so that the runtime can use it on its own.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_TARGET_ENTRYABI_H
#define XFMR_TARGET_ENTRYABI_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::xfmr {

/// Symbol of the module-level manifest string.
inline constexpr const char kManifestSymbol[] = "xfmr_manifest";
/// Prefix of the packed (`void (void **)`) entry of every function.
inline constexpr const char kPackedEntryPrefix[] = "xfmr_packed_";
/// ABI tag stored in the manifest; bumped on any incompatible change.
inline constexpr const char kEntryABIVersion[] = "xfmr.cpu.v1";
/// Discardable func attribute carrying an entry's tensor-level signature
/// (`{type = <FunctionType>, names = [<arg names>]}`) through the pipeline.
inline constexpr const char kEntrySignatureAttrName[] = "xfmr.entry";
/// Discardable func attribute with the SSA names the source gave the
/// arguments (`%w` -> "w"), recorded by the parser for the entry signature.
inline constexpr const char kArgNamesAttrName[] = "xfmr.arg_names";
/// Discardable func attribute of an entry `f` whose weights can be prepared
/// once: `{prepare = "f_prepare", run = "f_prepared", weights = array<i64:
/// ...>, inputs = array<i64: ...>}` (see PreparedEntry).
inline constexpr const char kPreparedEntryAttrName[] = "xfmr.prepared_entry";
/// Marker of a dynamic dimension in `TensorSignature::shape`.
inline constexpr int64_t kDynamicDim = -1;

/// Element types an entry point accepts and returns.
enum class ElementType : uint8_t { F32, F16, BF16, I32, I64 };

/// "f32", "f16", "bf16", "i32", "i64".
llvm::StringRef stringifyElementType(ElementType type);
std::optional<ElementType> parseElementType(llvm::StringRef name);
/// Size in bytes of one element.
unsigned getElementByteSize(ElementType type);

/// One argument or result of an entry point.
struct TensorSignature {
  /// The argument's name (a C identifier); empty for results.
  std::string name;
  ElementType elementType = ElementType::F32;
  /// One entry per dimension; kDynamicDim where the size is dynamic.
  llvm::SmallVector<int64_t, 4> shape;

  int64_t getRank() const { return shape.size(); }
  /// Shape and element type as in MLIR and iree, e.g. "?x4xf32", "f32".
  std::string str() const;
};

/// How an entry `f` splits into a once-per-weights preparation and a hot
/// call: `prepare(f's args at weights...)` returns the prepared weights, and
/// `run(f's args at inputs..., prepared weights...)` returns f's results.
struct PreparedEntry {
  std::string prepare;
  std::string run;
  llvm::SmallVector<int64_t, 4> weights;
  llvm::SmallVector<int64_t, 4> inputs;
};

/// One entry point.
struct EntrySignature {
  std::string name;
  llvm::SmallVector<TensorSignature, 4> args;
  llvm::SmallVector<TensorSignature, 1> results;
  /// Set when the entry has a weight-preparation form.
  std::optional<PreparedEntry> prepared;

  std::string getPackedSymbol() const { return kPackedEntryPrefix + name; }
  /// "add(a: ?x4xf32, b: ?x4xf32) -> (?x4xf32)".
  std::string str() const;
};

/// Every entry point of one module, in module order.
struct Manifest {
  std::vector<EntrySignature> entries;

  const EntrySignature *lookup(llvm::StringRef name) const;
};

/// The manifest as the JSON text stored in `xfmr_manifest`.
std::string serializeManifest(const Manifest &manifest);
/// Parses (and validates) the text of `xfmr_manifest`.
llvm::Expected<Manifest> parseManifest(llvm::StringRef text);

/// The C header declaring the entry points of `manifest`: one descriptor
/// struct per (rank, element type), one result struct per multi-result
/// function, each typed entry, each packed entry and the manifest.
/// `libraryName` only appears in comments and the include guard;
/// `addendum` (declarations with their comments) goes after the manifest.
std::string generateCHeader(const Manifest &manifest,
                            llvm::StringRef libraryName,
                            llvm::StringRef addendum = "");

} // namespace mlir::xfmr

#endif // XFMR_TARGET_ENTRYABI_H

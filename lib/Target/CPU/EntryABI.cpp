//===- EntryABI.cpp - the manifest of compiled modules and its C header ---===//
//
// The manifest is written by the compiler and read back by the runtime from
// a module it did not build, so parsing validates everything it relies on.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Target/EntryABI.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace llvm;
using namespace mlir::xfmr;

StringRef mlir::xfmr::stringifyElementType(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  }
  llvm_unreachable("unknown element type");
}

std::optional<ElementType> mlir::xfmr::parseElementType(StringRef name) {
  return StringSwitch<std::optional<ElementType>>(name)
      .Case("f32", ElementType::F32)
      .Case("f16", ElementType::F16)
      .Case("bf16", ElementType::BF16)
      .Case("i32", ElementType::I32)
      .Case("i64", ElementType::I64)
      .Default(std::nullopt);
}

unsigned mlir::xfmr::getElementByteSize(ElementType type) {
  switch (type) {
  case ElementType::F16:
  case ElementType::BF16:
    return 2;
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::I64:
    return 8;
  }
  llvm_unreachable("unknown element type");
}

std::string TensorSignature::str() const {
  std::string s;
  raw_string_ostream os(s);
  for (int64_t d : shape) {
    if (d == kDynamicDim)
      os << '?';
    else
      os << d;
    os << 'x';
  }
  os << stringifyElementType(elementType);
  return s;
}

std::string EntrySignature::str() const {
  std::string s;
  raw_string_ostream os(s);
  os << name << '(';
  interleaveComma(args, os, [&](const TensorSignature &arg) {
    os << arg.name << ": " << arg.str();
  });
  os << ") -> (";
  interleaveComma(results, os,
                  [&](const TensorSignature &r) { os << r.str(); });
  os << ')';
  return s;
}

const EntrySignature *Manifest::lookup(StringRef name) const {
  for (const EntrySignature &entry : entries)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// JSON form
//===----------------------------------------------------------------------===//

static json::Value tensorToJSON(const TensorSignature &t, bool withName) {
  json::Object obj;
  if (withName)
    obj["name"] = t.name;
  obj["dtype"] = stringifyElementType(t.elementType);
  json::Array shape;
  for (int64_t d : t.shape)
    shape.push_back(d);
  obj["shape"] = std::move(shape);
  return obj;
}

std::string mlir::xfmr::serializeManifest(const Manifest &manifest) {
  json::Array entries;
  for (const EntrySignature &entry : manifest.entries) {
    json::Array args, results;
    for (const TensorSignature &arg : entry.args)
      args.push_back(tensorToJSON(arg, /*withName=*/true));
    for (const TensorSignature &result : entry.results)
      results.push_back(tensorToJSON(result, /*withName=*/false));
    json::Object e{{"name", entry.name},
                   {"packed", entry.getPackedSymbol()},
                   {"args", std::move(args)},
                   {"results", std::move(results)}};
    if (const std::optional<PreparedEntry> &p = entry.prepared) {
      json::Array weights(p->weights), inputs(p->inputs);
      e["prepared"] = json::Object{{"prepare", p->prepare},
                                   {"run", p->run},
                                   {"weights", std::move(weights)},
                                   {"inputs", std::move(inputs)}};
    }
    entries.push_back(std::move(e));
  }
  json::Value root =
      json::Object{{"abi", kEntryABIVersion}, {"entries", std::move(entries)}};
  std::string s;
  raw_string_ostream os(s);
  os << root;
  return s;
}

static Error manifestError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           "invalid manifest: " + message);
}

// Generous bound on ranks: anything above is a corrupt manifest, not a model.
static constexpr size_t kMaxRank = 64;

static Expected<TensorSignature>
tensorFromJSON(const json::Value &value, const Twine &what, bool withName) {
  const json::Object *obj = value.getAsObject();
  if (!obj)
    return manifestError(what + " is not an object");
  TensorSignature t;
  if (withName) {
    std::optional<StringRef> name = obj->getString("name");
    if (!name)
      return manifestError(what + " has no name");
    t.name = name->str();
  }
  std::optional<StringRef> dtype = obj->getString("dtype");
  if (!dtype)
    return manifestError(what + " has no dtype");
  std::optional<ElementType> type = parseElementType(*dtype);
  if (!type)
    return manifestError(what + " has unknown dtype '" + *dtype + "'");
  t.elementType = *type;
  const json::Array *shape = obj->getArray("shape");
  if (!shape)
    return manifestError(what + " has no shape");
  if (shape->size() > kMaxRank)
    return manifestError(what + " has rank " + Twine(shape->size()));
  for (const json::Value &d : *shape) {
    std::optional<int64_t> dim = d.getAsInteger();
    if (!dim || *dim < kDynamicDim)
      return manifestError(what + " has an invalid dimension");
    t.shape.push_back(*dim);
  }
  return t;
}

static Expected<PreparedEntry> preparedFromJSON(const json::Value &value,
                                                const EntrySignature &entry) {
  const json::Object *obj = value.getAsObject();
  std::string what = "the preparation form of '" + entry.name + "'";
  if (!obj)
    return manifestError(what + " is not an object");
  PreparedEntry p;
  std::optional<StringRef> prepare = obj->getString("prepare");
  std::optional<StringRef> run = obj->getString("run");
  if (!prepare || !run)
    return manifestError(what + " has no prepare/run entry");
  p.prepare = prepare->str();
  p.run = run->str();
  for (auto [key, out] :
       {std::pair{"weights", &p.weights}, std::pair{"inputs", &p.inputs}}) {
    const json::Array *list = obj->getArray(key);
    if (!list)
      return manifestError(what + " has no " + key);
    for (const json::Value &v : *list) {
      std::optional<int64_t> i = v.getAsInteger();
      if (!i || *i < 0 || *i >= (int64_t)entry.args.size())
        return manifestError(what + " has an argument index out of range");
      out->push_back(*i);
    }
  }
  return p;
}

Expected<Manifest> mlir::xfmr::parseManifest(StringRef text) {
  Expected<json::Value> root = json::parse(text);
  if (!root)
    return manifestError(toString(root.takeError()));
  const json::Object *obj = root->getAsObject();
  if (!obj)
    return manifestError("not a JSON object");
  std::optional<StringRef> abi = obj->getString("abi");
  if (!abi)
    return manifestError("no ABI version");
  if (*abi != kEntryABIVersion)
    return manifestError("ABI '" + *abi + "' is not supported (expected '" +
                         kEntryABIVersion + "')");
  const json::Array *entries = obj->getArray("entries");
  if (!entries)
    return manifestError("no entries");
  Manifest manifest;
  StringSet<> seen;
  for (auto [i, value] : enumerate(*entries)) {
    const json::Object *e = value.getAsObject();
    if (!e)
      return manifestError("entry " + Twine(i) + " is not an object");
    EntrySignature entry;
    std::optional<StringRef> name = e->getString("name");
    if (!name || name->empty())
      return manifestError("entry " + Twine(i) + " has no name");
    entry.name = name->str();
    if (!seen.insert(entry.name).second)
      return manifestError("entry '" + entry.name + "' appears twice");
    const json::Array *args = e->getArray("args");
    const json::Array *results = e->getArray("results");
    if (!args || !results)
      return manifestError("entry '" + entry.name + "' has no args/results");
    for (auto [j, a] : enumerate(*args)) {
      Expected<TensorSignature> t = tensorFromJSON(
          a, "argument " + Twine(j) + " of '" + entry.name + "'", true);
      if (!t)
        return t.takeError();
      entry.args.push_back(std::move(*t));
    }
    for (auto [j, r] : enumerate(*results)) {
      Expected<TensorSignature> t = tensorFromJSON(
          r, "result " + Twine(j) + " of '" + entry.name + "'", false);
      if (!t)
        return t.takeError();
      entry.results.push_back(std::move(*t));
    }
    if (const json::Value *p = e->get("prepared")) {
      Expected<PreparedEntry> prepared = preparedFromJSON(*p, entry);
      if (!prepared)
        return prepared.takeError();
      entry.prepared = std::move(*prepared);
    }
    manifest.entries.push_back(std::move(entry));
  }
  // The preparation form must name entries of this manifest whose
  // signatures fit together.
  for (const EntrySignature &entry : manifest.entries) {
    if (!entry.prepared)
      continue;
    const PreparedEntry &p = *entry.prepared;
    const EntrySignature *prepare = manifest.lookup(p.prepare);
    const EntrySignature *run = manifest.lookup(p.run);
    if (!prepare || !run)
      return manifestError("entry '" + entry.name +
                           "' names a missing preparation entry");
    if (prepare->args.size() != p.weights.size() ||
        run->args.size() != p.inputs.size() + prepare->results.size() ||
        run->results.size() != entry.results.size())
      return manifestError("the preparation entries of '" + entry.name +
                           "' do not fit its signature");
  }
  return manifest;
}

//===----------------------------------------------------------------------===//
// C header
//===----------------------------------------------------------------------===//

static StringRef getCElementType(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "float";
  case ElementType::F16:
  case ElementType::BF16:
    return "uint16_t";
  case ElementType::I32:
    return "int32_t";
  case ElementType::I64:
    return "int64_t";
  }
  llvm_unreachable("unknown element type");
}

static std::string getDescriptorName(int64_t rank, ElementType type) {
  return formatv("xfmr_memref_{0}d_{1}", rank, stringifyElementType(type));
}

static bool isCIdentifier(StringRef s) {
  if (s.empty() || !(isAlpha(s[0]) || s[0] == '_'))
    return false;
  return all_of(s, [](char c) { return isAlnum(c) || c == '_'; });
}

std::string mlir::xfmr::generateCHeader(const Manifest &manifest,
                                        StringRef libraryName,
                                        StringRef addendum) {
  std::string s;
  raw_string_ostream os(s);
  std::string guard = "XFMR_GENERATED_";
  for (char c : libraryName)
    guard += isAlnum(c) ? toUpper(c) : '_';
  guard += "_H";

  os << "/* C entry points of " << libraryName
     << ", generated by xfmr-compile.\n"
        " *\n"
        " * Tensors are passed as MLIR memref descriptors: element (i, j, "
        "...)\n"
        " * is aligned[offset + i * strides[0] + j * strides[1] + ...].\n"
        " * Inputs use the row-major layout of their sizes (strides[rank-1] "
        "== 1).\n"
        " * f16 and bf16 elements are stored as their 16-bit patterns.\n"
        " *\n"
        " * Ownership: the caller owns every returned buffer. Each result\n"
        " * descriptor holds a fresh malloc() allocation, never an input's;\n"
        " * release it with free(result.allocated) once done.\n"
        " *\n"
        " * xfmr_packed_<f>(args): args[i] points to argument i's descriptor\n"
        " * and args[<number of arguments>] to the result (struct), so that\n"
        " * a runtime can call any entry without knowing its arity.\n"
        " * xfmr_manifest describes every entry point as JSON.\n"
        " *\n"
        " * Weight preparation: for an entry <f> listed below with a\n"
        " * \"prepared form\", <f>_prepare(weights) returns its weights in\n"
        " * the layout the kernels read (once per set of weights), and\n"
        " * <f>_prepared(inputs, prepared weights) computes <f> without\n"
        " * transforming them again. The prepared buffers belong to the\n"
        " * caller like any result; keep them as long as <f>_prepared runs.\n"
        " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  // One descriptor struct per (rank, element type), guarded so that headers
  // of several modules can be included together.
  std::map<std::pair<int64_t, unsigned>, ElementType> descriptors;
  for (const EntrySignature &entry : manifest.entries) {
    for (const TensorSignature &t : entry.args)
      descriptors[{t.getRank(), unsigned(t.elementType)}] = t.elementType;
    for (const TensorSignature &t : entry.results)
      descriptors[{t.getRank(), unsigned(t.elementType)}] = t.elementType;
  }
  for (auto &[key, type] : descriptors) {
    int64_t rank = key.first;
    std::string name = getDescriptorName(rank, type);
    std::string upper = StringRef(name).upper();
    StringRef elt = getCElementType(type);
    os << "#ifndef " << upper << "_DEFINED\n#define " << upper
       << "_DEFINED\ntypedef struct " << name << " {\n"
       << "  " << elt << " *allocated;\n  " << elt << " *aligned;\n"
       << "  int64_t offset;\n";
    if (rank > 0)
      os << "  int64_t sizes[" << rank << "];\n  int64_t strides[" << rank
         << "];\n";
    os << "} " << name << ";\n#endif\n\n";
  }

  for (const EntrySignature &entry : manifest.entries) {
    os << "/* " << entry.str() << " */\n";
    if (const std::optional<PreparedEntry> &p = entry.prepared) {
      auto argList = [&](ArrayRef<int64_t> indices) {
        std::string list;
        for (int64_t i : indices)
          list += (list.empty() ? "" : ", ") + entry.args[i].name;
        return list;
      };
      os << "/* Prepared form: " << p->prepare << '(' << argList(p->weights)
         << ") once, then " << p->run << '(' << argList(p->inputs)
         << (p->inputs.empty() ? "" : ", ") << "<prepared weights>). */\n";
    }
    if (!isCIdentifier(entry.name)) {
      os << "/* '" << entry.name
         << "' is not a C identifier: call it through dlsym(). */\n\n";
      continue;
    }
    std::string outType;
    if (entry.results.size() == 1) {
      const TensorSignature &r = entry.results.front();
      outType = getDescriptorName(r.getRank(), r.elementType);
    } else if (entry.results.size() > 1) {
      outType = entry.name + "_results";
      os << "typedef struct " << outType << " {\n";
      for (auto [i, r] : enumerate(entry.results))
        os << "  " << getDescriptorName(r.getRank(), r.elementType) << " r" << i
           << ";\n";
      os << "} " << outType << ";\n";
    }
    // Argument names come from the source; keep the out parameter apart.
    std::string outName = "out";
    while (any_of(entry.args,
                  [&](const TensorSignature &a) { return a.name == outName; }))
      outName += '_';
    os << "void " << entry.name << '(';
    bool first = true;
    if (!outType.empty()) {
      os << outType << " *" << outName;
      first = false;
    }
    for (auto [i, a] : enumerate(entry.args)) {
      if (!first)
        os << ", ";
      first = false;
      os << "const " << getDescriptorName(a.getRank(), a.elementType) << " *"
         << (isCIdentifier(a.name) ? a.name : "arg" + std::to_string(i));
    }
    if (first)
      os << "void";
    os << ");\nvoid " << entry.getPackedSymbol() << "(void **args);\n\n";
  }
  os << "extern const char " << kManifestSymbol << "[];\n\n"
     << addendum << (addendum.empty() ? "" : "\n")
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return s;
}

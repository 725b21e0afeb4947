//===- Npy.cpp - NumPy .npy reading and writing ---------------------------===//
//
// The format: "\x93NUMPY", a major and minor version byte, the header length
// (2 bytes little-endian in version 1, 4 in versions 2 and 3), the header (a
// Python dict literal with 'descr', 'fortran_order' and 'shape'), then the
// raw data. Files come from users, so every size is checked before it is
// trusted.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Runtime/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace mlir::xfmr;

static constexpr StringLiteral kMagic("\x93NUMPY");
static constexpr size_t kMaxRank = 64;

namespace {
/// The three keys of an .npy header, parsed from its Python dict literal.
struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  SmallVector<int64_t> shape;
};

class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : text(text) {}

  Expected<NpyHeader> parse() {
    NpyHeader header;
    bool haveDescr = false, haveOrder = false, haveShape = false;
    if (!consume('{'))
      return error("expected '{'");
    while (!consume('}')) {
      std::string key;
      if (Error e = parseString(key))
        return std::move(e);
      if (!consume(':'))
        return error("expected ':' after '" + key + "'");
      if (key == "descr") {
        if (Error e = parseString(header.descr))
          return std::move(e);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (consumeWord("True"))
          header.fortranOrder = true;
        else if (!consumeWord("False"))
          return error("expected True or False for 'fortran_order'");
        haveOrder = true;
      } else if (key == "shape") {
        if (Error e = parseShape(header.shape))
          return std::move(e);
        haveShape = true;
      } else {
        return error("unexpected key '" + key + "'");
      }
      if (!consume(',') && !peek('}'))
        return error("expected ',' or '}'");
    }
    skipSpace();
    if (!text.empty())
      return error("unexpected text after the dictionary");
    if (!haveDescr || !haveOrder || !haveShape)
      return error("'descr', 'fortran_order' and 'shape' are all required");
    return header;
  }

private:
  Error error(const Twine &message) {
    return createStringError(inconvertibleErrorCode(),
                             "bad header: " + message);
  }
  void skipSpace() { text = text.ltrim(" \t\r\n"); }
  bool peek(char c) {
    skipSpace();
    return text.starts_with(StringRef(&c, 1));
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    text = text.drop_front();
    return true;
  }
  bool consumeWord(StringRef word) {
    skipSpace();
    return text.consume_front(word);
  }
  Error parseString(std::string &out) {
    skipSpace();
    if (text.empty() || (text[0] != '\'' && text[0] != '"'))
      return error("expected a quoted string");
    char quote = text[0];
    size_t end = text.find(quote, 1);
    if (end == StringRef::npos)
      return error("unterminated string");
    out = text.slice(1, end).str();
    text = text.drop_front(end + 1);
    return Error::success();
  }
  Error parseShape(SmallVectorImpl<int64_t> &shape) {
    if (!consume('('))
      return error("expected '(' for 'shape'");
    while (!consume(')')) {
      skipSpace();
      size_t n = 0;
      while (n < text.size() && isDigit(text[n]))
        ++n;
      int64_t d;
      if (n == 0 || text.take_front(n).getAsInteger(10, d))
        return error("invalid dimension in 'shape'");
      if (shape.size() == kMaxRank)
        return error("'shape' has more than " + Twine(kMaxRank) +
                     " dimensions");
      shape.push_back(d);
      text = text.drop_front(n);
      if (!consume(',') && !peek(')'))
        return error("expected ',' or ')' in 'shape'");
    }
    return Error::success();
  }

  StringRef text;
};
} // namespace

static Error npyError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), name + ": " + message);
}

static Expected<ElementType> parseDescr(StringRef descr, StringRef name) {
  if (descr.size() >= 2 && descr[0] == '>')
    return npyError(name, "big-endian dtype '" + descr + "' is not supported");
  StringRef kind = descr;
  if (!kind.consume_front("<"))
    kind.consume_front("=");
  std::optional<ElementType> type =
      StringSwitch<std::optional<ElementType>>(kind)
          .Case("f4", ElementType::F32)
          .Case("f2", ElementType::F16)
          .Case("i4", ElementType::I32)
          .Case("i8", ElementType::I64)
          .Default(std::nullopt);
  if (!type || kind.size() == descr.size())
    return npyError(name, "unsupported dtype '" + descr +
                              "' (expected '<f4', '<f2', '<i4' or '<i8')");
  return *type;
}

Expected<HostTensor> mlir::xfmr::parseNpy(StringRef bytes, StringRef name) {
  if (bytes.size() < 10 || !bytes.starts_with(kMagic))
    return npyError(name, "not a .npy file (no \\x93NUMPY magic)");
  unsigned major = uint8_t(bytes[6]), minor = uint8_t(bytes[7]);
  if (major < 1 || major > 3)
    return npyError(name, "unsupported .npy format version " + Twine(major) +
                              "." + Twine(minor));
  size_t prefix = major == 1 ? 10 : 12;
  if (bytes.size() < prefix)
    return npyError(name, "truncated header");
  uint64_t headerLength = major == 1
                              ? support::endian::read16le(bytes.data() + 8)
                              : support::endian::read32le(bytes.data() + 8);
  if (headerLength > bytes.size() - prefix)
    return npyError(name, "truncated header: it claims " + Twine(headerLength) +
                              " bytes, the file has " +
                              Twine(bytes.size() - prefix));
  Expected<NpyHeader> header =
      HeaderParser(bytes.substr(prefix, headerLength)).parse();
  if (!header)
    return npyError(name, toString(header.takeError()));
  if (header->fortranOrder)
    return npyError(name, "Fortran-order arrays are not supported (save a "
                          "C-contiguous array, e.g. np.ascontiguousarray)");
  Expected<ElementType> type = parseDescr(header->descr, name);
  if (!type)
    return type.takeError();

  uint64_t elementSize = getElementByteSize(*type);
  uint64_t expected = elementSize;
  for (int64_t d : header->shape)
    if (__builtin_mul_overflow(expected, uint64_t(d), &expected))
      return npyError(name, "shape is too large");
  StringRef data = bytes.drop_front(prefix + headerLength);
  if (data.size() < expected)
    return npyError(name, "truncated data: the shape needs " + Twine(expected) +
                              " bytes, the file has " + Twine(data.size()));
  if (data.size() > expected)
    return npyError(name, Twine(data.size() - expected) +
                              " unexpected bytes after the data");

  Expected<HostTensor> tensor = HostTensor::allocate(*type, header->shape);
  if (!tensor)
    return npyError(name, toString(tensor.takeError()));
  if (expected)
    std::memcpy(tensor->getData(), data.data(), expected);
  return tensor;
}

Expected<HostTensor> mlir::xfmr::readNpyFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read '" + path +
                                 "': " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string mlir::xfmr::serializeNpy(const HostTensor &tensor) {
  // bf16 has no NumPy dtype; widening to f32 is exact.
  bool widen = tensor.getElementType() == ElementType::BF16;
  StringRef descr;
  switch (tensor.getElementType()) {
  case ElementType::F32:
  case ElementType::BF16:
    descr = "<f4";
    break;
  case ElementType::F16:
    descr = "<f2";
    break;
  case ElementType::I32:
    descr = "<i4";
    break;
  case ElementType::I64:
    descr = "<i8";
    break;
  }
  std::string dict;
  raw_string_ostream os(dict);
  os << "{'descr': '" << descr << "', 'fortran_order': False, 'shape': (";
  for (int64_t d : tensor.getShape())
    os << d << (tensor.getRank() == 1 ? "," : ", ");
  if (tensor.getRank() > 1)
    dict.resize(dict.size() - 2);
  os << "), }";

  // Pad with spaces so that the data starts on a 64-byte boundary, as NumPy
  // does; the header ends with a newline.
  size_t prefix = dict.size() + 1 < 65536 - 64 ? 10 : 12;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict.push_back('\n');

  std::string out(kMagic);
  out.push_back(prefix == 10 ? 1 : 2);
  out.push_back(0);
  char length[4];
  if (prefix == 10) {
    support::endian::write16le(length, dict.size());
    out.append(length, 2);
  } else {
    support::endian::write32le(length, dict.size());
    out.append(length, 4);
  }
  out += dict;
  if (widen) {
    for (uint16_t bits : tensor.getValues<uint16_t>()) {
      float f = bfloat16ToFloat(bits);
      out.append(reinterpret_cast<const char *>(&f), sizeof(f));
    }
  } else {
    out.append(static_cast<const char *>(tensor.getData()),
               tensor.getByteSize());
  }
  return out;
}

Error mlir::xfmr::writeNpyFile(const HostTensor &tensor, StringRef path) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec,
                             "cannot write '" + path + "': " + ec.message());
  os << serializeNpy(tensor);
  os.close();
  if (os.has_error()) {
    std::error_code err = os.error();
    os.clear_error();
    return createStringError(err,
                             "cannot write '" + path + "': " + err.message());
  }
  return Error::success();
}

//===- XfmrModule.cpp - the _xfmr extension over the xfmr C API -----------===//
//
// The native half of the `xfmr` Python package: thin classes over the
// handles of include/xfmr-c/xfmr.h, nothing else. Every failed status is
// raised as xfmr.Error with its diagnostic text; the Python half
// (xfmr/__init__.py) adds the builder sugar and the torch interop.
//
//===----------------------------------------------------------------------===//

#include "xfmr-c/xfmr.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

/// Raised as xfmr.Error.
struct XfmrError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(xfmr_status status) {
  if (!status)
    return;
  std::string message = xfmr_status_message(status);
  xfmr_status_free(status);
  throw XfmrError(message);
}

std::string takeString(char *text) {
  std::string out = text ? text : "";
  xfmr_string_free(text);
  return out;
}

struct Context {
  xfmr_context handle = nullptr;
  Context() { check(xfmr_context_create(&handle)); }
  ~Context() { xfmr_context_destroy(handle); }
};

std::shared_ptr<Context> defaultContext() {
  static std::shared_ptr<Context> context = std::make_shared<Context>();
  return context;
}

struct Module {
  std::shared_ptr<Context> context;
  xfmr_module handle = nullptr;
  ~Module() { xfmr_module_destroy(handle); }
};

struct Value {
  std::shared_ptr<Module> module;
  xfmr_value value;
  std::string type() const {
    char *text = nullptr;
    check(xfmr_value_type(value, &text));
    return takeString(text);
  }
};

struct Function {
  std::shared_ptr<Module> module;
  xfmr_function handle;
  std::string name;
};

struct Executable {
  xfmr_executable handle = nullptr;
  ~Executable() { xfmr_executable_destroy(handle); }
};

py::dtype numpyDtype(xfmr_dtype dtype) {
  switch (dtype) {
  case XFMR_F32:
    return py::dtype("float32");
  case XFMR_F16:
    return py::dtype("float16");
  case XFMR_BF16:
    return py::dtype("uint16"); // raw bfloat16 bits
  case XFMR_I32:
    return py::dtype("int32");
  case XFMR_I64:
    return py::dtype("int64");
  }
  return py::dtype("float32");
}

/// The xfmr dtype of a numpy array; uint16 stands for bfloat16 bits.
std::optional<xfmr_dtype> xfmrDtype(const py::array &a) {
  char kind = a.dtype().kind();
  ssize_t size = a.itemsize();
  if (kind == 'f' && size == 4)
    return XFMR_F32;
  if (kind == 'f' && size == 2)
    return XFMR_F16;
  if (kind == 'u' && size == 2)
    return XFMR_BF16;
  if (kind == 'i' && size == 4)
    return XFMR_I32;
  if (kind == 'i' && size == 8)
    return XFMR_I64;
  return std::nullopt;
}

py::dict signatureDict(xfmr_tensor_signature s) {
  py::dict d;
  d["name"] = s.name;
  d["dtype"] = xfmr_dtype_name(s.dtype);
  py::list shape;
  for (int64_t i = 0; i < s.rank; ++i)
    shape.append(s.shape[i] < 0 ? py::object(py::none())
                                : py::object(py::int_(s.shape[i])));
  d["shape"] = py::tuple(shape);
  return d;
}

xfmr_entry lookup(const Executable &exe, const std::string &name) {
  xfmr_entry entry = nullptr;
  check(xfmr_executable_lookup(exe.handle, name.c_str(), &entry));
  return entry;
}

/// Calls `name` on numpy arrays: C-contiguous arrays are passed in place,
/// others with their strides (the C API copies them).
py::list call(const Executable &exe, const std::string &name,
              const py::list &arguments) {
  xfmr_entry entry = lookup(exe, name);
  std::vector<py::array> arrays;
  std::vector<std::vector<int64_t>> shapes, strides;
  std::vector<xfmr_tensor_view> views;
  for (size_t i = 0; i < arguments.size(); ++i) {
    py::array a = py::array::ensure(arguments[i]);
    if (!a)
      throw XfmrError("calling '" + name + "': argument " + std::to_string(i) +
                      " is not an array");
    std::optional<xfmr_dtype> dtype = xfmrDtype(a);
    if (!dtype)
      throw XfmrError(
          "calling '" + name + "': argument " + std::to_string(i) +
          " has numpy dtype " + std::string(py::str(a.dtype())) +
          "; expected float32, float16, uint16 (bfloat16 bits), int32 or "
          "int64");
    bool elementStrides = true;
    for (ssize_t d = 0; d < a.ndim(); ++d)
      elementStrides &= a.strides(d) % a.itemsize() == 0;
    if (!elementStrides)
      a = py::array::ensure(a, py::array::c_style);
    std::vector<int64_t> &shape = shapes.emplace_back();
    std::vector<int64_t> &stride = strides.emplace_back();
    for (ssize_t d = 0; d < a.ndim(); ++d) {
      shape.push_back(a.shape(d));
      stride.push_back(a.strides(d) / a.itemsize());
    }
    views.push_back({const_cast<void *>(a.data()), *dtype, int64_t(a.ndim()),
                     shape.data(), stride.data()});
    arrays.push_back(std::move(a));
  }
  size_t numResults = xfmr_entry_num_results(entry);
  std::vector<xfmr_tensor> results(numResults, nullptr);
  xfmr_status status;
  {
    py::gil_scoped_release release;
    status = xfmr_call(exe.handle, entry, views.size(), views.data(),
                       numResults, results.data());
  }
  check(status);
  py::list out;
  for (xfmr_tensor t : results) {
    py::capsule owner(
        t, [](void *p) { xfmr_tensor_free(static_cast<xfmr_tensor>(p)); });
    std::vector<ssize_t> shape(xfmr_tensor_shape(t),
                               xfmr_tensor_shape(t) + xfmr_tensor_rank(t));
    out.append(py::array(numpyDtype(xfmr_tensor_dtype(t)), shape,
                         xfmr_tensor_data(t), owner));
  }
  return out;
}

} // namespace

PYBIND11_MODULE(_xfmr, m) {
  m.doc() = "Native half of the xfmr package (over the xfmr C API).";
  py::register_exception<XfmrError>(m, "Error");

  py::class_<Module, std::shared_ptr<Module>>(m, "_Module")
      .def_static(
          "parse",
          [](const std::string &text, const std::string &filename) {
            auto mod = std::make_shared<Module>();
            mod->context = defaultContext();
            check(xfmr_module_parse(mod->context->handle, text.data(),
                                    text.size(), filename.c_str(),
                                    &mod->handle));
            return mod;
          },
          py::arg("text"), py::arg("filename") = "<input>")
      .def_static("create",
                  [] {
                    auto mod = std::make_shared<Module>();
                    mod->context = defaultContext();
                    check(
                        xfmr_module_create(mod->context->handle, &mod->handle));
                    return mod;
                  })
      .def(
          "print",
          [](const Module &mod, bool generic) {
            char *text = nullptr;
            check(xfmr_module_print(mod.handle, generic, &text));
            return takeString(text);
          },
          py::arg("generic") = false)
      .def("verify",
           [](const Module &mod) { check(xfmr_module_verify(mod.handle)); })
      .def("run_pipeline",
           [](const Module &mod, const std::string &pipeline) {
             py::gil_scoped_release release;
             check(xfmr_module_run_pipeline(mod.handle, pipeline.c_str()));
           })
      .def("compile_jit",
           [](const Module &mod, const std::string &options) {
             auto exe = std::make_shared<Executable>();
             py::gil_scoped_release release;
             check(xfmr_compile_jit(mod.handle, options.c_str(), &exe->handle));
             return exe;
           })
      .def("compile_shared_library",
           [](const Module &mod, const std::string &options,
              const std::string &path) {
             py::gil_scoped_release release;
             check(xfmr_compile_shared_library(mod.handle, options.c_str(),
                                               path.c_str()));
           })
      .def("function", [](std::shared_ptr<Module> mod, const std::string &name,
                          const py::list &args) {
        std::vector<std::string> names;
        std::vector<std::vector<int64_t>> shapes;
        std::vector<xfmr_arg_spec> specs;
        names.reserve(args.size());
        shapes.reserve(args.size());
        for (py::handle item : args) {
          auto t = item.cast<py::tuple>();
          if (t.size() != 3)
            throw XfmrError("function '" + name +
                            "': each argument is (name, shape, dtype)");
          names.push_back(t[0].cast<std::string>());
          std::vector<int64_t> &shape = shapes.emplace_back();
          for (py::handle d : t[1].cast<py::sequence>())
            shape.push_back(d.is_none() ? -1 : d.cast<int64_t>());
          xfmr_dtype dtype;
          check(xfmr_dtype_parse(t[2].cast<std::string>().c_str(), &dtype));
          specs.push_back(
              {nullptr, dtype, int64_t(shape.size()), shape.data()});
        }
        for (size_t i = 0; i < specs.size(); ++i)
          specs[i].name = names[i].c_str();
        Function f{mod, nullptr, name};
        check(xfmr_function_create(mod->handle, name.c_str(), specs.size(),
                                   specs.data(), &f.handle));
        return f;
      });

  py::class_<Value>(m, "Value")
      .def_property_readonly("type", &Value::type)
      .def("__repr__",
           [](const Value &v) { return "<xfmr.Value " + v.type() + ">"; });

  py::class_<Function>(m, "_Function")
      .def_readonly("name", &Function::name)
      .def_property_readonly(
          "args",
          [](const Function &f) {
            py::list out;
            size_t n = xfmr_function_num_args(f.handle);
            for (size_t i = 0; i < n; ++i)
              out.append(Value{f.module, xfmr_function_arg(f.handle, i)});
            return out;
          })
      .def(
          "add_op",
          [](const Function &f, const std::string &opName,
             const py::list &operands, std::optional<std::string> attributes,
             std::optional<std::string> resultTypes) {
            std::vector<xfmr_value> values;
            for (py::handle o : operands)
              values.push_back(o.is_none() ? xfmr_value{nullptr}
                                           : o.cast<Value &>().value);
            std::vector<xfmr_value> results(16);
            size_t n = 0;
            check(xfmr_function_add_op(
                f.handle, opName.c_str(), values.size(), values.data(),
                attributes ? attributes->c_str() : nullptr,
                resultTypes ? resultTypes->c_str() : nullptr, results.size(),
                results.data(), &n));
            py::list out;
            for (size_t i = 0; i < n && i < results.size(); ++i)
              out.append(Value{f.module, results[i]});
            return out;
          },
          py::arg("op_name"), py::arg("operands"),
          py::arg("attributes") = py::none(),
          py::arg("result_types") = py::none())
      .def("ret", [](const Function &f, const py::list &values) {
        std::vector<xfmr_value> vs;
        for (py::handle v : values)
          vs.push_back(v.cast<Value &>().value);
        check(xfmr_function_return(f.handle, vs.size(), vs.data()));
      });

  py::class_<Executable, std::shared_ptr<Executable>>(m, "_Executable")
      .def_static("load",
                  [](const std::string &path) {
                    auto exe = std::make_shared<Executable>();
                    py::gil_scoped_release release;
                    check(xfmr_executable_load(path.c_str(), &exe->handle));
                    return exe;
                  })
      .def("functions",
           [](const Executable &exe) {
             py::list names;
             size_t n = xfmr_executable_num_functions(exe.handle);
             for (size_t i = 0; i < n; ++i)
               names.append(
                   xfmr_entry_name(xfmr_executable_function(exe.handle, i)));
             return names;
           })
      .def("signature",
           [](const Executable &exe, const std::string &name) {
             xfmr_entry e = lookup(exe, name);
             py::dict d;
             py::list args, results;
             for (size_t i = 0; i < xfmr_entry_num_args(e); ++i)
               args.append(signatureDict(xfmr_entry_arg(e, i)));
             for (size_t i = 0; i < xfmr_entry_num_results(e); ++i)
               results.append(signatureDict(xfmr_entry_result(e, i)));
             char *text = nullptr;
             check(xfmr_entry_signature_string(e, &text));
             d["name"] = name;
             d["args"] = args;
             d["results"] = results;
             d["text"] = takeString(text);
             return d;
           })
      .def("call", &call);
}

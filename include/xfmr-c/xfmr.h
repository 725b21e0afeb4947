/*===- xfmr-c/xfmr.h - the C API of xfmr --------------------------*- C -*-===*\
|*                                                                            *|
|* Embedding xfmr in another framework: parse or build a module of xfmr      *|
|* ops, run pipelines on it, compile it for the CPU (JIT or shared library), *|
|* load compiled modules and call their functions on tensor views.           *|
|*                                                                            *|
|* Conventions:                                                               *|
|*  - Every fallible function returns an xfmr_status: NULL on success, else  *|
|*    an object carrying the diagnostic text (file:line:col where the input  *|
|*    has a location), read with xfmr_status_message() and released with    *|
|*    xfmr_status_free(). Nothing aborts and no C++ exception crosses this   *|
|*    boundary. Output parameters are written only on success.               *|
|*  - Handles are opaque pointers; each kind has one destroy/free function.  *|
|*    A module and the functions and values built in it belong to its       *|
|*    context and must not outlive it. An executable is independent of the  *|
|*    context and module it was compiled from.                                *|
|*  - Strings returned as `const char *` live as long as their owner;       *|
|*    strings returned as `char *` are freed with xfmr_string_free().        *|
|*                                                                            *|
|* Building IR: one generic entry, xfmr_function_add_op(), creates any op    *|
|* of any registered dialect by name ("xfmr.gated_ffn", "arith.addf") from   *|
|* its operands, in the op's ODS order (a NULL value for an absent optional  *|
|* operand), and its attributes as the text of an MLIR attribute dictionary  *|
|* ("{top_k = 2 : i64, activation = #xfmr.activation<silu>}"). Result types  *|
|* are inferred (every xfmr op infers them) unless given as text. The op is  *|
|* verified at once, so a bad shape is reported when the op is added. Ops    *|
|* with regions (scf.for, linalg.generic) cannot be built this way: parse    *|
|* them from text instead.                                                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef XFMR_C_XFMR_H
#define XFMR_C_XFMR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*===-- Status ------------------------------------------------------------===*/

typedef struct xfmr_status_s *xfmr_status;

/* The diagnostic text of a failure ("" for NULL, i.e. success). */
const char *xfmr_status_message(xfmr_status status);
void xfmr_status_free(xfmr_status status);
void xfmr_string_free(char *string);

/*===-- Element types -----------------------------------------------------===*/

typedef enum xfmr_dtype {
  XFMR_F32 = 0,
  XFMR_F16 = 1,
  XFMR_BF16 = 2,
  XFMR_I32 = 3,
  XFMR_I64 = 4
} xfmr_dtype;

/* "f32", "f16", "bf16", "i32", "i64"; NULL for an invalid value. */
const char *xfmr_dtype_name(xfmr_dtype dtype);
/* Bytes per element; 0 for an invalid value. */
size_t xfmr_dtype_size(xfmr_dtype dtype);
/* Parses a dtype name; fails for anything else. */
xfmr_status xfmr_dtype_parse(const char *name, xfmr_dtype *out);

/*===-- Context -----------------------------------------------------------===*/

typedef struct xfmr_context_s *xfmr_context;

/* A context with every dialect, pass and pipeline of xfmr registered. */
xfmr_status xfmr_context_create(xfmr_context *out);
void xfmr_context_destroy(xfmr_context context);

/*===-- Modules -----------------------------------------------------------===*/

typedef struct xfmr_module_s *xfmr_module;

/* Parses and verifies a module; diagnostics name `filename` (or "<input>"). */
xfmr_status xfmr_module_parse(xfmr_context context, const char *text,
                              size_t length, const char *filename,
                              xfmr_module *out);
/* An empty module, to be filled with xfmr_function_create(). */
xfmr_status xfmr_module_create(xfmr_context context, xfmr_module *out);
void xfmr_module_destroy(xfmr_module module);
/* The module's text (generic form with `generic` != 0). */
xfmr_status xfmr_module_print(xfmr_module module, int generic, char **out);
xfmr_status xfmr_module_verify(xfmr_module module);
/* Runs, in place, either a named pipeline or pass ("xfmr-cpu-pipeline",
 * "xfmr-to-linalg-pipeline{moe-all-experts=true}", "canonicalize,cse") or a
 * full pipeline "builtin.module(...)". */
xfmr_status xfmr_module_run_pipeline(xfmr_module module, const char *pipeline);

/*===-- Building functions ------------------------------------------------===*/

typedef struct xfmr_function_s *xfmr_function;
typedef struct xfmr_value {
  void *ptr;
} xfmr_value;

/* An argument of a function being built: name (a C identifier, used by the
 * compiled entry point and its error messages), element type and shape
 * (-1 for a dynamic dimension). */
typedef struct xfmr_arg_spec {
  const char *name;
  xfmr_dtype dtype;
  int64_t rank;
  const int64_t *shape;
} xfmr_arg_spec;

/* Adds a public func.func `name` with tensor arguments to `module`. The
 * function belongs to the module (no destroy). */
xfmr_status xfmr_function_create(xfmr_module module, const char *name,
                                 size_t num_args, const xfmr_arg_spec *args,
                                 xfmr_function *out);
size_t xfmr_function_num_args(xfmr_function function);
/* Argument `index`; a null value (ptr == NULL) when out of range. */
xfmr_value xfmr_function_arg(xfmr_function function, size_t index);

/* Appends op `op_name` with `operands` (NULL entries: absent optional
 * operands) and `attributes` (an attribute dictionary as text, "{...}", or
 * NULL/"" for none). `result_types` is NULL to infer the results, else their
 * types as text ("tensor<?x64xf32>, tensor<?x2xi32>"). Writes up to
 * `max_results` results to `results` and their count to `num_results`
 * (either may be NULL). */
xfmr_status xfmr_function_add_op(xfmr_function function, const char *op_name,
                                 size_t num_operands,
                                 const xfmr_value *operands,
                                 const char *attributes,
                                 const char *result_types, size_t max_results,
                                 xfmr_value *results, size_t *num_results);
/* Terminates the function with func.return of `values`, which fixes its
 * result types. */
xfmr_status xfmr_function_return(xfmr_function function, size_t num_values,
                                 const xfmr_value *values);
/* The type of a value as text, e.g. "tensor<?x64xf32>". */
xfmr_status xfmr_value_type(xfmr_value value, char **out);

/*===-- Compiling ---------------------------------------------------------===*/

typedef struct xfmr_executable_s *xfmr_executable;

/* `options` is a space-separated list of key=value pairs (NULL or "" for the
 * defaults): the target options opt-level=0..3 (default 2), cpu=NAME
 * (default host), features=+a,-b, and every option of xfmr-cpu-pipeline
 * (vectorize=false, moe-all-experts=true, ...). The module is not modified. */

/* Compiles `module` for the host CPU with the JIT. */
xfmr_status xfmr_compile_jit(xfmr_module module, const char *options,
                             xfmr_executable *out);
/* Compiles `module` into the shared library `path`, with its C header next
 * to it (foo.so -> foo.h). */
xfmr_status xfmr_compile_shared_library(xfmr_module module, const char *options,
                                        const char *path);

/* Loads a shared library written by xfmr_compile_shared_library() or
 * xfmr-compile --emit=shared, or JIT-compiles an .mlir file. */
xfmr_status xfmr_executable_load(const char *path, xfmr_executable *out);
void xfmr_executable_destroy(xfmr_executable executable);

/*===-- Entry points and their signatures ---------------------------------===*/

typedef const struct xfmr_entry_s *xfmr_entry;

typedef struct xfmr_tensor_signature {
  const char *name; /* argument name; "" for results */
  xfmr_dtype dtype;
  int64_t rank;
  const int64_t *shape; /* -1 for a dynamic dimension */
} xfmr_tensor_signature;

size_t xfmr_executable_num_functions(xfmr_executable executable);
/* Function `index` in module order; NULL when out of range. */
xfmr_entry xfmr_executable_function(xfmr_executable executable, size_t index);
/* Looks a function up by name; the error lists the functions there are. */
xfmr_status xfmr_executable_lookup(xfmr_executable executable, const char *name,
                                   xfmr_entry *out);

const char *xfmr_entry_name(xfmr_entry entry);
size_t xfmr_entry_num_args(xfmr_entry entry);
size_t xfmr_entry_num_results(xfmr_entry entry);
/* Argument or result `index`; all fields zero when out of range. The
 * pointers live as long as the executable. */
xfmr_tensor_signature xfmr_entry_arg(xfmr_entry entry, size_t index);
xfmr_tensor_signature xfmr_entry_result(xfmr_entry entry, size_t index);
/* "f(x: ?x64xf32, w: 128x64xf32) -> (?x128xf32)". */
xfmr_status xfmr_entry_signature_string(xfmr_entry entry, char **out);

/*===-- Calling -----------------------------------------------------------===*/

/* A borrowed view of a caller's tensor. `strides` are in elements (not
 * bytes); NULL means C-contiguous (row-major). C-contiguous views are passed
 * without a copy; any other strides (negative included) are copied into a
 * contiguous temporary first. */
typedef struct xfmr_tensor_view {
  void *data;
  xfmr_dtype dtype;
  int64_t rank;
  const int64_t *shape;
  const int64_t *strides;
} xfmr_tensor_view;

/* A result tensor, dense and row-major, owned by the caller. */
typedef struct xfmr_tensor_s *xfmr_tensor;

/* Calls `entry` of `executable` after checking every view against the
 * signature (count, element type, rank, static dimensions). On success
 * writes exactly xfmr_entry_num_results(entry) owned tensors to `results`
 * (`num_results` must be that count). */
xfmr_status xfmr_call(xfmr_executable executable, xfmr_entry entry,
                      size_t num_args, const xfmr_tensor_view *args,
                      size_t num_results, xfmr_tensor *results);

void *xfmr_tensor_data(xfmr_tensor tensor);
xfmr_dtype xfmr_tensor_dtype(xfmr_tensor tensor);
int64_t xfmr_tensor_rank(xfmr_tensor tensor);
const int64_t *xfmr_tensor_shape(xfmr_tensor tensor);
int64_t xfmr_tensor_num_elements(xfmr_tensor tensor);
size_t xfmr_tensor_byte_size(xfmr_tensor tensor);
void xfmr_tensor_free(xfmr_tensor tensor);

#ifdef __cplusplus
}
#endif

#endif /* XFMR_C_XFMR_H */

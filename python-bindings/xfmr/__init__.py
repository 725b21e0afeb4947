"""xfmr: compile transformer blocks written in the xfmr MLIR dialect.

    import numpy as np, xfmr
    exe = xfmr.compile(open("ffn.mlir").read(), vectorize=True)
    y = exe.ffn(x, w_gate, w_up, w_down)        # numpy (or CPU torch) in, numpy out

    b = xfmr.Builder()
    f = b.function("ffn", [("x", (None, 64), "f32"), ("wg", (128, 64), "f32"),
                           ("wu", (128, 64), "f32"), ("wd", (64, 128), "f32")])
    x, wg, wu, wd = f.args
    f.ret(f.gated_ffn("silu", x, wg, wu, wd))
    print(b.print())
    exe = b.compile()

Every failure raises xfmr.Error with the compiler's diagnostic text.
Everything here goes through the C API (include/xfmr-c/xfmr.h).
"""

from ._xfmr import Error, Value
from . import _xfmr

import json as _json

__all__ = ["Error", "Value", "Module", "Builder", "Function", "Executable",
           "compile", "load"]


def _options_string(options):
    """compile(..., opt_level=3, vectorize=False) -> "opt-level=3 vectorize=false"."""
    words = []
    for key, value in options.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        words.append("%s=%s" % (key.replace("_", "-"), value))
    return " ".join(words)


class Module:
    """A module of MLIR IR (xfmr, func, arith, tensor, linalg ...)."""

    def __init__(self, handle):
        self._handle = handle

    @staticmethod
    def parse(text, filename="<input>"):
        """Parses and verifies `text`; errors carry filename:line:col."""
        return Module(_xfmr._Module.parse(text, filename))

    def print(self, generic=False):
        return self._handle.print(generic)

    __str__ = print

    def verify(self):
        self._handle.verify()

    def run_pipeline(self, pipeline):
        """Runs a named pipeline or pass list in place, e.g.
        "xfmr-to-linalg-pipeline" or "canonicalize,cse"; returns self."""
        self._handle.run_pipeline(pipeline)
        return self

    def compile(self, target="cpu", shared_library=None, **options):
        return compile(self, target=target, shared_library=shared_library,
                       **options)


def _torch_to_numpy(value):
    """CPU torch tensors are viewed as numpy arrays (no copy)."""
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        if value.device.type != "cpu":
            raise Error("xfmr runs on the CPU: move the tensor to the CPU "
                        "first (got a tensor on %s)" % value.device)
        return value.detach().numpy()
    return value


class Function:
    """A compiled function: call it with numpy arrays or CPU torch tensors.
    Returns one numpy array, or a tuple of them for several results."""

    def __init__(self, executable, name):
        self._exe = executable
        self.name = name
        self.signature = executable._handle.signature(name)

    def __call__(self, *args):
        arrays = [_torch_to_numpy(a) for a in args]
        results = self._exe._handle.call(self.name, arrays)
        return results[0] if len(results) == 1 else tuple(results)

    def __repr__(self):
        return "<xfmr.Function %s>" % self.signature["text"]


class Executable:
    """Compiled code (JIT or a loaded shared library): its functions are
    attributes, or items by name."""

    def __init__(self, handle):
        self._handle = handle
        self.functions = list(handle.functions())

    def __getitem__(self, name):
        return Function(self, name)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self.functions:
            raise AttributeError("no function '%s'; the module has: %s"
                                 % (name, ", ".join(self.functions)))
        return Function(self, name)

    def __call__(self, *args):
        """Calls the only function of the module (its weight-preparation
        entries <f>_prepare / <f>_prepared do not count)."""
        names = set(self.functions)
        own = [n for n in self.functions
               if not (n.endswith("_prepare") and n[:-len("_prepare")] in names)
               and not (n.endswith("_prepared")
                        and n[:-len("_prepared")] in names)]
        if len(own) != 1:
            raise Error("the module has %d functions (%s); call one by name"
                        % (len(own), ", ".join(own)))
        return Function(self, own[0])(*args)


def compile(source, target="cpu", shared_library=None, **options):
    """Compiles MLIR text, a Module or a Builder.

    `options` are the target options opt_level (0-3), cpu, features and the
    CPU pipeline's (vectorize, moe_all_experts, matmul_pack_threshold).
    With `shared_library="path.so"` the library (and path.h) is written and
    loaded; otherwise the code is JIT-compiled in process.
    """
    if target != "cpu":
        raise Error("unknown target '%s' (only 'cpu' is available)" % target)
    if isinstance(source, str):
        source = Module.parse(source)
    elif isinstance(source, Builder):
        source = source.module
    if not isinstance(source, Module):
        raise Error("compile() takes MLIR text, an xfmr.Module or an "
                    "xfmr.Builder, not %s" % type(source).__name__)
    text = _options_string(options)
    if shared_library is not None:
        source._handle.compile_shared_library(text, str(shared_library))
        return load(shared_library)
    return Executable(source._handle.compile_jit(text))


def load(path):
    """Loads a shared library from xfmr-compile --emit=shared or
    compile(shared_library=...), or JIT-compiles an .mlir file."""
    return Executable(_xfmr._Executable.load(str(path)))


# -- Building IR -------------------------------------------------------------

# Operands of every op of the xfmr dialect in ODS order ("?" marks an
# optional operand) and its enum attribute taken as the first positional
# argument. Other attributes are keyword arguments. Any op of any dialect can
# also be built with Builder.op(name, operands, attributes).
_XFMR_OPS = {
    "linear": (["x", "w", "b?"], None),
    "activation": (["x"], "kind"),
    "gated_activation": (["gate", "up"], "kind"),
    "glu": (["gu"], "kind"),
    "ffn": (["x", "w_up", "w_down", "b_up?", "b_down?"], "activation"),
    "gated_ffn": (["x", "w_gate", "w_up", "w_down"], "activation"),
    "rms_norm": (["x", "weight"], None),
    "layer_norm": (["x", "weight", "bias"], None),
    "rope": (["x", "positions"], None),
    "attention": (["q", "k", "v", "mask?"], None),
    "moe": (["x", "router_w", "w_gate", "w_up", "w_down"], "activation"),
    "topk_router": (["logits"], None),
    "dispatch": (["x", "experts"], None),
    "grouped_gated_ffn": (["sorted_x", "offsets", "w_gate", "w_up", "w_down"],
                          "activation"),
    "grouped_glu_ffn": (["sorted_x", "offsets", "w_gate_up", "w_down"],
                        "activation"),
    "combine": (["expert_out", "order", "weights"], None),
}

# How a Python value becomes the MLIR attribute of each xfmr attribute name.
_ATTR_KINDS = {
    "kind": "activation", "activation": "activation", "scoring": "scoring",
    "epsilon": "f32", "scale": "f32", "theta": "f64", "capacity_factor": "f64",
    "rotary_dim": "i64", "top_k": "i64", "num_experts": "i64",
    "normalize_topk": "bool", "causal": "unit",
}


def _attribute_text(name, value, kind=None):
    """None when the attribute is to be left out."""
    kind = kind or _ATTR_KINDS.get(name)
    if isinstance(value, str) and (value.startswith("#") or ":" in value):
        return value  # already MLIR attribute syntax
    if kind in ("activation", "scoring"):
        return "#xfmr.%s<%s>" % (kind, value)
    if kind == "unit":
        return "unit" if value else None
    if kind == "bool" or isinstance(value, bool):
        return "true" if value else "false"
    if kind in ("f32", "f64") or isinstance(value, float):
        return "%.17e : %s" % (float(value), kind or "f64")
    if kind == "i64" or isinstance(value, int):
        return "%d : i64" % int(value)
    if isinstance(value, str):
        return _json.dumps(value)  # a string attribute
    return str(value)


def _attribute_dict(attributes):
    entries = []
    for name, value in attributes.items():
        text = _attribute_text(name, value)
        if text is not None:
            entries.append("%s = %s" % (name, text))
    return "{" + ", ".join(entries) + "}"


class FunctionBuilder:
    """A function being built. Ops of the xfmr dialect are methods named
    after them (f.gated_ffn("silu", x, wg, wu, wd), f.moe("silu", x, r, wg,
    wu, wd, top_k=2), f.attention(q, k, v, causal=True)); any other op is
    f.op("arith.addf", [a, b])."""

    def __init__(self, handle):
        self._handle = handle
        self.name = handle.name

    @property
    def args(self):
        return self._handle.args

    def op(self, name, operands, attributes=None, result_types=None, **attrs):
        """Adds op `name`; `operands` in ODS order with None for an absent
        optional operand; `attributes` as MLIR text "{...}" and/or Python
        keyword values. Returns the result, or a tuple of results."""
        if attrs:
            extra = _attribute_dict(attrs)
            inner = (attributes or "").strip()[1:-1].strip()
            attributes = "{" + inner + ", " + extra[1:] if inner else extra
        results = self._handle.add_op(name, list(operands), attributes,
                                      result_types)
        if len(results) == 1:
            return results[0]
        return tuple(results)

    def ret(self, *values):
        self._handle.ret(list(values))

    def __getattr__(self, op):
        if op not in _XFMR_OPS:
            raise AttributeError(
                "'%s' is not an xfmr op (%s); use op('dialect.name', ...)"
                % (op, ", ".join(sorted(_XFMR_OPS))))
        operand_names, enum_attr = _XFMR_OPS[op]

        def build(*args, **kwargs):
            args = list(args)
            if enum_attr and enum_attr not in kwargs:
                if not args or not isinstance(args[0], str):
                    raise Error("xfmr.%s needs its %s first, e.g. 'silu'"
                                % (op, enum_attr))
                kwargs[enum_attr] = args.pop(0)
            operands = []
            for i, oname in enumerate(operand_names):
                key = oname.rstrip("?")
                if i < len(args):
                    operands.append(args[i])
                elif key in kwargs:
                    operands.append(kwargs.pop(key))
                elif oname.endswith("?"):
                    operands.append(None)
                else:
                    raise Error("xfmr.%s: missing operand '%s' (operands: %s)"
                                % (op, key, ", ".join(operand_names)))
            if len(args) > len(operand_names):
                raise Error("xfmr.%s takes %d operands, got %d"
                            % (op, len(operand_names), len(args)))
            # Absent optional operands stay as None: the C API derives the
            # operand segments of ops like xfmr.ffn from them.
            return self.op("xfmr." + op, operands, **kwargs)

        build.__name__ = op
        return build


class Builder:
    """Builds a module function by function; print() shows the IR and
    compile() compiles it."""

    def __init__(self):
        self.module = Module(_xfmr._Module.create())

    def function(self, name, args):
        """args: [(name, shape, dtype)], shape a tuple with None for a
        dynamic dimension, dtype one of f32, f16, bf16, i32, i64."""
        return FunctionBuilder(self.module._handle.function(name, list(args)))

    def print(self, generic=False):
        return self.module.print(generic)

    __str__ = print

    def compile(self, target="cpu", shared_library=None, **options):
        return compile(self.module, target=target,
                       shared_library=shared_library, **options)


Error.__module__ = __name__

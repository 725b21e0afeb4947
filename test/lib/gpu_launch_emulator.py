"""Runs a bufferized MLIR function holding gpu.launch kernels on the CPU.

A small interpreter of the ops that the kernels of xfmr-gpu-tile-matmul are
made of, reading MLIR's generic form (`xfmr-opt --mlir-print-op-generic`),
so that a machine without a GPU can check what matters most in them. Each
thread of a block is a Python generator; `gpu.barrier` suspends it, and a
phase ends when every thread of the block has reached the barrier. It
raises on:
  * a load or store outside its buffer (the guards of the M, N and K tails),
  * two threads touching one shared-memory element in one phase when one of
    them writes it (a missing barrier),
  * a barrier that some threads of a block reach and others do not,
  * a warp-collective op (nvvm.mma.sync) that not every lane of the warp
    reaches, or that lanes reach at different ops,
and the driver compares C with a float64 reference of C + A * B.

It also runs warp-level code (the flash-attention kernel, driven by
attention_emulator.py): `gpu.shuffle` exchanges values between the 32 lanes
of a warp, so each lane suspends there until every live lane of its warp
reaches the same shuffle (one that only some lanes reach raises); shared
buffers of scalars; 3-D grids; and the scalar arith/math ops listed in
run_op.

Warp-collective ops (nvvm.mma.sync) yield a WarpCollective; the launch resumes the lanes of
a warp (32 consecutive thread ids) once all of them wait at the same op,
each with its share of the result.

bf16 has no numpy type: bf16 buffers are float32 arrays holding values
rounded to bf16 (to nearest even on the top 16 bits of the f32 encoding),
and arith.truncf to bf16 rounds the same way.

Usage: gpu_launch_emulator.py IR --func NAME --layout nk|kn
           --storage f32|f16|bf16 --c-type f32|f16|bf16
           --shapes M,N,K [M,N,K ...]
where the function takes the buffers (A[M,K], B[N,K] or B[K,N], C[M,N]).
"""
import argparse
import re

import numpy as np


class Op:
    def __init__(self, results, name, operands, props, regions):
        self.results = results
        self.name = name
        self.operands = operands
        self.props = props  # everything printed after the operands
        self.regions = regions


class Block:
    def __init__(self, args, types):
        self.args = args
        self.types = types
        self.ops = []


OP_LINE = re.compile(r'(?:(%\w+)(?::(\d+))? = )?"([\w.]+)"\((.*?)\)(.*)$')


def parse(text):
    """The top-level op of a module printed in generic form, one op a line."""
    lines = [l.strip() for l in text.split("\n") if l.strip()]
    pos = 0

    def parse_block():
        nonlocal pos
        args, types = [], []
        if lines[pos].startswith("^bb"):
            for name, type_ in re.findall(
                    r"(%\w+): ((?:memref<[^>]*(?:<[^>]*>[^>]*)*>)|\w+)",
                    lines[pos]):
                args.append(name)
                types.append(type_)
            pos += 1
        block = Block(args, types)
        while not (lines[pos].startswith("})") or lines[pos].startswith("}, {")):
            block.ops.append(parse_op())
        return block

    def parse_op():
        nonlocal pos
        match = OP_LINE.match(lines[pos])
        if not match:
            raise RuntimeError(f"cannot parse: {lines[pos]}")
        pos += 1
        result, count, name, operands, props = match.groups()
        results = []
        if result:
            results = [result] if not count else [
                f"{result}#{i}" for i in range(int(count))]
        operands = [o.strip() for o in operands.split(",") if o.strip()]
        regions = []
        if props.rstrip().endswith("({"):
            while True:
                regions.append(parse_block())
                closing = lines[pos]
                pos += 1
                if not closing.startswith("}, {"):
                    props += closing
                    break
        return Op(results, name, operands, props, regions)

    return parse_op()


class Barrier:
    pass


# The threads of a block run one after the other between barriers, in
# increasing order, or decreasing when this is set: a kernel whose result
# differs between the two orders has a race on memory the shared-memory
# checks do not watch (global buffers).
REVERSE_THREADS = False


class Shuffle:
    """A lane's part of a gpu.shuffle: what the warp exchanges."""

    def __init__(self, op, value, offset, width):
        self.op = op
        self.mode = re.search(r"shuffle_mode (\w+)", op.props).group(1)
        self.value = value
        self.offset = offset
        self.width = width


class WarpCollective:
    """What a thread yields at a warp-collective op: the op and its operands
    in this lane; the launch sends back the lane's results."""

    def __init__(self, op, tid, operands):
        self.op = op
        self.tid = tid
        self.operands = operands


class Shared:
    """A workgroup buffer of 4-float vectors that remembers, for the current
    phase, which thread wrote and which threads read each element."""

    def __init__(self, shape, lanes=4):
        self.shape = shape
        self.lanes = lanes  # None: one scalar per element
        self.data = np.zeros(shape + ((lanes,) if lanes else ()),
                             dtype=np.float64)
        self.new_phase()

    def new_phase(self):
        self.writer = {}
        self.readers = {}

    def load(self, index, tid):
        check_index(self.shape, index, "shared load")
        writer = self.writer.get(index)
        if writer is not None and writer != tid:
            raise RuntimeError(f"race: thread {tid} reads shared {index} "
                               f"that thread {writer} wrote in this phase")
        self.readers.setdefault(index, set()).add(tid)
        if self.lanes is None:
            return float(self.data[index])
        return tuple(self.data[index])

    def store(self, index, value, tid):
        check_index(self.shape, index, "shared store")
        writer = self.writer.get(index)
        others = self.readers.get(index, set()) - {tid}
        if (writer is not None and writer != tid) or others:
            raise RuntimeError(f"race: thread {tid} writes shared {index} "
                               "that another thread used in this phase")
        self.writer[index] = tid
        self.data[index] = value


def check_index(shape, index, what):
    if len(index) != len(shape) or any(
            not 0 <= i < n for i, n in zip(index, shape)):
        raise RuntimeError(f"{what} out of bounds: {index} of {shape}")


def f32(x):
    return float(np.float32(x))


FLOAT_BINARY = {
    "arith.subf": lambda a, b: a - b,
    "arith.divf": lambda a, b: a / b,
    "arith.maximumf": np.maximum,
    "arith.minimumf": np.minimum,
    "arith.maxnumf": np.fmax,
    "arith.minnumf": np.fmin,
}
FLOAT_UNARY = {
    "arith.negf": lambda a: -a,
    "math.exp": np.exp,
    "math.log": np.log,
    "math.sqrt": np.sqrt,
    "math.rsqrt": lambda a: 1 / np.sqrt(a),
    "math.tanh": np.tanh,
    "math.absf": np.abs,
    "math.ceil": np.ceil,
}
# arith.cmpi by predicate number; index and integer values are Python ints
# that hold their signed value, so the unsigned forms agree with the
# signed ones on the non-negative values the kernels compare.
COMPARE_INT = {0: lambda a, b: a == b, 1: lambda a, b: a != b,
               2: lambda a, b: a < b, 3: lambda a, b: a <= b,
               4: lambda a, b: a > b, 5: lambda a, b: a >= b,
               6: lambda a, b: a < b, 7: lambda a, b: a <= b,
               8: lambda a, b: a > b, 9: lambda a, b: a >= b}
# bf16 buffers hold float32 numbers that arith.truncf has rounded to bf16.
ELEMENT_TYPES = {"f32": np.float32, "f64": np.float64, "f16": np.float16,
                 "bf16": np.float32, "i32": np.int32, "i64": np.int64,
                 "index": np.int64}
FLOAT_BITS = {"f16": (np.float16, np.uint16), "f32": (np.float32, np.uint32),
              "f64": (np.float64, np.uint64)}


def result_type(op):
    """The (first) result type at the end of a generic-form op line."""
    if not hasattr(op, "result_type"):
        op.result_type = re.search(r"-> \(?(\w+)", op.props).group(1)
    return op.result_type


def int_width(type_):
    return 64 if type_ == "index" else int(type_[1:])


def round_to(type_, value):
    """`value` rounded to the float type `type_` (bf16: to nearest even)."""
    if type_ == "bf16":
        return from_bits(to_bits(value, "bf16"), "bf16")
    if type_ in FLOAT_BITS:
        return float(FLOAT_BITS[type_][0](value))
    raise NotImplementedError(type_)


def to_bits(value, type_):
    if type_ == "bf16":
        bits = int(np.array(value, np.float32).view(np.uint32))
        if np.isnan(value):
            return (bits >> 16) | 0x40
        return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF
    if type_ in FLOAT_BITS:
        float_type, int_type = FLOAT_BITS[type_]
        return int(np.array(value, float_type).view(int_type))
    return value & ((1 << int_width(type_)) - 1)


def from_bits(bits, type_):
    if type_ == "bf16":
        return float(np.array(bits << 16, np.uint32).view(np.float32))
    float_type, int_type = FLOAT_BITS[type_]
    return float(np.array(bits, int_type).view(float_type))


def compare_float(predicate, a, b):
    """arith.cmpf by its predicate number (arith::CmpFPredicate)."""
    unordered = np.isnan(a) or np.isnan(b)
    if predicate == 0:
        return False
    if predicate == 15:
        return True
    if predicate == 7:
        return not unordered
    if predicate == 14:
        return unordered
    relation = [None, a == b, a > b, a >= b, a < b, a <= b, a != b][
        predicate % 7 if predicate < 7 else predicate - 7]
    return relation and not unordered if predicate < 7 else (
        unordered or relation)


def bf16_array(values):
    """A float32 array of `values` rounded to bf16 (the emulator's bf16
    storage)."""
    flat = np.asarray(values, dtype=np.float32).ravel()
    return np.array([round_to("bf16", v) for v in flat],
                    dtype=np.float32).reshape(np.shape(values))


def bf16_bits(x):
    """The 16-bit encoding of x, which must be a bf16 value."""
    if round_to("bf16", x) != x and not np.isnan(x):
        raise RuntimeError(f"{x} is not a bf16 value")
    return to_bits(x, "bf16")


def mma_m16n8k16(op, lanes):
    """nvvm.mma.sync m16n8k16, row-major A, column-major B, f16 or bf16
    multiplicands, f32 accumulators: D = A * B + C for the warp, given the
    operands of its 32 lanes in lane order; returns each lane's 4 values of
    D. Fragment layouts: PTX ISA, section "Matrix Fragments for
    mma.m16n8k16 with floating point type" (9.7.14.5.8 in PTX ISA 8.x): a
    lane is group g = lane / 4 and t = lane % 4 within its group;
      A (16 x 16): register r holds A[g + 8 * (r % 2)][2 t + 8 * (r // 2)
                   + {0, 1}],
      B (16 x 8, k x n): register r holds B[2 t + 8 r + {0, 1}][g],
      C, D (16 x 8): value v is C[g + 8 * (v // 2)][2 t + v % 2];
    a register holds two elements, the first in its low 16 bits. The
    products are exact in f32; PTX leaves the order and intermediate
    precision of the additions unspecified, so the sum is formed exactly
    (float64 holds the 16 exact products and C with at most a rounding far
    below f32's) and rounded once to f32."""
    props = op.props
    for attr in ("layoutA = #nvvm.mma_layout<row>",
                 "layoutB = #nvvm.mma_layout<col>",
                 "operandSegmentSizes = array<i32: 4, 2, 4>",
                 "shape = #nvvm.shape<m = 16, n = 8, k = 16>"):
        if attr not in props:
            raise NotImplementedError(f"nvvm.mma.sync without {attr}")
    kind = re.search(r"multiplicandAPtxType = #nvvm.mma_type<(\w+)>", props)
    kind_b = re.search(r"multiplicandBPtxType = #nvvm.mma_type<(\w+)>", props)
    if not kind or not kind_b or kind.group(1) != kind_b.group(1) or \
            kind.group(1) not in ("f16", "bf16"):
        raise NotImplementedError(f"nvvm.mma.sync types: {props}")
    if not re.search(r"-> !llvm.struct<\(f32, f32, f32, f32\)>", props):
        raise NotImplementedError("nvvm.mma.sync with a non-f32 accumulator")

    def pair(register):
        if kind.group(1) == "f16":
            if len(register) != 2:
                raise RuntimeError("f16 mma operand is not a vector<2xf16>")
            return [float(np.float16(v)) for v in register]
        if not isinstance(register, int):
            raise RuntimeError("bf16 mma operand is not an i32")
        return [from_bits(register & 0xFFFF, "bf16"),
                from_bits((register >> 16) & 0xFFFF, "bf16")]

    a = np.zeros((16, 16))
    b = np.zeros((16, 8))
    c = np.zeros((16, 8))
    for lane, operands in enumerate(lanes):
        g, t = lane // 4, lane % 4
        for r in range(4):
            col = 2 * t + 8 * (r // 2)
            a[g + 8 * (r % 2), col:col + 2] = pair(operands[r])
        for r in range(2):
            b[2 * t + 8 * r:2 * t + 8 * r + 2, g] = pair(operands[4 + r])
        for v in range(4):
            c[g + 8 * (v // 2), 2 * t + v % 2] = operands[6 + v]
    d = (a @ b + c).astype(np.float32).astype(np.float64)
    return [tuple(float(d[lane // 4 + 8 * (v // 2), 2 * (lane % 4) + v % 2])
                  for v in range(4)) for lane in range(32)]


DYNAMIC = -9223372036854775808  # ShapedType::kDynamic in static_* lists


def subview(op, x):
    """memref.subview as a numpy view: the same elements, so that stores
    through it reach the source."""
    def static(name):
        found = re.search(name + r" = array<i64(?:: ([-\d, ]+))?>", op.props)
        return [int(v) for v in found.group(1).split(",")] if found.group(1) \
            else []
    dynamic = iter(x[1:])
    offsets, sizes, strides = (
        [next(dynamic) if v == DYNAMIC else v for v in static(name)]
        for name in ("static_offsets", "static_sizes", "static_strides"))
    view = x[0][tuple(slice(o, o + n * s, s)
                      for o, n, s in zip(offsets, sizes, strides))]
    check_index(x[0].shape, tuple(o + max(n - 1, 0) * s for o, n, s in
                                  zip(offsets, sizes, strides)), "subview")
    return view


def run_block(block, env, args, tid):
    """Runs `block` (a generator: yields at barriers); returns the operands
    of its terminator."""
    for name, value in zip(block.args, args):
        env[name] = value
    for op in block.ops:
        if op.name in ("scf.yield", "gpu.terminator", "func.return"):
            return [env[o] for o in op.operands]
        yield from run_op(op, env, tid)
    return []


def run_op(op, env, tid):
    name = op.name
    x = [env[o] for o in op.operands]

    def set_results(*values):
        for result, value in zip(op.results, values):
            env[result] = value

    if name == "arith.constant" and re.search(r"value = 0x", op.props):
        bits, type_ = re.search(r"value = (0x[0-9A-Fa-f]+) : (\w+)",
                                op.props).groups()
        set_results(from_bits(int(bits, 16), type_))
    elif name == "arith.constant" and re.search(r"value = (true|false)",
                                                op.props):
        set_results("value = true" in op.props)
    elif name == "arith.constant":
        value, type_ = re.search(r"value = ([-\d.e+]+) : (\w+)",
                                 op.props).groups()
        set_results(float(value) if type_.startswith(("f", "bf")) else int(value))
    elif name == "arith.addi":
        set_results(x[0] + x[1])
    elif name == "arith.muli":
        set_results(x[0] * x[1])
    elif name == "arith.remui":
        set_results(x[0] % x[1])
    elif name == "arith.divui":
        set_results(x[0] // x[1])
    elif name in ("arith.ceildivui", "arith.ceildivsi"):
        # ceil(a / b) = -floor(-a / b), whatever the signs
        set_results(-(-x[0] // x[1]))
    elif name == "arith.maxui":
        set_results(max(x[0], x[1]))
    elif name == "arith.andi":
        set_results(bool(x[0]) and bool(x[1]))
    elif name == "arith.cmpi":
        predicate = int(re.search(r"predicate = (\d+) ", op.props).group(1))
        set_results(COMPARE_INT[predicate](x[0], x[1]))
    elif name == "arith.addf":
        set_results(round_to(result_type(op), x[0] + x[1]))
    elif name == "arith.mulf":
        set_results(round_to(result_type(op), x[0] * x[1]))
    elif name == "arith.extf":
        set_results(float(x[0]))
    elif name == "arith.truncf":
        to = op.props.split("->")[-1].strip()
        if to == "bf16":
            set_results(round_to("bf16", x[0]))
        else:
            set_results(float(np.float16(x[0])) if to == "f16" else f32(x[0]))
    elif name == "memref.dim":
        set_results(x[0].shape[x[1]])
    elif name == "memref.load":
        index = tuple(x[1:])
        if isinstance(x[0], Shared):
            set_results(x[0].load(index, tid))
        else:
            check_index(x[0].shape, index, "load")
            set_results(x[0][index].item())
    elif name == "memref.store":
        index = tuple(x[2:])
        if isinstance(x[1], Shared):
            x[1].store(index, x[0], tid)
        else:
            check_index(x[1].shape, index, "store")
            x[1][index] = x[0]
    elif name == "vector.from_elements":
        set_results(tuple(x))
    elif name == "vector.extract":
        lane = re.search(r"static_position = array<i64: (\d+)>", op.props)
        set_results(x[0][int(lane.group(1))])
    elif name == "gpu.barrier":
        yield Barrier()
    elif name == "nvvm.mma.sync":
        result = yield WarpCollective(op, tid, x)
        set_results(result)
    elif name == "llvm.extractvalue":
        position = re.search(r"position = array<i64: (\d+)>", op.props)
        set_results(x[0][int(position.group(1))])
    elif name == "llvm.bitcast":
        # Only the packing of a bf16 pair into the i32 that mma.sync takes.
        if not re.search(r": \(vector<2xbf16>\) -> i32", op.props):
            raise NotImplementedError(f"llvm.bitcast {op.props}")
        set_results(bf16_bits(x[0][0]) | (bf16_bits(x[0][1]) << 16))
    elif name == "scf.if":
        results = []
        if x[0]:
            results = yield from run_block(op.regions[0], env, [], tid)
        elif len(op.regions) > 1 and op.regions[1].ops:
            results = yield from run_block(op.regions[1], env, [], tid)
        set_results(*results)
    elif name == "scf.for":
        lower, upper, step, carried = x[0], x[1], x[2], x[3:]
        i = lower
        while i < upper:
            carried = yield from run_block(op.regions[0], env, [i] + carried, tid)
            i += step
        set_results(*carried)
    elif name == "gpu.shuffle":
        reply = yield Shuffle(op, x[0], x[1], x[2])
        set_results(*reply)
    elif name == "memref.cast":
        set_results(x[0])
    elif name == "memref.subview":
        set_results(subview(op, x))
    elif name == "memref.alloc" and tid is None:
        type_ = op.props.split("->")[-1].strip()
        dims, elt = re.match(r"memref<((?:[\d?]+x)*)(\w+)", type_).groups()
        sizes, dynamic = [], iter(x)
        for d in dims.split("x")[:-1]:
            sizes.append(next(dynamic) if d == "?" else int(d))
        # NaN (the smallest integer), so that an element the kernel fails
        # to write shows.
        dtype = ELEMENT_TYPES[elt]
        fill = (np.nan if np.issubdtype(dtype, np.floating)
                else np.iinfo(dtype).min)
        set_results(np.full(sizes, fill, dtype=dtype))
    elif name == "gpu.launch":
        launch(op, x, env)
    elif name in FLOAT_BINARY:
        with np.errstate(all="ignore"):
            value = FLOAT_BINARY[name](np.float64(x[0]), np.float64(x[1]))
        set_results(round_to(result_type(op), value))
    elif name in FLOAT_UNARY:
        with np.errstate(all="ignore"):
            value = FLOAT_UNARY[name](np.float64(x[0]))
        set_results(round_to(result_type(op), value))
    elif name == "arith.cmpf":
        predicate = int(re.search(r"predicate = (\d+) ", op.props).group(1))
        set_results(compare_float(predicate, x[0], x[1]))
    elif name == "arith.select":
        set_results(x[1] if x[0] else x[2])
    elif name in ("arith.subi", "arith.maxsi", "arith.minsi", "arith.minui",
                  "arith.ori", "arith.shli", "arith.shrui"):
        ops = {"arith.subi": lambda a, b: a - b, "arith.maxsi": max,
               "arith.minsi": min, "arith.minui": min,
               "arith.ori": lambda a, b: a | b,
               "arith.shli": lambda a, b: a << b,
               "arith.shrui": lambda a, b: a >> b}
        value = ops[name](x[0], x[1])
        width = int_width(result_type(op))
        set_results(value & ((1 << width) - 1) if name == "arith.shli"
                    else value)
    elif name in ("arith.index_cast", "arith.extui", "arith.extsi"):
        set_results(x[0])
    elif name == "arith.trunci":
        set_results(x[0] & ((1 << int_width(result_type(op))) - 1))
    elif name == "arith.fptosi":
        set_results(int(x[0]))
    elif name == "memref.dealloc":
        pass
    elif name in ("arith.sitofp", "arith.uitofp"):
        set_results(round_to(result_type(op), float(x[0])))
    elif name == "arith.bitcast":
        source, target = re.search(r": \((\w+)\) -> (\w+)", op.props).groups()
        set_results(from_bits(to_bits(x[0], source), target)
                    if target.startswith(("f", "bf"))
                    else to_bits(x[0], source))
    else:
        raise NotImplementedError(name)


def shared_buffer(type_):
    """The workgroup buffer of an attribution type: 4-float vectors or
    scalars."""
    dims = re.match(r"memref<((?:\d+x)+)", type_).group(1)
    shape = tuple(int(d) for d in dims.split("x")[:-1])
    vector = re.search(r"vector<(\d+)x", type_)
    return Shared(shape, lanes=int(vector.group(1)) if vector else None)


WARP = 32


def exchange(requests, stopped, block_x, where):
    """Answers the lanes in `requests` (tid -> Shuffle or WarpCollective),
    warp by warp; every lane of a warp must wait at the same op. `stopped`
    holds the lanes that ended or wait at a barrier in this phase."""
    answers = {}
    warps = {}
    for tid, request in requests.items():
        warps.setdefault(tid // WARP, {})[tid % WARP] = request
    for warp, lanes in warps.items():
        span = range(WARP * warp, min(WARP * warp + WARP, block_x))
        first = next(iter(lanes.values()))
        left = sorted(t for t in span if t in stopped)
        if isinstance(first, WarpCollective) and left:
            raise RuntimeError(f"warp {warp}: lanes {left} left a "
                               f"warp-collective {first.op.name} that other "
                               "lanes wait at")
        if left or len(lanes) != len(span):
            raise RuntimeError(f"{where}: a shuffle that only some lanes of "
                               f"warp {warp} reach")
        if len({id(r.op) for r in lanes.values()}) != 1:
            raise RuntimeError(f"warp {warp}: lanes wait at different "
                               "warp-collective ops")
        if isinstance(first, WarpCollective):
            if len(span) != WARP:
                raise RuntimeError(f"{first.op.name} in a warp of "
                                   f"{len(span)} lanes")
            results = mma_m16n8k16(first.op,
                                   [lanes[lane].operands for lane in range(WARP)])
            for lane, result in enumerate(results):
                answers[warp * WARP + lane] = result
            continue
        values = {lane: request.value for lane, request in lanes.items()}
        for lane, request in lanes.items():
            answers[warp * WARP + lane] = shuffle(values, lane, request)
    return answers


def shuffle(values, lane, request):
    """gpu.shuffle's (value, valid) for `lane`: lanes outside its segment of
    `width` lanes, or past the block, give back its own value, invalid."""
    width = request.width
    base = lane - lane % width
    source = {"xor": lane ^ request.offset,
              "down": lane + request.offset,
              "up": lane - request.offset,
              "idx": base + request.offset}[request.mode]
    if not base <= source < base + width or source not in values:
        return values[lane], False
    return values[source], True


def launch(op, sizes, env):
    grid_x, grid_y, grid_z, block_x, block_y, block_z = sizes[:6]
    if (block_y, block_z) != (1, 1):
        raise NotImplementedError("only x blocks")
    body = op.regions[0]
    for bz in range(grid_z):
        for bx in range(grid_x):
            for by in range(grid_y):
                run_one_block(body, env, (bx, by, bz), sizes[:6])


def run_one_block(body, env, block, sizes):
    grid_x, grid_y, grid_z, block_x, block_y, block_z = sizes
    where = f"block {block}"
    shared = [shared_buffer(t) for t in body.types[12:]]
    live = {}
    tids = range(block_x)
    for tid in reversed(tids) if REVERSE_THREADS else tids:
        ids = [*block, tid, 0, 0, grid_x, grid_y, grid_z,
               block_x, block_y, block_z]
        live[tid] = run_block(body, dict(env), ids + shared, tid)
    # A phase runs every thread to the next barrier; within it, lanes that
    # reach a shuffle wait there for their warp.
    while live:
        at_barrier, ended = set(), set()
        resume = {tid: None for tid in live}
        while resume:
            requests = {}
            for tid, value in resume.items():
                try:
                    request = live[tid].send(value)
                except StopIteration:
                    del live[tid]
                    ended.add(tid)
                    continue
                if isinstance(request, Barrier):
                    at_barrier.add(tid)
                else:
                    requests[tid] = request
            resume = (exchange(requests, at_barrier | ended, block_x, where)
                      if requests else {})
        finished = bool(ended)
        if at_barrier and (finished or len(at_barrier) != len(live)):
            raise RuntimeError(f"{where}: a barrier that only some threads "
                               "reach")
        for buffer in shared:
            buffer.new_phase()


def run_function(module, name, arrays):
    funcs = [op for op in module.regions[0].ops
             if op.name == "func.func" and f'sym_name = "{name}"' in op.props]
    if not funcs:
        raise RuntimeError(f"no function @{name}")
    for _ in run_block(funcs[0].regions[0], {}, arrays, None):
        raise RuntimeError("gpu.barrier outside a gpu.launch")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ir")
    parser.add_argument("--func", required=True)
    parser.add_argument("--layout", choices=["nk", "kn"], required=True)
    parser.add_argument("--storage", choices=["f32", "f16", "bf16"],
                        required=True)
    parser.add_argument("--c-type", choices=["f32", "f16", "bf16"],
                        required=True)
    parser.add_argument("--shapes", nargs="+", required=True)
    args = parser.parse_args()
    with open(args.ir) as f:
        module = parse(f.read())
    def cast(values, type_):
        if type_ == "bf16":
            return bf16_array(values)
        return values.astype({"f32": np.float32, "f16": np.float16}[type_])

    rng = np.random.default_rng(0)
    for shape in args.shapes:
        m, n, k = (int(v) for v in shape.split(","))
        a = cast(rng.uniform(-1, 1, (m, k)), args.storage)
        b = rng.uniform(-1, 1, (n, k) if args.layout == "nk" else (k, n))
        b = cast(b, args.storage)
        c = cast(rng.uniform(-1, 1, (m, n)), args.c_type)
        b64 = b.astype(np.float64)
        b64 = b64.T if args.layout == "nk" else b64
        reference = c.astype(np.float64) + a.astype(np.float64) @ b64
        out = c.copy()
        run_function(module, args.func, [a, b, out])
        error = np.abs(out.astype(np.float64) - reference).max(initial=0)
        # f32 accumulation, and one rounding of an f16 C (half an ulp is
        # 2^-11 relative) or a bf16 C (2^-8).
        magnitude = np.abs(a.astype(np.float64)) @ np.abs(b64)
        tolerance = 1e-5 * magnitude.max(initial=0)
        tolerance += {"f16": 2e-3, "bf16": 8e-3}.get(args.c_type, 1e-6) * (
            np.abs(reference).max(initial=0) if args.c_type != "f32" else 1)
        print(("ok" if error <= tolerance else "WRONG") +
              f" @{args.func} M={m} N={n} K={k}: max error {error:.3g}",
              flush=True)


if __name__ == "__main__":
    main()

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

Warp-collective ops yield a WarpCollective; the launch resumes the lanes of
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


class WarpCollective:
    """What a thread yields at a warp-collective op: the op and its operands
    in this lane; the launch sends back the lane's results."""

    def __init__(self, op, tid, operands):
        self.op = op
        self.tid = tid
        self.operands = operands


class Shared:
    """A workgroup buffer of `width`-element vectors that remembers, for the
    current phase, which thread wrote and which threads read each element."""

    def __init__(self, shape, width=4):
        self.shape = shape
        self.data = np.zeros(shape + (width,), dtype=np.float64)
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


def bf16(x):
    """x (an f32 value) rounded to bf16: to nearest, ties to even, on the top
    16 bits of its f32 encoding (arith.truncf's rounding)."""
    bits = int(np.array(x, dtype=np.float32).view(np.uint32))
    if (bits & 0x7F800000) == 0x7F800000 and bits & 0x7FFFFF:
        return float("nan")
    bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return float(np.array(bits & 0xFFFFFFFF, dtype=np.uint32).view(np.float32))


def bf16_array(values):
    """A float32 array of `values` rounded to bf16 (the emulator's bf16
    storage)."""
    flat = np.asarray(values, dtype=np.float32).ravel()
    return np.array([bf16(v) for v in flat], dtype=np.float32).reshape(
        np.shape(values))


def bf16_bits(x):
    """The 16-bit encoding of x, which must be a bf16 value."""
    bits = int(np.array(x, dtype=np.float32).view(np.uint32))
    if bits & 0xFFFF:
        raise RuntimeError(f"{x} is not a bf16 value")
    return bits >> 16


def from_bf16_bits(bits):
    return float(np.array(bits << 16, dtype=np.uint32).view(np.float32))


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
        return [from_bf16_bits(register & 0xFFFF),
                from_bf16_bits((register >> 16) & 0xFFFF)]

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

    if name == "arith.constant":
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
    elif name == "arith.ceildivui":
        set_results(-(-x[0] // x[1]))
    elif name == "arith.maxui":
        set_results(max(x[0], x[1]))
    elif name == "arith.andi":
        set_results(bool(x[0]) and bool(x[1]))
    elif name == "arith.cmpi":
        if "predicate = 6 " not in op.props:  # ult, the only one the kernels use
            raise NotImplementedError(op.props)
        set_results(x[0] < x[1])
    elif name == "arith.addf":
        set_results(f32(x[0] + x[1]))
    elif name == "arith.mulf":
        set_results(f32(x[0] * x[1]))
    elif name == "arith.extf":
        set_results(float(x[0]))
    elif name == "arith.truncf":
        to = op.props.split("->")[-1].strip()
        if to == "bf16":
            set_results(bf16(x[0]))
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
    elif name == "gpu.launch":
        launch(op, x, env)
    else:
        raise NotImplementedError(name)


def launch(op, sizes, env):
    grid_x, grid_y, grid_z, block_x, block_y, block_z = sizes[:6]
    if (grid_z, block_y, block_z) != (1, 1, 1):
        raise NotImplementedError("only x-y grids of x blocks")
    body = op.regions[0]
    shapes = [tuple(int(d) for d in re.match(r"memref<(\d+)x(\d+)x", t).groups())
              for t in body.types[12:]]
    widths = [int(re.match(r"memref<\d+x\d+xvector<(\d+)x", t).group(1))
              if re.match(r"memref<\d+x\d+xvector<(\d+)x", t) else 4
              for t in body.types[12:]]
    for bx in range(grid_x):
        for by in range(grid_y):
            shared = [Shared(shape, width)
                      for shape, width in zip(shapes, widths)]
            ids = [bx, by, 0, None, 0, 0, grid_x, grid_y, grid_z,
                   block_x, block_y, block_z]
            live = []
            for tid in range(block_x):
                ids[3] = tid
                live.append(run_block(body, dict(env), ids + shared, tid))
            while live:
                waiting = run_phase(live)
                if waiting and len(waiting) != len(live):
                    raise RuntimeError(f"block ({bx}, {by}): a barrier that "
                                       "only some threads reach")
                for buffer in shared:
                    buffer.new_phase()
                live = waiting


def run_phase(threads):
    """Runs each of `threads` (the live threads of a block, in thread-id
    order, their ids given by their position in `live` of `launch`) to its
    next gpu.barrier or its end, and returns those at a barrier. A thread at
    a warp-collective op waits until every lane of its warp (threads
    32 w .. 32 w + 31 of the block) waits at the same op; the op then runs
    for the warp and each lane resumes with its result. A lane that ends,
    reaches a barrier or another op while the rest of its warp waits at a
    collective is an error."""
    resume = {i: None for i in range(len(threads))}
    pending = {}
    stopped = set()  # at a barrier or ended
    at_barrier = []
    while resume:
        for i, value in sorted(resume.items()):
            try:
                event = threads[i].send(value)
            except StopIteration:
                stopped.add(i)
                continue
            if isinstance(event, WarpCollective):
                pending[i] = event
            else:
                stopped.add(i)
                at_barrier.append(i)
        resume = {}
        for warp in sorted({i // 32 for i in pending}):
            lanes = range(32 * warp, min(32 * warp + 32, len(threads)))
            if any(i in stopped for i in lanes):
                raise RuntimeError(
                    f"warp {warp}: lanes {sorted(i for i in lanes if i in stopped)} "
                    f"left a warp-collective {pending[min(i for i in lanes if i in pending)].op.name} "
                    "that other lanes wait at")
            if not all(i in pending for i in lanes):
                continue
            ops = {id(pending[i].op) for i in lanes}
            if len(ops) != 1:
                raise RuntimeError(f"warp {warp}: lanes wait at different "
                                   "warp-collective ops")
            op = pending[lanes[0]].op
            if len(lanes) != 32:
                raise RuntimeError(f"{op.name} in a warp of {len(lanes)} lanes")
            results = mma_m16n8k16(op, [pending[i].operands for i in lanes])
            for i, result in zip(lanes, results):
                del pending[i]
                resume[i] = result
    if pending:
        raise RuntimeError("warp-collective op that not every lane reaches")
    return [threads[i] for i in sorted(at_barrier)]


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

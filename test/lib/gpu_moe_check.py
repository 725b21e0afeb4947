"""Runs the MoE routing kernels of xfmr-gpu-expert-dispatch in the CPU
interpreter of gpu_launch_emulator.py and compares them with references
written from the op definitions (float64 where there is arithmetic).

Every function runs twice, its threads in increasing and then decreasing
order between barriers; different results mean a race on global memory.

The IR is the pass output after one-shot bufferization, in generic form:
functions on memrefs that allocate their results and return them.

Usage: gpu_moe_check.py IR --func NAME --op topk_router|dispatch|combine
           --cases CASE [CASE ...]
  topk_router: T,E,K,scoring,normalize  (e.g. 37,8,2,softmax,1)
  dispatch:    T,K,E,D[,capacity]       (e.g. 300,2,8,3 or 40,2,4,3,0.5)
  combine:     T,K,D
  grouped_ffn: R,E,D,F,OFFSETS,TYPE[,stacked]  (e.g. 70,4,40,24,sorted,f32)
               OFFSETS: sorted (segments, some empty, some rows left
               over) or hostile (out of range, decreasing); TYPE: f32 or
               bf16; stacked: one [E, 2F, D] gate/up weight (grouped_glu_ffn)
               instead of two
"""
import argparse
import re
import sys
import os

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import gpu_launch_emulator as emu  # noqa: E402

def call(module, name, arrays):
    """The results of @name on copies of `arrays`, run twice: threads in
    increasing and in decreasing order between barriers. Results that
    depend on the order reveal a race on global memory."""
    runs = []
    for reverse in (False, True):
        emu.REVERSE_THREADS = reverse
        runs.append(call_once(module, name, [a.copy() for a in arrays]))
    emu.REVERSE_THREADS = False
    for first, second in zip(*runs):
        if not np.array_equal(first, second, equal_nan=True):
            raise RuntimeError(f"@{name}: results depend on the order of the "
                               "threads (a race between barriers)")
    return runs[0]


def call_once(module, name, arrays):
    funcs = [op for op in module.regions[0].ops
             if op.name == "func.func" and f'sym_name = "{name}"' in op.props]
    if not funcs:
        raise RuntimeError(f"no function @{name}")
    body = emu.run_block(funcs[0].regions[0], {}, arrays, None)
    try:
        while True:
            next(body)
            raise RuntimeError("gpu.barrier outside a gpu.launch")
    except StopIteration as done:
        return done.value


# References, from the op definitions in docs/ops and dialect.md.

def ref_topk_router(logits, k, scoring, normalize):
    logits = logits.astype(np.float64)
    if scoring == "softmax":
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    else:
        p = 1.0 / (1.0 + np.exp(-logits))
    experts = np.array([sorted(range(p.shape[1]), key=lambda e: (-row[e], e))[:k]
                        for row in p], dtype=np.int64).reshape(-1, k)
    weights = np.take_along_axis(p, experts, axis=1)
    if normalize:
        weights = weights / weights.sum(axis=1, keepdims=True)
    return weights, experts


def ref_dispatch(x, experts, num_experts, capacity_factor):
    t, k = experts.shape
    rows = t * k
    valid = (experts >= 0) & (experts < num_experts)
    admitted = valid.copy()
    if capacity_factor is not None:
        cap = int(np.ceil(rows / num_experts * capacity_factor))
        held = [0] * num_experts
        for j in range(k):
            for tok in range(t):
                if valid[tok, j]:
                    e = experts[tok, j]
                    admitted[tok, j] = held[e] < cap
                    held[e] += admitted[tok, j]
    flat, keep = experts.reshape(-1), admitted.reshape(-1)
    order = [r for e in range(num_experts) for r in range(rows)
             if keep[r] and flat[r] == e]
    counts = [sum(1 for r in range(rows) if keep[r] and flat[r] == e)
              for e in range(num_experts)]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    order = np.array(order + [-1] * (rows - len(order)), dtype=np.int64)
    sorted_x = np.zeros((rows, x.shape[1]))
    for r, src in enumerate(order):
        if src >= 0:
            sorted_x[r] = x[src // k]
    return sorted_x, offsets, order


def ref_combine(expert_out, order, weights):
    t, k = weights.shape
    row_of = {int(o): r for r, o in enumerate(order) if o >= 0}
    y = np.zeros((t, expert_out.shape[1]))
    for tok in range(t):
        for j in range(k):
            r = row_of.get(tok * k + j)
            if r is not None:
                y[tok] += weights[tok, j] * expert_out[r].astype(np.float64)
    return y


def silu(v):
    return v / (1 + np.exp(-v))


def ref_grouped_ffn(x, offsets, w_gate, w_up, w_down, round_to):
    """Each segment [s_e, e_e) of rows, offsets clamped to [0, R] and made
    non-decreasing, through expert e's SwiGLU FFN; rows outside every
    segment are 0. `round_to` rounds the projections and the gated rows to
    the storage type, as the per-expert computation stores them."""
    r = x.shape[0]
    y = np.zeros((r, w_down.shape[1]))
    for e in range(w_gate.shape[0]):
        start = min(max(int(offsets[e]), 0), r)
        end = min(max(int(offsets[e + 1]), start), r)
        seg = x[start:end].astype(np.float64)
        g = round_to(seg @ w_gate[e].astype(np.float64).T)
        u = round_to(seg @ w_up[e].astype(np.float64).T)
        h = round_to(silu(g) * u)
        y[start:end] = h @ w_down[e].astype(np.float64).T
    return y


def report(ok, what, detail):
    print(("ok" if ok else "WRONG") + f" {what}: {detail}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ir")
    parser.add_argument("--func", required=True)
    parser.add_argument("--op", required=True,
                        choices=["topk_router", "dispatch", "combine",
                                 "grouped_ffn"])
    parser.add_argument("--cases", nargs="+", required=True)
    args = parser.parse_args()
    with open(args.ir) as f:
        module = emu.parse(f.read())
    rng = np.random.default_rng(0)
    for case in args.cases:
        fields = case.split(",")
        what = f"@{args.func} {case}"
        if args.op == "topk_router":
            t, e, k = (int(v) for v in fields[:3])
            scoring, normalize = fields[3], fields[4] == "1"
            logits = rng.normal(0, 2, (t, e)).astype(np.float32)
            if t > 2:
                logits[1, :] = 0.5  # all-equal row: ties to the lower index
                logits[2, 1] = logits[2, 3]  # one tie among the top
            weights, experts = call(module, args.func, [logits])
            ref_w, ref_e = ref_topk_router(logits, k, scoring, normalize)
            err = np.abs(weights - ref_w).max(initial=0)
            ok = (np.array_equal(experts, ref_e) and
                  np.allclose(weights, ref_w, rtol=1e-4, atol=1e-5))
            report(ok, what, f"experts {'equal' if np.array_equal(experts, ref_e) else 'DIFFER'}, "
                   f"max weight error {err:.3g}")
        elif args.op == "dispatch":
            t, k, e, d = (int(v) for v in fields[:4])
            cf = float(fields[4]) if len(fields) > 4 else None
            x = rng.normal(size=(t, d)).astype(np.float32)
            experts = rng.integers(0, e, (t, k)).astype(np.int32)
            if t > 3:
                experts[3, 0] = -1  # invalid ids take no row
                experts[2, k - 1] = e
            sorted_x, offsets, order = call(module, args.func, [x, experts])
            ref_x, ref_off, ref_ord = ref_dispatch(x, experts, e, cf)
            ok = (np.array_equal(offsets, ref_off) and
                  np.array_equal(order, ref_ord) and
                  np.array_equal(sorted_x, ref_x.astype(np.float32)))
            report(ok, what, f"{t * k} pairs, offsets {list(offsets)}, "
                   f"order {'equal' if np.array_equal(order, ref_ord) else 'DIFFERS'}")
        elif args.op == "grouped_ffn":
            r, e, d, f = (int(v) for v in fields[:4])
            kind, storage = fields[4], fields[5]
            stacked = len(fields) > 6 and fields[6] == "stacked"
            if storage == "bf16":
                rounded = np.vectorize(lambda v: emu.round_to("bf16", v),
                                       otypes=[np.float64])
            else:
                rounded = lambda v: v.astype(np.float32)  # noqa: E731

            def weights(*shape):
                return rounded(rng.uniform(-1, 1, shape)).astype(np.float32)
            x = weights(r, d)
            w_gate, w_up, w_down = weights(e, f, d), weights(e, f, d), \
                weights(e, d, f)
            if kind == "sorted":
                cuts = np.sort(rng.integers(0, r + 1, e - 1))
                offsets = np.concatenate([[0], cuts, [r]])
                offsets[1] = offsets[0]  # an empty expert
                offsets[-1] = max(offsets[-2], r - 3)  # rows left over
            else:
                offsets = rng.integers(-3, r + 4, e + 1)
            offsets = offsets.astype(np.int32)
            operands = [x, offsets]
            operands += ([np.concatenate([w_gate, w_up], axis=1)] if stacked
                         else [w_gate, w_up])
            (y,) = call(module, args.func, operands + [w_down])
            ref = ref_grouped_ffn(x, offsets, w_gate, w_up, w_down, rounded)
            err = np.abs(y - ref).max(initial=0)
            tol = (1e-4, 1e-5) if storage == "f32" else (3e-2, 3e-2)
            report(np.allclose(y, ref, rtol=tol[0], atol=tol[1]), what,
                   f"offsets {list(offsets)}, max error {err:.3g}")
        else:
            t, k, d = (int(v) for v in fields)
            rows = t * k
            eo = rng.normal(size=(rows, d)).astype(np.float32)
            order = rng.permutation(rows).astype(np.int32)
            order[rows // 2:][::3] = -1  # dropped pairs
            weights = rng.uniform(0, 1, (t, k)).astype(np.float32)
            (y,) = call(module, args.func, [eo, order, weights])
            ref = ref_combine(eo, order, weights)
            err = np.abs(y - ref).max(initial=0)
            report(np.allclose(y, ref, rtol=1e-4, atol=1e-5), what,
                   f"max error {err:.3g}")


if __name__ == "__main__":
    main()

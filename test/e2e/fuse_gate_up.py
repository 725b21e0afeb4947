# RUN: %python %s
"""xfmr-fuse-gate-up (pipeline option fuse-gate-up=true): the gated FFN with
its gate and up projections stacked into one, compared with the unfused
lowering, both against the float64 reference. Both source forms (gated_ffn,
and linear + linear + gated_activation + linear, gate and up also swapped);
T=1, a dynamic token count run at several sizes, batch dims."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype, weight

h = Harness("xfmr-fuse-gate-up")
g = rng(11)

FUSED = ("--pipeline-options=fuse-gate-up=true",)
UNFUSED = ()


def build(name, xshape, f, kind, form, dyn=()):
    d = xshape[-1]
    tx = ttype(xshape, np.float32, dyn)
    th = ttype(tuple(xshape[:-1]) + (f,), np.float32, dyn)
    tg, td = ttype((f, d)), ttype((d, f))
    if form == "gated_ffn":
        body = ("%%y = xfmr.gated_ffn <%s> %%x, %%wg, %%wu, %%wd : "
                "%s, %s, %s, %s\n" % (kind, tx, tg, tg, td))
    else:
        # "pieces": gate first; "swapped": the wu projection is the gate.
        a, b = ("g", "u") if form == "pieces" else ("u", "g")
        body = ("%%g = xfmr.linear %%x, %%wg : %s, %s\n"
                "%%u = xfmr.linear %%x, %%wu : %s, %s\n"
                "%%h = xfmr.gated_activation <%s> %%%s, %%%s : %s, %s\n"
                "%%y = xfmr.linear %%h, %%wd : %s, %s\n"
                % (tx, tg, tx, tg, kind, a, b, th, th, th, td))
    return h.module(func_module(
        "f", [("x", tx), ("wg", tg), ("wu", tg), ("wd", td)], [tx],
        body + "return %%y : %s" % tx), name)


def data(xshape, f, kind, form):
    d = xshape[-1]
    x = randn(g, xshape)
    wg, wu, wd = weight(g, (f, d)), weight(g, (f, d)), weight(g, (d, f))
    if form == "swapped":
        want = ref.gated_ffn(x, wu, wg, wd, kind)
    else:
        want = ref.gated_ffn(x, wg, wu, wd, kind)
    return [x, wg, wu, wd], want


def both(label, module, ins, want):
    """The same module with and without the fusion, at rtol 1e-4 /
    atol 1e-5."""
    for tag, args in (("fused", FUSED), ("unfused", UNFUSED)):
        h.case("%s %s" % (label, tag), module, "f", ins, [want], rtol=1e-4,
               atol=1e-5, run_args=args)


for form in ("gated_ffn", "pieces", "swapped"):
    # T=1 (decode).
    label = "%s <silu> T=1 D=64 F=176" % form
    ins, want = data((1, 64), 176, "silu", form)
    both(label, build(label, (1, 64), 176, "silu", form), ins, want)

    # A dynamic token count, one module, several sizes.
    m = build("%s_dyn" % form, (0, 48), 130, "gelu", form, dyn=(0,))
    for t in (1, 5, 17, 40):
        ins, want = data((t, 48), 130, "gelu", form)
        both("%s <gelu> [?,48] F=130 T=%d" % (form, t), m, ins, want)

    # Batch dims, the token dim dynamic.
    m = build("%s_batch" % form, (2, 0, 32), 80, "relu", form, dyn=(1,))
    for t in (1, 3, 9):
        ins, want = data((2, t, 32), 80, "relu", form)
        both("%s <relu> [2,?,32] F=80 T=%d" % (form, t), m, ins, want)

    # Batch dims, static.
    label = "%s <gelu_tanh> x=3x4x64 F=172" % form
    ins, want = data((3, 4, 64), 172, "gelu_tanh", form)
    both(label, build(label, (3, 4, 64), 172, "gelu_tanh", form), ins, want)

sys.exit(h.finish())

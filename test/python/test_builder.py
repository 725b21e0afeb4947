# RUN: %python -m pytest -q -s -p no:cacheprovider %s
"""xfmr.Builder: every op of the dialect contract built from Python, the IR
it prints, and the compiled numbers against float64 numpy references."""

import numpy as np
import pytest

import xfmr
import xfmr_reference as ref
from conftest import assert_close

rng = np.random.default_rng(1)
T, D, F, E, K = 5, 16, 32, 4, 2


def data(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def build(name, args, body):
    """A one-function module; body(f, *args) returns the result value(s)."""
    b = xfmr.Builder()
    f = b.function(name, args)
    out = body(f, *f.args)
    f.ret(*(out if isinstance(out, tuple) else (out,)))
    return b


def test_ffn_example_from_the_issue():
    b = xfmr.Builder()
    f = b.function("ffn", [("x", (None, 64), "f32"), ("wg", (128, 64), "f32"),
                           ("wu", (128, 64), "f32"), ("wd", (64, 128), "f32")])
    x, wg, wu, wd = f.args
    y = f.gated_ffn("silu", x, wg, wu, wd)
    f.ret(y)
    text = b.print()
    print(text)
    assert "xfmr.gated_ffn <silu> %arg0, %arg1, %arg2, %arg3" in text
    assert "-> tensor<?x64xf32>" in text
    args = [data(3, 64), data(128, 64, scale=.2), data(128, 64, scale=.2),
            data(64, 128, scale=.2)]
    assert_close("gated_ffn", b.compile().ffn(*args),
                 ref.gated_ffn(*args, "silu"))


def f32(*shape):
    return tuple(None if s is None else s for s in shape)


POSITION_WISE = [
    # (op, args, builder body, reference, inputs)
    ("linear_nobias", [("x", (None, D), "f32"), ("w", (F, D), "f32")],
     lambda f, x, w: f.linear(x, w), lambda x, w: ref.linear(x, w),
     lambda: [data(T, D), data(F, D)]),
    ("linear", [("x", (2, None, D), "f32"), ("w", (F, D), "f32"),
                ("b", (F,), "f32")],
     lambda f, x, w, b: f.linear(x, w, b), ref.linear,
     lambda: [data(2, T, D), data(F, D), data(F)]),
    ("activation", [("x", (None, D), "f32")],
     lambda f, x: f.activation("gelu_tanh", x),
     lambda x: ref.activation(x, "gelu_tanh"), lambda: [data(T, D)]),
    ("gated_activation", [("g", (None, F), "f32"), ("u", (None, F), "f32")],
     lambda f, g, u: f.gated_activation("gelu", g, u),
     lambda g, u: ref.gated_activation(g, u, "gelu"),
     lambda: [data(T, F), data(T, F)]),
    ("glu", [("gu", (None, 2 * F), "f32")],
     lambda f, gu: f.glu("silu", gu), lambda gu: ref.glu(gu, "silu"),
     lambda: [data(T, 2 * F)]),
    ("ffn", [("x", (None, D), "f32"), ("wu", (F, D), "f32"),
             ("wd", (D, F), "f32"), ("bd", (D,), "f32")],
     lambda f, x, wu, wd, bd: f.ffn("relu", x, wu, wd, b_down=bd),
     lambda x, wu, wd, bd: ref.ffn(x, wu, wd, "relu", b_down=bd),
     lambda: [data(T, D), data(F, D), data(D, F), data(D)]),
    ("rms_norm", [("x", (None, D), "f32"), ("w", (D,), "f32")],
     lambda f, x, w: f.rms_norm(x, w, epsilon=1e-5),
     lambda x, w: ref.rms_norm(x, w, 1e-5), lambda: [data(T, D), data(D)]),
    ("layer_norm", [("x", (None, D), "f32"), ("w", (D,), "f32"),
                    ("b", (D,), "f32")],
     lambda f, x, w, b: f.layer_norm(x, w, b),
     lambda x, w, b: ref.layer_norm(x, w, b),
     lambda: [data(T, D), data(D), data(D)]),
    ("rope", [("x", (None, 2, 8), "f32"), ("pos", (None,), "i32")],
     lambda f, x, p: f.rope(x, p, theta=500000.0, rotary_dim=4),
     lambda x, p: ref.rope(x, p, 500000.0, 4),
     lambda: [data(T, 2, 8), np.arange(3, 3 + T, dtype=np.int32)]),
    ("attention", [("q", (4, None, 8), "f32"), ("k", (2, None, 8), "f32"),
                   ("v", (2, None, 8), "f32")],
     lambda f, q, k, v: f.attention(q, k, v, causal=True, scale=0.3),
     lambda q, k, v: ref.attention(q, k, v, causal=True, scale=0.3),
     lambda: [data(4, 3, 8), data(2, 6, 8), data(2, 6, 8)]),
    ("attention_mask", [("q", (2, 3, 8), "f32"), ("k", (2, 3, 8), "f32"),
                        ("v", (2, 3, 8), "f32"), ("m", (3, 3), "f32")],
     lambda f, q, k, v, m: f.attention(q, k, v, m),
     lambda q, k, v, m: ref.attention(q, k, v, mask=m),
     lambda: [data(2, 3, 8), data(2, 3, 8), data(2, 3, 8), data(3, 3)]),
]


@pytest.mark.parametrize("case", POSITION_WISE, ids=[c[0] for c in POSITION_WISE])
def test_op(case):
    name, args, body, reference, inputs = case
    b = build(name, args, body)
    text = b.print()
    op = name.split("_nobias")[0].split("_mask")[0]
    assert "xfmr." + op in text, text
    values = inputs()
    assert_close(name, b.compile()[name](*values), reference(*values))


def moe_weights():
    return (data(T, D), data(E, D), data(E, F, D, scale=.3),
            data(E, F, D, scale=.3), data(E, D, F, scale=.3))


MOE_ARGS = [("x", (None, D), "f32"), ("r", (E, D), "f32"),
            ("wg", (E, F, D), "f32"), ("wu", (E, F, D), "f32"),
            ("wd", (E, D, F), "f32")]


@pytest.mark.parametrize("scoring,normalize", [("softmax", True),
                                               ("sigmoid", False)])
def test_moe(scoring, normalize):
    b = build("moe", MOE_ARGS,
              lambda f, *a: f.moe("silu", *a, top_k=K, scoring=scoring,
                                  normalize_topk=normalize))
    text = b.print()
    assert "xfmr.moe <silu>" in text and "top_k = 2 : i64" in text
    w = moe_weights()
    assert ref.routing_margin(ref.linear(w[0], w[1]), K, scoring) > 1e-4
    assert_close("moe %s" % scoring, b.compile().moe(*w),
                 ref.moe(*w, K, "silu", scoring, normalize))


def test_dispatch_ops():
    """moe spelled out with the dispatch ops it lowers through."""
    def body(f, x, r, wg, wu, wd):
        logits = f.linear(x, r)
        weights, experts = f.topk_router(logits, top_k=K)
        sorted_x, offsets, order = f.dispatch(x, experts, num_experts=E)
        out = f.grouped_gated_ffn("silu", sorted_x, offsets, wg, wu, wd)
        return f.combine(out, order, weights), experts, offsets
    b = build("routed", MOE_ARGS, body)
    text = b.print()
    for op in ("topk_router", "dispatch", "grouped_gated_ffn", "combine"):
        assert "xfmr." + op in text
    w = moe_weights()
    y, experts, offsets = b.compile().routed(*w)
    assert_close("routed moe", y, ref.moe(*w, K))
    _, ref_experts = ref.topk_router(ref.linear(w[0], w[1]), K)
    assert experts.dtype == np.int32
    np.testing.assert_array_equal(experts, ref_experts)
    _, ref_offsets, _ = ref.dispatch(w[0], ref_experts, E)
    np.testing.assert_array_equal(offsets, ref_offsets)


def test_grouped_glu_ffn():
    """The fused expert FFN over a stacked [E, 2F, D] gate/up weight equals
    the grouped gated FFN on the two halves."""
    def body(f, x, r, wg, wu, wd):
        logits = f.linear(x, r)
        weights, experts = f.topk_router(logits, top_k=K)
        sorted_x, offsets, order = f.dispatch(x, experts, num_experts=E)
        wgu = f.op("tensor.concat", [wg, wu], "{dim = 1 : i64}",
                   result_types="tensor<%dx%dx%dxf32>" % (E, 2 * F, D))
        out = f.grouped_glu_ffn("silu", sorted_x, offsets, wgu, wd)
        return f.combine(out, order, weights)
    b = build("fused", MOE_ARGS, body)
    assert "xfmr.grouped_glu_ffn <silu>" in b.print()
    w = moe_weights()
    assert_close("fused routed moe", b.compile().fused(*w), ref.moe(*w, K))


def test_generic_op_and_residual():
    def body(f, x, w):
        h = f.rms_norm(x, w)
        return f.op("arith.addf", [h, x])
    b = build("res", [("x", (None, D), "f32"), ("w", (D,), "f32")], body)
    assert "arith.addf" in b.print()
    x, w = data(T, D), data(D)
    assert_close("rms_norm + x", b.compile().res(x, w), ref.rms_norm(x, w) + x)


def test_f16_and_bf16():
    for dt, np_in in (("f16", np.float16), ("bf16", None)):
        b = build("lin", [("x", (None, D), dt), ("w", (F, D), dt)],
                  lambda f, x, w: f.linear(x, w))
        assert "xf%s" % dt[1:] in b.print() or dt in b.print()
        if np_in is not None:
            x, w = data(T, D).astype(np_in), data(F, D).astype(np_in)
            y = b.compile().lin(x, w)
            assert y.dtype == np.float16
            assert_close("linear f16", y, ref.linear(x, w), rtol=2e-3, atol=2e-3)


def test_builder_errors():
    b = xfmr.Builder()
    f = b.function("f", [("x", (None, D), "f32"), ("w", (F, 8), "f32")])
    x, w = f.args
    with pytest.raises(xfmr.Error, match=r"'xfmr.linear' op operand 'w' "
                       r"dimension 1 .* must be 16, got 8"):
        f.linear(x, w)
    with pytest.raises(xfmr.Error, match="needs its activation first"):
        f.gated_ffn(x, w, w, w)
    with pytest.raises(xfmr.Error, match="missing operand 'w_down'"):
        f.gated_ffn("silu", x, w, w)
    with pytest.raises(xfmr.Error, match="operand .router_w. dimension 1"):
        f.moe("silu", x, w, w, w, w)
    with pytest.raises(AttributeError, match="not an xfmr op"):
        f.gated_fnn
    with pytest.raises(xfmr.Error, match="unknown op; dialect 'xfmr' has"):
        f.op("xfmr.nope", [x])
    with pytest.raises(xfmr.Error, match="unknown element type 'f64'"):
        b.function("g", [("x", (4,), "f64")])
    with pytest.raises(xfmr.Error, match="already has a symbol 'f'"):
        b.function("f", [])
    f.ret(x)
    with pytest.raises(xfmr.Error, match="already has its return"):
        f.ret(x)


def test_attributes_as_text_and_keywords():
    b = xfmr.Builder()
    f = b.function("f", [("x", (None, D), "f32"), ("w", (D,), "f32")])
    x, w = f.args
    y = f.op("xfmr.rms_norm", [x, w], "{epsilon = 1.0e-3 : f32}", tag="t")
    z = f.op("xfmr.activation", [y], "{}", kind="relu")
    f.ret(z)
    text = b.print()
    assert "epsilon = 1.000000e-03 : f32" in text and 'tag = "t"' in text
    assert "xfmr.activation <relu>" in text

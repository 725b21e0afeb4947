# Shared helpers of the xfmr Python tests (not a lit test: see lit.local.cfg).
import numpy as np


def assert_close(name, got, ref, rtol=1e-4, atol=1e-5):
    """Compares with a float64 reference and prints the max error."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape, (name, got.shape, ref.shape)
    err = float(np.max(np.abs(got - ref))) if got.size else 0.0
    print("%s: max error %.3g" % (name, err))
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol, err_msg=name)

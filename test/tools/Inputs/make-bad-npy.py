"""Writes well-formed and malformed .npy files into the directory argv[1]."""
import os
import struct
import sys

import numpy as np

out = sys.argv[1]


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def npy(header, data=b"", version=1, length=None):
    """A file with the given header text, padded as NumPy pads it."""
    text = header.encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    n = len(text) if length is None else length
    prefix = b"\x93NUMPY" + bytes([version, 0])
    prefix += struct.pack("<H", n) if version == 1 else struct.pack("<I", n)
    return prefix + text + data


good = np.arange(6, dtype=np.float32).reshape(2, 3)
np.save(os.path.join(out, "good.npy"), good)
data = good.tobytes()
ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"

write("truncated-data.npy", npy(ok, data[:20]))
write("trailing.npy", npy(ok, data + b"\0\0\0\0"))
write("truncated-header.npy", npy(ok, data)[:50])
write("empty.npy", b"")
write("not-npy.npy", b"P5\n2 3\n255\n" + bytes(6))
write("version9.npy", npy(ok, data, version=9))
write("fortran.npy",
      npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data))
write("f64.npy", npy("{'descr': '<f8', 'fortran_order': False, "
                     "'shape': (2, 3), }", bytes(48)))
write("bigendian.npy", npy("{'descr': '>f4', 'fortran_order': False, "
                           "'shape': (2, 3), }", data))
write("structured.npy", npy("{'descr': [('a', '<f4')], 'fortran_order': "
                            "False, 'shape': (2, 3), }", data))
# Dimensions whose product overflows 64 bits, and a plausible-looking one
# that claims terabytes: neither may be allocated.
write("huge-shape.npy", npy("{'descr': '<f4', 'fortran_order': False, "
                            "'shape': (4294967296, 4294967296, 16), }", data))
write("big-shape.npy", npy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (1000000, 1000000), }", data))
write("negative.npy", npy("{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (-2, 3), }", data))
write("missing-key.npy", npy("{'descr': '<f4', 'shape': (2, 3), }", data))
write("garbage-header.npy", npy("\x00\x01garbage", data))

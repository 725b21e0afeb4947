"""Checks that each file named on the command line is an ELF object, the
container ptxas writes cubins in."""
import sys

for path in sys.argv[1:]:
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"\x7fELF":
        sys.exit(f"{path}: not a cubin (ELF magic missing, got {magic!r})")

# lit configuration for the xfmr test suite.
import ctypes
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "xfmr"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "lib"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.xfmr_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%xfmr_src", config.xfmr_src_root))
config.substitutions.append(("%xfmr_obj", config.xfmr_obj_root))
config.substitutions.append(("%xfmr_tools_dir", config.xfmr_tools_dir))
config.substitutions.append(("%cc", "clang-22"))
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"
config.environment["PYTHONPATH"] = os.path.join(config.test_source_root, "lib")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.xfmr_tools_dir, config.llvm_tools_dir]
tools = ["xfmr-opt", "xfmr-compile", "xfmr-run", "FileCheck", "not", "count"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

ptxas = shutil.which("ptxas", path="/usr/local/cuda/bin")
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
# A loadable CUDA driver; without one, --target=cuda runs report that. With
# a driver that also finds a device, the GPU runs of the e2e suite happen.
try:
    cuda = ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
    count = ctypes.c_int(0)
    if cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
            and count.value > 0:
        config.available_features.add("cuda-device")
except OSError:
    pass

# For the test that regenerates the op docs with the build's mlir-tblgen.
config.substitutions.append(
    ("%mlir_include", os.path.join(os.path.dirname(config.llvm_tools_dir), "include")))
llvm_config.add_tool_substitutions(["mlir-tblgen"], [config.llvm_tools_dir])

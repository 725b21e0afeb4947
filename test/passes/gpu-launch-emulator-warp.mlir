// The emulator of the GPU kernel tests (test/lib/gpu_launch_emulator.py)
// refuses a warp-collective op (nvvm.mma.sync) that not every lane of the
// warp reaches, or that lanes reach at different ops: the kernels' tests
// rely on it to catch an mma.sync under lane-dependent control flow.

// RUN: xfmr-opt %s --mlir-print-op-generic -o %t.mlir
// RUN: not %python %xfmr_src/test/lib/gpu_launch_emulator.py %t.mlir --func half_warp \
// RUN:   --layout kn --storage f16 --c-type f32 --shapes 1,1,1 2>&1 | FileCheck %s --check-prefix=HALF
// RUN: not %python %xfmr_src/test/lib/gpu_launch_emulator.py %t.mlir --func two_ops \
// RUN:   --layout kn --storage f16 --c-type f32 --shapes 1,1,1 2>&1 | FileCheck %s --check-prefix=TWO

// HALF: RuntimeError: warp 0: lanes [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31] left a warp-collective nvvm.mma.sync that other lanes wait at
// TWO: RuntimeError: warp 0: lanes wait at different warp-collective ops

func.func @half_warp(%a: memref<?x?xf16>, %b: memref<?x?xf16>, %c: memref<?x?xf32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %h = arith.constant 1.000000e+00 : f16
    %v = vector.from_elements %h, %h : vector<2xf16>
    %f = arith.constant 0.000000e+00 : f32
    %low = arith.cmpi ult, %tx, %c16 : index
    scf.if %low {
      %d = nvvm.mma.sync A[%v, %v, %v, %v] B[%v, %v] C[%f, %f, %f, %f]
        {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
        : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
    }
    gpu.terminator
  }
  return
}

func.func @two_ops(%a: memref<?x?xf16>, %b: memref<?x?xf16>, %c: memref<?x?xf32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %h = arith.constant 1.000000e+00 : f16
    %v = vector.from_elements %h, %h : vector<2xf16>
    %f = arith.constant 0.000000e+00 : f32
    %low = arith.cmpi ult, %tx, %c16 : index
    scf.if %low {
      %d = nvvm.mma.sync A[%v, %v, %v, %v] B[%v, %v] C[%f, %f, %f, %f]
        {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
        : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
    } else {
      %e = nvvm.mma.sync A[%v, %v, %v, %v] B[%v, %v] C[%f, %f, %f, %f]
        {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
        : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
    }
    gpu.terminator
  }
  return
}

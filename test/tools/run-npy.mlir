// xfmr-run with .npy inputs and outputs, on the .mlir (JIT) and on the
// shared library; the numbers are checked by numpy.

// RUN: rm -rf %t && mkdir -p %t && xfmr-compile %s --emit=shared -o %t/m.so
// RUN: %python -c "import numpy as np; np.save('%t/a.npy', np.arange(6, dtype=np.float32).reshape(2, 3)); np.save('%t/b.npy', np.arange(6, dtype=np.float32).reshape(3, 2) / 4)"
// RUN: xfmr-run %s --function=matmul --input=@%t/a.npy --input=@%t/b.npy --output=@%t/jit.npy
// RUN: xfmr-run %t/m.so --function=matmul --input=@%t/a.npy --input=@%t/b.npy --output=@%t/so.npy
// RUN: %python -c "import numpy as np; a = np.load('%t/a.npy'); b = np.load('%t/b.npy'); [print(f, np.load(f).dtype, np.load(f).shape, np.array_equal(np.load(f), a @ b)) for f in ('%t/jit.npy', '%t/so.npy')]" | FileCheck %s --check-prefix=MATMUL
// MATMUL: jit.npy float32 (2, 2) True
// MATMUL: so.npy float32 (2, 2) True

// npy and inline inputs mix; results go to files or stdout (-) in order.
// RUN: %python -c "import numpy as np; np.save('%t/v.npy', np.array([3, -4, 5], dtype=np.int64))"
// RUN: xfmr-run %t/m.so --function=pair --input=@%t/v.npy --input="3xi64=1 1 1" \
// RUN:   --output=- --output=@%t/diff.npy | FileCheck %s --check-prefix=PAIR
// RUN: %python -c "import numpy as np; d = np.load('%t/diff.npy'); print(d.dtype, d.tolist())" \
// RUN:   | FileCheck %s --check-prefix=DIFF
// PAIR: 3xi64=4 -3 6
// PAIR-NOT: xi64
// DIFF: int64 [2, -5, 4]

// f16 round trip; NumPy format versions 2 and 3 read as well.
// RUN: %python -c "import numpy as np; x = np.array([[1.5, -0.25], [1000, 0.1]], dtype=np.float16); np.lib.format.write_array(open('%t/h2.npy', 'wb'), x, version=(2, 0)); np.lib.format.write_array(open('%t/h3.npy', 'wb'), x, version=(3, 0))"
// RUN: xfmr-run %s --function=twice --input=@%t/h2.npy --output=@%t/h.npy
// RUN: xfmr-run %t/m.so --function=twice --input=@%t/h3.npy | FileCheck %s --check-prefix=HALF
// RUN: %python -c "import numpy as np; y = np.load('%t/h.npy'); print(y.dtype, y.tolist())" | FileCheck %s --check-prefix=HALFNPY
// HALF: 2x2xf16=[3 -0.5][2000 0.2]
// HALFNPY: float16 {{\[\[}}3.0, -0.5], [2000.0, 0.199951171875]]

// bf16 has no NumPy dtype: it is written widened, exactly, to float32.
// RUN: xfmr-run %t/m.so --function=bf16 --input="2xbf16=1.5 -3" --output=@%t/bf.npy
// RUN: %python -c "import numpy as np; y = np.load('%t/bf.npy'); print(y.dtype, y.tolist())" | FileCheck %s --check-prefix=BF16
// BF16: float32 [3.0, -6.0]

func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %r = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>)
                     outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

func.func @pair(%v: tensor<3xi64>, %w: tensor<3xi64>) -> (tensor<3xi64>, tensor<3xi64>) {
  %s = arith.addi %v, %w : tensor<3xi64>
  %d = arith.subi %v, %w : tensor<3xi64>
  return %s, %d : tensor<3xi64>, tensor<3xi64>
}

func.func @twice(%h: tensor<2x2xf16>) -> tensor<2x2xf16> {
  %r = arith.addf %h, %h : tensor<2x2xf16>
  return %r : tensor<2x2xf16>
}

func.func @bf16(%b: tensor<2xbf16>) -> tensor<2xbf16> {
  %r = arith.addf %b, %b : tensor<2xbf16>
  return %r : tensor<2xbf16>
}

// The entry-point ABI in LLVM IR: `f` is the typed C entry, the expanded
// MLIR function is internal, `xfmr_packed_f` unpacks void** arguments, and
// `xfmr_manifest` describes every entry with the source's argument names.

// RUN: xfmr-compile %s --emit=llvm -O0 -o - | FileCheck %s
// RUN: xfmr-compile %s --emit=llvm -O2 --mcpu=skylake-avx512 -o - \
// RUN:   | FileCheck %s --check-prefix=OPT
// RUN: cat %s | xfmr-compile - --emit=llvm -o %t.ll && FileCheck %s \
// RUN:   --check-prefix=OPT-HOST --input-file=%t.ll

// CHECK: @xfmr_manifest = constant [{{[0-9]+}} x i8] c"{\22abi\22:\22xfmr.cpu.v1\22,\22entries\22:[
// CHECK-SAME: {\22args\22:[{\22dtype\22:\22f32\22,\22name\22:\22x\22,\22shape\22:[-1,4]},{\22dtype\22:\22f32\22,\22name\22:\22bias\22,\22shape\22:[-1,4]}],\22name\22:\22add\22,\22packed\22:\22xfmr_packed_add\22,\22results\22:[{\22dtype\22:\22f32\22,\22shape\22:[-1,4]}]}
// CHECK-SAME: {\22args\22:[{\22dtype\22:\22i32\22,\22name\22:\22arg0\22,\22shape\22:[2,3]}],\22name\22:\22pair\22,\22packed\22:\22xfmr_packed_pair\22,\22results\22:[{\22dtype\22:\22i32\22,\22shape\22:[2,3]},{\22dtype\22:\22i32\22,\22shape\22:[2,3]}]}
// CHECK-SAME: {\22args\22:[],\22name\22:\22seven\22,\22packed\22:\22xfmr_packed_seven\22,\22results\22:[{\22dtype\22:\22i64\22,\22shape\22:[]}]}]}\00"

// CHECK: define internal { ptr, ptr, i64, [2 x i64], [2 x i64] } @__xfmr_impl_add(ptr
// CHECK: define void @add(ptr %[[OUT:.+]], ptr %[[X:.+]], ptr %[[B:.+]])
// CHECK: store { ptr, ptr, i64, [2 x i64], [2 x i64] } %{{.+}}, ptr %[[OUT]]
// CHECK: define internal {{.*}} @__xfmr_impl_pair(
// CHECK: define void @pair(ptr %{{.+}}, ptr %{{.+}})
// CHECK: define void @seven(ptr %{{.+}})
// CHECK-NOT: define {{.*}}@_mlir_ciface

// Results first, then the arguments, each a descriptor pointer in args[].
// CHECK-LABEL: define void @xfmr_packed_add(ptr %args)
// CHECK:   %[[S0:.+]] = getelementptr inbounds ptr, ptr %args, i64 2
// CHECK:   %[[R:.+]] = load ptr, ptr %[[S0]]
// CHECK:   %[[S1:.+]] = getelementptr inbounds ptr, ptr %args, i64 0
// CHECK:   %[[A0:.+]] = load ptr, ptr %[[S1]]
// CHECK:   %[[S2:.+]] = getelementptr inbounds ptr, ptr %args, i64 1
// CHECK:   %[[A1:.+]] = load ptr, ptr %[[S2]]
// CHECK:   call void @add(ptr %[[R]], ptr %[[A0]], ptr %[[A1]])
// CHECK:   ret void
// CHECK-LABEL: define void @xfmr_packed_pair(ptr %args)
// CHECK:   call void @pair(ptr %{{.+}}, ptr %{{.+}})
// CHECK-LABEL: define void @xfmr_packed_seven(ptr %args)
// CHECK:   call void @seven(ptr %{{.+}})

// Optimised, the implementation is inlined into the entries and the
// functions say which CPU they were built for.
// OPT-NOT: @__xfmr_impl_add
// OPT: define void @add(
// OPT: define void @xfmr_packed_add(
// OPT: "target-cpu"="skylake-avx512"
// OPT-HOST: define void @xfmr_packed_add(
// OPT-HOST: "target-features"="{{.*}}"

#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @add(%x: tensor<?x4xf32>, %bias: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%d) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#map, #map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %bias : tensor<?x4xf32>, tensor<?x4xf32>)
      outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// Default names stand in for names that are not usable C identifiers.
func.func @pair(%int: tensor<2x3xi32>) -> (tensor<2x3xi32>, tensor<2x3xi32>) {
  return %int, %int : tensor<2x3xi32>, tensor<2x3xi32>
}

func.func @seven() -> tensor<i64> {
  %c = arith.constant dense<7> : tensor<i64>
  return %c : tensor<i64>
}

// Private functions are no entry points.
func.func private @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

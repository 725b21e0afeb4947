//===- Passes.td - every xfmr pass --------------------------*- tablegen -*-===//
//
// All passes of the project are declared here and only here.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_TD
#define XFMR_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerMoeDispatch : Pass<"xfmr-lower-moe-dispatch", "func::FuncOp"> {
  let summary = "Lower xfmr.moe into routing, dispatch, grouped FFN and combine";
  let description = [{
    Rewrites every `xfmr.moe` into the explicit expert-dispatch ops:
    `xfmr.linear` (router logits) → `xfmr.topk_router` → `xfmr.dispatch`
    (stable counting sort of the token slots by expert) →
    `xfmr.grouped_gated_ffn` (one gated FFN per expert segment) →
    `xfmr.combine` (weighted un-permute). Leading batch dimensions of `x` are
    collapsed into the token dimension and restored at the end. The cost of
    the result grows with `T · top_k`, not with `T · E`.

    With `all-experts`, the pass instead builds the naive lowering that
    evaluates every expert on every token and weights the results with a
    dense `[T, E]` routing matrix (zero for unselected experts). It costs
    `T · E` expert evaluations and exists to measure the dispatch lowering
    against.
  }];
  let options = [
    Option<"allExperts", "all-experts", "bool", /*default=*/"false",
           "Evaluate every expert on every token (the naive lowering)">
  ];
  let dependentDialects = ["::mlir::xfmr::XfmrDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertXfmrToLinalg : Pass<"convert-xfmr-to-linalg", "func::FuncOp"> {
  let summary = "Lower every xfmr op to linalg, tensor, arith, math and scf";
  let description = [{
    One rewrite pattern per op turns the xfmr dialect into destination-passing
    linalg ops on tensors (contractions as `linalg.matmul` /
    `linalg.generic`, element-wise and reduction steps as `linalg.generic`),
    with `scf` loops only where the work is data-dependent (top-k selection,
    the counting sort of `xfmr.dispatch`, the expert segments of
    `xfmr.grouped_gated_ffn`). f16/bf16 operands are extended to f32 for the
    arithmetic and truncated back on the result. `xfmr.moe` must have been
    lowered by `xfmr-lower-moe-dispatch` first.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect"];
}

def PrepareEntryPoints : Pass<"xfmr-prepare-entry-points", "ModuleOp"> {
  let summary = "Check public functions and give them a C interface";
  let description = [{
    Every public `func.func` becomes an entry point of the compiled module:
    this pass checks that its arguments and results are ranked tensors of a
    supported element type (f32, f16, bf16, i32, i64) and marks it with
    `llvm.emit_c_interface`, so that it is callable from C with memref
    descriptors. Anything else is reported as an error at the function.
    Arguments become `bufferization.writable = false` (a call never writes
    into its inputs), and `xfmr.entry = {type, names}` records the tensor
    signature and the parameter names (from `xfmr.arg_names`, which the
    source parser sets, else `argN`) for the manifest and the C header.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def LowerStridedCopies : Pass<"xfmr-lower-strided-copies", "func::FuncOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into loops";
  let description = [{
    The LLVM lowering of `memref.copy` calls `memrefCopy` from MLIR's C runner
    library whenever a side is not contiguous. Compiled xfmr modules are
    self-contained (no runtime library beyond libc and libm), so such copies
    become `linalg.copy`, which the loop lowering turns into plain code.
    Contiguous copies stay `memref.copy` and become `memcpy`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TileAndVectorize : Pass<"xfmr-tile-and-vectorize", "func::FuncOp"> {
  let summary = "Register-tile and vectorize linalg.matmul on buffers";
  let description = [{
    First, every contraction over a packed weight that `xfmr-pack-weights`
    built (`C3[m, t, j] += A[m, k] · Wp[t, k, j]` after a fill, `Wp`
    `[tiles, K, 32 or 64]`) becomes one kernel with the element-wise op that
    reads `C3` (gating, bias, residual, type conversion or copy, over
    `[M, N]`): per tile of 8 (or 4) rows by 32 (or 64) columns, the
    accumulators stay in registers over all of K, the element-wise body is
    evaluated on them as 16-lane vectors (exp, tanh, erf as polynomials) and
    only its result is stored, masked past N. The outer loop over blocks of
    column tiles is an `scf.parallel`.


    Replaces every `linalg.matmul` on buffers whose operands are rank-2
    memrefs with a unit inner stride, whose A and B elements are f32, f16 or
    bf16 and whose accumulator is f32, by loops over register tiles of
    16-lane vectors (`vector.fma`). Both the transposed-B form
    (`(m, n, k) -> (m, k), (n, k), (m, n)`, the `nn.Linear` weight layout)
    and the plain form (`(k, n)` for B) are handled; every other linalg op is
    left alone.

    Transposed-B matmuls take one of two kernels, chosen at run time from
    the row count M when it is dynamic:

    * below `pack-threshold` rows (or when N < 32), a "dot" kernel reads A
      and B in place: a 4x4 tile of C keeps 16 vector accumulators along K
      (16 lanes of partial sums each), with a masked tail for K mod 16, and
      the 16 horizontal sums of a tile come out of one shuffle tree;
    * from `pack-threshold` rows on, the weight is packed per block of
      `n-block` columns and `k-block` reduction steps into `[n-block/32,
      k-block, 32]` (16x16 in-register transposes, zero padding past N and
      K), and an 8x32 outer-product kernel broadcasts one element of A
      against two 16-lane rows of the packed weight per step.

    The plain form runs the outer-product kernel on B in place. Rows past the
    last full register tile are handled by smaller tiles (4, 2, 1 rows),
    columns past N by masked loads and stores, so every M, N and K (M = 0
    and M = 1 included) is correct. A `linalg.fill` of the accumulator right
    before the matmul is folded into the kernels.

    The packing buffer is one `memref.alloca` at the entry of the function,
    shared by its matmuls (128 KiB with the default blocks): a heap buffer
    of that size would be mapped and page-faulted again on every call.
  }];
  let options = [
    Option<"packThreshold", "pack-threshold", "int64_t", /*default=*/"16",
           "Smallest row count M for which the transposed-B weight is packed">,
    Option<"pack", "pack", "bool", /*default=*/"true",
           "Pack the transposed-B weight (false: always the dot kernel)">,
    Option<"nBlock", "n-block", "int64_t", /*default=*/"64",
           "Columns of C per packed weight block (a multiple of 32)">,
    Option<"kBlock", "k-block", "int64_t", /*default=*/"512",
           "Reduction steps per packed weight block (a multiple of 16)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def PackWeights : Pass<"xfmr-pack-weights", "ModuleOp"> {
  let summary = "Pack projection weights once, with GLU and element-wise "
                "epilogues per tile";
  let description = [{
    Rewrites each `linalg.matmul` in the nn.Linear layout (`A[M, K] ·
    W[N, K]ᵀ`, accumulator filled first) whose static weight is computed
    from function arguments and constants only (directly, or through
    `tensor.concat`, reshapes and casts) into a contraction over the packed
    weight `Wp[ceil(N/32), K, 32]` (`Wp[t, k, j] = W[32t + j, k]`, zero past
    N) producing `C3[M, ceil(N/32), 32]`:

    * a constant weight is packed at compile time (a new constant);
    * for a public function `f` whose weights come from arguments, the pass
      adds `f_prepare` (the weight arguments → the packed weights: the
      packing runs once per set of weights) and `f_prepared` (`f` taking its
      other arguments followed by the packed weights), and records the
      relation on `f` as `xfmr.prepared_entry` for the manifest. `f` itself
      is left as it was.

    `C3` is read back over `[M, N]` at `[m, n floordiv 32, n mod 32]` by the
    projection's single element-wise consumer when it has one (bias,
    residual add, storage type conversion), else by a copy. When the result
    feeds only the two halves of one element-wise op (the gating of
    `xfmr.glu` after `xfmr-fuse-gate-up`), the stacked `[2F, K]` weight is
    packed interleaved, `Wp[ceil(F/32), K, 64]` with 32 gate columns then
    the matching 32 up columns per tile, and the gating reads the gate at
    column `n mod 32` and the up value at `n mod 32 + 32` of the same tile.
    `xfmr-tile-and-vectorize` evaluates that element-wise op on each tile's
    registers, so `C3` is never stored.

    A weight that is the slice `stack[e]` of a stack of weights
    `[E, N, K]` (static, computed from arguments and constants as above),
    at any index `e` (the expert loop of `xfmr.grouped_glu_ffn` slices at its
    induction variable), packs the whole stack once, as
    `[E, tiles, K, width]`, and the projection reads the slice at `e` of the
    packed stack.
  }];
  let options = [
    Option<"prepareEntryPoints", "prepare-entry-points", "bool",
           /*default=*/"true",
           "Add <f>_prepare / <f>_prepared for weights passed as arguments">
  ];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def ExpandShapeToReinterpretCast
    : Pass<"xfmr-expand-shape-to-reinterpret-cast", "func::FuncOp"> {
  let summary = "Rewrite memref.expand_shape with several dynamic sizes in one group";
  let description = [{
    `expand-strided-metadata` in MLIR 22.1 assumes at most one dynamic size
    per reassociation group of a `memref.expand_shape` (e.g. `[?, 32]` into
    `[?, ?, 32]`, which the lowering of a batched projection produces when
    both leading dimensions are dynamic) and crashes otherwise. For a source
    with the identity layout, the expansion is a `memref.reinterpret_cast`
    with the sizes of `output_shape` and row-major strides, which this pass
    emits instead. Other layouts are reported as an error.
  }];
}

def CacheTemporaries : Pass<"xfmr-cache-temporaries", "ModuleOp"> {
  let summary = "Serve temporary buffers from a per-module cache of blocks";
  let description = [{
    Runs on bufferized, deallocated IR right before `finalize-memref-to-llvm`.
    A large temporary that is malloc()-ed and freed on every call is mapped
    and page-faulted again on every call (glibc returns large blocks to the
    system), which costs more than the work on it for small token counts.

    Every `memref.alloc` whose buffer a `func.return` may return (directly,
    through views, branches, selects or region results) is left alone, so
    that `finalize-memref-to-llvm` lowers it to `malloc` and the caller owns
    a plain malloc() block. Every other `memref.alloc` and every
    `memref.dealloc` is lowered here to calls of `_mlir_memref_to_llvm_alloc`
    and `_mlir_memref_to_llvm_free`, which the pass defines in the module:
    freed blocks of at least 64 KiB are kept in a 32-slot cache (guarded by
    a spin lock, so concurrent calls and threads are safe) and reused by
    later allocations that fit (best fit, at most twice the request). The
    cache holds plain malloc() blocks and is released by a global destructor
    when the module is unloaded. Compiled modules still need only libc.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def FuseGateUp : Pass<"xfmr-fuse-gate-up", "func::FuncOp"> {
  let summary = "Merge the gate and up projections of a gated FFN into one";
  let description = [{
    Stacks the gate and up weights of a gated FFN into one `[2F, D]` weight
    (`tensor.concat` along dimension 0, gate rows first) so that `x` is read
    by a single `xfmr.linear`, followed by an `xfmr.glu` (whose gate is the
    FIRST half of its operand). Two forms are rewritten:

    * `xfmr.gated_ffn <act>(x, w_gate, w_up, w_down)` becomes
      `concat` + `linear` + `glu <act>` + `linear` (the down projection);
    * `xfmr.gated_activation <act>(linear(x, w_g), linear(x, w_u))` becomes
      `concat` + `linear` + `glu <act>`, when both projections read the same
      `x`, have no bias and no other use, and the weights have the same
      static shape and element type. The stacking order follows the operands
      of the gated_activation, whatever the projections are called.

    * `xfmr.grouped_gated_ffn <act>(sx, offsets, w_gate, w_up, w_down)`
      (the expert FFNs of a mixture of experts) becomes
      `xfmr.grouped_glu_ffn <act>(sx, offsets, concat dim(1) w_gate, w_up,
      w_down)`: per expert one projection over the `[2F, D]` slice of the
      stacked `[E, 2F, D]` weight, then `glu` and the down projection. The
      weights must have the same static shape and element type.

    Anything else is left alone. The pass is not part of the default
    pipeline; the CPU pipeline option `fuse-gate-up` runs it right after
    `xfmr-lower-moe-dispatch`, so that `xfmr.moe` is fused too.
  }];
  let dependentDialects = ["::mlir::xfmr::XfmrDialect",
                           "::mlir::tensor::TensorDialect"];
}

def GPUDeviceMemory : Pass<"xfmr-gpu-device-memory", "func::FuncOp"> {
  let summary = "Allocate the buffers that only kernels touch in device memory";
  let description = [{
    Runs in the GPU pipeline once every loop nest is a kernel (after
    xfmr-gpu-map-to-launches). A `gpu.alloc host_shared` (CUDA managed
    memory, from xfmr-gpu-device-buffers) whose contents the host code
    never reads or writes, through the buffer or any view of it, loses
    `host_shared`: it becomes a plain device allocation (`cuMemAlloc`, in
    the async form with one dependency that gpu-to-llvm lowers, waited for),
    which the driver never migrates to the host on a page fault. Uses that
    leave it on the device: anything inside a `gpu.launch`, `gpu.memcpy`
    (the driver copies device memory), `gpu.dealloc` and `memref.dim`,
    and through views and the results of `scf.if`s that yield it (an
    argument copied to the device on entry).
    Any other use on the host (a `memref.load` of values that decide host
    control flow, a call) keeps the buffer in managed memory.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def GPUFuseElementwise : Pass<"xfmr-gpu-fuse-elementwise", "func::FuncOp"> {
  let summary = "Fuse chains of element-wise linalg.generic ops on tensors into one";
  let description = [{
    Runs in the GPU pipeline after the front half, on tensors. An
    element-wise `linalg.generic` whose only user is another element-wise
    `linalg.generic` is merged into it (upstream
    `populateElementwiseOpsFusionPatterns`): one kernel instead of two, and
    no intermediate buffer. With f16/bf16 storage this is what lets the
    gating of a gated FFN reach the matmuls: each projection's f32 sums
    are converted by a generic of their own, which merges into the gating,
    so that xfmr-gpu-tile-matmul finds the gating reading the matmul
    results directly. The conversions stay in the merged body, so rounding
    is unchanged. Reductions are left alone as consumers: their bodies must
    stay the plain combine that xfmr-gpu-warp-reductions matches. Reshapes
    are not moved (upstream `linalg-fuse-elementwise-ops` also propagates
    them, which would give the generics other ranks).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def GPUGroupedMatmul : Pass<"xfmr-gpu-grouped-matmul", "ModuleOp"> {
  let summary = "Compute the grouped expert FFNs of MoE layers with grouped GEMM kernels";
  let description = [{
    Runs in two steps, like xfmr-gpu-flash-attention (kernels with
    workgroup memory are built after buffer deallocation).

    Step 1 (default), on tensors before the front half: every
    `xfmr.grouped_gated_ffn` and `xfmr.grouped_glu_ffn` whose rows and
    weights share one storage type (f32, f16 or bf16) becomes two calls of
    marked declarations on its operands as read-only buffers: the gated
    projection into a new [R, F] buffer h, and the down projection into a
    new [R, D] buffer, returned as the result tensor. Other element types
    keep the front half's loop over experts.

    Step 2 (`build-kernels`), on buffers: each call becomes one launch of
    the matmul kernels of xfmr-gpu-tile-matmul (tensor cores for f16 and
    bf16, FMA for f32) in their grouped form. Blocks along x are numbered
    over the segments' tiles, ceil(R / 64) + E of them: every thread of a
    block walks the E + 1 offsets (clamped to [0, R] and made
    non-decreasing, as the op specifies) to find its expert e and its 64
    rows of e's segment, stages those rows of A and the rows of
    B[e] (nn.Linear layout [E, N, K]), and bounds its loads and stores by
    the segment's end; blocks past the last tile run no stage. The gated
    kernel stages both the gate and the up weight (from two weights or the
    two halves of a stacked one) and stores act(gate) * up, each sum
    rounded to the storage type first as the per-expert lowering does; the
    down kernel stores the sums into a buffer first filled with zeros,
    which rows outside every segment keep. The offsets are read by the
    kernels only: the host neither reads them nor loops over experts.
  }];
  let options = [
    Option<"buildKernels", "build-kernels", "bool", /*default=*/"false",
           "Step 2: replace the calls of step 1, on buffers, by the kernels">,
  ];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def GPUDeviceBuffers : Pass<"xfmr-gpu-device-buffers", "ModuleOp"> {
  let summary = "Allocate buffers in CUDA managed memory and copy them by kernels";
  let description = [{
    Runs on bufferized host functions of the GPU pipeline, before their
    loops become kernels. Every `memref.alloc` becomes `gpu.alloc
    host_shared` (CUDA managed memory, `cuMemAllocManaged`) and every
    `memref.dealloc` a `gpu.dealloc` on a stream that is waited for, so that
    kernels and the host code that orchestrates them (for instance the loop
    over expert segments, whose bounds are read from a buffer the dispatch
    kernels wrote) see the same buffers; kernel launches are synchronous, so
    host reads follow the writes of earlier kernels (the buffers the host
    never reads move to device memory later: xfmr-gpu-device-memory).
    Every `memref.copy`
    becomes a `linalg.copy`, which becomes a parallel kernel like any other
    linalg op instead of a host `memcpy`. Buffers with a memory space are
    left alone. A constant tensor (`memref.get_global`, in the library's
    host memory) is copied into managed memory at the start of the function
    that reads it and freed at its returns.

    Public functions are C entry points whose callers pass ordinary host
    memory, as on the CPU target: each argument is copied into managed
    memory on entry unless the kernel runtime's
    `xfmr_cuda_is_device_memory(address)` says that it already is device
    or managed memory (weights kept on the device are read in place), and
    each result is copied into a `memref.alloc` buffer (malloc, owned and
    freed by the caller) before the managed buffers are freed at the
    return.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect"];
}

def GPUFlashAttention : Pass<"xfmr-gpu-flash-attention", "ModuleOp"> {
  let summary = "Rewrite xfmr.attention into one online-softmax (flash) gpu.launch";
  let description = [{
    Runs twice in the GPU pipeline. Without `build-kernels`, on its input
    (tensors, before the xfmr -> linalg front half), each `xfmr.attention`
    with f32, f16 or bf16 operands (all of one type, rank 3 or 4, an
    optional rank-2 mask) and static head sizes Dh, Dv <= 256 becomes a
    call, on buffers, of a private declaration marked
    `xfmr.gpu_flash_attention` (attributes `xfmr.causal`, `xfmr.scale` on
    the call): q, k, v (and the mask) through `bufferization.to_buffer
    read_only` as buffers of any strides, so that one-shot bufferization
    reads them in place (no copy; entry arguments stay read-only), and a
    new `memref.alloc` for the result, returned through
    `bufferization.to_tensor restrict writable`. Bufferization and buffer
    deallocation (which refuses the `gpu.barrier` of a kernel built this
    early) treat it as any call. With `build-kernels`, after
    `xfmr-gpu-device-buffers`, each such call becomes the `gpu.launch`
    below and the declarations are erased; the later passes (kernel
    outlining, ...) apply unchanged, `xfmr-gpu-map-to-launches` leaves the
    launch alone:

    * a grid of ceil(g * Tq / 8) x Hkv x B blocks (each at least 1; g =
      Hq / Hkv) of 128 threads (4 warps). The g * Tq query rows of a kv
      head are enumerated position-major, row = i * g + (h mod g), so that
      a block's 8 rows hold all query heads of the GQA group that share the
      K/V tiles (decode, Tq = 1, still fills a block per kv head) and have
      neighbouring causal limits. Warp w carries the block's rows w and
      w + 4;
    * the block's 8 query rows are staged once in workgroup memory as f32,
      multiplied by the scale (default 1/sqrt(Dh)); rows past g * Tq read 0;
    * a loop over ceil(L / BK) key tiles, L the largest causal limit of the
      block's rows (Tk without `causal`), BK = 32 keys (16 when Dh + Dv
      leave no room in 48 KiB of static workgroup memory): the whole block
      stages BK keys of K ([BK][Dh + 1], the pitch making the column reads
      of 32 lanes conflict-free) and V ([BK][32 * ceil(Dv / 32)]) as f32,
      keys past L reading 0; `gpu.barrier`; lane l of each warp computes
      the score of key t0 + l against both of its rows from workgroup
      memory, adds the mask, sets keys that the row does not see (past Tk,
      past its causal limit i + Tk - Tq, past BK) to -inf; the tile's max
      (a `gpu.shuffle xor` butterfly) updates the row's running max m;
      p = exp(s - m), the running sum l (per lane) and the row's
      accumulators (ceil(Dv / 32) per lane, columns lane + 32c) are
      rescaled by exp(m_old - m), and each key's p is broadcast with
      `gpu.shuffle idx` to accumulate p * V[key]; `gpu.barrier`. The trip
      count is the block's, so both barriers are at the loop's top level
      and reached by every thread. While a row has seen no unmasked key
      (m = -inf) its weights are 0 and its state is left as it is;
    * the lanes' sums l are added (xor butterfly) and each in-bounds output
      element is acc / l, or 0 when l = 0 (a fully masked row), stored in
      the result type.

    Softmax statistics and accumulation are in f32 whatever the storage
    type. One warp per row and a lane per key suit head sizes up to 256;
    larger or dynamic head sizes, f64 operands and other forms are left to
    the xfmr -> linalg lowering.
  }];
  let options = [
    Option<"buildKernels", "build-kernels", "bool", /*default=*/"false",
           "Replace the calls of step 1 (on buffers) by the kernels">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def GPUTileMatmul : Pass<"xfmr-gpu-tile-matmul", "func::FuncOp"> {
  let summary = "Rewrite matmuls on buffers into tiled shared-memory gpu.launch kernels (mma.sync for f16/bf16)";
  let description = [{
    Runs on bufferized host functions of the GPU pipeline, before
    `convert-linalg-to-parallel-loops`. Every `linalg.matmul` on buffers
    whose operands are f16, bf16 or f32, with B indexed B[k][n] (the
    default maps) or B[n][k] (the nn.Linear weights that `xfmr.linear`
    lowers to), becomes a `gpu.launch` of one of two kernels.

    When A and B are both f16 or both bf16 (C f32, f16 or bf16), the
    tensor-core kernel (passes/TensorCoreMatmulKernel.cpp):

    * a grid of ceil(M / 64) x ceil(N / 64) blocks (at least 1 x 1), each
      block of 128 threads (4 warps) computing a 64 x 64 tile of C, each
      warp a 32 x 32 quarter of it as 2 x 4 fragments of the m16n8k16
      `nvvm.mma.sync` (PTX `mma.sync.aligned.m16n8k16.row.col.f32`), whose
      32 f32 accumulators per thread stay in registers;
    * a loop over ceil(K / 32) stages: each thread stores the 8 pairs of
      consecutive k of A and of B that it loaded into registers during the
      previous stage (in the operands' own type; loads outside M, N or K
      read 0) into the block's two 64 x 20 workgroup tiles of pairs, both
      [row][k / 2] (B[k][n] is transposed on the way; 4 pairs of padding
      per row keep a warp's fragment loads on 32 distinct banks);
      `gpu.barrier`; it loads its pairs of the next stage (neighbouring
      threads on neighbouring elements of the operand's contiguous
      dimension), then for each of the stage's two k16 steps loads its A
      and B fragments from the tiles in the register layout of the PTX ISA
      ("Matrix Fragments for mma.m16n8k16 with floating point type") and
      issues the warp's 8 mma.sync; `gpu.barrier`. Every lane of every
      warp runs every stage: mma.sync, warp-collective, is never under
      lane-dependent control flow;
    * each in-bounds element of C is then read by the one lane whose
      accumulator holds it, the sum added in f32, and stored back in C's
      type.

    The kernel is built on `nvvm.mma.sync` directly: in MLIR 22 neither
    `!gpu.mma_matrix` (the WMMA ops) nor `nvgpu.mma.sync`'s lowering to
    NVVM accepts bf16 multiplicands, while `nvvm.mma.sync` takes f16 pairs
    as vector<2xf16> and bf16 pairs as i32, and its explicit per-lane
    fragments are the PTX ISA's, which the CPU emulator of the tests
    implements exactly. `convert-gpu-to-nvvm` leaves NVVM ops as they are,
    so the pipeline needs no further conversion pass.

    Otherwise (f32 operands, or operands of different types) the FMA
    kernel (passes/FMAMatmulKernel.cpp):

    * a grid of ceil(M / 64) x ceil(N / 64) blocks (at least 1 x 1), each
      block of 256 threads computing a 64 x 64 tile of C, each thread a
      4 x 4 sub-tile accumulated in f32 registers;
    * a loop over ceil(K / 16) stages: each thread stores the 4 values of
      A and of B that it loaded into registers during the previous stage
      (converted to f32; loads outside M, N or K read 0) into the block's
      16 x 64 workgroup-memory tiles of A and B, k-major, one 4-float
      vector each; `gpu.barrier`; it loads its values of the next stage
      (neighbouring threads on neighbouring elements of the operand's
      contiguous dimension), then accumulates its sub-tile over the 16
      reduction steps from workgroup memory; `gpu.barrier`. The trip count
      is the same for every thread, so the barriers are never inside
      divergent control flow;
    * each in-bounds element of C is then read, the sum added in f32, and
      stored back in C's type.

    Both kernels add C's initial value exactly once (zeros, a bias or a
    partial sum: linalg's accumulate-into-C) and round once to C's type.
    A C that holds zeros when the matmul runs (a `linalg.fill` of 0, or a
    `linalg.copy` of such a buffer, with nothing writing it in between) is
    not read, and the fill is erased when nothing else reads it. M, N and K
    may be any size, dynamic or not. Other matmuls (integer or f64
    operands, other indexing maps) and other contractions are left to the
    generic loop lowering.

    Epilogues (`fuse-epilogues`, on by default). A `linalg.generic` on
    buffers with two parallel loops, an identity output map and a body of
    scalar arithmetic is evaluated inside the matmul kernel when one or two
    of its inputs are matmul results read at (m, n): the whole C of a
    matmul, or a slice of whole rows and a range of columns of it (the gate
    or up half of a stacked gate/up projection, whose B is then the
    matching slice of the weight). Two products must share A, the B layout
    and the B type: the kernel then stages A once and both Bs (three
    shared tiles; twice the accumulators), which is the gated FFN's
    gate/up fusion without stacking the weights. Each thread evaluates the
    generic's body on its sums (each rounded to its C's type first, as the
    buffer would hold it), the other inputs loaded at (m, n), at m or n
    alone (a bias) or at constants, and stores the result into the
    generic's output; neither product goes through memory. Conditions:
    between the first matmul and the generic only the matmuls,
    allocations and ops without memory effects; after the matmul, a C is
    used only by the generic and deallocations (or, when the generic
    writes its result into the whole of C, by readers of that result); the
    output does
    not alias A or a B, nor an input read at another point. Allocations
    left with no use but their deallocation are erased.
  }];
  let options = [
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Evaluate the element-wise linalg.generic that consumes one or "
           "two matmul results (gating, activation, bias, conversion) in "
           "the matmul kernel">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def GPUExpertDispatch : Pass<"xfmr-gpu-expert-dispatch", "func::FuncOp"> {
  let summary = "Lower the MoE routing ops to parallel GPU kernels";
  let description = [{
    Runs in the GPU pipeline after `xfmr-lower-moe-dispatch`, on tensors,
    before the xfmr -> linalg lowering (whose sequential loops would each
    become a single-thread kernel). Each op's operands are read through
    `bufferization.to_buffer`, its results are fresh buffers written by
    `gpu.launch` kernels and returned through `bufferization.to_tensor
    restrict`, so bufferization and the rest of the pipeline apply as for
    any other op. Same results as the linalg lowering, bit for bit in the
    integer outputs:

    * `xfmr.topk_router`: one thread per token computes the row's softmax
      statistics (max, then sum of exponentials) or sigmoids in f32, picks
      the `top_k` best experts (score descending, ties to the lower index,
      NaN as -inf) and renormalises them when `normalize_topk`.
    * `xfmr.dispatch`: one block of 256 threads runs the stable counting
      sort. The T·k pairs go through it 256 at a time; each thread stages
      its pair's expert and ranks its pair among the pairs of the same
      expert before it in the chunk, plus the expert's running count
      (`num_experts` entries). A first pass
      in slot-major order applies the capacity (a pair is admitted while
      fewer than C valid pairs of its expert precede it); thread 0 then
      forms `offsets` as the prefix sum of min(count, C); a second pass in
      token-major order writes each admitted pair to `order` at its segment
      cursor plus its rank, so the sort is stable without atomics. Two
      barriers per chunk, all reached by every thread. The chunk and the
      running counts live in global scratch buffers rather than workgroup
      memory: the kernel is built before buffer deallocation, which breaks
      the workgroup attributions of a `gpu.launch`. `sorted_x` is then
      gathered one thread per element.
    * `xfmr.combine`: the inverse permutation of `order` is built one
      thread per row (its entries are distinct), then one thread per output
      element sums its token's `top_k` weighted expert rows in slot order,
      in f32.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def GPUWarpReductions : Pass<"xfmr-gpu-warp-reductions", "func::FuncOp"> {
  let summary = "Rewrite linalg reductions on buffers into one-warp-per-output gpu.launch kernels";
  let description = [{
    Runs on bufferized host functions of the GPU pipeline, after
    `xfmr-gpu-tile-matmul` and before `convert-linalg-to-parallel-loops`.
    It takes every `linalg.generic` on buffers (and every named linalg op
    with reduction iterators whose generic form qualifies: `linalg.reduce`,
    `linalg.batch_matmul`, `linalg.matvec`, ...) that has:

    * one output, indexed by each parallel dimension exactly once and by no
      reduction dimension (any order of the iterators, any input maps),
      that no input reads;
    * one or more reduction iterators;
    * a body `yield combine(element, out)` (either operand order), where
      `element` is computed from the inputs and `linalg.index` by pure ops
      without regions, `out` is used by `combine` alone, and `combine` is
      `arith.addf`, `mulf`, `maximumf`, `minimumf`, `maxnumf`, `minnumf`
      (without `nnan`/`ninf` flags), `addi`, `muli`, `maxsi`, `minsi`,
      `maxui` or `minui`, on 16-, 32- or 64-bit floats or 8- to 64-bit
      integers.

    Each becomes a `gpu.launch` of max(1, ceil(P / W)) blocks of 32 * W
    threads, where P is the number of output elements (the product of the
    parallel sizes) and W is `warps-per-block`. Warp w of block b computes
    output element b * W + w of the parallel space, delinearised with the
    last parallel iterator fastest:

    * lane l accumulates, from the combine's identity (-0.0 for addf, 1 for
      mulf, -inf/+inf for maximumf/minimumf, NaN for maxnumf/minnumf, the
      extreme values for the integer min/max), the elements of steps l,
      l + 32, l + 64, ... of the flattened reduction space (last reduction
      iterator fastest, so that neighbouring lanes read neighbouring
      elements of an input whose innermost dimension it is), in the
      output's element type with the body's own ops;
    * the 32 partial results are combined by a butterfly of `gpu.shuffle
      xor` with offsets 16, 8, 4, 2, 1 (width 32), applying `combine` with
      its fast-math flags after each; values narrower than 32 bits are
      shuffled widened to 32 bits, 64-bit values as two 32-bit words;
    * lane 0 loads the output's initial value, combines the warp's total
      into it and stores the result: linalg's accumulate semantics.

    A warp past the last element (the last block's tail, or an empty
    output) runs no reduction step and stores nothing, but its lanes still
    execute the shuffles, which are outside any lane-dependent control
    flow. Every size may be dynamic; an empty reduction leaves the output
    as it is. The result equals the sequential one up to the reordering of
    the combine (exactly for min/max and integers; within rounding for
    floating-point sums and products). Every other linalg op is left to the
    generic loop lowering.
  }];
  let options = [
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"8",
           "Warps per block, each computing one output element">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def GPUMapToLaunches : Pass<"xfmr-gpu-map-to-launches", "func::FuncOp"> {
  let summary = "Put every loop nest that touches buffers into a gpu.launch";
  let description = [{
    Runs on host functions after `convert-linalg-to-parallel-loops`:

    * a host-level `scf.for`, `scf.while` or `scf.if` that writes to a
      buffer and contains no `scf.parallel`, allocation, deallocation or
      call (the data-dependent loops of top-k selection, the dispatch
      histogram, prefix sum and stable scatter), and a host-level
      `memref.store`, runs sequentially in a single-thread `gpu.launch`;
    * every outermost `scf.parallel` becomes a one-dimensional `gpu.launch`
      of `block-size`-thread blocks over its collapsed iteration space: each
      thread delinearises its global index (innermost dimension fastest, so
      that neighbouring threads touch neighbouring elements) and runs one
      iteration of the body. Nested `scf.parallel` and `scf.for` loops (the
      reductions of matmuls and norms) stay sequential in the thread.

    Host code that only reads buffers (segment bounds) stays on the host.
    The launches name their kernels `<function>_kernel_<n>`, in program
    order, all in the `xfmr_kernels` module that `gpu-kernel-outlining`
    creates.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block of the kernels made from scf.parallel loops">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def OuterParallelLoops : Pass<"xfmr-outer-parallel-loops", "func::FuncOp"> {
  let summary = "Keep only the outer dimensions of outermost scf.parallel loops parallel";
  let description = [{
    Prepares the `scf.parallel` loops of `convert-linalg-to-parallel-loops`
    and of the matmul kernels for `convert-scf-to-openmp`, which turns every
    `scf.parallel` into its own `omp.parallel` (nested ones included) and
    collapses all dimensions of one loop into a single work-shared space:

    * an `scf.parallel` inside another one becomes a nest of `scf.for`, so
      that one thread runs it and no nested parallel region is created;
    * an outermost `scf.parallel` keeps its leading dimensions parallel, one
      at least, and more while all kept extents are constants whose product
      is below `min-parallel-extent` (a batch or head prefix too short to
      share); a dynamic extent ends the prefix. The remaining dimensions
      become `scf.for` loops inside, innermost last, where LLVM can
      vectorise them.

    Loops with reductions are left as they are.
  }];
  let options = [
    Option<"minParallelExtent", "min-parallel-extent", "int64_t",
           /*default=*/"16",
           "Add leading static dimensions to the parallel ones until their "
           "iteration count reaches this">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def FinishOpenMPRegions : Pass<"xfmr-finish-openmp-regions", "ModuleOp"> {
  let summary = "Serialise small omp.parallel regions and remove alloca scopes";
  let description = [{
    Runs after `convert-scf-to-openmp`:

    * each outermost `omp.parallel` without an `if` clause gets one that
      forks threads only when the estimated work reaches
      `min-parallel-work` scalar iterations: the product of the work-shared
      trip counts and of the first chain of `scf.for` loops in the body
      whose bounds are known before the region. Smaller regions run on the
      calling thread without the fork and join;
    * the `memref.alloca_scope` that `convert-scf-to-openmp` puts around
      each loop body is inlined, between `llvm.intr.stacksave` and
      `llvm.intr.stackrestore` when the body allocates, so that the later
      `convert-scf-to-cf` does not put several blocks into a single-block
      region and per-iteration stack buffers are released every iteration.
  }];
  let options = [
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"8192",
           "Smallest estimated iteration count for which a region forks "
           "threads (1 or less: always)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

#endif // XFMR_PASSES_TD

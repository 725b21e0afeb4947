//===- CacheTemporaries.cpp - temporaries from a per-module block cache ---===//
//
// Keeps compiled modules from mapping and page-faulting their large
// temporaries again on every call: see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "mlir/Analysis/DataLayoutAnalysis.h"
#include "mlir/Conversion/LLVMCommon/LoweringOptions.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_CACHETEMPORARIES
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

/// The allocator behind `_mlir_memref_to_llvm_alloc` / `_free`, the names
/// finalize-memref-to-llvm's generic-function lowering calls. Blocks of at
/// least 64 KiB (malloc_usable_size) that are freed go to a cache of 32
/// slots instead of back to malloc; an allocation of at least 64 KiB takes
/// the smallest cached block that holds it, if that block is at most twice
/// the request (so that a small temporary does not keep a large block from
/// the temporary that needs it). A full cache evicts its smallest block when
/// a larger one comes in. Every block is a plain malloc() block, so one that
/// ends up returned to the caller can still be released with free().
///
/// The cache is shared by the module's entry points and threads and guarded
/// by a spin lock that yields the CPU while it waits: the critical sections
/// only scan the 32 slots. A shared cache needs no thread-local storage
/// (which the JIT does not support everywhere), bounds the memory held per
/// module whatever the number of threads, and is released by a global
/// destructor when the module is unloaded (dlclose, JIT teardown).
constexpr llvm::StringLiteral kCacheRuntime = R"mlir(
llvm.mlir.global internal @__xfmr_tmp_lock(0 : i32) {alignment = 4 : i64} : i32
llvm.mlir.global internal @__xfmr_tmp_blocks() {alignment = 8 : i64} : !llvm.array<32 x ptr> {
  %0 = llvm.mlir.zero : !llvm.array<32 x ptr>
  llvm.return %0 : !llvm.array<32 x ptr>
}
llvm.mlir.global internal @__xfmr_tmp_sizes() {alignment = 8 : i64} : !llvm.array<32 x i64> {
  %0 = llvm.mlir.zero : !llvm.array<32 x i64>
  llvm.return %0 : !llvm.array<32 x i64>
}
llvm.func @malloc(i64) -> !llvm.ptr
llvm.func @free(!llvm.ptr)
llvm.func @malloc_usable_size(!llvm.ptr) -> i64
llvm.func @sched_yield() -> i32

llvm.func internal @__xfmr_tmp_acquire() {
  %lock = llvm.mlir.addressof @__xfmr_tmp_lock : !llvm.ptr
  %one = llvm.mlir.constant(1 : i32) : i32
  %zero = llvm.mlir.constant(0 : i32) : i32
  llvm.br ^try
^try:
  %old = llvm.atomicrmw xchg %lock, %one acquire : !llvm.ptr, i32
  %busy = llvm.icmp "ne" %old, %zero : i32
  llvm.cond_br %busy, ^wait, ^done
^wait:
  %r = llvm.call @sched_yield() : () -> i32
  llvm.br ^try
^done:
  llvm.return
}

llvm.func internal @__xfmr_tmp_release_lock() {
  %lock = llvm.mlir.addressof @__xfmr_tmp_lock : !llvm.ptr
  %zero = llvm.mlir.constant(0 : i32) : i32
  llvm.store %zero, %lock atomic release {alignment = 4 : i64} : i32, !llvm.ptr
  llvm.return
}

llvm.func internal @_mlir_memref_to_llvm_alloc(%n: i64) -> !llvm.ptr {
  %min = llvm.mlir.constant(65536 : i64) : i64
  %small = llvm.icmp "ult" %n, %min : i64
  llvm.cond_br %small, ^fresh, ^search
^search:
  llvm.call @__xfmr_tmp_acquire() : () -> ()
  %blocks = llvm.mlir.addressof @__xfmr_tmp_blocks : !llvm.ptr
  %sizes = llvm.mlir.addressof @__xfmr_tmp_sizes : !llvm.ptr
  %null = llvm.mlir.zero : !llvm.ptr
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  %slots = llvm.mlir.constant(32 : i64) : i64
  %none = llvm.mlir.constant(-1 : i64) : i64
  %twice = llvm.shl %n, %c1 : i64
  %limit = llvm.add %twice, %c1 : i64
  llvm.br ^loop(%c0, %none, %limit : i64, i64, i64)
^loop(%i: i64, %best: i64, %bestSize: i64):
  %more = llvm.icmp "ult" %i, %slots : i64
  llvm.cond_br %more, ^body, ^pick
^body:
  %bp = llvm.getelementptr inbounds %blocks[0, %i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<32 x ptr>
  %b = llvm.load %bp : !llvm.ptr -> !llvm.ptr
  %sp = llvm.getelementptr inbounds %sizes[0, %i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<32 x i64>
  %s = llvm.load %sp : !llvm.ptr -> i64
  %present = llvm.icmp "ne" %b, %null : !llvm.ptr
  %fits = llvm.icmp "uge" %s, %n : i64
  %tighter = llvm.icmp "ult" %s, %bestSize : i64
  %usable = llvm.and %present, %fits : i1
  %better = llvm.and %usable, %tighter : i1
  %nbest = llvm.select %better, %i, %best : i1, i64
  %nsize = llvm.select %better, %s, %bestSize : i1, i64
  %next = llvm.add %i, %c1 : i64
  llvm.br ^loop(%next, %nbest, %nsize : i64, i64, i64)
^pick:
  %found = llvm.icmp "sge" %best, %c0 : i64
  llvm.cond_br %found, ^hit, ^miss
^hit:
  %hp = llvm.getelementptr inbounds %blocks[0, %best] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<32 x ptr>
  %h = llvm.load %hp : !llvm.ptr -> !llvm.ptr
  llvm.store %null, %hp : !llvm.ptr, !llvm.ptr
  llvm.call @__xfmr_tmp_release_lock() : () -> ()
  llvm.return %h : !llvm.ptr
^miss:
  llvm.call @__xfmr_tmp_release_lock() : () -> ()
  llvm.br ^fresh
^fresh:
  %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr
  llvm.return %p : !llvm.ptr
}

llvm.func internal @_mlir_memref_to_llvm_free(%p: !llvm.ptr) {
  %null = llvm.mlir.zero : !llvm.ptr
  %isNull = llvm.icmp "eq" %p, %null : !llvm.ptr
  llvm.cond_br %isNull, ^done, ^measure
^measure:
  %n = llvm.call @malloc_usable_size(%p) : (!llvm.ptr) -> i64
  %min = llvm.mlir.constant(65536 : i64) : i64
  %small = llvm.icmp "ult" %n, %min : i64
  llvm.cond_br %small, ^release(%p : !llvm.ptr), ^search
^search:
  llvm.call @__xfmr_tmp_acquire() : () -> ()
  %blocks = llvm.mlir.addressof @__xfmr_tmp_blocks : !llvm.ptr
  %sizes = llvm.mlir.addressof @__xfmr_tmp_sizes : !llvm.ptr
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  %slots = llvm.mlir.constant(32 : i64) : i64
  %none = llvm.mlir.constant(-1 : i64) : i64
  llvm.br ^loop(%c0, %none, %n : i64, i64, i64)
^loop(%i: i64, %victim: i64, %victimSize: i64):
  %more = llvm.icmp "ult" %i, %slots : i64
  llvm.cond_br %more, ^body, ^place
^body:
  %bp = llvm.getelementptr inbounds %blocks[0, %i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<32 x ptr>
  %b = llvm.load %bp : !llvm.ptr -> !llvm.ptr
  %sp = llvm.getelementptr inbounds %sizes[0, %i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<32 x i64>
  %s = llvm.load %sp : !llvm.ptr -> i64
  %present = llvm.icmp "ne" %b, %null : !llvm.ptr
  %held = llvm.select %present, %s, %c0 : i1, i64
  %smaller = llvm.icmp "ult" %held, %victimSize : i64
  %nvictim = llvm.select %smaller, %i, %victim : i1, i64
  %nsize = llvm.select %smaller, %held, %victimSize : i1, i64
  %next = llvm.add %i, %c1 : i64
  llvm.br ^loop(%next, %nvictim, %nsize : i64, i64, i64)
^place:
  %found = llvm.icmp "sge" %victim, %c0 : i64
  llvm.cond_br %found, ^swap, ^full
^swap:
  %vp = llvm.getelementptr inbounds %blocks[0, %victim] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<32 x ptr>
  %vs = llvm.getelementptr inbounds %sizes[0, %victim] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<32 x i64>
  %evicted = llvm.load %vp : !llvm.ptr -> !llvm.ptr
  llvm.store %p, %vp : !llvm.ptr, !llvm.ptr
  llvm.store %n, %vs : i64, !llvm.ptr
  llvm.call @__xfmr_tmp_release_lock() : () -> ()
  llvm.br ^release(%evicted : !llvm.ptr)
^full:
  llvm.call @__xfmr_tmp_release_lock() : () -> ()
  llvm.br ^release(%p : !llvm.ptr)
^release(%q: !llvm.ptr):
  llvm.call @free(%q) : (!llvm.ptr) -> ()
  llvm.return
^done:
  llvm.return
}

llvm.func internal @__xfmr_tmp_release_all() {
  %blocks = llvm.mlir.addressof @__xfmr_tmp_blocks : !llvm.ptr
  %null = llvm.mlir.zero : !llvm.ptr
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  %slots = llvm.mlir.constant(32 : i64) : i64
  llvm.br ^loop(%c0 : i64)
^loop(%i: i64):
  %more = llvm.icmp "ult" %i, %slots : i64
  llvm.cond_br %more, ^body, ^done
^body:
  %bp = llvm.getelementptr inbounds %blocks[0, %i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<32 x ptr>
  %b = llvm.load %bp : !llvm.ptr -> !llvm.ptr
  llvm.store %null, %bp : !llvm.ptr, !llvm.ptr
  llvm.call @free(%b) : (!llvm.ptr) -> ()
  %next = llvm.add %i, %c1 : i64
  llvm.br ^loop(%next : i64)
^done:
  llvm.return
}
)mlir";

constexpr llvm::StringLiteral kReleaseAll = "__xfmr_tmp_release_all";

/// Collects the memref.alloc ops whose buffer `value` may be: the buffer
/// itself, views of it, and values forwarded through branches, selects and
/// region results.
void collectAllocSources(Value value, DenseSet<Operation *> &allocs,
                         DenseSet<Value> &visited) {
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!visited.insert(v).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      Block *block = arg.getOwner();
      if (block->isEntryBlock())
        continue;
      for (auto it = block->pred_begin(), e = block->pred_end(); it != e;
           ++it) {
        auto branch = dyn_cast<BranchOpInterface>((*it)->getTerminator());
        if (!branch)
          continue;
        SuccessorOperands operands =
            branch.getSuccessorOperands(it.getSuccessorIndex());
        if (Value forwarded = operands[arg.getArgNumber()])
          worklist.push_back(forwarded);
      }
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (isa<memref::AllocOp>(def)) {
      allocs.insert(def);
    } else if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      worklist.push_back(view.getViewSource());
    } else if (auto select = dyn_cast<arith::SelectOp>(def)) {
      worklist.push_back(select.getTrueValue());
      worklist.push_back(select.getFalseValue());
    } else if (def->getNumRegions() > 0) {
      // scf.if and the like: whatever their regions yield for this result.
      unsigned index = cast<OpResult>(v).getResultNumber();
      for (Region &region : def->getRegions())
        for (Block &block : region)
          if (Operation *term = block.getTerminator();
              term && term->hasTrait<OpTrait::ReturnLike>() &&
              term->getNumOperands() == def->getNumResults())
            worklist.push_back(term->getOperand(index));
    }
  }
}

/// Adds the definitions of kCacheRuntime that the module does not have yet
/// (declarations of malloc and free may already be there).
LogicalResult addCacheRuntime(ModuleOp module) {
  ParserConfig config(module.getContext());
  OwningOpRef<ModuleOp> runtime =
      parseSourceString<ModuleOp>(kCacheRuntime, config);
  if (!runtime)
    return module.emitError("cannot parse the temporary-cache runtime");
  SymbolTable symbols(module);
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  for (Operation &op : runtime->getBody()->getOperations()) {
    auto symbol = dyn_cast<SymbolOpInterface>(op);
    if (!symbol)
      continue;
    if (Operation *existing = symbols.lookup(symbol.getName())) {
      auto func = dyn_cast<LLVM::LLVMFuncOp>(op);
      auto other = dyn_cast<LLVM::LLVMFuncOp>(existing);
      if (func && func.isExternal() && other &&
          other.getFunctionType() == func.getFunctionType())
        continue;
      return existing->emitError("symbol '")
             << symbol.getName()
             << "' clashes with the temporary-cache runtime";
    }
    b.clone(op);
  }
  // Release the cached blocks when the module is unloaded; a module that
  // already has destructors keeps its blocks until the process exits.
  if (module.getOps<LLVM::GlobalDtorsOp>().empty()) {
    MLIRContext *ctx = module.getContext();
    b.create<LLVM::GlobalDtorsOp>(
        module.getLoc(),
        b.getArrayAttr(FlatSymbolRefAttr::get(ctx, kReleaseAll)),
        b.getI32ArrayAttr({65535}), b.getArrayAttr(LLVM::ZeroAttr::get(ctx)));
  }
  return success();
}

struct CacheTemporariesPass
    : public xfmr::impl::CacheTemporariesBase<CacheTemporariesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();

    // Buffers a function may return stay plain malloc() blocks: the caller
    // owns and frees them, so they would leave the cache for good.
    DenseSet<Operation *> returned;
    DenseSet<Value> visited;
    bool any = false;
    module.walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::DeallocOp>(op))
        any = true;
      if (auto ret = dyn_cast<func::ReturnOp>(op))
        for (Value v : ret.getOperands())
          if (isa<BaseMemRefType>(v.getType()))
            collectAllocSources(v, returned, visited);
    });
    if (!any)
      return;
    if (failed(addCacheRuntime(module)))
      return signalPassFailure();

    // Every other allocation and every deallocation goes through the
    // generic functions, which the cache runtime defines.
    const DataLayoutAnalysis &layout = getAnalysis<DataLayoutAnalysis>();
    LowerToLLVMOptions options(ctx, layout.getAtOrAbove(module));
    options.useGenericFunctions = true;
    LLVMTypeConverter converter(ctx, options, &layout);
    RewritePatternSet patterns(ctx);
    populateFinalizeMemRefToLLVMConversionPatterns(converter, patterns);
    ConversionTarget target(*ctx);
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addIllegalOp<memref::DeallocOp>();
    target.addDynamicallyLegalOp<memref::AllocOp>(
        [&](memref::AllocOp op) { return returned.contains(op); });
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

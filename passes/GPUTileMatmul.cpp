//===- GPUTileMatmul.cpp - linalg.matmul on buffers -> tiled gpu.launch ---===//
//
// Replaces the matmuls of the GPU pipeline's bufferized host functions by
// tiled kernels (passes/FMAMatmulKernel.cpp, passes/TensorCoreMatmulKernel.cpp)
// instead of the one-thread-per-output loops that the generic lowering
// makes of them, and fuses into them the element-wise op that consumes
// their result: a gated FFN's gating (act(gate) * up, read from two
// matmuls or from the two halves of one), an activation, a bias or a
// conversion is evaluated on the sums in registers, so that the matmul's
// result never goes through memory. Pass description: Passes.td.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "Conversion/XfmrToLinalg/LoweringUtils.h"
#include "GPUMatmulKernel.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUTILEMATMUL
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

/// Whether `op` is C[m,n] += A[m,k] * B with floating-point operands the
/// kernels handle, and if so whether B is indexed B[n][k] (the weights of
/// nn.Linear, which xfmr.linear lowers to) rather than B[k][n]. Other forms
/// go through the generic loop lowering, which handles every form.
std::optional<bool> matchMatmul(linalg::MatmulOp op) {
  if (!op.hasPureBufferSemantics())
    return std::nullopt;
  auto isStaged = [](Value v) {
    Type t = cast<MemRefType>(v.getType()).getElementType();
    return isa<Float16Type, BFloat16Type, Float32Type>(t);
  };
  if (!isStaged(op.getDpsInputs()[0]) || !isStaged(op.getDpsInputs()[1]) ||
      !isStaged(op.getDpsInits()[0]))
    return std::nullopt;

  MLIRContext *context = op.getContext();
  AffineExpr m, n, k;
  bindDims(context, m, n, k);
  auto map = [&](AffineExpr row, AffineExpr col) {
    return AffineMap::get(3, 0, {row, col}, context);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps.size() != 3 || maps[0] != map(m, k) || maps[2] != map(m, n))
    return std::nullopt;
  if (maps[1] == map(k, n))
    return false;
  if (maps[1] == map(n, k))
    return true;
  return std::nullopt;
}

Type elementType(Value buffer) {
  return cast<MemRefType>(buffer.getType()).getElementType();
}

/// The buffer a view (subview, cast, reshape) is a view of.
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// The ancestors, in `block`, of the ops that use `root` or a view of it.
llvm::SmallPtrSet<Operation *, 8> usersInBlock(Value root, Block *block) {
  llvm::SmallPtrSet<Operation *, 8> users;
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == v) {
        llvm::append_range(worklist, user->getResults());
        continue;
      }
      if (Operation *ancestor = block->findAncestorOpInBlock(*user))
        users.insert(ancestor);
    }
  }
  return users;
}

bool isZeroFloat(Value v) { return matchPattern(v, m_AnyZeroFloat()); }

/// The op that makes `c` hold zeros right before `before` (a linalg.fill of
/// 0, or a linalg.copy from a buffer that holds zeros then), if there is
/// one: nothing between them writes c or a view of it. Reads in between are
/// fine; any other use of the buffer (a call, a kernel) ends the search.
Operation *zeroFilledBefore(Value c, Operation *before) {
  llvm::SmallPtrSet<Operation *, 8> users =
      usersInBlock(rootBuffer(c), before->getBlock());
  for (Operation *op = before->getPrevNode(); op; op = op->getPrevNode()) {
    if (!users.contains(op) || isMemoryEffectFree(op))
      continue;
    if (auto fill = dyn_cast<linalg::FillOp>(op)) {
      if (fill.hasPureBufferSemantics() && fill.getOutputs()[0] == c &&
          isZeroFloat(fill.getInputs()[0]))
        return fill;
      return nullptr;
    }
    if (auto copy = dyn_cast<linalg::CopyOp>(op)) {
      if (copy.hasPureBufferSemantics() && copy.getOutputs()[0] == c &&
          zeroFilledBefore(copy.getInputs()[0], copy))
        return copy;
      if (copy.getOutputs()[0] != c &&
          rootBuffer(copy.getOutputs()[0]) != rootBuffer(c))
        continue; // c is only read
      return nullptr;
    }
    // Other structured ops that only read c leave it as it is.
    auto dps = dyn_cast<DestinationStyleOpInterface>(op);
    if (!dps || !dps.hasPureBufferSemantics())
      return nullptr;
    for (Value init : dps.getDpsInits())
      if (rootBuffer(init) == rootBuffer(c))
        return nullptr;
  }
  return nullptr;
}

/// One product Σ_k A·B an epilogue reads as one of its inputs: the whole C
/// of `matmul`, or a slice of its columns (the gate or the up half of a
/// stacked gate/up projection).
struct Product {
  linalg::MatmulOp matmul;
  bool bKContiguous;
  /// The buffer the epilogue reads: the matmul's C or a subview of it.
  Value c;
  /// The first column of `c` within the matmul's C (0 for the whole C).
  OpFoldResult column;
  /// Set when `c` holds zeros when the matmul runs: its initial value need
  /// not be read. The op that made it so.
  Operation *zeroFill = nullptr;
};

/// A linalg.generic whose inputs include the products of one or two
/// matmuls, evaluated in the matmul kernel on its sums.
struct Epilogue {
  linalg::GenericOp op;
  /// The generic's inputs that are products, by input position.
  SmallVector<std::pair<unsigned, Product>, 2> products;
};

/// Whether every op of `g`'s body is scalar arithmetic that a kernel thread
/// can evaluate on its own: no regions, no memory effects.
bool isScalarBody(linalg::GenericOp g) {
  for (Operation &op : g.getBody()->without_terminator())
    if (op.getNumRegions() != 0 || !isMemoryEffectFree(&op))
      return false;
  return true;
}

/// The product that generic input `input` reads with an identity map, if it
/// is (a column slice of) the C of a matched matmul earlier in the block.
std::optional<Product>
matchProduct(Value input, Operation *consumer,
             const DenseMap<Value, std::pair<linalg::MatmulOp, bool>> &byC) {
  Value c = input;
  OpFoldResult column = OpBuilder(consumer).getIndexAttr(0);
  if (auto slice = input.getDefiningOp<memref::SubViewOp>()) {
    // Whole rows, unit strides: columns [o, o + N) of every row.
    if (!byC.count(slice.getSource()) || !slice.hasUnitStride() ||
        !isConstantIntValue(slice.getMixedOffsets()[0], 0))
      return std::nullopt;
    auto sourceType = cast<MemRefType>(slice.getSource().getType());
    OpFoldResult rows = slice.getMixedSizes()[0];
    bool wholeRows = false;
    if (!sourceType.isDynamicDim(0)) {
      wholeRows = isConstantIntValue(rows, sourceType.getDimSize(0));
    } else if (auto size = dyn_cast<Value>(rows)) {
      // A dynamic row count is whole when it is the source's own: a
      // memref.dim of it, or the one dynamic size of its allocation.
      if (auto dim = size.getDefiningOp<memref::DimOp>())
        wholeRows = dim.getSource() == slice.getSource() &&
                    isConstantIntValue(dim.getIndex(), 0);
      Operation *alloc = slice.getSource().getDefiningOp();
      if (alloc && isa<memref::AllocOp, gpu::AllocOp>(alloc) &&
          sourceType.getNumDynamicDims() == 1)
        wholeRows = wholeRows || llvm::is_contained(alloc->getOperands(), size);
    }
    if (!wholeRows)
      return std::nullopt;
    c = slice.getSource();
    column = slice.getMixedOffsets()[1];
  }
  auto it = byC.find(c);
  if (it == byC.end())
    return std::nullopt;
  auto [matmul, bKContiguous] = it->second;
  if (matmul->getBlock() != consumer->getBlock() ||
      !matmul->isBeforeInBlock(consumer))
    return std::nullopt;
  return Product{matmul, bKContiguous, input, column,
                 zeroFilledBefore(c, matmul)};
}

/// Whether `g` can be evaluated in the kernel of the matmuls of `products`
/// at g's place: the products are its only readers of the matmuls' results,
/// and nothing in between changes what the matmuls read.
bool canFuse(linalg::GenericOp g,
             ArrayRef<std::pair<unsigned, Product>> products) {
  Block *block = g->getBlock();
  linalg::MatmulOp firstMatmul = products.front().second.matmul;
  Value a = firstMatmul.getDpsInputs()[0];
  Type bType = elementType(firstMatmul.getDpsInputs()[1]);
  bool bKContiguous = products.front().second.bKContiguous;
  Operation *first = g;
  llvm::SmallPtrSet<Operation *, 2> matmuls;
  for (auto [position, p] : products) {
    if (p.matmul.getDpsInputs()[0] != a || p.bKContiguous != bKContiguous ||
        elementType(p.matmul.getDpsInputs()[1]) != bType)
      return false;
    matmuls.insert(p.matmul);
    if (p.matmul->isBeforeInBlock(first))
      first = p.matmul;
  }
  // Between the first matmul and g: the matmuls, allocations and ops
  // without memory effects only.
  for (Operation *op = first; op != g; op = op->getNextNode())
    if (!matmuls.contains(op) && !isMemoryEffectFree(op) &&
        !isa<memref::AllocOp, gpu::AllocOp>(op))
      return false;

  // After the matmul, C is used only by g's product reads and its
  // deallocation, or, when g writes its result into the whole of it, by
  // readers of that result after g.
  Value out = rootBuffer(g.getDpsInits()[0]);
  bool writesWhole = g.getDpsInits()[0] == out;
  for (Operation *op : matmuls) {
    auto matmul = cast<linalg::MatmulOp>(op);
    Value c = matmul.getDpsInits()[0];
    if (rootBuffer(c) != c)
      return false;
    for (Operation *user : usersInBlock(c, block)) {
      if (user == op || user == g.getOperation() ||
          isa<memref::DeallocOp, gpu::DeallocOp>(user))
        continue;
      // What runs before the matmul (its initialisation) is unchanged.
      if (user->isBeforeInBlock(matmul) || isMemoryEffectFree(user))
        continue;
      if (g->isBeforeInBlock(user) && writesWhole && out == c)
        continue;
      return false;
    }
    // g reads the C only through the products.
    for (OpOperand *input : g.getDpsInputOperands()) {
      bool isProduct = llvm::any_of(products, [&](auto &entry) {
        return entry.first == input->getOperandNumber();
      });
      if (!isProduct && rootBuffer(input->get()) == c)
        return false;
    }
  }

  // g's result may not overwrite what the kernel reads from other blocks:
  // A, the Bs, or inputs read at other positions than the one written.
  for (auto [position, p] : products)
    if (rootBuffer(p.matmul.getDpsInputs()[0]) == out ||
        rootBuffer(p.matmul.getDpsInputs()[1]) == out)
      return false;
  for (OpOperand *input : g.getDpsInputOperands())
    if (!g.getMatchingIndexingMap(input).isIdentity() &&
        rootBuffer(input->get()) == out)
      return false;
  return true;
}

/// The epilogue `g` computes from matmul products, if it can be fused.
std::optional<Epilogue>
matchEpilogue(linalg::GenericOp g,
              const DenseMap<Value, std::pair<linalg::MatmulOp, bool>> &byC) {
  if (!g.hasPureBufferSemantics() || g.getNumLoops() != 2 ||
      g.getNumDpsInits() != 1 || g.getNumParallelLoops() != 2 ||
      !isScalarBody(g))
    return std::nullopt;
  OpOperand *init = g.getDpsInitOperand(0);
  if (!g.getMatchingIndexingMap(init).isIdentity())
    return std::nullopt;
  Epilogue e{g, {}};
  for (OpOperand *input : g.getDpsInputOperands()) {
    AffineMap map = g.getMatchingIndexingMap(input);
    // Other inputs are read at (m, n), at m or n alone, or at constants.
    for (AffineExpr result : map.getResults())
      if (!isa<AffineDimExpr, AffineConstantExpr>(result))
        return std::nullopt;
    if (!map.isIdentity() || e.products.size() == 2)
      continue;
    if (std::optional<Product> p = matchProduct(input->get(), g, byC))
      e.products.push_back({input->getOperandNumber(), *p});
  }
  if (e.products.empty() || !canFuse(g, e.products))
    return std::nullopt;
  return e;
}

/// B restricted to the columns of C that `p` covers.
Value productB(OpBuilder &b, Location loc, const Product &p, OpFoldResult n) {
  linalg::MatmulOp matmul = p.matmul;
  Value bMat = matmul.getDpsInputs()[1];
  if (isConstantIntValue(p.column, 0) && p.c == matmul.getDpsInits()[0])
    return bMat;
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  // B[n][k]: rows [o, o + N); B[k][n]: columns [o, o + N).
  if (p.bKContiguous)
    return memref::SubViewOp::create(b, loc, bMat, {p.column, zero},
                                     {n, xfmr::bufferDim(b, loc, bMat, 1)},
                                     {one, one});
  return memref::SubViewOp::create(b, loc, bMat, {zero, p.column},
                                   {xfmr::bufferDim(b, loc, bMat, 0), n},
                                   {one, one});
}

/// C's value at (row, col) plus `sum`, rounded once to C's type. linalg's
/// matmul accumulates into C (zeros, a bias or a partial sum); a C known to
/// hold zeros is not read.
Value accumulated(OpBuilder &b, Location loc, Value c, bool zero, Value row,
                  Value col, Value sum) {
  Type type = elementType(c);
  if (!zero) {
    Value old = memref::LoadOp::create(b, loc, c, ValueRange{row, col});
    sum = arith::AddFOp::create(b, loc, xfmr::toF32(b, loc, old), sum);
  }
  return xfmr::fromF32(b, loc, sum, type);
}

/// A buffer that a kernel writes in full without reading it: the fill that
/// made it zero before is dead.
using Overwrites = llvm::DenseSet<std::pair<Operation *, Value>>;

void tileMatmul(linalg::MatmulOp op, bool bKContiguous, Overwrites &overwrites,
                SmallVectorImpl<Operation *> &zeroFills) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value c = op.getDpsInits()[0];
  Operation *zeroFill = zeroFilledBefore(c, op);
  xfmr::GPUMatmulProblem problem;
  problem.a = op.getDpsInputs()[0];
  problem.bs = {op.getDpsInputs()[1]};
  problem.bKContiguous = bKContiguous;
  problem.m = xfmr::bufferDimValue(b, loc, c, 0);
  problem.n = xfmr::bufferDimValue(b, loc, c, 1);
  problem.k = xfmr::bufferDimValue(b, loc, problem.a, 1);
  problem.emitResult = [&](OpBuilder &b, Location loc, Value row, Value col,
                           ArrayRef<Value> sums) {
    Value v = accumulated(b, loc, c, zeroFill, row, col, sums[0]);
    memref::StoreOp::create(b, loc, v, c, ValueRange{row, col});
  };
  gpu::LaunchOp launch = xfmr::buildMatmulKernel(b, loc, problem);
  if (zeroFill) {
    overwrites.insert({launch, c});
    zeroFills.push_back(zeroFill);
  }
  op.erase();
}

void fuseEpilogue(const Epilogue &e, Overwrites &overwrites,
                  SmallVectorImpl<Operation *> &zeroFills) {
  linalg::GenericOp g = e.op;
  OpBuilder b(g);
  Location loc = g.getLoc();
  Value out = g.getDpsInits()[0];
  Product first = e.products.front().second;

  xfmr::GPUMatmulProblem problem;
  problem.a = first.matmul.getDpsInputs()[0];
  problem.bKContiguous = first.bKContiguous;
  problem.m = xfmr::bufferDimValue(b, loc, out, 0);
  problem.n = xfmr::bufferDimValue(b, loc, out, 1);
  problem.k = xfmr::bufferDimValue(b, loc, problem.a, 1);
  OpFoldResult n = xfmr::bufferDim(b, loc, out, 1);
  for (auto [position, p] : e.products)
    problem.bs.push_back(productB(b, loc, p, n));

  Block *body = g.getBody();
  problem.emitResult = [&](OpBuilder &b, Location loc, Value row, Value col,
                           ArrayRef<Value> sums) {
    IRMapping map;
    Value point[2] = {row, col};
    for (OpOperand &operand : g->getOpOperands()) {
      BlockArgument arg = body->getArgument(operand.getOperandNumber());
      if (arg.use_empty())
        continue;
      auto product = llvm::find_if(e.products, [&](auto &entry) {
        return entry.first == operand.getOperandNumber();
      });
      if (product != e.products.end()) {
        Product p = product->second;
        map.map(arg, accumulated(b, loc, p.c, p.zeroFill, row, col,
                                 sums[product - e.products.begin()]));
        continue;
      }
      // Scalars are passed as they are; buffers read at the map's point.
      if (!isa<MemRefType>(operand.get().getType())) {
        map.map(arg, operand.get());
        continue;
      }
      SmallVector<Value> indices;
      for (AffineExpr result : g.getMatchingIndexingMap(&operand).getResults())
        indices.push_back(
            isa<AffineDimExpr>(result)
                ? point[cast<AffineDimExpr>(result).getPosition()]
                : arith::ConstantIndexOp::create(
                      b, loc, cast<AffineConstantExpr>(result).getValue())
                      .getResult());
      map.map(arg, memref::LoadOp::create(b, loc, operand.get(), indices));
    }
    for (Operation &op : body->without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(op)) {
        map.map(index.getResult(), point[index.getDim()]);
        continue;
      }
      b.clone(op, map);
    }
    Value result = map.lookupOrDefault(body->getTerminator()->getOperand(0));
    memref::StoreOp::create(b, loc, result, out, ValueRange{row, col});
  };
  gpu::LaunchOp launch = xfmr::buildMatmulKernel(b, loc, problem);

  // The kernel writes all of `out`; it reads it only where it is an input
  // (in place) whose initial value the epilogue or a non-zero product uses.
  bool readsOut = !body->getArgument(g.getNumDpsInputs()).use_empty();
  for (OpOperand *input : g.getDpsInputOperands()) {
    if (rootBuffer(input->get()) != rootBuffer(out) ||
        body->getArgument(input->getOperandNumber()).use_empty())
      continue;
    auto product = llvm::find_if(e.products, [&](auto &entry) {
      return entry.first == input->getOperandNumber();
    });
    if (product == e.products.end() || !product->second.zeroFill)
      readsOut = true;
  }
  if (!readsOut)
    overwrites.insert({launch, out});
  for (auto [position, p] : e.products)
    if (p.zeroFill)
      zeroFills.push_back(p.zeroFill);

  llvm::SmallPtrSet<Operation *, 2> matmuls;
  for (auto [position, p] : e.products)
    matmuls.insert(p.matmul);
  g.erase();
  for (Operation *matmul : matmuls)
    matmul->erase();
}

/// Whether the zero fill `fill` is dead: the next op to use its buffer
/// (deallocations aside) is a kernel that overwrites exactly that buffer
/// without reading it, or nothing does.
bool isDeadFill(Operation *fill, const Overwrites &overwrites) {
  Value c = cast<DestinationStyleOpInterface>(fill).getDpsInits()[0];
  llvm::SmallPtrSet<Operation *, 8> users =
      usersInBlock(rootBuffer(c), fill->getBlock());
  for (Operation *op = fill->getNextNode(); op; op = op->getNextNode()) {
    if (!users.contains(op) || isMemoryEffectFree(op) ||
        isa<memref::DeallocOp, gpu::DeallocOp>(op))
      continue;
    return overwrites.contains({op, c});
  }
  return true;
}

/// Whether `op` can be erased once its token (if it is async) is replaced
/// by its one dependency, which the token then stands for.
bool isErasableWithToken(Operation *op) {
  auto async = dyn_cast<gpu::AsyncOpInterface>(op);
  return !async || !async.getAsyncToken() ||
         async.getAsyncDependencies().size() == 1;
}

void eraseWithToken(Operation *op) {
  if (auto async = dyn_cast<gpu::AsyncOpInterface>(op);
      async && async.getAsyncToken())
    async.getAsyncToken().replaceAllUsesWith(
        async.getAsyncDependencies().front());
  op->erase();
}

/// Erases allocations that nothing but their deallocation uses, once the
/// views of them that nothing uses are gone.
void eraseUnusedAllocs(func::FuncOp f) {
  SmallVector<Operation *> views;
  f.walk([&](ViewLikeOpInterface view) { views.push_back(view); });
  for (Operation *view : llvm::reverse(views))
    if (view->use_empty() && isMemoryEffectFree(view))
      view->erase();
  SmallVector<Operation *> allocs;
  f.walk([&](Operation *op) {
    if (isa<memref::AllocOp, gpu::AllocOp>(op))
      allocs.push_back(op);
  });
  for (Operation *alloc : allocs) {
    Value buffer = alloc->getResult(0);
    // All or nothing: an allocation is never left without its
    // deallocation.
    if (!isErasableWithToken(alloc) ||
        !llvm::all_of(buffer.getUsers(), [](Operation *user) {
          return isa<memref::DeallocOp, gpu::DeallocOp>(user) &&
                 isErasableWithToken(user);
        }))
      continue;
    for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
      eraseWithToken(user);
    eraseWithToken(alloc);
  }
}

struct GPUTileMatmulPass
    : public xfmr::impl::GPUTileMatmulBase<GPUTileMatmulPass> {
  using GPUTileMatmulBase::GPUTileMatmulBase;

  void runOnOperation() override {
    func::FuncOp f = getOperation();
    DenseMap<Value, std::pair<linalg::MatmulOp, bool>> byC;
    SmallVector<linalg::MatmulOp> matmuls;
    f.walk([&](linalg::MatmulOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      if (std::optional<bool> bKContiguous = matchMatmul(op)) {
        // A C written by two matmuls is not one product.
        auto [it, inserted] =
            byC.try_emplace(op.getDpsInits()[0], op, *bKContiguous);
        if (!inserted)
          it->second.first = nullptr;
        matmuls.push_back(op);
      }
    });
    for (auto it = byC.begin(); it != byC.end();) {
      auto current = it++;
      if (!current->second.first)
        byC.erase(current);
    }

    // Epilogues first: each claims its matmuls.
    SmallVector<Epilogue> epilogues;
    llvm::SmallPtrSet<Operation *, 8> claimed;
    if (fuseEpilogues)
      f.walk([&](linalg::GenericOp g) {
        if (g->getParentOfType<gpu::LaunchOp>())
          return;
        std::optional<Epilogue> e = matchEpilogue(g, byC);
        if (!e || llvm::any_of(e->products, [&](auto &entry) {
              return claimed.contains(entry.second.matmul);
            }))
          return;
        for (auto [position, p] : e->products)
          claimed.insert(p.matmul);
        epilogues.push_back(*e);
      });

    Overwrites overwrites;
    SmallVector<Operation *> zeroFills;
    for (const Epilogue &e : epilogues)
      fuseEpilogue(e, overwrites, zeroFills);
    for (linalg::MatmulOp op : matmuls)
      if (!claimed.contains(op))
        tileMatmul(op, *matchMatmul(op), overwrites, zeroFills);

    // Later fills first: a copy from a zero-filled buffer is one of its
    // readers.
    llvm::sort(zeroFills, [](Operation *x, Operation *y) {
      return x->getBlock() == y->getBlock() ? y->isBeforeInBlock(x)
                                            : x->getBlock() < y->getBlock();
    });
    zeroFills.erase(llvm::unique(zeroFills), zeroFills.end());
    for (Operation *fill : zeroFills)
      if (isDeadFill(fill, overwrites))
        fill->erase();
    eraseUnusedAllocs(f);
  }
};

} // namespace

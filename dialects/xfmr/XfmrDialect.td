//===- XfmrDialect.td - the xfmr dialect definition --------*- tablegen -*-===//
//
// The `xfmr` dialect models the building blocks of a transformer layer
// (projections, FFNs, norms, RoPE, attention, mixture-of-experts routing) as
// first-class ops so that passes can see and exploit their structure.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_DIALECT_TD
#define XFMR_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Xfmr_Dialect : Dialect {
  let name = "xfmr";
  let cppNamespace = "::mlir::xfmr";
  let summary = "Transformer-block operations: attention, FFN, norms, RoPE, MoE";
  let description = [{
    The `xfmr` dialect carries the structure of a transformer block: dense and
    gated feed-forward networks, gated activations, RMS and layer norms, rotary
    position embeddings, (grouped-query) attention and mixture-of-experts
    routing, together with the explicit dispatch ops (`topk_router`,
    `dispatch`, `grouped_gated_ffn`, `combine`) that `xfmr.moe` lowers
    through. All ops work on ranked tensors; weight layouts follow PyTorch's
    `nn.Linear` (`[out_features, in_features]`).
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

class Xfmr_Op<string mnemonic, list<Trait> traits = []>
    : Op<Xfmr_Dialect, mnemonic, traits>;

#endif // XFMR_DIALECT_TD

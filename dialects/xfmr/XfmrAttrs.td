//===- XfmrAttrs.td - xfmr enum attributes -----------------*- tablegen -*-===//
//
// The closed sets of choices that xfmr ops take as attributes.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_ATTRS_TD
#define XFMR_ATTRS_TD

include "XfmrDialect.td"
include "mlir/IR/EnumAttr.td"

def Xfmr_ActivationKind : I32EnumAttr<"ActivationKind",
    "element-wise activation function", [
      I32EnumAttrCase<"relu", 0>,
      I32EnumAttrCase<"gelu", 1>,
      I32EnumAttrCase<"gelu_tanh", 2>,
      I32EnumAttrCase<"silu", 3>,
      I32EnumAttrCase<"sigmoid", 4>,
      I32EnumAttrCase<"tanh", 5>
    ]> {
  let cppNamespace = "::mlir::xfmr";
  let genSpecializedAttr = 0;
}

def Xfmr_ActivationAttr : EnumAttr<Xfmr_Dialect, Xfmr_ActivationKind,
                                   "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Xfmr_ScoringKind : I32EnumAttr<"ScoringKind",
    "how router logits become expert scores", [
      I32EnumAttrCase<"softmax", 0>,
      I32EnumAttrCase<"sigmoid", 1>
    ]> {
  let cppNamespace = "::mlir::xfmr";
  let genSpecializedAttr = 0;
}

def Xfmr_ScoringAttr : EnumAttr<Xfmr_Dialect, Xfmr_ScoringKind, "scoring"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // XFMR_ATTRS_TD

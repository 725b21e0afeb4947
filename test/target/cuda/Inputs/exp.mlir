func.func @gelu(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = xfmr.activation <gelu> %x : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

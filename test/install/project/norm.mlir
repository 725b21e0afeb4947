func.func @norm(%x: tensor<?x4xf32>, %g: tensor<4xf32>) -> tensor<?x4xf32> {
  %y = xfmr.rms_norm %x, %g : tensor<?x4xf32>, tensor<4xf32>
  return %y : tensor<?x4xf32>
}

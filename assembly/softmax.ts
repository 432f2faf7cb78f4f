export function softmax_xent(scores: usize, nRows: i32, nCols: i32, stride: i32, invTemp: f32, colBias: usize, targetOffsets: usize, targetIndices: usize, rowWeights: usize, writeGrad: i32): f64 { unreachable(); return 0; }
export function lse_rows(scores: usize, nRows: i32, nCols: i32, stride: i32, invTemp: f32, colBias: usize, out: usize): void { unreachable(); }

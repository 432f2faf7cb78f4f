export function topk_rows(scores: usize, nRows: i32, nCols: i32, stride: i32, k: i32, exclOffsets: usize, exclIndices: usize, outIndices: usize, outScores: usize): void { unreachable(); }

export function gemm_nn(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, accumulate: i32): void { unreachable(); }
export function gemm_tn(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, accumulate: i32): void { unreachable(); }

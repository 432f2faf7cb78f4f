export function sgd_rows(params: usize, d: i32, rows: usize, nRows: i32, grads: usize, lr: f32, l2: f32): void { unreachable(); }
export function adagrad_rows(params: usize, accum: usize, d: i32, rows: usize, nRows: i32, grads: usize, lr: f32, eps: f32, l2: f32): void { unreachable(); }
export function adam_rows(params: usize, m: usize, v: usize, d: i32, rows: usize, nRows: i32, grads: usize, lr: f32, beta1: f32, beta2: f32, eps: f32, step: i32, l2: f32): void { unreachable(); }

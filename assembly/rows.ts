export function dot(a: usize, b: usize, n: i32): f32 { unreachable(); return 0; }
export function rowwise_dot(a: usize, b: usize, n: i32, d: i32, out: usize): void { unreachable(); }
export function gather_rows(src: usize, d: i32, indices: usize, n: i32, dst: usize): void { unreachable(); }
export function scatter_add_rows(dst: usize, d: i32, indices: usize, n: i32, src: usize): void { unreachable(); }

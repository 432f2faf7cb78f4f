export function project_out(rows: usize, n: i32, d: i32, direction: usize, alpha: f32): void { unreachable(); }
export function l2_normalize_rows(rows: usize, n: i32, d: i32): void { unreachable(); }

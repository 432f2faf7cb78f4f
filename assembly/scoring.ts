export function packed_items_length(m: i32, d: i32): i32 { unreachable(); return 0; }
export function pack_items(q: usize, m: i32, d: i32, out: usize): void { unreachable(); }
export function score_packed(users: usize, nUsers: i32, d: i32, packed: usize, m: i32, out: usize, outStride: i32): void { unreachable(); }
export function score_rows_dot(users: usize, nUsers: i32, d: i32, items: usize, m: i32, out: usize, outStride: i32): void { unreachable(); }

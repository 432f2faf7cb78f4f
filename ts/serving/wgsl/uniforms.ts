/**
 * WGSL: the two uniforms the per-window kernels (score, exclude) share. The host writes them in
 * this field order (ts/serving/webgpu-top-k.ts): Window once per window at construction, Block once per
 * block of users.
 */
export const WINDOW_AND_BLOCK_WGSL = /* wgsl */ `
struct Window {
  dim: u32,
  // First item row of this window inside the bound item buffer, items in the window, the row
  // stride of the score buffer, and the global index of the window's first item.
  itemRow: u32,
  items: u32,
  scoreStride: u32,
  firstItem: u32,
}
struct Block {
  // Users in the block, excluded (row, item) pairs, and -Infinity as bits (WGSL cannot spell it).
  users: u32,
  pairs: u32,
  minusInfinityBits: u32,
}
`;

/**
 * WGSL: scores of a block of users against one window of the catalog, as a tiled matrix product
 * (the tfjs matmul layout): a workgroup of 8×8 threads computes a 32-user × 32-item tile, each
 * thread 4×4 outputs held in registers, over slices of TILE_DIM embedding coordinates staged in
 * workgroup memory so that every user and item value read from the buffers is reused 32 times.
 */
import { WINDOW_AND_BLOCK_WGSL } from "./uniforms.js";

export const SCORE_TILE_USERS = 32;
export const SCORE_TILE_ITEMS = 32;
const TILE_DIM = 16;

export const SCORE_TILE_WGSL = /* wgsl */ `
${WINDOW_AND_BLOCK_WGSL}

@group(0) @binding(0) var<storage, read> users: array<f32>;
@group(0) @binding(1) var<storage, read> items: array<f32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
@group(0) @binding(3) var<uniform> win: Window;
@group(0) @binding(4) var<uniform> blockInfo: Block;

const TILE_USERS = ${SCORE_TILE_USERS}u;
const TILE_ITEMS = ${SCORE_TILE_ITEMS}u;
const TILE_DIM = ${TILE_DIM}u;

var<workgroup> userTile: array<array<f32, TILE_DIM>, TILE_USERS>;
var<workgroup> itemTile: array<array<f32, TILE_DIM>, TILE_ITEMS>;

@compute @workgroup_size(8, 8, 1)
fn score(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let userBase = wid.y * TILE_USERS;
  let itemBase = wid.x * TILE_ITEMS;
  let thread = lid.y * 8u + lid.x;
  let dim = win.dim;
  var acc: array<array<f32, 4>, 4>;
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 4u; c++) {
      acc[r][c] = 0.0;
    }
  }
  for (var d0 = 0u; d0 < dim; d0 += TILE_DIM) {
    // 64 threads stage 32 rows × 16 coordinates of each side; rows or coordinates past the end are 0.
    for (var e = thread; e < TILE_USERS * TILE_DIM; e += 64u) {
      let row = e / TILE_DIM;
      let col = e % TILE_DIM;
      let t = d0 + col;
      let u = userBase + row;
      var uv = 0.0;
      if (u < blockInfo.users && t < dim) {
        uv = users[u * dim + t];
      }
      userTile[row][col] = uv;
      let i = itemBase + row;
      var iv = 0.0;
      if (i < win.items && t < dim) {
        iv = items[(win.itemRow + i) * dim + t];
      }
      itemTile[row][col] = iv;
    }
    workgroupBarrier();
    for (var t = 0u; t < TILE_DIM; t++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var r = 0u; r < 4u; r++) {
        a[r] = userTile[lid.y + 8u * r][t];
        b[r] = itemTile[lid.x + 8u * r][t];
      }
      for (var r = 0u; r < 4u; r++) {
        for (var c = 0u; c < 4u; c++) {
          acc[r][c] = fma(a[r], b[c], acc[r][c]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let u = userBase + lid.y + 8u * r;
    for (var c = 0u; c < 4u; c++) {
      let i = itemBase + lid.x + 8u * c;
      if (u < blockInfo.users && i < win.items) {
        scores[u * win.scoreStride + i] = acc[r][c];
      }
    }
  }
}
`;

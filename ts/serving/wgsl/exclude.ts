/**
 * WGSL: leave the block's excluded (user, item) pairs out of a window's scores by overwriting them
 * with -Infinity, which the top-k passes never return. The pairs come as a flat list (row in the
 * block, item), scanned by a grid-stride loop, so a block of heavy users costs one short dispatch
 * per window. -Infinity arrives as a bit pattern in the uniform: WGSL cannot spell it as a constant.
 */
import { WINDOW_AND_BLOCK_WGSL } from "./uniforms.js";

export const EXCLUDE_WORKGROUP = 64;
/** Workgroups of one exclusion dispatch at most; the loop covers the rest. */
export const EXCLUDE_MAX_WORKGROUPS = 1024;

export const EXCLUDE_WGSL = /* wgsl */ `
${WINDOW_AND_BLOCK_WGSL}

@group(0) @binding(0) var<storage, read_write> scores: array<f32>;
@group(0) @binding(1) var<storage, read> pairs: array<i32>;
@group(0) @binding(2) var<uniform> win: Window;
@group(0) @binding(3) var<uniform> blockInfo: Block;

@compute @workgroup_size(${EXCLUDE_WORKGROUP}, 1, 1)
fn exclude(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let step = groups.x * ${EXCLUDE_WORKGROUP}u;
  for (var e = gid.x; e < blockInfo.pairs; e += step) {
    let row = u32(pairs[2u * e]);
    let slot = pairs[2u * e + 1u] - i32(win.firstItem);
    if (slot >= 0 && slot < i32(win.items)) {
      scores[row * win.scoreStride + u32(slot)] = bitcast<f32>(blockInfo.minusInfinityBits);
    }
  }
}
`;

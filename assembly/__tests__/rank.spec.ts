import { count_above } from "../rank";
import { filledF32, release, rowSizes, setF32 } from "./support/kernel-spec-data";

/** Plain loop: how many of the n floats at p are > t. */
function referenceCount(p: usize, n: i32, t: f32): i32 {
  let c = 0;
  for (let i = 0; i < n; i++) if (load<f32>(p + (<usize>i << 2)) > t) c++;
  return c;
}

describe("count_above", () => {
  it("matches the plain loop for n = 0..40 and long rows (tails of 1-7, blocks of 8)", () => {
    const sizes = rowSizes();
    for (let s = 0; s < sizes.length; s++) {
      const n = sizes[s];
      const p = filledF32(n, 50 + n);
      const thresholds: f32[] = [-2, -0.5, 0, 0.25, 2];
      for (let t = 0; t < thresholds.length; t++) {
        expect<i32>(count_above(p, n, thresholds[t])).toBe(referenceCount(p, n, thresholds[t]), "n=" + n.toString());
      }
      release(p);
    }
  });

  it("counts ties as not above, and never -Infinity or NaN entries", () => {
    const p = filledF32(11, 3);
    for (let i = 0; i < 11; i++) setF32(p, i, 1);
    setF32(p, 2, -Infinity);
    setF32(p, 5, NaN);
    setF32(p, 9, 2);
    expect<i32>(count_above(p, 11, 1)).toBe(1);
    expect<i32>(count_above(p, 11, 0)).toBe(9);
    expect<i32>(count_above(p, 11, -Infinity)).toBe(9);
    expect<i32>(count_above(p, 11, NaN)).toBe(0);
    expect<i32>(count_above(p + 4, 7, 0)).toBe(5);
    release(p);
  });
});

import { F32_EPS, copyF32, f32At, filledF32, release, within, zeroF32 } from "./support/kernel-spec-data";
import { blend_unit_rows, blend_unit_rows_backward } from "../history-tower";

describe("blend_unit_rows", () => {
  it("blends, normalises and reports the norm, d = 1, 7 and 64 included", () => {
    const shapes: i32[] = [0, 3, 1, 1, 4, 7, 3, 64];
    for (let s = 0; s < shapes.length; s += 2) {
      const n = shapes[s], d = shapes[s + 1];
      const rows = filledF32(n * d, 11 + s);
      const rows0 = copyF32(rows, n * d);
      const mixed = filledF32(n * d, 12 + s);
      const norms = zeroF32(max(n, 1));
      blend_unit_rows(rows, mixed, n, d, 0.3, 0.7, norms);
      for (let r = 0; r < n; r++) {
        let squared: f64 = 0;
        for (let c = 0; c < d; c++) {
          const h = 0.3 * <f64>f32At(rows0, r * d + c) + 0.7 * <f64>f32At(mixed, r * d + c);
          squared += h * h;
        }
        const norm = Math.sqrt(squared);
        expect<bool>(within(<f64>f32At(norms, r), norm, 16 * F32_EPS * norm)).toBe(true);
        for (let c = 0; c < d; c++) {
          const h = 0.3 * <f64>f32At(rows0, r * d + c) + 0.7 * <f64>f32At(mixed, r * d + c);
          expect<bool>(within(<f64>f32At(rows, r * d + c), h / norm, 16 * F32_EPS * 4)).toBe(true);
        }
      }
      release(rows); release(rows0); release(mixed); release(norms);
    }
  });
});

describe("blend_unit_rows_backward", () => {
  it("splits a gradient orthogonal to the unit row between the id row and the mixed row", () => {
    const n = 3, d = 9;
    const rows = filledF32(n * d, 21);
    const mixed = filledF32(n * d, 22);
    const norms = zeroF32(n);
    blend_unit_rows(rows, mixed, n, d, 0.25, 0.75, norms);
    const grad = filledF32(n * d, 23);
    const gradMixed = zeroF32(n * d);
    blend_unit_rows_backward(rows, grad, gradMixed, norms, n, d, 0.25, 0.75);
    for (let r = 0; r < n; r++) {
      let along: f64 = 0;
      for (let c = 0; c < d; c++) {
        along += <f64>f32At(rows, r * d + c) * <f64>f32At(grad, r * d + c);
        // grad = keep·g and gradMixed = weight·g: their ratio is weight/keep = 3.
        expect<bool>(within(<f64>f32At(gradMixed, r * d + c), 3 * <f64>f32At(grad, r * d + c), 64 * F32_EPS)).toBe(true);
      }
      expect<bool>(within(along, 0, 64 * F32_EPS)).toBe(true);
    }
    release(rows); release(mixed); release(norms); release(grad); release(gradMixed);
  });
});

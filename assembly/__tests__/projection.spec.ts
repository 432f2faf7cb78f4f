import { l2_normalize_rows, project_out } from "../projection";
import { F32_EPS, f32At, filledF32, release, setF32, within, zeroF32 } from "./support/kernel-spec-data";

describe("project_out", () => {
  it("matches rows − alpha·(rows·û)·û in f64 for several alphas and shapes", () => {
    const shapes: i32[] = [0, 4, 3, 0, 1, 1, 5, 1, 4, 3, 7, 5, 6, 16, 9, 33];
    const alphas: f32[] = [0, 0.5, 1, 2];
    for (let s = 0; s < shapes.length; s += 2) {
      const n = shapes[s];
      const d = shapes[s + 1];
      for (let a = 0; a < alphas.length; a++) {
        const alpha = alphas[a];
        const rows = filledF32(n * d, s + a);
        const original = filledF32(n * d, s + a);
        const direction = filledF32(d, 100 + s, 3);
        let norm: f64 = 0;
        for (let c = 0; c < d; c++) norm += <f64>f32At(direction, c) * <f64>f32At(direction, c);
        norm = Math.sqrt(norm);
        project_out(rows, n, d, direction, alpha);
        for (let i = 0; i < n; i++) {
          let along: f64 = 0;
          let rowNorm: f64 = 0;
          for (let c = 0; c < d; c++) {
            along += <f64>f32At(original, i * d + c) * <f64>f32At(direction, c) / norm;
            rowNorm += <f64>f32At(original, i * d + c) * <f64>f32At(original, i * d + c);
          }
          const tol = 8 * F32_EPS * Math.sqrt(<f64>d + 1) * (1 + <f64>alpha) * Math.sqrt(rowNorm) + 1e-30;
          for (let c = 0; c < d; c++) {
            const expected = <f64>f32At(original, i * d + c) - <f64>alpha * along * <f64>f32At(direction, c) / norm;
            expect<bool>(within(<f64>f32At(rows, i * d + c), expected, tol)).toBe(true);
          }
        }
        release(rows);
        release(original);
        release(direction);
      }
    }
  });

  it("leaves rows unchanged for a zero direction", () => {
    const rows = filledF32(12, 5);
    const original = filledF32(12, 5);
    const direction = zeroF32(4);
    project_out(rows, 3, 4, direction, 1);
    for (let i = 0; i < 12; i++) expect<f32>(f32At(rows, i)).toBe(f32At(original, i));
    release(rows);
    release(original);
    release(direction);
  });
});

describe("l2_normalize_rows", () => {
  it("gives unit rows (also tiny and huge ones) and leaves zero rows zero", () => {
    const d = 7;
    const rows = filledF32(4 * d, 8);
    for (let c = 0; c < d; c++) {
      setF32(rows, d + c, 0);
      setF32(rows, 2 * d + c, f32At(rows, 2 * d + c) * 1e-30);
      setF32(rows, 3 * d + c, f32At(rows, 3 * d + c) * 1e30);
    }
    l2_normalize_rows(rows, 4, d);
    for (let r = 0; r < 4; r++) {
      let norm: f64 = 0;
      for (let c = 0; c < d; c++) norm += <f64>f32At(rows, r * d + c) * <f64>f32At(rows, r * d + c);
      expect<bool>(within(Math.sqrt(norm), r == 1 ? 0 : 1, 1e-6)).toBe(true, "row " + r.toString());
    }
    release(rows);
  });
});

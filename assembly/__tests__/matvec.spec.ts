import { add_outer, add_to_rows, matvec, matvec_t } from "../matvec";
import { F32_EPS, copyF32, f32At, filledF32, release, within, zeroF32 } from "./support/kernel-spec-data";

// Shapes as (n, d) pairs: empty, d = 1, non-multiples of 4, and a row wider than one SIMD block.
const SHAPES: i32[] = [0, 5, 4, 0, 1, 1, 9, 1, 7, 3, 13, 17, 6, 64, 3, 129];

function tolerance(terms: i32, magnitude: f64): f64 {
  return 4 * F32_EPS * Math.sqrt(<f64>terms + 1) * magnitude + 1e-30;
}

describe("matvec", () => {
  it("A·x matches an f64 loop on every shape", () => {
    for (let s = 0; s < SHAPES.length; s += 2) {
      const n = SHAPES[s], d = SHAPES[s + 1];
      const a = filledF32(n * d, 31 + s);
      const x = filledF32(d, 57 + s);
      const out = zeroF32(n);
      matvec(a, n, d, x, out);
      for (let r = 0; r < n; r++) {
        let e: f64 = 0, m: f64 = 0;
        for (let c = 0; c < d; c++) {
          const t = <f64>f32At(a, r * d + c) * <f64>f32At(x, c);
          e += t;
          m += Math.abs(t);
        }
        expect<bool>(within(<f64>f32At(out, r), e, tolerance(d, m))).toBe(true, "matvec n=" + n.toString() + " d=" + d.toString());
      }
      release(a); release(x); release(out);
    }
  });

  it("Aᵀ·x matches an f64 loop and overwrites its output", () => {
    for (let s = 0; s < SHAPES.length; s += 2) {
      const n = SHAPES[s], d = SHAPES[s + 1];
      const a = filledF32(n * d, 71 + s);
      const x = filledF32(n, 93 + s);
      const out = filledF32(d, 5);
      matvec_t(a, n, d, x, out);
      for (let c = 0; c < d; c++) {
        let e: f64 = 0, m: f64 = 0;
        for (let r = 0; r < n; r++) {
          const t = <f64>f32At(a, r * d + c) * <f64>f32At(x, r);
          e += t;
          m += Math.abs(t);
        }
        expect<bool>(within(<f64>f32At(out, c), e, tolerance(n, m))).toBe(true, "matvec_t n=" + n.toString() + " d=" + d.toString());
      }
      release(a); release(x); release(out);
    }
  });
});

describe("add_outer and add_to_rows", () => {
  it("A += alpha·x·yᵀ matches an f64 loop", () => {
    for (let s = 0; s < SHAPES.length; s += 2) {
      const n = SHAPES[s], d = SHAPES[s + 1];
      const a = filledF32(n * d, 11 + s);
      const before = copyF32(a, n * d);
      const x = filledF32(n, 13 + s);
      const y = filledF32(d, 17 + s);
      add_outer(a, n, d, -1.5, x, y);
      for (let i = 0; i < n * d; i++) {
        const e = <f64>f32At(before, i) + -1.5 * <f64>f32At(x, i / d) * <f64>f32At(y, i % d);
        expect<bool>(within(<f64>f32At(a, i), e, 8 * F32_EPS * (Math.abs(e) + 2))).toBe(true, "add_outer");
      }
      release(a); release(before); release(x); release(y);
    }
  });

  it("adds one vector to the first m columns of every row of a strided table", () => {
    const n = 5, m = 7, stride = 9;
    const a = filledF32(n * stride, 3);
    const before = copyF32(a, n * stride);
    const v = filledF32(m, 4);
    add_to_rows(a, n, m, stride, 2, v);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < stride; c++) {
        const old = <f64>f32At(before, r * stride + c);
        const e = c < m ? old + 2 * <f64>f32At(v, c) : old;
        expect<bool>(within(<f64>f32At(a, r * stride + c), e, 8 * F32_EPS * (Math.abs(e) + 2))).toBe(true, "add_to_rows");
      }
    }
    release(a); release(before); release(v);
  });
});

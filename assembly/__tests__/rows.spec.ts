import { dot, gather_rows, rowwise_dot, scatter_add_rows } from "../rows";
import { F32_EPS, f32At, filledF32, hashIndex, i32At, newI32, release, setI32, within, zeroF32 } from "./support/kernel-spec-data";

/** f64 reference of a·b and the Σ|a_i·b_i| its f32 error is relative to. */
function referenceDot(a: usize, b: usize, n: i32, magnitude: f64[]): f64 {
  let s: f64 = 0;
  let m: f64 = 0;
  for (let i = 0; i < n; i++) {
    const t = <f64>f32At(a, i) * <f64>f32At(b, i);
    s += t;
    m += Math.abs(t);
  }
  magnitude[0] = m;
  return s;
}

function dotTolerance(n: i32, magnitude: f64): f64 {
  return 4 * F32_EPS * Math.sqrt(<f64>n + 1) * magnitude + 1e-30;
}

describe("dot", () => {
  it("is compiled with SIMD, so these specs cover the vector paths (node tests cover the scalar build)", () => {
    expect<bool>(ASC_FEATURE_SIMD).toBe(true);
  });

  it("matches the f64 reference for n = 0..40 and a long row (tails of 1-3, blocks of 16)", () => {
    const magnitude: f64[] = [0];
    const sizes: i32[] = [];
    for (let n = 0; n <= 40; n++) sizes.push(n);
    sizes.push(1000);
    sizes.push(4099);
    for (let s = 0; s < sizes.length; s++) {
      const n = sizes[s];
      const a = filledF32(n, 1 + n);
      const b = filledF32(n, 1000 + n, 3);
      const expected = referenceDot(a, b, n, magnitude);
      expect<bool>(within(<f64>dot(a, b, n), expected, dotTolerance(n, magnitude[0]))).toBe(true, "dot n=" + n.toString());
      release(a);
      release(b);
    }
  });

  it("works from unaligned starts", () => {
    const magnitude: f64[] = [0];
    const a = filledF32(70, 7);
    const b = filledF32(70, 8);
    const expected = referenceDot(a + 4, b + 12, 53, magnitude);
    expect<bool>(within(<f64>dot(a + 4, b + 12, 53), expected, dotTolerance(53, magnitude[0]))).toBe(true);
    release(a);
    release(b);
  });
});

describe("rowwise_dot", () => {
  it("gives each row's dot product, d = 1 and n = 0 included", () => {
    const magnitude: f64[] = [0];
    const shapes: i32[] = [0, 5, 1, 1, 7, 1, 5, 3, 6, 17, 4, 64];
    for (let s = 0; s < shapes.length; s += 2) {
      const n = shapes[s];
      const d = shapes[s + 1];
      const a = filledF32(n * d, 20 + s);
      const b = filledF32(n * d, 40 + s);
      const out = zeroF32(n);
      rowwise_dot(a, b, n, d, out);
      for (let r = 0; r < n; r++) {
        const offset = <usize>(r * d) << 2;
        const expected = referenceDot(a + offset, b + offset, d, magnitude);
        expect<bool>(within(<f64>f32At(out, r), expected, dotTolerance(d, magnitude[0]))).toBe(true);
      }
      release(a);
      release(b);
      release(out);
    }
  });
});

describe("gather_rows and scatter_add_rows", () => {
  it("gather copies the indexed rows exactly", () => {
    const rows = 9;
    const d = 7;
    const n = 12;
    const src = filledF32(rows * d, 3);
    const idx = newI32(n);
    for (let r = 0; r < n; r++) setI32(idx, r, hashIndex(5, r, rows));
    const dst = zeroF32(n * d);
    gather_rows(src, d, idx, n, dst);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < d; c++) expect<f32>(f32At(dst, r * d + c)).toBe(f32At(src, i32At(idx, r) * d + c));
    }
    release(src);
    release(idx);
    release(dst);
  });

  it("scatter accumulates every row sent to a repeated index", () => {
    const rows = 4;
    const d = 6;
    const n = 15;
    const dst = filledF32(rows * d, 9);
    const expected = new Array<f64>(rows * d);
    for (let i = 0; i < rows * d; i++) expected[i] = <f64>f32At(dst, i);
    const src = filledF32(n * d, 10);
    const idx = newI32(n);
    for (let r = 0; r < n; r++) {
      const to = hashIndex(11, r, rows);
      setI32(idx, r, to);
      for (let c = 0; c < d; c++) expected[to * d + c] += <f64>f32At(src, r * d + c);
    }
    scatter_add_rows(dst, d, idx, n, src);
    for (let i = 0; i < rows * d; i++) {
      expect<bool>(within(<f64>f32At(dst, i), expected[i], 4 * F32_EPS * <f64>(n + 1))).toBe(true);
    }
    release(dst);
    release(src);
    release(idx);
  });
});

import { F32_EPS, f32At, filledF32, release, setF32, within } from "./support/kernel-spec-data";
import { packed_panel_width, packed_items_length, pack_items, score_packed, score_packed_scratch_bytes, score_rows_dot } from "../scoring";
import { alloc, free } from "../memory";

/** score_packed with a scratch of exactly the size it asks for, freed after the call. */
function scorePacked(users: usize, nUsers: i32, d: i32, packed: usize, m: i32, out: usize, stride: i32): void {
  const scratch = alloc(score_packed_scratch_bytes(nUsers, d));
  score_packed(users, nUsers, d, packed, m, out, stride, scratch);
  free(scratch);
}

/** n floats all equal to v (one float allocated when n = 0). */
function constF32(n: i32, v: f32): usize {
  const p = filledF32(n, 0);
  for (let i = 0; i < n; i++) setF32(p, i, v);
  return p;
}

const SENTINEL: f32 = -12345.5;

/** Checks out[u*stride + i] against the f64 dot product for u < nUsers, i < m, and the guard columns. */
function checkScores(users: usize, nUsers: i32, d: i32, items: usize, m: i32, out: usize, stride: i32): void {
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < stride; i++) {
      const got = f32At(out, u * stride + i);
      if (i >= m) {
        expect<f32>(got).toBe(SENTINEL, "guard column written");
        continue;
      }
      let s: f64 = 0;
      let mag: f64 = 0;
      for (let k = 0; k < d; k++) {
        const t = <f64>f32At(users, u * d + k) * <f64>f32At(items, i * d + k);
        s += t;
        mag += Math.abs(t);
      }
      const tol = 4 * F32_EPS * Math.sqrt(<f64>d + 1) * mag + 1e-30;
      expect<bool>(within(<f64>got, s, tol)).toBe(true, "score within f32 tolerance of the f64 reference");
    }
  }
}

function runPacked(nUsers: i32, m: i32, d: i32, extra: i32, seed: i32): void {
  const stride = m + extra;
  const users = filledF32(nUsers * d, seed);
  const items = filledF32(m * d, seed + 1);
  const packed = constF32(packed_items_length(m, d), 7);
  pack_items(items, m, d, packed);
  const out = constF32(nUsers * stride, SENTINEL);
  scorePacked(users, nUsers, d, packed, m, out, stride);
  checkScores(users, nUsers, d, items, m, out, stride);
  release(users); release(items); release(packed); release(out);
}

describe("packed item layout", () => {
  it("uses panels of 8 items, zero-padded", () => {
    expect<i32>(packed_panel_width()).toBe(8);
    expect<i32>(packed_items_length(0, 4)).toBe(0);
    expect<i32>(packed_items_length(9, 3)).toBe(48);
    const m = 9, d = 3;
    const q = filledF32(m * d, 3);
    const p = constF32(packed_items_length(m, d), 7);
    pack_items(q, m, d, p);
    for (let panel = 0; panel < 2; panel++) {
      for (let k = 0; k < d; k++) {
        for (let j = 0; j < 8; j++) {
          const item = panel * 8 + j;
          const expected: f32 = item < m ? f32At(q, item * d + k) : 0;
          expect<f32>(f32At(p, panel * 8 * d + k * 8 + j)).toBe(expected);
        }
      }
    }
    release(q); release(p);
  });
});

describe("score_packed", () => {
  it("matches the f64 reference on shapes around every block edge", () => {
    runPacked(0, 5, 3, 0, 1);
    runPacked(3, 0, 4, 0, 2);
    runPacked(2, 3, 0, 0, 3);
    runPacked(1, 1, 1, 0, 4);
    runPacked(5, 7, 1, 0, 5);
    runPacked(3, 17, 3, 0, 6);
    runPacked(4, 16, 4, 0, 7);
    runPacked(7, 63, 16, 0, 8);
    runPacked(9, 65, 17, 0, 9);
    runPacked(4, 513, 7, 0, 10);
    runPacked(260, 11, 6, 0, 11);
  });

  it("never writes the guard columns past m when outStride > m", () => {
    runPacked(5, 13, 3, 3, 12);
    runPacked(6, 8, 1, 1, 13);
    runPacked(3, 70, 9, 8, 14);
  });

  it("scores a tile from a panel offset like the whole catalog", () => {
    const nUsers = 5, m = 40, d = 6;
    const users = filledF32(nUsers * d, 20);
    const items = filledF32(m * d, 21);
    const packed = constF32(packed_items_length(m, d), 7);
    pack_items(items, m, d, packed);
    const out = constF32(nUsers * m, SENTINEL);
    // Tiles of 16 items, the last one (8 items) first so an overrun would clobber finished work.
    for (let start = 32; start >= 0; start -= 16) {
      const size = min(16, m - start);
      scorePacked(users, nUsers, d, packed + (<usize>(start * d) << 2), size, out + (<usize>start << 2), m);
    }
    checkScores(users, nUsers, d, items, m, out, m);
    release(users); release(items); release(packed); release(out);
  });
});

describe("score_rows_dot", () => {
  it("matches the f64 reference, guard columns untouched", () => {
    const cases: i32[] = [0, 3, 2, 1, 1, 1, 3, 5, 3, 5, 9, 7, 6, 31, 64, 2, 4, 65];
    for (let c = 0; c < cases.length; c += 3) {
      const nUsers = cases[c], m = cases[c + 1], d = cases[c + 2];
      const stride = m + 2;
      const users = filledF32(nUsers * d, 30 + c);
      const items = filledF32(m * d, 31 + c);
      const out = constF32(nUsers * stride, SENTINEL);
      score_rows_dot(users, nUsers, d, items, m, out, stride);
      checkScores(users, nUsers, d, items, m, out, stride);
      release(users); release(items); release(out);
    }
  });
});

import { adagrad_rows, adam_rows, sgd_rows } from "../optimizers";
import { f32At, filledF32, newI32, release, setI32, within, zeroF32 } from "./support/kernel-spec-data";

const TABLE_ROWS = 6;

/** Touched rows 4, 1, 3 (out of order) or, when dense, rows 0..2. */
function touched(dense: bool): usize {
  if (dense) return 0;
  const rows = newI32(3);
  setI32(rows, 0, 4);
  setI32(rows, 1, 1);
  setI32(rows, 2, 3);
  return rows;
}

function rowOf(rows: usize, r: i32): i32 {
  return rows != 0 ? load<i32>(rows + (<usize>r << 2)) : r;
}

function sweepD(run: (d: i32, dense: bool) => void): void {
  const ds: i32[] = [1, 3, 4, 7, 16, 33];
  for (let i = 0; i < ds.length; i++) {
    run(ds[i], false);
    run(ds[i], true);
  }
}

describe("sgd_rows", () => {
  it("applies p −= lr·(g + l2·p) to the listed rows only, over three steps", () => {
    sweepD((d: i32, dense: bool): void => {
      const params = filledF32(TABLE_ROWS * d, d);
      const expected = new Array<f64>(TABLE_ROWS * d);
      for (let i = 0; i < TABLE_ROWS * d; i++) expected[i] = <f64>f32At(params, i);
      const rows = touched(dense);
      for (let step = 0; step < 3; step++) {
        const grads = filledF32(3 * d, 50 + step);
        sgd_rows(params, d, rows, 3, grads, 0.1, 0.01);
        for (let r = 0; r < 3; r++) {
          for (let c = 0; c < d; c++) {
            const i = rowOf(rows, r) * d + c;
            expected[i] -= 0.1 * (<f64>f32At(grads, r * d + c) + <f64><f32>0.01 * expected[i]);
          }
        }
        release(grads);
      }
      for (let i = 0; i < TABLE_ROWS * d; i++) expect<bool>(within(<f64>f32At(params, i), expected[i], 2e-6)).toBe(true);
      release(params);
      if (rows != 0) release(rows);
    });
  });
});

describe("adagrad_rows", () => {
  it("accumulates g² and scales the step by 1/(√acc + eps)", () => {
    sweepD((d: i32, dense: bool): void => {
      const params = filledF32(TABLE_ROWS * d, d);
      const accum = zeroF32(TABLE_ROWS * d);
      const p = new Array<f64>(TABLE_ROWS * d);
      const a = new Array<f64>(TABLE_ROWS * d);
      for (let i = 0; i < TABLE_ROWS * d; i++) {
        p[i] = <f64>f32At(params, i);
        a[i] = 0;
      }
      const rows = touched(dense);
      for (let step = 0; step < 3; step++) {
        const grads = filledF32(3 * d, 60 + step);
        adagrad_rows(params, accum, d, rows, 3, grads, 0.05, 1e-8, 0);
        for (let r = 0; r < 3; r++) {
          for (let c = 0; c < d; c++) {
            const i = rowOf(rows, r) * d + c;
            const g = <f64>f32At(grads, r * d + c);
            a[i] += g * g;
            p[i] -= <f64><f32>0.05 * g / (Math.sqrt(a[i]) + <f64><f32>1e-8);
          }
        }
        release(grads);
      }
      for (let i = 0; i < TABLE_ROWS * d; i++) {
        expect<bool>(within(<f64>f32At(params, i), p[i], 2e-6)).toBe(true);
        expect<bool>(within(<f64>f32At(accum, i), a[i], 4e-6 * (1 + a[i]))).toBe(true);
      }
      release(params);
      release(accum);
      if (rows != 0) release(rows);
    });
  });
});

describe("adam_rows", () => {
  it("follows bias-corrected Adam with the global step on the listed rows", () => {
    sweepD((d: i32, dense: bool): void => {
      const beta1: f64 = <f64><f32>0.9;
      const beta2: f64 = <f64><f32>0.999;
      const lr: f64 = <f64><f32>0.01;
      const eps: f64 = <f64><f32>1e-8;
      const params = filledF32(TABLE_ROWS * d, d);
      const m = zeroF32(TABLE_ROWS * d);
      const v = zeroF32(TABLE_ROWS * d);
      const p = new Array<f64>(TABLE_ROWS * d);
      const em = new Array<f64>(TABLE_ROWS * d);
      const ev = new Array<f64>(TABLE_ROWS * d);
      for (let i = 0; i < TABLE_ROWS * d; i++) {
        p[i] = <f64>f32At(params, i);
        em[i] = 0;
        ev[i] = 0;
      }
      const rows = touched(dense);
      for (let step = 1; step <= 3; step++) {
        const grads = filledF32(3 * d, 70 + step);
        adam_rows(params, m, v, d, rows, 3, grads, <f32>lr, <f32>beta1, <f32>beta2, <f32>eps, step, 0);
        for (let r = 0; r < 3; r++) {
          for (let c = 0; c < d; c++) {
            const i = rowOf(rows, r) * d + c;
            const g = <f64>f32At(grads, r * d + c);
            em[i] = beta1 * em[i] + (1 - beta1) * g;
            ev[i] = beta2 * ev[i] + (1 - beta2) * g * g;
            const mHat = em[i] / (1 - Math.pow(beta1, <f64>step));
            const vHat = ev[i] / (1 - Math.pow(beta2, <f64>step));
            p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
          }
        }
        release(grads);
      }
      for (let i = 0; i < TABLE_ROWS * d; i++) {
        expect<bool>(within(<f64>f32At(params, i), p[i], 2e-6)).toBe(true);
        expect<bool>(within(<f64>f32At(m, i), em[i], 1e-6)).toBe(true);
        expect<bool>(within(<f64>f32At(v, i), ev[i], 1e-6 * (1e-3 + ev[i]))).toBe(true);
      }
      release(params);
      release(m);
      release(v);
      if (rows != 0) release(rows);
    });
  });
});

import { lse_rows, softmax_xent } from "../softmax";
import { F32_EPS, f32At, filledF32, hashIndex, i32At, newI32, release, setF32, setI32, within, zeroF32 } from "./support/kernel-spec-data";

const F32_MAX: f64 = 3.4028234663852886e38;

function logit(scores: usize, stride: i32, invTemp: f32, bias: usize, r: i32, c: i32): f64 {
  let z = <f64>f32At(scores, r * stride + c) * <f64>invTemp;
  if (bias != 0) z += <f64>f32At(bias, c);
  return Math.min(Math.max(z, -F32_MAX), F32_MAX);
}

/**
 * Checks softmax_xent (loss, then gradient) against an f64 reference on one random problem:
 * row r has r % 4 targets (a repeat when r % 4 == 3), weights in [0, 2) if asked.
 */
function check(nRows: i32, nCols: i32, stride: i32, invTemp: f32, withBias: bool, withWeights: bool, seed: i32): void {
  const nScores = nRows == 0 ? 0 : (nRows - 1) * stride + nCols;
  const scores = filledF32(nScores, seed, 2);
  const bias = withBias ? filledF32(nCols, seed + 1, 3) : 0;
  const weights = withWeights ? filledF32(nRows, seed + 2) : 0;
  if (withWeights) for (let r = 0; r < nRows; r++) setF32(weights, r, f32At(weights, r) + 1);
  const offsets = newI32(nRows + 1);
  const targets = newI32(nRows * 3);
  let nTargets = 0;
  setI32(offsets, 0, 0);
  for (let r = 0; r < nRows; r++) {
    const count = nCols == 0 ? 0 : r % 4;
    for (let t = 0; t < count; t++) {
      const c = t == 2 ? i32At(targets, nTargets - 1) : hashIndex(seed + 3, nTargets, nCols);
      setI32(targets, nTargets, c);
      nTargets++;
    }
    setI32(offsets, r + 1, nTargets);
  }

  let expectedLoss: f64 = 0;
  let lossTol: f64 = 1e-12;
  const expectedGrad = new Array<f64>(nScores);
  const gradTol = new Array<f64>(nScores);
  for (let i = 0; i < nScores; i++) {
    expectedGrad[i] = <f64>f32At(scores, i);
    gradTol[i] = 0;
  }
  for (let r = 0; r < nRows; r++) {
    const first = load<i32>(offsets + (<usize>r << 2));
    const count = load<i32>(offsets + (<usize>(r + 1) << 2)) - first;
    const w: f64 = withWeights ? <f64>f32At(weights, r) : 1;
    let max: f64 = -Infinity;
    let magnitude: f64 = 0;
    for (let c = 0; c < nCols; c++) {
      max = Math.max(max, logit(scores, stride, invTemp, bias, r, c));
      magnitude = Math.max(magnitude, Math.abs(<f64>f32At(scores, r * stride + c) * <f64>invTemp) + (withBias ? Math.abs(<f64>f32At(bias, c)) : 0));
    }
    let sum: f64 = 0;
    for (let c = 0; c < nCols; c++) sum += Math.exp(logit(scores, stride, invTemp, bias, r, c) - max);
    const relative = 3e-6 + 16 * F32_EPS * magnitude;
    for (let c = 0; c < nCols; c++) {
      const p = Math.exp(logit(scores, stride, invTemp, bias, r, c) - max) / sum;
      expectedGrad[r * stride + c] = count == 0 ? 0 : w * <f64>invTemp * <f64>count * p;
      gradTol[r * stride + c] = w * <f64>invTemp * (<f64>count * p * relative + 2 * F32_EPS * <f64>(count + 1)) + 1e-30;
    }
    for (let t = 0; t < count; t++) {
      const c = load<i32>(targets + (<usize>(first + t) << 2));
      expectedLoss += w * (max - logit(scores, stride, invTemp, bias, r, c) + Math.log(sum));
      lossTol += w * relative;
      expectedGrad[r * stride + c] -= w * <f64>invTemp;
    }
  }

  const lossOnly = softmax_xent(scores, nRows, nCols, stride, invTemp, bias, offsets, targets, weights, 0);
  expect<bool>(within(lossOnly, expectedLoss, lossTol)).toBe(true, "loss");
  const withGrad = softmax_xent(scores, nRows, nCols, stride, invTemp, bias, offsets, targets, weights, 1);
  expect<bool>(within(withGrad, lossOnly, 1e-12 * (1 + Math.abs(lossOnly)))).toBe(true, "same loss with the gradient");
  for (let i = 0; i < nScores; i++) {
    expect<bool>(within(<f64>f32At(scores, i), expectedGrad[i], gradTol[i])).toBe(true, "gradient entry " + i.toString());
  }
  release(scores);
  if (bias != 0) release(bias);
  if (weights != 0) release(weights);
  release(offsets);
  release(targets);
}

describe("softmax_xent", () => {
  it("matches the f64 reference: empty, single-column, strided, biased, weighted and long rows", () => {
    check(0, 5, 5, 1, false, false, 1);
    check(4, 1, 1, 1, false, false, 2);
    check(5, 7, 7, 2, true, true, 3);
    check(6, 13, 16, 10, true, false, 4);
    check(8, 37, 37, 100, true, true, 5);
    check(4, 300, 301, 5, false, true, 6);
    check(3, 2053, 2053, 10, true, true, 7);
  });

  it("stays finite for huge logits, -1e30 biases and ±Infinity scores at invTemp 100", () => {
    const nCols = 6;
    const scores = zeroF32(2 * nCols);
    setF32(scores, 0, 1e30);
    setF32(scores, 1, -1e30);
    setF32(scores, 2, Infinity);
    setF32(scores, 3, 1);
    for (let c = 0; c < nCols; c++) setF32(scores, nCols + c, -Infinity);
    const bias = zeroF32(nCols);
    setF32(bias, 3, -1e30);
    const offsets = newI32(3);
    setI32(offsets, 0, 0);
    setI32(offsets, 1, 2);
    setI32(offsets, 2, 3);
    const targets = newI32(3);
    setI32(targets, 0, 1);
    setI32(targets, 1, 3);
    setI32(targets, 2, 4);
    const loss = softmax_xent(scores, 2, nCols, nCols, 100, bias, offsets, targets, 0, 1);
    expect<bool>(isFinite(loss)).toBe(true, "loss finite");
    for (let i = 0; i < 2 * nCols; i++) expect<bool>(isFinite(f32At(scores, i))).toBe(true, "gradient finite");
    // Row 1 is all -Infinity: saturated logits tie, so the softmax is uniform and its loss log 6.
    expect<bool>(within(<f64>f32At(scores, nCols), 100.0 / 6.0, 1e-4)).toBe(true);
    release(scores);
    release(bias);
    release(offsets);
    release(targets);
  });
});

describe("lse_rows", () => {
  it("matches log Σ exp of the logits; no columns give -Infinity", () => {
    const nRows = 5;
    const nCols = 45;
    const scores = filledF32(nRows * nCols, 9, 4);
    const bias = filledF32(nCols, 10);
    const out = zeroF32(nRows);
    lse_rows(scores, nRows, nCols, nCols, 3, bias, out);
    for (let r = 0; r < nRows; r++) {
      let max: f64 = -Infinity;
      for (let c = 0; c < nCols; c++) max = Math.max(max, logit(scores, nCols, 3, bias, r, c));
      let sum: f64 = 0;
      for (let c = 0; c < nCols; c++) sum += Math.exp(logit(scores, nCols, 3, bias, r, c) - max);
      expect<bool>(within(<f64>f32At(out, r), max + Math.log(sum), 1e-5 * (1 + Math.abs(max)))).toBe(true);
    }
    lse_rows(scores, 2, 0, nCols, 1, 0, out);
    expect<f32>(f32At(out, 0)).toBe(-Infinity);
    release(scores);
    release(bias);
    release(out);
  });
});

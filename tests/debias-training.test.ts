/**
 * The debiasing methods' training math against plain f64 references: the logit-adjusted full and
 * sampled softmax losses (bias and logQ correction together), one exact SGD step of the full
 * softmax with logit adjustment + IPS + ReSN, ReSN's gradient by finite differences, IPS weights,
 * and that switched-off methods reproduce the plain model bit for bit.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Interactions } from "../ts/data/interactions.js";
import { Kernels } from "../ts/kernels/kernels.js";
import { MatrixFactorization } from "../ts/mf/matrix-factorization.js";
import { loadWasmInstance } from "../ts/node.js";
import { generateSyntheticWorld } from "../ts/synthetic/world.js";
import { worldToInteractions } from "../ts/synthetic/to-interactions.js";
import { AliasSampler } from "../ts/train/alias-sampler.js";
import { ConfigError, LOSSES, resolveMfConfig, type MfConfig } from "../ts/mf/config.js";
import { createRunner } from "../ts/mf/fit.js";
import { clippedInversePropensities } from "../ts/train/ips.js";
import { SpectralPenalty } from "../ts/mf/resn.js";
import { makeOptimizers, shuffledRange, userOfPosition, type TrainingContext } from "../ts/mf/training-context.js";
import { Rng } from "../ts/util/rng.js";
import { randomF32 } from "./support/kernel-harness.js";

let kernels: Kernels;
let data: Interactions;

before(async () => {
  kernels = new Kernels(await loadWasmInstance());
  data = worldToInteractions(generateSyntheticWorld({ seed: 3, nUsers: 40, nItems: 60, meanInteractionsPerUser: 8 }));
});

/** A training context over fresh random tables (scale 0.5, so logits are far from uniform). */
function context(config: MfConfig, seed: number): { ctx: TrainingContext; P: Float32Array; Q: Float32Array; dispose: () => void } {
  const e = kernels.wasm;
  const rng = new Rng(seed);
  const P = randomF32(rng, data.nUsers * config.dim, 0.5);
  const Q = randomF32(rng, data.nItems * config.dim, 0.5);
  const userFactors = e.f32From(P),
    itemFactors = e.f32From(Q);
  const opt = makeOptimizers(kernels, config, userFactors, itemFactors);
  const ctx: TrainingContext = { kernels, config, train: data, userFactors, itemFactors, ...opt, rng: new Rng(seed + 1) };
  return {
    ctx,
    P,
    Q,
    dispose: () => {
      opt.userOptimizer.dispose();
      opt.itemOptimizer.dispose();
      userFactors.free();
      itemFactors.free();
    },
  };
}

/** The mean loss of one epoch run by the configured runner over fresh random tables (one step when the batch holds everything). */
function firstEpochLoss(config: MfConfig, seed: number): { loss: number; P: Float32Array; Q: Float32Array } {
  const { ctx, P, Q, dispose } = context(config, seed);
  const runner = createRunner(ctx);
  const { loss } = runner.runEpoch();
  runner.dispose();
  dispose();
  return { loss, P, Q };
}

function score(P: ArrayLike<number>, Q: ArrayLike<number>, d: number, u: number, i: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += P[u * d + c] * Q[i * d + c];
  return s;
}

function logSumExp(z: number[]): number {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
}

const relClose = (got: number, want: number, rel: number, what: string) =>
  assert.ok(Math.abs(got - want) <= rel * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);

describe("logit adjustment", () => {
  it("full softmax: the epoch loss equals the f64 loss with s/T + α·log(1 + c) on every logit", () => {
    const config = resolveMfConfig({
      loss: "softmax",
      dim: 5,
      normalize: "none",
      temperature: 0.5,
      logitAdjustment: 0.7,
      batchSize: 1000,
      optimizer: "sgd",
      learningRate: 1e-9,
    });
    const { loss, P, Q } = firstEpochLoss(config, 1);
    const counts = data.itemCounts();
    const d = config.dim,
      T = config.temperature,
      a = config.logitAdjustment;
    let sum = 0;
    for (let u = 0; u < data.nUsers; u++) {
      const z = Array.from({ length: data.nItems }, (_, j) => score(P, Q, d, u, j) / T + a * Math.log1p(counts[j]));
      const lse = logSumExp(z);
      for (let p = data.byUser.indptr[u]; p < data.byUser.indptr[u + 1]; p++) sum += lse - z[data.byUser.indices[p]];
    }
    relClose(loss, sum / data.nnz, 1e-5, "mean loss");
  });

  it("sampled softmax: the loss equals the f64 loss with bias and logQ correction together (s/T + α·log(1 + c) − log(N·q))", () => {
    const N = 16;
    const config = resolveMfConfig({
      loss: "sampled-softmax",
      dim: 4,
      normalize: "none",
      temperature: 0.25,
      logitAdjustment: 0.5,
      negatives: N,
      batchSize: 100_000,
      optimizer: "sgd",
      learningRate: 1e-9,
    });
    const { loss, P, Q } = firstEpochLoss(config, 2);
    // Replay the runner's random choices: the shuffle, then the N shared negatives.
    const counts = data.itemCounts();
    const sampler = new AliasSampler(Array.from(counts, (c) => Math.pow(c + 1, config.samplingExponent)));
    const rng = new Rng(3);
    const order = shuffledRange(data.nnz, rng);
    const negatives = Array.from({ length: N }, () => sampler.sample(rng));
    const userOf = userOfPosition(data);
    const d = config.dim,
      T = config.temperature,
      a = config.logitAdjustment;
    const logit = (u: number, i: number) => score(P, Q, d, u, i) / T + a * Math.log1p(counts[i]) - Math.log(N * sampler.probabilities[i]);
    let sum = 0;
    for (let b = 0; b < data.nnz; b++) {
      const u = userOf[order[b]],
        i = data.byUser.indices[order[b]];
      const z = [logit(u, i), ...negatives.filter((j) => j !== i).map((j) => logit(u, j))];
      sum += logSumExp(z) - z[0];
    }
    relClose(loss, sum / data.nnz, 1e-5, "mean sampled loss");
  });
});

/** λ‖U·Vᵀ·q‖² with q held fixed, in f64. */
function penaltyValue(U: ArrayLike<number>, V: ArrayLike<number>, n: number, m: number, d: number, q: ArrayLike<number>): number {
  let f = 0;
  for (let u = 0; u < n; u++) {
    let h = 0;
    for (let i = 0; i < m; i++) h += score(U, V, d, u, i) * q[i];
    f += h * h;
  }
  return f;
}

/** The popularity direction q = r/‖r‖, r = Ŷᵀ1, in f64. */
function popularityDirection(U: ArrayLike<number>, V: ArrayLike<number>, n: number, m: number, d: number): Float64Array {
  const r = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let u = 0; u < n; u++) r[i] += score(U, V, d, u, i);
  const norm = Math.hypot(...r);
  return r.map((x) => x / norm);
}

describe("ReSN's spectral penalty", () => {
  for (const [n, m, d] of [
    [5, 7, 3],
    [1, 4, 1],
    [6, 9, 5],
  ]) {
    it(`value and gradients match f64 finite differences with q held fixed (n=${n}, m=${m}, d=${d})`, () => {
      const e = kernels.wasm;
      const rng = new Rng(n * 100 + m);
      // A shared offset gives the scores a popularity direction, as trained models have.
      const U = randomF32(rng, n * d, 0.5).map((x) => x + 0.4);
      const V = randomF32(rng, m * d, 0.5).map((x, k) => x + (0.3 * Math.floor(k / d)) / m);
      const lambda = 0.7;
      const penalty = new SpectralPenalty(kernels, d, n + 2, m, lambda);
      const wu = e.f32From(U),
        wv = e.f32From(V),
        gu = e.f32(n * d),
        gv = e.f32(m * d);
      gu.view.fill(0);
      gv.view.fill(0);
      const value = penalty.addGradients(wu, n, wv, gu, gv);
      const gradU = gu.view.slice(),
        gradV = gv.view.slice();
      for (const a of [penalty, wu, wv, gu, gv] as Array<{ dispose?: () => void; free?: () => void }>) (a.dispose ?? a.free)!.call(a);
      const q = popularityDirection(U, V, n, m, d);
      const f = (uu: ArrayLike<number>, vv: ArrayLike<number>) => lambda * penaltyValue(uu, vv, n, m, d, q);
      relClose(value, f(U, V), 1e-4, "λσ²");
      const h = 1e-4;
      const check = (table: Float32Array, grad: Float32Array, which: "U" | "V") => {
        const x = Float64Array.from(table);
        for (let k = 0; k < x.length; k++) {
          const plus = Float64Array.from(x),
            minus = Float64Array.from(x);
          plus[k] += h;
          minus[k] -= h;
          const fd = which === "U" ? (f(plus, V) - f(minus, V)) / (2 * h) : (f(U, plus) - f(U, minus)) / (2 * h);
          assert.ok(Math.abs(grad[k] - fd) <= 1e-3 * Math.max(1, Math.abs(fd)), `∂/∂${which}[${k}]: got ${grad[k]}, finite differences ${fd}`);
        }
      };
      check(U, gradU, "U");
      check(V, gradV, "V");
      // ‖Ŷq‖² for a unit q never exceeds σ_max²; with a shared popularity direction it is a good share of it.
      const sigmaMax2 = topEigenvalue(U, V, n, m, d);
      assert.ok(value / lambda <= sigmaMax2 * (1 + 1e-4) && value / lambda >= 0.5 * sigmaMax2, `σ² ${value / lambda} vs σ_max² ${sigmaMax2}`);
    });
  }

  it("does nothing for an empty block or a zero table", () => {
    const e = kernels.wasm;
    const penalty = new SpectralPenalty(kernels, 2, 3, 4, 1);
    const zeros = e.f32(8),
      grads = e.f32(8);
    zeros.view.fill(0);
    grads.view.fill(0);
    assert.equal(penalty.addGradients(zeros, 0, zeros, grads, grads), 0);
    assert.equal(penalty.addGradients(zeros, 3, zeros, grads, grads), 0);
    assert.ok(grads.view.every((g) => g === 0));
    assert.throws(() => penalty.addGradients(zeros, 4, zeros, grads, grads), /4 users exceed the capacity of 3/);
    penalty.dispose();
    zeros.free();
    grads.free();
  });
});

/** σ_max(U·Vᵀ)² by power iteration on (UVᵀ)ᵀ(UVᵀ), in f64. */
function topEigenvalue(U: ArrayLike<number>, V: ArrayLike<number>, n: number, m: number, d: number): number {
  let x = new Float64Array(m).fill(1);
  let value = 0;
  for (let it = 0; it < 500; it++) {
    const y = new Float64Array(n);
    for (let u = 0; u < n; u++) for (let i = 0; i < m; i++) y[u] += score(U, V, d, u, i) * x[i];
    const z = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let u = 0; u < n; u++) z[i] += score(U, V, d, u, i) * y[u];
    value = Math.hypot(...z) / Math.hypot(...x);
    x = z.map((v) => v / Math.hypot(...z));
  }
  return value;
}

describe("IPS weights", () => {
  it("are 1/propensity, clipped at the minimum propensity, with mean 1 per interaction", () => {
    // counts 100, 10, 1, 0; propensities 1, 0.1, 0.01 → clipped at 0.05 → raw weights 1, 10, 20, 20.
    const w = clippedInversePropensities(Int32Array.from([100, 10, 1, 0]), 0.05);
    const scale = 111 / (100 * 1 + 10 * 10 + 1 * 20);
    assert.deepEqual(
      Array.from(w, (x) => +x.toFixed(6)),
      [1, 10, 20, 20].map((x) => +(x * scale).toFixed(6)),
    );
    const mean = (100 * w[0] + 10 * w[1] + 1 * w[2]) / 111;
    assert.ok(Math.abs(mean - 1) < 1e-6, `mean weight ${mean}`);
  });
});

describe("full softmax with logit adjustment, IPS and ReSN together", () => {
  it("one SGD step moves every parameter by exactly −lr·∂L/∂θ of the f64 objective", () => {
    const lr = 0.01;
    const config = resolveMfConfig({
      loss: "softmax",
      dim: 3,
      normalize: "none",
      temperature: 0.5,
      logitAdjustment: 0.6,
      ips: true,
      ipsMinPropensity: 0.2,
      spectralPenalty: 0.05,
      batchSize: 1000,
      optimizer: "sgd",
      learningRate: lr,
    });
    const { ctx, P, Q, dispose } = context(config, 4);
    const runner = createRunner(ctx);
    runner.runEpoch();
    runner.dispose();
    const P1 = ctx.userFactors.view.slice(),
      Q1 = ctx.itemFactors.view.slice();
    dispose();
    const n = data.nUsers,
      m = data.nItems,
      d = config.dim,
      T = config.temperature;
    const counts = data.itemCounts();
    const w = clippedInversePropensities(counts, config.ipsMinPropensity);
    // ∂L/∂s for L = Σ_u Σ_t ω_t (lse_u − z_ut), z = s/T + α·log(1 + c).
    const G = new Float64Array(n * m);
    for (let u = 0; u < n; u++) {
      const z = Array.from({ length: m }, (_, j) => score(P, Q, d, u, j) / T + config.logitAdjustment * Math.log1p(counts[j]));
      const lse = logSumExp(z);
      let omega = 0;
      for (let p = data.byUser.indptr[u]; p < data.byUser.indptr[u + 1]; p++) {
        const i = data.byUser.indices[p];
        omega += w[i];
        G[u * m + i] -= w[i] / T;
      }
      for (let j = 0; j < m; j++) G[u * m + j] += (omega * Math.exp(z[j] - lse)) / T;
    }
    // The penalty over all users (one block holds them all): ∂/∂U = 2λ·h·bᵀ, ∂/∂V = 2λ·q·(Uᵀh)ᵀ.
    const q = popularityDirection(P, Q, n, m, d);
    const b = new Float64Array(d);
    for (let i = 0; i < m; i++) for (let c = 0; c < d; c++) b[c] += Q[i * d + c] * q[i];
    const h = new Float64Array(n);
    for (let u = 0; u < n; u++) for (let c = 0; c < d; c++) h[u] += P[u * d + c] * b[c];
    const uth = new Float64Array(d);
    for (let u = 0; u < n; u++) for (let c = 0; c < d; c++) uth[c] += P[u * d + c] * h[u];
    const lambda2 = 2 * config.spectralPenalty;
    /** Every parameter of a table after the step is before − lr·gradient(row, column). */
    const expectStep = (name: string, after: Float32Array, before: Float32Array, rows: number, gradient: (r: number, c: number) => number) => {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < d; c++) {
          const g = gradient(r, c);
          const want = before[r * d + c] - lr * g;
          assert.ok(Math.abs(after[r * d + c] - want) <= 1e-5 * Math.max(1, Math.abs(g)), `${name}[${r},${c}]: got ${after[r * d + c]}, want ${want}`);
        }
      }
    };
    expectStep("P", P1, P, n, (u, c) => {
      let g = lambda2 * h[u] * b[c];
      for (let j = 0; j < m; j++) g += G[u * m + j] * Q[j * d + c];
      return g;
    });
    expectStep("Q", Q1, Q, m, (j, c) => {
      let g = lambda2 * q[j] * uth[c];
      for (let u = 0; u < n; u++) g += G[u * m + j] * P[u * d + c];
      return g;
    });
  });
});

describe("switched-off methods are the plain model", () => {
  for (const loss of LOSSES) {
    it(`${loss}: α = 0, λ = 0 and no IPS give the same factors as the defaults; IPS with every propensity clipped to 1 too`, async () => {
      const base: Partial<MfConfig> = { loss, epochs: 2, seed: 5, dim: 8, negatives: loss === "sampled-softmax" || loss === "ccl" ? 32 : undefined };
      const tables = async (extra: Partial<MfConfig>) => {
        const model = new MatrixFactorization(kernels, { ...base, ...extra });
        await model.fit(data);
        const out = [model.userFactors.view.slice(), model.itemFactors.view.slice()];
        model.dispose();
        return out;
      };
      const plain = await tables({});
      assert.deepEqual(await tables({ logitAdjustment: 0, spectralPenalty: 0, ips: false }), plain);
      assert.deepEqual(await tables({ ips: true, ipsMinPropensity: 1 }), plain);
      assert.notDeepEqual(await tables({ spectralPenalty: 0.5 }), plain, "a penalty changes the model (the comparison can fail)");
    });
  }
});

describe("configuration", () => {
  it("defaults to no debiasing and validates every field with errors that say what is allowed", () => {
    const c = resolveMfConfig({ loss: "softmax" });
    assert.deepEqual([c.logitAdjustment, c.spectralPenalty, c.ips, c.ipsMinPropensity], [0, 0, false, 0.01]);
    assert.throws(
      () => resolveMfConfig({ loss: "bpr", logitAdjustment: 0.5 }),
      (e: unknown) => e instanceof ConfigError && /use loss "softmax" or "sampled-softmax", not "bpr"/.test(e.message),
    );
    assert.throws(() => resolveMfConfig({ loss: "softmax", logitAdjustment: -0.5 }), /logitAdjustment must be a non-negative number, got -0.5/);
    assert.throws(() => resolveMfConfig({ loss: "bce", spectralPenalty: Number.NaN }), /spectralPenalty must be a non-negative number, got NaN/);
    assert.throws(() => resolveMfConfig({ loss: "bce", spectralPenalty: Infinity }), /spectralPenalty must be a non-negative number/);
    assert.throws(() => resolveMfConfig({ ips: "yes" as unknown as boolean }), /ips must be true or false, got yes/);
    assert.throws(() => resolveMfConfig({ ips: true, ipsMinPropensity: 0 }), /ipsMinPropensity must be a number in \(0, 1\]/);
    assert.throws(() => resolveMfConfig({ ips: true, ipsMinPropensity: 1.5 }), /got 1.5/);
    assert.equal(resolveMfConfig({ loss: "sampled-softmax", logitAdjustment: 0.5 }).logitAdjustment, 0.5);
  });
});

/** The simulated users' choice model: its probabilities on hand-computed cases and its sampling frequencies. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChoiceModel, DEFAULT_CHOICE_MODEL } from "../ts/simulation/choice-model.js";
import { Rng } from "../ts/util/rng.js";

const close = (a: number, b: number, what: string, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} != ${b}`);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("ChoiceModel", () => {
  it("examines slot p with probability (1/p)^η", () => {
    const m = new ChoiceModel();
    assert.deepEqual(m.options, DEFAULT_CHOICE_MODEL);
    close(m.examinationProbability(1), 1, "top slot");
    close(m.examinationProbability(2), 0.5, "slot 2, η = 1");
    close(m.examinationProbability(10), 0.1, "slot 10, η = 1");
    close(new ChoiceModel({ positionBias: 2 }).examinationProbability(3), 1 / 9, "slot 3, η = 2");
    close(new ChoiceModel({ positionBias: 0 }).examinationProbability(7), 1, "η = 0: every slot");
    assert.throws(() => m.examinationProbability(0), /slot positions start at 1, got 0/);
  });

  it("accepts with σ(β·(r − τ)): a coin flip at τ", () => {
    const m = new ChoiceModel({ acceptanceSteepness: 10, acceptanceThreshold: 0.6 });
    close(m.acceptanceProbability(0.6), 0.5, "at τ");
    close(m.acceptanceProbability(0.8), sigmoid(2), "r = 0.8");
    close(m.acceptanceProbability(0.8), 0.8807970779778823, "r = 0.8, by hand");
    close(m.acceptanceProbability(0.4), 1 - 0.8807970779778823, "r = 0.4");
    close(new ChoiceModel({ acceptanceSteepness: 0 }).acceptanceProbability(-5), 0.5, "β = 0: relevance plays no part");
  });

  it("accepts each slot with frequency examination × acceptance, independently", () => {
    const m = new ChoiceModel({ positionBias: 1, acceptanceSteepness: 10, acceptanceThreshold: 0.6 });
    const slate = [10, 11, -1, 12];
    const relevance = new Map([
      [10, 0.9],
      [11, 0.6],
      [12, 0.75],
    ]);
    const rng = new Rng(5);
    const n = 40_000;
    const hits = new Map<number, number>([
      [10, 0],
      [11, 0],
      [12, 0],
    ]);
    for (let t = 0; t < n; t++) for (const item of m.choose(slate, (i) => relevance.get(i)!, rng)) hits.set(item, hits.get(item)! + 1);
    const expected = new Map([
      [10, 1 * sigmoid(3)],
      [11, 0.5 * 0.5],
      [12, 0.25 * sigmoid(1.5)],
    ]);
    for (const [item, p] of expected) {
      const sd = Math.sqrt((p * (1 - p)) / n);
      close(hits.get(item)! / n, p, `item ${item}`, 4 * sd);
    }
  });

  it("returns the accepted items in slate order and draws exactly two numbers per filled slot", () => {
    const m = new ChoiceModel({ positionBias: 0, acceptanceSteepness: 1000, acceptanceThreshold: 0.5 });
    const relevance = (i: number) => (i % 2 === 0 ? 1 : 0);
    assert.deepEqual(m.choose([4, 3, -1, 8, 6], relevance, new Rng(1)), [4, 8, 6]);
    const a = new Rng(9),
      b = new Rng(9);
    m.choose([1, -1, 2, -1, 3], relevance, a);
    for (let d = 0; d < 6; d++) b.next();
    assert.equal(a.nextU32(), b.nextU32());
  });

  it("refuses bad options by name", () => {
    assert.throws(() => new ChoiceModel({ positionBias: -1 }), /positionBias must be a number >= 0, got -1/);
    assert.throws(() => new ChoiceModel({ acceptanceSteepness: Number.NaN }), /acceptanceSteepness must be a number >= 0/);
    assert.throws(() => new ChoiceModel({ acceptanceThreshold: Infinity }), /acceptanceThreshold must be a finite number/);
    assert.throws(() => new ChoiceModel({ examine: 1 } as never), /unknown option "examine"/);
  });
});

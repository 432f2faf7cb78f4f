/**
 * Popularity-penalty re-ranking as one more dimension, so that an inner-product index serves it:
 * users get 1, item i gets −β·log(1 + c_i), and user·item = score − β·log(1 + c_i), the score
 * PopularityReranker ranks on. log(1 + c) and the product are rounded to f32 as the re-ranker
 * rounds them, so the engine's order is longtail's up to the rounding of one more addition.
 */
import { ExportError } from "./export-error.js";

/** Checks β: a finite number ≥ 0. */
export function checkRerankStrength(beta: number): number {
  if (!(typeof beta === "number" && Number.isFinite(beta) && beta >= 0)) {
    throw new ExportError(`the re-ranking strength β must be a number ≥ 0 (e.g. 0.05), got ${beta}`);
  }
  return beta;
}

/** The extra item coordinate: −β·log(1 + count), in f32. */
export function itemRerankValue(count: number, beta: number): number {
  return Math.fround(-beta * Math.fround(Math.log1p(count)));
}

/** A copy of an n × d table with one more column, row r's being `extra(r)`. */
export function withExtraColumn(vectors: Float32Array, n: number, d: number, extra: (r: number) => number): Float32Array {
  const out = new Float32Array(n * (d + 1));
  for (let r = 0; r < n; r++) {
    out.set(vectors.subarray(r * d, r * d + d), r * (d + 1));
    out[r * (d + 1) + d] = extra(r);
  }
  return out;
}

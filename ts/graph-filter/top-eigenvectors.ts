import type { WasmF32Array } from "../kernels/wasm-instance.js";
import type { Rng } from "../util/rng.js";
import { choleskyInverseUpper, symmetricEigen } from "./dense-eigen.js";
import type { ItemGraph } from "./item-graph.js";

/** Columns added to the subspace beyond the rank kept: they absorb the slow convergence near the cut. */
export const OVERSAMPLING = 32;

/**
 * The `rank` leading eigenvectors of the item graph P̃ = R̃ᵀR̃ (the right singular vectors of R̃),
 * as an nItems × rank row-major block, by randomised subspace iteration (Halko, Martinsson and
 * Tropp 2011): a Gaussian block of rank + OVERSAMPLING columns, `iterations` products with P̃ (two
 * sparse passes each) and re-orthonormalisations, then Rayleigh-Ritz on the subspace. Every pass
 * over the catalog is a wasm kernel; only the small square matrices are solved in f64 here.
 * Where P̃ has fewer non-zero eigenvalues than the columns asked for, the extra columns are zero.
 */
export function topEigenvectors(graph: ItemGraph, rank: number, iterations: number, rng: Rng): WasmF32Array {
  const { kernels, nItems, nUsers } = graph;
  const e = kernels.wasm;
  const width = Math.min(rank + OVERSAMPLING, nItems, Math.max(nUsers, 1));
  const owned: WasmF32Array[] = [];
  const alloc = (n: number) => {
    const a = e.f32(n);
    owned.push(a);
    return a;
  };
  let result: WasmF32Array | null = null;
  try {
    let q = alloc(nItems * width);
    let spare = alloc(nItems * width);
    const y = alloc(nUsers * width);
    const square = alloc(width * width);
    const view = q.view;
    for (let x = 0; x < view.length; x++) view[x] = rng.normal();
    const orthonormalise = () => {
      // Cholesky QR twice: Q ← Q·R⁻¹ with QᵀQ = RᵀR; the second pass restores what f32 lost.
      for (let pass = 0; pass < 2; pass++) {
        kernels.gemmTN(q, q, square, width, width, nItems);
        square.view.set(choleskyInverseUpper(Float64Array.from(square.view), width));
        kernels.gemmNN(q, square, spare, nItems, width, width);
        [q, spare] = [spare, q];
      }
    };
    orthonormalise();
    for (let it = 0; it < iterations; it++) {
      graph.users(q, width, y);
      graph.items(y, width, spare);
      [q, spare] = [spare, q];
      orthonormalise();
    }
    // Rayleigh-Ritz: QᵀP̃Q = (R̃Q)ᵀ(R̃Q), its eigenvectors rotate Q onto P̃'s.
    graph.users(q, width, y);
    kernels.gemmTN(y, y, square, width, width, nUsers);
    const { vectors } = symmetricEigen(Float64Array.from(square.view), width);
    const kept = Math.min(rank, width);
    const rotation = alloc(width * rank);
    const r = rotation.view;
    for (let i = 0; i < width; i++) for (let j = 0; j < kept; j++) r[i * rank + j] = vectors[i * width + j]!;
    result = e.f32(nItems * rank);
    kernels.gemmNN(q, rotation, result, nItems, rank, width);
    return result;
  } catch (error) {
    result?.free();
    throw error;
  } finally {
    for (const a of owned) a.free();
  }
}

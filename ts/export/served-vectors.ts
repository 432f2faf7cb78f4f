/**
 * The vectors a model ranks with, copied out of wasm memory: what an inner-product engine must hold
 * to serve exactly what longtail serves. Matrix factorisation: its tables after the
 * gradient-perspective projection when it serves with α1/α2 ≠ 0 (logit adjustment, ReSN and IPS
 * changed the tables during training, so their served tables are the trained ones). Two-tower: the
 * item tower's outputs, and the user tower over each training user's history.
 */
import { MatrixFactorization } from "../mf/matrix-factorization.js";
import type { TwoTower } from "../two-tower/two-tower.js";
import { freeAll, type WasmF32Array } from "../kernels/wasm-instance.js";

/** The models whose vectors export: score(u, i) = user vector · item vector. */
export type ExportableModel = MatrixFactorization | TwoTower;

/** Item vectors as served, nItems × dim, row-major. */
export function servedItemVectors(model: ExportableModel): Float32Array {
  if (model instanceof MatrixFactorization) return fromServedTables(model, "items");
  return copyOut(model.itemTable(), model.nItems * model.dim);
}

/** User vectors as served (two-tower: the user tower over the user's training row), nUsers × dim, row-major. */
export function servedUserVectors(model: ExportableModel): Float32Array {
  if (model instanceof MatrixFactorization) return fromServedTables(model, "users");
  return copyOut(model.trainingUserTable(), model.nUsers * model.dim);
}

function fromServedTables(model: MatrixFactorization, side: "users" | "items"): Float32Array {
  const served = model.servedTables();
  try {
    return served[side].view.slice();
  } finally {
    freeAll(served.users, served.items);
  }
}

function copyOut(table: WasmF32Array, length: number): Float32Array {
  try {
    return table.view.slice(0, length);
  } finally {
    table.free();
  }
}

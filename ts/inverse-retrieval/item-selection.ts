import type { IdMap } from "../data/id-map.js";
import { headTailBoundary, type HeadRule } from "../eval/head-tail.js";
import { PopularityRanking } from "../eval/popularity-ranking.js";
import { InverseRetrievalError } from "./errors.js";
import { quoteFound } from "../data/errors.js";

/** Which items get users: the whole catalog, the long tail (the items outside the head), or named items. */
export type ItemSelection = "all" | "tail" | readonly string[];

/**
 * The item indices of a selection, ascending for `all` and `tail`, in the order given for a list.
 * `tail` uses the head/tail boundary of evaluation (ts/eval/head-tail.ts) on `counts`, the
 * training counts the model was trained with. Every named item must be in the model, once.
 */
export function selectItems(selection: ItemSelection, items: IdMap, counts: Int32Array, head: HeadRule): Int32Array {
  const m = items.size;
  if (counts.length !== m) throw new InverseRetrievalError(`${counts.length} item counts for ${m} items`);
  if (selection === "all") return Int32Array.from({ length: m }, (_, i) => i);
  if (selection === "tail") {
    const { isHead } = headTailBoundary(new PopularityRanking(counts), head);
    const tail: number[] = [];
    for (let i = 0; i < m; i++) if (isHead[i] === 0) tail.push(i);
    return Int32Array.from(tail);
  }
  const out = new Int32Array(selection.length);
  const unknown: string[] = [];
  const seen = new Set<number>();
  selection.forEach((id, r) => {
    const index = items.index(id);
    if (index === undefined) return void unknown.push(id);
    if (seen.has(index)) throw new InverseRetrievalError(`item ${quoteFound(id)} is listed twice`);
    seen.add(index);
    out[r] = index;
  });
  if (unknown.length > 0) {
    const shown = unknown
      .slice(0, 5)
      .map((id) => `"${id}"`)
      .join(", ");
    const examples = items
      .ids()
      .slice(0, 3)
      .map((id) => `"${id}"`)
      .join(", ");
    throw new InverseRetrievalError(
      `${unknown.length === 1 ? "item" : `${unknown.length} items`} ${shown}${unknown.length > 5 ? ", ..." : ""} ${unknown.length === 1 ? "is" : "are"} not in the model (it knows ${m} items, e.g. ${examples})`,
    );
  }
  return out;
}

import type { Interactions } from "../interactions.js";
import type { SplitParts } from "./parts.js";

export interface PartSummary {
  readonly interactions: number;
  /** interactions / all interactions of the split. */
  readonly share: number;
  /** Users / items with at least one interaction in this part. */
  readonly users: number;
  readonly items: number;
}

export interface SplitSummary {
  readonly interactions: number;
  readonly parts: { readonly train: PartSummary; readonly valid?: PartSummary; readonly test: PartSummary };
  /** Users with held-out (validation or test) interactions but none in train: a model has no embedding trained for them. */
  readonly usersWithoutTraining: number;
  /** Items with held-out interactions but none in train (cold items: scored from their initial embedding). */
  readonly itemsWithoutTraining: number;
  /** Held-out interactions whose item has no training interaction. */
  readonly heldOutOnItemsWithoutTraining: number;
  /** How evenly the test part spreads over the items it holds: test interactions per item. */
  readonly testPerItem: { readonly min: number; readonly median: number; readonly max: number };
  readonly notes: readonly string[];
}

/** Sizes of each part and what the split leaves without training data, for the CLI and reports. */
export function summarizeSplit(split: SplitParts): SplitSummary {
  const { train, valid, test } = split;
  const total = train.nnz + (valid?.nnz ?? 0) + test.nnz;
  const part = (p: Interactions): PartSummary => ({
    interactions: p.nnz,
    share: total === 0 ? 0 : p.nnz / total,
    users: countPositive(p.userCounts()),
    items: countPositive(p.itemCounts()),
  });
  const trainUsers = train.userCounts();
  const trainItems = train.itemCounts();
  const heldOutUsers = new Uint8Array(train.nUsers);
  const heldOutItems = new Uint8Array(train.nItems);
  let heldOutOnItemsWithoutTraining = 0;
  for (const p of valid === undefined ? [test] : [valid, test]) {
    const users = p.entryUsers();
    const { indices } = p.byUser;
    for (let k = 0; k < indices.length; k++) {
      heldOutUsers[users[k]!] = 1;
      heldOutItems[indices[k]!] = 1;
      if (trainItems[indices[k]!] === 0) heldOutOnItemsWithoutTraining++;
    }
  }
  let usersWithoutTraining = 0;
  for (let u = 0; u < train.nUsers; u++) if (heldOutUsers[u] === 1 && trainUsers[u] === 0) usersWithoutTraining++;
  let itemsWithoutTraining = 0;
  for (let i = 0; i < train.nItems; i++) if (heldOutItems[i] === 1 && trainItems[i] === 0) itemsWithoutTraining++;
  const perItem = test
    .itemCounts()
    .filter((c) => c > 0)
    .sort();
  return {
    interactions: total,
    parts: { train: part(train), ...(valid !== undefined && { valid: part(valid) }), test: part(test) },
    usersWithoutTraining,
    itemsWithoutTraining,
    heldOutOnItemsWithoutTraining,
    testPerItem: {
      min: perItem[0] ?? 0,
      median: perItem.length === 0 ? 0 : perItem[(perItem.length - 1) >> 1]!,
      max: perItem[perItem.length - 1] ?? 0,
    },
    notes: split.notes,
  };
}

/** The summary as a few lines of text: a table of the parts, then what has no training data, then the notes. */
export function formatSplitSummary(summary: SplitSummary): string {
  const rows: string[][] = [["part", "interactions", "share", "users", "items"]];
  for (const [name, p] of Object.entries(summary.parts)) {
    rows.push([name, count(p.interactions), `${(p.share * 100).toFixed(1)}%`, count(p.users), count(p.items)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
  const t = summary.testPerItem;
  lines.push(
    `test interactions per test item: min ${t.min}, median ${t.median}, max ${t.max}`,
    `users with held-out interactions but none in train: ${count(summary.usersWithoutTraining)}`,
    `items with held-out interactions but none in train: ${count(summary.itemsWithoutTraining)}` +
      (summary.itemsWithoutTraining > 0 ? ` (${count(summary.heldOutOnItemsWithoutTraining)} held-out interactions on them)` : ""),
    ...summary.notes,
  );
  return lines.join("\n") + "\n";
}

function countPositive(counts: Int32Array): number {
  let n = 0;
  for (let k = 0; k < counts.length; k++) if (counts[k]! > 0) n++;
  return n;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** Everything a read produced, by external ids: two reads of the same data give equal summaries. */
import type { Interactions } from "../../ts/data/interactions.js";

export function interactionsSummary(data: Interactions): object {
  const rows: Record<string, Array<[string, number?, number?]>> = {};
  for (let u = 0; u < data.nUsers; u++) {
    const row: Array<[string, number?, number?]> = [];
    for (let k = data.byUser.indptr[u]!; k < data.byUser.indptr[u + 1]!; k++) {
      row.push([data.items.id(data.byUser.indices[k]!), data.ratings?.[k], data.timestamps?.[k]]);
    }
    rows[data.users.id(u)] = row;
  }
  return {
    users: [...data.users.ids()],
    items: [...data.items.ids()],
    rows,
    duplicatesDropped: data.duplicatesDropped,
    rowsBelowMinRating: data.rowsBelowMinRating,
  };
}

// Writes examples/data/events.parquet and events.arrow, the warehouse-format examples of
// docs/data-formats.md: examples/data/interactions.csv (the package's synthetic sample) with the
// column names an event export has (visitor_id, product_id, event_time), Parquet in 3 row groups.
// Run after a change to interactions.csv: node scripts/example-events.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { parquetWriteBuffer } from "hyparquet-writer";
import { tableFromArrays, tableToIPC } from "apache-arrow";

const dir = new URL("../examples/data/", import.meta.url);
const [, ...rows] = readFileSync(new URL("interactions.csv", dir), "utf8").trim().split("\n");
const visitor = [],
  product = [],
  time = [];
for (const row of rows) {
  const [user, item, timestamp] = row.split(",");
  visitor.push(user);
  product.push(item);
  time.push(BigInt(timestamp));
}
const parquet = parquetWriteBuffer({
  columnData: [
    { name: "visitor_id", data: visitor, type: "STRING" },
    { name: "product_id", data: product, type: "STRING" },
    { name: "event_time", data: time, type: "INT64" },
  ],
  rowGroupSize: Math.ceil(rows.length / 3),
});
writeFileSync(new URL("events.parquet", dir), new Uint8Array(parquet));
const table = tableFromArrays({ visitor_id: visitor, product_id: product, event_time: BigInt64Array.from(time) });
writeFileSync(new URL("events.arrow", dir), tableToIPC(table, "file"));
console.log(`wrote events.parquet and events.arrow: ${rows.length} interactions`);

// `npm run build:wasm`: every kernel build of asconfig.json (relaxed, simd and scalar, each with its
// own memory and with shared memory for threads), compiled by asc, as many at once as there are cores.
// Plain JavaScript because it runs before `tsc` has built anything.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

const targets = Object.keys(JSON.parse(readFileSync(new URL("../asconfig.json", import.meta.url), "utf8")).targets).filter((t) => t !== "debug");
const asc = new URL("../node_modules/assemblyscript/bin/asc.js", import.meta.url);

function build(target) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [asc.pathname, "assembly/index.ts", "--target", target], { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`asc --target ${target} exited with code ${code}`))));
  });
}

const queue = [...targets];
const workers = Array.from({ length: Math.min(queue.length, availableParallelism()) }, async () => {
  for (let t = queue.shift(); t !== undefined; t = queue.shift()) await build(t);
});
try {
  await Promise.all(workers);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}

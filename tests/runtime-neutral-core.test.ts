import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const TS_ROOT = fileURLToPath(new URL("../../ts/", import.meta.url));
/** Only the Node entry, its helpers and the Node CLI may import Node's modules. */
const NODE_ONLY = [/^node\.ts$/, /^node\//, /^cli\//];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

describe("runtime-neutral core", () => {
  it("imports no Node-only module outside the per-runtime entry files", () => {
    const offenders: string[] = [];
    for (const file of sources(TS_ROOT)) {
      const rel = relative(TS_ROOT, file).split("\\").join("/");
      if (NODE_ONLY.some((re) => re.test(rel))) continue;
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:import|export)[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith("node:") || ["fs", "path", "os", "child_process", "worker_threads", "url"].includes(spec)) offenders.push(`${rel} imports ${spec}`);
        if (spec.includes("/node/") || spec.endsWith("/node.js") || spec.includes("/cli/")) offenders.push(`${rel} imports ${spec}`);
      }
      if (/\bprocess\.|\bBuffer\b|__dirname|require\(/.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ""))) offenders.push(`${rel} uses a Node global`);
    }
    assert.deepEqual(offenders, []);
  });
});

/**
 * The package as a user gets it. `npm pack` of this checkout's build (with --ignore-scripts: no
 * second build after the one `npm test` ran), installed with npm into a fresh folder outside the
 * repository, then a consumer type-checked with `strict` and `skipLibCheck: false` by the repo's
 * own TypeScript, without @webgpu/types or any other devDependency, and run with node: it trains a
 * tiny model on examples/data and prints a recommendation. npm installs the package's dependencies
 * (comlink, hyparquet, hyparquet-writer, apache-arrow and theirs) as a user's install would, from
 * its cache where it can (--prefer-offline) and the registry otherwise.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/** What a user's package needs from the build; without it packing would ship an empty package. */
const BUILT = ["dist/ts/node.js", "dist/bundles/browser/longtail.js", "build/longtail.simd.wasm"];
/** Where every packed file may come from (package.json "files", plus what npm always adds). */
const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICEN[CS]E/i, /^bin\/[^/]+\.js$/, /^build\/[^/]+\.wasm$/, /^dist\/ts\//, /^dist\/bundles\//];

interface PackedFile {
  path: string;
  size: number;
}
interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}

/** A child process with the outer npm's npm_* variables left out, so nested npm calls see only their own folder. */
function run(command: string, args: string[], cwd: string, timeout = 60_000): Promise<{ stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`.trim(), { cause: error }));
      else resolve({ stdout, stderr });
    });
  });
}

/** Every file an export of package.json names (wildcards as patterns), e.g. "dist/ts/node.d.ts". */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports.replace(/^\.\//, "")];
  if (exports && typeof exports === "object") return Object.values(exports).flatMap(exportTargets);
  return [];
}

/** The subpaths of package.json "exports" with types ("." → "longtail", "./core" → "longtail/core"). */
function typedEntries(exports: Record<string, unknown>): string[] {
  const hasTypes = (target: unknown): boolean => !!target && typeof target === "object" && ("types" in target || Object.values(target).some(hasTypes));
  return Object.entries(exports)
    .filter(([subpath, target]) => !subpath.includes("*") && hasTypes(target))
    .map(([subpath]) => (subpath === "." ? "longtail" : `longtail/${subpath.slice(2)}`));
}

const CONSUMER = `import { loadKernels, fileSource, MatrixFactorization, readInteractions, type Recommendation } from "longtail";

const [csv] = process.argv.slice(2);
if (!csv) throw new Error("usage: node consumer.js interactions.csv");
const data = await readInteractions(fileSource(csv), { fileName: "interactions.csv" });
const kernels = await loadKernels();
const model = new MatrixFactorization(kernels, { loss: "softmax", dim: 8, epochs: 3 });
await model.fit(data);
const user: string = data.users.ids()[0];
const top: Recommendation = model.recommend(user, 5);
console.log(JSON.stringify({ user, items: top.items }));
model.dispose();
kernels.dispose();
`;

describe("the npm package", { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "longtail-package-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let pack: PackResult;

  it("packs without building, and holds the build, the types and no source maps or test code", async () => {
    const missing = BUILT.filter((path) => !existsSync(join(ROOT, path)));
    assert.deepEqual(missing, [], `not built: run \`npm run build\` first (npm test does), missing ${missing.join(", ")}`);
    const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT);
    [pack] = JSON.parse(stdout) as PackResult[];
    const paths = pack.files.map((f) => f.path);
    const stale = "(a leftover of an older build? `npm run clean && npm run build`)";
    assert.deepEqual(
      paths.filter((p) => !ALLOWED.some((re) => re.test(p))),
      [],
      'files outside package.json "files"',
    );
    assert.deepEqual(
      paths.filter((p) => p.endsWith(".map")),
      [],
      `source maps in the package ${stale}`,
    );
    assert.deepEqual(
      paths.filter((p) => /(^|\/)(tests?|reference|bench)\//.test(p) || /\.test\.js$/.test(p)),
      [],
      `test code in the package ${stale}`,
    );
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    for (const target of exportTargets(manifest.exports)) {
      const pattern = new RegExp(`^${target.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^]+")}$`);
      assert.ok(
        paths.some((p) => pattern.test(p)),
        `package.json exports ${target}, which is not in the package`,
      );
    }
    for (const variant of ["relaxed", "simd", "scalar"]) {
      for (const suffix of ["", ".threads"]) assert.ok(paths.includes(`build/longtail.${variant}${suffix}.wasm`), `build/longtail.${variant}${suffix}.wasm`);
    }
    assert.ok(paths.includes("dist/ts/index.d.ts") && paths.includes("dist/ts/node.d.ts"), "the .d.ts types");
  });

  it("installs into a fresh folder, type-checks strictly without @webgpu/types, and trains and recommends", async () => {
    assert.ok(pack, "the package was packed");
    const consumer = join(dir, "consumer");
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "longtail-consumer", private: true, type: "module" }));
    await run("npm", ["install", join(dir, pack.filename), "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], consumer);
    assert.ok(!existsSync(join(consumer, "node_modules/@webgpu")), "@webgpu/types is not installed for the consumer");

    const installed = JSON.parse(readFileSync(join(consumer, "node_modules/longtail/package.json"), "utf8")) as { exports: Record<string, unknown> };
    const entries = typedEntries(installed.exports);
    assert.ok(entries.includes("longtail") && entries.includes("longtail/core"), `typed entries: ${entries.join(", ")}`);
    // Every typed entry point, so each published .d.ts reachable from one is checked.
    writeFileSync(
      join(consumer, "all-entries.ts"),
      entries.map((e, i) => `import type * as entry${i} from "${e}";\n`).join("") +
        `export type All = [${entries.map((_, i) => `typeof entry${i}`).join(", ")}];\n`,
    );
    writeFileSync(join(consumer, "consumer.ts"), CONSUMER);
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            lib: ["ES2022", "DOM"],
            // Node's types from this checkout (a Node consumer has @types/node); nothing else is visible.
            types: ["node"],
            typeRoots: [join(ROOT, "node_modules/@types")],
            strict: true,
            skipLibCheck: false,
            outDir: "out",
            rootDir: ".",
          },
          files: ["consumer.ts", "all-entries.ts"],
        },
        null,
        2,
      ),
    );
    await run(process.execPath, [TSC, "-p", "."], consumer).catch((error: Error) => {
      throw new Error(`a strict consumer (skipLibCheck: false) does not compile against the package:\n${error.message}`);
    });

    copyFileSync(join(ROOT, "examples/data/interactions.csv"), join(consumer, "interactions.csv"));
    const { stdout } = await run(process.execPath, ["out/consumer.js", "interactions.csv"], consumer);
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { user: string; items: string[] };
    assert.equal(result.items.length, 5, stdout);
    for (const item of result.items) assert.match(item, /^i\d+$/);

    const help = await run(process.execPath, ["node_modules/longtail/bin/longtail.js", "--help"], consumer);
    assert.match(help.stdout, /^Usage: longtail/m);
  });
});

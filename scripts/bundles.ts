/**
 * The esbuild bundles (npm run build:bundles): browsers (the entry and its Worker script) and
 * Cloudflare Workers, each with the .wasm files beside it. Always an explicit target: without
 * one esbuild may emit syntax the oldest supported runtime lacks.
 *
 * No source maps by default: they are what the package ships, and a map is 0.8-1.1 MB per bundle,
 * four times the bundle. For debugging a bundle, `npm run build:bundles -- --sourcemap` (or
 * LONGTAIL_BUNDLE_SOURCEMAP=1) writes a .js.map beside each one; `npm pack` rebuilds without them
 * (prepack), and package.json "files" leaves every .map out in any case.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import { KERNEL_VARIANTS } from "../ts/kernels/capabilities.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Source maps for the bundles: only when asked (see above). */
const SOURCEMAP = process.argv.includes("--sourcemap") || process.env.LONGTAIL_BUNDLE_SOURCEMAP === "1";
export const BUNDLES_DIR = join(ROOT, "dist/bundles");
/** Browsers with WebAssembly SIMD and module Workers (the relaxed build is chosen at run time where it validates). */
export const BROWSER_TARGET = ["chrome114", "firefox120", "safari16.4", "edge114"];
/** workerd's V8 runs ES2022; Workers need no lower target. */
export const WORKERD_TARGET = ["es2022"];

function wasmFile(variant: string, threads = false): string {
  return join(ROOT, `build/longtail.${variant}${threads ? ".threads" : ""}.wasm`);
}

/** Copy the three kernel builds into a bundle's folder, and their shared-memory (.threads) builds for pages that run a thread pool. */
export function copyWasm(outDir: string, options: { threads: boolean }): void {
  for (const variant of KERNEL_VARIANTS) {
    for (const threads of options.threads ? [false, true] : [false])
      copyFileSync(wasmFile(variant, threads), join(outDir, basename(wasmFile(variant, threads))));
  }
}

/** Keep `import x from ".../longtail.simd.wasm"` as an import of the copy beside the bundle: Workers load it as a compiled module. */
const wasmBesideBundle: Plugin = {
  name: "wasm-beside-bundle",
  setup(b) {
    b.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: `./${basename(args.path)}`, external: true }));
  },
};

/** esbuild options of every browser bundle: the .wasm files and the Worker script sit beside the bundle. */
const BROWSER_BUILD = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: BROWSER_TARGET,
  minify: true,
  sourcemap: SOURCEMAP,
  legalComments: "eof",
  define: { __LONGTAIL_WASM_DIR__: JSON.stringify("./"), __LONGTAIL_WORKER_FILE__: JSON.stringify("./longtail-worker.js") },
  logLevel: "warning",
} as const;

/**
 * One browser script (`entry` → `outDir`/`outFile`). Code behind a dynamic import (the Parquet and
 * Arrow readers, and hyparquet and apache-arrow behind them) becomes chunk files beside it, fetched
 * only when used, so a page that never reads Parquet loads none of it. Chunks sit in the same
 * folder, so `new URL(..., import.meta.url)` means the same in a chunk as in the script.
 */
async function buildBrowserScript(outDir: string, entry: string, outFile: string): Promise<void> {
  await build({
    ...BROWSER_BUILD,
    entryPoints: { [basename(outFile, ".js")]: join(ROOT, entry) },
    outdir: outDir,
    splitting: true,
    chunkNames: "[name]-[hash]",
  });
}

/** A fresh `outDir` holding a page-side script (`entry` → `outFile`), the Worker script longtail-worker.js beside it and the .wasm files. */
async function buildScriptWithWorker(outDir: string, entry: string, outFile: string): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await buildBrowserScript(outDir, entry, outFile);
  await buildBrowserScript(outDir, "dist/ts/worker/web-worker.js", "longtail-worker.js");
  copyWasm(outDir, { threads: true });
}

/** The browser bundle: longtail.js, its Worker script longtail-worker.js and the .wasm files, in `outDir`. */
export async function buildBrowserBundle(outDir = join(BUNDLES_DIR, "browser")): Promise<void> {
  await buildScriptWithWorker(outDir, "dist/ts/browser.js", "longtail.js");
}

/**
 * The demo page of `longtail serve` in `outDir`: index.html and demo.css (web/serve/), the page
 * script demo.js, its own copy of the Worker script and the .wasm files, all served from one folder.
 */
export async function buildServeBundle(outDir = join(BUNDLES_DIR, "serve")): Promise<void> {
  await buildScriptWithWorker(outDir, "dist/ts/web/demo-page.js", "demo.js");
  for (const file of ["index.html", "demo.css"]) copyFileSync(join(ROOT, "web/serve", file), join(outDir, file));
}

/**
 * A Cloudflare Worker bundle of `entry` (default: the workerd entry itself) resolved with the
 * workerd condition, as wrangler does, with the .wasm files beside it as modules.
 */
export async function buildWorkerdBundle(entry = join(ROOT, "dist/ts/workerd.js"), outFile = join(BUNDLES_DIR, "workerd/longtail.js")): Promise<void> {
  mkdirSync(dirname(outFile), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: WORKERD_TARGET,
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: SOURCEMAP,
    // One module (miniflare and the budget bench load exactly one): the Parquet and Arrow readers'
    // libraries stay out, imported only when a file is read (wrangler, bundling from the package,
    // includes them).
    external: ["hyparquet", "apache-arrow"],
    plugins: [wasmBesideBundle],
    logLevel: "warning",
  });
  copyWasm(dirname(outFile), { threads: false });
}

/** Raw and gzip size of a file, in bytes. */
export function fileSizes(path: string): { bytes: number; gzip: number } {
  return { bytes: statSync(path).size, gzip: gzipSync(readFileSync(path), { level: 9 }).length };
}

async function main(): Promise<void> {
  const started = Date.now();
  await buildBrowserBundle();
  rmSync(join(BUNDLES_DIR, "workerd"), { recursive: true, force: true });
  await buildWorkerdBundle();
  await buildServeBundle();
  const files = [
    "browser/longtail.js",
    "browser/longtail-worker.js",
    "serve/demo.js",
    "workerd/longtail.js",
    ...KERNEL_VARIANTS.map((v) => `browser/longtail.${v}.wasm`),
  ];
  console.log(`bundles in ${relative(ROOT, BUNDLES_DIR)}/ (${Date.now() - started} ms)`);
  console.log("| file | bytes | gzip -9 |\n| --- | --- | --- |");
  for (const file of files) {
    const { bytes, gzip } = fileSizes(join(BUNDLES_DIR, file));
    console.log(`| ${file} | ${bytes.toLocaleString("en-US")} | ${gzip.toLocaleString("en-US")} |`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

/**
 * The Deno entry. Deno runs the web platform's code unchanged: kernels fetched from file: (or
 * http:) URLs and compiled streaming (reading the package's .wasm needs `--allow-read`), and the
 * engine in a module Web Worker. So this entry is the browser entry under Deno's own condition,
 * which keeps Deno off the Node entry (Deno matches the "node" condition too).
 */
export * from "./browser.js";

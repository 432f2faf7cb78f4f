/** comlink 4.4.2 ships the Node adapter's types as node-adapter.d.ts, which TypeScript does not match to the .mjs it must be imported as. */
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";
  import type { NodeEndpoint } from "comlink/dist/esm/node-adapter.js";
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}

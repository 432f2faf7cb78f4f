/** A .wasm imported as a module (Cloudflare Workers, bundlers): the compiled WebAssembly.Module. */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

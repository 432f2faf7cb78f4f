// The budget bench's Worker: the README Worker's recommend, repeated `repeat` times in one
// request, so the request's fixed cost (routing, the proxy between Node and workerd) divides out.
import { decodeModelFile, loadKernels, MatrixFactorization } from "longtail";

let modelPromise;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/noop") return new Response("ok");
    modelPromise ??= (async () => {
      const bytes = new Uint8Array(await env.MODELS.get("model.ltm", "arrayBuffer"));
      return MatrixFactorization.fromModelFile(await loadKernels(), decodeModelFile(bytes, "model.ltm"), "model.ltm");
    })();
    const model = await modelPromise;
    const user = url.searchParams.get("user");
    const repeat = Number(url.searchParams.get("repeat") ?? "1");
    let items;
    for (let r = 0; r < repeat; r++) items = model.recommend(user, 10).items;
    return Response.json({ items, variant: model.kernels.wasm.variant, nItems: model.nItems, dim: model.dim });
  },
};

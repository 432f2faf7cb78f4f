// A Cloudflare Worker answering GET /recommend?user=<id>&k=10 from a model stored in KV.
// wrangler.toml:  kv_namespaces = [{ binding = "MODELS", id = "<your namespace id>" }]
// Upload the model once:  npx wrangler kv key put --binding MODELS model.ltm --path model.ltm
import { decodeModelFile, loadKernels, MatrixFactorization, UnknownIdError } from "longtail";

let modelPromise; // one model per isolate, loaded by its first request

async function loadModel(env) {
  const bytes = await env.MODELS.get("model.ltm", "arrayBuffer");
  if (!bytes) throw new Error('the KV namespace MODELS has no key "model.ltm"');
  const kernels = await loadKernels(); // the .wasm is imported as a module: no code generation at run time
  return MatrixFactorization.fromModelFile(kernels, decodeModelFile(new Uint8Array(bytes), "model.ltm"), "model.ltm");
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/recommend") return Response.json({ error: "try GET /recommend?user=<id>" }, { status: 404 });
    const user = url.searchParams.get("user");
    const k = Number(url.searchParams.get("k") ?? "10");
    if (!user) return Response.json({ error: "the query parameter user is missing" }, { status: 400 });
    modelPromise ??= loadModel(env).catch((e) => {
      modelPromise = undefined; // let the next request try again
      throw e;
    });
    const model = await modelPromise;
    try {
      const { items, scores } = model.recommend(user, k);
      return Response.json({ user, items, scores: Array.from(scores) });
    } catch (e) {
      if (e instanceof UnknownIdError || e instanceof RangeError) return Response.json({ error: e.message }, { status: 400 });
      throw e;
    }
  },
};

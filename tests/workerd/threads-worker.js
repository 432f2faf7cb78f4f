// A Worker that reports how its kernels run (tests/threads-runtimes.test.ts): Cloudflare Workers
// have no threads, so the kernels fall back to the request's thread and say why.
import { detectCapabilities, loadKernels } from "longtail";

export default {
  async fetch() {
    const kernels = await loadKernels({ threads: 4 });
    return Response.json({ threads: kernels.threads, sharedMemory: detectCapabilities().sharedMemory });
  },
};

import { Kernels } from "../engine/kernels.js";
import { loadEngine } from "../node.js";

/** The kernels for a CLI run, honouring --kernels. */
export async function cliKernels(variant: string | undefined): Promise<Kernels> {
  const engine = await loadEngine(variant === "relaxed" || variant === "simd" || variant === "scalar" ? { variant } : {});
  return new Kernels(engine);
}

import { Kernels } from "../kernels/kernels.js";
import { loadWasmInstance } from "../node.js";

/** The kernels for a CLI run, honouring --kernels and --threads (absent: every core). */
export async function cliKernels(variant: string | undefined, threads?: number): Promise<Kernels> {
  const engine = await loadWasmInstance({
    ...((variant === "relaxed" || variant === "simd" || variant === "scalar") && { variant }),
    ...(threads !== undefined && { threads }),
  });
  return new Kernels(engine);
}

import { defaultKernels, isKernels } from "../kernels/default-kernels.js";
import type { Kernels } from "../kernels/kernels.js";
import { IdMappedModel } from "./id-mapped-model.js";

/**
 * What the trainable models share beyond their ids: a resolved configuration, and the kernels they
 * compute with, given to the constructor or loaded for the runtime by the first fit(); disposal,
 * also at the end of a `using` block.
 */
export abstract class TrainableModel<Config> extends IdMappedModel {
  readonly config: Config;
  private loadedKernels: Kernels | null;

  protected constructor(kernelsOrConfig: Kernels | Partial<Config>, config: Partial<Config>, resolve: (partial: Partial<Config>) => Config) {
    super();
    const given = isKernels(kernelsOrConfig) ? kernelsOrConfig : null;
    this.loadedKernels = given;
    this.config = resolve(given ? config : (kernelsOrConfig as Partial<Config>));
  }

  /** The kernels this model computes with (loaded by the first fit() when none were given). */
  get kernels(): Kernels {
    if (!this.loadedKernels) throw new Error("this model has no kernels yet: fit() loads them, or pass kernels to the constructor");
    return this.loadedKernels;
  }

  /** The kernels, loading the runtime's default ones on first use. */
  protected async loadKernels(): Promise<Kernels> {
    this.loadedKernels ??= await defaultKernels();
    return this.loadedKernels;
  }

  /** Frees the model's wasm memory. */
  abstract dispose(): void;

  /** Frees the model's wasm memory at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

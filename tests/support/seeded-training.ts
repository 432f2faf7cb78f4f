/** Checks that training is a function of its seed. */
import assert from "node:assert/strict";
import type { Interactions } from "../../ts/data/interactions.js";
import type { Kernels } from "../../ts/kernels/kernels.js";
import { MatrixFactorization } from "../../ts/mf/matrix-factorization.js";
import type { MfConfig } from "../../ts/mf/config.js";

/** Trains with seeds 3, 3 and 4: the first two models must be identical, the third different. */
export async function assertSeedDeterminesModel(kernels: Kernels, train: Interactions, config: Partial<MfConfig>): Promise<void> {
  const tables = async (seed: number) => {
    const m = new MatrixFactorization(kernels, { ...config, seed });
    await m.fit(train);
    const out = [m.userFactors.view.slice(), m.itemFactors.view.slice()];
    m.dispose();
    return out;
  };
  const [a, b, c] = [await tables(3), await tables(3), await tables(4)];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
}

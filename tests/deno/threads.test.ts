/**
 * The kernels' thread pool in Deno (module Web Workers on shared memory), run by
 * tests/runtimes.test.ts with the rest of tests/deno/.
 */
import assert from "node:assert/strict";
import { loadKernels, MatrixFactorization, readInteractions } from "longtail";

const csvPath = new URL("../../examples/data/interactions.csv", import.meta.url).pathname;

async function train(threads: number) {
  const bytes = await Deno.readFile(csvPath);
  const data = await readInteractions(
    (async function* () {
      yield bytes;
    })(),
    { fileName: "interactions.csv" },
  );
  const kernels = await loadKernels({ threads });
  const model = new MatrixFactorization(kernels, { loss: "softmax", dim: 16, epochs: 3, seed: 3 });
  await model.fit(data);
  const tables = { count: kernels.threads.count, users: model.userFactors.view.slice(), items: model.itemFactors.view.slice() };
  model.dispose();
  kernels.dispose();
  return tables;
}

Deno.test("the kernels run on 2 threads in Deno and train the same softmax model as on 1", async () => {
  const [one, two] = [await train(1), await train(2)];
  assert.equal(one.count, 1);
  assert.equal(two.count, 2);
  assert.deepEqual(two.users, one.users);
  assert.deepEqual(two.items, one.items);
});

Deno.test("a script that never disposes its kernels still exits (idle pool threads stop after a second)", async () => {
  const script = `import { loadKernels } from "longtail";
const k = await loadKernels({ threads: 2 });
const a = k.wasm.f32From(new Float32Array(64 * 4096).fill(1));
k.l2NormalizeRows(a, 4096, 64);
console.log(k.threads.count, a.view[0]);`;
  const started = Date.now();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout).trim();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(out, "2 0.125");
  assert.ok(Date.now() - started < 20_000, `exited after ${Date.now() - started} ms`);
});

Deno.test("after an idle second the pool's threads stop, and the next call starts them again", async () => {
  const kernels = await loadKernels({ threads: 2 });
  try {
    const rows = kernels.wasm.f32From(new Float32Array(64 * 8192).fill(2));
    kernels.l2NormalizeRows(rows, 8192, 64);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    rows.view.fill(3);
    kernels.l2NormalizeRows(rows, 8192, 64); // the pool restarts its workers and blocks until they are up
    assert.equal(kernels.threads.count, 2);
    assert.ok(
      rows.view.every((v: number) => v === 0.125),
      "every row normalised after the restart",
    );
    rows.free();
  } finally {
    kernels.dispose();
  }
});

import { createEngine } from "longtail";

const params = new URLSearchParams(location.search);
const users = (params.get("users") ?? "u001,u002,u003").split(",");
const log = (line) => (document.getElementById("log").textContent += `\n${line}`);

// A module Web Worker runs the engine (the page stays responsive); ?thread=in-thread runs it here.
const engine = await createEngine({ thread: params.get("thread") ?? "auto" });
log(`engine: ${engine.mode} (${engine.reason}), kernels: ${engine.variant}`);

// Train a tiny model from a CSV, evaluate it on a 20% holdout of each user's interactions.
const csv = new Uint8Array(await (await fetch("./data/interactions.csv")).arrayBuffer());
const { train, test } = await engine.readInteractions(csv, { fileName: "interactions.csv", testFraction: 0.2, seed: 42 });
let epochs = 0;
const trained = await engine.train(train, { loss: "softmax", dim: 16, epochs: 10 }, {
  onProgress: (p) => p.phase === "epoch" && log(`epoch ${++epochs}: loss ${p.loss.toFixed(3)}`),
});
const { metrics } = await engine.evaluate(trained, train, test, { k: 10 });
log(`Recall@10 on the holdout: ${metrics["recall@10"].toFixed(3)}`);

// Recommend from a saved model: its bytes can come from fetch, IndexedDB or a file input.
const saved = await engine.loadModel(new Uint8Array(await (await fetch("./model.ltm")).arrayBuffer()), "model.ltm");
const lists = await engine.recommendMany(saved, users, 10);
const recommendations = Object.fromEntries(users.map((user, n) => [user, lists[n].items]));
for (const [user, items] of Object.entries(recommendations)) log(`${user}: ${items.join(" ")}`);

window.longtailResult = { mode: engine.mode, variant: engine.variant, epochs, recall: metrics["recall@10"], recommendations };
await engine.close();

// The extension page: the engine runs in a Web Worker started from the page.
import { createEngine } from "./longtail/longtail.js";

const users = (new URLSearchParams(location.search).get("users") ?? "u001,u002,u003").split(",");
const engine = await createEngine();
const bytes = new Uint8Array(await (await fetch(chrome.runtime.getURL("model.ltm"))).arrayBuffer());
const model = await engine.loadModel(bytes, "model.ltm");
const lists = await engine.recommendMany(model, users, 10);
const recommendations = Object.fromEntries(users.map((user, n) => [user, lists[n].items]));
document.getElementById("log").textContent = `${engine.mode}: ${engine.reason}\n` +
  Object.entries(recommendations).map(([user, items]) => `${user}: ${items.join(" ")}`).join("\n");
globalThis.longtailResult = { mode: engine.mode, recommendations };
await engine.close();

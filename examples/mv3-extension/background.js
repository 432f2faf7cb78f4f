// The service worker: it cannot start Workers, so createEngine runs the same API in this thread.
import { createEngine } from "./longtail/longtail.js";

let modelPromise;

async function loadModel() {
  const engine = await createEngine();
  const bytes = new Uint8Array(await (await fetch(chrome.runtime.getURL("model.ltm"))).arrayBuffer());
  return { engine, model: await engine.loadModel(bytes, "model.ltm") };
}

/** Top-10 item ids per user; other parts of the extension ask with chrome.runtime.sendMessage({ recommendFor: [...] }). */
async function recommendFor(users) {
  modelPromise ??= loadModel();
  const { engine, model } = await modelPromise;
  const lists = await engine.recommendMany(model, users, 10);
  return { mode: engine.mode, reason: engine.reason, recommendations: Object.fromEntries(users.map((user, n) => [user, lists[n].items])) };
}

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (!Array.isArray(message?.recommendFor)) return false;
  recommendFor(message.recommendFor).then(sendResponse, (e) => sendResponse({ error: String(e) }));
  return true; // answers asynchronously
});

globalThis.recommendFor = recommendFor;

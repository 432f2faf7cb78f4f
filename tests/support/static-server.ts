/** A static file server on 127.0.0.1 for the browser tests: URL prefixes mapped to folders or files, requests recorded. */
import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".csv": "text/csv",
  ".map": "application/json",
  ".ltm": "application/octet-stream",
};

export interface StaticServer {
  readonly origin: string;
  /** Paths requested so far, in order, with their status. */
  readonly requests: { path: string; status: number; type: string }[];
  close(): Promise<void>;
}

/**
 * `routes`: URL prefix ("/", "/longtail/") → folder, or exact path → file; the longest matching
 * prefix wins. `headers` go on every answer (e.g. COOP/COEP for a cross-origin isolated page).
 */
export async function serveStatic(routes: Record<string, string>, headers: Record<string, string> = {}): Promise<StaticServer> {
  const requests: StaticServer["requests"] = [];
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    const prefix = prefixes.find((p) => (p.endsWith("/") ? path.startsWith(p) : path === p));
    let file: string | undefined;
    if (prefix !== undefined) {
      const rest = normalize(path.slice(prefix.length) || (prefix.endsWith("/") ? "index.html" : ""));
      if (!rest.startsWith("..")) file = prefix.endsWith("/") ? join(routes[prefix], rest) : routes[prefix];
    }
    let ok = false;
    try {
      ok = file !== undefined && statSync(file).isFile();
    } catch {
      ok = false;
    }
    const type = ok ? (TYPES[extname(file!)] ?? "application/octet-stream") : "text/plain";
    requests.push({ path, status: ok ? 200 : 404, type });
    if (!ok) {
      res.writeHead(404, { "content-type": type }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { ...headers, "content-type": type, "cache-control": "no-store" });
    createReadStream(file!).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

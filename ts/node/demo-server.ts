/**
 * The static server behind `longtail serve`: the demo page's files, its configuration and the
 * data, and nothing else. Every computation happens in the browser; the server never trains,
 * recommends or reads a request body. Requests outside the page's folder (`..`, encoded or not)
 * are refused with 403.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".csv": "text/csv; charset=utf-8",
  ".map": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** A data file: a path on disk (a MovieLens folder's file) or text made in memory (the synthetic world). */
export type DataFile = { readonly path: string } | { readonly text: string };

export interface DemoServerOptions {
  /** The page's folder (dist/bundles/serve): index.html, the page script, the worker script, the .wasm builds. */
  readonly pageDir: string;
  /** Served as /data/ratings.csv and /data/movies.csv. */
  readonly ratings: DataFile;
  readonly movies: DataFile;
  /** Served as /demo.json: what the page shows and how it trains. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
}

export interface DemoServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Every answer's headers. COOP same-origin + COEP require-corp make the page cross-origin
 * isolated, the condition browsers set for shared memory: with them the page's engine trains on
 * every core (its kernels' thread pool), without them on one thread. Everything is same-origin, so
 * nothing the page loads needs a Cross-Origin-Resource-Policy of its own.
 */
export const PAGE_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
} as const;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, "content-type": type }).end(body);
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: DataFile, type: string): Promise<void> {
  const headers = { ...PAGE_HEADERS, "content-type": type };
  if ("text" in file) {
    res.writeHead(200, { ...headers, "content-length": Buffer.byteLength(file.text) });
    res.end(req.method === "HEAD" ? undefined : file.text);
    return;
  }
  const size = (await stat(file.path)).size;
  res.writeHead(200, { ...headers, "content-length": size });
  if (req.method === "HEAD") res.end();
  else
    createReadStream(file.path)
      .on("error", (e) => res.destroy(e))
      .pipe(res);
}

/** A file of `dir` for a URL path, or "outside" when the path leaves the folder (`..`, a NUL, a backslash). */
export function pageFile(dir: string, urlPath: string): string | "outside" {
  const root = resolve(dir);
  if (urlPath.includes("\0") || urlPath.includes("\\") || urlPath.split("/").includes("..")) return "outside";
  const file = resolve(root, "." + (urlPath.endsWith("/") ? urlPath + "index.html" : urlPath));
  return file === root || file.startsWith(root + sep) ? file : "outside";
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function handle(options: DemoServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return send(res, 405, "text/plain; charset=utf-8", `method ${req.method} not allowed: this server only serves files`);
  }
  let path: string;
  try {
    // The path as sent, not URL-normalised: a request with `..` in it is refused, not quietly resolved.
    path = decodeURIComponent((req.url ?? "/").split(/[?#]/, 1)[0]!);
  } catch {
    return send(res, 400, "text/plain; charset=utf-8", "bad request: the path is not valid percent-encoding");
  }
  if (path === "/demo.json") return sendFile(req, res, { text: JSON.stringify(options.config) }, CONTENT_TYPES[".json"]!);
  if (path === "/data/ratings.csv") return sendFile(req, res, options.ratings, CONTENT_TYPES[".csv"]!);
  if (path === "/data/movies.csv") return sendFile(req, res, options.movies, CONTENT_TYPES[".csv"]!);
  const file = pageFile(options.pageDir, path);
  if (file === "outside") return send(res, 403, "text/plain; charset=utf-8", `forbidden: ${path} is outside the demo page's folder`);
  if (!(await isFile(file))) return send(res, 404, "text/plain; charset=utf-8", `not found: ${path}`);
  return sendFile(req, res, { path: file }, CONTENT_TYPES[extname(file)] ?? "application/octet-stream");
}

/** Start serving; resolves once listening (the URL has the port actually bound). */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const host = options.host ?? "127.0.0.1";
  const server: Server = createServer((req, res) => {
    handle(options, req, res).catch((e: Error) => {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `server error: ${e.message}`);
      else res.destroy(e);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((e) => (e ? fail(e) : done()));
        server.closeAllConnections();
      }),
  };
}

/** The page's folder inside the package: dist/bundles/serve (npm run build:bundles makes it). */
export function defaultPageDir(): string {
  return fileURLToPath(new URL("../../bundles/serve/", import.meta.url));
}

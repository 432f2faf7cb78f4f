/** `longtail serve` as a child process for the tests: started on a free port, its URL read from stdout. */
import { spawn, type ChildProcess } from "node:child_process";
import { BIN } from "./cli.js";

export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** Ctrl-C; resolves with the exit status. */
  stop(): Promise<number | null>;
}

export async function startServe(...args: string[]): Promise<ServeProcess> {
  return startServeIn(undefined, ...args);
}

/** As startServe, with relative paths in `args` read from `cwd` (default: the test's). */
export async function startServeIn(cwd: string | undefined, ...args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`longtail serve printed no URL within 60 s: ${text}`)), 60_000);
    const look = () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
      if (m) {
        clearTimeout(timer);
        done(m[0]);
      }
    };
    child.stdout!.on("data", look);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`longtail serve exited (${code}) before printing its URL: ${text}`));
    });
  });
  return {
    url,
    child,
    output: () => text,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

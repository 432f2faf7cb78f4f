/** What the benchmark ran on, printed with every result (numbers mean little without it). */
import { readFileSync } from "node:fs";
import os from "node:os";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly logicalCores: number;
  readonly platform: string;
  readonly arch: string;
  /** The JavaScript runtime and its version: "Node 20.20.2", "Deno 2.9.5" (Deno also answers process.versions, as a Node). */
  readonly runtime: string;
  readonly node: string;
  readonly v8: string;
  readonly totalMemoryGiB: number;
  /** 1/5/15-minute load averages when the run started: other work on the machine skews timings. */
  readonly loadAverage: readonly number[];
}

export function describeMachine(): MachineInfo {
  return {
    cpuModel: cpuModel(),
    logicalCores: os.cpus().length,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    runtime: runtimeName(),
    node: process.versions.node,
    v8: process.versions.v8,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function runtimeName(): string {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno ? `Deno ${deno.version.deno}` : `Node ${process.versions.node}`;
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // Not Linux, or /proc is not readable: fall back to what Node reports.
  }
  return os.cpus()[0]?.model ?? "unknown";
}

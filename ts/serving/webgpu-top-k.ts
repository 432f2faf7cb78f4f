/// <reference types="@webgpu/types" />
import { GpuUnavailableError } from "./errors.js";
import { BufferUsage, MapMode } from "./gpu-constants.js";
import { planCatalog, type CatalogLayout, type CatalogWindow } from "./catalog-layout.js";
import { checkServingTables, checkTopKRequest, type ProviderMemory, type ServingTables, type TopKLists, type UserBlockTopK } from "./top-k-provider.js";
import { EXCLUDE_MAX_WORKGROUPS, EXCLUDE_WGSL, EXCLUDE_WORKGROUP } from "./wgsl/exclude.js";
import { listCapacity, threadTopKWgsl, TOP_K_WORKGROUP, type TopKInput } from "./wgsl/thread-top-k.js";
import { SCORE_TILE_ITEMS, SCORE_TILE_USERS, SCORE_TILE_WGSL } from "./wgsl/score-tile.js";
import type { WebGpuDevice } from "./webgpu-handles.js";

export interface WebGpuTopKOptions {
  /** Users per GPU pass (default 256): the score buffer holds blockUsers × windowItems floats. */
  blockUsers?: number;
  /** Items scored per dispatch (default 65,536). */
  windowItems?: number;
  /** Entries one top-k thread scans per pass (default 256; at least 4k): a pass shrinks a user's candidates by this over k. */
  entriesPerThread?: number;
  /** A cap below the device's maxStorageBufferBindingSize (bytes): tests use it to split small catalogs. */
  maxBindingBytes?: number;
}

export const DEFAULT_GPU_BLOCK_USERS = 256;
export const DEFAULT_WINDOW_ITEMS = 65_536;
export const DEFAULT_ENTRIES_PER_THREAD = 256;

const UNIFORM_SLOT = 256;
const CANDIDATE_BYTES = 8;
const MINUS_INFINITY_BITS = 0xff800000;

/** One top-k dispatch: its pipeline and bind group, and threads per user (users go along y). */
interface TopKPass {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  threads: number;
}

/** Everything that depends on k: the candidate buffers, each window's passes and the final merge. */
interface KPlan {
  k: number;
  buffers: GPUBuffer[];
  windowPasses: TopKPass[][];
  finalPasses: TopKPass[];
  result: GPUBuffer;
  readback: GPUBuffer;
  bytes: number;
}

interface SharedBuffers {
  users: GPUBuffer;
  scores: GPUBuffer;
  exclusions: GPUBuffer;
  windowUniforms: GPUBuffer;
  blockUniform: GPUBuffer;
}

/**
 * Top-k on WebGPU. The item table is uploaded once, split across as many storage buffers as the
 * device's binding limit needs ({@link planCatalog}). A block of users is scored window by window
 * with the tiled kernel into one score buffer that never leaves the GPU; the block's training items
 * are overwritten with -Infinity there; thread-level top-k passes reduce the window to k candidates
 * per user, the windows' candidates are merged the same way, and only n × k (score, item) pairs are
 * read back.
 */
export class WebGpuTopK implements UserBlockTopK {
  readonly backend = "webgpu" as const;
  readonly nUsers: number;
  readonly nItems: number;
  private lostReason: string | null = null;
  private disposed = false;
  private plan: KPlan | null = null;
  private readonly topKPipelines = new Map<string, Promise<GPUComputePipeline>>();
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly gpuDevice: GPUDevice,
    private readonly tables: ServingTables,
    readonly layout: CatalogLayout,
    private readonly entriesPerThread: number,
    private readonly pipelines: { score: GPUComputePipeline; exclude: GPUComputePipeline },
    private readonly itemBuffers: GPUBuffer[],
    private readonly shared: SharedBuffers,
    private readonly windowBindGroups: { score: GPUBindGroup; exclude: GPUBindGroup }[],
    private readonly ownsDevice: boolean,
  ) {
    this.nUsers = tables.nUsers;
    this.nItems = tables.nItems;
    gpuDevice.lost.then((info) => {
      this.lostReason = `${info.reason ?? "unknown"}: ${info.message || "no message"}`;
    });
  }

  /** The device the catalog lives on (a GPUDevice). */
  get device(): WebGpuDevice {
    return this.gpuDevice;
  }

  /**
   * Upload the catalog and build the pipelines; any GPU failure is a {@link GpuUnavailableError}.
   * With ownsDevice, dispose() destroys the device too.
   */
  static async create(
    gpuDevice: WebGpuDevice,
    tables: ServingTables,
    options: WebGpuTopKOptions = {},
    ownership: { ownsDevice?: boolean } = {},
  ): Promise<WebGpuTopK> {
    const device = gpuDevice as GPUDevice; // the public type is structural (webgpu-handles.ts)
    checkServingTables(tables);
    const entriesPerThread = options.entriesPerThread ?? DEFAULT_ENTRIES_PER_THREAD;
    if (!Number.isInteger(entriesPerThread) || entriesPerThread < 2) throw new RangeError(`entriesPerThread must be an integer >= 2, got ${entriesPerThread}`);
    const maxExcluded = maxRowLength(tables);
    const limits = device.limits;
    const layout = planCatalog({
      nItems: tables.nItems,
      dim: tables.dim,
      maxExcluded,
      blockUsers: options.blockUsers ?? DEFAULT_GPU_BLOCK_USERS,
      windowItems: options.windowItems ?? DEFAULT_WINDOW_ITEMS,
      maxBindingBytes: Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize, options.maxBindingBytes ?? Infinity),
      maxWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    });
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    let openScopes = 2;
    const popScope = () => {
      openScopes--;
      return device.popErrorScope();
    };
    const created: GPUBuffer[] = [];
    const buffer = (size: number, usage: number, label: string) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
      created.push(b);
      return b;
    };
    try {
      const storage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
      const d = tables.dim;
      const itemBuffers = layout.buffers.map((b, index) => {
        const buf = buffer(b.items * d * 4, storage, `longtail items ${index}`);
        // A slice at a time: a whole multi-GB table in one writeBuffer is more than some implementations take.
        const rowsPerWrite = Math.max(1, Math.floor((64 << 20) / (d * 4)));
        for (let r = 0; r < b.items; r += rowsPerWrite) {
          const rows = Math.min(rowsPerWrite, b.items - r);
          device.queue.writeBuffer(buf, r * d * 4, tables.items as Float32Array<ArrayBuffer>, (b.firstItem + r) * d, rows * d);
        }
        return buf;
      });
      const B = layout.blockUsers;
      const nWindows = Math.max(1, layout.windows.length);
      const shared: SharedBuffers = {
        users: buffer(B * d * 4, storage, "longtail user block"),
        scores: buffer(B * layout.windowItems * 4, BufferUsage.STORAGE | BufferUsage.COPY_SRC, "longtail scores"),
        exclusions: buffer(B * maxExcluded * 2 * 4, storage, "longtail exclusions"),
        windowUniforms: buffer(nWindows * UNIFORM_SLOT, BufferUsage.UNIFORM | BufferUsage.COPY_DST, "longtail windows"),
        blockUniform: buffer(16, BufferUsage.UNIFORM | BufferUsage.COPY_DST, "longtail block"),
      };
      const windowParams = new Uint32Array((nWindows * UNIFORM_SLOT) / 4);
      layout.windows.forEach((w, i) => windowParams.set([d, w.itemRow, w.items, layout.windowItems, w.firstItem], (i * UNIFORM_SLOT) / 4));
      device.queue.writeBuffer(shared.windowUniforms, 0, windowParams);
      const [score, exclude] = await Promise.all([pipeline(device, SCORE_TILE_WGSL, "score"), pipeline(device, EXCLUDE_WGSL, "exclude")]);
      const windowUniform = (i: number) => ({ buffer: shared.windowUniforms, offset: i * UNIFORM_SLOT, size: 32 });
      const blockUniform = { buffer: shared.blockUniform, size: 16 };
      const windowBindGroups = layout.windows.map((w, i) => ({
        score: device.createBindGroup({
          layout: score.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: shared.users } },
            { binding: 1, resource: { buffer: itemBuffers[w.buffer] } },
            { binding: 2, resource: { buffer: shared.scores } },
            { binding: 3, resource: windowUniform(i) },
            { binding: 4, resource: blockUniform },
          ],
        }),
        exclude: device.createBindGroup({
          layout: exclude.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: shared.scores } },
            { binding: 1, resource: { buffer: shared.exclusions } },
            { binding: 2, resource: windowUniform(i) },
            { binding: 3, resource: blockUniform },
          ],
        }),
      }));
      const failure = (await popScope()) ?? (await popScope());
      if (failure)
        throw new GpuUnavailableError(
          `WebGPU could not hold the catalog (${layout.catalogBytes} bytes in ${layout.buffers.length} buffers): ${failure.message}`,
        );
      return new WebGpuTopK(device, tables, layout, entriesPerThread, { score, exclude }, itemBuffers, shared, windowBindGroups, ownership.ownsDevice ?? false);
    } catch (error) {
      for (const b of created) b.destroy();
      // A device the caller keeps must not be left with this setup's error scopes open.
      while (openScopes > 0) await popScope().catch(() => null);
      if (error instanceof GpuUnavailableError) throw error;
      throw new GpuUnavailableError(`WebGPU setup failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Calls run one after another: a block's buffers are shared, so overlapping calls wait their turn. */
  topK(users: Int32Array, k: number): Promise<TopKLists> {
    return this.exclusive(() => this.topKNow(users, k));
  }

  private async topKNow(users: Int32Array, k: number): Promise<TopKLists> {
    checkTopKRequest(users, k, this.nUsers);
    this.requireUsable();
    const n = users.length;
    const kk = Math.min(k, this.nItems);
    const indices = new Int32Array(n * k).fill(-1);
    const scores = new Float32Array(n * k).fill(-Infinity);
    if (kk === 0 || n === 0) return { n, k, indices, scores };
    let plan: KPlan;
    try {
      plan = await this.planFor(kk);
    } catch (error) {
      if (error instanceof RangeError) throw new GpuUnavailableError(error.message, { cause: error });
      throw error;
    }
    const B = this.layout.blockUsers;
    for (let start = 0; start < n; start += B) {
      const block = users.subarray(start, Math.min(n, start + B));
      const result = await this.runBlock(block, plan);
      for (let r = 0; r < block.length; r++) {
        indices.set(result.indices.subarray(r * kk, r * kk + kk), (start + r) * k);
        scores.set(result.scores.subarray(r * kk, r * kk + kk), (start + r) * k);
      }
    }
    return { n, k, indices, scores };
  }

  /**
   * Every score of a block of users (n × nItems, row-major, exclusions not applied), read back
   * window by window: for tests and diagnostics on small catalogs (it transfers what
   * {@link topK} exists to avoid).
   */
  scores(users: Int32Array): Promise<Float32Array> {
    return this.exclusive(() => this.scoresNow(users));
  }

  private async scoresNow(users: Int32Array): Promise<Float32Array> {
    checkTopKRequest(users, 1, this.nUsers);
    this.requireUsable();
    const n = users.length,
      m = this.nItems,
      W = this.layout.windowItems;
    const out = new Float32Array(n * m);
    const B = this.layout.blockUsers;
    for (let start = 0; start < n; start += B) {
      const block = users.subarray(start, Math.min(n, start + B));
      this.uploadBlock(block, false);
      for (const [i, w] of this.layout.windows.entries()) {
        const bytes = block.length * W * 4;
        const readback = this.gpuDevice.createBuffer({ size: Math.max(16, bytes), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
        try {
          const encoder = this.gpuDevice.createCommandEncoder();
          const pass = encoder.beginComputePass();
          this.encodeScore(pass, i, w, block.length);
          pass.end();
          encoder.copyBufferToBuffer(this.shared.scores, 0, readback, 0, bytes);
          const data = new Float32Array(await this.submitAndRead(encoder, readback, bytes));
          for (let r = 0; r < block.length; r++) out.set(data.subarray(r * W, r * W + w.items), (start + r) * m + w.firstItem);
        } finally {
          readback.destroy();
        }
      }
    }
    return out;
  }

  memory(): ProviderMemory {
    const l = this.layout;
    const working = Object.values(this.shared).reduce((s, b) => s + b.size, 0) + (this.plan?.bytes ?? 0);
    return {
      backend: "webgpu",
      catalogBytes: l.catalogBytes,
      catalogBuffers: l.buffers.length,
      itemsPerBuffer: l.itemsPerBuffer,
      workingBytes: working,
      totalBytes: l.catalogBytes + working,
    };
  }

  /** True once the device is lost (destroyed, reset, or the GPU went away): every later call throws. */
  get lost(): boolean {
    return this.lostReason !== null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releasePlan();
    for (const b of [...this.itemBuffers, ...Object.values(this.shared)]) b.destroy();
    if (this.ownsDevice) this.gpuDevice.destroy();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private requireUsable(): void {
    if (this.disposed) throw new Error("this WebGPU top-k provider was disposed");
    if (this.lostReason !== null) throw new GpuUnavailableError(`the WebGPU device was lost (${this.lostReason})`);
  }

  private async runBlock(block: Int32Array, plan: KPlan): Promise<{ indices: Int32Array; scores: Float32Array }> {
    const n = block.length;
    const pairs = this.uploadBlock(block, true);
    this.gpuDevice.pushErrorScope("validation");
    const encoder = this.gpuDevice.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const [i, w] of this.layout.windows.entries()) {
      this.encodeScore(pass, i, w, n);
      if (pairs > 0) {
        pass.setPipeline(this.pipelines.exclude);
        pass.setBindGroup(0, this.windowBindGroups[i].exclude);
        pass.dispatchWorkgroups(Math.min(EXCLUDE_MAX_WORKGROUPS, Math.ceil(pairs / EXCLUDE_WORKGROUP)));
      }
      this.encodeTopK(pass, plan.windowPasses[i], n);
    }
    this.encodeTopK(pass, plan.finalPasses, n);
    pass.end();
    const bytes = n * plan.k * CANDIDATE_BYTES;
    encoder.copyBufferToBuffer(plan.result, 0, plan.readback, 0, bytes);
    const read = this.submitAndRead(encoder, plan.readback, bytes);
    const error = await this.gpuDevice.popErrorScope().catch((e: Error) => ({ message: e.message }));
    const data = await read;
    if (error) throw new GpuUnavailableError(`a WebGPU error stopped the top-k: ${error.message}`);
    return deinterleave(data);
  }

  /** The block's user rows and size, and (withExclusions) its (row, item) pairs to leave out; returns the pair count. */
  private uploadBlock(block: Int32Array, withExclusions: boolean): number {
    const d = this.tables.dim,
      n = block.length;
    const rows = new Float32Array(n * d);
    for (let r = 0; r < n; r++) rows.set(this.tables.users.subarray(block[r] * d, block[r] * d + d), r * d);
    const q = this.gpuDevice.queue;
    q.writeBuffer(this.shared.users, 0, rows);
    const ex = withExclusions ? this.tables.exclude : null;
    let pairs = 0;
    if (ex) {
      const list: number[] = [];
      for (let r = 0; r < n; r++) {
        for (let t = ex.indptr[block[r]]; t < ex.indptr[block[r] + 1]; t++) list.push(r, ex.indices[t]);
      }
      pairs = list.length / 2;
      if (pairs > 0) q.writeBuffer(this.shared.exclusions, 0, Int32Array.from(list));
    }
    q.writeBuffer(this.shared.blockUniform, 0, new Uint32Array([n, pairs, MINUS_INFINITY_BITS, 0]));
    return pairs;
  }

  private encodeScore(pass: GPUComputePassEncoder, index: number, w: CatalogWindow, n: number): void {
    pass.setPipeline(this.pipelines.score);
    pass.setBindGroup(0, this.windowBindGroups[index].score);
    pass.dispatchWorkgroups(Math.ceil(w.items / SCORE_TILE_ITEMS), Math.ceil(n / SCORE_TILE_USERS));
  }

  private encodeTopK(pass: GPUComputePassEncoder, passes: TopKPass[], n: number): void {
    for (const p of passes) {
      pass.setPipeline(p.pipeline);
      pass.setBindGroup(0, p.bindGroup);
      pass.dispatchWorkgroups(Math.ceil(p.threads / TOP_K_WORKGROUP), n);
    }
  }

  private async submitAndRead(encoder: GPUCommandEncoder, readback: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.gpuDevice.queue.submit([encoder.finish()]);
    try {
      await readback.mapAsync(MapMode.READ, 0, bytes);
    } catch (error) {
      // A lost device rejects the mapping; its lost promise may settle a moment later.
      await Promise.race([this.gpuDevice.lost, new Promise((resolve) => setTimeout(resolve, 100))]);
      await Promise.resolve();
      throw new GpuUnavailableError(
        `reading results back from WebGPU failed${this.lostReason ? `: the device was lost (${this.lostReason})` : ""}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const copy = readback.getMappedRange(0, bytes).slice(0);
    readback.unmap();
    return copy;
  }

  private topKPipeline(capacity: number, input: TopKInput): Promise<GPUComputePipeline> {
    const key = `${input}/${capacity}`;
    let p = this.topKPipelines.get(key);
    if (!p) {
      p = pipeline(this.gpuDevice, threadTopKWgsl(capacity, input), "top_k");
      this.topKPipelines.set(key, p);
    }
    return p;
  }

  /**
   * The passes for one k. A pass over `count` entries per user runs T = ceil(count / E) threads
   * per user (E = entriesPerThread, at least 4k) and leaves T × k candidates; passes repeat,
   * ping-pong between two buffers, until one thread is left, whose k land in the window's slot of
   * `best`; the windows' k-lists are merged the same way into `result`.
   */
  private async planFor(k: number): Promise<KPlan> {
    if (this.plan?.k === k) return this.plan;
    this.releasePlan();
    const capacity = listCapacity(k);
    const [fromScores, fromCandidates] = await Promise.all([this.topKPipeline(capacity, "scores"), this.topKPipeline(capacity, "candidates")]);
    const device = this.gpuDevice,
      B = this.layout.blockUsers;
    const E = Math.max(this.entriesPerThread, 4 * k);
    const nWindows = this.layout.windows.length;
    const threadsFor = (count: number) => Math.max(1, Math.ceil(count / E));
    const candidateStride = Math.max(threadsFor(this.layout.windowItems) * k, threadsFor(nWindows * k) * k);
    const storage = BufferUsage.STORAGE | BufferUsage.COPY_SRC;
    const make = (size: number, usage: number, label: string) => device.createBuffer({ size: Math.max(16, size), usage, label });
    const ping = make(B * candidateStride * CANDIDATE_BYTES, storage, "longtail candidates A");
    const pong = make(B * candidateStride * CANDIDATE_BYTES, storage, "longtail candidates B");
    const best = make(B * nWindows * k * CANDIDATE_BYTES, storage, "longtail window best");
    const result = make(B * k * CANDIDATE_BYTES, storage, "longtail top-k");
    const readback = make(B * k * CANDIDATE_BYTES, BufferUsage.MAP_READ | BufferUsage.COPY_DST, "longtail read-back");

    type Source = { buffer: GPUBuffer | null; count: number; stride: number; itemBase: number };
    const params: number[][] = [];
    const specs: { source: GPUBuffer | null; target: GPUBuffer; param: number; threads: number }[] = [];
    /** Passes from `source` down to k per user at target[offset .. offset + k) in rows of targetStride. */
    const reduce = (source: Source, target: GPUBuffer, offset: number, targetStride: number): number[] => {
      const made: number[] = [];
      let src = source;
      for (;;) {
        const threads = threadsFor(src.count);
        const last = threads === 1;
        const dst = last ? target : src.buffer === ping ? pong : ping;
        params.push([src.count, src.stride, src.itemBase, threads, last ? targetStride : candidateStride, last ? offset : 0, k]);
        specs.push({ source: src.buffer, target: dst, param: params.length - 1, threads });
        made.push(specs.length - 1);
        if (last) return made;
        src = { buffer: dst, count: threads * k, stride: candidateStride, itemBase: 0 };
      }
    };
    const windowSpecs = this.layout.windows.map((w, i) =>
      reduce({ buffer: null, count: w.items, stride: this.layout.windowItems, itemBase: w.firstItem }, best, i * k, nWindows * k),
    );
    const finalSpecs = reduce({ buffer: best, count: nWindows * k, stride: nWindows * k, itemBase: 0 }, result, 0, k);

    const uniforms = make(params.length * UNIFORM_SLOT, BufferUsage.UNIFORM | BufferUsage.COPY_DST, "longtail top-k passes");
    const data = new Uint32Array((params.length * UNIFORM_SLOT) / 4);
    params.forEach((p, i) => data.set(p, (i * UNIFORM_SLOT) / 4));
    device.queue.writeBuffer(uniforms, 0, data);
    const toPass = (index: number): TopKPass => {
      const s = specs[index];
      const pipeline = s.source === null ? fromScores : fromCandidates;
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: uniforms, offset: s.param * UNIFORM_SLOT, size: 32 } },
          { binding: 1, resource: { buffer: s.target } },
          { binding: 2, resource: { buffer: s.source ?? this.shared.scores } },
        ],
      });
      return { pipeline, bindGroup, threads: s.threads };
    };
    const buffers = [ping, pong, best, result, readback, uniforms];
    this.plan = {
      k,
      buffers,
      result,
      readback,
      windowPasses: windowSpecs.map((list) => list.map(toPass)),
      finalPasses: finalSpecs.map(toPass),
      bytes: buffers.reduce((s, b) => s + b.size, 0),
    };
    return this.plan;
  }

  private releasePlan(): void {
    for (const b of this.plan?.buffers ?? []) b.destroy();
    this.plan = null;
  }
}

/** A compute pipeline; a WGSL the implementation rejects is an error that quotes its compiler's messages. */
async function pipeline(device: GPUDevice, code: string, entryPoint: string): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ code, label: `longtail ${entryPoint}` });
  try {
    return await device.createComputePipelineAsync({ layout: "auto", compute: { module, entryPoint } });
  } catch (error) {
    const info = await module.getCompilationInfo().catch(() => null);
    const messages = info?.messages.map((m) => `${m.type} at line ${m.lineNum}: ${m.message}`).join("; ");
    throw new GpuUnavailableError(`WebGPU rejected the ${entryPoint} kernel: ${messages || (error as Error).message}`, { cause: error });
  }
}

/** Interleaved (score f32, item i32) pairs as two arrays; item -1 marks an empty slot (score -Infinity). */
function deinterleave(pairs: ArrayBuffer): { indices: Int32Array; scores: Float32Array } {
  const all = new Float32Array(pairs),
    items = new Int32Array(pairs);
  const n = all.length / 2;
  const indices = new Int32Array(n),
    scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    indices[i] = items[2 * i + 1];
    scores[i] = indices[i] < 0 ? -Infinity : all[2 * i];
  }
  return { indices, scores };
}

function maxRowLength(tables: ServingTables): number {
  const ex = tables.exclude;
  if (!ex) return 0;
  let max = 0;
  for (let u = 0; u < tables.nUsers; u++) max = Math.max(max, ex.indptr[u + 1] - ex.indptr[u]);
  return max;
}

/// <reference types="@webgpu/types" />
import { GpuUnavailableError } from "./errors.js";
import { BufferUsage, MapMode } from "./gpu-constants.js";
import { CatalogLayout, planCatalog, type CatalogWindow } from "./catalog-layout.js";
import { checkServingTables, checkTopKRequest, type ProviderMemory, type ServingTables, type TopKLists, type UserBlockTopK } from "./top-k-provider.js";
import { chunkTopKWgsl, type TopKInput } from "./wgsl/chunk-top-k.js";
import { SCORE_TILE_ITEMS, SCORE_TILE_USERS, SCORE_TILE_WGSL } from "./wgsl/score-tile.js";

export interface WebGpuTopKOptions {
  /** Users per GPU pass (default 256): the score buffer holds blockUsers × windowItems floats. */
  blockUsers?: number;
  /** Items scored per dispatch (default 65,536). */
  windowItems?: number;
  /** Entries one workgroup sorts for its partial top-k (a power of two, default 1024; k may be at most half of it). */
  topKChunk?: number;
  /** A cap below the device's maxStorageBufferBindingSize (bytes): tests use it to split small catalogs. */
  maxBindingBytes?: number;
}

export const DEFAULT_GPU_BLOCK_USERS = 256;
export const DEFAULT_WINDOW_ITEMS = 65_536;
export const DEFAULT_TOP_K_CHUNK = 1024;

const UNIFORM_SLOT = 256;
const CANDIDATE_BYTES = 8;

/** One dispatch of a top-k pass: which pipeline, its bind group, and its workgroups along x (users along y). */
interface TopKPass {
  input: TopKInput;
  bindGroup: GPUBindGroup;
  chunks: number;
}

/** Everything that depends on k: candidate buffers, the passes of every window and the final merge. */
interface KPlan {
  k: number;
  buffers: GPUBuffer[];
  uniforms: GPUBuffer;
  windowPasses: TopKPass[][];
  finalPasses: TopKPass[];
  result: GPUBuffer;
  readback: GPUBuffer;
  bytes: number;
}

/**
 * Top-k on WebGPU. The item table is uploaded once, split across as many storage buffers as the
 * device's binding limit needs ({@link planCatalog}). A block of users is scored window by window
 * with the tiled kernel into one score buffer that never leaves the GPU; each window is reduced to
 * k candidates per user by chunked top-k passes (training items excluded there), the windows'
 * candidates are merged the same way, and only n × k (score, item) pairs are read back.
 */
export class WebGpuTopK implements UserBlockTopK {
  readonly backend = "webgpu" as const;
  readonly nUsers: number;
  readonly nItems: number;
  private lostReason: string | null = null;
  private disposed = false;
  private plan: KPlan | null = null;
  private readonly maxExcluded: number;

  private constructor(
    readonly device: GPUDevice,
    private readonly tables: ServingTables,
    readonly layout: CatalogLayout,
    private readonly chunk: number,
    private readonly pipelines: { score: GPUComputePipeline; scores: GPUComputePipeline; candidates: GPUComputePipeline },
    private readonly itemBuffers: GPUBuffer[],
    private readonly shared: { users: GPUBuffer; scores: GPUBuffer; exclusions: GPUBuffer; windowUniforms: GPUBuffer; blockUniform: GPUBuffer },
    private readonly scoreBindGroups: GPUBindGroup[],
    maxExcluded: number,
    private readonly ownsDevice: boolean,
  ) {
    this.nUsers = tables.nUsers;
    this.nItems = tables.nItems;
    this.maxExcluded = maxExcluded;
    device.lost.then((info) => {
      this.lostReason = `${info.reason ?? "unknown"}: ${info.message || "no message"}`;
    });
  }

  /**
   * Upload the catalog and build the pipelines; any GPU failure is a {@link GpuUnavailableError}.
   * With ownsDevice, dispose() destroys the device too.
   */
  static async create(device: GPUDevice, tables: ServingTables, options: WebGpuTopKOptions = {}, ownership: { ownsDevice?: boolean } = {}): Promise<WebGpuTopK> {
    checkServingTables(tables);
    const chunk = options.topKChunk ?? DEFAULT_TOP_K_CHUNK;
    const maxExcluded = maxRowLength(tables);
    const limits = device.limits;
    const layout = planCatalog({
      nItems: tables.nItems, dim: tables.dim, maxExcluded,
      blockUsers: options.blockUsers ?? DEFAULT_GPU_BLOCK_USERS,
      windowItems: options.windowItems ?? DEFAULT_WINDOW_ITEMS,
      maxBindingBytes: Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize, options.maxBindingBytes ?? Infinity),
      maxWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    });
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    const created: GPUBuffer[] = [];
    const buffer = (size: number, usage: number, label: string) => {
      const b = device.createBuffer({ size: Math.max(16, align(size, 4)), usage, label });
      created.push(b);
      return b;
    };
    try {
      const storage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
      const d = tables.dim;
      const itemBuffers = layout.buffers.map((b, index) => {
        const buf = buffer(b.items * d * 4, storage, `longtail items ${index}`);
        // Uploaded a slice at a time: a whole multi-GB table in one writeBuffer is more than some implementations take.
        const rowsPerWrite = Math.max(1, Math.floor((64 << 20) / (d * 4)));
        for (let r = 0; r < b.items; r += rowsPerWrite) {
          const rows = Math.min(rowsPerWrite, b.items - r);
          const from = (b.firstItem + r) * d;
          device.queue.writeBuffer(buf, r * d * 4, tables.items as Float32Array<ArrayBuffer>, from, rows * d);
        }
        return buf;
      });
      const B = layout.blockUsers;
      const shared = {
        users: buffer(B * d * 4, storage, "longtail user block"),
        scores: buffer(B * layout.windowItems * 4, BufferUsage.STORAGE | BufferUsage.COPY_SRC, "longtail scores"),
        exclusions: buffer((B + 1 + B * maxExcluded) * 4, storage, "longtail exclusions"),
        windowUniforms: buffer(Math.max(1, layout.windows.length) * UNIFORM_SLOT, BufferUsage.UNIFORM | BufferUsage.COPY_DST, "longtail windows"),
        blockUniform: buffer(16, BufferUsage.UNIFORM | BufferUsage.COPY_DST, "longtail block"),
      };
      const windowParams = new Uint32Array((Math.max(1, layout.windows.length) * UNIFORM_SLOT) / 4);
      layout.windows.forEach((w, i) => windowParams.set([d, w.itemRow, w.items, layout.windowItems], (i * UNIFORM_SLOT) / 4));
      device.queue.writeBuffer(shared.windowUniforms, 0, windowParams);
      const [score, scores, candidates] = await Promise.all([
        pipeline(device, SCORE_TILE_WGSL, "score"),
        pipeline(device, chunkTopKWgsl(chunk, "scores"), "top_k_of_scores"),
        pipeline(device, chunkTopKWgsl(chunk, "candidates"), "top_k_of_candidates"),
      ]);
      const scoreBindGroups = layout.windows.map((w, i) => device.createBindGroup({
        layout: score.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: shared.users } },
          { binding: 1, resource: { buffer: itemBuffers[w.buffer] } },
          { binding: 2, resource: { buffer: shared.scores } },
          { binding: 3, resource: { buffer: shared.windowUniforms, offset: i * UNIFORM_SLOT, size: 16 } },
          { binding: 4, resource: { buffer: shared.blockUniform, size: 16 } },
        ],
      }));
      const failure = (await device.popErrorScope()) ?? (await device.popErrorScope());
      if (failure) throw new GpuUnavailableError(`WebGPU could not hold the catalog (${layout.catalogBytes} bytes in ${layout.buffers.length} buffers): ${failure.message}`);
      return new WebGpuTopK(device, tables, layout, chunk, { score, scores, candidates }, itemBuffers, shared, scoreBindGroups, maxExcluded, ownership.ownsDevice ?? false);
    } catch (error) {
      for (const b of created) b.destroy();
      if (error instanceof GpuUnavailableError) throw error;
      throw new GpuUnavailableError(`WebGPU setup failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async topK(users: Int32Array, k: number): Promise<TopKLists> {
    checkTopKRequest(users, k, this.nUsers);
    this.requireUsable();
    const n = users.length;
    const kk = Math.min(k, this.nItems);
    const indices = new Int32Array(n * k).fill(-1);
    const scores = new Float32Array(n * k).fill(-Infinity);
    if (kk === 0 || n === 0) return { n, k, indices, scores };
    if (kk > this.chunk / 2) {
      throw new GpuUnavailableError(`the WebGPU top-k takes k up to ${this.chunk / 2} (half its chunk of ${this.chunk}), got k = ${k}`);
    }
    const plan = this.planFor(kk);
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
   * Every score of a block of users (n × nItems, row-major), read back window by window: for tests
   * and diagnostics on small catalogs (it transfers what {@link topK} exists to avoid).
   */
  async scores(users: Int32Array): Promise<Float32Array> {
    checkTopKRequest(users, 1, this.nUsers);
    this.requireUsable();
    const n = users.length, m = this.nItems, W = this.layout.windowItems;
    const out = new Float32Array(n * m);
    const B = this.layout.blockUsers;
    for (let start = 0; start < n; start += B) {
      const block = users.subarray(start, Math.min(n, start + B));
      this.uploadBlock(block);
      for (const [i, w] of this.layout.windows.entries()) {
        const bytes = block.length * W * 4;
        const readback = this.device.createBuffer({ size: Math.max(16, bytes), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
        try {
          const encoder = this.device.createCommandEncoder();
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
    const shared = Object.values(this.shared).reduce((s, b) => s + b.size, 0);
    const working = shared + (this.plan?.bytes ?? 0);
    return {
      backend: "webgpu", catalogBytes: l.catalogBytes, catalogBuffers: l.buffers.length, itemsPerBuffer: l.itemsPerBuffer,
      workingBytes: working, totalBytes: l.catalogBytes + working,
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
    if (this.ownsDevice) this.device.destroy();
  }

  private requireUsable(): void {
    if (this.disposed) throw new Error("this WebGPU top-k provider was disposed");
    if (this.lostReason !== null) throw new GpuUnavailableError(`the WebGPU device was lost (${this.lostReason})`);
  }

  private async runBlock(block: Int32Array, plan: KPlan): Promise<{ indices: Int32Array; scores: Float32Array }> {
    const n = block.length;
    this.uploadBlock(block);
    this.device.pushErrorScope("validation");
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const [i, w] of this.layout.windows.entries()) {
      this.encodeScore(pass, i, w, n);
      this.encodeTopK(pass, plan.windowPasses[i], n);
    }
    this.encodeTopK(pass, plan.finalPasses, n);
    pass.end();
    const bytes = n * plan.k * CANDIDATE_BYTES;
    encoder.copyBufferToBuffer(plan.result, 0, plan.readback, 0, bytes);
    const read = this.submitAndRead(encoder, plan.readback, bytes);
    const error = await this.device.popErrorScope().catch((e: Error) => ({ message: e.message }));
    const data = await read;
    if (error) throw new GpuUnavailableError(`a WebGPU error stopped the top-k: ${error.message}`);
    return deinterleave(data);
  }

  /** The block's user rows, its size, and its exclusions (offsets n + 1 long at the front, absolute). */
  private uploadBlock(block: Int32Array): void {
    const d = this.tables.dim, n = block.length;
    const rows = new Float32Array(n * d);
    for (let r = 0; r < n; r++) rows.set(this.tables.users.subarray(block[r] * d, block[r] * d + d), r * d);
    const q = this.device.queue;
    q.writeBuffer(this.shared.users, 0, rows);
    q.writeBuffer(this.shared.blockUniform, 0, new Uint32Array([n, 0, 0, 0]));
    const ex = this.tables.exclude;
    const list = new Int32Array(n + 1 + n * this.maxExcluded);
    let e = n + 1;
    for (let r = 0; r < n; r++) {
      list[r] = e;
      if (ex) {
        const row = ex.indices.subarray(ex.indptr[block[r]], ex.indptr[block[r] + 1]);
        list.set(row, e);
        e += row.length;
      }
    }
    list[n] = e;
    q.writeBuffer(this.shared.exclusions, 0, list, 0, e);
  }

  private encodeScore(pass: GPUComputePassEncoder, index: number, w: CatalogWindow, n: number): void {
    pass.setPipeline(this.pipelines.score);
    pass.setBindGroup(0, this.scoreBindGroups[index]);
    pass.dispatchWorkgroups(Math.ceil(w.items / SCORE_TILE_ITEMS), Math.ceil(n / SCORE_TILE_USERS));
  }

  private encodeTopK(pass: GPUComputePassEncoder, passes: TopKPass[], n: number): void {
    for (const p of passes) {
      pass.setPipeline(p.input === "scores" ? this.pipelines.scores : this.pipelines.candidates);
      pass.setBindGroup(0, p.bindGroup);
      pass.dispatchWorkgroups(p.chunks, n);
    }
  }

  private async submitAndRead(encoder: GPUCommandEncoder, readback: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.device.queue.submit([encoder.finish()]);
    try {
      await readback.mapAsync(MapMode.READ, 0, bytes);
    } catch (error) {
      // A lost device rejects the mapping; its lost promise may settle a moment later.
      await new Promise((resolve) => setTimeout(resolve, 0));
      throw new GpuUnavailableError(`reading results back from WebGPU failed${this.lostReason ? `: the device was lost (${this.lostReason})` : ""}: ${(error as Error).message}`, { cause: error });
    }
    const copy = readback.getMappedRange(0, bytes).slice(0);
    readback.unmap();
    return copy;
  }

  /**
   * The passes for one k. Each window's scores go through top_k_of_scores into chunks × k
   * candidates per user, then top_k_of_candidates passes (ping-pong between two buffers) until one
   * chunk is left, whose k best land in the window's slot of `best`; the windows' k-lists are merged
   * the same way into `result`.
   */
  private planFor(k: number): KPlan {
    if (this.plan?.k === k) return this.plan;
    this.releasePlan();
    const device = this.device, S = this.chunk, B = this.layout.blockUsers;
    const nWindows = this.layout.windows.length;
    const windowChunks = Math.ceil(this.layout.windowItems / S);
    const candidateStride = Math.max(windowChunks * k, Math.ceil((nWindows * k) / S) * k, 1);
    const storage = BufferUsage.STORAGE | BufferUsage.COPY_SRC;
    const make = (size: number, usage: number, label: string) => device.createBuffer({ size: Math.max(16, size), usage, label });
    const ping = make(B * candidateStride * CANDIDATE_BYTES, storage, "longtail candidates A");
    const pong = make(B * candidateStride * CANDIDATE_BYTES, storage, "longtail candidates B");
    const best = make(B * nWindows * k * CANDIDATE_BYTES, storage, "longtail window best");
    const result = make(B * k * CANDIDATE_BYTES, storage, "longtail top-k");
    const readback = make(B * k * CANDIDATE_BYTES, BufferUsage.MAP_READ | BufferUsage.COPY_DST, "longtail read-back");

    type Source = { buffer: GPUBuffer | null; count: number; stride: number; itemBase: number };
    const params: number[][] = [];
    const specs: { input: TopKInput; source: GPUBuffer | null; target: GPUBuffer; param: number; chunks: number }[] = [];
    /** Passes from `source` down to k per user at target[offset .. offset + k) (rows of targetStride). */
    const reduce = (source: Source, target: GPUBuffer, offset: number, targetStride: number): number[] => {
      const made: number[] = [];
      let src = source;
      let spare = [ping, pong];
      for (;;) {
        const chunks = Math.ceil(src.count / S);
        const last = chunks === 1;
        const dst = last ? target : spare[0];
        params.push([src.count, src.stride, src.itemBase, last ? targetStride : candidateStride, last ? offset : 0, k]);
        specs.push({ input: src.buffer === null ? "scores" : "candidates", source: src.buffer, target: dst, param: params.length - 1, chunks });
        made.push(specs.length - 1);
        if (last) return made;
        src = { buffer: dst, count: chunks * k, stride: candidateStride, itemBase: 0 };
        spare = dst === ping ? [pong, ping] : [ping, pong];
      }
    };
    const windowSpecs = this.layout.windows.map((w, i) =>
      reduce({ buffer: null, count: w.items, stride: this.layout.windowItems, itemBase: w.firstItem }, best, i * k, nWindows * k));
    const finalSpecs = reduce({ buffer: best, count: nWindows * k, stride: nWindows * k, itemBase: 0 }, result, 0, k);

    const uniforms = make(params.length * UNIFORM_SLOT, BufferUsage.UNIFORM | BufferUsage.COPY_DST, "longtail top-k passes");
    const data = new Uint32Array((params.length * UNIFORM_SLOT) / 4);
    params.forEach((p, i) => data.set(p, (i * UNIFORM_SLOT) / 4));
    device.queue.writeBuffer(uniforms, 0, data);
    const toPass = (index: number): TopKPass => {
      const s = specs[index];
      const pipeline = s.input === "scores" ? this.pipelines.scores : this.pipelines.candidates;
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: uniforms, offset: s.param * UNIFORM_SLOT, size: 32 } },
        { binding: 1, resource: { buffer: s.target } },
        s.input === "scores"
          ? { binding: 2, resource: { buffer: this.shared.scores } }
          : { binding: 2, resource: { buffer: s.source! } },
      ];
      if (s.input === "scores") entries.push({ binding: 3, resource: { buffer: this.shared.exclusions } });
      return { input: s.input, chunks: s.chunks, bindGroup: device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }) };
    };
    const buffers = [ping, pong, best, result, readback, uniforms];
    this.plan = {
      k, buffers, uniforms, result, readback,
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

/** Interleaved (score f32, item i32) pairs as two arrays. */
function deinterleave(pairs: ArrayBuffer): { indices: Int32Array; scores: Float32Array } {
  const all = new Float32Array(pairs), items = new Int32Array(pairs);
  const n = all.length / 2;
  const indices = new Int32Array(n), scores = new Float32Array(n);
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

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

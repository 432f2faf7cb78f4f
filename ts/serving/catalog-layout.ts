/**
 * How a catalog is laid out on the GPU. A storage binding holds at most maxStorageBufferBindingSize
 * bytes (128 MiB by default, a few GiB on large GPUs), so the item table is split across buffers
 * of whole windows; a window is the run of items one score dispatch covers, and it never straddles
 * two buffers. Pure arithmetic, kept apart so the split can be tested without a GPU.
 */
export interface CatalogWindow {
  /** Buffer holding the window, its first row there, and the global index of its first item. */
  buffer: number;
  itemRow: number;
  firstItem: number;
  items: number;
}

export interface CatalogLayout {
  blockUsers: number;
  windowItems: number;
  itemsPerBuffer: number;
  buffers: { firstItem: number; items: number }[];
  windows: CatalogWindow[];
  catalogBytes: number;
}

export interface CatalogLayoutRequest {
  nItems: number;
  dim: number;
  /** The most items any one user excludes (the exclusion buffer holds blockUsers of them). */
  maxExcluded: number;
  blockUsers: number;
  windowItems: number;
  maxBindingBytes: number;
  maxWorkgroupsPerDimension: number;
}

export function planCatalog(r: CatalogLayoutRequest): CatalogLayout {
  for (const [name, v] of Object.entries(r)) {
    if (!(Number.isInteger(v) && v >= 0) && !(name === "maxBindingBytes" && v > 0))
      throw new RangeError(`catalog layout: ${name} must be a non-negative integer, got ${v}`);
  }
  if (r.blockUsers < 1 || r.windowItems < 1 || r.dim < 1)
    throw new RangeError(`catalog layout: blockUsers, windowItems and dim must be positive (got ${r.blockUsers}, ${r.windowItems}, ${r.dim})`);
  const binding = Math.floor(r.maxBindingBytes);
  const rowBytes = r.dim * 4;
  const maxRows = Math.floor(binding / rowBytes);
  if (maxRows < 1) throw new RangeError(`catalog layout: one item of ${r.dim} floats (${rowBytes} bytes) is larger than a storage binding (${binding} bytes)`);
  // The block's user rows, scores and exclusions ((row, item) pairs) each fit in one binding too;
  // users go along y of a dispatch.
  const pairBytes = 8 * r.maxExcluded;
  if (pairBytes > binding)
    throw new RangeError(`catalog layout: a user with ${r.maxExcluded} excluded items does not fit a storage binding of ${binding} bytes`);
  const blockUsers = Math.min(r.blockUsers, r.maxWorkgroupsPerDimension, maxRows, pairBytes > 0 ? Math.floor(binding / pairBytes) : Infinity);
  // Score dispatches tile 32 items per workgroup along x.
  const windowItems = Math.max(
    1,
    Math.min(r.windowItems, maxRows, Math.floor(binding / 4 / blockUsers), 32 * r.maxWorkgroupsPerDimension, Math.max(1, r.nItems)),
  );
  const itemsPerBuffer = Math.floor(maxRows / windowItems) * windowItems;
  const buffers: CatalogLayout["buffers"] = [];
  const windows: CatalogWindow[] = [];
  for (let first = 0; first < r.nItems; first += itemsPerBuffer) {
    const items = Math.min(itemsPerBuffer, r.nItems - first);
    for (let row = 0; row < items; row += windowItems) {
      windows.push({ buffer: buffers.length, itemRow: row, firstItem: first + row, items: Math.min(windowItems, items - row) });
    }
    buffers.push({ firstItem: first, items });
  }
  return { blockUsers, windowItems, itemsPerBuffer, buffers, windows, catalogBytes: r.nItems * rowBytes };
}

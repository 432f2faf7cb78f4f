// The host allocates every buffer through these two exports; the TypeScript owner objects
// (WasmF32Array / WasmI32Array) pair each alloc with exactly one free.

export function alloc(bytes: i32): usize {
  return heap.alloc(<usize>bytes);
}

export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/**
 * Which buffers may move to the other thread instead of being copied: an ArrayBuffer (never a
 * SharedArrayBuffer) that the view covers whole. A view into a larger buffer (a pooled Node
 * Buffer, a slice of a caller's file) is copied, so moving it never detaches data the caller
 * still reads through other views.
 */
export function transferableBuffers(views: readonly (ArrayBufferView | null | undefined)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const view of views) {
    if (!view) continue;
    const buffer = view.buffer;
    if (buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength) buffers.add(buffer);
  }
  return [...buffers];
}

/**
 * The WebGPU flag values (fixed by the specification). Used instead of the globals GPUBufferUsage
 * and GPUMapMode, which a GPU object handed in from a library (Dawn for Node) does not install.
 */
export const BufferUsage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const MapMode = { READ: 0x1 } as const;

import { alloc, free } from "../memory";
describe("memory", () => {
  it("allocates 16-byte aligned blocks and frees them", () => {
    const p = alloc(40);
    expect<bool>(p != 0).toBe(true);
    expect<usize>(p & 15).toBe(0);
    free(p);
  });
});

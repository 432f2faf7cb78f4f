import { nextBelow, nextU32, nextUnitF32 } from "../random";
import { alloc, free } from "../memory";

/** The state ts/util/rng.ts's `new Rng(42)` starts from (Rng.prototype.words). */
function seed42(): usize {
  const s = alloc(16);
  store<u32>(s, 939911724, 0);
  store<u32>(s, 3948730756, 4);
  store<u32>(s, 321366731, 8);
  store<u32>(s, 3317318717, 12);
  return s;
}

describe("xoshiro128** in wasm", () => {
  it("continues ts/util/rng.ts's stream: new Rng(42)'s first four u32", () => {
    const s = seed42();
    expect<u32>(nextU32(s)).toBe(2837322924);
    expect<u32>(nextU32(s)).toBe(544945897);
    expect<u32>(nextU32(s)).toBe(479756282);
    expect<u32>(nextU32(s)).toBe(3500138142);
    free(s);
  });

  it("draws integers below n (n = 1 included) and unit floats in [0, 1)", () => {
    const s = seed42();
    const sizes: i32[] = [1, 2, 3, 7, 1000, 40981, 0x7fffffff];
    for (let t = 0; t < sizes.length; t++) {
      for (let i = 0; i < 2000; i++) {
        const x = nextBelow(s, sizes[t]);
        expect<bool>(x >= 0 && x < sizes[t]).toBe(true, "nextBelow in [0, n)");
      }
    }
    let below: i32 = 0;
    for (let i = 0; i < 4000; i++) {
      const u = nextUnitF32(s);
      expect<bool>(u >= 0 && u < 1).toBe(true, "nextUnitF32 in [0, 1)");
      if (u < 0.5) below++;
    }
    expect<bool>(below > 1800 && below < 2200).toBe(true, "about half below 0.5");
    free(s);
  });
});

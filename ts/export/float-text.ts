/**
 * The shortest decimal text (of 6 to 9 significant digits) that reads back as the same float32.
 * Text formats (NDJSON, Vectorize, SQL) carry f32 vectors: String(v) would print the double nearest
 * the f32 (about 17 digits), while 9 significant digits always suffice for an f32, and fewer often
 * do. Readers parse the text to the nearest double and round that to f32 (pgvector's float4,
 * Vectorize's Float32, numpy's float32), which gives back the exact value.
 *
 * Why not v.toPrecision(p) for p = 6..9: it costs about a microsecond a call, and a catalog of a
 * million 64-dimensional vectors has 64 million values. Here the digits are an integer m with the
 * decimal point k places from the right, and m / 10^k is exactly what a parser makes of the text
 * (an exact integer divided by an exact power of ten is correctly rounded), so the round trip is
 * checked with arithmetic alone; about 4 times faster. Magnitudes below 10^-6 (which would need
 * long runs of zeros) take toPrecision, printed with an exponent.
 */

/** 10^0 .. 10^22: every one exact in a double. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

export function float32Text(v: number): string {
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const a = Math.abs(v);
  const e = Math.floor(Math.log10(a));
  if (e < -6 || e > 13) return viaToPrecision(v);
  for (let p = 6; p <= 9; p++) {
    const k = p - 1 - e;
    if (k < 0) return viaToPrecision(v);
    const m = Math.round(a * POW10[k]!);
    if (Math.fround(m / POW10[k]!) !== a) continue;
    let digits = String(m),
      point = k;
    while (point > 0 && digits.charCodeAt(digits.length - 1) === 48 /* "0" */) {
      digits = digits.slice(0, -1);
      point--;
    }
    const text =
      point === 0
        ? digits
        : point >= digits.length
          ? `0.${"0".repeat(point - digits.length)}${digits}`
          : `${digits.slice(0, digits.length - point)}.${digits.slice(digits.length - point)}`;
    return v < 0 ? `-${text}` : text;
  }
  return viaToPrecision(v);
}

function viaToPrecision(v: number): string {
  for (let digits = 6; digits < 9; digits++) {
    const x = Number(v.toPrecision(digits));
    if (Math.fround(x) === v) return String(x);
  }
  return String(Number(v.toPrecision(9)));
}

/** `[v0,v1,...]` of row `r` of a row-major table with `dim` columns: JSON's array and pgvector's literal alike. */
export function vectorText(values: Float32Array, r: number, dim: number): string {
  let s = "[";
  const start = r * dim;
  for (let j = 0; j < dim; j++) s += (j === 0 ? "" : ",") + float32Text(values[start + j]!);
  return s + "]";
}

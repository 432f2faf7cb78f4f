/**
 * Gini coefficient of non-negative values: 0 when all are equal, (m − 1)/m when one value holds
 * everything (m values); 0 when all are zero. G = Σ_j (2j − m − 1)·x_(j) / (m·Σx), x ascending, j = 1..m.
 */
export function gini(values: ArrayLike<number>): number {
  const m = values.length;
  const sorted = Float64Array.from(values).sort();
  let weighted = 0,
    sum = 0;
  for (let j = 0; j < m; j++) {
    weighted += (2 * (j + 1) - m - 1) * sorted[j];
    sum += sorted[j];
  }
  return sum > 0 ? weighted / (m * sum) : 0;
}

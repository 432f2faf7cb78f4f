/** The error every configuration check throws, and the checks the model configurations share. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function oneOf<T>(value: T, choices: readonly T[], name: string): void {
  if (!choices.includes(value)) throw new ConfigError(`${name} must be one of ${choices.join(", ")}, got "${value}"`);
}
export function positiveInt(v: number, name: string, hint = ""): void {
  if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`${name} must be a positive integer${hint ? ` (${hint})` : ""}, got ${v}`);
}
export function nonNegativeInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 0) throw new ConfigError(`${name} must be a non-negative integer, got ${v}`);
}
export function positiveNumber(v: number, name: string): void {
  if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new ConfigError(`${name} must be a positive number, got ${v}`);
}
export function nonNegativeNumber(v: number, name: string): void {
  if (!(typeof v === "number" && Number.isFinite(v) && v >= 0)) throw new ConfigError(`${name} must be a non-negative number, got ${v}`);
}
export function integerSeed(v: number): void {
  if (!Number.isInteger(v)) throw new ConfigError(`seed must be an integer, got ${v}`);
}

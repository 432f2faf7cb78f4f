/**
 * The entries of a partial settings object whose value is not undefined: spread over defaults, an
 * option given as `undefined` (an unset CLI flag, say) then keeps the default instead of erasing it.
 */
export function definedOnly<T extends object>(partial: T): Partial<T> & Record<string, unknown> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<T> & Record<string, unknown>;
}

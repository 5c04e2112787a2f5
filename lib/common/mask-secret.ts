import { inspect } from 'node:util';

/** Masks a secret for display: its first 4 characters, then dots; never the whole value. */
export function maskSecret(value: string | undefined): string {
  if (value === undefined || value === '') return '(not set)';
  return `${value.slice(0, 4)}${'•'.repeat(8)}`;
}

/** Fields that hold a secret wherever they appear in a kit object shown in a cell. */
const SECRET_FIELDS = new Set(['primaryKey', 'secondaryKey', 'clientSecret']);

/** A copy of a plain object tree with every secret field masked ({@link maskSecret}). */
export function maskedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => maskedCopy(v));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRET_FIELDS.has(k) && typeof v === 'string' ? maskSecret(v) : maskedCopy(v),
    ]),
  );
}

/**
 * Makes a cell that ends with this object (a deployment, say) show it through `util.inspect`
 * with its keys masked; the object itself, its JSON and code reading it are unchanged.
 * @returns the same object.
 */
export function maskWhenInspected<T extends object>(value: T): T {
  if (Object.isExtensible(value) && !Object.prototype.hasOwnProperty.call(value, inspect.custom))
    Object.defineProperty(value, inspect.custom, {
      enumerable: false,
      value: () => maskedCopy(value),
    });
  return value;
}

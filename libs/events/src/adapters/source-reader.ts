import { STRING_MAX_CHARS } from '../validation/field-checks.js';

/**
 * Lenient reads of tools' JSON: a field of the wrong type is treated as absent (tools differ by
 * version), strings are bounded and NUL-free so the event can be stored, and 64-bit integers may
 * arrive as strings (protobuf JSON).
 */

export type SourceObject = Record<string, unknown>;

export function asObject(value: unknown): SourceObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as SourceObject)
    : undefined;
}

/** A printable string, or undefined for non-strings, empty strings and placeholders like `<NA>`. */
export function readString(value: unknown, maxChars: number = STRING_MAX_CHARS): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value === '<NA>') return undefined;
  const bounded = value.length > maxChars ? value.slice(0, maxChars) : value;
  return bounded.includes('\u0000') ? bounded.replaceAll('\u0000', '\uFFFD') : bounded;
}

/** An integer from a number, a string of digits, or a protobuf wrapper `{value: n}`. */
export function readInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  const wrapper = asObject(value);
  return wrapper !== undefined && 'value' in wrapper ? readInteger(wrapper.value) : undefined;
}

/** An integer within [min, max], else undefined. */
export function readBounded(value: unknown, min: number, max: number): number | undefined {
  const n = readInteger(value);
  return n !== undefined && n >= min && n <= max ? n : undefined;
}

export const readPid = (value: unknown): number | undefined => readBounded(value, 0, 2147483647);

/** uid/gid/auid: -1 is how some tools spell "unset", which the kernel stores as 4294967295. */
export function readId(value: unknown): number | undefined {
  const n = readInteger(value);
  if (n === -1) return 4294967295;
  return n !== undefined && n >= 0 && n <= 4294967295 ? n : undefined;
}

/** Nanoseconds as a bigint from a number (loses precision past 2^53) or a string of digits. */
export function readNanos(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  return undefined;
}

/** Drops undefined members so the event holds only what the source gave. */
export function defined<T extends object>(value: T): T | undefined {
  let any = false;
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
    else any = true;
  }
  return any ? value : undefined;
}

/**
 * Nanoseconds past 2^53 lose their last digits in JSON.parse (a double keeps ~256 ns at today's
 * epoch), which can move the truncated microsecond. When the original text is at hand, the exact
 * digits of `"key": n` are taken from it, provided they parse to the same double.
 */
export function readNanosExact(value: unknown, raw: string | undefined, key: string): bigint | undefined {
  if (typeof value !== 'number' || Number.isSafeInteger(value) || raw === undefined) return readNanos(value);
  const pattern = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*(\\d{1,20})`, 'g');
  for (const match of raw.matchAll(pattern)) {
    if (Number(match[1]) === value) return BigInt(match[1]);
  }
  return readNanos(value);
}

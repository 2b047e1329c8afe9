import type { FieldError } from './validation-error.js';

/** Longest free-text field accepted (comm, exe, cmdline, rule, ...). */
export const STRING_MAX_CHARS = 4096;

/**
 * Half of a UTF-16 surrogate pair on its own: not Unicode, so it cannot be UTF-8 text. jsonb
 * refuses it (the whole batch would fail, again on every resend) and text columns would store
 * U+FFFD instead of what was sent.
 */
export const LONE_SURROGATE = /\p{Cs}/u;
export const LONE_SURROGATE_MESSAGE = 'must be valid Unicode (a lone UTF-16 surrogate is not)';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Checks a string field and returns it, or records why not. `\u0000` is refused because
 * Postgres text and jsonb cannot store it.
 */
export function checkString(
  value: unknown,
  pointer: string,
  errors: FieldError[],
  maxChars: number = STRING_MAX_CHARS,
  allowEmpty = true,
): string | undefined {
  if (typeof value !== 'string') {
    errors.push({ pointer, message: `must be a string, got ${describe(value)}` });
    return undefined;
  }
  if (!allowEmpty && value.length === 0) {
    errors.push({ pointer, message: 'must not be empty' });
    return undefined;
  }
  if (value.length > maxChars) {
    errors.push({ pointer, message: `must be at most ${maxChars} characters, got ${value.length}` });
    return undefined;
  }
  if (value.includes('\u0000')) {
    errors.push({ pointer, message: 'must not contain NUL (\\u0000)' });
    return undefined;
  }
  if (LONE_SURROGATE.test(value)) {
    errors.push({ pointer, message: LONE_SURROGATE_MESSAGE });
    return undefined;
  }
  return value;
}

export function checkInteger(
  value: unknown,
  pointer: string,
  errors: FieldError[],
  min: number,
  max: number,
): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.push({ pointer, message: `must be an integer, got ${describe(value)}` });
    return undefined;
  }
  if (value < min || value > max) {
    errors.push({ pointer, message: `must be between ${min} and ${max}, got ${value}` });
    return undefined;
  }
  return value;
}

export function checkBoolean(value: unknown, pointer: string, errors: FieldError[]): boolean | undefined {
  if (typeof value !== 'boolean') {
    errors.push({ pointer, message: `must be a boolean, got ${describe(value)}` });
    return undefined;
  }
  return value;
}

export function checkEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  pointer: string,
  errors: FieldError[],
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : describe(value);
  errors.push({ pointer, message: `must be one of ${allowed.join(', ')}; got ${shown}` });
  return undefined;
}

/** Checks an optional sub-object: null and absent are both "not given". */
export function checkOptionalObject(
  value: unknown,
  pointer: string,
  errors: FieldError[],
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    errors.push({ pointer, message: `must be an object, got ${describe(value)}` });
    return undefined;
  }
  return value;
}

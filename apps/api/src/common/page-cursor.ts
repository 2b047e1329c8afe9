import { DomainError } from './domain-error.js';

/**
 * Opaque keyset cursors: the key of the last item of a page, as base64url JSON. Clients pass them
 * back untouched; anything else is refused with `invalid_cursor`.
 */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<K extends Record<string, string | number>>(
  cursor: string,
  isKey: (value: unknown) => value is K,
): K {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isKey(value)) throw new DomainError('invalid_cursor', 'The cursor is not one this API gave out');
  return value;
}

/** The key of a list paged by name: the last name of the previous page. */
export const isNameCursor = (v: unknown): v is { name: string } =>
  typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';

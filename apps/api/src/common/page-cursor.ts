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

/**
 * The key of a list paged by creation time, then id: the time in microseconds since the epoch
 * (exact, as Postgres keeps it) and the id, of the last item of the previous page. A type, not
 * an interface: cursors take it as a record of strings and numbers.
 */
export type TimeKey = { us: number; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isTimeKey = (v: unknown): v is TimeKey =>
  typeof v === 'object' &&
  v !== null &&
  Number.isSafeInteger((v as { us?: unknown }).us) &&
  typeof (v as { id?: unknown }).id === 'string' &&
  UUID.test((v as { id: string }).id);

/** SQL: `alias`.created_at in microseconds since the epoch (a bigint), to key pages by. */
export const createdUs = (alias: string): string =>
  `(extract(epoch FROM ${alias}.created_at) * 1000000)::bigint`;

/**
 * SQL: rows after the key in parameters `$us` (bigint, or NULL for the first page) and `$id`,
 * in `(created_at, id)` order; `alias` the table's.
 */
export function afterTimeKey(alias: string, us: string, id: string): string {
  return `(${us}::bigint IS NULL OR (${alias}.created_at, ${alias}.id) > (timestamptz 'epoch' + ${us}::bigint * interval '1 microsecond', ${id}::uuid))`;
}

/** A page of a keyset list: `limit + 1` rows asked for, the extra one says there is more. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  keyOf: (last: T) => string,
): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? keyOf(items[items.length - 1]) : null };
}

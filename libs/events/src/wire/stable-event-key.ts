import { createHash } from 'node:crypto';

/** Deeper documents are refused rather than overflowing the stack. */
export const CANONICAL_MAX_DEPTH = 256;

/**
 * JSON with object keys sorted at every level, so that two encodings of the same source event
 * (key order differs between tool versions and JSON libraries) hash the same.
 */
export function canonicalJson(value: unknown, maxDepth = CANONICAL_MAX_DEPTH): string {
  if (maxDepth < 0) throw new RangeError(`JSON nested deeper than ${CANONICAL_MAX_DEPTH} levels`);
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, maxDepth - 1)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (record[key] === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(record[key], maxDepth - 1)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * An idempotency key for events that have no natural one: `prefix:` and the SHA-1 (hex) of the
 * canonical JSON of the value. The same source event always gets the same key, so a re-sent
 * event is a duplicate in storage instead of a second row.
 */
export function stableEventKey(prefix: string, value: unknown): string {
  return `${prefix}:${createHash('sha1').update(canonicalJson(value)).digest('hex')}`;
}

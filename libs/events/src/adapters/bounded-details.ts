import { asObject } from './source-reader.js';

const MAX_DEPTH = 8;
const MAX_ARRAY_ITEMS = 256;
const MAX_NODES = 2000;
const MAX_STRING_CHARS = 4096;

/**
 * A copy of source JSON fit for `details` (jsonb): depth, array length, node count and string
 * length bounded, NUL replaced. Tools' payloads (file contents as base64, long argv) must not
 * make an event unstorable; what is cut is marked with `…` so nobody mistakes it for the whole.
 */
export function boundedDetails(value: unknown): unknown {
  let nodes = 0;
  const copy = (node: unknown, depth: number): unknown => {
    nodes += 1;
    if (nodes > MAX_NODES) return '…';
    if (node === null || typeof node === 'boolean') return node;
    if (typeof node === 'number') return Number.isFinite(node) ? node : null;
    if (typeof node === 'string') {
      const bounded = node.length > MAX_STRING_CHARS ? `${node.slice(0, MAX_STRING_CHARS)}…` : node;
      return bounded.includes('\u0000') ? bounded.replaceAll('\u0000', '\uFFFD') : bounded;
    }
    if (depth >= MAX_DEPTH) return '…';
    if (Array.isArray(node)) {
      const items = node.slice(0, MAX_ARRAY_ITEMS).map((item) => copy(item, depth + 1));
      if (node.length > MAX_ARRAY_ITEMS) items.push('…');
      return items;
    }
    const record = asObject(node);
    if (record === undefined) return null;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      const safeKey = key.includes('\u0000') ? key.replaceAll('\u0000', '\uFFFD') : key;
      out[safeKey.slice(0, 256)] = copy(record[key], depth + 1);
    }
    return out;
  };
  return copy(value, 0);
}

/** `details` from named parts, leaving out those the source did not give. */
export function detailsOf(parts: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(parts)) {
    const value = parts[key];
    if (value === undefined || value === null || value === '') continue;
    out[key] = boundedDetails(value);
    any = true;
  }
  return any ? out : undefined;
}

import type { SecurityEvent } from '../security-event.js';

/** The wire order of DESIGN.md, so that the same event always serialises to the same text. */
const FIELD_ORDER = [
  'eventKey',
  'observedAt',
  'host',
  'bootId',
  'source',
  'kind',
  'process',
  'container',
  'syscall',
  'action',
  'errno',
  'signal',
  'blocked',
  'policy',
  'rule',
  'severity',
  'details',
  'raw',
] as const satisfies readonly (keyof SecurityEvent)[];

const NESTED_ORDER: Record<string, readonly string[]> = {
  process: ['pid', 'tid', 'ppid', 'uid', 'gid', 'auid', 'ses', 'comm', 'exe', 'cmdline'],
  container: ['id', 'name', 'image', 'pod', 'namespace'],
  syscall: ['arch', 'nr', 'name', 'compat'],
  errno: ['nr', 'name'],
  signal: ['nr', 'name'],
};

function compact(
  value: Record<string, unknown>,
  order: readonly string[],
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const key of order) {
    const field = value[key];
    if (field !== undefined && field !== null) {
      out[key] = field;
      any = true;
    }
  }
  return any ? out : undefined;
}

/**
 * Canonical wire JSON of a SecurityEvent (one NDJSON line, no newline): camelCase, fields in the
 * DESIGN.md order, absent, null and empty sub-objects left out, unknown properties dropped.
 */
export function serializeSecurityEvent(event: SecurityEvent): string {
  const out: Record<string, unknown> = {};
  const source = event as unknown as Record<string, unknown>;
  for (const key of FIELD_ORDER) {
    const value = source[key];
    if (value === undefined || value === null) continue;
    const nested = NESTED_ORDER[key];
    if (nested !== undefined && typeof value === 'object') {
      const part = compact(value as Record<string, unknown>, nested);
      if (part !== undefined) out[key] = part;
    } else {
      out[key] = value;
    }
  }
  return JSON.stringify(out);
}

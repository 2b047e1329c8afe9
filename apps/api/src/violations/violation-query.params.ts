import { EVENT_ACTIONS, EVENT_SOURCES } from '@sandtrap/events';
import { parseObservedAt } from '../ingest/observed-at.js';
import type { ViolationFilter } from './violation-filter.js';
import type { PageKey, StatsDimension } from './violation-query.repository.js';

/** One bad query parameter, named by JSON pointer as the error contract asks. */
export interface ParamProblem {
  pointer: string;
  message: string;
}

export type RawQuery = Record<string, string | string[] | undefined>;

const MAX_LIST = 100;
const ACTIONS = new Set<string>(EVENT_ACTIONS);
const SOURCES = new Set<string>(EVENT_SOURCES);

export const STATS_DIMENSIONS: readonly StatsDimension[] = [
  'syscall',
  'host',
  'action',
  'exe',
  'container',
  'source',
];

export const INTERVAL_MINUTES = { '1m': 1, '5m': 5, '1h': 60, '1d': 1440 } as const;
export type TimeseriesInterval = keyof typeof INTERVAL_MINUTES;
/** Longest range per interval, so that one answer stays a few tens of thousands of buckets. */
export const INTERVAL_MAX_DAYS: Record<TimeseriesInterval, number> = {
  '1m': 31,
  '5m': 93,
  '1h': 400,
  '1d': 3660,
};

/** Reads query parameters, collecting every problem instead of stopping at the first. */
export class QueryReader {
  readonly problems: ParamProblem[] = [];
  constructor(private readonly query: RawQuery) {}

  text(name: string): string | undefined {
    const v = this.query[name];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) {
      this.problems.push({ pointer: `/${name}`, message: 'must be given once' });
      return undefined;
    }
    if (v.length > 4096) {
      this.problems.push({ pointer: `/${name}`, message: 'is longer than 4096 characters' });
      return undefined;
    }
    return v;
  }

  list(name: string, allowed?: ReadonlySet<string>): string[] | undefined {
    const v = this.text(name);
    if (v === undefined) return undefined;
    const items = v.split(',').filter((s) => s !== '');
    if (items.length === 0 || items.length > MAX_LIST) {
      this.problems.push({ pointer: `/${name}`, message: `must list 1 to ${MAX_LIST} values` });
      return undefined;
    }
    const bad = allowed ? items.filter((i) => !allowed.has(i)) : [];
    if (bad.length) {
      this.problems.push({
        pointer: `/${name}`,
        message: `unknown value "${bad[0]}"; one of ${[...allowed!].join(', ')}`,
      });
      return undefined;
    }
    return items;
  }

  time(name: string): number | undefined {
    const v = this.text(name);
    if (v === undefined) return undefined;
    const micros = parseObservedAt(v);
    if (micros === undefined)
      this.problems.push({ pointer: `/${name}`, message: 'must be an ISO 8601 time with a zone' });
    return micros;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.text(name);
    if (v === undefined) return fallback;
    const n = /^\d{1,9}$/.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) {
      this.problems.push({ pointer: `/${name}`, message: `must be an integer from ${min} to ${max}` });
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback?: T): T | undefined {
    const v = this.text(name);
    if (v === undefined) {
      if (fallback === undefined)
        this.problems.push({ pointer: `/${name}`, message: `is required: ${values.join('|')}` });
      return fallback;
    }
    if (!(values as readonly string[]).includes(v)) {
      this.problems.push({ pointer: `/${name}`, message: `must be one of ${values.join(', ')}` });
      return fallback;
    }
    return v as T;
  }

  /** The filters common to the three routes. */
  filter(): ViolationFilter {
    const f: ViolationFilter = {
      fromMicros: this.time('from'),
      toMicros: this.time('to'),
      hosts: this.list('host'),
      syscalls: this.list('syscall'),
      actions: this.list('action', ACTIONS),
      sources: this.list('source', SOURCES),
      exe: this.text('exe'),
      comm: this.text('comm'),
      container: this.text('container'),
      pod: this.text('pod'),
      namespace: this.text('namespace'),
      policy: this.text('policy'),
    };
    const blocked = this.text('blocked');
    if (blocked === 'true' || blocked === 'false') f.blocked = blocked === 'true';
    else if (blocked !== undefined)
      this.problems.push({ pointer: '/blocked', message: 'must be true or false' });
    if (f.fromMicros !== undefined && f.toMicros !== undefined && f.fromMicros >= f.toMicros) {
      this.problems.push({ pointer: '/from', message: 'must be before to' });
    }
    for (const k of Object.keys(f) as Array<keyof ViolationFilter>) if (f[k] === undefined) delete f[k];
    return f;
  }

  cursor(): PageKey | undefined {
    const v = this.text('cursor');
    if (v === undefined) return undefined;
    const key = decodeCursor(v);
    if (!key) this.problems.push({ pointer: '/cursor', message: 'is not a cursor this API gave out' });
    return key;
  }
}

/** Opaque to clients: base64url of the last item's keyset position. */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.micros, key.hostId, key.eventKey])).toString('base64url');
}

export function decodeCursor(text: string): PageKey | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      typeof v[0] === 'string' &&
      /^-?\d{1,17}$/.test(v[0]) &&
      typeof v[1] === 'string' &&
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v[1]) &&
      typeof v[2] === 'string'
    ) {
      return { micros: v[0], hostId: v[1], eventKey: v[2] };
    }
  } catch {
    // Not base64url JSON: reported below as a bad cursor.
  }
  return undefined;
}

import type { SecurityEvent } from '@sandtrap/events';
import { ValidationFailedError } from '../common/domain-error.js';
import { formatObservedAt } from '../ingest/observed-at.js';
import type { ViolationFilter } from './violation-filter.js';
import {
  INTERVAL_MAX_DAYS,
  INTERVAL_MINUTES,
  QueryReader,
  STATS_DIMENSIONS,
  encodeCursor,
  type ParamProblem,
  type RawQuery,
  type TimeseriesInterval,
} from './violation-query.params.js';
import type { ViolationQueryRepository } from './violation-query.repository.js';
import { toSecurityEvent } from './violation-record.js';

const DAY_MICROS = 86_400_000_000;
const MINUTE_MICROS = 60_000_000;
const TIMESERIES_INTERVALS = Object.keys(INTERVAL_MINUTES) as TimeseriesInterval[];

/** Bad query parameters: 400 with `details.errors`. */
export class ViolationQueryError extends ValidationFailedError {
  constructor(errors: ParamProblem[]) {
    super(errors, `Invalid query: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`);
  }
}

export interface ViolationPage {
  items: SecurityEvent[];
  nextCursor: string | null;
}

/** The read side of violations: validation of the query, then the repository. */
export class ViolationsService {
  constructor(
    private readonly repository: ViolationQueryRepository,
    private readonly clock: () => number = Date.now,
  ) {}

  async list(query: RawQuery): Promise<ViolationPage> {
    const q = new QueryReader(query);
    const filter = q.filter();
    const limit = q.int('limit', 100, 1, 1000);
    const after = q.cursor();
    if (q.problems.length) throw new ViolationQueryError(q.problems);
    const hostIds = await this.hostIds(filter);
    if (hostIds?.length === 0) return { items: [], nextCursor: null };
    const rows = await this.repository.page(filter, hostIds, after, limit + 1);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map((r) => toSecurityEvent(r, r.micros)),
      nextCursor: more
        ? encodeCursor({ micros: last.micros, hostId: last.host_id, eventKey: last.event_key })
        : null,
    };
  }

  async stats(query: RawQuery): Promise<{ groups: Array<{ key: string | null; count: number }> }> {
    const q = new QueryReader(query);
    const filter = this.ranged(q, q.filter(), 3660);
    const by = q.oneOf('groupBy', STATS_DIMENSIONS);
    const limit = q.int('limit', 10, 1, 1000);
    if (q.problems.length || !by) throw new ViolationQueryError(q.problems);
    const hostIds = await this.hostIds(filter);
    if (hostIds?.length === 0) return { groups: [] };
    return { groups: await this.repository.stats(filter, hostIds, by, limit) };
  }

  async timeseries(
    query: RawQuery,
  ): Promise<{ buckets: Array<{ start: string; counts: Record<string, number> }> }> {
    const q = new QueryReader(query);
    const interval = q.oneOf('interval', TIMESERIES_INTERVALS, '1h')!;
    const filter = this.ranged(q, q.filter(), INTERVAL_MAX_DAYS[interval], interval);
    if (q.problems.length) throw new ViolationQueryError(q.problems);
    const step = INTERVAL_MINUTES[interval] * 60_000_000;
    const first = Math.floor(filter.fromMicros / step) * step;
    const buckets = new Map<number, Record<string, number>>();
    for (let t = first; t < filter.toMicros; t += step) buckets.set(t, {});
    const hostIds = await this.hostIds(filter);
    if (hostIds?.length !== 0) {
      for (const row of await this.repository.timeseries(filter, hostIds, INTERVAL_MINUTES[interval])) {
        const counts = buckets.get(row.startMicros);
        if (counts) counts[row.action] = row.count;
      }
    }
    return { buckets: [...buckets].map(([start, counts]) => ({ start: formatObservedAt(start), counts })) };
  }

  /**
   * Defaults to the 24 hours up to the end of the current minute, and refuses ranges past
   * `maxDays`, naming the limit. Ending the default at a minute boundary lets the current minute
   * come whole from the 1-minute rollup, which ingest keeps current, instead of from a scan of
   * every event stored since the minute began (up to a minute of the fleet's full rate). That
   * minute may hold events a fast clock stamped after now; an explicit `to` is exact as ever.
   */
  private ranged(
    q: QueryReader,
    f: ViolationFilter,
    maxDays: number,
    interval?: string,
  ): ViolationFilter & { fromMicros: number; toMicros: number } {
    const toMicros = f.toMicros ?? Math.ceil((this.clock() * 1000 + 1) / MINUTE_MICROS) * MINUTE_MICROS;
    const fromMicros = f.fromMicros ?? toMicros - DAY_MICROS;
    if (toMicros - fromMicros > maxDays * DAY_MICROS) {
      q.problems.push({
        pointer: '/from',
        message: `the range from..to may span at most ${maxDays} days${interval ? ` at interval ${interval}` : ''}`,
      });
    }
    return { ...f, fromMicros, toMicros };
  }

  private async hostIds(f: ViolationFilter): Promise<string[] | undefined> {
    return f.hosts ? this.repository.hostIds(f.hosts) : undefined;
  }
}

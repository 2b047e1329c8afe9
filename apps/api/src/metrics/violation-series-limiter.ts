import type { EventShape } from '../ingest/ingest-batch.js';
import type { ViolationLabel } from './metrics-config.js';

export const FOLDED_VALUE = 'other';

export type ViolationLabels = Partial<Record<ViolationLabel, string>>;

export interface LimitedLabels {
  labels: ViolationLabels;
  /** Labels whose value was replaced by `other` to respect the cap. */
  folded: ViolationLabel[];
  /** Identifies the series: equal keys, equal labels. */
  key: string;
}

function labelValue(event: EventShape, label: ViolationLabel): string {
  switch (label) {
    case 'action':
      return event.action;
    case 'blocked':
      return event.blocked ? 'true' : 'false';
    case 'syscall':
      return event.syscall?.name ?? (event.syscall?.nr === undefined ? 'unknown' : `nr_${event.syscall.nr}`);
    case 'arch':
      return event.syscall?.arch ?? 'unknown';
    case 'source':
      return event.source;
    case 'host':
      return event.host;
    case 'policy':
      return event.policy ?? '';
    case 'container':
      return event.container?.name ?? event.container?.id ?? '';
    case 'pod':
      return event.container?.pod ?? '';
    case 'namespace':
      return event.container?.namespace ?? '';
    case 'exe':
      return event.process?.exe ?? '';
  }
}

const MEMO_LIMIT = 50_000;

/** Labels with no natural bound: folded at the last step. */
const UNBOUNDED: readonly ViolationLabel[] = ['syscall', 'host', 'container', 'pod', 'namespace', 'exe'];

/**
 * Chooses the label set of `sandtrap_violations_total` for an event while keeping the number of
 * series under a cap. Past the cap a new label set is folded: first its `syscall` becomes
 * `other`; if that series does not exist yet either, `host` (and container, pod, namespace, exe
 * when configured) become `other` too. That last step always succeeds, so the cap can be
 * exceeded only by series whose remaining labels (action, blocked, arch, source, policy) are
 * small closed sets.
 */
export class ViolationSeriesLimiter {
  private readonly seen = new Set<string>();
  private readonly decided = new Map<string, LimitedLabels>();
  private readonly steps: ViolationLabel[][];

  constructor(
    private readonly labels: readonly ViolationLabel[],
    private readonly maxSeries: number,
  ) {
    const steps: ViolationLabel[][] = [[]];
    if (labels.includes('syscall')) steps.push(['syscall']);
    steps.push(UNBOUNDED.filter((l) => labels.includes(l)));
    this.steps = steps;
  }

  get seriesCount(): number {
    return this.seen.size;
  }

  labelsFor(event: EventShape): LimitedLabels {
    let fullKey = '';
    for (const l of this.labels) fullKey += `${labelValue(event, l)}\u0000`;
    // A label set's outcome never changes once decided (the seen set only grows), so it is
    // remembered; the memo is bounded because distinct label sets are what an attack multiplies.
    const known = this.decided.get(fullKey);
    if (known) return known;
    const full: ViolationLabels = {};
    for (const l of this.labels) full[l] = labelValue(event, l);
    let result: LimitedLabels | undefined;
    for (let i = 0; i < this.steps.length - 1 && !result; i++) {
      const candidate = this.fold(full, this.steps[i]!);
      if (this.seen.has(candidate.key) || this.seen.size < this.maxSeries) result = this.keep(candidate);
    }
    result ??= this.keep(this.fold(full, this.steps[this.steps.length - 1]!));
    if (this.decided.size < MEMO_LIMIT) this.decided.set(fullKey, result);
    return result;
  }

  private fold(full: ViolationLabels, step: readonly ViolationLabel[]): LimitedLabels {
    const folded = step.filter((l) => full[l] !== FOLDED_VALUE);
    const labels: ViolationLabels = { ...full };
    for (const l of folded) labels[l] = FOLDED_VALUE;
    return { labels, folded, key: this.labels.map((l) => labels[l]).join('\u0000') };
  }

  private keep(c: LimitedLabels): LimitedLabels {
    this.seen.add(c.key);
    return c;
  }
}

import type { SecurityEvent } from '@sandtrap/events';
import type { ViolationLabel } from './metrics-config.js';

export const FOLDED_VALUE = 'other';

export type ViolationLabels = Partial<Record<ViolationLabel, string>>;

export interface LimitedLabels {
  labels: ViolationLabels;
  /** Labels whose value was replaced by `other` to respect the cap. */
  folded: ViolationLabel[];
}

function labelValue(event: SecurityEvent, label: ViolationLabel): string {
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

  labelsFor(event: SecurityEvent): LimitedLabels {
    const full: ViolationLabels = {};
    for (const l of this.labels) full[l] = labelValue(event, l);
    for (let i = 0; i < this.steps.length - 1; i++) {
      const candidate = this.fold(full, this.steps[i]!);
      if (this.seen.has(candidate.key) || this.seen.size < this.maxSeries) return this.keep(candidate);
    }
    return this.keep(this.fold(full, this.steps[this.steps.length - 1]!));
  }

  private fold(full: ViolationLabels, step: readonly ViolationLabel[]): LimitedLabels & { key: string } {
    const folded = step.filter((l) => full[l] !== FOLDED_VALUE);
    const labels: ViolationLabels = { ...full };
    for (const l of folded) labels[l] = FOLDED_VALUE;
    return { labels, folded, key: this.labels.map((l) => labels[l]).join('\u0000') };
  }

  private keep(c: LimitedLabels & { key: string }): LimitedLabels {
    this.seen.add(c.key);
    return { labels: c.labels, folded: c.folded };
  }
}

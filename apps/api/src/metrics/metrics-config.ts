import { ConfigError } from '../config/app-config.js';

/** Labels `sandtrap_violations_total` may carry; the first seven are the default set. */
export const VIOLATION_LABELS = [
  'action',
  'blocked',
  'syscall',
  'arch',
  'source',
  'host',
  'policy',
  'container',
  'pod',
  'namespace',
  'exe',
] as const;
export type ViolationLabel = (typeof VIOLATION_LABELS)[number];

/** Pod, container and exe labels are how a fleet reaches hundreds of thousands of series. */
export const DEFAULT_VIOLATION_LABELS: readonly ViolationLabel[] = VIOLATION_LABELS.slice(0, 7);

/** The alert rules group by these, so they are always exported. */
const REQUIRED_LABELS: readonly ViolationLabel[] = ['action', 'blocked'];

export interface MetricsConfig {
  violationLabels: readonly ViolationLabel[];
  maxSeries: number;
  maxHosts: number;
}

function positiveInt(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ConfigError([
      { variable: name, message: `must be an integer from 1 to ${max} (got ${JSON.stringify(raw)})` },
    ]);
  }
  return n;
}

/**
 * The metrics module's own settings (docs/metrics.md), validated at boot like the rest of the
 * configuration: a bad value stops start-up naming the variable.
 */
export function loadMetricsConfig(env: Record<string, string | undefined>): MetricsConfig {
  const raw = env.SANDTRAP_METRICS_VIOLATION_LABELS;
  let violationLabels: ViolationLabel[] = [...DEFAULT_VIOLATION_LABELS];
  if (raw !== undefined && raw.trim() !== '') {
    const names = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = names.filter((n) => !(VIOLATION_LABELS as readonly string[]).includes(n));
    if (unknown.length > 0) {
      throw new ConfigError([
        {
          variable: 'SANDTRAP_METRICS_VIOLATION_LABELS',
          message: `has unknown labels ${unknown.join(', ')}; allowed: ${VIOLATION_LABELS.join(', ')}`,
        },
      ]);
    }
    // Keep the canonical order so the series key does not depend on how the list was written.
    violationLabels = VIOLATION_LABELS.filter((l) => names.includes(l) || REQUIRED_LABELS.includes(l));
  }
  return {
    violationLabels,
    maxSeries: positiveInt(env, 'SANDTRAP_METRICS_MAX_SERIES', 5000, 1_000_000),
    maxHosts: positiveInt(env, 'SANDTRAP_METRICS_MAX_HOSTS', 2000, 1_000_000),
  };
}

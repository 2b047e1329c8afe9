import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/app-config.js';
import { DEFAULT_VIOLATION_LABELS, loadMetricsConfig } from './metrics-config.js';

describe('loadMetricsConfig', () => {
  it('defaults to the seven labels without pod or container, 5000 series and 2000 hosts', () => {
    expect(loadMetricsConfig({})).toEqual({
      violationLabels: DEFAULT_VIOLATION_LABELS,
      maxSeries: 5000,
      maxHosts: 2000,
    });
    expect(DEFAULT_VIOLATION_LABELS).not.toContain('pod');
    expect(DEFAULT_VIOLATION_LABELS).not.toContain('container');
  });

  it('takes a label subset in canonical order and always keeps action and blocked', () => {
    const c = loadMetricsConfig({
      SANDTRAP_METRICS_VIOLATION_LABELS: ' pod, host ,syscall',
      SANDTRAP_METRICS_MAX_SERIES: '10',
    });
    expect(c.violationLabels).toEqual(['action', 'blocked', 'syscall', 'host', 'pod']);
    expect(c.maxSeries).toBe(10);
  });

  it.each([
    ['SANDTRAP_METRICS_VIOLATION_LABELS', 'host,podname'],
    ['SANDTRAP_METRICS_MAX_SERIES', 'lots'],
    ['SANDTRAP_METRICS_MAX_SERIES', '0'],
    ['SANDTRAP_METRICS_MAX_SERIES', '1.5'],
    ['SANDTRAP_METRICS_MAX_HOSTS', '-3'],
    ['SANDTRAP_METRICS_MAX_HOSTS', '\u0000\uffff'],
  ])('refuses %s=%j naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadMetricsConfig({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]!.variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
  });
});

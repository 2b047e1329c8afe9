import type { SecurityEvent } from '@sandtrap/events';
import { describe, expect, it } from 'vitest';
import type { BatchStored } from '../ingest/ingest-events.js';
import { DEFAULT_VIOLATION_LABELS } from './metrics-config.js';
import { IngestMetricsListener } from './ingest-metrics.listener.js';
import { SandtrapMetrics } from './sandtrap-metrics.js';
import { ViolationSeriesLimiter } from './violation-series-limiter.js';

function event(i: number, over: Partial<SecurityEvent> = {}): SecurityEvent {
  return {
    eventKey: `k${i}`,
    observedAt: '2026-11-29T06:00:00.000000Z',
    host: 'web-1',
    source: 'auditd',
    kind: 'seccomp',
    action: 'kill_process',
    blocked: true,
    syscall: { arch: 'x86_64', nr: 101, name: 'ptrace' },
    policy: 'nginx',
    ...over,
  };
}

function batch(over: Partial<BatchStored> = {}): BatchStored {
  return {
    source: 'audit',
    accepted: 2,
    duplicates: 3,
    rejected: 6,
    rejectReasons: { invalid_line: 3, too_old: 1, foreign_host: 2 },
    durationMs: 120,
    dbMs: 40,
    events: [event(1), event(2, { action: 'errno', syscall: { arch: 'x86_64', name: 'mount' } })],
    lostRecords: 7,
    ...over,
  };
}

async function value(
  metrics: SandtrapMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const json = await metrics.registry.getSingleMetric(name)!.get();
  const hit = json.values.find(
    (v) =>
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want) &&
      !('le' in v.labels && !labels.le),
  );
  return hit?.value ?? 0;
}

describe('IngestMetricsListener', () => {
  const setup = (maxSeries = 100) => {
    const metrics = new SandtrapMetrics(DEFAULT_VIOLATION_LABELS, maxSeries);
    return {
      metrics,
      listener: new IngestMetricsListener(
        metrics,
        new ViolationSeriesLimiter(DEFAULT_VIOLATION_LABELS, maxSeries),
      ),
    };
  };

  it('counts accepted, duplicate, rejected-by-reason, parse errors, lost records and batches', async () => {
    const { metrics, listener } = setup();
    listener.onBatchStored(batch());
    listener.onBatchStored(
      batch({ accepted: 0, duplicates: 0, rejected: 0, rejectReasons: {}, events: [], lostRecords: 0 }),
    );
    expect(await value(metrics, 'sandtrap_ingest_events_accepted_total', { source: 'audit' })).toBe(2);
    expect(await value(metrics, 'sandtrap_ingest_events_duplicate_total', { source: 'audit' })).toBe(3);
    expect(await value(metrics, 'sandtrap_ingest_events_rejected_total', { reason: 'invalid_line' })).toBe(3);
    expect(await value(metrics, 'sandtrap_ingest_events_rejected_total', { reason: 'too_old' })).toBe(1);
    expect(await value(metrics, 'sandtrap_ingest_events_rejected_total', { reason: 'foreign_host' })).toBe(2);
    // too_old is about the time window and foreign_host about the sender: neither is a parse error
    expect(await value(metrics, 'sandtrap_ingest_parse_errors_total', { source: 'audit' })).toBe(3);
    expect(await value(metrics, 'sandtrap_ingest_kernel_records_lost_total', { source: 'audit' })).toBe(7);
    expect(await value(metrics, 'sandtrap_ingest_batches_total', { outcome: 'stored' })).toBe(2);
    const text = await metrics.registry.metrics();
    expect(text).toContain('sandtrap_ingest_batch_size_sum{source="audit"} 11');
    expect(text).toContain('sandtrap_ingest_batch_size_count{source="audit"} 2');
    expect(text).toContain('sandtrap_ingest_db_write_duration_seconds_sum{source="audit"} 0.08');
  });

  it('counts each stored event in sandtrap_violations_total with its labels', async () => {
    const { metrics, listener } = setup();
    listener.onBatchStored(batch());
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'sandtrap_violations_total{action="kill_process",blocked="true",syscall="ptrace",arch="x86_64",source="auditd",host="web-1",policy="nginx"} 1',
    );
    expect(text).toContain('syscall="mount"');
    expect(await value(metrics, 'sandtrap_violation_series')).toBe(2);
  });

  it('folds past the cap and counts the folds', async () => {
    const { metrics, listener } = setup(1);
    listener.onBatchStored(batch());
    expect(await value(metrics, 'sandtrap_violation_series_folded_total', { label: 'syscall' })).toBe(1);
    expect(await value(metrics, 'sandtrap_violations_total', { syscall: 'other', host: 'other' })).toBe(1);
  });

  it('counts events sharing a shape per shape, batch after batch, folded or not', async () => {
    const { metrics, listener } = setup(1);
    const ptrace = event(0);
    const mount = event(0, { action: 'errno', syscall: { arch: 'x86_64', name: 'mount' } });
    const stored = (shape: SecurityEvent, n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...shape, eventKey: `s${i}`, shape }));
    for (let b = 0; b < 3; b++) {
      listener.onBatchStored(batch({ events: [...stored(ptrace, 4), ...stored(mount, 2)] }));
    }
    // The first shape takes the one series there is; the second is folded every time.
    expect(await value(metrics, 'sandtrap_violations_total', { syscall: 'ptrace', host: 'web-1' })).toBe(12);
    expect(await value(metrics, 'sandtrap_violations_total', { syscall: 'other', host: 'other' })).toBe(6);
    expect(await value(metrics, 'sandtrap_violation_series_folded_total', { label: 'syscall' })).toBe(6);
  });

  it('counts failed batches', async () => {
    const { metrics, listener } = setup();
    listener.onBatchFailed({ source: 'events', error: new Error('db down') });
    expect(
      await value(metrics, 'sandtrap_ingest_batches_total', { source: 'events', outcome: 'failed' }),
    ).toBe(1);
  });

  it('starts from zero in a new instance (a restart)', async () => {
    const first = setup();
    first.listener.onBatchStored(batch());
    const second = setup();
    expect(await value(second.metrics, 'sandtrap_ingest_events_accepted_total', { source: 'audit' })).toBe(0);
    expect(await second.metrics.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });
});

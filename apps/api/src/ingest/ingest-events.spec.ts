import { describe, expect, it } from 'vitest';
import { IngestEvents, type BatchStored } from './ingest-events.js';

const batch: BatchStored = {
  source: 'events',
  accepted: 1,
  duplicates: 0,
  rejected: 0,
  rejectReasons: {},
  durationMs: 1,
  dbMs: 1,
  events: [],
  lostRecords: 0,
};

describe('IngestEvents', () => {
  it('reaches every listener even when one throws, and stops after unsubscribe', () => {
    const events = new IngestEvents();
    const seen: string[] = [];
    events.onBatchStored(() => {
      throw new Error('listener bug');
    });
    const off = events.onBatchStored((e) => seen.push(e.source));
    expect(() => events.batchStored(batch)).not.toThrow();
    off();
    events.batchStored(batch);
    expect(seen).toEqual(['events']);
  });
});

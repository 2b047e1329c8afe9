import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import type { StoredEvent } from './ingest-batch.js';

export interface BatchStored {
  source: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectReasons: Record<string, number>;
  durationMs: number;
  dbMs: number;
  /**
   * The accepted, newly stored events, as listeners read them (events of one shape may be one
   * shared object: count them by identity, never change them).
   */
  events: StoredEvent[];
  /** Kernel records the sender reported lost (audit `lost=`/suppressed callbacks). */
  lostRecords: number;
}

export interface BatchFailed {
  source: string;
  error: Error;
}

/** One ingest transaction of the group commit: how many requests and events it wrote together. */
export interface GroupWritten {
  requests: number;
  events: number;
}

interface IngestEventMap {
  batchStored: [BatchStored];
  batchFailed: [BatchFailed];
  groupWritten: [GroupWritten];
}

/**
 * What ingest tells the rest of the API after a batch: metrics and alert rules subscribe here,
 * so ingest never imports them. Listeners run synchronously after commit; one that throws is logged and skipped.
 */
@Injectable()
export class IngestEvents {
  private readonly emitter = new EventEmitter<IngestEventMap>();
  private readonly logger = new Logger('ingest');

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  onBatchStored(listener: (e: BatchStored) => void): () => void {
    this.emitter.on('batchStored', listener);
    return () => this.emitter.off('batchStored', listener);
  }

  onBatchFailed(listener: (e: BatchFailed) => void): () => void {
    this.emitter.on('batchFailed', listener);
    return () => this.emitter.off('batchFailed', listener);
  }

  onGroupWritten(listener: (e: GroupWritten) => void): () => void {
    this.emitter.on('groupWritten', listener);
    return () => this.emitter.off('groupWritten', listener);
  }

  groupWritten(e: GroupWritten): void {
    this.emit('groupWritten', e);
  }

  batchStored(e: BatchStored): void {
    this.emit('batchStored', e);
  }

  batchFailed(e: BatchFailed): void {
    this.emit('batchFailed', e);
  }

  /** The batch is already committed: a failing listener must not turn its 202 into a 500. */
  private emit<K extends keyof IngestEventMap>(name: K, ...args: IngestEventMap[K]): void {
    for (const listener of this.emitter.listeners(name) as Array<(...a: IngestEventMap[K]) => void>) {
      try {
        listener(...args);
      } catch (error) {
        this.logger.error(`an ${name} listener failed: ${(error as Error).message}`);
      }
    }
  }
}

import { AuditStreamParser } from '@sandtrap/audit';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { parseAuditLines } from './audit-outputs.js';
import {
  isAuditRecord,
  isKmsgCheckpoint,
  missedBetween,
  parseKmsgRecord,
  type KmsgCheckpoint,
} from './kmsg-record.js';
import { SourceUnavailableError, type Source, type SourceContext } from './source.js';

const RECORD_BYTES = 8192;
const BATCH_RECORDS = 1000;
const CHECKPOINT_EVERY_MS = 5_000;

export interface KmsgSourceOptions {
  device?: string;
  pollMs?: number;
}

/**
 * Reads audit records from /dev/kmsg (what the kernel logs when auditd is not running), one
 * record per read(), non-blocking with a short poll so stop() is prompt.
 */
export class KmsgSource implements Source {
  readonly name = 'kmsg';
  private fd = -1;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly options: KmsgSourceOptions = {}) {}

  start(ctx: SourceContext): Promise<void> {
    const device = this.options.device ?? '/dev/kmsg';
    try {
      this.fd = openSync(device, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw new SourceUnavailableError('kmsg', `cannot open ${device}: ${(error as Error).message}`);
    }
    const store = new CheckpointStore<KmsgCheckpoint>(join(ctx.stateDir, 'sequence.json'), isKmsgCheckpoint);
    const saved = store.load();
    // A saved sequence of another boot means nothing now: this boot's records are all new.
    let lastSeq = saved?.bootId === ctx.bootId ? saved.seq : undefined;
    if (!saved) lastSeq = this.skipToEnd();
    this.running = this.run(ctx, store, lastSeq).catch((error: unknown) =>
      ctx.log.error({ err: error }, 'kmsg source stopped'),
    );
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private skipToEnd(): number | undefined {
    let last: number | undefined;
    for (;;) {
      const text = this.readRecord();
      if (text === undefined) return last;
      if (text === null) continue;
      last = parseKmsgRecord(text)?.seq ?? last;
    }
  }

  /** One record; null after EPIPE (records overwritten), undefined when there is none yet. */
  private readRecord(): string | null | undefined {
    const buffer = Buffer.allocUnsafe(RECORD_BYTES);
    try {
      const n = readSync(this.fd, buffer, 0, RECORD_BYTES, null);
      return buffer.toString('utf8', 0, n);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return undefined;
      if (code === 'EPIPE') return null;
      throw error;
    }
  }

  private async run(ctx: SourceContext, store: CheckpointStore<KmsgCheckpoint>, start: number | undefined) {
    const parser = new AuditStreamParser({ host: ctx.host, bootId: ctx.bootId, source: 'kmsg' });
    let lastSeq = start;
    let savedAt = 0;
    while (!this.abort.signal.aborted) {
      const lines: string[] = [];
      let lost = 0;
      let drained = false;
      let seen = 0;
      while (seen < BATCH_RECORDS) {
        const text = this.readRecord();
        if (text === undefined) {
          drained = true;
          break;
        }
        if (text === null) continue; // the sequence gap of the next record counts the loss
        const record = parseKmsgRecord(text);
        if (!record || (lastSeq !== undefined && record.seq <= lastSeq)) continue;
        lost += missedBetween(lastSeq, record.seq);
        lastSeq = record.seq;
        seen++;
        if (isAuditRecord(record)) lines.push(record.line);
      }
      const parsed = parseAuditLines(parser, lines);
      const checkpoint = lastSeq === undefined ? undefined : { bootId: ctx.bootId, seq: lastSeq };
      if (parsed.events.length > 0 || lost > 0) {
        await ctx.emit({ events: parsed.events, lost, checkpoint });
      }
      if (checkpoint && (parsed.events.length > 0 || Date.now() - savedAt > CHECKPOINT_EVERY_MS)) {
        store.save(checkpoint);
        savedAt = Date.now();
      }
      if (drained) {
        await sleep(this.options.pollMs ?? 100, undefined, { signal: this.abort.signal }).catch(
          () => undefined,
        );
      }
    }
  }
}

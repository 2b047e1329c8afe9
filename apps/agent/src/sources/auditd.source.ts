import { AuditStreamParser } from '@sandtrap/audit';
import { join } from 'node:path';
import { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { isFilePosition, type FilePosition } from '../tail/file-position.js';
import { FileTailer } from '../tail/file-tailer.js';
import { parseAuditLines } from './audit-outputs.js';
import { planAuditBytes, planAuditPassthrough } from './audit-passthrough.js';
import type { Source, SourceContext } from './source.js';

export interface AuditdSourceOptions {
  path: string;
  /** With no checkpoint, ship the whole existing log (default: only new lines). */
  fromStart?: boolean;
  pollMs?: number;
}

/**
 * Tails auditd's log (raw or enriched format) across rotation, resuming from inode + offset.
 * SECCOMP records without sibling records in the read are shipped as audit text with the
 * containers of their processes, for the service to parse (audit-passthrough.ts); the rest, and
 * reads the service could read differently, are parsed here into SecurityEvents.
 */
export class AuditdSource implements Source {
  readonly name = 'auditd';
  private tailer: FileTailer | undefined;

  constructor(private readonly options: AuditdSourceOptions) {}

  start(ctx: SourceContext): Promise<void> {
    const store = new CheckpointStore<FilePosition>(join(ctx.stateDir, 'position.json'), isFilePosition);
    const parser = new AuditStreamParser({ host: ctx.host, bootId: ctx.bootId, source: 'auditd' });
    const containerOf = ctx.containerOf?.bind(ctx);
    const emitParsed = async (lines: readonly string[], position: FilePosition) => {
      const parsed = parseAuditLines(parser, lines);
      if (parsed.errors > 0)
        ctx.log.debug({ errors: parsed.errors, first: parsed.firstError }, 'unparsed audit lines');
      await ctx.emit({ events: parsed.events, lost: parsed.lost, checkpoint: position });
    };
    this.tailer = new FileTailer({
      path: this.options.path,
      checkpoint: store.load(),
      fromStart: this.options.fromStart,
      beforeRead: ctx.ready?.bind(ctx),
      pollMs: this.options.pollMs,
      // A plain read goes to the spool as the bytes it is (plus the container annotations of its
      // records in containers, less the records it leaves out or parses here), never decoded.
      onBytes: async (bytes, position) => {
        const planned = ctx.emitAudit && containerOf && planAuditBytes(bytes, containerOf);
        if (!planned) return false;
        if (planned.events > 0)
          await ctx.emitAudit!({ chunks: planned.chunks, events: planned.events, checkpoint: position });
        if (planned.parse.length > 0) await emitParsed(planned.parse, position);
        store.save(position);
        return true;
      },
      onLines: async (lines, position) => {
        const plan = ctx.emitAudit && containerOf && planAuditPassthrough(lines, containerOf);
        if (plan) {
          // Both are in the spools before the position is saved; a crash between them resends
          // both, which the event keys make harmless.
          if (plan.events > 0)
            await ctx.emitAudit!({ lines: plan.lines, events: plan.events, checkpoint: position });
          if (plan.parse.length > 0) await emitParsed(plan.parse, position);
        } else await emitParsed(lines, position);
        store.save(position);
      },
      onError: (error) => ctx.log.error({ err: error }, 'auditd tailer stopped'),
    });
    this.tailer.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.tailer?.stop();
  }
}

import { AuditStreamParser } from '@sandtrap/audit';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { parseAuditLines } from './audit-outputs.js';
import { asAgentEvent } from './journal-event.js';
import { SourceUnavailableError, type Source, type SourceContext } from './source.js';

interface JournalCursor {
  cursor: string;
}

const isJournalCursor = (value: unknown): value is JournalCursor =>
  typeof value === 'object' && value !== null && typeof (value as JournalCursor).cursor === 'string';

const BATCH_LINES = 500;
const BATCH_MS = 100;

/** journalctl arguments: follow the audit transport from a saved cursor, or from now. */
export function journalctlArgs(cursor: string | undefined): string[] {
  const args = ['-f', '-o', 'json', '--no-pager', '_TRANSPORT=audit'];
  return cursor ? [...args, '--after-cursor', cursor] : [...args, '-n', '0'];
}

/** The `__CURSOR` of a journalctl JSON line, or undefined for garbage. */
export function journalCursorOf(line: string): string | undefined {
  try {
    const cursor = (JSON.parse(line) as Record<string, unknown>).__CURSOR;
    return typeof cursor === 'string' ? cursor : undefined;
  } catch {
    return undefined;
  }
}

/** Audit records from the journal (`journalctl -f -o json _TRANSPORT=audit`), resuming by cursor. */
export class JournaldSource implements Source {
  readonly name = 'journald';
  private child: ChildProcess | undefined;
  private done: Promise<void> | undefined;

  constructor(private readonly options: { journalctl?: string } = {}) {}

  async start(ctx: SourceContext): Promise<void> {
    const store = new CheckpointStore<JournalCursor>(join(ctx.stateDir, 'cursor.json'), isJournalCursor);
    const parser = new AuditStreamParser({ host: ctx.host, bootId: ctx.bootId, source: 'journald' });
    const child = spawn(this.options.journalctl ?? 'journalctl', journalctlArgs(store.load()?.cursor), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new SourceUnavailableError('journald', error.message)));
    });
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    child.stderr!.on('data', (chunk: Buffer) =>
      ctx.log.warn({ stderr: chunk.toString().trim() }, 'journalctl'),
    );
    let pending: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    let chain = Promise.resolve();
    const ship = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = pending;
      pending = [];
      if (batch.length === 0) return;
      lines.pause();
      chain = chain
        .then(async () => {
          const parsed = parseAuditLines(parser, batch);
          const cursor = journalCursorOf(batch.at(-1)!);
          const events = parsed.events.map((event) => asAgentEvent(event, ctx.host));
          await ctx.emit({ events, lost: parsed.lost, checkpoint: cursor });
          if (cursor) store.save({ cursor });
        })
        .catch((error: unknown) => ctx.log.error({ err: error }, 'journald batch failed'))
        .finally(() => lines.resume());
    };
    lines.on('line', (line) => {
      pending.push(line);
      if (pending.length >= BATCH_LINES) ship();
      else timer ??= setTimeout(ship, BATCH_MS);
    });
    this.done = new Promise((resolve) => {
      lines.once('close', () => {
        ship();
        void chain.then(resolve);
      });
    });
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.done;
  }
}

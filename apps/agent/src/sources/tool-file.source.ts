import { createToolAdapter, type SecurityEvent, type ToolName } from '@sandtrap/events';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { isFilePosition, type FilePosition } from '../tail/file-position.js';
import { FileTailer } from '../tail/file-tailer.js';
import type { Source, SourceContext } from './source.js';

export interface ToolFileSourceOptions {
  tool: ToolName;
  /** A file of the tool's JSON output, a named pipe, or `-` for stdin. */
  path: string;
  fromStart?: boolean;
}

/** Follows Tetragon/Falco/Tracee/Inspektor Gadget JSON output from a file, pipe or stdin. */
export class ToolFileSource implements Source {
  readonly name: string;
  private tailer: FileTailer | undefined;
  private stream: Readable | undefined;
  private done: Promise<void> | undefined;

  constructor(private readonly options: ToolFileSourceOptions) {
    this.name = options.tool;
  }

  start(ctx: SourceContext): Promise<void> {
    const adapter = createToolAdapter(this.options.tool, { host: ctx.host, forceHost: true });
    let rejected = 0;
    const adapt = (lines: readonly string[]): SecurityEvent[] => {
      const events: SecurityEvent[] = [];
      for (const line of lines) {
        const result = adapter.adaptLine(line);
        if (result.ok) {
          if (result.event) events.push(result.event);
        } else if (rejected++ % 1000 === 0) {
          ctx.log.warn(
            { code: result.error.code, message: result.error.message, rejected },
            'unreadable tool line',
          );
        }
      }
      return events;
    };

    if (
      this.options.path !== '-' &&
      statSync(this.options.path, { throwIfNoEntry: false })?.isFIFO() !== true
    ) {
      const store = new CheckpointStore<FilePosition>(join(ctx.stateDir, 'position.json'), isFilePosition);
      this.tailer = new FileTailer({
        path: this.options.path,
        checkpoint: store.load(),
        fromStart: this.options.fromStart,
        beforeRead: ctx.ready?.bind(ctx),
        onLines: async (lines, position) => {
          await ctx.emit({ events: adapt(lines), checkpoint: position });
          store.save(position);
        },
        onError: (error) => ctx.log.error({ err: error }, `${this.name} tailer stopped`),
      });
      this.tailer.start();
      return Promise.resolve();
    }

    // Pipes and stdin have no position to resume from: what was read is in the spool.
    this.stream = this.options.path === '-' ? process.stdin : createReadStream(this.options.path);
    const lines = createInterface({ input: this.stream, crlfDelay: Infinity });
    let chain = Promise.resolve();
    lines.on('line', (line) => {
      const events = adapt([line]);
      if (events.length === 0) return;
      lines.pause();
      chain = chain
        .then(() => ctx.emit({ events }))
        .catch((error: unknown) => ctx.log.error({ err: error }, `${this.name} emit failed`))
        .finally(() => lines.resume());
    });
    this.done = new Promise((resolve) => lines.once('close', () => void chain.then(resolve)));
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.tailer?.stop();
    if (this.stream && this.stream !== process.stdin) this.stream.destroy();
    if (this.stream !== process.stdin) await this.done;
  }
}

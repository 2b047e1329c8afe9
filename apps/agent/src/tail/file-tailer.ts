import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { planStart, type FilePosition } from './file-position.js';

export interface FileTailerOptions {
  path: string;
  /** Resume point saved by the caller after its last `onLines` resolved. */
  checkpoint?: FilePosition;
  /** With no checkpoint: read the file from its start (default: only what is appended). */
  fromStart?: boolean;
  pollMs?: number;
  /** Bytes per read. */
  chunkBytes?: number;
  /** Complete lines and the position just after them; the tailer waits for it (backpressure). */
  onLines(lines: string[], position: FilePosition): Promise<void>;
  onError?(error: Error): void;
}

interface OpenFile {
  fd: number;
  inode: number;
  offset: number;
}

/**
 * Follows a log file across rename rotation (finishes the old file to EOF, then opens the new one
 * at 0) and copy-truncate (size below our offset: restart at 0), resuming from inode + offset.
 */
export class FileTailer {
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly wake = new AbortController();

  constructor(private readonly options: FileTailerOptions) {}

  start(): void {
    this.running = this.run().catch((error: unknown) => this.options.onError?.(error as Error));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    let file = this.openAtStart();
    let pending = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(this.options.chunkBytes ?? 1 << 20);
    while (!this.stopped) {
      if (!file) {
        file = this.tryOpen(this.options.path, 0);
        if (!file) {
          await this.pause();
          continue;
        }
      }
      const read = readSync(file.fd, chunk, 0, chunk.length, file.offset + pending.length);
      if (read > 0) {
        pending = pending.length
          ? Buffer.concat([pending, chunk.subarray(0, read)])
          : Buffer.from(chunk.subarray(0, read));
        const last = pending.lastIndexOf(0x0a);
        if (last >= 0) {
          const lines = pending.toString('utf8', 0, last).split('\n');
          file.offset += last + 1;
          pending = pending.subarray(last + 1);
          await this.options.onLines(lines, { inode: file.inode, offset: file.offset });
        }
        continue;
      }
      // At EOF: has the file been rotated or truncated under us?
      const size = fstatSync(file.fd).size;
      if (size < file.offset + pending.length) {
        file.offset = 0;
        pending = Buffer.alloc(0);
        continue;
      }
      const onDisk = this.statPath();
      if (onDisk && onDisk.ino !== file.inode) {
        // Renamed away: the old file is finished (we read it to EOF); a last line without a
        // newline is complete too.
        if (pending.length > 0) {
          file.offset += pending.length;
          await this.options.onLines([pending.toString('utf8')], { inode: file.inode, offset: file.offset });
          pending = Buffer.alloc(0);
        }
        closeSync(file.fd);
        file = this.tryOpen(this.options.path, 0);
        continue;
      }
      await this.pause();
    }
    if (file) closeSync(file.fd);
  }

  private openAtStart(): OpenFile | undefined {
    const current = this.statPath();
    const saved = this.options.checkpoint;
    const rotated = saved && current?.ino !== saved.inode ? this.findRotated(saved.inode) : undefined;
    const plan = planStart(
      saved,
      current && { inode: current.ino, size: current.size },
      rotated,
      this.options.fromStart ?? false,
    );
    switch (plan.kind) {
      case 'current':
        return this.tryOpen(this.options.path, plan.offset);
      case 'rotated':
        return this.tryOpen(plan.path, plan.offset);
      case 'end':
        return this.tryOpen(this.options.path, current?.size ?? 0);
    }
  }

  /** The rotated predecessor (audit.log.1 ...) still holding our saved inode, if any. */
  private findRotated(inode: number): { path: string; inode: number; size: number } | undefined {
    const dir = dirname(this.options.path);
    const prefix = basename(this.options.path);
    try {
      for (const name of readdirSync(dir)) {
        if (!name.startsWith(prefix) || name === prefix) continue;
        const stat = statSync(join(dir, name));
        if (stat.ino === inode) return { path: join(dir, name), inode, size: stat.size };
      }
    } catch {
      return undefined;
    }
    return undefined;
  }

  private tryOpen(path: string, offset: number): OpenFile | undefined {
    try {
      const fd = openSync(path, 'r');
      return { fd, inode: fstatSync(fd).ino, offset };
    } catch {
      return undefined;
    }
  }

  private statPath(): { ino: number; size: number } | undefined {
    try {
      return statSync(this.options.path);
    } catch {
      return undefined;
    }
  }

  private async pause(): Promise<void> {
    await sleep(this.options.pollMs ?? 200, undefined, { signal: this.wake.signal }).catch(() => undefined);
  }
}

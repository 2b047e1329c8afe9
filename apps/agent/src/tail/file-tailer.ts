import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { planStart, type FilePosition } from './file-position.js';

export interface FileTailerOptions {
  path: string;
  /** Resume point saved by the caller after its last `onLines` resolved. */
  checkpoint?: FilePosition;
  /** With no checkpoint: read the file from its start (default: only what is appended). */
  fromStart?: boolean;
  pollMs?: number;
  /**
   * Bytes per read (default 256 KiB). What one read turns into (its text, lines, events, their
   * JSON) is alive until the spool has it, and whatever a scavenge finds alive is promoted to the
   * old generation: 1 MiB reads took the agent's peak RSS to 180-200 MB, 256 KiB to 150-160 MB
   * at the same CPU (test/bench/RESULTS.md, Agent).
   */
  chunkBytes?: number;
  /**
   * Awaited before every read: a consumer that is behind holds the tailer here, before the next
   * chunk is read and decoded, so no lines wait in memory for it (backpressure).
   */
  beforeRead?(): Promise<void>;
  /** Complete lines and the position just after them; the tailer waits for it (backpressure). */
  onLines(lines: string[], position: FilePosition): Promise<void>;
  /**
   * Offered first, before the bytes are decoded: complete lines, each ending in a newline, as a
   * view of the tailer's buffer (valid until the promise settles). Resolving true means they are
   * handled; false hands them to `onLines` as strings.
   */
  onBytes?(bytes: Buffer, position: FilePosition): Promise<boolean>;
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
    // One buffer for every read: an incomplete last line is moved to its start and the next read
    // lands after it, so no per-read copy is left for the GC (it grows only for a longer line).
    let chunk = Buffer.allocUnsafe(this.options.chunkBytes ?? 256 << 10);
    let carry = 0;
    while (!this.stopped) {
      if (!file) {
        file = this.tryOpen(this.options.path, 0);
        if (!file) {
          await this.pause();
          continue;
        }
      }
      if (this.options.beforeRead) {
        await this.options.beforeRead();
        if (this.stopped) break;
      }
      if (carry === chunk.length) {
        const bigger = Buffer.allocUnsafe(chunk.length * 2);
        chunk.copy(bigger, 0, 0, carry);
        chunk = bigger;
      }
      const read = readSync(file.fd, chunk, carry, chunk.length - carry, file.offset + carry);
      if (read > 0) {
        const end = carry + read;
        const last = chunk.lastIndexOf(0x0a, end - 1);
        if (last >= 0) {
          const position = { inode: file.inode, offset: file.offset + last + 1 };
          const handled =
            this.options.onBytes !== undefined &&
            (await this.options.onBytes(chunk.subarray(0, last + 1), position));
          const lines = handled ? undefined : chunk.toString('utf8', 0, last).split('\n');
          file.offset += last + 1;
          carry = end - (last + 1);
          chunk.copy(chunk, 0, last + 1, end);
          if (lines) await this.options.onLines(lines, position);
        } else {
          carry = end;
        }
        // Catching up on a large file is read after read with nothing to wait for: let timers
        // (heartbeat, flushes) and I/O (the shipper's requests) run between reads.
        await yieldToLoop();
        continue;
      }
      // At EOF: has the file been rotated or truncated under us?
      const size = fstatSync(file.fd).size;
      if (size < file.offset + carry) {
        file.offset = 0;
        carry = 0;
        continue;
      }
      const onDisk = this.statPath();
      if (onDisk && onDisk.ino !== file.inode) {
        // Renamed away: the old file is finished (we read it to EOF); a last line without a
        // newline is complete too.
        if (carry > 0) {
          file.offset += carry;
          const line = chunk.toString('utf8', 0, carry);
          carry = 0;
          await this.options.onLines([line], { inode: file.inode, offset: file.offset });
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

import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  completeLength,
  countLines,
  parseSegmentFileName,
  scanSegmentLines,
  segmentFileName,
  splitSegmentLines,
} from './spool-segment.js';
import { SpoolError } from './spool.errors.js';

export interface SpoolOptions {
  dir: string;
  /** Bound on the spool's files; past it the oldest segments go first. */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
  /** Largest single line accepted (an event is bounded well below it). */
  maxLineBytes?: number;
}

export interface SpoolPosition {
  segment: number;
  offset: number;
}

/** A run of lines read from one segment: ship them, then `ack` it. */
export class SpoolBatch {
  constructor(
    /**
     * The lines as stored: NDJSON, each line ending in a newline (what the service takes). A view
     * of the spool's read buffer: valid until the next `read` of the spool.
     */
    readonly bytes: Buffer,
    /** How many lines. */
    readonly count: number,
    readonly segment: number,
    readonly start: number,
    readonly end: number,
  ) {}

  /** The lines decoded, without their newlines (for splitting a refused batch). */
  get lines(): string[] {
    return splitSegmentLines(this.bytes, this.count).lines;
  }
}

export interface SpoolStats {
  /** Events written and not yet acknowledged by the service. */
  depth: number;
  bytes: number;
  segments: number;
  /** Events dropped unshipped because the spool hit its size bound. */
  droppedEvents: number;
  /** Bytes of torn last lines cut off at open (after a crash). */
  tornBytes: number;
}

interface Segment {
  id: number;
  size: number;
  lines: number;
}

const ACK_FILE = 'ack.json';
const READ_CHUNK_BYTES = 4 << 20;

/**
 * Durable queue of NDJSON lines in fsync'd segment files. `append` returns only after the lines
 * are on disk; `ack` (after the service answered 202) persists the read position and deletes
 * segments wholly behind it. One writer and one reader, in one process.
 */
export class Spool {
  private readonly segmentBytes: number;
  private readonly maxLineBytes: number;
  private segments: Segment[] = [];
  private writeFd = -1;
  private ack: SpoolPosition = { segment: 0, offset: 0 };
  /** Lines of the ack segment that are behind `ack.offset`. */
  private ackedLinesInSegment = 0;
  private cursor: SpoolPosition = { segment: 0, offset: 0 };
  private droppedEvents = 0;
  private tornBytes = 0;
  private readonly waiters = new Set<() => void>();
  /** Reused for every read: a batch's bytes are a view of it, valid until the next read. */
  private readBuffer: Buffer | undefined;

  constructor(private readonly options: SpoolOptions) {
    this.segmentBytes = options.segmentBytes ?? 8 << 20;
    this.maxLineBytes = options.maxLineBytes ?? 1 << 20;
  }

  /** Opens or recovers the spool: cuts torn tails, counts what is pending, starts a new segment. */
  open(): void {
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    this.ack = this.readAck();
    const ids = readdirSync(this.options.dir)
      .map(parseSegmentFileName)
      .filter((id): id is number => id !== undefined)
      .sort((a, b) => a - b);
    for (const id of ids) {
      if (id < this.ack.segment) {
        rmSync(this.path(id), { force: true });
        continue;
      }
      const bytes = readFileSync(this.path(id));
      const complete = completeLength(bytes);
      if (complete < bytes.length) {
        // A crash mid-append: the source never got its emit resolved for this line.
        this.tornBytes += bytes.length - complete;
        const fd = openSync(this.path(id), 'r+');
        try {
          ftruncateSync(fd, complete);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      if (complete === 0 || (id === this.ack.segment && this.ack.offset >= complete)) {
        // Empty, or wholly shipped before the restart.
        rmSync(this.path(id), { force: true });
        continue;
      }
      const body = bytes.subarray(0, complete);
      this.segments.push({ id, size: complete, lines: countLines(body) });
      if (id === this.ack.segment) {
        this.ackedLinesInSegment = countLines(body.subarray(0, Math.min(this.ack.offset, complete)));
      }
    }
    const first = this.segments[0];
    if (!first || first.id > this.ack.segment) {
      this.ack = { segment: first?.id ?? 0, offset: 0 };
      this.ackedLinesInSegment = 0;
    }
    this.cursor = { ...this.ack };
    this.startSegment((this.segments.at(-1)?.id ?? 0) + 1);
  }

  close(): void {
    if (this.writeFd >= 0) closeSync(this.writeFd);
    this.writeFd = -1;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Writes the lines and fsyncs them; when this returns they survive SIGKILL and reboot. */
  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    for (const line of lines) {
      if (line.includes('\n')) throw new SpoolError('spool_io', 'a spool line may not contain a newline');
      // UTF-8 takes at most 3 bytes per UTF-16 unit: only long lines need their bytes counted.
      if (line.length * 3 > this.maxLineBytes && Buffer.byteLength(line) > this.maxLineBytes) {
        throw new SpoolError('spool_event_too_large', `an event line exceeds ${this.maxLineBytes} bytes`);
      }
    }
    // Written as a string: no Buffer of the batch is left behind for the GC (Node encodes it in
    // native memory freed on return).
    this.write(lines.join('\n') + '\n', lines.length);
  }

  /**
   * `count` lines already as bytes, each ending in a newline (a source's read passed through),
   * given as the consecutive pieces they are in (written with one writev, never joined); the
   * caller vouches for the lines (no line over the limit). Durable on return, like `append`.
   */
  appendLines(chunks: readonly Buffer[], count: number): void {
    if (count === 0) return;
    const last = chunks.at(-1);
    if (last === undefined || last[last.length - 1] !== 0x0a)
      throw new SpoolError('spool_io', 'spool lines must end in a newline');
    this.write(chunks, count);
  }

  private write(text: string | readonly Buffer[], count: number): void {
    const current = this.current();
    let written: number;
    try {
      if (typeof text === 'string') written = writeSync(this.writeFd, text);
      else written = this.writeChunks(text);
      fsyncSync(this.writeFd);
    } catch (error) {
      throw new SpoolError('spool_io', `spool write failed: ${(error as Error).message}`, { cause: error });
    }
    current.size += written;
    current.lines += count;
    if (current.size >= this.segmentBytes) this.startSegment(current.id + 1);
    this.enforceBound();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Writes the pieces in order (writev; what a short write left, piece by piece). */
  private writeChunks(chunks: readonly Buffer[]): number {
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    let written = writevSync(this.writeFd, chunks as Buffer[]);
    if (written === total) return written;
    let skip = written;
    for (const chunk of chunks) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      for (let at = skip; at < chunk.length;) {
        const n = writeSync(this.writeFd, chunk, at);
        at += n;
        written += n;
      }
      skip = 0;
    }
    return written;
  }

  /**
   * Next lines after the read cursor, all from one segment; undefined when nothing is pending.
   * The batch's bytes are overwritten by the next call.
   */
  read(maxLines: number): SpoolBatch | undefined {
    for (;;) {
      const index = this.segments.findIndex((s) => s.id >= this.cursor.segment);
      if (index < 0) return undefined;
      const segment = this.segments[index];
      if (segment.id !== this.cursor.segment) this.cursor = { segment: segment.id, offset: 0 };
      const remaining = segment.size - this.cursor.offset;
      if (remaining <= 0) {
        if (segment === this.current()) return undefined;
        this.cursor = { segment: segment.id + 1, offset: 0 };
        continue;
      }
      this.readBuffer ??= Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const most = Math.min(remaining, READ_CHUNK_BYTES);
      // About what `maxLines` lines of this segment take, not always the whole buffer: the pages
      // of the buffer that are never written stay out of the agent's RSS (4 MiB against ~1.2 MB
      // for 5,000 audit lines). A line longer than the estimate is read again with all of it.
      const average = segment.lines > 0 ? Math.ceil(segment.size / segment.lines) : 1024;
      let size = Math.min(most, Math.ceil(average * maxLines * 1.25) + (64 << 10));
      let chunk: Buffer;
      let scanned: { count: number; consumed: number };
      const fd = segment === this.current() ? this.writeFd : openSync(this.path(segment.id), 'r');
      try {
        for (;;) {
          chunk = this.readBuffer.subarray(0, size);
          readSync(fd, chunk, 0, chunk.length, this.cursor.offset);
          scanned = scanSegmentLines(chunk, maxLines);
          if (scanned.count > 0 || size === most) break;
          size = most;
        }
      } finally {
        if (fd !== this.writeFd) closeSync(fd);
      }
      const { count, consumed } = scanned;
      // Not a copy: the batch's bytes are the read buffer's, valid until the next `read` (the
      // shipper has one batch in flight and reads the next only after it), so shipping leaves no
      // batch-sized Buffer per batch for the GC.
      const bytes = chunk.subarray(0, consumed);
      const start = this.cursor.offset;
      const batch = new SpoolBatch(bytes, count, segment.id, start, start + consumed);
      this.cursor = { segment: segment.id, offset: batch.end };
      return batch;
    }
  }

  /** Makes the next `read` start again at the last acknowledged position (after a failed send). */
  rewind(): void {
    this.cursor = { ...this.ack };
  }

  /** The service has the batch: persist the position and delete segments wholly shipped. */
  ackBatch(batch: SpoolBatch): void {
    if (!this.segments.some((s) => s.id === batch.segment)) return; // dropped while in flight
    if (batch.segment > this.ack.segment) {
      this.ack = { segment: batch.segment, offset: batch.end };
      this.ackedLinesInSegment = batch.count;
    } else if (batch.segment === this.ack.segment && batch.end > this.ack.offset) {
      this.ack = { segment: batch.segment, offset: batch.end };
      this.ackedLinesInSegment += batch.count;
    } else {
      return;
    }
    const ackSegment = this.segments.find((s) => s.id === this.ack.segment)!;
    if (ackSegment !== this.current() && this.ack.offset >= ackSegment.size) {
      this.ack = { segment: ackSegment.id + 1, offset: 0 };
      this.ackedLinesInSegment = 0;
    }
    this.writeAck();
    for (const segment of this.segments.filter((s) => s.id < this.ack.segment)) this.remove(segment);
  }

  /** Resolves when lines are appended (or after `ms`). */
  waitForData(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  stats(): SpoolStats {
    let depth = -this.ackedLinesInSegment;
    let bytes = 0;
    for (const segment of this.segments) {
      bytes += segment.size;
      if (segment.id >= this.ack.segment) depth += segment.lines;
    }
    return {
      depth: Math.max(0, depth),
      bytes,
      segments: this.segments.length,
      droppedEvents: this.droppedEvents,
      tornBytes: this.tornBytes,
    };
  }

  private enforceBound(): void {
    let total = this.segments.reduce((sum, s) => sum + s.size, 0);
    while (total > this.options.maxBytes && this.segments.length > 0) {
      const oldest = this.segments[0];
      if (oldest === this.current()) {
        if (oldest.size === 0) return;
        this.startSegment(oldest.id + 1);
      }
      const unacked =
        oldest.id > this.ack.segment
          ? oldest.lines
          : oldest.id === this.ack.segment
            ? oldest.lines - this.ackedLinesInSegment
            : 0;
      this.droppedEvents += unacked;
      total -= oldest.size;
      this.remove(oldest);
      if (this.ack.segment <= oldest.id) {
        this.ack = { segment: oldest.id + 1, offset: 0 };
        this.ackedLinesInSegment = 0;
        this.writeAck();
      }
      if (this.cursor.segment <= oldest.id) this.cursor = { segment: oldest.id + 1, offset: 0 };
    }
  }

  private current(): Segment {
    return this.segments.at(-1)!;
  }

  private startSegment(id: number): void {
    if (this.writeFd >= 0) closeSync(this.writeFd);
    this.writeFd = openSync(this.path(id), 'a+', 0o600);
    this.segments.push({ id, size: fstatSync(this.writeFd).size, lines: 0 });
    this.fsyncDir();
  }

  private remove(segment: Segment): void {
    rmSync(this.path(segment.id), { force: true });
    this.segments = this.segments.filter((s) => s !== segment);
  }

  private readAck(): SpoolPosition {
    try {
      const parsed = JSON.parse(readFileSync(join(this.options.dir, ACK_FILE), 'utf8')) as unknown;
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        Number.isSafeInteger((parsed as SpoolPosition).segment) &&
        Number.isSafeInteger((parsed as SpoolPosition).offset)
      ) {
        return parsed as SpoolPosition;
      }
    } catch {
      // Missing or unreadable: start from the oldest segment (resends are harmless by event key).
    }
    return { segment: 0, offset: 0 };
  }

  private writeAck(): void {
    const target = join(this.options.dir, ACK_FILE);
    const temp = `${target}.tmp`;
    writeFileSync(temp, JSON.stringify(this.ack), { mode: 0o600, flush: true });
    renameSync(temp, target);
  }

  private fsyncDir(): void {
    const fd = openSync(this.options.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private path(id: number): string {
    return join(this.options.dir, segmentFileName(id));
  }
}

/** Total size of a spool folder's segment files (for tests and the bench). */
export function spoolBytesOnDisk(dir: string): number {
  return readdirSync(dir)
    .filter((name) => parseSegmentFileName(name) !== undefined)
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

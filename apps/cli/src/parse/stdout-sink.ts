import type { Writable } from 'node:stream';
import {
  newSeccompEventParts,
  seccompEventParts,
  seccompPartsJsonMaxBytes,
  writeSeccompPartsJson,
  type AuditRecord,
  type EventDefaults,
  type SiblingFields,
} from '@sandtrap/audit';

/** Where ParseRun writes its output lines. */
export interface LineSink {
  write(line: string): void;
  /**
   * The audit parser's event of a record (an AuditSink event), as JSON.stringify of its
   * SecurityEvent and a newline would write it. Throws where seccompEvent throws, writing nothing.
   */
  writeAuditRecord(
    record: AuditRecord,
    raw: string,
    sibling: SiblingFields | undefined,
    defaults: EventDefaults,
  ): void;
  /** True when a batch is ready to go out. */
  readonly pending: boolean;
  flush(): Promise<void>;
}

// Buffers given back that LineBuffer keeps for its next batches.
const SPARE_BUFFERS = 64;

/**
 * Output lines encoded straight into large buffers: one copy, where joining the strings first
 * and letting the stream encode the result made two.
 */
export class LineBuffer {
  private buffer: Buffer;
  private used = 0;
  // Full buffers not yet taken.
  private queue: Buffer[] = [];
  // Buffers their taker gave back (giveBack), written into again: new memory costs a page fault
  // every 4 KiB at its first write.
  private readonly spare: Buffer[] = [];
  private readonly parts = newSeccompEventParts();

  constructor(protected readonly batchBytes = 256 * 1024) {
    this.buffer = Buffer.allocUnsafe(batchBytes * 2);
  }

  write(line: string): void {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    this.reserve(line.length * 3 + 1);
    this.used += this.buffer.write(line, this.used, 'utf8');
    this.buffer[this.used++] = 10; /* \n */
  }

  writeAuditRecord(
    record: AuditRecord,
    raw: string,
    sibling: SiblingFields | undefined,
    defaults: EventDefaults,
  ): void {
    // Encoded in place from the record's parts: neither the SecurityEvent nor a JSON string is built.
    const parts = this.parts;
    seccompEventParts(record, raw, sibling, defaults, parts);
    this.reserve(seccompPartsJsonMaxBytes(parts) + 1);
    this.used = writeSeccompPartsJson(parts, this.buffer, this.used);
    this.buffer[this.used++] = 10; /* \n */
  }

  /** Room for `most` more bytes in the current buffer. */
  private reserve(most: number): void {
    if (this.used + most > this.buffer.length) {
      if (this.used > 0) this.queue.push(this.buffer.subarray(0, this.used));
      this.buffer = this.newBuffer(most);
      this.used = 0;
    }
  }

  get pending(): boolean {
    return this.used >= this.batchBytes || this.queue.length > 0;
  }

  /** A buffer of at least `most` bytes (and of a batch's two): one given back, else a new one. */
  private newBuffer(most: number): Buffer {
    const size = this.batchBytes * 2;
    if (most <= size) {
      const spare = this.spare.pop();
      if (spare !== undefined) return spare;
    }
    return Buffer.allocUnsafe(Math.max(size, most));
  }

  /**
   * A buffer take() gave out, once its taker no longer reads it: written into again. Buffers of
   * another size are left to the garbage collector.
   */
  giveBack(buffer: Buffer): void {
    if (buffer.length === this.batchBytes * 2 && this.spare.length < SPARE_BUFFERS) this.spare.push(buffer);
  }

  /** Everything written so far, in order; the caller owns the buffers. */
  take(): Buffer[] {
    if (this.used > 0) {
      this.queue.push(this.buffer.subarray(0, this.used));
      // The taker keeps the written bytes: the next batch gets another buffer.
      this.buffer = this.newBuffer(0);
      this.used = 0;
    }
    const chunks = this.queue;
    this.queue = [];
    return chunks;
  }
}

/** The whole buffer a chunk take() gave out is the start of. */
export function wholeBuffer(chunk: Uint8Array): Buffer {
  return Buffer.from(chunk.buffer, 0, chunk.byteOffset === 0 ? chunk.buffer.byteLength : 0);
}

/** Batches output lines into large writes and waits for the stream to drain (backpressure). */
export class StdoutSink extends LineBuffer implements LineSink {
  /**
   * `reuseWritten`: the stream has copied a chunk's bytes out by the time it calls the chunk's
   * write callback, as a stream over a file descriptor does (process.stdout, fs streams), so
   * the buffer can be written into again. Not so a PassThrough, which hands the chunk itself on.
   */
  constructor(
    private readonly stream: Writable,
    batchBytes = 256 * 1024,
    readonly reuseWritten = false,
  ) {
    super(batchBytes);
  }

  async flush(): Promise<void> {
    for (const chunk of this.take())
      await this.writeRaw(chunk, this.reuseWritten ? () => this.giveBack(wholeBuffer(chunk)) : undefined);
  }

  /**
   * Bytes already encoded elsewhere (a parse worker), written after what is batched here;
   * `written` is called once the stream calls the write's callback (see reuseWritten).
   */
  async writeRaw(chunk: Uint8Array, written?: () => void): Promise<void> {
    if (!this.stream.write(chunk, written))
      await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  async end(): Promise<void> {
    await this.flush();
  }
}

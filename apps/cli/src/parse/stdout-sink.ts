import type { Writable } from 'node:stream';

/**
 * Batches output lines into large writes and waits for the stream to drain (backpressure).
 * Lines are encoded straight into one buffer per batch: one copy, where joining the strings
 * first and letting the stream encode the result made two.
 */
export class StdoutSink {
  private buffer: Buffer;
  private used = 0;
  // Full buffers not yet handed to the stream.
  private queue: Buffer[] = [];

  constructor(
    private readonly stream: Writable,
    private readonly batchBytes = 256 * 1024,
  ) {
    this.buffer = Buffer.allocUnsafe(batchBytes * 2);
  }

  write(line: string): void {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const most = line.length * 3 + 1;
    if (this.used + most > this.buffer.length) {
      if (this.used > 0) this.queue.push(this.buffer.subarray(0, this.used));
      this.buffer = Buffer.allocUnsafe(Math.max(this.batchBytes * 2, most));
      this.used = 0;
    }
    this.used += this.buffer.write(line, this.used, 'utf8');
    this.buffer[this.used++] = 10; /* \n */
  }

  get pending(): boolean {
    return this.used >= this.batchBytes || this.queue.length > 0;
  }

  async flush(): Promise<void> {
    if (this.used > 0) {
      this.queue.push(this.buffer.subarray(0, this.used));
      // The stream keeps the written bytes until they are out: the next batch gets a new buffer.
      this.buffer = Buffer.allocUnsafe(this.buffer.length);
      this.used = 0;
    }
    const chunks = this.queue;
    this.queue = [];
    for (const chunk of chunks) {
      if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
    }
  }

  async end(): Promise<void> {
    await this.flush();
  }
}

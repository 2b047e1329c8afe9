import type { Writable } from 'node:stream';

/** Batches output lines into large writes and waits for the stream to drain (backpressure). */
export class StdoutSink {
  private buffer = '';

  constructor(
    private readonly stream: Writable,
    private readonly batchChars = 256 * 1024,
  ) {}

  write(line: string): void {
    this.buffer += line;
    this.buffer += '\n';
  }

  get pending(): boolean {
    return this.buffer.length >= this.batchChars;
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer;
    this.buffer = '';
    if (!this.stream.write(text)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  async end(): Promise<void> {
    await this.flush();
  }
}

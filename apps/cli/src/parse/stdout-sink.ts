import type { Writable } from 'node:stream';

/** Batches output lines into large writes and waits for the stream to drain (backpressure). */
export class StdoutSink {
  // An array joined once per batch: appending to one string builds cons-string trees for the GC.
  private lines: string[] = [];
  private chars = 0;

  constructor(
    private readonly stream: Writable,
    private readonly batchChars = 256 * 1024,
  ) {}

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
  }

  get pending(): boolean {
    return this.chars >= this.batchChars;
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    this.lines.push('');
    const text = this.lines.join('\n');
    this.lines = [];
    this.chars = 0;
    if (!this.stream.write(text)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  async end(): Promise<void> {
    await this.flush();
  }
}

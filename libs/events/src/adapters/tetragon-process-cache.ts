/** What a Tetragon process_exec told us about a process, for later events that omit it. */
export interface TetragonProcessContext {
  pid?: number;
  ppid?: number;
  exe?: string;
  cmdline?: string;
}

/**
 * Process contexts keyed by exec_id, least recently added evicted first. Bounded: a long-running
 * stream sees millions of execs, most of which never raise an alert.
 */
export class TetragonProcessCache {
  private readonly entries = new Map<string, TetragonProcessContext>();

  constructor(private readonly capacity = 16384) {}

  remember(execId: string, context: TetragonProcessContext): void {
    this.entries.delete(execId);
    this.entries.set(execId, context);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  lookup(execId: string | undefined): TetragonProcessContext | undefined {
    return execId === undefined ? undefined : this.entries.get(execId);
  }

  get size(): number {
    return this.entries.size;
  }
}

import { withContainer, type EventContainer, type SecurityEvent } from '@sandtrap/events';
import { readFileSync } from 'node:fs';
import { containerFromCgroup } from './cgroup-path.js';

export interface ContainerResolverOptions {
  maxEntries?: number;
  ttlMs?: number;
  /** Reads /proc/<pid>/cgroup; undefined when the process is gone. */
  readCgroup?: (pid: number) => string | undefined;
  now?: () => number;
}

interface Entry {
  container: EventContainer | undefined;
  expires: number;
}

const readProcCgroup = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * Adds the container of an event's process while it lives, cached by pid (LRU, short TTL, since
 * pids are reused).
 */
export class ContainerResolver {
  private readonly cache = new Map<number, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly readCgroup: (pid: number) => string | undefined;
  private readonly now: () => number;

  constructor(options: ContainerResolverOptions = {}) {
    this.maxEntries = options.maxEntries ?? 4096;
    this.ttlMs = options.ttlMs ?? 10_000;
    this.readCgroup = options.readCgroup ?? readProcCgroup;
    this.now = options.now ?? Date.now;
  }

  resolve(pid: number): EventContainer | undefined {
    const now = this.now();
    const hit = this.cache.get(pid);
    if (hit && hit.expires > now) {
      this.cache.delete(pid); // re-insert: most recently used last
      this.cache.set(pid, hit);
      return hit.container;
    }
    const text = this.readCgroup(pid);
    const container = text === undefined ? undefined : containerFromCgroup(text);
    // A process already gone is cached too (for the same short TTL): bursts of events from dead
    // pids would otherwise cost a failed open each, the agent's largest CPU cost in the bench.
    this.cache.delete(pid);
    this.cache.set(pid, { container, expires: now + this.ttlMs });
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return container;
  }

  /** Fills `container` on events that have a pid and no container yet. */
  enrich(event: SecurityEvent): SecurityEvent {
    const pid = event.process?.pid;
    if (pid === undefined || event.container?.id) return event;
    return withContainer(event, this.resolve(pid));
  }

  get size(): number {
    return this.cache.size;
  }
}

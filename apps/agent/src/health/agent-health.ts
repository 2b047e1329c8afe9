import type { HeartbeatStats } from '../service/service-client.js';

/** The agent's own counters: the heartbeat body and the local /metrics are both read from here. */
export class AgentHealth {
  eventsRead = 0;
  /** Of eventsRead: audit records spooled as audit text, for the service to parse. */
  eventsPassedThrough = 0;
  eventsShipped = 0;
  /** Events the service refused as invalid (counted, logged, not retried). */
  eventsRejected = 0;
  eventsDuplicate = 0;
  lostKernelRecords = 0;
  lastError: string | undefined;
  lastErrorAt: number | undefined;
  readonly perSource = new Map<string, { read: number; lost: number; error?: string }>();

  source(name: string) {
    let entry = this.perSource.get(name);
    if (!entry) {
      entry = { read: 0, lost: 0 };
      this.perSource.set(name, entry);
    }
    return entry;
  }

  recordError(message: string): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
  }

  heartbeat(spool: { depth: number; bytes: number; droppedEvents: number }): HeartbeatStats {
    return {
      eventsRead: this.eventsRead,
      eventsShipped: this.eventsShipped,
      eventsDropped: spool.droppedEvents + this.eventsRejected,
      spoolDepth: spool.depth,
      spoolBytes: spool.bytes,
      lostKernelRecords: this.lostKernelRecords,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      sources: Object.fromEntries(this.perSource),
    };
  }
}

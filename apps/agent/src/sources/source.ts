import type { EventContainer, SecurityEvent } from '@sandtrap/events';
import type { Logger } from 'pino';

/** What a source hands to the agent in one go. */
export interface SourceBatch {
  events: SecurityEvent[];
  /**
   * Where the source would resume after this batch (kmsg sequence, file inode and offset, journal
   * cursor). The source persists it itself, and only after `emit` resolved.
   */
  checkpoint?: unknown;
  /** Records the source knows it missed (kmsg EPIPE, audit lost counter, perf ring drops). */
  lost?: number;
}

/** Audit records shipped as text, parsed by the service (`POST /v1/ingest/audit`). */
export type AuditTextBatch = (
  | {
      /** The records, one a line. */
      lines: readonly string[];
    }
  | {
      /**
       * Or their bytes, as consecutive pieces of the read and its container annotations: whole
       * lines, each ending in a newline.
       */
      chunks: readonly Buffer[];
    }
) & {
  /** How many of the lines are events (SECCOMP records). */
  events: number;
  checkpoint?: unknown;
};

export interface SourceContext {
  /** The host name every event carries (the enrolled host's name). */
  host: string;
  /** /proc/sys/kernel/random/boot_id, shared by every source so event keys agree. */
  bootId: string;
  /**
   * Resolves only once the events are fsync'd in the spool: after that the source may advance
   * its checkpoint. Rejects when the spool cannot take them (the source should retry or stop).
   */
  emit(batch: SourceBatch): Promise<void>;
  /** Like `emit`, for audit records the service parses itself (absent: parse and `emit`). */
  emitAudit?(batch: AuditTextBatch): Promise<void>;
  /** The container of this pid's process, undefined for none (cached, see ContainerResolver). */
  containerOf?(pid: number): EventContainer | undefined;
  /**
   * Resolves once the agent can take more events at once (the spool is not far ahead of the
   * shipper). A source that can leave its backlog where it is (a file) awaits it before reading,
   * so the backlog is not read, parsed and held in memory while `emit` waits.
   */
  ready?(): Promise<void>;
  log: Logger;
  /** A folder of the source's own (created for it) for checkpoints and scratch files. */
  stateDir: string;
  /** Aborted when the agent is stopping; long waits should listen to it. */
  signal: AbortSignal;
}

/** One stream of security events (kmsg, auditd, journald, bpf, a tool's JSON output...). */
export interface Source {
  readonly name: string;
  /** Starts reading; resolves once the source is running (not when it ends). */
  start(ctx: SourceContext): Promise<void>;
  /** Stops reading, emits what it holds, saves its checkpoint; resolves when done. */
  stop(): Promise<void>;
}

/** A source's startup problem: the agent logs it and runs the other sources. */
export class SourceUnavailableError extends Error {
  readonly code = 'source_unavailable';
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`${source}: ${reason}`);
    this.name = 'SourceUnavailableError';
  }
}

import { serializeSecurityEvent } from '@sandtrap/events';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/agent-config.js';
import { ContainerResolver } from '../enrich/container-resolver.js';
import { AgentHealth } from '../health/agent-health.js';
import { ProfileSync } from '../profiles/profile-sync.js';
import { ServiceClient, type Enrollment } from '../service/service-client.js';
import { ServiceError } from '../service/service.errors.js';
import { Shipper } from '../shipping/shipper.js';
import type { AuditTextBatch, Source, SourceBatch, SourceContext } from '../sources/source.js';
import { Spool, type SpoolStats } from '../spool/spool.js';
import { AGENT_VERSION, ensureEnrolled } from './enrollment.js';
import { readHostIdentity, type HostIdentity } from './host-identity.js';
import { createSources } from './source-factory.js';

const PACED_SOURCES: ReadonlySet<string> = new Set([
  'auditd',
  'tetragon',
  'falco',
  'tracee',
  'inspektor-gadget',
]);

/**
 * Sources -> enrich -> spool (fsync) -> shipper, plus heartbeat, policy sync and /metrics. Two
 * spools, each with its shipper: SecurityEvent NDJSON, and audit records passed through as text
 * for the service to parse (sources/audit-passthrough.ts).
 */
export class Agent {
  readonly health = new AgentHealth();
  private readonly abort = new AbortController();
  private spool: Spool | undefined;
  private auditSpool: Spool | undefined;
  private shipper: Shipper | undefined;
  private auditShipper: Shipper | undefined;
  private sources: Source[] = [];
  private timers: NodeJS.Timeout[] = [];
  private metricsServer: Server | undefined;
  private readonly containers = new ContainerResolver();
  private enrollment: Enrollment | undefined;
  private renewing: Promise<void> | undefined;
  /** Spooled events past which file-backed sources wait for the shipper. */
  private readonly highWater: number;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: Logger,
  ) {
    this.highWater = config.shipping.batchSize * 10;
  }

  async start(): Promise<void> {
    const identity = readHostIdentity(this.config.host.name);
    mkdirSync(this.config.stateDir, { recursive: true, mode: 0o700 });
    const spool = new Spool({
      dir: join(this.config.stateDir, 'spool'),
      maxBytes: this.config.spool.maxBytes,
      segmentBytes: this.config.spool.segmentBytes,
    });
    spool.open();
    this.spool = spool;
    const auditSpool = new Spool({
      dir: join(this.config.stateDir, 'spool-audit'),
      maxBytes: this.config.spool.maxBytes,
      segmentBytes: this.config.spool.segmentBytes,
    });
    auditSpool.open();
    this.auditSpool = auditSpool;
    if (this.config.metrics.enabled) {
      // prom-client (4 MB of heap and code) is loaded only when /metrics is served.
      const { createAgentRegistry, serveMetrics } = await import('../health/agent-metrics.js');
      const registry = createAgentRegistry(this.health, () => this.spoolStats());
      this.metricsServer = await serveMetrics(registry, this.config.metrics.listen).catch(
        (error: unknown) => {
          this.log.error({ err: (error as Error).message }, 'local /metrics not served');
          return undefined;
        },
      );
    }
    const enrollment = await ensureEnrolled(this.config, identity, this.log, this.abort.signal);
    this.enrollment = enrollment;
    const client = new ServiceClient(this.config.server.url, enrollment.token);
    const onUnauthorized = () => this.enrollAgain(client, identity);
    this.shipper = new Shipper(spool, client, this.health, this.log, {
      ...this.config.shipping,
      onUnauthorized,
    });
    this.shipper.start();
    this.auditShipper = new Shipper(auditSpool, client, this.health, this.log, {
      ...this.config.shipping,
      ingestPath: `/v1/ingest/audit?bootId=${encodeURIComponent(identity.bootId)}`,
      onUnauthorized,
    });
    this.auditShipper.start();

    for (const source of createSources(this.config)) {
      const ctx = this.contextFor(source.name, enrollment.hostname, identity.bootId);
      try {
        await source.start(ctx);
        this.sources.push(source);
        this.log.info({ source: source.name }, 'source started');
      } catch (error) {
        this.health.source(source.name).error = (error as Error).message;
        this.health.recordError(`${source.name}: ${(error as Error).message}`);
        this.log.error({ source: source.name, err: (error as Error).message }, 'source not started');
      }
    }
    this.every(this.config.heartbeatSeconds * 1000, () =>
      this.heartbeat(client, this.enrollment!, identity.bootId).catch(async (error: unknown) => {
        // An idle agent learns of a refused credential from its heartbeat, not from shipping.
        if (error instanceof ServiceError && error.status === 401) await this.enrollAgain(client, identity);
        throw error;
      }),
    );
    if (this.config.profiles.enabled) {
      const sync = new ProfileSync(this.config.profiles.dir, this.config.stateDir);
      this.every(this.config.profiles.syncSeconds * 1000, () =>
        this.syncProfiles(client, this.enrollment!, sync),
      );
    }
  }

  /**
   * The service no longer knows the saved credential (a 401: its database was wiped or the token
   * revoked): enroll again with the enrollment token, once however many callers ask at a time.
   */
  private enrollAgain(client: ServiceClient, identity: HostIdentity): Promise<void> {
    this.renewing ??= ensureEnrolled(this.config, identity, this.log, this.abort.signal, { renew: true })
      .then((enrollment) => {
        this.enrollment = enrollment;
        client.useToken(enrollment.token);
        this.log.warn({ hostId: enrollment.hostId }, 'credential refused (401): enrolled again');
      })
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled(this.sources.map((source) => source.stop()));
    await Promise.all([this.shipper?.stop(), this.auditShipper?.stop()]);
    this.spool?.close();
    this.auditSpool?.close();
    await new Promise<void>((resolve) =>
      this.metricsServer ? this.metricsServer.close(() => resolve()) : resolve(),
    );
  }

  private contextFor(name: string, host: string, bootId: string): SourceContext {
    const stateDir = join(this.config.stateDir, 'sources', name);
    mkdirSync(stateDir, { recursive: true });
    const counters = this.health.source(name);
    // Sources that read a file can wait: the file keeps what is not read yet, so a long
    // backlog stays there instead of racing through memory into the spool.
    const ready = async () => {
      while (
        PACED_SOURCES.has(name) &&
        this.spool!.stats().depth + this.auditSpool!.stats().depth > this.highWater &&
        !this.abort.signal.aborted
      ) {
        await sleep(50);
      }
    };
    return {
      host,
      bootId,
      stateDir,
      signal: this.abort.signal,
      log: this.log.child({ source: name }),
      ready,
      emit: async (batch: SourceBatch) => {
        await ready();
        const lines = batch.events.map((event) => serializeSecurityEvent(this.containers.enrich(event)));
        this.spool!.append(lines);
        counters.read += lines.length;
        counters.lost += batch.lost ?? 0;
        this.health.eventsRead += lines.length;
        this.health.lostKernelRecords += batch.lost ?? 0;
      },
      emitAudit: async (batch: AuditTextBatch) => {
        await ready();
        if ('chunks' in batch) this.auditSpool!.appendLines(batch.chunks, batch.events);
        else this.auditSpool!.append(batch.lines);
        counters.read += batch.events;
        this.health.eventsRead += batch.events;
        this.health.eventsPassedThrough += batch.events;
      },
      containerOf: (pid: number) => this.containers.resolve(pid),
    };
  }

  private every(ms: number, task: () => Promise<void>): void {
    const run = () => void task().catch((error: unknown) => this.fail('periodic task', error));
    run();
    this.timers.push(setInterval(run, ms));
  }

  private async heartbeat(client: ServiceClient, enrollment: Enrollment, bootId: string): Promise<void> {
    await client.heartbeat(enrollment.hostId, {
      agentVersion: AGENT_VERSION,
      bootId,
      stats: this.health.heartbeat(this.spoolStats()),
    });
  }

  private async syncProfiles(
    client: ServiceClient,
    enrollment: Enrollment,
    sync: ProfileSync,
  ): Promise<void> {
    const statuses = sync.apply(await client.assignments(enrollment.hostId));
    if (statuses.length > 0) await client.reportStatus(enrollment.hostId, statuses);
  }

  /** Both spools together (heartbeat, /metrics, the sources' pacing). */
  private spoolStats(): SpoolStats {
    const events = this.spool!.stats();
    const audit = this.auditSpool!.stats();
    return {
      depth: events.depth + audit.depth,
      bytes: events.bytes + audit.bytes,
      segments: events.segments + audit.segments,
      droppedEvents: events.droppedEvents + audit.droppedEvents,
      tornBytes: events.tornBytes + audit.tornBytes,
    };
  }

  private fail(what: string, error: unknown): void {
    const message = `${what}: ${(error as Error).message}`;
    this.health.recordError(message);
    this.log.warn({ err: message }, what);
  }
}

import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SpoolStats } from '../spool/spool.js';
import type { AgentHealth } from './agent-health.js';

/** Prometheus view of AgentHealth; values are read at scrape time. */
export function createAgentRegistry(health: AgentHealth, spool: () => SpoolStats): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sandtrap_agent_' });
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  new Counter({
    name: 'sandtrap_agent_events_read_total',
    help: 'Events read from sources, by source',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [source, entry] of health.perSource) this.inc({ source }, entry.read);
    },
  });
  total(
    'sandtrap_agent_events_passed_through_total',
    'Audit records shipped as the audit lines they are, for the service to parse (the rest of the events read are parsed here)',
    () => health.eventsPassedThrough,
  );
  total(
    'sandtrap_agent_events_shipped_total',
    'Events the service accepted (new or duplicate)',
    () => health.eventsShipped,
  );
  total(
    'sandtrap_agent_events_duplicate_total',
    'Events the service already had (another source or an earlier send delivered them)',
    () => health.eventsDuplicate,
  );
  total(
    'sandtrap_agent_events_dropped_total',
    'Events dropped: spool full (oldest first) or refused by the service as invalid',
    () => spool().droppedEvents + health.eventsRejected,
  );
  total(
    'sandtrap_agent_lost_kernel_records_total',
    'Records the kernel or a source reported lost',
    () => health.lostKernelRecords,
  );
  gauge('sandtrap_agent_spool_depth', 'Events spooled and not yet acknowledged', () => spool().depth);
  gauge('sandtrap_agent_spool_bytes', 'Bytes of spool segment files', () => spool().bytes);
  gauge('sandtrap_agent_last_error_timestamp_seconds', 'When the last error happened (0: none)', () =>
    health.lastErrorAt === undefined ? 0 : health.lastErrorAt / 1000,
  );
  return registry;
}

/** Serves GET /metrics on a local address (default 127.0.0.1:9478). */
export async function serveMetrics(registry: Registry, listen: string): Promise<Server> {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon) || '127.0.0.1';
  const port = Number(listen.slice(colon + 1));
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- this suite drives the agent's shipper against a real HTTP server
import { AgentHealth } from '../apps/agent/src/health/agent-health.js';
// eslint-disable-next-line no-restricted-imports -- idem
import { ServiceClient } from '../apps/agent/src/service/service-client.js';
// eslint-disable-next-line no-restricted-imports -- idem
import { Shipper } from '../apps/agent/src/shipping/shipper.js';
// eslint-disable-next-line no-restricted-imports -- idem
import { Spool } from '../apps/agent/src/spool/spool.js';

type Handler = (
  lines: string[],
  attempt: number,
) => { status: number; headers?: Record<string, string>; body?: unknown };

describe('agent shipper against an HTTP server playing the service', () => {
  let dir: string;
  let server: Server;
  let received: { at: number; lines: string[]; status: number }[];
  let handler: Handler;
  let answerDelayMs: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-shipper-'));
    received = [];
    answerDelayMs = 0;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        expect(req.headers['content-encoding']).toBe('gzip');
        expect(req.headers.authorization).toBe('Bearer agent-token');
        const lines = gunzipSync(Buffer.concat(chunks)).toString().split('\n').filter(Boolean);
        const answer = handler(lines, received.length);
        received.push({ at: Date.now(), lines, status: answer.status });
        setTimeout(() => {
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(JSON.stringify(answer.body ?? {}));
        }, answerDelayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (lines: string[], until: (health: AgentHealth, spool: Spool) => boolean) => {
    const spool = new Spool({ dir, maxBytes: 1 << 30 });
    spool.open();
    spool.append(lines);
    const { port } = server.address() as { port: number };
    const health = new AgentHealth();
    const shipper = new Shipper(
      spool,
      new ServiceClient(`http://127.0.0.1:${port}`, 'agent-token'),
      health,
      pino({ level: 'silent' }),
      { batchSize: 8, flushMs: 0, baseBackoffMs: 20, maxBackoffMs: 100 },
    );
    shipper.start();
    for (let i = 0; i < 200 && !until(health, spool); i++) await sleep(20);
    await shipper.stop();
    const stats = spool.stats();
    spool.close();
    return { health, stats };
  };
  const ok = (lines: string[]) => ({
    status: 202,
    body: { accepted: lines.length, duplicates: 0, rejected: 0, errors: [] },
  });
  const events = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ eventKey: `k${i}` }));

  it('sends a partial batch once per flush interval while events trickle in, not after every answer', async () => {
    // A slow service (100 ms an answer) and 100 events a second for 2 s, flush 500 ms: one
    // request per interval (about 5), not one per answer (about 15).
    answerDelayMs = 100;
    handler = ok;
    const spool = new Spool({ dir, maxBytes: 1 << 30 });
    spool.open();
    const { port } = server.address() as { port: number };
    const shipper = new Shipper(
      spool,
      new ServiceClient(`http://127.0.0.1:${port}`, 'agent-token'),
      new AgentHealth(),
      pino({ level: 'silent' }),
      { batchSize: 1000, flushMs: 500 },
    );
    shipper.start();
    const all = events(200);
    for (let i = 0; i < all.length; i += 2) {
      spool.append(all.slice(i, i + 2));
      await sleep(20);
    }
    for (let i = 0; i < 200 && spool.stats().depth > 0; i++) await sleep(20);
    await shipper.stop();
    spool.close();
    expect(received.flatMap((r) => r.lines)).toEqual(all);
    const elapsed = received.at(-1)!.at - received[0]!.at;
    expect(received.length).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 1);
  });

  it('waits as long as Retry-After says on 429, then delivers and empties the spool', async () => {
    handler = (lines, attempt) =>
      attempt === 0 ? { status: 429, headers: { 'retry-after': '1' } } : ok(lines);
    const { health, stats } = await run(events(5), (h) => h.eventsShipped === 5);
    expect(health.eventsShipped).toBe(5);
    expect(stats.depth).toBe(0);
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(950);
  });

  it('retries 503 with backoff and keeps events while the service is down', async () => {
    handler = (lines, attempt) => (attempt < 3 ? { status: 503 } : ok(lines));
    const { health, stats } = await run(events(3), (h) => h.eventsShipped === 3);
    expect(received.map((r) => r.status)).toEqual([503, 503, 503, 202]);
    expect(health.lastError).toMatch(/503/);
    expect(stats.depth).toBe(0);
  });

  it('splits a whole-batch 413/400 until the bad event is alone, drops and counts only it', async () => {
    const lines = events(8);
    lines[5] = 'garbage the service refuses';
    handler = (batch) => {
      if (batch.length > 2) return { status: 413 };
      if (batch.includes('garbage the service refuses')) return { status: 400 };
      return ok(batch);
    };
    const { health, stats } = await run(lines, (_, s) => s.stats().depth === 0);
    expect(health.eventsShipped).toBe(7);
    expect(health.eventsRejected).toBe(1);
    expect(stats.depth).toBe(0);
    const delivered = received.filter((r) => r.status === 202).flatMap((r) => r.lines);
    expect(delivered.sort()).toEqual(lines.filter((l) => !l.startsWith('garbage')).sort());
  });

  it('counts events the service rejects inside a 202 without resending them', async () => {
    handler = (batch) => ({
      status: 202,
      body: {
        accepted: batch.length - 1,
        duplicates: 0,
        rejected: 1,
        errors: [{ index: 0, code: 'invalid_event', message: 'x' }],
      },
    });
    const { health, stats } = await run(events(4), (_, s) => s.stats().depth === 0);
    expect(received).toHaveLength(1);
    expect(health.eventsRejected).toBe(1);
    expect(stats.depth).toBe(0);
  });
});

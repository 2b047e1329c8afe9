import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface TestPrometheus {
  url: string;
  /** Instant query; throws when Prometheus answers an error (bad PromQL). */
  query(expr: string): Promise<PromSample[]>;
  /** Range query from `start` to now at a one-second step; throws on a Prometheus error. */
  queryRange(expr: string, start: Date): Promise<PromSeries[]>;
  labelValues(label: string, match: string): Promise<string[]>;
  alerts(): Promise<PromAlert[]>;
  stop(): Promise<void>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  const body = (await res.json()) as { status: string; data: T; error?: string; errorType?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.errorType} ${body.error}`);
  return body.data;
}

/**
 * A real Prometheus (/usr/bin/prometheus) on a free port, scraping `target` (host:port) every
 * second with the given rule files, evaluated every second.
 */
export async function startPrometheus(options: {
  target: string;
  ruleFiles: string[];
  bearerToken?: string;
}): Promise<TestPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'sandtrap-prom-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles,
    scrape_configs: [
      {
        job_name: 'sandtrap-api',
        metrics_path: '/metrics',
        ...(options.bearerToken
          ? { authorization: { type: 'Bearer', credentials: options.bearerToken } }
          : {}),
        static_configs: [{ targets: [options.target] }],
      },
    ],
  };
  // JSON is YAML: no serializer needed.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${log}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    query: async (expr) =>
      (await api<{ result: PromSample[] }>(url, `/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    queryRange: async (expr, start) => {
      const params = new URLSearchParams({
        query: expr,
        start: String(start.getTime() / 1000),
        end: String(Date.now() / 1000),
        step: '1',
      });
      return (await api<{ result: PromSeries[] }>(url, `/api/v1/query_range?${params.toString()}`)).result;
    },
    labelValues: (label, match) =>
      api<string[]>(
        url,
        `/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}`,
      ),
    alerts: async () => (await api<{ alerts: PromAlert[] }>(url, '/api/v1/alerts')).alerts,
    stop,
  };
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '@sandtrap/api';
// @ts-expect-error: plain ESM script without types
import { prometheusRuleFrom } from '../deploy/kubernetes/generate-prometheus-rule.mjs';

const root = new URL('..', import.meta.url).pathname;

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  healthcheck?: { test: string[] | string };
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

describe('every YAML file under deploy/ and docker-compose.yml', () => {
  it('parses without errors or warnings', async () => {
    const files = [...(await yamlFiles(join(root, 'deploy'))), join(root, 'docker-compose.yml')];
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
        expect(doc.errors, relative(root, file)).toEqual([]);
        expect(doc.warnings, relative(root, file)).toEqual([]);
      }
    }
  });

  it('the parser used here rejects broken YAML', () => {
    const [doc] = parseAllDocuments('services:\n  api: [unclosed\n  \u0000');
    expect(doc!.errors.length).toBeGreaterThan(0);
  });
});

describe('docker-compose.yml', () => {
  const load = async () => parse(await readFile(join(root, 'docker-compose.yml'), 'utf8')) as Compose;

  it('runs postgres, the API, prometheus, alertmanager and grafana, each with a healthcheck', async () => {
    const compose = await load();
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'api',
      'grafana',
      'postgres',
      'prometheus',
    ]);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test, name).toBeTruthy();
      expect(service.image ?? service.build, name).toBeTruthy();
    }
    expect(compose.services.api!.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('mounts only paths that exist in the repository, and declares every named volume', async () => {
    const compose = await load();
    const named = new Set(Object.keys(compose.volumes));
    let mounts = 0;
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        mounts += 1;
        if (source.startsWith('./')) expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
        else expect(named, `${name}: ${source}`).toContain(source);
      }
    }
    expect(mounts).toBeGreaterThanOrEqual(8);
    for (const service of ['postgres', 'prometheus', 'grafana', 'alertmanager']) {
      expect(
        compose.services[service]!.volumes!.some((v) => named.has(v.split(':')[0]!)),
        `${service} keeps its data in a named volume`,
      ).toBe(true);
    }
  });

  it('gives the API an environment its configuration accepts', async () => {
    const api = (await load()).services.api as ComposeService & { environment: Record<string, string> };
    // compose substitutes ${VAR:-default} and ${VAR:?message}; a value is given for the latter
    const env = Object.fromEntries(
      Object.entries(api.environment).map(([k, v]) => [
        k,
        v
          .replaceAll(/\$\{(\w+):-([^}]*)\}/g, '$2')
          .replaceAll(/\$\{(\w+):\?[^}]*\}/g, 'a-long-admin-token-for-the-test'),
      ]),
    );
    const config = loadConfig(env);
    expect(config.databaseUrl).toBe('postgres://sandtrap:sandtrap@postgres:5432/sandtrap');
    expect(config.localAgent).toBe('off');
    expect(() => loadConfig({ ...env, SANDTRAP_LOCAL_AGENT: 'false' })).toThrow(/SANDTRAP_LOCAL_AGENT/);
  });

  it('builds the API from a Dockerfile that installs with npm ci', async () => {
    const dockerfile = await readFile(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toContain('apps/api/dist/main.js');
  });

  it('points Prometheus at the API service and Grafana at both datasources', async () => {
    const prom = parse(await readFile(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prom.scrape_configs.find((j) => j.job_name === 'sandtrap-api');
    expect(job?.static_configs[0]?.targets).toEqual(['api:8080']);
    const ds = parse(
      await readFile(join(root, 'deploy/grafana/provisioning/datasources/sandtrap.yml'), 'utf8'),
    ) as {
      datasources: { uid: string; url: string }[];
    };
    expect(ds.datasources.map((d) => d.uid).sort()).toEqual(['sandtrap-postgres', 'sandtrap-prometheus']);
    expect(ds.datasources.find((d) => d.uid === 'sandtrap-postgres')?.url).toBe('postgres:5432');
  });
});

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

async function k8sObjects(): Promise<K8sObject[]> {
  const dir = join(root, 'deploy/kubernetes');
  const objects: K8sObject[] = [];
  for (const file of await yamlFiles(dir)) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const obj = doc.toJS() as K8sObject | null;
      if (obj) objects.push(obj);
    }
  }
  return objects;
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

describe('deploy/kubernetes', () => {
  it('every object has apiVersion, kind and a name', async () => {
    const objects = await k8sObjects();
    for (const o of objects) {
      expect(o.apiVersion, JSON.stringify(o.metadata)).toMatch(/^[a-z.]*\/?v\d/);
      expect(o.kind).toMatch(/^[A-Z]\w+$/);
      expect(o.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9.:]*[a-z0-9])?$/);
    }
    const kinds = objects.map((o) => o.kind);
    for (const kind of ['Deployment', 'Service', 'ServiceMonitor', 'PrometheusRule'])
      expect(kinds).toContain(kind);
  });

  it('wires the Deployment, Service and ServiceMonitor together by labels and port names', async () => {
    const objects = await k8sObjects();
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sandtrap-api')!;
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'sandtrap-api')!;
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor')!;
    const spec = deployment.spec as {
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: { containers: { ports: { name: string }[]; readinessProbe: { httpGet: { path: string } } }[] };
      };
    };
    expect(matches(spec.selector.matchLabels, spec.template.metadata.labels)).toBe(true);
    const container = spec.template.spec.containers[0]!;
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    const svc = service.spec as {
      selector: Record<string, string>;
      ports: { name: string; targetPort: string }[];
    };
    expect(matches(svc.selector, spec.template.metadata.labels)).toBe(true);
    expect(container.ports.map((p) => p.name)).toContain(svc.ports[0]!.targetPort);
    const mon = monitor.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    expect(matches(mon.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(svc.ports.map((p) => p.name)).toContain(mon.endpoints[0]!.port);
    expect(mon.endpoints[0]!.path).toBe('/metrics');
    const env = (spec.template.spec.containers[0] as unknown as { env: { name: string; value?: string }[] })
      .env;
    const literal = Object.fromEntries(
      env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]),
    );
    expect(() => loadConfig(literal)).not.toThrow();
  });

  it("the PrometheusRule's groups equal the rules file's, and the committed file is generated", async () => {
    const rulesText = await readFile(join(root, 'deploy/prometheus/rules/sandtrap.rules.yml'), 'utf8');
    const rules = parse(rulesText) as { groups: unknown[] };
    const committed = (await k8sObjects()).find((o) => o.kind === 'PrometheusRule')!;
    expect((committed.spec as { groups: unknown[] }).groups).toEqual(rules.groups);
    const generated = parse(prometheusRuleFrom(rulesText) as string) as K8sObject;
    expect(generated).toEqual(committed);
    // byte for byte, so running the generator never leaves a diff (or a prettier complaint)
    const committedText = await readFile(join(root, 'deploy/kubernetes/prometheus-rule.yaml'), 'utf8');
    expect(prometheusRuleFrom(rulesText)).toBe(committedText);
    // a changed rules file changes the output, so the equality above is not vacuous
    const changed = parse(prometheusRuleFrom(rulesText.replace('> 100', '> 200')) as string) as K8sObject;
    expect(changed).not.toEqual(committed);
  });
});

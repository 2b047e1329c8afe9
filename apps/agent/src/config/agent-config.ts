import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { EVENT_SOURCES, type EventSource } from '@sandtrap/events';

/** Every source of the event model but `api` (events posted to the service directly) is an agent's. */
export type SourceName = Exclude<EventSource, 'api'>;
export const SOURCE_NAMES: readonly SourceName[] = EVENT_SOURCES.filter((s): s is SourceName => s !== 'api');

type FileSourceName = 'auditd' | 'tetragon' | 'falco' | 'tracee' | 'inspektor-gadget';

interface ToggleSource {
  enabled: boolean;
}
interface FileSource extends ToggleSource {
  path?: string;
  fromStart: boolean;
}

export interface AgentConfig {
  server: {
    url: string;
    /** Role `ingest` token used once, to enroll. */
    enrollToken?: string;
    enrollTokenFile?: string;
  };
  host: { name?: string; labels: Record<string, string> };
  stateDir: string;
  spool: { maxBytes: number; segmentBytes: number };
  shipping: { batchSize: number; flushMs: number; maxBackoffMs: number };
  heartbeatSeconds: number;
  metrics: { enabled: boolean; listen: string };
  profiles: { enabled: boolean; dir: string; syncSeconds: number };
  sources: { [K in SourceName]: K extends FileSourceName ? FileSource : ToggleSource };
}

export class AgentConfigError extends Error {
  readonly code = 'invalid_agent_config';
  constructor(message: string) {
    super(message);
    this.name = 'AgentConfigError';
  }
}

/**
 * Reads one mapping of the config, each value checked as it is taken (unknown keys are ignored);
 * a wrong value stops with its dotted path. Hand-written rather than zod: zod was 7-12 MB of the
 * idle agent's RSS (test/bench/RESULTS.md, Agent).
 */
class Section {
  private readonly value: Record<string, unknown>;

  constructor(
    value: unknown,
    private readonly path: string,
  ) {
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new AgentConfigError(`${path || '(config)'}: expected a mapping`);
    }
    this.value = (value ?? {}) as Record<string, unknown>;
  }

  section(key: string): Section {
    return new Section(this.value[key], this.at(key));
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  string(key: string, limits: { max?: number } = {}): string | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(key, 'expected a string');
    if (v.length === 0) this.fail(key, 'must not be empty');
    if (limits.max !== undefined && v.length > limits.max) this.fail(key, `at most ${limits.max} characters`);
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.value[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(key, 'expected true or false');
    return v;
  }

  number(key: string, fallback: number, limits: { min: number; max?: number; integer?: boolean }): number {
    const v = this.value[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'expected a number');
    if (limits.integer && !Number.isInteger(v)) this.fail(key, 'expected an integer');
    if (v < limits.min) this.fail(key, `must be at least ${limits.min}`);
    if (limits.max !== undefined && v > limits.max) this.fail(key, `must be at most ${limits.max}`);
    return v;
  }

  url(key: string): string {
    const v = this.string(key);
    if (v === undefined) this.fail(key, 'required');
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      this.fail(key, 'Invalid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') this.fail(key, 'expected an http(s) URL');
    return v;
  }

  labels(key: string): Record<string, string> {
    const labels: Section = this.section(key);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels.value)) {
      if (typeof v !== 'string') labels.fail(k, 'expected a string');
      out[k] = v;
    }
    return out;
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  private fail(key: string, message: string): never {
    throw new AgentConfigError(`${this.at(key)}: ${message}`);
  }
}

function validateConfig(raw: Record<string, unknown>): AgentConfig {
  const root = new Section(raw, '');
  const server = root.section('server');
  const host = root.section('host');
  const spool = root.section('spool');
  const shipping = root.section('shipping');
  const metrics = root.section('metrics');
  const profiles = root.section('profiles');
  const sources = root.section('sources');
  const toggle = (name: SourceName): ToggleSource => ({
    enabled: sources.section(name).boolean('enabled', false),
  });
  const file = (name: SourceName): FileSource => {
    const s = sources.section(name);
    const path = s.string('path');
    return {
      enabled: s.boolean('enabled', false),
      ...(path === undefined ? {} : { path }),
      fromStart: s.boolean('fromStart', false),
    };
  };
  const enrollToken = server.string('enrollToken');
  const enrollTokenFile = server.string('enrollTokenFile');
  const hostName = host.string('name', { max: 253 });
  return {
    server: {
      url: server.url('url'),
      ...(enrollToken === undefined ? {} : { enrollToken }),
      ...(enrollTokenFile === undefined ? {} : { enrollTokenFile }),
    },
    host: { ...(hostName === undefined ? {} : { name: hostName }), labels: host.labels('labels') },
    stateDir: root.string('stateDir') ?? '/var/lib/sandtrap/agent',
    spool: {
      maxBytes: spool.number('maxBytes', 256 * 1024 * 1024, { min: 4096, integer: true }),
      segmentBytes: spool.number('segmentBytes', 8 * 1024 * 1024, { min: 1024, integer: true }),
    },
    shipping: {
      batchSize: shipping.number('batchSize', 2000, { min: 1, max: 50_000, integer: true }),
      flushMs: shipping.number('flushMs', 1000, { min: 0, integer: true }),
      maxBackoffMs: shipping.number('maxBackoffMs', 60_000, { min: 100, integer: true }),
    },
    heartbeatSeconds: root.number('heartbeatSeconds', 30, { min: 1 }),
    metrics: {
      enabled: metrics.boolean('enabled', true),
      listen: metrics.has('listen') ? metrics.string('listen')! : '127.0.0.1:9478',
    },
    profiles: {
      enabled: profiles.boolean('enabled', true),
      dir: profiles.string('dir') ?? '/var/lib/sandtrap/profiles',
      syncSeconds: profiles.number('syncSeconds', 60, { min: 1 }),
    },
    sources: {
      kmsg: toggle('kmsg'),
      auditd: file('auditd'),
      journald: toggle('journald'),
      bpf: toggle('bpf'),
      tetragon: file('tetragon'),
      falco: file('falco'),
      tracee: file('tracee'),
      'inspektor-gadget': file('inspektor-gadget'),
    },
  };
}

export const AGENT_USAGE = `sandtrap-agent [--config agent.yaml] [options]
  --server URL             service base URL
  --enroll-token TOKEN     ingest-role token used to enroll (or --enroll-token-file PATH)
  --hostname NAME          name to enroll as (default: os.hostname())
  --label k=v              host label (repeatable)
  --state-dir DIR          state folder (default /var/lib/sandtrap/agent)
  --source NAME[=PATH]     enable a source (repeatable): kmsg, auditd[=log], journald, bpf,
                           tetragon=FILE, falco=FILE, tracee=FILE, inspektor-gadget=FILE (- is stdin)
  --no-source NAME         disable a source the config file enabled (repeatable)
  --from-start             file sources without a checkpoint read existing content
  --profiles-dir DIR       where assigned seccomp profiles are written
  --metrics-listen H:P     local /metrics address (default 127.0.0.1:9478; "off" disables)`;

/** Config file (YAML) first, flags on top; validated once, errors name the field. */
export function loadAgentConfig(argv: readonly string[]): AgentConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      server: { type: 'string' },
      'enroll-token': { type: 'string' },
      'enroll-token-file': { type: 'string' },
      hostname: { type: 'string' },
      label: { type: 'string', multiple: true },
      'state-dir': { type: 'string' },
      source: { type: 'string', multiple: true },
      'no-source': { type: 'string', multiple: true },
      'from-start': { type: 'boolean' },
      'profiles-dir': { type: 'string' },
      'metrics-listen': { type: 'string' },
    },
    strict: true,
  });
  let raw: Record<string, unknown> = {};
  if (values.config) {
    const parsed = parseConfigText(readFileSync(values.config, 'utf8'));
    if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new AgentConfigError(`${values.config}: the config file must be a YAML mapping`);
    }
    raw = (parsed ?? {}) as Record<string, unknown>;
  }
  const section = (key: string) => (raw[key] ??= {}) as Record<string, unknown>;
  if (values.server) section('server').url = values.server;
  if (values['enroll-token']) section('server').enrollToken = values['enroll-token'];
  if (values['enroll-token-file']) section('server').enrollTokenFile = values['enroll-token-file'];
  if (values.hostname) section('host').name = values.hostname;
  for (const label of values.label ?? []) {
    const eq = label.indexOf('=');
    if (eq <= 0) throw new AgentConfigError(`--label ${label}: expected key=value`);
    ((section('host').labels ??= {}) as Record<string, string>)[label.slice(0, eq)] = label.slice(eq + 1);
  }
  if (values['state-dir']) raw.stateDir = values['state-dir'];
  if (values['profiles-dir']) section('profiles').dir = values['profiles-dir'];
  if (values['metrics-listen'] === 'off') section('metrics').enabled = false;
  else if (values['metrics-listen']) section('metrics').listen = values['metrics-listen'];
  const sources = section('sources');
  for (const flag of values.source ?? []) {
    const eq = flag.indexOf('=');
    const name = eq < 0 ? flag : flag.slice(0, eq);
    if (!SOURCE_NAMES.includes(name as SourceName))
      throw new AgentConfigError(`--source ${name}: unknown source`);
    const entry = ((sources[name] as Record<string, unknown> | undefined) ?? {}) as Record<string, unknown>;
    entry.enabled = true;
    if (eq >= 0) entry.path = flag.slice(eq + 1);
    if (values['from-start']) entry.fromStart = true;
    sources[name] = entry;
  }
  for (const name of values['no-source'] ?? []) {
    if (!SOURCE_NAMES.includes(name as SourceName))
      throw new AgentConfigError(`--no-source ${name}: unknown source`);
    sources[name] = { ...(sources[name] as object), enabled: false };
  }
  const config = validateConfig(raw);
  for (const tool of ['tetragon', 'falco', 'tracee', 'inspektor-gadget'] as const) {
    if (config.sources[tool].enabled && !config.sources[tool].path) {
      throw new AgentConfigError(`sources.${tool}.path: required when the source is enabled`);
    }
  }
  return config;
}

/**
 * A config file's mapping. JSON is YAML, so a file that is a JSON object (as generated configs
 * often are) is read with JSON.parse, and the yaml package (2 MB resident) is loaded only for the
 * others.
 */
export function parseConfigText(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // YAML flow mappings also start with `{`: let the YAML parser have it.
    }
  }
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text) as unknown;
}

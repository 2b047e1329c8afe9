import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const toggle = z.object({ enabled: z.boolean().default(false) });
const fileSource = toggle.extend({
  path: z.string().min(1).optional(),
  fromStart: z.boolean().default(false),
});

export const agentConfigSchema = z.object({
  server: z.object({
    url: z.url(),
    /** Role `ingest` token used once, to enroll. */
    enrollToken: z.string().min(1).optional(),
    enrollTokenFile: z.string().min(1).optional(),
  }),
  host: z
    .object({
      name: z.string().min(1).max(253).optional(),
      labels: z.record(z.string(), z.string()).default({}),
    })
    .default({ labels: {} }),
  stateDir: z.string().min(1).default('/var/lib/sandtrap/agent'),
  spool: z
    .object({
      maxBytes: z
        .number()
        .int()
        .min(4096)
        .default(256 * 1024 * 1024),
      segmentBytes: z
        .number()
        .int()
        .min(1024)
        .default(8 * 1024 * 1024),
    })
    .default({ maxBytes: 256 * 1024 * 1024, segmentBytes: 8 * 1024 * 1024 }),
  shipping: z
    .object({
      batchSize: z.number().int().min(1).max(50_000).default(2000),
      flushMs: z.number().int().min(0).default(1000),
      maxBackoffMs: z.number().int().min(100).default(60_000),
    })
    .default({ batchSize: 2000, flushMs: 1000, maxBackoffMs: 60_000 }),
  heartbeatSeconds: z.number().min(1).default(30),
  metrics: z
    .object({ enabled: z.boolean().default(true), listen: z.string().default('127.0.0.1:9478') })
    .default({ enabled: true, listen: '127.0.0.1:9478' }),
  profiles: z
    .object({
      enabled: z.boolean().default(true),
      dir: z.string().min(1).default('/var/lib/sandtrap/profiles'),
      syncSeconds: z.number().min(1).default(60),
    })
    .default({ enabled: true, dir: '/var/lib/sandtrap/profiles', syncSeconds: 60 }),
  sources: z
    .object({
      kmsg: toggle.default({ enabled: false }),
      auditd: fileSource.default({ enabled: false, fromStart: false }),
      journald: toggle.default({ enabled: false }),
      bpf: toggle.default({ enabled: false }),
      tetragon: fileSource.default({ enabled: false, fromStart: false }),
      falco: fileSource.default({ enabled: false, fromStart: false }),
      tracee: fileSource.default({ enabled: false, fromStart: false }),
      'inspektor-gadget': fileSource.default({ enabled: false, fromStart: false }),
    })
    .default({
      kmsg: { enabled: false },
      auditd: { enabled: false, fromStart: false },
      journald: { enabled: false },
      bpf: { enabled: false },
      tetragon: { enabled: false, fromStart: false },
      falco: { enabled: false, fromStart: false },
      tracee: { enabled: false, fromStart: false },
      'inspektor-gadget': { enabled: false, fromStart: false },
    }),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type SourceName = keyof AgentConfig['sources'];
export const SOURCE_NAMES = Object.keys(agentConfigSchema.shape.sources.unwrap().shape) as SourceName[];

export class AgentConfigError extends Error {
  readonly code = 'invalid_agent_config';
  constructor(message: string) {
    super(message);
    this.name = 'AgentConfigError';
  }
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
  const result = agentConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AgentConfigError(`${issue.path.join('.') || '(config)'}: ${issue.message}`);
  }
  const config = result.data;
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

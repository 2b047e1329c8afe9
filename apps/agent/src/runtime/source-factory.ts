import type { AgentConfig } from '../config/agent-config.js';
import { AuditdSource } from '../sources/auditd.source.js';
import { JournaldSource } from '../sources/journald.source.js';
import { KmsgSource } from '../sources/kmsg.source.js';
import type { Source } from '../sources/source.js';
import { ToolFileSource } from '../sources/tool-file.source.js';

/** The sensor engineer's module; loaded by path so the agent builds before it exists. */
const BPF_SOURCE_MODULE = '../sources/bpf.source.js';

/** Builds the enabled sources. `bpf` is expected to export `BpfSource` (a no-arg Source class). */
export async function createSources(config: AgentConfig): Promise<Source[]> {
  const s = config.sources;
  const sources: Source[] = [];
  if (s.kmsg.enabled) sources.push(new KmsgSource());
  if (s.auditd.enabled) {
    sources.push(
      new AuditdSource({ path: s.auditd.path ?? '/var/log/audit/audit.log', fromStart: s.auditd.fromStart }),
    );
  }
  if (s.journald.enabled) sources.push(new JournaldSource());
  for (const tool of ['tetragon', 'falco', 'tracee', 'inspektor-gadget'] as const) {
    const entry = s[tool];
    if (entry.enabled && entry.path)
      sources.push(new ToolFileSource({ tool, path: entry.path, fromStart: entry.fromStart }));
  }
  if (s.bpf.enabled) {
    const module = (await import(BPF_SOURCE_MODULE)) as { BpfSource: new () => Source };
    sources.push(new module.BpfSource());
  }
  return sources;
}

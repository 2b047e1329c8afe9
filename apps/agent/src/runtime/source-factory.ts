import type { AgentConfig } from '../config/agent-config.js';
import { AuditdSource } from '../sources/auditd.source.js';
import { BpfSource } from '../sources/bpf.source.js';
import { JournaldSource } from '../sources/journald.source.js';
import { KmsgSource } from '../sources/kmsg.source.js';
import type { Source } from '../sources/source.js';
import { ToolFileSource } from '../sources/tool-file.source.js';

/** Builds the enabled sources (a source that cannot run here fails its own start, not this). */
export function createSources(config: AgentConfig): Source[] {
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
  if (s.bpf.enabled) sources.push(new BpfSource());
  return sources;
}

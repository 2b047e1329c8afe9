export type { Source, SourceBatch, SourceContext } from './sources/source.js';
export { SourceUnavailableError } from './sources/source.js';
export { Agent } from './runtime/agent.js';
export { loadAgentConfig, type AgentConfig } from './config/agent-config.js';

import { asObject } from './source-reader.js';
import type { ToolName } from './tool-adapter.js';

/**
 * Guesses which tool wrote an event from its shape, for inputs that do not say (the CLI's
 * `import`, mixed files). Checks are ordered from the most to the least distinctive keys.
 */
export function detectTool(json: unknown): ToolName | undefined {
  const object = asObject(json);
  if (object === undefined) return undefined;
  const keys = Object.keys(object);
  if (keys.some((key) => key.startsWith('process_') && asObject(object[key]) !== undefined))
    return 'tetragon';
  if (
    typeof object.rule === 'string' &&
    ('output' in object || 'output_fields' in object || 'priority' in object)
  ) {
    return 'falco';
  }
  const protoTimestamp = asObject(object.timestamp)?.seconds !== undefined;
  if (
    typeof object.eventName === 'string' ||
    (asObject(object.workload) !== undefined && 'timestamp' in object) ||
    (protoTimestamp && (typeof object.name === 'string' || typeof object.id === 'string'))
  ) {
    return 'tracee';
  }
  const seccompCode = typeof object.code === 'string' || typeof object.code_raw === 'number';
  if (seccompCode && ('syscall' in object || asObject(object.proc) !== undefined)) {
    return 'inspektor-gadget';
  }
  return undefined;
}

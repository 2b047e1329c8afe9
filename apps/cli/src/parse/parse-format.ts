/** The input formats of `sandtrap parse --from` (no runtime imports: the command loads the parsers only when it runs). */
import type { ToolName } from '@sandtrap/events';

export const PARSE_FORMATS = [
  'auto',
  'audit',
  'kmsg',
  'journald',
  'tetragon',
  'falco',
  'tracee',
  'inspektor-gadget',
] as const;
export type ParseFormat = (typeof PARSE_FORMATS)[number];

export function isTool(format: ParseFormat): format is ToolName {
  return format === 'tetragon' || format === 'falco' || format === 'tracee' || format === 'inspektor-gadget';
}

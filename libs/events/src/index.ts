export * from './security-event.js';
export {
  validateSecurityEvent,
  EVENT_KEY_MAX_CHARS,
  HOST_MAX_CHARS,
  DEFAULT_MAX_FUTURE_SKEW_MS,
} from './validation/validate-security-event.js';
export type { ValidateOptions, ValidationResult } from './validation/validate-security-event.js';
export type { FieldError } from './validation/validation-error.js';
export { STRING_MAX_CHARS } from './validation/field-checks.js';
export { parseIsoTimestamp, fromEpochNanos } from './validation/observed-at.js';
export type { NormalisedTime } from './validation/observed-at.js';
export { serializeSecurityEvent } from './wire/serialize-security-event.js';
export { stableEventKey, canonicalJson } from './wire/stable-event-key.js';
export { boundRaw } from './wire/bound-raw.js';
export {
  CONTAINER_ANNOTATION_SEPARATOR,
  formatContainerAnnotation,
  splitContainerAnnotation,
  withContainer,
} from './wire/container-annotation.js';
export type { SplitAnnotation } from './wire/container-annotation.js';
export { createToolAdapter, TOOL_NAMES, LINE_MAX_CHARS } from './adapters/tool-adapter.js';
export type { ToolName, AdaptResult, ToolAdapter, ToolAdapterOptions } from './adapters/tool-adapter.js';
export { detectTool } from './adapters/detect-tool.js';
export { AdapterError } from './adapters/adapter-error.js';
export type { AdapterErrorCode } from './adapters/adapter-error.js';
export * from './adapters/bpf-sensor.js';

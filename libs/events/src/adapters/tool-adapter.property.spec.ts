import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateSecurityEvent } from '../validation/validate-security-event.js';
import { detectTool } from './detect-tool.js';
import { createToolAdapter, TOOL_NAMES, type AdaptResult, type ToolName } from './tool-adapter.js';

function fixtureObjects(tool: ToolName): Record<string, unknown>[] {
  return readFileSync(new URL(`../../../../test/fixtures/events/${tool}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A result is well-formed: an error with a code, no event, or an event the validator accepts. */
function expectWellFormed(result: AdaptResult): void {
  if (!result.ok) {
    expect(typeof result.error.code).toBe('string');
    expect(typeof result.error.message).toBe('string');
    return;
  }
  if (result.event !== null) {
    expect(validateSecurityEvent(result.event, { maxFutureSkewMs: Number.MAX_SAFE_INTEGER }).ok).toBe(true);
  }
}

describe('tool adapters on arbitrary input', () => {
  it('never throw on arbitrary JSON values', () => {
    const adapters = TOOL_NAMES.map((tool) => createToolAdapter(tool, { host: 'prop-host' }));
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const adapter of adapters) expectWellFormed(adapter.adapt(value));
        detectTool(value);
      }),
      { numRuns: 300 },
    );
  });

  it('never throw on arbitrary text lines', () => {
    const adapters = TOOL_NAMES.map((tool) => createToolAdapter(tool));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (line) => {
        for (const adapter of adapters) expectWellFormed(adapter.adaptLine(line));
      }),
      { numRuns: 300 },
    );
  });

  it('never throw when fields of real events are replaced by arbitrary values', () => {
    for (const tool of TOOL_NAMES) {
      const adapter = createToolAdapter(tool, { host: 'prop-host', now: () => Date.UTC(2026, 2, 2) });
      const samples = fixtureObjects(tool);
      fc.assert(
        fc.property(
          fc.constantFrom(...samples),
          fc.array(fc.tuple(fc.nat(), fc.jsonValue()), { maxLength: 6 }),
          (sample, replacements) => {
            const mutated = structuredClone(sample);
            for (const [index, value] of replacements) {
              // Replace a top-level field, or a field one level down.
              const keys = Object.keys(mutated);
              const key = keys[index % keys.length];
              const inner = mutated[key];
              if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && index % 2 === 0) {
                const innerKeys = Object.keys(inner);
                if (innerKeys.length > 0)
                  (inner as Record<string, unknown>)[innerKeys[index % innerKeys.length]] = value;
              } else {
                mutated[key] = value;
              }
            }
            expectWellFormed(adapter.adapt(mutated));
          },
        ),
        { numRuns: 200 },
      );
    }
  });
});

import { isPlainObject, LONE_SURROGATE, LONE_SURROGATE_MESSAGE } from './field-checks.js';
import { pointerSegment, type FieldError } from './validation-error.js';

export const DETAILS_MAX_DEPTH = 16;
export const DETAILS_MAX_NODES = 5000;
export const DETAILS_STRING_MAX_CHARS = 16384;

/**
 * `details` is stored as jsonb: it must be plain JSON, bounded in depth and size, and free of NUL
 * (jsonb refuses `\u0000` in strings and keys). Stops at the first problem: one is enough to
 * refuse, and a hostile document could otherwise produce thousands of errors.
 */
export function checkDetails(value: Record<string, unknown>, pointer: string, errors: FieldError[]): boolean {
  let nodes = 0;
  const walk = (node: unknown, at: string, depth: number): string | undefined => {
    nodes += 1;
    if (nodes > DETAILS_MAX_NODES) return `has more than ${DETAILS_MAX_NODES} values`;
    if (node === null || typeof node === 'boolean') return undefined;
    if (typeof node === 'number') return Number.isFinite(node) ? undefined : 'must hold finite numbers';
    if (typeof node === 'string') {
      if (node.length > DETAILS_STRING_MAX_CHARS)
        return `strings must be at most ${DETAILS_STRING_MAX_CHARS} characters`;
      if (node.includes('\u0000')) return 'must not contain NUL (\\u0000)';
      return LONE_SURROGATE.test(node) ? LONE_SURROGATE_MESSAGE : undefined;
    }
    if (depth >= DETAILS_MAX_DEPTH) return `must be nested at most ${DETAILS_MAX_DEPTH} levels deep`;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) {
        const problem = walk(node[i], `${at}/${i}`, depth + 1);
        if (problem !== undefined) return fail(`${at}/${i}`, problem);
      }
      return undefined;
    }
    if (isPlainObject(node)) {
      for (const key of Object.keys(node)) {
        if (key.includes('\u0000'))
          return fail(`${at}/${pointerSegment(key)}`, 'key must not contain NUL (\\u0000)');
        if (LONE_SURROGATE.test(key))
          return fail(`${at}/${pointerSegment(key)}`, `key ${LONE_SURROGATE_MESSAGE}`);
        const problem = walk(node[key], `${at}/${pointerSegment(key)}`, depth + 1);
        if (problem !== undefined) return fail(`${at}/${pointerSegment(key)}`, problem);
      }
      return undefined;
    }
    return `must hold only JSON values, got a ${typeof node}`;
  };
  let reported = false;
  const fail = (at: string, problem: string): string => {
    if (!reported) {
      reported = true;
      errors.push({ pointer: at, message: problem });
    }
    return problem;
  };
  const problem = walk(value, pointer, 0);
  if (problem !== undefined && !reported) errors.push({ pointer, message: problem });
  return problem === undefined;
}

import { parseAllDocuments } from 'yaml';
import { ProfileError } from './profile-error.js';

export type ProfileFormat = 'oci' | 'spo' | 'auto';

export interface DecodeOptions {
  format?: ProfileFormat;
  /** Largest accepted text, in UTF-8 bytes. Docker's default profile is about 20 kB. */
  maxBytes?: number;
  /** Deepest accepted nesting of objects and arrays (a profile needs 5). */
  maxDepth?: number;
}

export const DEFAULT_MAX_PROFILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_PROFILE_DEPTH = 32;

export const SPO_API_GROUP = 'security-profiles-operator.x-k8s.io';

/** What the raw input turned out to be, before its fields are checked. */
export interface DecodedProfile {
  format: 'oci' | 'spo';
  /** The OCI-shaped object: the document itself, or an SPO resource's `spec`. */
  body: unknown;
  /** JSON pointer prefix of `body` inside the input (`/spec` for SPO). */
  pointerPrefix: string;
  spoName?: string;
}

/**
 * Turns text or an already-parsed object into a plain value, enforcing size and depth limits
 * before anything walks it, and unwraps a SeccompProfile resource to its `spec`.
 */
export function decodeProfileInput(input: unknown, options: DecodeOptions = {}): DecodedProfile {
  const format = options.format ?? 'auto';
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_PROFILE_DEPTH;
  // Request bodies and files often arrive as bytes: read them as UTF-8 text.
  const text = ArrayBuffer.isView(input)
    ? Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8')
    : input;
  let value: unknown = text;
  if (typeof text === 'string') {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_PROFILE_BYTES;
    const bytes = ArrayBuffer.isView(input) ? input.byteLength : Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) {
      throw new ProfileError(
        'PROFILE_TOO_LARGE',
        `profile is ${bytes} bytes, more than the limit of ${maxBytes}`,
      );
    }
    value = parseText(text, format, maxDepth);
  }
  checkDepth(value, maxDepth);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProfileError('PROFILE_FORMAT', 'a profile must be an object');
  }
  const record = value as Record<string, unknown>;
  const looksSpo = typeof record.apiVersion === 'string' || record.kind !== undefined || 'spec' in record;
  if (format === 'spo' || (format === 'auto' && looksSpo)) return unwrapSpo(record);
  return { format: 'oci', body: record, pointerPrefix: '' };
}

function parseText(text: string, format: ProfileFormat, maxDepth: number): unknown {
  const trimmed = text.trimStart();
  if (format === 'oci' || (format === 'auto' && (trimmed.startsWith('{') || trimmed.startsWith('[')))) {
    // Depth is checked on the text first: JSON.parse recursion on hostile input is the risk.
    checkTextDepth(text, maxDepth);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ProfileError('PROFILE_SYNTAX', `not valid JSON: ${(error as Error).message}`);
    }
  }
  checkTextDepth(text, maxDepth);
  // maxAliasCount keeps a "billion laughs" document from expanding.
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs)) throw new ProfileError('PROFILE_SYNTAX', 'no YAML document found');
  if (docs.length !== 1) {
    throw new ProfileError('PROFILE_SYNTAX', `expected one YAML document, found ${docs.length}`);
  }
  const doc = docs[0];
  if (doc.errors.length > 0) {
    throw new ProfileError('PROFILE_SYNTAX', `not valid YAML: ${doc.errors[0].message}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    throw new ProfileError('PROFILE_SYNTAX', `not valid YAML: ${(error as Error).message}`);
  }
}

/** Counts bracket nesting outside strings; cheap, and rejects `[[[[...` before any parser runs. */
function checkTextDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > maxDepth) throw tooDeep(maxDepth);
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
}

function checkDepth(value: unknown, maxDepth: number): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) throw tooDeep(maxDepth);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
}

function tooDeep(maxDepth: number): ProfileError {
  return new ProfileError('PROFILE_TOO_DEEP', `profile nests deeper than ${maxDepth} levels`);
}

function unwrapSpo(record: Record<string, unknown>): DecodedProfile {
  const apiVersion = record.apiVersion;
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${SPO_API_GROUP}/`)) {
    throw new ProfileError('PROFILE_FORMAT', `apiVersion must be ${SPO_API_GROUP}/<version>`, [
      { pointer: '/apiVersion', message: `must be ${SPO_API_GROUP}/<version>` },
    ]);
  }
  if (record.kind !== 'SeccompProfile') {
    throw new ProfileError('PROFILE_FORMAT', 'kind must be SeccompProfile', [
      { pointer: '/kind', message: 'must be SeccompProfile' },
    ]);
  }
  const metadata = record.metadata;
  const name =
    metadata && typeof metadata === 'object' && typeof (metadata as { name?: unknown }).name === 'string'
      ? (metadata as { name: string }).name
      : undefined;
  return { format: 'spo', body: record.spec, pointerPrefix: '/spec', spoName: name };
}

/** One problem found in an input, named by the JSON pointer of the offending field. */
export interface FieldError {
  pointer: string;
  message: string;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

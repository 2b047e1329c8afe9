import type { ValidationError } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { pointerSegment } from './domain-error.js';
import { toFieldProblems } from './validation.pipe.js';

const error = (property: string, constraints?: Record<string, string>, children: ValidationError[] = []) =>
  ({ property, constraints, children }) as ValidationError;

describe('toFieldProblems', () => {
  it('turns nested class-validator errors into JSON pointers', () => {
    const problems = toFieldProblems([
      error('name', { isString: 'name must be a string' }),
      error('profiles', undefined, [
        error('0', undefined, [error('sha256', { matches: 'sha256 must match' })]),
      ]),
    ]);
    expect(problems).toEqual([
      { pointer: '/name', message: 'name must be a string' },
      { pointer: '/profiles/0/sha256', message: 'sha256 must match' },
    ]);
  });

  it('escapes ~ and / in keys as RFC 6901 says', () => {
    expect(pointerSegment('a/b~c')).toBe('a~1b~0c');
    expect(toFieldProblems([error('k8s.io/name', { x: 'bad' })])[0].pointer).toBe('/k8s.io~1name');
  });

  it('gives every constraint of a field its own entry', () => {
    expect(toFieldProblems([error('limit', { min: 'too small', isInt: 'not an integer' })])).toHaveLength(2);
  });
});

import { registerDecorator, type ValidationOptions } from 'class-validator';

const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;
const MAX_LABELS = 64;
const MAX_VALUE = 256;

/** Why a label map is not acceptable, or undefined when it is. */
export function labelMapProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object of string labels';
  const entries = Object.entries(value);
  if (entries.length > MAX_LABELS) return `must have at most ${MAX_LABELS} labels`;
  for (const [k, v] of entries) {
    if (!LABEL_KEY.test(k))
      return `label key "${k}" must be 1-63 of [A-Za-z0-9._/-], starting and ending alphanumeric`;
    if (typeof v !== 'string' || v.length > MAX_VALUE)
      return `label "${k}" must be a string of at most ${MAX_VALUE} characters`;
  }
  return undefined;
}

/** `{key: "value"}` labels, Kubernetes-like keys. */
export function IsLabelMap(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isLabelMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => labelMapProblem(value) === undefined,
        defaultMessage: (args) => `${args?.property} ${labelMapProblem(args?.value)}`,
      },
    });
}

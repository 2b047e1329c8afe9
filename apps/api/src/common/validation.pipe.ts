import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { pointerSegment, ValidationFailedError, type FieldProblem } from './domain-error.js';

/** class-validator errors as JSON pointers: `{children: [{property: 'stats', children: [...]}]}` -> `/stats/x`. */
export function toFieldProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const e of errors) {
    const pointer = `${prefix}/${pointerSegment(e.property)}`;
    for (const message of Object.values(e.constraints ?? {})) problems.push({ pointer, message });
    if (e.children?.length) problems.push(...toFieldProblems(e.children, pointer));
  }
  return problems;
}

/**
 * The global pipe: DTO classes validate bodies and queries, unknown fields are refused (a typo in
 * a field name should not pass silently), and a body that is not a JSON object names the root "".
 */
export class DtoValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto =
      metadata.type === 'body' && typeof metadata.metatype === 'function' && this.toValidate(metadata);
    if (isDto && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ValidationFailedError([{ pointer: '', message: 'the body must be a JSON object' }]);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new DtoValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const problems = toFieldProblems(errors);
      return new ValidationFailedError(
        problems.length > 0 ? problems : [{ pointer: '', message: 'the body must be a JSON object' }],
      );
    },
  });
}

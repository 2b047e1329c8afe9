/** Thrown by `evaluate` for a call description it cannot read (not for an unknown arch/syscall). */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
  readonly code = 'EVALUATION_INPUT';
}

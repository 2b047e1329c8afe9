import { DomainError } from '../common/domain-error.js';

export class UnauthorizedError extends DomainError {
  constructor(message = 'Send a valid API token as "Authorization: Bearer <token>"') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('forbidden', message, details);
  }
}

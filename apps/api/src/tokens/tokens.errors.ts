import { DomainError } from '../common/domain-error.js';

export class AgentTokenNeedsHostError extends DomainError {
  constructor() {
    super('validation_failed', 'An agent token needs the hostId it acts for', {
      errors: [{ pointer: '/hostId', message: 'hostId is required for role agent (and only for it)' }],
    });
  }
}

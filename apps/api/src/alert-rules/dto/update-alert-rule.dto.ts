import { PartialType } from '@nestjs/swagger';
import { CreateAlertRuleDto } from './create-alert-rule.dto.js';

/** Any subset of a rule's fields; `match` is replaced as a whole. */
export class UpdateAlertRuleDto extends PartialType(CreateAlertRuleDto) {}

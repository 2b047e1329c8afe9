import { Module } from '@nestjs/common';
import { AlertRuleRepository } from './alert-rule.repository.js';
import { AlertRulesController } from './alert-rules.controller.js';
import { AlertRulesService } from './alert-rules.service.js';

/** /v1/alert-rules: rules evaluated on every stored batch, delivered as webhooks. */
@Module({
  controllers: [AlertRulesController],
  providers: [AlertRuleRepository, AlertRulesService],
})
export class AlertRulesModule {}

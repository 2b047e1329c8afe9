import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuditLogService } from '../audit-log/audit-log.service.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/domain-error.js';
import { IngestEvents } from '../ingest/ingest-events.js';
import type { AlertRule } from './alert-rule.js';
import { AlertRuleEvaluator } from './alert-rule.evaluator.js';
import { AlertRuleRepository, type AlertDelivery } from './alert-rule.repository.js';
import type { CreateAlertRuleDto } from './dto/create-alert-rule.dto.js';
import type { UpdateAlertRuleDto } from './dto/update-alert-rule.dto.js';
import { EvaluationQueue } from './evaluation-queue.js';
import { DEFAULT_RETRY } from './webhook-sender.js';
import { isDenied, literalAddress, type DeniedNetworks } from './webhook-target.js';
import { decodeCursor, encodeCursor, isNameCursor, pageOf } from '../common/page-cursor.js';

const logger = new Logger('AlertRules');

@Injectable()
export class AlertRulesService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly evaluator: AlertRuleEvaluator;
  // Off the ingest request: webhooks may take seconds with retries.
  private readonly queue: EvaluationQueue;
  private unsubscribe: (() => void) | undefined;
  private readonly denied: DeniedNetworks;

  constructor(
    private readonly repository: AlertRuleRepository,
    private readonly auditLog: AuditLogService,
    private readonly moduleRef: ModuleRef,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.denied = config.webhookDeniedNetworks;
    this.evaluator = new AlertRuleEvaluator(repository, DEFAULT_RETRY, this.denied);
    this.queue = new EvaluationQueue(
      (events) => this.evaluator.evaluate(events),
      (error) => logger.error(`Alert rule evaluation failed: ${(error as Error).message}`),
    );
  }

  onModuleInit(): void {
    // Ingest never imports alert rules; it only announces stored batches.
    let events: IngestEvents;
    try {
      events = this.moduleRef.get(IngestEvents, { strict: false });
    } catch {
      logger.warn('No IngestEvents provider: alert rules are never evaluated');
      return;
    }
    this.unsubscribe = events.onBatchStored((batch) => this.queue.push(batch.events));
  }

  // Before the database module ends its pool, so runs in flight can record their deliveries.
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.queue.idle();
  }

  async create(dto: CreateAlertRuleDto, actor: string): Promise<AlertRule> {
    this.checkWebhookTarget(dto.webhookUrl);
    const rule = await this.repository.create({
      name: dto.name,
      match: { ...dto.match },
      threshold: dto.threshold,
      windowSeconds: dto.windowSeconds,
      webhookUrl: dto.webhookUrl,
      webhookFormat: dto.webhookFormat,
      enabled: dto.enabled ?? true,
      createdBy: actor,
    });
    if (!rule)
      throw new DomainError('conflict', `An alert rule named "${dto.name}" exists`, { name: dto.name });
    this.evaluator.invalidate();
    await this.auditLog.record({
      actor,
      action: 'alert_rule.create',
      targetType: 'alert_rule',
      targetId: rule.id,
      after: rule,
    });
    return rule;
  }

  /** Rules by name in keyset pages: the cursor is the last name of the previous page. */
  async page(limit: number, cursor?: string): Promise<{ items: AlertRule[]; nextCursor: string | null }> {
    const afterName = cursor === undefined ? undefined : decodeCursor(cursor, isNameCursor).name;
    const rows = await this.repository.page(afterName, limit + 1);
    return pageOf(rows, limit, (last) => encodeCursor({ name: last.name }));
  }

  async get(id: string): Promise<AlertRule> {
    const rule = await this.repository.get(id);
    if (!rule) throw new NotFoundError('alert rule', id);
    return rule;
  }

  async update(id: string, dto: UpdateAlertRuleDto, actor: string): Promise<AlertRule> {
    if (dto.webhookUrl !== undefined) this.checkWebhookTarget(dto.webhookUrl);
    const before = await this.get(id);
    let rule: AlertRule | undefined;
    try {
      rule = await this.repository.update(id, { ...dto, ...(dto.match ? { match: { ...dto.match } } : {}) });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new DomainError('conflict', `An alert rule named "${dto.name}" exists`, { name: dto.name });
      }
      throw error;
    }
    if (!rule) throw new NotFoundError('alert rule', id);
    this.evaluator.invalidate();
    await this.auditLog.record({
      actor,
      action: 'alert_rule.update',
      targetType: 'alert_rule',
      targetId: id,
      before,
      after: rule,
    });
    return rule;
  }

  async delete(id: string, actor: string): Promise<AlertRule> {
    const rule = await this.repository.delete(id);
    if (!rule) throw new NotFoundError('alert rule', id);
    this.evaluator.invalidate();
    await this.auditLog.record({
      actor,
      action: 'alert_rule.delete',
      targetType: 'alert_rule',
      targetId: id,
      before: rule,
    });
    return rule;
  }

  /**
   * Refuses an address literal inside a denied network at once; a name is checked on every
   * delivery, against what it resolves to then.
   */
  private checkWebhookTarget(url: string): void {
    const address = literalAddress(new URL(url));
    if (address !== undefined && isDenied(this.denied, address)) {
      throw new ValidationFailedError([
        {
          pointer: '/webhookUrl',
          message: `${address} is inside a denied network (SANDTRAP_WEBHOOK_DENY_NETWORKS=${this.denied.text})`,
        },
      ]);
    }
  }

  async deliveries(id: string, limit: number): Promise<AlertDelivery[]> {
    await this.get(id);
    return this.repository.deliveries(id, limit);
  }
}

import type { EventShape } from '../ingest/ingest-batch.js';
import { alertPayload } from './alert-payload.js';
import { eventMayMatch, type AlertRule } from './alert-rule.js';
import type { AlertRuleRepository } from './alert-rule.repository.js';
import { sendWebhook, type WebhookRetryPolicy } from './webhook-sender.js';
import type { DeniedNetworks } from './webhook-target.js';

const RULE_CACHE_MS = 5000;
const EVENTS_PER_DELIVERY = 20;

/**
 * Runs after each stored batch: for each enabled rule that an event of the batch may match,
 * counts the matching stored events in the rule's window and, at the threshold, delivers at most
 * once per window since the rule last fired (the repository makes that hold across replicas).
 */
export class AlertRuleEvaluator {
  private cache: { rules: AlertRule[]; at: number } | undefined;

  constructor(
    private readonly repository: AlertRuleRepository,
    private readonly retry: WebhookRetryPolicy,
    private readonly denied: DeniedNetworks,
    private readonly clock: () => number = Date.now,
  ) {}

  invalidate(): void {
    this.cache = undefined;
  }

  async evaluate(events: readonly EventShape[]): Promise<void> {
    if (events.length === 0) return;
    for (const rule of await this.enabledRules()) {
      if (!events.some((e) => eventMayMatch(rule.match, e))) continue;
      const count = await this.repository.countMatching(rule);
      if (count < rule.threshold) continue;
      const now = this.clock();
      const latest = await this.repository.latestMatching(rule, EVENTS_PER_DELIVERY);
      const payload = alertPayload({ rule, count, firedAt: new Date(now), events: latest });
      const deliveryId = await this.repository.startDelivery(rule.id, rule.windowSeconds, count, payload);
      if (deliveryId === undefined) continue;
      const final = await sendWebhook(
        rule.webhookUrl,
        payload,
        this.retry,
        (o) => this.repository.recordAttempt(deliveryId, { status: 'sending', ...o }),
        this.denied,
      );
      await this.repository.recordAttempt(deliveryId, {
        ...final,
        status: final.ok ? 'delivered' : 'failed',
      });
    }
  }

  private async enabledRules(): Promise<AlertRule[]> {
    if (!this.cache || this.clock() - this.cache.at > RULE_CACHE_MS) {
      this.cache = { rules: await this.repository.list(true), at: this.clock() };
    }
    return this.cache.rules;
  }
}

import type { AlertEvent, AlertRule } from './alert-rule.js';

export interface AlertFiring {
  rule: AlertRule;
  count: number;
  firedAt: Date;
  /** The latest matching events, newest first. */
  events: AlertEvent[];
}

function describeEvent(e: AlertEvent): string {
  const parts = [`${e.action} ${e.syscall ?? '?'} on ${e.host}`];
  if (e.exe) parts.push(`exe ${e.exe}`);
  if (e.pid !== null) parts.push(`pid ${e.pid}`);
  if (e.container) parts.push(`container ${e.container}`);
  if (e.policy) parts.push(`policy ${e.policy}`);
  return parts.join(', ');
}

function summary(f: AlertFiring): string {
  return `Sandtrap alert "${f.rule.name}": ${f.count} matching events in ${f.rule.windowSeconds}s (threshold ${f.rule.threshold})`;
}

/** The request body for the rule's webhook format. */
export function alertPayload(f: AlertFiring): unknown {
  switch (f.rule.webhookFormat) {
    case 'generic':
      return {
        rule: {
          id: f.rule.id,
          name: f.rule.name,
          threshold: f.rule.threshold,
          windowSeconds: f.rule.windowSeconds,
        },
        count: f.count,
        firedAt: f.firedAt.toISOString(),
        events: f.events,
      };
    case 'slack':
      // Slack's incoming webhooks (and Mattermost, Rocket.Chat) take `text` with mrkdwn.
      return {
        text: `${summary(f)}\n${f.events
          .slice(0, 10)
          .map((e) => `• ${describeEvent(e)}`)
          .join('\n')}`,
      };
    case 'alertmanager': {
      // Alertmanager's POST /api/v2/alerts: a list of alerts; it groups and routes them itself.
      const latest = f.events[0];
      return [
        {
          labels: {
            alertname: 'SandtrapAlertRule',
            rule: f.rule.name,
            severity: 'warning',
            ...(latest ? { host: latest.host, action: latest.action } : {}),
            ...(latest?.syscall ? { syscall: latest.syscall } : {}),
          },
          annotations: {
            summary: summary(f),
            description: f.events.slice(0, 10).map(describeEvent).join('\n'),
          },
          startsAt: f.firedAt.toISOString(),
        },
      ];
    }
  }
}

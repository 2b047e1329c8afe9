import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_FORMATS } from '../alert-rule.js';
import { AlertMatchDto } from './create-alert-rule.dto.js';

/** An alert rule as the API answers it. */
export class AlertRuleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'killed-in-prod' }) name!: string;
  @ApiProperty({ type: AlertMatchDto, description: 'Empty: every stored event counts' })
  match!: AlertMatchDto;
  @ApiProperty({ type: 'integer', minimum: 1 }) threshold!: number;
  @ApiProperty({ type: 'integer', minimum: 10, maximum: 86400 }) windowSeconds!: number;
  @ApiProperty() webhookUrl!: string;
  @ApiProperty({ enum: WEBHOOK_FORMATS }) webhookFormat!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ example: 'token:ops' }) createdBy!: string;
}

export class AlertRuleListDto {
  @ApiProperty({ type: [AlertRuleDto], description: 'By name' }) items!: AlertRuleDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class AlertDeliveryDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ format: 'uuid' }) ruleId!: string;
  @ApiProperty({ enum: ['sending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) attempts!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Matching events in the window when it fired' })
  eventCount!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: "The webhook's HTTP status" })
  responseStatus!: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
    ],
    description: 'The body sent to the webhook (an array of alerts for alertmanager)',
  })
  payload!: unknown;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
}

export class AlertDeliveryListDto {
  @ApiProperty({ type: [AlertDeliveryDto], description: 'Newest first' }) items!: AlertDeliveryDto[];
}

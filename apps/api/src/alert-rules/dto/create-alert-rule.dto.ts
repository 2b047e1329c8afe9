import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsLabelMap } from '../../hosts/dto/labels.validator.js';
import { WEBHOOK_FORMATS, type WebhookFormat } from '../alert-rule.js';

const LIST = { maxItems: 100 } as const;

export class AlertMatchDto {
  @ApiPropertyOptional({ type: [String], example: ['kill_process', 'kill_thread'], ...LIST })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  actions?: string[];

  @ApiPropertyOptional({ type: [String], example: ['ptrace'], ...LIST })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  syscalls?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Host names', ...LIST })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  hosts?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { env: 'prod' } })
  @IsOptional()
  @IsLabelMap()
  hostLabels?: Record<string, string>;

  @ApiPropertyOptional({ type: [String], example: ['/usr/bin/curl'], ...LIST })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(4096, { each: true })
  exes?: string[];
}

export class CreateAlertRuleDto {
  @ApiProperty({ example: 'killed-in-prod' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiPropertyOptional({ type: AlertMatchDto, description: 'Empty: every stored event counts' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AlertMatchDto)
  match?: AlertMatchDto;

  @ApiProperty({ minimum: 1, description: 'Fire when at least this many matching events are in the window' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  threshold!: number;

  @ApiProperty({ minimum: 10, maximum: 86400 })
  @IsInt()
  @Min(10)
  @Max(86400)
  windowSeconds!: number;

  @ApiProperty({ example: 'https://hooks.example.com/sandtrap' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  webhookUrl!: string;

  @ApiProperty({
    enum: WEBHOOK_FORMATS,
    description: 'generic JSON, Slack-compatible, or Alertmanager v2 /api/v2/alerts',
  })
  @IsIn(WEBHOOK_FORMATS)
  webhookFormat!: WebhookFormat;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

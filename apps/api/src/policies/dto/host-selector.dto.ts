import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsLabelMap } from '../../hosts/dto/labels.validator.js';

/** Which hosts: all labels of `matchLabels` present and, when given, a name in `hostNames`. */
export class HostSelectorDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { env: 'prod' } })
  @IsOptional()
  @IsLabelMap()
  matchLabels?: Record<string, string>;

  @ApiPropertyOptional({ type: [String], example: ['web-1', 'web-2'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  hostNames?: string[];
}

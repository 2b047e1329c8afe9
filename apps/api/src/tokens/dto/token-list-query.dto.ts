import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto.js';

/** GET /v1/tokens: revoked tokens or not, and keyset paging (by creation time). */
export class TokenListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false', '1', '0'],
    default: 'false',
    description: 'true (or 1) to list revoked tokens too',
  })
  @IsOptional()
  @IsIn(['true', 'false', '1', '0'])
  includeRevoked?: string;
}

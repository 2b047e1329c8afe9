import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '../../auth/role.js';

export class TokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) hostId!: string | null;
  @ApiProperty({ type: String, nullable: true }) hostName!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) createdBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastUsedAt!: string | null;
}

export class CreatedTokenDto extends TokenDto {
  @ApiProperty({ description: 'The secret token: shown this once, never again', example: 'st_..._...' })
  token!: string;
}

export class TokenListDto {
  @ApiProperty({ type: [TokenDto], description: 'Oldest first' }) items!: TokenDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= (with the same includeRevoked) for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

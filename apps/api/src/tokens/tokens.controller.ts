import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorOf } from '../audit-log/audit-log.service.js';
import type { AuthToken } from '../auth/auth-token.js';
import { CurrentToken, Roles } from '../auth/auth.decorators.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { CreateTokenDto } from './dto/create-token.dto.js';
import { TokenListQueryDto } from './dto/token-list-query.dto.js';
import { CreatedTokenDto, TokenDto, TokenListDto } from './dto/token.dto.js';
import type { TokenRecord } from './token.repository.js';
import { TokensService } from './tokens.service.js';

@ApiTags('tokens')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiOperation({ summary: 'Create a token; its secret is in this answer only' })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiErrorResponses(400, 401, 403, 404, 415)
  create(@Body() body: CreateTokenDto, @CurrentToken() caller: AuthToken): Promise<CreatedTokenDto> {
    return this.tokens.create(body, actorOf(caller));
  }

  @Get()
  @ApiOperation({ summary: 'List tokens (never their secrets), oldest first, in keyset pages' })
  @ApiOkResponse({ type: TokenListDto })
  @ApiErrorResponses(400, 401, 403)
  list(@Query() query: TokenListQueryDto): Promise<{ items: TokenRecord[]; nextCursor: string | null }> {
    const includeRevoked = query.includeRevoked === 'true' || query.includeRevoked === '1';
    return this.tokens.page(includeRevoked, query.limit ?? 100, query.cursor);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a token, effective at once' })
  @ApiOkResponse({ type: TokenDto })
  @ApiErrorResponses(400, 401, 403, 404)
  revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentToken() caller: AuthToken,
  ): Promise<TokenRecord> {
    return this.tokens.revoke(id, actorOf(caller));
  }
}

import { Module } from '@nestjs/common';
import { AdminTokenBootstrap } from './admin-token.bootstrap.js';
import { TokenRepository } from './token.repository.js';
import { TokenVerifier } from './token-verifier.js';
import { TokensController } from './tokens.controller.js';
import { TokensService } from './tokens.service.js';

@Module({
  controllers: [TokensController],
  providers: [TokenRepository, TokenVerifier, TokensService, AdminTokenBootstrap],
  exports: [TokenVerifier, TokensService],
})
export class TokensModule {}

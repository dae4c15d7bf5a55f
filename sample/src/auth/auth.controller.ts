import { Body, Controller, HttpCode, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import { DemoTokenService, USER_ID } from './demo-token.service.js';

export class DemoLoginDto {
  @IsString()
  @Matches(USER_ID, { message: 'userId must be 1 to 32 of a-z 0-9 _ -' })
  userId!: string;
}

/** DEMO ONLY: hands out a token for any user who asks. */
@Controller('auth')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
export class AuthController {
  constructor(private readonly tokens: DemoTokenService) {}

  @Post('demo-login')
  @HttpCode(200)
  login(@Body() dto: DemoLoginDto): { token: string } {
    return { token: this.tokens.issue(dto.userId) };
  }
}

import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { USER_ID } from '../auth/demo-token.service.js';

/** `POST /notifications`. */
export class CreateNotificationDto {
  @IsString()
  @Matches(USER_ID, { message: 'userId must be 1 to 32 of a-z 0-9 _ -' })
  userId!: string;

  @IsString() @Length(1, 200) title!: string;

  @IsOptional() @IsString() @MaxLength(2000) body?: string;
}

/** `POST /announcements`. */
export class CreateAnnouncementDto {
  @IsString() @Length(1, 200) title!: string;
}

/** Command `notifications.markRead`. */
export class MarkReadDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  ids!: string[];
}

/** Command `notifications.digest`: how many of the latest notifications to sum up. */
export class DigestDto {
  @IsOptional() @IsInt() @Min(1) @Max(50) limit?: number;
}

import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** The inbound scenario's command payload, validated by every Nest contender. */
export class EchoDto {
  @IsInt()
  @Min(0)
  @Max(1e12)
  n!: number;

  @IsOptional()
  @IsString()
  note?: string;
}

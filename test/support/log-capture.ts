import type { LoggerService, LogLevel } from '@nestjs/common';

export interface CapturedLine {
  level: LogLevel;
  message: unknown;
  context?: string;
  /** The whole line as text, to search for what must never be logged. */
  text: string;
}

/** A LoggerService that keeps every line: give it to a test app as its logger. */
export class LogCapture implements LoggerService {
  readonly lines: CapturedLine[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.keep('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.keep('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.keep('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.keep('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.keep('verbose', message, rest);
  }

  /** Lines from one logger context (e.g. 'DynamoKvStore'). */
  from(context: string): CapturedLine[] {
    return this.lines.filter((line) => line.context === context);
  }

  private keep(level: LogLevel, message: unknown, rest: unknown[]): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    this.lines.push({ level, message, context, text: JSON.stringify([message, ...rest]) });
  }
}

import type { LoggerService } from '@nestjs/common';

/** Swallows log lines: stores log failures at error level by design, and tests provoke many. */
export const SILENT_LOGGER: LoggerService = { log() {}, error() {}, warn() {}, debug() {}, verbose() {} };

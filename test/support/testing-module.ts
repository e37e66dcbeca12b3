import type { LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';

/** Swallows log lines: stores log failures at error level by design, and tests provoke many. */
const SILENT: LoggerService = { log() {}, error() {}, warn() {}, debug() {}, verbose() {} };

/** Test.createTestingModule with a logger of the test's choice (silent unless it captures lines). */
export function testingModule(metadata: ModuleMetadata, logger: LoggerService = SILENT): TestingModuleBuilder {
  return Test.createTestingModule(metadata).setLogger(logger);
}

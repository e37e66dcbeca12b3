import { Controller, Next, Post, Res } from '@nestjs/common';
import { Idempotent } from '../../lib/idempotency/idempotent.decorator.js';
import { InvalidIdempotencyOptionsError, UnsupportedIdempotentRouteError } from '../../lib/idempotency/idempotency.errors.js';
import { DEFAULT_IDEMPOTENCY_SETTINGS, resolveIdempotencySettings, type KvIdempotencyOptions } from '../../lib/idempotency/kv-idempotency.options.js';

describe('idempotency options', () => {
  it('has its defaults, and lower-cases header names', () => {
    expect(resolveIdempotencySettings()).toEqual(DEFAULT_IDEMPOTENCY_SETTINGS);
    expect(resolveIdempotencySettings({ replayedHeaders: ['Location', 'X-Order-Id'] }).replayedHeaders).toEqual(['location', 'x-order-id']);
  });

  it.each<[string, KvIdempotencyOptions, string]>([
    ['keyPrefix', { keyPrefix: 1 as unknown as string }, 'must be a string'],
    ['keyPrefix', { keyPrefix: '\ud800' }, 'lone surrogate'],
    ['keyPrefix', { keyPrefix: 'p'.repeat(1025) }, 'at most 1024'],
    ['inProgressTtlSeconds', { inProgressTtlSeconds: 0 }, 'from 1 to'],
    ['inProgressTtlSeconds', { inProgressTtlSeconds: 1.5 }, 'whole number'],
    ['keepSeconds', { keepSeconds: 1_700_000_000 }, 'from 1 to'],
    ['replayedHeaders', { replayedHeaders: 'location' as unknown as string[] }, 'must be an array'],
    ['replayedHeaders', { replayedHeaders: ['bad header'] }, 'not a header name'],
    ['replayedHeaders', { replayedHeaders: ['Set-Cookie'] }, "must not have 'set-cookie'"],
    ['scope', { scope: 'tenant' as unknown as KvIdempotencyOptions['scope'] }, 'must be a function'],
  ])('refuses a bad %s with an error naming it', (option, options, reason) => {
    const thrown = (() => {
      try {
        resolveIdempotencySettings(options);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(InvalidIdempotencyOptionsError);
    expect(thrown).toMatchObject({ option, code: 'INVALID_IDEMPOTENCY_OPTIONS', message: expect.stringContaining(reason) });
  });

  it('checks a route\'s options when @Idempotent() is applied', () => {
    expect(() => Idempotent({ keepSeconds: -1 })).toThrow(InvalidIdempotencyOptionsError);
    expect(() => Idempotent({ required: 'yes' as unknown as boolean })).toThrow(InvalidIdempotencyOptionsError);
    expect(() => Idempotent({ required: true, inProgressTtlSeconds: 300, keepSeconds: 3600 })).not.toThrow();
  });

  it('refuses, when the app starts, a route that sends its response itself: there is nothing to replay', () => {
    const define = (): unknown => {
      @Controller()
      class DownloadsController {
        @Post('raw')
        @Idempotent()
        raw(@Res() response: { end(): void }): void {
          response.end();
        }
      }
      return DownloadsController;
    };
    expect(define).toThrow(UnsupportedIdempotentRouteError);
    expect(define).toThrow(/DownloadsController\.raw.*@Res\(\)/);
    const withNext = (): unknown => {
      @Controller()
      class ChainController {
        @Post('next')
        @Idempotent()
        chain(@Next() next: () => void): void {
          next();
        }
      }
      return ChainController;
    };
    expect(withNext).toThrow(UnsupportedIdempotentRouteError);
  });

  it('takes a route with @Res({ passthrough: true }), and a controller-wide @Idempotent()', () => {
    const define = (): unknown => {
      @Controller()
      @Idempotent()
      class OrdersController {
        @Post('passthrough')
        @Idempotent({ required: true })
        create(@Res({ passthrough: true }) response: { status(code: number): void }): { ok: boolean } {
          response.status(202);
          return { ok: true };
        }
      }
      return OrdersController;
    };
    expect(define).not.toThrow();
  });
});

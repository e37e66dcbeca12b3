import { BadRequestException, HttpException, HttpStatus, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { failureOutcome } from '../../lib/idempotency/handler-failure.js';
import { replayedBody } from '../../lib/idempotency/replayable-response.js';

describe('failureOutcome (what a failed run leaves behind)', () => {
  it.each<[string, unknown]>([
    ['a 400 (a pipe refusing the body)', new BadRequestException('item must be a string')],
    ['a 404', new NotFoundException()],
    ['a 499', new HttpException('client closed', 499)],
  ])('frees the key for %s', (_case, error) => {
    expect(failureOutcome(error)).toEqual({ kind: 'free' });
  });

  it('keeps a 5xx HttpException\'s status and response, as JSON gives them back', () => {
    expect(failureOutcome(new ServiceUnavailableException('payments are down'))).toEqual({
      kind: 'store',
      response: { kind: 'exception', status: 503, response: { statusCode: 503, error: 'Service Unavailable', message: 'payments are down' } },
    });
    expect(failureOutcome(new HttpException('plain text', HttpStatus.BAD_GATEWAY))).toEqual({
      kind: 'store',
      response: { kind: 'exception', status: 502, response: 'plain text' },
    });
    const when = new Date(Date.UTC(2030, 0, 1));
    expect(failureOutcome(new HttpException({ at: when }, 500))).toMatchObject({ response: { response: { at: when.toISOString() } } });
  });

  it.each<[string, unknown]>([
    ['an Error', new Error('boom')],
    ['a thrown string', 'boom'],
    ['a 5xx whose response has no JSON form', new HttpException({ big: 1n }, 500)],
  ])('keeps the key with nothing to replay for %s', (_case, error) => {
    expect(failureOutcome(error)).toEqual({ kind: 'unavailable' });
  });
});

describe('replayedBody', () => {
  it.each<[string, unknown]>([
    ['an object', { id: 1, tags: ['a'] }],
    ['an array', [1, 'two', null]],
    ['a Date', new Date(Date.UTC(2030, 0, 1))],
    ['an object whose toJSON() gives a string', { toJSON: () => 'custom' }],
  ])('gives back a value that serializes to the same JSON, as an object, for %s', (_case, result) => {
    const json = JSON.stringify(result);
    const replayed = replayedBody({ json, object: true });
    expect(typeof replayed).toBe('object');
    expect(JSON.stringify(replayed)).toBe(json);
  });

  it.each<[string, string | number | boolean | null]>([
    ['a string', 'hello'],
    ['a number', 42],
    ['a boolean', false],
    ['null', null],
  ])('gives back %s as it was, which Nest sends as it did', (_case, result) => {
    expect(replayedBody({ json: JSON.stringify(result), object: false })).toBe(result);
  });

  it('gives back nothing for no body', () => {
    expect(replayedBody(undefined)).toBeUndefined();
  });
});

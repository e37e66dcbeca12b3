import { jest } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { firstValueFrom, isObservable } from 'rxjs';
import { KeyNotFoundError, KvHttpExceptionFilter, KvUnavailableError, type KvStoreError } from '../../lib/index.js';

/**
 * A host of the given context type, as Nest builds one for microservice handlers (`rpc`), gateways
 * (`ws`) and resolvers (`graphql`): the arguments are the handler's, and there is no HTTP response.
 */
function hostOf(type: string, args: unknown[]): ArgumentsHost {
  return {
    getType: () => type,
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    switchToHttp: () => ({ getRequest: () => args[0], getResponse: () => args[1], getNext: () => args[2] }),
    switchToRpc: () => ({ getData: () => args[0], getContext: () => args[1] }),
    switchToWs: () => ({ getClient: () => args[0], getData: () => args[1], getPattern: () => args[args.length - 1] }),
  } as unknown as ArgumentsHost;
}

describe('KvHttpExceptionFilter outside HTTP', () => {
  const setHeader = jest.fn();
  const reply = jest.fn();
  // No HTTP adapter calls are expected outside HTTP: any would write to something that is not a response.
  const filter = new KvHttpExceptionFilter({ httpAdapter: { setHeader, reply } } as unknown as HttpAdapterHost);
  const error: KvStoreError = new KvUnavailableError("DynamoDB could not be reached for get on table 'kv'; nothing was changed.", { table: 'kv' });

  afterEach(() => {
    expect(setHeader).not.toHaveBeenCalled();
    expect(reply).not.toHaveBeenCalled();
  });

  it('rpc: returns an Observable that errors with Nest\'s error payload and the store\'s code, as BaseRpcExceptionFilter does', async () => {
    const result = filter.catch(error, hostOf('rpc', [{ key: 'k' }, { getPattern: () => 'kv.get' }]));
    expect(isObservable(result)).toBe(true);
    await expect(firstValueFrom(result as never)).rejects.toEqual({ status: 'error', error: 'UNAVAILABLE', message: error.message });
  });

  it('ws: emits the payload to the client as an exception event, as BaseWsExceptionFilter does', () => {
    const client = { emit: jest.fn() };
    expect(filter.catch(error, hostOf('ws', [client, { key: 'k' }, 'kv.get']))).toBeUndefined();
    expect(client.emit).toHaveBeenCalledWith('exception', { status: 'error', error: 'UNAVAILABLE', message: error.message });
  });

  it('ws: leaves a client that cannot emit alone, without failing', () => {
    expect(filter.catch(error, hostOf('ws', [{}, { key: 'k' }, 'kv.get']))).toBeUndefined();
    expect(filter.catch(error, hostOf('ws', [undefined]))).toBeUndefined();
  });

  it('graphql: returns the error itself, which GraphQL reports as the field\'s error', () => {
    const notFound = new KeyNotFoundError('k', 'kv');
    expect(filter.catch(notFound, hostOf('graphql', [undefined, { key: 'k' }, {}, {}]))).toBe(notFound);
  });

  it('any other context: rethrows the error to the framework', () => {
    expect(() => filter.catch(error, hostOf('kafka-custom', [{}]))).toThrow(error);
  });
});

import assert from 'node:assert/strict';

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** The error `promise` rejects with, after checking its class and the given fields. */
export async function rejection<E>(promise: Promise<unknown>, type: ErrorClass<E>, fields: Partial<Record<keyof E, unknown>> = {}): Promise<E> {
  let settled: { error: unknown } | undefined;
  try {
    await promise;
  } catch (error) {
    settled = { error };
  }
  if (settled === undefined) assert.fail(`expected a ${type.name}, but the call resolved`);
  const { error } = settled;
  assert.ok(error instanceof type, `expected a ${type.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  for (const [field, expected] of Object.entries(fields)) {
    assert.deepEqual((error as Record<string, unknown>)[field], expected, `${type.name}.${field}`);
  }
  return error;
}

/**
 * What `call` returns, failing the test if it throws instead: a store call reports every failure, bad
 * arguments included, through its promise, so that `await` and `.catch()` see it.
 */
export function promiseOf(call: () => Promise<unknown>, what: string): Promise<unknown> {
  try {
    return call();
  } catch (error) {
    return assert.fail(`${what} threw synchronously (${error instanceof Error ? error.name : String(error)}) instead of returning a rejected promise`);
  }
}

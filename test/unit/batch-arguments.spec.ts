import { InvalidKeyError } from '../../lib/index.js';
import { batchList, type BatchOperation } from '../../lib/input/batch-arguments.js';

describe('batchList: the argument of getMany, setMany and deleteMany', () => {
  const place = (operation: BatchOperation) => ({ operation, table: 'kv-store' });

  it('reads any iterable once, into an array', () => {
    function* generated(): Generator<string> {
      yield 'a';
      yield 'b';
    }
    expect(batchList(['a', 'b'], place('get_many'))).toEqual(['a', 'b']);
    expect(batchList(new Set(['a', 'b']), place('delete_many'))).toEqual(['a', 'b']);
    expect(batchList(generated(), place('get_many'))).toEqual(['a', 'b']);
    expect(batchList(new Map([['k', 'v']]), place('set_many'))).toEqual([['k', 'v']]);
    expect(batchList([], place('set_many'))).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['a string, which would read one key per character', 'abc', 'a string'],
    ['a String object', new String('abc'), 'a string'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, 'a number'],
    ['a plain object', { abc: 'value' }, 'an object that is not iterable'],
    ['an object whose Symbol.iterator is not a function', { [Symbol.iterator]: 1 }, 'an object that is not iterable'],
  ])('refuses %s with InvalidKeyError naming the call, the table and what to pass', (_case, argument, kind) => {
    for (const operation of ['get_many', 'delete_many'] as const) {
      const call = () => batchList(argument as Iterable<string>, place(operation));
      expect(call).toThrow(InvalidKeyError);
      expect(call).toThrow(
        `Invalid key: the argument of ${operation} on table 'kv-store' must be an array (or another iterable) of key strings; ` +
          `for one key, pass [key], not ${kind}.`,
      );
      expect(() => batchList(argument as Iterable<string>, place(operation))).toThrow(expect.objectContaining({ operation, table: 'kv-store' }));
    }
    expect(() => batchList(argument as Iterable<[string, string]>, place('set_many'))).toThrow(
      `the argument of set_many on table 'kv-store' must be an array of [key, value] pairs, a Map, or another iterable of pairs, not ${kind}.`,
    );
  });

  it('keeps the argument itself off the message, since it may hold keys', () => {
    expect(() => batchList({ 'secret-key': 'value' } as unknown as Iterable<string>, place('get_many'))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-key') }),
    );
  });

  it('lets an error of the iterable itself through, as the caller raised it', () => {
    const failing: Iterable<string> = {
      *[Symbol.iterator]() {
        yield 'a';
        throw new RangeError('from the caller');
      },
    };
    expect(() => batchList(failing, place('get_many'))).toThrow(RangeError);
  });
});

import { InvalidValueError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';

/**
 * `JSON.stringify(value)`, refusing what JSON would silently change: undefined, functions, symbols,
 * BigInt, non-finite numbers (all dropped or turned into null), cycles, and nesting too deep to write.
 */
export function jsonOf(value: unknown, context: KvStoreErrorContext): string {
  try {
    // The replacer sees every member, the root included, so nothing stringify would drop gets through.
    return JSON.stringify(value, (_name, member: unknown) => {
      const problem = unrepresentable(member);
      if (problem) throw new InvalidValueError(`JSON cannot represent ${problem} exactly.`, context);
      return member;
    });
  } catch (error) {
    if (error instanceof InvalidValueError) throw error;
    // A TypeError for cycles, a RangeError for nesting deeper than the stack.
    const reason = error instanceof RangeError ? 'it is nested too deeply to write as JSON.' : 'it has a cycle, which JSON cannot represent.';
    throw new InvalidValueError(reason, { ...context, cause: error });
  }
}

function unrepresentable(member: unknown): string | undefined {
  switch (typeof member) {
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'bigint':
      return 'a BigInt';
    case 'number':
      return Number.isFinite(member) ? undefined : String(member);
    default:
      return undefined;
  }
}

import { InvalidValueError, type KvStoreErrorContext } from '../contract/kv-store.errors.js';
import type { KvOperation } from '../contract/kv-store.interface.js';
import { assertItemFits, assertValidKey, assertValidValue, describeType, WRITE_TOKEN_BYTES, type ItemShape } from './kv-input.validation.js';
import { expiryOf, ttlOf } from './ttl.validation.js';

/** Where in a call an input is: the operation, and the entry of a batch. */
export interface InputPlace {
  operation: KvOperation;
  entry?: number;
}

export interface StoredLayout extends ItemShape {
  keyPrefix: string;
}

/** A checked write: the value to store and its expiry (epoch seconds), if any. */
export interface CheckedWrite {
  value: string;
  expiresAt: number | undefined;
}

/** A checked increment: the key, the delta, and the expiry (epoch seconds) a counter it creates gets. */
export interface CounterStep {
  key: string;
  delta: number;
  expiresAt: number | undefined;
}

/**
 * Every check a store makes before a request, in one place, so that every implementation refuses the
 * same input with the same typed error: keys (with the prefix counted in), values, TTLs and item size.
 */
export class InputRules {
  private readonly prefixBytes: number;

  constructor(
    private readonly layout: StoredLayout,
    private readonly table: string,
    private readonly defaultTtlSeconds: number | undefined,
    private readonly now: () => number,
  ) {
    this.prefixBytes = Buffer.byteLength(layout.keyPrefix, 'utf8');
  }

  key(key: unknown, place: InputPlace): asserts key is string {
    assertValidKey(key, this.context(place), this.prefixBytes);
  }

  /** A key prefix to list by: any string a key could start with, the empty one included. */
  prefix(prefix: unknown, place: InputPlace): asserts prefix is string {
    if (prefix !== '') this.key(prefix, place);
  }

  value(value: unknown, place: InputPlace): asserts value is string {
    assertValidValue(value, this.context(place));
  }

  /** The expiry a write at this moment gets: from `ttlSeconds`, else the default TTL, else none. */
  expiry(ttlSeconds: unknown, place: InputPlace): number | undefined {
    const ttl = ttlOf(ttlSeconds, this.defaultTtlSeconds, this.context(place));
    return ttl === undefined ? undefined : expiryOf(ttl, this.now());
  }

  /** Key, value, TTL and item size; `expiresAt` when a batch already computed it for all its entries. */
  write(place: InputPlace, key: unknown, value: unknown, ttlSeconds: unknown, expiresAt = this.expiry(ttlSeconds, place)): CheckedWrite {
    return this.checkedWrite(place, key, value, expiresAt, 0);
  }

  /** A conditional write's checks: its item also carries the write's token, which counts toward the size. */
  conditionalWrite(place: InputPlace, key: unknown, value: unknown, ttlSeconds: unknown): CheckedWrite {
    return this.checkedWrite(place, key, value, this.expiry(ttlSeconds, place), WRITE_TOKEN_BYTES);
  }

  /** An increment's checks: the key, a safe-integer delta, and the expiry of a counter it would create. */
  counter(place: InputPlace, key: unknown, delta: unknown, ttlSeconds: unknown): CounterStep {
    this.key(key, place);
    if (typeof delta !== 'number' || !Number.isSafeInteger(delta)) {
      const shown = typeof delta === 'number' ? String(delta) : describeType(delta);
      throw new InvalidValueError(`the delta must be an integer within ±(2^53 - 1), got ${shown}.`, this.context(place));
    }
    return { key, delta, expiresAt: this.expiry(ttlSeconds, place) };
  }

  /** A batch entry that is not a `[key, value]` pair is refused as a bad key, naming the entry. */
  pair(entry: unknown): [unknown, unknown] {
    return Array.isArray(entry) ? [entry[0], entry[1]] : [undefined, undefined];
  }

  private checkedWrite(place: InputPlace, key: unknown, value: unknown, expiresAt: number | undefined, extraBytes: number): CheckedWrite {
    this.key(key, place);
    this.value(value, place);
    assertItemFits(this.layout, this.layout.keyPrefix + key, value, expiresAt, this.context(place), extraBytes);
    return { value, expiresAt };
  }

  private context(place: InputPlace): KvStoreErrorContext {
    return { ...place, table: this.table };
  }
}

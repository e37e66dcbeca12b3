import { Injectable, Logger } from '@nestjs/common';
import { InvalidOptionsError } from '../contract/kv-store.errors.js';
import { mayShareTable, prefixesOverlap, type StoreKeyspace } from './store-keyspace.js';

/** What a registration names: its table and key prefix. */
export interface StorePlace {
  table: string;
  keyPrefix: string;
}

/**
 * The stores one application registers. Two registrations under one name would silently shadow each
 * other, and two stores whose key prefixes overlap on one table would read and write each other's keys
 * (`s:` and `s:admin:`: the first's `admin:x` is the second's `x`); both are refused at bootstrap.
 * Stores of other applications, or other processes, are out of its sight.
 */
@Injectable()
export class StoreRegistrations {
  private readonly logger = new Logger('DynamoKvModule');
  private readonly places = new Map<string, StorePlace>();
  private readonly keyspaces = new Map<string, StoreKeyspace>();

  /** A store's name, from its options: the same store registered twice only warns. */
  claim(name: string, place: StorePlace): void {
    const registered = this.places.get(name);
    if (registered === undefined) {
      this.places.set(name, place);
    } else if (registered.table !== place.table || registered.keyPrefix !== place.keyPrefix) {
      throw new InvalidOptionsError(
        'name',
        `'${name}' is used by two stores, on ${describePlace(registered)} and ${describePlace(place)}: give each forRoot its own name.`,
      );
    } else {
      this.logger.warn(`Store '${name}' (table '${place.table}') is registered more than once; register it once, with isGlobal: true, to share it.`);
    }
  }

  /** A store's keys, once its client knows its region: no other store of the app may reach them. */
  claimKeyspace(keyspace: StoreKeyspace): void {
    // The same store registered again: claim() has already judged it.
    if (this.keyspaces.has(keyspace.store)) return;
    for (const other of this.keyspaces.values()) {
      if (mayShareTable(other, keyspace) && prefixesOverlap(other.keyPrefix, keyspace.keyPrefix)) throw overlapError(other, keyspace);
    }
    this.keyspaces.set(keyspace.store, keyspace);
  }
}

function describePlace({ table, keyPrefix }: StorePlace): string {
  return keyPrefix === '' ? `table '${table}'` : `table '${table}' with keyPrefix '${keyPrefix}'`;
}

function overlapError(first: StoreKeyspace, second: StoreKeyspace): InvalidOptionsError {
  const [shorter, longer] = first.keyPrefix.length <= second.keyPrefix.length ? [first, second] : [second, first];
  const rest = longer.keyPrefix.slice(shorter.keyPrefix.length);
  const example =
    rest === '' ? 'every key of one is the same key of the other' : `the key '${rest}x' of store '${shorter.store}' is the key 'x' of store '${longer.store}'`;
  return new InvalidOptionsError(
    'keyPrefix',
    `'${second.keyPrefix}' of store '${second.store}' overlaps '${first.keyPrefix}' of store '${first.store}' on table ` +
      `'${first.table}' (region '${first.region}'): ${example}. Give the stores prefixes of which neither starts the other ` +
      `(e.g. 'users:' and 'admins:'; an empty prefix overlaps every other), or each a table of its own.`,
  );
}

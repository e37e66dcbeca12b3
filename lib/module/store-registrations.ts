import { Injectable, Logger } from '@nestjs/common';
import { InvalidOptionsError } from '../contract/kv-store.errors.js';

/** The stores one application registers, by name: two registrations under one name would silently shadow. */
@Injectable()
export class StoreRegistrations {
  private readonly logger = new Logger('DynamoKvModule');
  private readonly tables = new Map<string, string>();

  claim(name: string, table: string): void {
    const registered = this.tables.get(name);
    if (registered === undefined) {
      this.tables.set(name, table);
    } else if (registered !== table) {
      throw new InvalidOptionsError(
        'name',
        `'${name}' is used by two stores, on tables '${registered}' and '${table}': give each forRoot its own name.`,
      );
    } else {
      this.logger.warn(`Store '${name}' (table '${table}') is registered more than once; register it once, with isGlobal: true, to share it.`);
    }
  }
}

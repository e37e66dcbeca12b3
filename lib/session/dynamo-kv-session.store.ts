import session, { type SessionData } from 'express-session';
import { InvalidJsonError, InvalidKeyError, InvalidValueError, ItemTooLargeError, KeyNotFoundError } from '../contract/kv-store.errors.js';
import type { KvOperation, KVStore } from '../contract/kv-store.interface.js';
import { describeType } from '../input/kv-input.validation.js';
import { settle, type SessionCallback } from './session-callback.js';
import { sessionTtlSeconds } from './session-expiry.js';
import { InvalidSessionDataError, SessionTooLargeError } from './session-store.errors.js';
import { sessionStoreSettings, type DynamoKvSessionStoreOptions, type SessionStoreSettings } from './session-store.options.js';

/** What a write-like method calls back with: an error, or nothing. */
export type SessionDoneCallback = (error?: unknown) => void;

/**
 * An express-session store over any {@link KVStore}, also usable as the `store` of @fastify/session (which
 * calls `get`, `set` and `destroy` with the same callbacks). A session is its JSON under `prefix` + id, and
 * expires with its cookie: each write gives the item the cookie's `originalMaxAge` from now (see
 * {@link sessionTtlSeconds}). `touch` (rolling sessions, express-session's `resave: false`) gives the item
 * a new expiry without rewriting it. Every method calls back exactly once, on a later tick; a missing or
 * expired session is `null`. Failures are the store's typed errors (`KvOutcomeUnknownError` when a write
 * may have been applied), plus {@link SessionTooLargeError} for a session over DynamoDB's item limit and
 * {@link InvalidSessionDataError} for a stored value that is not a session.
 */
export class DynamoKvSessionStore extends session.Store {
  private readonly settings: SessionStoreSettings;

  /** Checks `store` and every option here, at bootstrap: `InvalidSessionStoreOptionsError` names the wrong one. */
  constructor(
    readonly store: KVStore,
    options: DynamoKvSessionStoreOptions = {},
  ) {
    super();
    this.settings = sessionStoreSettings(store, options);
  }

  /** The session, or null when there is none (never stored, expired or destroyed). */
  get(sid: string, callback: SessionCallback<SessionData | null>): void {
    this.settle(() => this.read(sid), callback);
  }

  /** Writes the whole session, expiring with its cookie; always a write, never a delete (see {@link sessionTtlSeconds}). */
  set(sid: string, sessionData: SessionData, callback?: SessionDoneCallback): void {
    this.settle(() => this.write(sid, sessionData), callback);
  }

  destroy(sid: string, callback?: SessionDoneCallback): void {
    this.settle(() => this.store.delete(this.keyOf(sid, 'delete')), callback);
  }

  /** Moves the session's expiry to its cookie's, leaving its data as stored; a session that is gone stays gone. */
  override touch(sid: string, sessionData: SessionData, callback?: SessionDoneCallback): void {
    this.settle(() => this.extend(sid, sessionData), callback);
  }

  /** How many live sessions there are. Pages through `listKeys` (a Scan on DynamoDB: it reads the whole table). */
  override length(callback: SessionCallback<number>): void {
    this.settle(() => this.count(), callback);
  }

  /** Deletes every session under the prefix (a Scan, then batch deletes); other keys of the table stay. */
  override clear(callback?: SessionDoneCallback): void {
    this.settle(() => this.deleteAll(), callback);
  }

  /** Every live session by id. A Scan plus a batch read of every session: for maintenance, not for requests. */
  override all(callback: SessionCallback<Record<string, SessionData>>): void {
    this.settle(() => this.readAll(), callback);
  }

  private async read(sid: string): Promise<SessionData | null> {
    try {
      return sessionFrom(await this.store.getJson(this.keyOf(sid, 'get_json'), { consistentRead: this.settings.consistentRead }), 'get_json');
    } catch (error) {
      if (error instanceof KeyNotFoundError) return null;
      // Not its cause: InvalidJsonError holds the key (the session id, a credential) and the parser's message quotes the value.
      if (error instanceof InvalidJsonError) throw new InvalidSessionDataError({ operation: 'get_json', table: error.table });
      throw error;
    }
  }

  private async write(sid: string, sessionData: SessionData): Promise<void> {
    const key = this.keyOf(sid, 'set');
    const json = jsonOf(sessionData);
    // Never a delete, even for a cookie with no time left: a stale cookie is no sign that a loaded session has ended.
    try {
      await this.store.set(key, json, { ttlSeconds: this.ttlOf(sessionData) });
    } catch (error) {
      if (error instanceof ItemTooLargeError) throw new SessionTooLargeError(error);
      throw error;
    }
  }

  private async extend(sid: string, sessionData: SessionData): Promise<void> {
    const key = this.keyOf(sid, 'touch');
    if (typeof sessionData !== 'object' || sessionData === null) {
      throw new InvalidValueError(`expected the session to touch, got ${describeType(sessionData)}.`, { operation: 'touch' });
    }
    // False when the session expired or was destroyed meanwhile: touching must not bring it back.
    await this.store.touch(key, { ttlSeconds: this.ttlOf(sessionData) });
  }

  private async count(): Promise<number> {
    let sessions = 0;
    for await (const keys of this.sessionKeys()) sessions += keys.length;
    return sessions;
  }

  private async deleteAll(): Promise<void> {
    for await (const keys of this.sessionKeys()) if (keys.length > 0) await this.store.deleteMany(keys);
  }

  private async readAll(): Promise<Record<string, SessionData>> {
    // No prototype: a session id such as '__proto__' is an id like any other.
    const sessions = Object.create(null) as Record<string, SessionData>;
    for await (const keys of this.sessionKeys()) {
      const found = await this.store.getMany(keys, { consistentRead: this.settings.consistentRead });
      for (const [key, json] of found) sessions[key.slice(this.settings.prefix.length)] = sessionFrom(parsed(json), 'get_many');
    }
    return sessions;
  }

  private sessionKeys(): AsyncIterable<string[]> {
    return this.store.listKeys({ prefix: this.settings.prefix, consistentRead: this.settings.consistentRead });
  }

  private ttlOf(sessionData: SessionData): number {
    return sessionTtlSeconds(sessionData.cookie, Date.now(), this.settings.defaultTtlSeconds);
  }

  /** The store key of a session id; the store checks the rest (length, surrogates) before sending anything. */
  private keyOf(sid: unknown, operation: KvOperation): string {
    if (typeof sid !== 'string' || sid === '') {
      throw new InvalidKeyError(`expected a session id (a non-empty string), got ${describeType(sid)}.`, { operation });
    }
    return this.settings.prefix + sid;
  }

  private settle<T>(run: () => Promise<T>, callback: SessionCallback<T> | undefined): void {
    settle(run, callback, (error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
  }
}

/** The session's JSON; its cookie goes through `Cookie.toJSON`, as in express-session's MemoryStore. */
function jsonOf(sessionData: unknown): string {
  if (typeof sessionData !== 'object' || sessionData === null) {
    throw new InvalidValueError(`expected a session object, got ${describeType(sessionData)}.`, { operation: 'set' });
  }
  try {
    return JSON.stringify(sessionData);
  } catch (error) {
    // A cycle or a BigInt in the session.
    throw new InvalidValueError('the session has no JSON form.', { operation: 'set', cause: error });
  }
}

function parsed(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    // Without the parser's error as cause: its message quotes the stored value.
    throw new InvalidSessionDataError({ operation: 'get_many' });
  }
}

/** A stored session: an object with a cookie object, which express-session's `createSession` reads unchecked. */
function sessionFrom(value: unknown, operation: KvOperation): SessionData {
  if (!isObject(value) || !isObject((value as { cookie?: unknown }).cookie)) throw new InvalidSessionDataError({ operation });
  return value as SessionData;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

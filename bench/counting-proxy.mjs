// @ts-check
/** A loopback HTTP proxy in front of a DynamoDB endpoint that counts the requests of each operation, and the capacity they consume. */
import { Agent, createServer, request } from 'node:http';

/**
 * @typedef {{ endpoint: string, counts: Map<string, number>, items: Map<string, number>, capacity: Map<string, number>, reset(): void, close(): Promise<void> }} CountingProxy
 *   counts: requests by operation; items: the items they read or wrote (a batch request counts each of its keys);
 *   capacity: the capacity units they consumed, by operation (see startCountingProxy)
 */

/**
 * Starts a proxy to `target` on a free 127.0.0.1 port. Every request is counted under its operation
 * (from X-Amz-Target, e.g. `PutItem`), whatever the answer: a write refused by its condition is still a
 * write DynamoDB bills.
 *
 * Capacity: the proxy asks for it (`ReturnConsumedCapacity: 'TOTAL'`, added to requests that do not ask;
 * dynalite and DynamoDB Local do not check signatures, so the rewritten body goes through) and adds up the
 * `ConsumedCapacity` of the answers, which dynalite computes as DynamoDB does (1 KB a write unit, 4 KB a
 * strongly consistent read unit, the larger of the old and new item for a write). A write refused by its
 * condition answers with an error and no figure, though DynamoDB bills it: the proxy counts the size of the
 * item it would have written (at least 1 unit) instead, an estimate.
 * @param {string} target @returns {Promise<CountingProxy>}
 */
export async function startCountingProxy(target) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  /** @type {Map<string, number>} */
  const items = new Map();
  /** @type {Map<string, number>} */
  const capacity = new Map();
  const add = (/** @type {Map<string, number>} */ map, /** @type {string} */ operation, /** @type {number} */ amount) =>
    map.set(operation, (map.get(operation) ?? 0) + amount);
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const server = createServer((incoming, outgoing) => {
    const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    /** @type {Buffer[]} */
    const chunks = [];
    incoming.on('data', (chunk) => chunks.push(chunk));
    incoming.on('end', () => {
      /** @type {Record<string, any>} */
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      add(counts, operation, 1);
      add(items, operation, itemsOf(operation, input));
      const body = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
      const headers = { ...incoming.headers, 'content-length': String(body.length) };
      const upstream = request(target, { method: incoming.method, path: incoming.url, headers, agent }, (answer) => {
        /** @type {Buffer[]} */
        const answerChunks = [];
        answer.on('data', (chunk) => answerChunks.push(chunk));
        answer.on('end', () => {
          const text = Buffer.concat(answerChunks);
          add(capacity, operation, capacityOf(input, text.toString('utf8')));
          outgoing.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(text.length) });
          outgoing.end(text);
        });
      });
      upstream.on('error', (error) => outgoing.destroy(error));
      upstream.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    items,
    capacity,
    reset: () => {
      counts.clear();
      items.clear();
      capacity.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}

/** The items a request reads or writes: one, or for a batch each of its keys or requests. @param {string} operation @param {Record<string, any>} input */
function itemsOf(operation, input) {
  if (operation !== 'BatchGetItem' && operation !== 'BatchWriteItem') return 1;
  return Object.values(input.RequestItems ?? {}).reduce(
    (sum, entry) => sum + (Array.isArray(entry) ? entry.length : (entry.Keys?.length ?? 0)),
    0,
  );
}

/** The capacity units an answer reports, or the estimate for a write refused by its condition. @param {Record<string, any>} input @param {string} answer */
function capacityOf(input, answer) {
  /** @type {Record<string, any>} */
  let output;
  try {
    output = JSON.parse(answer);
  } catch {
    return 0;
  }
  const consumed = output.ConsumedCapacity;
  if (Array.isArray(consumed)) return consumed.reduce((sum, each) => sum + (each.CapacityUnits ?? 0), 0);
  if (consumed !== undefined) return consumed.CapacityUnits ?? 0;
  if (String(output.__type ?? '').endsWith('ConditionalCheckFailedException')) return Math.max(1, Math.ceil(itemBytes(input.Item ?? {}) / 1024));
  return 0;
}

/** An item's size as DynamoDB counts it, near enough: attribute names and values in bytes (a number: about a byte per two digits). @param {Record<string, any>} item */
function itemBytes(item) {
  return Object.entries(item).reduce((sum, [name, value]) => {
    const bytes = value.S !== undefined ? Buffer.byteLength(value.S) : value.N !== undefined ? Math.ceil(String(value.N).length / 2) + 1 : 1;
    return sum + Buffer.byteLength(name) + bytes;
  }, 0);
}

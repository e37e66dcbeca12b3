/** A place in a {@link LinkedQueue}: what lets a queued entry leave from the middle at once. */
export interface QueueNode<T> {
  readonly value: T;
  prev?: QueueNode<T>;
  next?: QueueNode<T>;
  linked: boolean;
}

/**
 * A first-in first-out queue with O(1) push, shift and removal of any entry by its node. Batching queues
 * can hold thousands of calls; arrays would make every take and every abandoned call an O(n) splice.
 */
export class LinkedQueue<T> {
  private head?: QueueNode<T>;
  private tail?: QueueNode<T>;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(value: T): QueueNode<T> {
    const node: QueueNode<T> = { value, prev: this.tail, linked: true };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.count += 1;
    return node;
  }

  peek(): T | undefined {
    return this.head?.value;
  }

  shift(): T | undefined {
    const node = this.head;
    if (node === undefined) return undefined;
    this.remove(node);
    return node.value;
  }

  /** Takes `node` out wherever it is; a node already out is left alone. */
  remove(node: QueueNode<T>): void {
    if (!node.linked) return;
    node.linked = false;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = undefined;
    node.next = undefined;
    this.count -= 1;
  }
}

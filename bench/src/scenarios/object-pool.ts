/**
 * What a JavaScript user writes today to keep the collector quiet: an array of reusable objects and
 * a count of how many of them are free (a stack: the last released is the first reused). It grows
 * when empty, as such pools usually do.
 */
export class ObjectPool<T> {
  private readonly free: T[] = [];
  private top = 0;

  constructor(
    private readonly make: () => T,
    capacity: number,
  ) {
    for (; this.top < capacity; this.top++) this.free.push(make());
  }

  acquire(): T {
    return this.top > 0 ? this.free[--this.top]! : this.make();
  }

  release(o: T): void {
    this.free[this.top++] = o;
  }
}

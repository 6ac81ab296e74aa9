/**
 * The outgoing packets of a live socket, oldest first. mephisto-task meant this as a time-ordered
 * queue, but its insertion compared an entry (not its time) with the new time, so every packet went
 * to the front and the newest was sent first. This one keeps the intended order: by enqueue time, and
 * a packet put back after a failed send goes back in its place, ahead of later ones.
 */
export class PacketQueue<T> {
  private readonly entries: { item: T; time: number }[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Inserts `item` after every entry whose time is not later than `time`. */
  push(item: T, time: number): void {
    let index = this.entries.length;
    while (index > 0 && (this.entries[index - 1]?.time ?? 0) > time) index -= 1;
    this.entries.splice(index, 0, { item, time });
  }

  /** Puts back an entry that failed to send: ahead of any entry of the same time. */
  pushFront(item: T, time: number): void {
    let index = 0;
    while (index < this.entries.length && (this.entries[index]?.time ?? 0) < time) index += 1;
    this.entries.splice(index, 0, { item, time });
  }

  peek(): { item: T; time: number } | undefined {
    return this.entries[0];
  }

  shift(): { item: T; time: number } | undefined {
    return this.entries.shift();
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** Seconds since the epoch (a float), the unit of every packet timestamp, as Mephisto's Python side. */
export function pythonTime(): number {
  return Date.now() / 1000;
}

/** Checks shared by every data source: each item must be a plain object (a JSON object). */
import type { TaskDataItem } from '../blueprint-context.js';

/** True for a non-null, non-array object: what can become an assignment's `shared` data. */
export function isTaskDataItem(value: unknown): value is TaskDataItem {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, in words for error messages: `an array`, `a string`, `null`, … */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'undefined':
      return 'undefined';
    default:
      return `a ${typeof value}`;
  }
}

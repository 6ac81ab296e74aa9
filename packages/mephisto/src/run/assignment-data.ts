/**
 * An assignment's initialization data as stored (`assignments.data`): Mephisto's `assign_data.json`
 * shape, `{shared, unit_data}`, so tools reading Mephisto data read ours. The blueprint port uses
 * camelCase (`unitData`); these two functions are the only place the two meet.
 */
import { InvalidArgumentError } from '../core/index.js';
import type { InitializationData } from '../blueprints/blueprint.js';

export interface StoredAssignmentData {
  readonly shared: Readonly<Record<string, unknown>>;
  readonly unit_data: readonly Readonly<Record<string, unknown>>[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @throws InvalidArgumentError when an item of a data source is not InitializationData */
export function toStoredData(item: InitializationData, position: number): StoredAssignmentData {
  const value: unknown = item;
  if (
    !isRecord(value) ||
    !Array.isArray(value.unitData) ||
    (value.shared !== undefined && !isRecord(value.shared))
  ) {
    throw new InvalidArgumentError(
      `task data item ${position} is not {shared, unitData} initialization data: ${JSON.stringify(value).slice(0, 200)}`,
    );
  }
  return { shared: item.shared, unit_data: item.unitData };
}

export function fromStoredData(data: unknown): InitializationData {
  if (!isRecord(data)) return { shared: {}, unitData: [] };
  const shared = isRecord(data.shared) ? data.shared : {};
  const units = data.unit_data ?? data.unitData;
  return { shared, unitData: Array.isArray(units) ? (units as Record<string, unknown>[]) : [] };
}

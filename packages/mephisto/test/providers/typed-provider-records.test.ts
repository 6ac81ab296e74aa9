/**
 * TypedProviderRecords, the zod-checked provider records MTurk and Prolific share: get/put/claim/delete/
 * find by kind under one provider type, with the run and unit a record is filed under, and a clear
 * error for a stored record that does not match its schema.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ProviderRecordInvalidError,
  TypedProviderRecords,
} from '../../src/providers/typed-provider-records.js';
import { MemoryProviderRecords } from './mturk/memory-provider-records.js';

const HitSchema = z.object({ hitId: z.string(), expired: z.boolean() });

describe('TypedProviderRecords', () => {
  it('puts, gets (with links), finds by run and unit, and deletes, under its provider type only', async () => {
    const store = new MemoryProviderRecords();
    const records = new TypedProviderRecords<'hit' | 'unit'>(store, 'mturk_sandbox');
    const other = new TypedProviderRecords<'hit'>(store, 'mturk');
    await records.put('hit', 'H1', { hitId: 'H1', expired: false }, { taskRunId: 'r1', unitId: 'u1' });
    await records.put('hit', 'H2', { hitId: 'H2', expired: true }, { taskRunId: 'r1' });
    await records.put('hit', 'H3', { hitId: 'H3', expired: false }, { taskRunId: 'r2', unitId: 'u3' });
    await other.put('hit', 'H1', { hitId: 'elsewhere', expired: false });

    expect(await records.get('hit', 'H1', HitSchema)).toEqual({ hitId: 'H1', expired: false });
    expect(await records.getFiled('hit', 'H2', HitSchema)).toEqual({
      data: { hitId: 'H2', expired: true },
      taskRunId: 'r1',
      unitId: null,
    });
    expect(await records.get('hit', 'nope', HitSchema)).toBeNull();
    expect(await records.get('unit', 'H1', HitSchema)).toBeNull();
    expect((await records.find('hit', HitSchema, { taskRunId: 'r1' })).map((r) => r.key)).toEqual([
      'H1',
      'H2',
    ]);
    expect(await records.find('hit', HitSchema, { unitId: 'u3' })).toEqual([
      { key: 'H3', data: { hitId: 'H3', expired: false }, taskRunId: 'r2', unitId: 'u3' },
    ]);
    expect(await records.find('hit', HitSchema)).toHaveLength(3);
    expect(await other.get('hit', 'H1', HitSchema)).toEqual({ hitId: 'elsewhere', expired: false });

    expect(await records.delete('hit', 'H1')).toBe(true);
    expect(await records.delete('hit', 'H1')).toBe(false);
    expect(await records.get('hit', 'H1', HitSchema)).toBeNull();
    expect(await other.get('hit', 'H1', HitSchema)).not.toBeNull();
  });

  it('claims a key once: the first claim creates, later ones get the stored data', async () => {
    const records = new TypedProviderRecords<'bonus'>(new MemoryProviderRecords(), 'prolific');
    const Schema = z.object({ cents: z.number().int() });
    expect(await records.claim('bonus', 'k', { cents: 100 }, Schema, { taskRunId: 'r' })).toEqual({
      created: true,
      data: { cents: 100 },
    });
    expect(await records.claim('bonus', 'k', { cents: 999 }, Schema)).toEqual({
      created: false,
      data: { cents: 100 },
    });
    const claims = await Promise.all(
      Array.from({ length: 5 }, (_, i) => records.claim('bonus', 'race', { cents: i }, Schema)),
    );
    expect(claims.filter((c) => c.created)).toHaveLength(1);
  });

  it('a stored record that does not match its schema is an error naming it, on get, claim and find', async () => {
    const store = new MemoryProviderRecords();
    const records = new TypedProviderRecords<'hit'>(store, 'mturk');
    await records.put('hit', 'H9', { hitId: 9 }, { taskRunId: 'r' });
    const error = await records.get('hit', 'H9', HitSchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRecordInvalidError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_PROVIDER_RECORD_INVALID',
      providerType: 'mturk',
      kind: 'hit',
      key: 'H9',
    });
    expect((error as Error).message).toMatch(
      /the mturk provider record hit "H9" does not have the expected shape \(hitId: .*; expired: .*\)/,
    );
    await expect(records.find('hit', HitSchema, { taskRunId: 'r' })).rejects.toThrow(
      ProviderRecordInvalidError,
    );
    await expect(records.claim('hit', 'H9', { hitId: 'H9', expired: false }, HitSchema)).rejects.toThrow(
      /does not have the expected shape/,
    );
  });
});

/**
 * The fingerprint stored with every review action's idempotency key: a retry must be the same request
 * (same action, parameters and targets) to be answered from the record; the same key on another
 * request is refused (MEPHISTO_ERR_REVIEW_KEY_REUSED) instead of silently answering the wrong thing.
 */
import { createHash } from 'node:crypto';

/** Plain JSON values only, so the fingerprint of equal requests is equal. */
export type FingerprintValue = string | number | boolean | null | readonly FingerprintValue[];

/**
 * sha256 over the request's parts in a fixed order (object keys sorted), hex. `kind` separates the
 * routes (a unit action, a bulk action, a worker action) so one key cannot span two of them.
 */
export function requestFingerprint(
  kind: string,
  parts: Readonly<Record<string, FingerprintValue | undefined>>,
): string {
  const ordered = Object.keys(parts)
    .sort()
    .map((key) => [key, parts[key] ?? null]);
  return createHash('sha256')
    .update(JSON.stringify([kind, ordered]))
    .digest('hex');
}

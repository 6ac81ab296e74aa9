/**
 * What mephisto-ts writes on each HIT so a HIT can be traced back without the database: the
 * RequesterAnnotation names the run, the unit it was created for and its UniqueRequestToken. It is how
 * a crash between "MTurk created the HIT" and "the store recorded it" is repaired (reconcile and
 * `mephisto mturk cleanup` find such orphans), and how a HIT a worker accepted is recognised as this
 * run's.
 */

const PREFIX = 'mephisto-ts';

export interface HitAnnotation {
  readonly taskRunId: string;
  readonly unitId: string;
  readonly token: string;
}

/** `mephisto-ts;run=<id>;unit=<id>;token=<token>` (MTurk allows 255 characters). */
export function formatAnnotation(annotation: HitAnnotation): string {
  return `${PREFIX};run=${annotation.taskRunId};unit=${annotation.unitId};token=${annotation.token}`;
}

/** The annotation's fields, or null for a HIT mephisto-ts did not create. */
export function parseAnnotation(text: string | undefined | null): HitAnnotation | null {
  if (typeof text !== 'string' || !text.startsWith(`${PREFIX};`)) return null;
  const fields = new Map<string, string>();
  for (const part of text.slice(PREFIX.length + 1).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const taskRunId = fields.get('run');
  const unitId = fields.get('unit');
  const token = fields.get('token');
  if (taskRunId === undefined || unitId === undefined || token === undefined) return null;
  return { taskRunId, unitId, token };
}

/**
 * The UniqueRequestToken of a unit's launch: the unit id, the launch generation, and a random suffix
 * (so two databases whose unit ids coincide never share a token on one MTurk account). It is written
 * to the unit's record before CreateHIT is sent and reused on every retry, so a retry after a lost
 * reply finds the HIT already created instead of making a second one. At most 64 characters.
 */
export function launchToken(unitId: string, generation: number, random: () => number): string {
  const suffix = Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
  return `mts-${unitId}-${generation}-${suffix}`.slice(0, 64);
}

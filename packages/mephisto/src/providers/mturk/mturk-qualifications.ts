/**
 * Qualifications on MTurk: each store qualification a run requires (or grants through a review) gets an
 * MTurk qualification type of the same name (`<name>_sandbox` in the sandbox, as Mephisto names them),
 * created on first use and remembered in the provider records. Requirements become the HIT type's
 * QualificationRequirements, guarding discovery, preview and accept, so MTurk never shows the HITs to
 * workers who would be refused.
 */
import {
  CreateQualificationTypeCommand,
  ListQualificationTypesCommand,
  type QualificationRequirement as MturkRequirement,
} from '@aws-sdk/client-mturk';
import {
  blockQualificationOf,
  requirementAppliesTo,
  type ProviderQualificationRequirement,
  type ProviderRunContext,
} from '../crowd-provider.js';
import { isRequestError } from './mturk-api.js';
import type { MturkSession } from './mturk-session.js';

const ALREADY_CREATED = /already created a QualificationType with this name/i;

/** The MTurk name of a store qualification. */
export function mturkQualificationName(session: Pick<MturkSession, 'sandbox'>, name: string): string {
  return session.sandbox ? `${name}_sandbox` : name;
}

async function findOwnedType(session: MturkSession, mturkName: string): Promise<string | null> {
  let nextToken: string | undefined;
  do {
    const page = await session.api.call('ListQualificationTypes', (client) =>
      client.send(
        new ListQualificationTypesCommand({
          Query: mturkName,
          MustBeRequestable: false,
          MustBeOwnedByCaller: true,
          MaxResults: 100,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    const found = page.QualificationTypes?.find((type) => type.Name === mturkName);
    if (found?.QualificationTypeId !== undefined) return found.QualificationTypeId;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return null;
}

/** The MTurk qualification type id for a store qualification, found or created (idempotent). */
export async function qualificationTypeId(session: MturkSession, name: string): Promise<string> {
  const recorded = await session.records.getQualification(name);
  if (recorded !== null) return recorded.data.qualificationTypeId;
  const mturkName = mturkQualificationName(session, name);
  let id = await findOwnedType(session, mturkName);
  if (id === null) {
    try {
      const created = await session.api.call('CreateQualificationType', (client) =>
        client.send(
          new CreateQualificationTypeCommand({
            Name: mturkName,
            Description: `Qualification "${name}" of mephisto-ts tasks`,
            QualificationTypeStatus: 'Active',
          }),
        ),
      );
      id = created.QualificationType?.QualificationTypeId ?? null;
    } catch (error) {
      // Created by a concurrent call, or by an attempt whose reply was lost: look it up.
      if (!isRequestError(error) || !ALREADY_CREATED.test(error.failure.message)) throw error;
      id = await findOwnedType(session, mturkName);
    }
  }
  if (id === null) throw new Error(`MTurk did not return a qualification type id for "${mturkName}"`);
  await session.records.putQualification(name, { qualificationTypeId: id, mturkName });
  return id;
}

function applies(session: MturkSession, requirement: ProviderQualificationRequirement): boolean {
  return requirementAppliesTo(requirement, session.sandbox ? [session.type, 'mturk'] : [session.type]);
}

/** The run's requirements (and its block qualification) as MTurk QualificationRequirements. */
export async function mturkRequirements(
  session: MturkSession,
  context: ProviderRunContext,
): Promise<MturkRequirement[]> {
  const requirements = (context.qualifications ?? []).filter((r) => applies(session, r));
  const block = blockQualificationOf(context);
  if (
    block !== null &&
    !requirements.some((r) => r.qualification_name === block && r.comparator === 'DoesNotExist')
  )
    requirements.push({ qualification_name: block, comparator: 'DoesNotExist', value: null });
  const out: MturkRequirement[] = [];
  for (const requirement of requirements) {
    const value = requirement.value;
    const integerValues =
      value === undefined || value === null ? undefined : typeof value === 'number' ? [value] : [...value];
    out.push({
      QualificationTypeId: await qualificationTypeId(session, requirement.qualification_name),
      Comparator: requirement.comparator as MturkRequirement['Comparator'],
      ...(integerValues === undefined ? {} : { IntegerValues: integerValues }),
      ActionsGuarded: 'DiscoverPreviewAndAccept',
    });
  }
  return out;
}

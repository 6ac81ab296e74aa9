/**
 * Prolific's terms for review duties: its service fee, and the rejection category and message a
 * rejection must carry.
 */

/**
 * Prolific's service fee on rewards and bonuses: a third of the amount (Prolific's help pages:
 * "~33.33% service charge on each bonus payment + VAT where applicable"; its API example charges 283.34
 * on 850). VAT, which depends on the requester's country, is not included. Some accounts (for example
 * some academic or legacy plans) pay another rate: this constant is the published standard one.
 */
export const PROLIFIC_SERVICE_FEE_RATE = 1 / 3;

/** The fee on `amount` dollars, in dollars, rounded up to whole cents (so budgets err on the safe side). */
export function prolificFee(amount: number): number {
  const cents = Math.round(amount * 100);
  return Math.ceil(cents * PROLIFIC_SERVICE_FEE_RATE - 1e-9) / 100;
}

/** Prolific's rejection categories. */
export type ProlificRejectionCategory =
  | 'TOO_QUICKLY'
  | 'TOO_SLOWLY'
  | 'FAILED_INSTRUCTIONS'
  | 'INCOMP_LONGITUDINAL'
  | 'FAILED_CHECK'
  | 'LOW_EFFORT'
  | 'MALINGERING'
  | 'NO_CODE'
  | 'BAD_CODE'
  | 'NO_DATA'
  | 'UNSUPP_DEVICE'
  | 'OTHER';

/** Prolific refuses a rejection whose message is shorter than this. */
export const MIN_REJECTION_MESSAGE_LENGTH = 100;
/** Longest message sent (a reviewer's note longer than this is cut). */
const MAX_REJECTION_MESSAGE_LENGTH = 2000;

const CATEGORY_CUES: readonly [RegExp, ProlificRejectionCategory][] = [
  [/too (quick|fast)|rushed|speed/i, 'TOO_QUICKLY'],
  [/too slow/i, 'TOO_SLOWLY'],
  [/attention|check question|control question/i, 'FAILED_CHECK'],
  [/instruction/i, 'FAILED_INSTRUCTIONS'],
  [/no data|empty|blank|nothing submitted/i, 'NO_DATA'],
  [/effort|low.quality|spam|random|gibberish|nonsense|copied/i, 'LOW_EFFORT'],
  [/device|browser|mobile/i, 'UNSUPP_DEVICE'],
];

const STANDARD_EXPLANATION =
  'Your submission was reviewed by the researcher and could not be accepted, so it has been rejected.';

/**
 * The category and message for a rejection, from the reviewer's note: the category is guessed from
 * words in the note (`OTHER` when nothing matches); the message is the note, completed with a standard
 * explanation when shorter than Prolific's minimum.
 */
export function rejectionTerms(feedback: string | null): {
  category: ProlificRejectionCategory;
  message: string;
} {
  const note = (feedback ?? '').trim();
  const category = CATEGORY_CUES.find(([cue]) => cue.test(note))?.[1] ?? 'OTHER';
  let message = note === '' ? STANDARD_EXPLANATION : `${note}${/[.!?]$/.test(note) ? '' : '.'}`;
  if (message.length < MIN_REJECTION_MESSAGE_LENGTH && note !== '')
    message = `${message} ${STANDARD_EXPLANATION}`;
  if (message.length < MIN_REJECTION_MESSAGE_LENGTH)
    message = `${message} If you think this is a mistake, please contact the researcher through Prolific.`;
  return { category, message: message.slice(0, MAX_REJECTION_MESSAGE_LENGTH) };
}

/**
 * The XML MTurk exchanges inside JSON strings: the `ExternalQuestion` a HIT is created with (the URL
 * workers' browsers open in a frame, and the frame's height) and the `QuestionFormAnswers` an assignment
 * returns once submitted. A few regular expressions are enough for these flat, schema-fixed documents.
 */

export const EXTERNAL_QUESTION_NAMESPACE =
  'http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd';
export const QUESTION_FORM_ANSWERS_NAMESPACE =
  'http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd';

export interface ExternalQuestion {
  readonly externalUrl: string;
  readonly frameHeight: number;
}

/** What kind of question a HIT was created with (only external questions open the requester's page). */
export type QuestionKind = 'ExternalQuestion' | 'HTMLQuestion' | 'QuestionForm';

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The root element's name of a question document, or null when it is none MTurk knows. */
export function questionKind(question: string): QuestionKind | null {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z]+)[\s>]/.exec(question);
  const name = root?.[1];
  return name === 'ExternalQuestion' || name === 'HTMLQuestion' || name === 'QuestionForm' ? name : null;
}

/**
 * Parses an `ExternalQuestion`; returns a problem in words when it is not a valid one (no URL, a URL
 * that does not parse, no or a negative frame height).
 */
export function parseExternalQuestion(question: string): ExternalQuestion | string {
  const url = /<ExternalURL>\s*([\s\S]*?)\s*<\/ExternalURL>/.exec(question)?.[1];
  if (url === undefined || url === '') return 'the ExternalQuestion has no ExternalURL';
  const externalUrl = unescapeXml(url);
  try {
    new URL(externalUrl);
  } catch {
    return `ExternalURL "${externalUrl}" is not a valid URL`;
  }
  const height = /<FrameHeight>\s*(\d+)\s*<\/FrameHeight>/.exec(question)?.[1];
  if (height === undefined) return 'the ExternalQuestion has no valid FrameHeight';
  return { externalUrl, frameHeight: Number(height) };
}

/** The `QuestionFormAnswers` document for answers posted by a worker's form (one FreeText each). */
export function questionFormAnswers(answers: ReadonlyArray<readonly [string, string]>): string {
  const items = answers
    .map(
      ([name, value]) =>
        `<Answer><QuestionIdentifier>${escapeXml(name)}</QuestionIdentifier>` +
        `<FreeText>${escapeXml(value)}</FreeText></Answer>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="${QUESTION_FORM_ANSWERS_NAMESPACE}">` +
    `${items}</QuestionFormAnswers>`
  );
}

/** The answers in a `QuestionFormAnswers` document, in order (for tests reading `Answer`). */
export function parseQuestionFormAnswers(xml: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const pattern =
    /<Answer>\s*<QuestionIdentifier>([\s\S]*?)<\/QuestionIdentifier>\s*<FreeText>([\s\S]*?)<\/FreeText>\s*<\/Answer>/g;
  for (const match of xml.matchAll(pattern))
    out.push([unescapeXml(match[1] ?? ''), unescapeXml(match[2] ?? '')]);
  return out;
}

/**
 * A document (or a section of one) produced from code, so the docs cannot drift from what the code
 * does. Every generator writes through here and the docs test compares through here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/docs/generated-doc.ts). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface GeneratedDoc {
  /** Repository-relative path of the document. */
  readonly path: string;
  /** The script that regenerates it, named in the "do not edit" notice and in the test's failure. */
  readonly script: string;
  /** The expected content, given the current content (a generated section keeps the text around it). */
  render(current: string): string;
}

/** Rewrites the document; returns whether it changed. */
export function writeGeneratedDoc(doc: GeneratedDoc): boolean {
  const file = join(REPO_ROOT, doc.path);
  const current = readCurrent(file);
  const next = doc.render(current);
  if (next === current) return false;
  writeFileSync(file, next);
  return true;
}

/** The entry point of a generator script: writes the document, or with `--check` only compares. */
export function runGenerator(doc: GeneratedDoc, argv: readonly string[]): number {
  if (argv.includes('--check')) {
    const file = join(REPO_ROOT, doc.path);
    const current = readCurrent(file);
    if (doc.render(current) === current) return 0;
    process.stderr.write(`${doc.path} is out of date: run \`npx tsx ${doc.script}\`\n`);
    return 1;
  }
  process.stdout.write(`${doc.path}: ${writeGeneratedDoc(doc) ? 'updated' : 'already up to date'}\n`);
  return 0;
}

function readCurrent(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * Replaces the text between `<!-- BEGIN GENERATED name -->` and `<!-- END GENERATED name -->` with
 * `body`, leaving the hand-written text around it alone. A missing marker is an error: silently
 * appending would hide a broken document.
 */
export function replaceSection(document: string, name: string, body: string): string {
  const begin = `<!-- BEGIN GENERATED ${name} -->`;
  const end = `<!-- END GENERATED ${name} -->`;
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`the document has no "${begin}" … "${end}" section`);
  return `${document.slice(0, start + begin.length)}\n${body}${document.slice(stop)}`;
}

/** A Markdown table; `|` inside cells is escaped so code spans like `PATH|URL` stay in their cell. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

/**
 * Names of uploaded files on disk. A stored name is `<ms>-<random>-<field>-<original name>` as
 * Mephisto's router named them, but every part is reduced to `[A-Za-z0-9._-]` (no separators, no `..`,
 * no leading dot) so nothing a browser sends can steer where a file lands, and the random part is 64
 * bits from the system's CSPRNG because the name is all `/download_file/` asks for.
 */
import { randomBytes } from 'node:crypto';

/**
 * Longest sanitised field name and original name kept in a stored name, so that a whole name is at
 * most 100 characters (13 + 1 + 16 + 1 + 20 + 1 + 48): Fastify matches no route parameter longer
 * than its `maxParamLength` of 100, and `/download_file/:file` must match every stored name.
 */
const MAX_FIELD_CHARS = 20;
const MAX_ORIGINAL_CHARS = 48;

/**
 * `text` reduced to a safe file-name fragment of at most `maxChars` characters: only the part after
 * the last `/` or `\`, accents dropped, every other character outside `[A-Za-z0-9._-]` replaced by
 * `_`, runs of dots collapsed, no leading dot or dash; `fallback` when nothing is left.
 */
export function sanitiseNamePart(text: string, maxChars: number, fallback: string): string {
  const base = text.slice(Math.max(text.lastIndexOf('/'), text.lastIndexOf('\\')) + 1);
  let safe = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+/, '');
  if (safe.length > maxChars) {
    // Keep the extension (up to 10 chars) when cutting, so the file still opens as what it is.
    const dot = safe.lastIndexOf('.');
    const extension = dot > 0 && safe.length - dot <= 10 ? safe.slice(dot) : '';
    safe = safe.slice(0, maxChars - extension.length) + extension;
  }
  return safe === '' ? fallback : safe;
}

/** A fresh stored name for a file uploaded under `field` as `originalName`, at `nowMs`. */
export function storedFileName(nowMs: number, field: string, originalName: string): string {
  const random = randomBytes(8).toString('hex');
  const safeField = sanitiseNamePart(field, MAX_FIELD_CHARS, 'field');
  const safeOriginal = sanitiseNamePart(originalName, MAX_ORIGINAL_CHARS, 'file');
  return `${Math.trunc(nowMs)}-${random}-${safeField}-${safeOriginal}`;
}

/**
 * Whether `name` may be looked up in the files directory: one path segment (no `/` or `\`), no `..`,
 * no NUL, not hidden (a leading dot: files being written are hidden until complete), at most 255
 * bytes. It does not say the file exists.
 */
export function isServableFileName(name: string): boolean {
  return (
    name.length > 0 &&
    Buffer.byteLength(name) <= 255 &&
    !name.startsWith('.') &&
    !name.includes('..') &&
    !/[/\\\0]/.test(name)
  );
}

/**
 * One file the site serves at a fixed URL path: text built in memory (pages, scripts), or a file of the
 * task read on every request, so a rebuilt bundle or an edited HTML file is served without a restart.
 */
import { readFile } from 'node:fs/promises';
import { SiteFileMissingError } from './static-site-errors.js';

export const HTML_TYPE = 'text/html; charset=utf-8';
export const JAVASCRIPT_TYPE = 'text/javascript; charset=utf-8';

export type SiteAsset =
  | {
      readonly kind: 'text';
      /** The `Content-Type` header. */
      readonly contentType: string;
      readonly text: string;
    }
  | {
      readonly kind: 'file';
      readonly contentType: string;
      /** Absolute path, read when a browser asks for it. */
      readonly path: string;
      /** The blueprint argument naming the file (`task_source`, …), quoted when it is missing. */
      readonly argument: string;
    };

export function textAsset(contentType: string, text: string): SiteAsset {
  return { kind: 'text', contentType, text };
}

export function fileAsset(contentType: string, path: string, argument: string): SiteAsset {
  return { kind: 'file', contentType, path, argument };
}

/**
 * The asset's content.
 * @throws SiteFileMissingError when its file cannot be read (missing, a folder, no permission)
 */
export async function readAsset(asset: SiteAsset): Promise<string | Buffer> {
  if (asset.kind === 'text') return asset.text;
  try {
    return await readFile(asset.path);
  } catch (error) {
    throw new SiteFileMissingError(asset.argument, asset.path, { cause: error });
  }
}

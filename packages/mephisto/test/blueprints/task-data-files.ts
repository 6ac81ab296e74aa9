/** Temporary task folders for the data-loading tests, and blueprint args built through the schemas. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  StaticReactTaskBlueprintArgs,
  StaticTaskBlueprintArgs,
} from '../../src/core/config/blueprint-args.js';
import {
  StaticReactTaskBlueprintArgsSchema,
  StaticTaskBlueprintArgsSchema,
} from '../../src/core/config/blueprint-args.js';

/** The checked-in fixture task: task/preview/onboarding HTML and the same two items as CSV, JSON, JSONL. */
export const FIXTURE_TASK_DIR = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '../fixtures/data/static-task',
);

/** The two items every fixture data file holds. */
export const FIXTURE_ITEMS = [
  { text: 'Hello, world', author: 'Ada' },
  { text: 'She said "hi"', author: 'Grace' },
];

/** A fresh temporary folder; `write` puts a file in it and returns its absolute path. */
export class TempTaskDir {
  readonly path = mkdtempSync(join(tmpdir(), 'mephisto-ts-task-'));

  write(name: string, content: string | Buffer): string {
    const file = join(this.path, name);
    writeFileSync(file, content);
    return file;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export function staticTaskArgs(fields: Record<string, unknown>): StaticTaskBlueprintArgs {
  return StaticTaskBlueprintArgsSchema.parse({ task_source: 'task.html', ...fields });
}

export function staticReactArgs(fields: Record<string, unknown>): StaticReactTaskBlueprintArgs {
  return StaticReactTaskBlueprintArgsSchema.parse({ task_source: 'webapp/build/bundle.js', ...fields });
}

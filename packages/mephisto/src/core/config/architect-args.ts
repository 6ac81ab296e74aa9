/**
 * `mephisto.architect`: where the worker-facing server runs, keyed by the type a config selects with
 * `- /mephisto/architect: <type>`. Field names and defaults are Mephisto's.
 */
import { z } from 'zod';
import {
  booleanKind,
  defaultedField,
  enumKind,
  httpUrlKind,
  literalKind,
  optionalField,
  pathKind,
  portKind,
  stringKind,
} from './config-field.js';

function architectTypeField<const T extends string>(type: T) {
  return defaultedField(
    literalKind(type),
    type,
    'The architect type; set by selecting the type in the defaults list or with the override `mephisto/architect=<type>`.',
  );
}

/** Fields every architect has (Mephisto's `ArchitectArgs`). */
const baseArchitectShape = {
  server_type: defaultedField(
    enumKind(['node', 'flask']),
    'node',
    "Mephisto's choice of router implementation. Accepted so Mephisto configs load; mephisto-ts always " +
      'serves workers from its own Node process.',
  ),
  server_source_path: optionalField(
    pathKind,
    "Mephisto's path to a prepared router folder. Accepted so Mephisto configs load; mephisto-ts has no " +
      'separate router to prepare.',
  ),
};

export const LocalArchitectArgsSchema = z.strictObject({
  _architect_type: architectTypeField('local'),
  ...baseArchitectShape,
  hostname: defaultedField(
    stringKind,
    'localhost',
    'Host name workers use to reach the server; it becomes part of the task URL.',
  ),
  port: defaultedField(portKind, 3000, 'Port the server listens on (0 picks a free one).'),
  listen_host: optionalField(
    stringKind,
    'mephisto-ts: the address the server binds to, when it differs from `hostname` (e.g. `0.0.0.0` to ' +
      'accept workers from other machines while links say `hostname`).',
  ),
  public_url: optionalField(
    httpUrlKind,
    'mephisto-ts: the base URL workers open when the server sits behind a TLS reverse proxy ' +
      '(e.g. `https://tasks.example.org/run1`); links use it instead of http://hostname:port.',
  ),
});

export const MockArchitectArgsSchema = z.strictObject({
  _architect_type: architectTypeField('mock'),
  ...baseArchitectShape,
  should_run_server: defaultedField(
    booleanKind,
    false,
    'Start a test server that records packets and lets tests act as workers; without it nothing listens.',
  ),
  port: defaultedField(portKind, 3000, 'Port of the test server when should_run_server is true.'),
});

export type LocalArchitectArgs = z.output<typeof LocalArchitectArgsSchema>;
export type MockArchitectArgs = z.output<typeof MockArchitectArgsSchema>;

/** Validated architect arguments by type; extend with declaration merging when registering a type. */
export interface ArchitectArgsByType {
  local: LocalArchitectArgs;
  mock: MockArchitectArgs;
}
export type ArchitectArgs = ArchitectArgsByType[keyof ArchitectArgsByType];

/** The architect types mephisto-ts knows out of the box. */
export const BUILTIN_ARCHITECT_ARGS = {
  local: LocalArchitectArgsSchema,
  mock: MockArchitectArgsSchema,
} as const;

/**
 * The errors the config layer raises. Each carries a stable code from the ERROR_CODES registry; the
 * invalid-config error also carries every {@link ConfigProblem} found, so callers (the CLI, an editor
 * integration) can show them one by one.
 */
import { MephistoError } from '../errors.js';
import type { ConfigProblem } from './config-problem.js';

function listProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  - ${p.message}${p.origin === undefined ? '' : ` [${p.origin}]`}`).join('\n');
}

/** The config was composed but some values are wrong, missing or unknown. */
export class ConfigInvalidError extends MephistoError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], heading = 'invalid task config') {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('MEPHISTO_ERR_CONFIG_INVALID', `${heading} (${count}):\n${listProblems(problems)}`);
    this.problems = problems;
  }
}

/** A config file (the primary one, or one named in a defaults list) does not exist. */
export class ConfigNotFoundError extends MephistoError {
  /** The files that were tried, in order. */
  readonly searched: readonly string[];
  constructor(message: string, searched: readonly string[]) {
    super(
      'MEPHISTO_ERR_CONFIG_NOT_FOUND',
      searched.length === 0
        ? message
        : `${message}; looked for:\n${searched.map((s) => `  - ${s}`).join('\n')}`,
    );
    this.searched = searched;
  }
}

/** Where a YAML syntax error is. Line and column count from 1. */
export interface ConfigSyntaxProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A config file is not valid YAML, or its top level is not a mapping. */
export class ConfigSyntaxError extends MephistoError {
  readonly problems: readonly ConfigSyntaxProblem[];
  constructor(problems: readonly ConfigSyntaxProblem[]) {
    super(
      'MEPHISTO_ERR_CONFIG_SYNTAX',
      problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

/** A command-line override could not be parsed (`key=value`, `+key=value`, `~key`, `group=option`). */
export class ConfigOverrideError extends MephistoError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(
      'MEPHISTO_ERR_CONFIG_OVERRIDE',
      problems.length === 1 ? (problems[0]?.message ?? '') : `bad overrides:\n${listProblems(problems)}`,
    );
    this.problems = problems;
  }
}

/** A defaults list is malformed, selects a group twice, overrides a group nobody selected, or loops. */
export class ConfigDefaultsError extends MephistoError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(
      'MEPHISTO_ERR_CONFIG_DEFAULTS',
      problems.length === 1
        ? `${problems[0]?.message ?? ''}${problems[0]?.origin === undefined ? '' : ` [${problems[0].origin}]`}`
        : `bad defaults list:\n${listProblems(problems)}`,
    );
    this.problems = problems;
  }
}

/**
 * The errors of the webapp build: a step that failed (with the tail of what the tool printed, since
 * that is where the real cause is) and a bundle that is not where task_source says it is.
 */
import { MephistoError } from '../../core/index.js';

/** The steps of a webapp build, in the order they run. */
export const WEBAPP_BUILD_STEPS = ['npm install', 'post_install_script', 'npm run build'] as const;
export type WebappBuildStep = (typeof WEBAPP_BUILD_STEPS)[number];

/** How many of the tool's last output lines a {@link WebappBuildFailedError} message carries. */
export const OUTPUT_TAIL_LINES = 40;

/** How a build command ended when it did not succeed. */
export type CommandFailure =
  | { readonly kind: 'exit'; readonly exitCode: number }
  | { readonly kind: 'signal'; readonly signal: string }
  | { readonly kind: 'spawn'; readonly reason: string };

/**
 * A build step exited non-zero, was killed by a signal, or could not be started. The full output went
 * to the build's `onOutput` as it ran; the message repeats its last {@link OUTPUT_TAIL_LINES} lines.
 */
export class WebappBuildFailedError extends MephistoError {
  /** The exit code, or null when the command was killed or never started. */
  readonly exitCode: number | null;

  constructor(
    readonly step: WebappBuildStep,
    /** The command as a person would type it. */
    readonly command: string,
    /** The folder it ran in (the webapp folder). */
    readonly cwd: string,
    readonly failure: CommandFailure,
    /** The last lines of stdout and stderr, interleaved as they arrived. */
    readonly outputTail: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      'MEPHISTO_ERR_WEBAPP_BUILD_FAILED',
      failureMessage(step, command, cwd, failure, outputTail),
      options,
    );
    this.exitCode = failure.kind === 'exit' ? failure.exitCode : null;
  }
}

function failureMessage(
  step: WebappBuildStep,
  command: string,
  cwd: string,
  failure: CommandFailure,
  tail: readonly string[],
): string {
  const how =
    failure.kind === 'exit'
      ? `exited with code ${failure.exitCode}`
      : failure.kind === 'signal'
        ? `was killed by ${failure.signal}`
        : `could not be started (${failure.reason})`;
  const head = `webapp build step "${step}" failed in ${cwd}: \`${command}\` ${how}`;
  if (failure.kind === 'spawn') return `${head}.`;
  if (tail.length === 0) return `${head}; it printed nothing.`;
  return `${head}. Last ${tail.length} lines of its output:\n${tail.map((line) => `  ${line}`).join('\n')}`;
}

/**
 * The bundle task_source names is missing: the build ran but wrote it elsewhere (or not at all), or
 * there is no webapp to build and the bundle was not shipped prebuilt.
 */
export class WebappBundleMissingError extends MephistoError {
  constructor(
    /** The absolute path of the expected bundle. */
    readonly bundlePath: string,
    /** The webapp folder that was (or would have been) built. */
    readonly webappDir: string,
    /** True when a build ran just before the check. */
    readonly afterBuild: boolean,
  ) {
    super(
      'MEPHISTO_ERR_WEBAPP_BUNDLE_MISSING',
      afterBuild
        ? `the webapp build in ${webappDir} succeeded but did not write the bundle ${bundlePath} (task_source); ` +
            'make the build write that file or point task_source at the file it writes'
        : `the bundle ${bundlePath} (task_source) does not exist and ${webappDir} has no package.json to build it from`,
    );
  }
}

/**
 * The webapp build against fixture webapps in a temporary folder. Their package.json has no
 * dependencies, so `npm install` runs offline in about a second; its `postinstall` script, the
 * post_install_script and `build.js` each append a line to a step log (outside the webapp, so the
 * log does not change the source hash), which shows what ran, in which order and in which folder.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MephistoError } from '../../src/core/index.js';
import {
  ensureWebappBuilt,
  taskWebappDir,
  type EnsureWebappBuiltOptions,
  type WebappBuildOutput,
} from '../../src/blueprints/static-react/webapp-build.js';
import {
  WebappBuildFailedError,
  WebappBundleMissingError,
} from '../../src/blueprints/static-react/webapp-build-errors.js';
import { hashWebappSources } from '../../src/blueprints/static-react/webapp-build-hash.js';

const WEBAPP_BUILD_SOURCE = fileURLToPath(
  new URL('../../src/blueprints/static-react/webapp-build.ts', import.meta.url),
);

/** Appends `<step> <cwd>` to $STEP_LOG; installed as `postinstall` and used by build.js. */
const LOG_STEP_JS = `const { appendFileSync } = require('node:fs');
appendFileSync(process.env.STEP_LOG, process.argv[2] + ' ' + process.cwd() + '\\n');
`;

/** Writes build/bundle.js from src/app.js. */
const BUILD_JS = `const { mkdirSync, readFileSync, writeFileSync, appendFileSync } = require('node:fs');
appendFileSync(process.env.STEP_LOG, 'build ' + process.cwd() + '\\n');
mkdirSync('build', { recursive: true });
writeFileSync('build/bundle.js', '// built\\n' + readFileSync('src/app.js', 'utf8'));
`;

const POST_INSTALL_SH = 'echo "post_install $(pwd)" >> "$STEP_LOG"\n';

let root: string;
let taskDir: string;
let webappDir: string;
let bundlePath: string;
let stepLog: string;

interface FixtureOptions {
  readonly buildJs?: string;
  readonly scripts?: Record<string, string>;
}

async function writeFixture(options: FixtureOptions = {}): Promise<void> {
  await mkdir(join(webappDir, 'src'), { recursive: true });
  const packageJson = {
    name: 'fixture-webapp',
    version: '1.0.0',
    private: true,
    scripts: { postinstall: 'node log-step.cjs install', build: 'node build.cjs', ...options.scripts },
  };
  await writeFile(join(webappDir, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(join(webappDir, 'log-step.cjs'), LOG_STEP_JS);
  await writeFile(join(webappDir, 'build.cjs'), options.buildJs ?? BUILD_JS);
  await writeFile(join(webappDir, 'src', 'app.js'), 'console.log("v1");\n');
  await writeFile(join(taskDir, 'post-install.sh'), POST_INSTALL_SH);
}

/** The steps the scripts logged since the last call, as `step` or `step <folder>` when not the webapp. */
async function takeSteps(): Promise<string[]> {
  const text = await readFile(stepLog, 'utf8').catch(() => '');
  await rm(stepLog, { force: true });
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [step, ...cwd] = line.split(' ');
      return cwd.join(' ') === webappDir ? (step ?? '') : line;
    });
}

function build(options: Partial<EnsureWebappBuiltOptions> = {}) {
  return ensureWebappBuilt({
    webappDir,
    bundlePath,
    taskDir,
    env: {
      STEP_LOG: stepLog,
      // Quiet, offline-friendly npm that leaves no debug logs in the home folder.
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_logs_max: '0',
    },
    ...options,
  });
}

async function buildError(options: Partial<EnsureWebappBuiltOptions> = {}): Promise<MephistoError> {
  const error: unknown = await build(options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof MephistoError)) throw new Error(`expected a MephistoError, got ${String(error)}`);
  return error;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mephisto-webapp-build-'));
  taskDir = join(root, 'task');
  webappDir = taskWebappDir(taskDir);
  bundlePath = join(webappDir, 'build', 'bundle.js');
  stepLog = join(root, 'steps.log');
  await mkdir(taskDir);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensureWebappBuilt', () => {
  it('installs, runs the post_install_script and builds, in that order, in the webapp folder; then skips an unchanged webapp', async () => {
    await writeFixture();
    const output: WebappBuildOutput[] = [];
    const first = await build({ postInstallScript: 'post-install.sh', onOutput: (o) => output.push(o) });
    expect(first).toMatchObject({ built: true, reason: 'never-built', bundlePath });
    expect(await takeSteps()).toEqual(['install', 'post_install', 'build']);
    expect(await readFile(bundlePath, 'utf8')).toContain('v1');
    // The tools' own output reached onOutput, tagged with its step.
    expect(output.some((o) => o.step === 'npm run build' && o.text.includes('node build.cjs'))).toBe(true);

    const second = await build({ postInstallScript: 'post-install.sh' });
    expect(second).toEqual({ built: false, reason: 'up-to-date', bundlePath });
    expect(await takeSteps()).toEqual([]);
  }, 60_000);

  it('rebuilds when a source file changes, not when node_modules, the build output or a dot-folder does', async () => {
    await writeFixture();
    await build();
    await takeSteps();

    await mkdir(join(webappDir, 'node_modules', 'some-dep'), { recursive: true });
    await writeFile(join(webappDir, 'node_modules', 'some-dep', 'index.js'), 'x');
    await writeFile(join(webappDir, 'build', 'extra.js'), 'x');
    await mkdir(join(webappDir, '.cache'));
    await writeFile(join(webappDir, '.cache', 'state'), 'x');
    await mkdir(join(webappDir, 'src', 'node_modules'));
    await writeFile(join(webappDir, 'src', 'node_modules', 'nested.js'), 'x');
    expect(await build()).toMatchObject({ built: false, reason: 'up-to-date' });

    await writeFile(join(webappDir, 'src', 'app.js'), 'console.log("v2");\n');
    expect(await build()).toMatchObject({ built: true, reason: 'sources-changed' });
    expect(await takeSteps()).toEqual(['install', 'build']);
    expect(await readFile(bundlePath, 'utf8')).toContain('v2');
  }, 90_000);

  it('rebuilds when forced, and when the bundle has gone', async () => {
    await writeFixture();
    await build();
    await takeSteps();
    expect(await build({ forceRebuild: true })).toMatchObject({ built: true, reason: 'forced' });
    expect(await takeSteps()).toEqual(['install', 'build']);

    await rm(bundlePath);
    expect(await build()).toMatchObject({ built: true, reason: 'bundle-missing' });
    expect(await takeSteps()).toEqual(['install', 'build']);
  }, 60_000);

  it('rebuilds when the post_install_script setting or the script file changes', async () => {
    await writeFixture();
    await build();
    expect(await build({ postInstallScript: 'post-install.sh' })).toMatchObject({
      built: true,
      reason: 'post-install-script-changed',
    });
    await takeSteps();

    // The script lives in the task folder, outside the hashed webapp: its own contents count.
    await writeFile(join(taskDir, 'post-install.sh'), `${POST_INSTALL_SH}echo again >> "$STEP_LOG"\n`);
    expect(await build({ postInstallScript: 'post-install.sh' })).toMatchObject({
      built: true,
      reason: 'post-install-script-changed',
    });
    expect(await takeSteps()).toEqual(['install', 'post_install', 'again', 'build']);

    expect(await build()).toMatchObject({ built: true, reason: 'post-install-script-changed' });
    expect(await takeSteps()).toEqual(['install', 'build']);
  }, 90_000);

  it('runs a post_install_script that names no file as a shell command in the webapp folder', async () => {
    await writeFixture();
    await build({ postInstallScript: 'echo "command $(pwd)" >> "$STEP_LOG"' });
    expect(await takeSteps()).toEqual(['install', 'command', 'build']);
  }, 60_000);

  it('finds a relative script file in the webapp folder when the task folder has none (as Mephisto does)', async () => {
    await writeFixture();
    await writeFile(join(webappDir, 'link.sh'), 'echo "webapp_script $(pwd)" >> "$STEP_LOG"\n');
    await build({ postInstallScript: 'link.sh' });
    expect(await takeSteps()).toEqual(['install', 'webapp_script', 'build']);
  }, 60_000);

  it('names the failed install with its exit code and output, and runs nothing after it', async () => {
    await writeFixture({
      scripts: { preinstall: `node -e "console.error('cannot reach the registry'); process.exit(7)"` },
    });
    const error = await buildError({ postInstallScript: 'post-install.sh' });
    expect(error).toBeInstanceOf(WebappBuildFailedError);
    expect(error.code).toBe('MEPHISTO_ERR_WEBAPP_BUILD_FAILED');
    expect(error).toMatchObject({ step: 'npm install', exitCode: 7 });
    expect(error.message).toContain(`webapp build step "npm install" failed in ${webappDir}`);
    expect(error.message).toContain('`npm install --include=dev --no-audit --no-fund` exited with code 7');
    expect(error.message).toContain('cannot reach the registry');
    expect(await takeSteps()).toEqual([]);
  }, 60_000);

  it('names a failing post_install_script and does not build', async () => {
    await writeFixture();
    await writeFile(join(taskDir, 'post-install.sh'), 'echo "linking failed" >&2\nexit 5\n');
    const error = await buildError({ postInstallScript: 'post-install.sh' });
    expect(error).toMatchObject({ step: 'post_install_script', exitCode: 5 });
    expect(error.message).toContain(`\`bash ${join(taskDir, 'post-install.sh')}\` exited with code 5`);
    expect(error.message).toContain('linking failed');
    expect(await takeSteps()).toEqual(['install']);
  }, 60_000);

  it("keeps the last 40 lines of a failing build's output in the message, and builds again next time", async () => {
    await writeFixture({
      buildJs: `for (let i = 1; i <= 100; i++) console.log('line ' + i);\nprocess.exit(3);\n`,
    });
    const failed = await buildError();
    if (!(failed instanceof WebappBuildFailedError)) throw new Error(`unexpected ${failed.code}`);
    expect(failed).toMatchObject({ step: 'npm run build', exitCode: 3 });
    expect(failed.outputTail).toHaveLength(40);
    expect(failed.message).toContain('`npm run build` exited with code 3. Last 40 lines of its output:');
    expect(failed.message).toContain('  line 100');
    expect(failed.message).not.toMatch(/line 50\b/);
    // No record was written, so the next launch tries again.
    expect(await buildError()).toBeInstanceOf(WebappBuildFailedError);
  }, 60_000);

  it('reports a build that succeeds without writing the bundle, naming the path', async () => {
    await writeFixture({ buildJs: `console.log('wrote nothing');\n` });
    const error = await buildError();
    expect(error).toBeInstanceOf(WebappBundleMissingError);
    expect(error.code).toBe('MEPHISTO_ERR_WEBAPP_BUNDLE_MISSING');
    expect(error.message).toContain(`did not write the bundle ${bundlePath} (task_source)`);
  }, 60_000);

  it('reports a command that cannot be started', async () => {
    await writeFixture();
    const error = await buildError({ env: { PATH: join(root, 'no-such-bin') } });
    expect(error).toMatchObject({ step: 'npm install', exitCode: null });
    expect(error.message).toMatch(/`npm install [^`]*` could not be started \(.*ENOENT/);
  });

  it('without package.json uses the prebuilt bundle, or says it is missing', async () => {
    await expect(build()).rejects.toThrow(
      `the bundle ${bundlePath} (task_source) does not exist and ${webappDir} has no package.json to build it from`,
    );
    await mkdir(join(webappDir, 'build'), { recursive: true });
    await writeFile(bundlePath, '// prebuilt\n');
    expect(await build({ forceRebuild: true })).toEqual({
      built: false,
      reason: 'no-package-json',
      bundlePath,
    });
    expect(await takeSteps()).toEqual([]);
  });

  it('stops the running step, with its child processes, when aborted', async () => {
    const pidFile = join(root, 'build.pid');
    await writeFixture({ buildJs: slowBuildJs(pidFile) });
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const started = build({
      signal: controller.signal,
      onOutput: (o) => {
        if (o.text.includes('building slowly')) controller.abort(reason);
      },
    });
    await expect(started).rejects.toBe(reason);
    // build.cjs runs under npm and a shell: it is a grandchild, and it must be gone too.
    const pid = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => isAlive(pid), { timeout: 5000 }).toBe(false);
  }, 60_000);
});

describe('hashWebappSources', () => {
  const exclude = new Set(['build']);
  const hash = () => hashWebappSources(webappDir, exclude);

  it('changes when a file is added, deleted, renamed or edited, and only then', async () => {
    await mkdir(join(webappDir, 'src'), { recursive: true });
    await writeFile(join(webappDir, 'src', 'a.js'), 'a');
    const start = await hash();
    expect(await hash()).toBe(start);

    await writeFile(join(webappDir, 'src', 'b.js'), '');
    const added = await hash();
    expect(added).not.toBe(start);
    await rm(join(webappDir, 'src', 'b.js'));
    expect(await hash()).toBe(start);

    await rename(join(webappDir, 'src', 'a.js'), join(webappDir, 'src', 'c.js'));
    expect(await hash()).not.toBe(start);
    await rename(join(webappDir, 'src', 'c.js'), join(webappDir, 'src', 'a.js'));
    await writeFile(join(webappDir, 'src', 'a.js'), 'A');
    expect(await hash()).not.toBe(start);
    await writeFile(join(webappDir, 'src', 'a.js'), 'a');
    // Rewriting the same contents (a new modification time) changes nothing.
    expect(await hash()).toBe(start);
  });

  it('counts dot-files and symbolic links, and leaves out excluded paths, node_modules and dot-folders', async () => {
    await mkdir(join(webappDir, 'build'), { recursive: true });
    const empty = await hash();
    await writeFile(join(webappDir, 'build', 'bundle.js'), 'x');
    await mkdir(join(webappDir, 'lib', 'node_modules'), { recursive: true });
    await writeFile(join(webappDir, 'lib', 'node_modules', 'x.js'), 'x');
    await mkdir(join(webappDir, '.vite'));
    await writeFile(join(webappDir, '.vite', 'cache'), 'x');
    expect(await hash()).toBe(empty);

    await writeFile(join(webappDir, '.babelrc'), '{}');
    const withDotFile = await hash();
    expect(withDotFile).not.toBe(empty);
    await symlink('.babelrc', join(webappDir, 'babel.link'));
    expect(await hash()).not.toBe(withDotFile);
  });
});

describe('ensureWebappBuilt in a process that gets Ctrl+C', () => {
  it('passes the signal on to the build, whose processes stop, and still ends the process', async () => {
    const pidFile = join(root, 'build.pid');
    await writeFixture({ buildJs: slowBuildJs(pidFile) });
    const driver = join(root, 'driver.mts');
    await writeFile(
      driver,
      `import { ensureWebappBuilt } from ${JSON.stringify(pathToFileURL(WEBAPP_BUILD_SOURCE).href)};
await ensureWebappBuilt({
  webappDir: ${JSON.stringify(webappDir)},
  bundlePath: ${JSON.stringify(bundlePath)},
  taskDir: ${JSON.stringify(taskDir)},
  env: { STEP_LOG: ${JSON.stringify(stepLog)}, npm_config_logs_max: '0', npm_config_update_notifier: 'false' },
  onOutput: ({ text }) => process.stdout.write(text),
});
`,
    );
    const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsxLoader, driver], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ended = new Promise<NodeJS.Signals | number | null>((resolve) => {
      child.once('close', (code, signal) => {
        resolve(signal ?? code);
      });
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      if (output.includes('building slowly')) child.kill('SIGINT');
    });
    expect(await ended).toBe('SIGINT');
    const pid = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => isAlive(pid), { timeout: 5000 }).toBe(false);
  }, 60_000);
});

/** A build that records its pid, says so, and then would run for a minute. */
function slowBuildJs(pidFile: string): string {
  return `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
console.log('building slowly');
setTimeout(() => {}, 60_000);
`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

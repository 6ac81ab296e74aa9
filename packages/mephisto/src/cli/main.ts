#!/usr/bin/env node
/** The `mephisto` executable: runs the command line against the real process and sets its exit code. */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });

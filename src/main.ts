// The commander program: global options, one line per command, and the one place that maps errors
// to exit codes (docs/architecture.md#conventions-in-the-code). It runs against the streams and the stop
// signal it is given; src/cli.ts gives it the process's own and is the only place that exits. Heavy
// modules (snowflake-sdk, DuckDB, the Fabric client) are imported lazily inside the actions, so
// `--help` stays instant.
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, isFabricSyncError, ConfigError, InputError, outcomesOfFailure, storageErrorFrom } from './core/errors.js';
import { makeConfigLoader, type Action, type CommandContext, type GlobalOptions } from './commands/context.js';
import { Ui } from './commands/output.js';
import { HostPauses } from './core/http/index.js';
import { secretValues } from './core/config/secret.js';
import { spinnerAllowed } from './commands/progress.js';
import { registerInspect } from './commands/inspect.js';
import { registerConvert } from './commands/convert.js';
import { registerMonitor } from './commands/monitor.js';
import { registerValidate } from './commands/validate.js';
import { registerState } from './commands/state.js';
import { registerQuery } from './commands/query.js';
import { registerDiff } from './commands/diff.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    the work failed for at least one model (the others were still done)
  2    usage or configuration error (also: bad model file, state file locked)
  3    authentication or permission failure
  130  interrupted (Ctrl-C, SIGINT) after saving state; monitor exits 0 on SIGTERM`;

/** What a run reads from and writes to: the process's own streams (src/cli.ts), or others. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Aborted with a StopRequest to stop the run as SIGINT/SIGTERM would. */
  signal: AbortSignal;
  /** The environment: colour, CI annotations, and the variables the configuration reads. */
  env: Readonly<Record<string, string | undefined>>;
}

function buildUi(globals: Partial<GlobalOptions>, io: CliIo): Ui {
  const env = io.env;
  const noColor = globals.color === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return new Ui({
    json: Boolean(globals.json),
    verbose: Boolean(globals.verbose),
    quiet: Boolean(globals.quiet),
    color: !noColor && (forceColor || Boolean(io.stderr.isTTY)),
    interactive: spinnerAllowed(io.stderr, env, noColor),
    githubActions: env.GITHUB_ACTIONS === 'true',
    azureDevOps: (env.TF_BUILD ?? '').toLowerCase() === 'true',
    stdout: io.stdout,
    stderr: io.stderr,
  });
}

/** Whether help text may keep colours on `stream`: NO_COLOR / FORCE_COLOR / CLICOLOR_FORCE, else a colour terminal. */
function helpColours(stream: CliIo['stdout'], env: CliIo['env']): boolean {
  if (env.NO_COLOR || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return Boolean(stream.isTTY && (stream as { hasColors?: () => boolean }).hasColors?.());
}

/** Global flags read straight from argv, for rendering errors that happen before commander parsed. */
function globalsFromArgv(argv: string[]): Partial<GlobalOptions> {
  return {
    json: argv.includes('--json'),
    verbose: argv.includes('--verbose') || argv.includes('-v'),
    quiet: argv.includes('--quiet') || argv.includes('-q'),
    color: !argv.includes('--no-color'),
  };
}

/** Runs one command line; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let ui = buildUi(globalsFromArgv(argv), io);
  // What the Fabric API says about throttling (Retry-After) holds for this command line, not the process.
  const pauses = new HostPauses();
  let exitCode: number = ExitCode.ok;
  // `--version --json` is one JSON document like every other --json output.
  if (ui.json && argv.some((a) => a === '--version' || a === '-V') && !argv.some((a) => a === '--help' || a === '-h')) {
    ui.result({ name: 'fabric-sync', version, node: process.versions.node }, () => version);
    return ExitCode.ok;
  }

  const program = new Command('fabric-sync')
    .description('Keep Snowflake\'s view of Power BI / Fabric semantic models up to date: detect new and changed models, convert them to Push API datasets ({Model}_PushSync), write their metadata to Snowflake or an embedded DuckDB file.')
    .version(version, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (default: fabric-sync.config.{json,yaml,js,mjs}, .fabric-syncrc*, package.json "fabric-sync")')
    .option('--dotenv <file>', 'read environment variables from this file (default: ./.env when present)')
    // `--env-file` is Node's own option: Node 20 takes it from anywhere on the command line and exits
    // before this program starts (exit 9). It still works where Node leaves it alone (22 and later).
    .addOption(new Option('--env-file <file>').hideHelp())
    .option('--json', 'print exactly one JSON document on stdout (monitor: one JSON object per line)', false)
    .addOption(new Option('-v, --verbose', 'more detail: request ids, timings, stack traces').default(false).conflicts('quiet'))
    .option('-q, --quiet', 'print only errors', false)
    .option('--no-color', 'no colours (also honoured: NO_COLOR, FORCE_COLOR)')
    .showSuggestionAfterError(true)
    // A command's --help lists the global options too (--config, --json, …), inherited by each command.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeErr: (s) => io.stderr.write(s),
      writeOut: (s) => io.stdout.write(s),
      // What commander would ask of process.stdout/stderr and the environment, asked of the given ones.
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) ?? 80,
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) ?? 80,
      getOutHasColors: () => helpColours(io.stdout, io.env),
      getErrHasColors: () => helpColours(io.stderr, io.env),
    })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  const bind = (action: Action) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals() as GlobalOptions;
      ui = buildUi(globals, io);
      const load = makeConfigLoader(globals, io.env);
      const current = ui;
      // Once the configuration is known, its secrets are scrubbed from everything printed (issue 13 item 8).
      const config: CommandContext['config'] = async (overrides) => {
        const loaded = await load(overrides);
        current.protect(secretValues(loaded.config));
        return loaded;
      };
      const ctx: CommandContext = { ui, globals, version, signal: io.signal, stdin: io.stdin, pauses, config };
      exitCode = await action(ctx, ...args.slice(0, -1));
    };

  registerInspect(program, bind);
  registerConvert(program, bind);
  registerMonitor(program, bind);
  registerValidate(program, bind);
  registerState(program, bind);
  registerQuery(program, bind);
  registerDiff(program, bind);
  for (const cmd of program.commands) cmd.exitOverride().addHelpText('after', EXIT_CODES_HELP);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e, ui);
  }
}

function reportError(raw: unknown, ui: Ui): number {
  // A file-system failure no layer caught (a full disk, a read-only mount) is still one clear sentence, exit 1.
  const e = storageErrorFrom(raw, 'write', (raw as NodeJS.ErrnoException | undefined)?.path ?? 'a file') ?? raw;
  if (e instanceof CommanderError) {
    // --help and --version end with exit code 0; everything else commander rejects is usage.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    if (ui.json) ui.result({ error: 'UsageError', message: e.message.replace(/^error: /, ''), exitCode: ExitCode.usage }, () => '');
    return ExitCode.usage;
  }
  if (isFabricSyncError(e)) {
    if (ui.json) {
      // A model that failed while publishing: what each publisher reported (the view's tables, metrics, DDL) too.
      ui.result({ ...e.toJSON(), ...(outcomesOfFailure(e) ?? {}) }, () => '');
    } else {
      ui.error(e.message);
      if (e instanceof ConfigError) for (const issue of e.issues) ui.error(`  ${issue}`);
      // A hint of several lines (a list of candidates) keeps its line breaks; each line is still made safe.
      if (e.hint) e.hint.split('\n').forEach((line, i) => ui.info(i === 0 ? `${ui.c.dim('hint:')} ${line}` : line));
    }
    if (e instanceof InputError) ui.annotate('error', e.message);
    if (ui.verbose && e.stack) ui.debugBlock(e.stack);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  if (ui.json) ui.result({ error: 'InternalError', message, exitCode: ExitCode.failed }, () => '');
  else {
    ui.error(`Unexpected error: ${message}`);
    ui.info(`${ui.c.dim('hint:')} run again with --verbose for the stack trace, and report it if it persists.`);
  }
  if (ui.verbose && e instanceof Error && e.stack) ui.debugBlock(e.stack);
  return ExitCode.failed;
}

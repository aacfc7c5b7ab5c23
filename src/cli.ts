// The commander program: global options, one line per command, and the one place that maps errors
// to exit codes and exits (docs/architecture.md#conventions-in-the-code). Heavy modules (snowflake-sdk, DuckDB, the Fabric
// client) are imported lazily inside the actions, so `--help` stays instant.
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, isFabricSyncError, ConfigError, InputError, outcomesOfFailure, storageErrorFrom, StopRequest } from './core/errors.js';
import { makeConfigLoader, type Action, type CommandContext, type GlobalOptions } from './commands/context.js';
import { Ui } from './commands/output.js';
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

function buildUi(globals: Partial<GlobalOptions>): Ui {
  const env = process.env;
  const noColor = globals.color === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return new Ui({
    json: Boolean(globals.json),
    verbose: Boolean(globals.verbose),
    quiet: Boolean(globals.quiet),
    color: !noColor && (forceColor || Boolean(process.stderr.isTTY)),
    interactive: spinnerAllowed(process.stderr, env, noColor),
    githubActions: env.GITHUB_ACTIONS === 'true',
    azureDevOps: (env.TF_BUILD ?? '').toLowerCase() === 'true',
  });
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

export async function main(argv: string[]): Promise<number> {
  // snowflake-sdk pulls in the AWS SDK, which warns on stderr about Node 20's end of life on every
  // run; the engines field already says what fabric-sync supports, so keep that noise out of output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(ExitCode.interrupted); // second Ctrl-C: stop now
    controller.abort(new StopRequest(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let ui = buildUi(globalsFromArgv(argv));
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
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  const bind = (action: Action) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals() as GlobalOptions;
      ui = buildUi(globals);
      const load = makeConfigLoader(globals);
      const current = ui;
      // Once the configuration is known, its secrets are scrubbed from everything printed (issue 13 item 8).
      const config: CommandContext['config'] = async (overrides) => {
        const loaded = await load(overrides);
        current.protect(secretValues(loaded.config));
        return loaded;
      };
      const ctx: CommandContext = { ui, globals, version, signal: controller.signal, config };
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
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
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

// Run when executed (bin/fabric-sync.js imports this module).
const code = await main(process.argv.slice(2));
// Flush stdout before exiting: piped output must not be cut (e.g. `--json | jq`).
process.stdout.write('', () => process.exit(code));

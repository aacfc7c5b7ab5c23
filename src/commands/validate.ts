// `validate`: the permission and connectivity checklist (issue 7 item 1). One core call returns the
// checks as data; this file renders them — one line per check (✔ ok, ! warning, ✖ failed, - skipped)
// with its hint underneath and a summary line, or `{ok, exitCode, summary, checks}` with --json —
// and returns the exit code the core computed (0 / 1 / 2 config / 3 auth or permission).
import { realSleep, systemClock } from '../core/context.js';
import type { Check, ValidationReport } from '../core/validate/index.js';
import type { Bind, Command, CommandContext } from './context.js';
import type { Ui } from './output.js';

export function registerValidate(program: Command, bind: Bind): void {
  program
    .command('validate')
    .description('check config, Entra tokens, workspace access and roles, tenant settings, the warehouse and the state file')
    .addHelpText('after', `
Checks (each ok / warning / failed / skipped, with a fix hint):
  config · Entra token per API · each workspace listable · role (getDefinition needs Contributor+)
  push dataset permission (nothing is created) · admin scanner APIs (monitor.detection: scanner)
  Snowflake login, warehouse/database/schema, CREATE TABLE + MERGE on a temporary table · or the DuckDB file
  state file writable and not locked

Examples:
  $ fabric-sync validate
  $ fabric-sync validate --json | jq '.checks[] | select(.status == "fail")'

Exit code of validate: 0 no check failed (warnings allowed) · 2 the config is invalid ·
3 a credential or permission is missing · 1 anything else failed (host unreachable, state file locked).`)
    .action(bind(async (ctx) => validate(ctx)));
}

async function validate(ctx: CommandContext): Promise<number> {
  // Lazy: the checks pull in the Fabric client and, when needed, a warehouse driver.
  const { runValidation } = await import('../core/validate/index.js');
  const spinner = await ctx.ui.spinner('validating…');
  let report: ValidationReport;
  try {
    report = await runValidation(() => ctx.config(), {
      clock: systemClock,
      sleep: realSleep,
      logger: ctx.ui.logger(),
      version: ctx.version,
      verbose: ctx.globals.verbose,
      pauses: ctx.pauses,
    });
  } finally {
    spinner.stop();
  }
  ctx.ui.result({ ok: report.ok, exitCode: report.exitCode, summary: report.summary, checks: report.checks }, () => render(ctx.ui, report));
  for (const c of report.checks) {
    if (c.status !== 'fail') continue;
    // -q prints only errors: the failed lines still reach stderr.
    if (ctx.ui.quiet && !ctx.ui.json) ctx.ui.error(`${c.message}${c.hint ? ` (${c.hint})` : ''}`);
    ctx.ui.annotate('error', `validate ${c.id}: ${c.message}`);
  }
  return report.exitCode;
}

function render(ui: Ui, report: ValidationReport): string {
  const { c } = ui;
  const mark: Record<Check['status'], string> = { ok: c.green('✔'), warn: c.yellow('!'), fail: c.red('✖'), skip: c.dim('-') };
  const lines: string[] = [];
  let lastHint: string | undefined;
  for (const check of report.checks) {
    const timing = ui.verbose && check.durationMs > 0 ? c.dim(` (${check.durationMs} ms)`) : '';
    const text = check.status === 'skip' ? c.dim(check.message) : check.message;
    lines.push(`${mark[check.status]} ${text}${timing}`);
    for (const d of check.details ?? []) lines.push(`    ${d}`);
    // Two audiences refused for one reason share one fix: say it once.
    const hint = check.hint && check.hint === lastHint ? 'same fix as above' : check.hint;
    if (hint && (check.status === 'fail' || check.status === 'warn')) lines.push(`  ${c.dim('→')} ${hint}`);
    else if (hint) lines.push(`  ${c.dim(`→ ${hint}`)}`);
    lastHint = check.hint;
  }
  const s = report.summary;
  const parts = [`${s.ok} ok`, `${s.warn} warning${s.warn === 1 ? '' : 's'}`, `${s.fail} failed`, `${s.skip} skipped`];
  const verdict = report.ok ? c.green('ready') : c.red('not ready');
  lines.push('', `${verdict}: ${parts.join(', ')} (exit code ${report.exitCode})`);
  return lines.join('\n');
}

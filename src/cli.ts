// The executable's module: runs the command line against the process's own streams, turns SIGINT and
// SIGTERM into a stop request, and is the one place that exits (docs/architecture.md#conventions-in-the-code).
import { ExitCode, StopRequest } from './core/errors.js';
import { main } from './main.js';

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

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: controller.signal, env: process.env });
// Flush stdout before exiting: piped output must not be cut (e.g. `--json | jq`).
process.stdout.write('', () => process.exit(code));

// The whole configuration of fabric-sync as one zod schema (docs/architecture.md#configuration). The config file, `.env`,
// the environment and command-line flags are all merged into this shape before validation, so there
// is exactly one definition of what a setting means, its default and its constraints. The JSON
// Schema for editors (`fabric-sync.schema.json`) and the README's configuration reference are
// generated from it.
import { z } from 'zod';
import { identifierProblem } from '../warehouse/names.js';
import { Secret } from './secret.js';
import { endpointProblems } from './urls.js';

const secret = z
  .string()
  .min(1, 'must not be empty')
  .transform((s) => new Secret(s))
  .describe('secret (redacted in every output)');

/** An endpoint that receives credentials: https, or http only to a loopback address; no user-info (urls.ts). */
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).check((ctx) => {
  for (const message of endpointProblems(ctx.value)) ctx.issues.push({ code: 'custom', message, input: ctx.value });
});
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const guidish = nonEmpty.regex(/^[A-Za-z0-9._-]+$/, 'must be an id (letters, digits, "-", "_" or ".")');
const seconds = (d: number) => z.coerce.number().int('must be a whole number').positive('must be positive').default(d);
/** A Snowflake object name as Snowflake reads it: unquoted → upper-case, "quoted" → kept as written. */
const identifier = nonEmpty.superRefine((text, ctx) => {
  const problem = identifierProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const AUTH_MODES = ['client-secret', 'certificate', 'default', 'static'] as const;

export const fabricSchema = z
  .object({
    auth: z
      .enum(AUTH_MODES)
      .optional()
      .describe('How to get Entra ID tokens. Unset: static tokens if given, else client secret, else certificate, else DefaultAzureCredential.'),
    tenantId: guidish.optional().describe('Entra ID tenant (directory) id.'),
    clientId: guidish.optional().describe('Application (client) id of the service principal.'),
    clientSecret: secret.optional().describe('Client secret of the service principal.'),
    certificatePath: nonEmpty.optional().describe('PEM file with the certificate and private key (auth: certificate).'),
    certificatePassword: secret.optional().describe('Password of the certificate file, if any.'),
    accessToken: secret.optional().describe('A pre-acquired token for the Fabric API (also used for Power BI when no Power BI token is given).'),
    powerbiAccessToken: secret.optional().describe('A pre-acquired token for the Power BI API.'),
    workspaces: z
      .array(guidish)
      .default([])
      .describe('Workspace ids to watch. Empty: every workspace the principal can see.'),
    apiUrl: url.default('https://api.fabric.microsoft.com').describe('Fabric REST base URL (sovereign clouds, tests).'),
    powerbiApiUrl: url.default('https://api.powerbi.com').describe('Power BI REST base URL (sovereign clouds, tests).'),
    authorityHost: url.default('https://login.microsoftonline.com').describe('Entra ID authority host.'),
    definitionFormat: z.enum(['TMSL', 'TMDL']).default('TMSL').describe('Format asked of getDefinition.'),
    infoFallback: z
      .boolean()
      .default(false)
      .describe('No effect; accepted so older config files stay valid (validate warns when it is true). There is no read-only way to a schema: getDefinition needs write permission on the model.'),
    timeoutSeconds: seconds(60).describe('Timeout of one HTTP request.'),
    maxRetries: z.coerce.number().int().min(0).max(20).default(5).describe('Retries of one request on 5xx and network errors.'),
    throttleBudgetSeconds: seconds(900).describe('Longest total wait for one operation when throttled (429 Retry-After).'),
  })
  .strict();

export const snowflakeSchema = z
  .object({
    account: nonEmpty.optional().describe('Account identifier, e.g. myorg-myaccount.'),
    user: nonEmpty.optional().describe('Login name.'),
    password: secret.optional().describe('Password (prefer key-pair authentication for service users).'),
    privateKeyPath: nonEmpty.optional().describe('PEM private key for key-pair (SNOWFLAKE_JWT) authentication.'),
    privateKeyPassphrase: secret.optional().describe('Passphrase of an encrypted private key.'),
    authenticator: nonEmpty.optional().describe('SNOWFLAKE (password), SNOWFLAKE_JWT (key pair), OAUTH, EXTERNALBROWSER, …'),
    accessUrl: url.optional().describe('Full endpoint URL (private link, or a local stand-in).'),
    role: identifier.optional().describe('Role to use (unquoted names are upper-cased as Snowflake does; "double-quote" a mixed-case name).'),
    warehouse: identifier.optional().describe('Virtual warehouse that runs the statements.'),
    database: identifier.optional().describe('Database that holds the metadata tables (unquoted: upper-cased; "quoted": kept as written).'),
    schema: identifier.optional().describe('Schema that holds the metadata tables (unquoted: upper-cased; "quoted": kept as written).'),
    lockTimeoutSeconds: z.coerce
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(604800)
      .default(900)
      .describe(
        'LOCK_TIMEOUT of each session: how long a write waits for another writer\'s lock before failing. 900 s covers a lock left by a killed run, which Snowflake aborts after at most 10 minutes.',
      ),
    statementTimeoutSeconds: z.coerce
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(604800)
      .default(1800)
      .describe('STATEMENT_TIMEOUT_IN_SECONDS of each session: the longest any one statement (lock wait included) may run.'),
  })
  .strict();

export const configSchema = z
  .object({
    fabric: fabricSchema.default(fabricSchema.parse({})),
    snowflake: snowflakeSchema.default(snowflakeSchema.parse({})),
    warehouse: z
      .object({
        target: z
          .enum(['auto', 'snowflake', 'duckdb', 'none'])
          .default('auto')
          .describe('auto: Snowflake when snowflake.account is set, otherwise the embedded DuckDB file.'),
        duckdbPath: nonEmpty.default('.fabric-sync/metadata.duckdb').describe('The embedded DuckDB file.'),
        createTables: z.boolean().default(false).describe('Also create one physical table per model table (additive only).'),
        tablesSchema: identifier
          .default('FABRIC_MODELS')
          .describe('Schema for the physical tables of createTables, one table per model table, named <model key>__<table>.'),
      })
      .strict()
      .default({ target: 'auto', duckdbPath: '.fabric-sync/metadata.duckdb', createTables: false, tablesSchema: 'FABRIC_MODELS' }),
    push: z
      .object({
        enabled: z.boolean().default(true).describe('Create/update the {Model}_PushSync push datasets.'),
        suffix: nonEmpty.default('_PushSync').describe('Suffix of push dataset names.'),
        onIncompatible: z
          .enum(['recreate', 'fail'])
          .default('recreate')
          .describe('When relationships or the table set changed: recreate the push dataset, or fail.'),
        perModel: z
          .array(
            z
              .object({
                match: nonEmpty.describe('Model name or id pattern (* and ?, case-insensitive).'),
                onIncompatible: z.enum(['recreate', 'fail']).describe('Mode for the models it matches.'),
              })
              .strict(),
          )
          .default([])
          .describe('Per-model onIncompatible, e.g. [{"match": "Finance*", "onIncompatible": "fail"}]; the first match wins.'),
        strict: z.boolean().default(false).describe('Fail a model when the conversion drops or changes anything.'),
        outDir: nonEmpty.default('./push-definitions').describe('Where the push definition files ({Model}.{key}_push_api.json) are written.'),
        retention: z.enum(['None', 'basicFIFO']).default('None').describe('defaultRetentionPolicy of new push datasets.'),
      })
      .strict()
      .default({ enabled: true, suffix: '_PushSync', onIncompatible: 'recreate', perModel: [], strict: false, outDir: './push-definitions', retention: 'None' }),
    semanticView: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Publish each model as a Snowflake semantic view ({Model}_semantic_view.sql beside the push definition; executed on Snowflake). convert/monitor --semantic-view turn it on.'),
        database: identifier.optional().describe('Database the view is created in (default: snowflake.database).'),
        schema: identifier.optional().describe('Schema the view is created in (default: snowflake.schema).'),
        tables: z
          .record(nonEmpty, nonEmpty)
          .default({})
          .describe('Model table → Snowflake object for tables whose M does not read Snowflake, e.g. {"Targets": "DB.SCHEMA.TARGETS"}.'),
        includeApproximate: z
          .boolean()
          .default(false)
          .describe('Also publish metrics whose SQL differs from the DAX in a documented case (default: exact metrics only).'),
      })
      .strict()
      .default({ enabled: false, tables: {}, includeApproximate: false }),
    monitor: z
      .object({
        intervalSeconds: seconds(300).describe('Seconds between detection cycles.'),
        concurrency: z.coerce.number().int().min(1).max(32).default(4).describe('Models processed at once.'),
        recheckBudget: z.coerce
          .number()
          .int()
          .min(0)
          .default(20)
          .describe('Definitions re-fetched per cycle to detect changes of known models (oldest check first).'),
        minRecheckAgeSeconds: z.coerce.number().int().min(0).default(0).describe('A known model is re-checked at most this often.'),
        include: z.array(nonEmpty).default([]).describe('Only models whose name matches one of these patterns (* and ?).'),
        exclude: z.array(nonEmpty).default([]).describe('Skip models whose name matches one of these patterns.'),
        detection: z
          .enum(['listing', 'scanner'])
          .default('listing')
          .describe('listing: workspace listings + budgeted re-checks; scanner: admin scanner APIs (tenant admins).'),
        prune: z.boolean().default(false).describe('Delete the push twin of a model deleted in Fabric.'),
        skipSystemModels: z
          .boolean()
          .default(true)
          .describe('Skip the models Power BI creates itself (Usage Metrics Report, Report/Dashboard Usage Metrics Model).'),
        fullListingHours: z.coerce
          .number()
          .min(0)
          .default(24)
          .describe('Scanner detection: list every watched workspace at least this often (hours; 0 = only when the watermark is lost).'),
      })
      .strict()
      .default({
        intervalSeconds: 300,
        concurrency: 4,
        recheckBudget: 20,
        minRecheckAgeSeconds: 0,
        include: [],
        exclude: [],
        detection: 'listing',
        prune: false,
        skipSystemModels: true,
        fullListingHours: 24,
      }),
    state: z
      .object({ path: nonEmpty.default('sync_state.json').describe('The sync state file.') })
      .strict()
      .default({ path: 'sync_state.json' }),
  })
  .strict();

/** The raw (input) shape: what a config file may contain. */
export type RawConfig = z.input<typeof configSchema>;
/** The validated configuration every command works from. */
export type Config = z.output<typeof configSchema>;

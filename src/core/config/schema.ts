// The whole configuration of fabric-sync as one zod schema (docs/architecture.md#configuration). The config file, `.env`,
// the environment and command-line flags are all merged into this shape before validation, so there
// is exactly one definition of what a setting means, its default and its constraints. The JSON
// Schema for editors (`fabric-sync.schema.json`) and the README's configuration reference are
// generated from it.
import { z } from 'zod';
import { Secret } from './secret.js';

const secret = z
  .string()
  .min(1, 'must not be empty')
  .transform((s) => new Secret(s))
  .describe('secret (redacted in every output)');

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const guidish = nonEmpty.regex(/^[A-Za-z0-9._-]+$/, 'must be an id (letters, digits, "-", "_" or ".")');
const seconds = (d: number) => z.coerce.number().int('must be a whole number').positive('must be positive').default(d);

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
      .default(true)
      .describe('When getDefinition is denied, read the schema through executeQueries and INFO.VIEW functions.'),
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
    role: nonEmpty.optional().describe('Role to use.'),
    warehouse: nonEmpty.optional().describe('Virtual warehouse that runs the statements.'),
    database: nonEmpty.optional().describe('Database that holds the metadata tables.'),
    schema: nonEmpty.optional().describe('Schema that holds the metadata tables.'),
  })
  .strict();

export const configSchema = z
  .object({
    fabric: fabricSchema.default(fabricSchema.parse({})),
    snowflake: snowflakeSchema.default({}),
    warehouse: z
      .object({
        target: z
          .enum(['auto', 'snowflake', 'duckdb', 'none'])
          .default('auto')
          .describe('auto: Snowflake when snowflake.account is set, otherwise the embedded DuckDB file.'),
        duckdbPath: nonEmpty.default('.fabric-sync/metadata.duckdb').describe('The embedded DuckDB file.'),
        createTables: z.boolean().default(false).describe('Also create one physical table per model table (additive only).'),
        tablesSchema: nonEmpty.default('FABRIC_MODELS').describe('Schema for the physical tables of createTables.'),
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
        strict: z.boolean().default(false).describe('Fail a model when the conversion drops or changes anything.'),
        outDir: nonEmpty.default('./push-definitions').describe('Where {Model}_push_api.json files are written.'),
        retention: z.enum(['None', 'basicFIFO']).default('None').describe('defaultRetentionPolicy of new push datasets.'),
      })
      .strict()
      .default({ enabled: true, suffix: '_PushSync', onIncompatible: 'recreate', strict: false, outDir: './push-definitions', retention: 'None' }),
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
      })
      .strict()
      .default({ intervalSeconds: 300, concurrency: 4, recheckBudget: 20, minRecheckAgeSeconds: 0, include: [], exclude: [], detection: 'listing', prune: false }),
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

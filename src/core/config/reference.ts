// Generated documentation of the configuration: the JSON Schema for config files and the README's
// configuration reference both come from the zod schema and the env table, so they cannot drift.
import { z } from 'zod';
import { ENV_VARS } from './env.js';
import { configSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/fabric-sync/fabric-sync/fabric-sync.schema.json',
    title: 'fabric-sync configuration',
    description: 'Config file for fabric-sync (fabric-sync.config.json / .yaml, .fabric-syncrc, or the "fabric-sync" key of package.json).',
  };
}

interface Row {
  key: string;
  type: string;
  def: string;
  description: string;
}

/** Markdown tables: every config key (with default and env var) and every environment variable. */
export function configReferenceMarkdown(): string {
  const schema = configJsonSchema() as { properties: Record<string, { properties: Record<string, Record<string, unknown>> }> };
  const envByPath = new Map(ENV_VARS.map((v) => [v.path.join('.'), v.name]));
  const rows: Row[] = [];
  for (const [section, sub] of Object.entries(schema.properties)) {
    for (const [key, prop] of Object.entries(sub.properties ?? {})) {
      rows.push({
        key: `${section}.${key}`,
        type: typeOf(prop),
        def: prop.default === undefined ? '' : `\`${JSON.stringify(prop.default)}\``,
        description: String(prop.description ?? ''),
      });
    }
  }
  const keyTable = [
    '| key | type | default | env | description |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| \`${r.key}\` | ${r.type} | ${r.def} | ${envByPath.has(r.key) ? `\`${envByPath.get(r.key)}\`` : ''} | ${r.description.replace(/\|/g, '\\|')} |`),
  ].join('\n');
  const envTable = [
    '| variable | config key | description |',
    '|---|---|---|',
    ...ENV_VARS.map((v) => `| \`${v.name}\` | \`${v.path.join('.')}\` | ${v.secret ? '**secret** — ' : ''}${v.description.replace(/\|/g, '\\|')} |`),
  ].join('\n');
  return `${keyTable}\n\n${envTable}\n`;
}

function typeOf(prop: Record<string, unknown>): string {
  if (Array.isArray(prop.enum)) return prop.enum.map((e) => `\`${String(e)}\``).join(' \\| ');
  if (prop.type === 'array') return 'list';
  return String(prop.type ?? 'any');
}

/** The `.env.example` file: every variable with its comment. */
export function envExample(): string {
  const lines = ['# fabric-sync environment variables (copy to .env). Real environment variables override .env.', ''];
  for (const v of ENV_VARS) {
    lines.push(`# ${v.description}${v.secret ? ' (secret: never printed)' : ''}`);
    lines.push(`# ${v.name}=`);
    lines.push('');
  }
  return lines.join('\n');
}

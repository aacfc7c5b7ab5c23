// What a command receives from src/main.ts: the UI, the global options, a config loader bound to
// them, the input stream, and an abort signal fired by SIGINT/SIGTERM.
import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../core/config/load.js';
import type { HostPauses } from '../core/http/index.js';
import type { Ui } from './output.js';

export interface GlobalOptions {
  config?: string;
  dotenv?: string;
  envFile?: string;
  json: boolean;
  verbose: boolean;
  quiet: boolean;
  color: boolean;
}

export interface CommandContext {
  ui: Ui;
  globals: GlobalOptions;
  version: string;
  signal: AbortSignal;
  /** Retry-After pauses per host for this command line: every Fabric client it makes shares them. */
  pauses: HostPauses;
  /** Where a question's answer is read from (`state reset` without --yes). */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Loads the configuration (file → .env → env → these flag overrides) or throws ConfigError. */
  config(overrides?: Record<string, Record<string, unknown>>): Promise<LoadedConfig>;
}

/** A command action: returns the exit code. */
export type Action = (ctx: CommandContext, ...args: unknown[]) => Promise<number>;

/** Wraps an Action into a commander action handler; provided by src/main.ts. */
export type Bind = (action: Action) => (...args: unknown[]) => Promise<void>;

export function makeConfigLoader(globals: GlobalOptions, env: Readonly<Record<string, string | undefined>>) {
  return (overrides?: Record<string, Record<string, unknown>>) =>
    loadConfig({ configPath: globals.config, envFile: globals.dotenv ?? globals.envFile, overrides, env });
}

/** Drop undefined values so flags that were not given do not override config. */
export function defined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

export type { Command };

// What tests and benchmarks share to drive the built CLI against the local stand-ins: the
// environment a user would set (and nothing else), and a seedable random source for kill points.
import type { FabricEmulator } from './fabric-emulator/index.js';
import type { SnowflakeStandIn } from './snowflake-standin/index.js';

export interface StandInEnvOptions {
  emu: FabricEmulator;
  token: string;
  workspaces: string[];
  /** The Snowflake stand-in and its login; without one, `target` decides the warehouse. */
  snowflake?: { standIn: SnowflakeStandIn; user: string; password: string };
  target?: 'duckdb' | 'none';
  extra?: Record<string, string>;
}

/** Environment that points the built CLI at the emulator and, when given, the Snowflake stand-in. */
export function standInEnv(o: StandInEnvOptions): Record<string, string> {
  const s = o.snowflake;
  return {
    FABRIC_ACCESS_TOKEN: o.token,
    FABRIC_API_URL: o.emu.url,
    POWERBI_API_URL: o.emu.url,
    FABRIC_WORKSPACE_ID: o.workspaces.join(','),
    SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
    ...(s
      ? {
          SNOWFLAKE_ACCOUNT: s.standIn.account,
          SNOWFLAKE_ACCESS_URL: s.standIn.url,
          SNOWFLAKE_USER: s.user,
          SNOWFLAKE_PASSWORD: s.password,
          SNOWFLAKE_DATABASE: 'FABRIC_DB',
          SNOWFLAKE_SCHEMA: 'METADATA',
          SNOWFLAKE_WAREHOUSE: 'WH',
        }
      : { FABRIC_SYNC_TARGET: o.target ?? 'duckdb' }),
    ...o.extra,
  };
}

/** mulberry32: small and seedable, so every random choice of a run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

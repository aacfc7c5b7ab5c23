// The benchmark table and bench/results.json (issue 8 "Must show"): each figure next to its target
// with PASS/MISS, plus the machine, Node version, git commit and date, so a result can be compared.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { targetText, type BenchOptions, type Figure } from './common.js';

export interface Results {
  command: string;
  date: string;
  durationSeconds: number;
  quick: boolean;
  latency: { fabricMs: number; snowflakeMs: number };
  machine: { cpus: number; cpuModel: string; memoryGiB: number; platform: string; node: string };
  git: { commit: string | null; dirty: boolean | null };
  figures: Figure[];
  passed: number;
  missed: number;
  details: Record<string, unknown>;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function buildResults(figures: Figure[], details: Record<string, unknown>, o: BenchOptions, repo: string, started: number, command: string): Results {
  const status = git(['status', '--porcelain', '--', 'src', 'bench', 'tests/support'], repo);
  return {
    command,
    date: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    quick: o.quick,
    latency: { fabricMs: o.fabricLatencyMs, snowflakeMs: o.snowflakeLatencyMs },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
    },
    git: { commit: git(['rev-parse', 'HEAD'], repo), dirty: status === null ? null : status.length > 0 },
    figures,
    passed: figures.filter((f) => f.pass === true).length,
    missed: figures.filter((f) => f.pass === false).length,
    details,
  };
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Markdown table: readable in a terminal and pasteable into the README and the issue. */
export function renderTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.bench,
    f.name,
    `${fmt(f.value)} ${f.unit}`.trim(),
    f.target ? targetText(f.target) : '—',
    f.pass === undefined ? 'info' : f.pass ? 'PASS' : 'MISS',
    f.note ?? '',
  ]);
  const head = ['bench', 'figure', 'value', 'target', 'result', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function writeResults(file: string, results: Results): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

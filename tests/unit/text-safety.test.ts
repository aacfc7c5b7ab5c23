// The pure pieces behind issue 13 items 7, 8, 9 and 15: the secret scrubber, the display escaping of
// names, the endpoint URL rule, and the planner's handling of names that differ only in case.
import { describe, expect, it } from 'vitest';
import { escapeControl, neutralizeCommands, safeJsonStringify } from '../../src/commands/safe-text.js';
import { endpointProblems, isLoopbackHost } from '../../src/core/config/urls.js';
import { createRedactor, redact, redactDeep } from '../../src/core/redact.js';
import { planPushDataset } from '../../src/core/publishers/push/plan.js';
import { readBim } from '../../src/core/schema/bim.js';
import { rejectInvalidText } from '../../src/core/schema/text-check.js';

describe('redact', () => {
  it.each([
    ['configured secret anywhere', 'login failed for s3cr3t-Value!', ['s3cr3t-Value!'], 'login failed for ***'],
    ['a longer secret containing a shorter one goes whole', 'x abcdefgh y', ['abcd', 'abcdefgh'], 'x *** y'],
    ['Bearer token', 'Authorization: Bearer abc.def-ghi', [], 'Authorization: Bearer [redacted]'],
    ['JWT without a prefix', 'token eyJhbGciOi.eyJzdWIi.c2ln here', [], 'token [redacted-jwt] here'],
    ['query and form pairs', 'https://x/y?sig=abc123&client_secret=s&pwd=p', [], 'https://x/y?sig=[redacted]&client_secret=[redacted]&pwd=[redacted]'],
    ['JSON members', '{"access_token": "tok\\"en", "refresh_token":"r"}', [], '{"access_token": "[redacted]", "refresh_token":"[redacted]"}'],
    ['URL user-info', 'GET https://user:pw@host/x failed', [], 'GET https://host/x failed'],
    ['a continuation token is not a token', 'continuationToken=abc', [], 'continuationToken=abc'],
    ['secrets shorter than 4 characters are left (they would garble text)', 'abc', ['abc'], 'abc'],
  ])('%s', (_label, input, secrets, expected) => {
    expect(redact(input, secrets)).toBe(expected);
  });

  it('redactDeep scrubs every string of a document, through toJSON', () => {
    const r = createRedactor(['hunter22']);
    const e = { toJSON: () => ({ message: 'pw hunter22', list: ['Bearer x.y', 3, null] }) };
    expect(redactDeep({ a: e, at: new Date(0) }, r)).toEqual({ a: { message: 'pw ***', list: ['Bearer [redacted]', 3, null] }, at: '1970-01-01T00:00:00.000Z' });
  });
});

describe('display escaping', () => {
  it('escapes control characters, C1, bidi overrides and lone surrogates; leaves the rest', () => {
    expect(escapeControl('a\nb\r\tc\u001b[2J\u0007\u009b\u202e\ud800 Ünï 📊')).toBe('a\\nb\\r\\tc\\x1b[2J\\x07\\x9b\\u202e\\ud800 Ünï 📊');
  });
  it('breaks Azure DevOps commands anywhere and GitHub commands at the line start', () => {
    expect(neutralizeCommands('x ##vso[task.setvariable]y ##[error]z')).toBe('x #\\x23vso[task.setvariable]y #\\x23[error]z');
    expect(neutralizeCommands('  ::warning::x')).toBe('  \\x3a:warning::x');
    expect(neutralizeCommands('a ::warning:: in the middle')).toBe('a ::warning:: in the middle');
  });
  it('JSON: the same values after parse, without raw C1, bidi or command prefixes', () => {
    const value = { name: 'x\n##vso[task.complete]\u009b\u202e\u2028##[error]', n: 1 };
    const text = safeJsonStringify(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/##vso\[|##\[|[\u0080-\u009f\u2028\u202e]/);
  });
});

describe('endpoint URLs', () => {
  it.each([
    ['localhost', true], ['127.0.0.1', true], ['127.8.9.10', true], ['[::1]', true], ['[::ffff:7f00:1]', true],
    ['0.0.0.0', false], ['10.0.0.1', false], ['192.0.2.2', false], ['localhost.example.com', false], ['[::ffff:a00:1]', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
  it('refuses http to other hosts and any user-info, never quoting the URL', () => {
    expect(endpointProblems('https://api.fabric.microsoft.com')).toEqual([]);
    expect(endpointProblems('http://127.0.0.1:8400')).toEqual([]);
    const problems = endpointProblems('http://u:Secret99@fabric.internal/x');
    expect(problems).toHaveLength(2);
    expect(problems.join(' ')).not.toMatch(/Secret99|fabric\.internal/);
  });
});

describe('names that differ only in case, and invalid text', () => {
  const table = (name: string, extra: Record<string, unknown> = {}) => ({ name, columns: [{ name: 'Id', dataType: 'int64', sourceColumn: 'Id' }], partitions: [{ name: `${name}p`, source: { type: 'm', expression: 'x' } }], ...extra });
  it('tables become unique in model order, deterministically; relationships never join a table to itself', () => {
    const bim = {
      model: {
        tables: [table('Sales', { measures: [{ name: 'Total', expression: 'COUNTROWS(Sales)' }, { name: 'TOTAL', expression: '1' }] }), table('SALES'), table('sales')],
        relationships: [
          { name: 'r1', fromTable: 'SALES', fromColumn: 'Id', toTable: 'Sales', toColumn: 'Id' },
          { name: 'r2', fromTable: 'sales', fromColumn: 'Id', toTable: 'sales', toColumn: 'Id' },
        ],
      },
    };
    const model = readBim(JSON.stringify(bim), { location: 'x.bim', modelName: 'M' }).model;
    const a = planPushDataset(model);
    expect(planPushDataset(model).request).toEqual(a.request);
    expect(a.request.tables.map((t) => t.name)).toEqual(['Sales', 'SALES_2', 'sales_3']);
    expect(a.request.relationships).toEqual([expect.objectContaining({ fromTable: 'SALES_2', toTable: 'Sales' })]);
    expect(a.request.tables[0]!.measures!.map((m) => m.name)).toEqual(['Total']);
    const reasons = a.report.entries.filter((e) => e.action !== 'kept' && !e.informational).map((e) => `${e.kind} ${e.name} ${e.reason}`);
    expect(reasons.sort()).toEqual(['measure TOTAL duplicateName', 'relationship r1 tableRenamed', 'relationship r2 selfRelationship', 'table SALES duplicateName', 'table sales duplicateName']);
  });
  it('an object with a NUL or an unpaired surrogate is left out with a warning; an invalid model name is an InputError', () => {
    const bim = { model: { tables: [table('Good'), table('Bad\u0000'), table('Ok', { columns: [{ name: 'A\ud800', dataType: 'string' }, { name: 'Id', dataType: 'int64' }] })] } };
    const loaded = rejectInvalidText(readBim(JSON.stringify(bim), { location: 'x.bim', modelName: 'M' }));
    expect(loaded.model.tables.map((t) => t.name)).toEqual(['Good', 'Ok']);
    expect(loaded.model.tables[1]!.columns.map((c) => c.name)).toEqual(['Id']);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^table "Bad\\u0000" was left out/), expect.stringMatching(/^column of 'Ok' "A\\ud800" was left out/)]);
    expect(() => rejectInvalidText(readBim(JSON.stringify(bim), { location: 'x.bim', modelName: 'M\udc00' }))).toThrow(/is not valid Unicode/);
  });
});

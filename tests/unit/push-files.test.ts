// File and name rules around push outputs: `{Model}_push_api.json` safe on every OS, our own
// `_PushSync` outputs recognised, table names sanitised, and the racing-publisher winner rule.
import { describe, expect, test } from 'vitest';
import { isOwnPushOutput, pushDefinitionFileName } from '../../src/core/publishers/push/files.js';
import { PUSH_TABLE_NAME_PATTERN, sanitizePushName, uniquePushNames } from '../../src/core/publishers/push/names.js';
import { pickWinner } from '../../src/core/publishers/push/publish.js';

const HASH = /-[0-9a-f]{8}_push_api\.json$/;

describe('pushDefinitionFileName', () => {
  test.each([
    ['Sales Analytics', 'Sales Analytics_push_api.json'],
    ['Δ Umsatz 吃', 'Δ Umsatz 吃_push_api.json'],
    ['FUAM_Core_SM', 'FUAM_Core_SM_push_api.json'],
  ])('%s → %s (unchanged names keep their exact form)', (name, file) => {
    expect(pushDefinitionFileName(name)).toBe(file);
  });

  test.each([
    ['a<b>c:d"e/f\\g|h?i*j', /^a_b_c_d_e_f_g_h_i_j-[0-9a-f]{8}_push_api\.json$/],
    ['tab\there\u0001', /^tab_here_-[0-9a-f]{8}_push_api\.json$/],
    ['CON', /^_CON-[0-9a-f]{8}_push_api\.json$/],
    ['nul.model', /^_nul\.model-[0-9a-f]{8}_push_api\.json$/],
    ['Trailing. ', /^Trailing__-[0-9a-f]{8}_push_api\.json$/],
    ['.hidden', /^_hidden-[0-9a-f]{8}_push_api\.json$/],
    ['', /^_-[0-9a-f]{8}_push_api\.json$/],
  ])('%j is made safe', (name, pattern) => {
    expect(pushDefinitionFileName(name)).toMatch(pattern);
  });

  test('names that sanitise alike never share a file; long names fit in 255 bytes', () => {
    expect(pushDefinitionFileName('A/B')).not.toBe(pushDefinitionFileName('A:B'));
    const long = pushDefinitionFileName('é'.repeat(300));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    expect(long).toMatch(HASH);
  });
});

test.each([
  ['Sales_PushSync', '_PushSync', true],
  ['sales_pushsync', '_PushSync', true],
  ['Sales', '_PushSync', false],
  ['Sales_Copy', '_Copy', true],
  ['Sales_PushSync', '', false],
])('isOwnPushOutput(%s, %s) = %s', (name, suffix, own) => {
  expect(isOwnPushOutput(name, suffix)).toBe(own);
});

describe('table names', () => {
  test.each([
    ['Sales.Fact', 'Sales_Fact'],
    ["Customer's (EU) [2024]", 'Customer_s _EU_ _2024_'],
    ['a!"$%&\'()*+,./:;<=>?[\\]`{|}b', `a${'_'.repeat(26)}b`],
    ['# - @ ^ _ ~ ok', '# - @ ^ _ ~ ok'],
    ['Umsätze 😀', 'Umsätze 😀'],
  ])('%s → %s', (from, to) => {
    expect(sanitizePushName(from)).toBe(to);
    expect(to).toMatch(PUSH_TABLE_NAME_PATTERN);
  });

  test('long names are cut to 100 units without splitting a surrogate pair, and stay unique', () => {
    const long = `${'x'.repeat(99)}😀tail`;
    expect(sanitizePushName(long)).toBe('x'.repeat(99));
    const map = uniquePushNames(['T'.repeat(120), `${'T'.repeat(100)}.`, 'a.b', 'a_b', 'A_B ']);
    expect([...map.values()]).toEqual(['T'.repeat(100), `${'T'.repeat(98)}_2`, 'a_b_2', 'a_b', 'A_B ']);
    for (const v of map.values()) expect(v).toMatch(PUSH_TABLE_NAME_PATTERN);
  });
});

test('pickWinner: earliest createdDate, ties and missing dates by lowest id', () => {
  expect(pickWinner([{ id: 'b', createdDate: '2026-01-01T00:00:01Z' }, { id: 'a', createdDate: '2026-01-01T00:00:02Z' }])?.id).toBe('b');
  expect(pickWinner([{ id: 'b', createdDate: '2026-01-01T00:00:01Z' }, { id: 'a', createdDate: '2026-01-01T00:00:01Z' }])?.id).toBe('a');
  expect(pickWinner([{ id: 'c' }, { id: 'b', createdDate: '2026-01-01T00:00:05Z' }])?.id).toBe('b');
  expect(pickWinner([])).toBeUndefined();
});

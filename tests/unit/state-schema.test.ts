// Parsing and migrating the state file text, and the redaction of stored error messages (pure parts
// of src/core/state; the file behaviour is in tests/integration/state-store.test.ts).
import { describe, expect, it } from 'vitest';
import { STATE_VERSION, emptyModel, emptyState, parseStateText } from '../../src/core/state/schema.js';
import { sanitiseError } from '../../src/core/state/store.js';

describe('parseStateText', () => {
  it('round-trips the current layout', () => {
    const state = emptyState();
    state.synced_models.x = { ...emptyModel('X'), sync_count: 3, fingerprint: 'fp', failures: 1, last_error: 'e', next_retry_at: '2026-01-01T00:00:00.000Z' };
    state.scanner.watermark = '2026-01-01T00:00:00.000Z';
    const parsed = parseStateText(JSON.stringify(state));
    expect(parsed).toEqual({ ok: true, state });
  });

  it.each([
    ['no version (original tool)', { synced_models: { a: { name: 'A', last_sync_time: '2024-01-02T03:04:05Z', sync_count: 2 } }, last_check: '2024-01-02T03:04:05Z' }],
    ['explicit version 1', { version: 1, synced_models: { a: { name: 'A', last_sync_time: '2024-01-02T03:04:05Z', sync_count: 2 } }, last_check: null }],
  ])('migrates %s', (_label, raw) => {
    const parsed = parseStateText(JSON.stringify(raw));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.migratedFrom).toBe(1);
    expect(parsed.state.version).toBe(STATE_VERSION);
    expect(parsed.state.synced_models.a).toMatchObject({ name: 'A', source_name: 'A', sync_count: 2, last_sync_time: '2024-01-02T03:04:05.000Z', fingerprint: null, failures: 0, deleted_at: null });
  });

  it('migrates an original file with only names, and one with no models at all', () => {
    const a = parseStateText('{"synced_models":{"id1":{"name":"Only Name"}}}');
    expect(a.ok && a.state.synced_models.id1).toMatchObject({ name: 'Only Name', sync_count: 0, last_sync_time: null });
    const b = parseStateText('{"last_check":"garbage"}');
    expect(b.ok && b.state).toEqual(emptyState());
  });

  it('fills fields added later with defaults (a version-2 file written by an earlier build)', () => {
    const parsed = parseStateText(JSON.stringify({ version: 2, synced_models: { a: { name: 'A', last_sync_time: null, sync_count: 0 } } }));
    expect(parsed.ok && parsed.state).toEqual({ ...emptyState(), synced_models: { a: expect.objectContaining({ failures: 0, fingerprint: null, deleted_at: null }) } });
  });

  it.each([
    ['', /not valid JSON/],
    ['null', /not a JSON object/],
    ['{"version":2,"synced_models":{"a":{"name":"A","last_sync_time":null,"sync_count":1.5}}}', /synced_models\.a\.sync_count/],
    ['{"version":"2","synced_models":{}}', /version/],
    ['{"synced_models":{"a":{"sync_count":1}}}', /synced_models\.a\.name/],
  ])('rejects %j with a reason', (text, reason) => {
    const parsed = parseStateText(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('flags a newer version instead of calling it corrupt', () => {
    expect(parseStateText('{"version":3,"synced_models":{}}')).toMatchObject({ ok: false, newerVersion: 3 });
  });
});

describe('sanitiseError', () => {
  it.each([
    ['Authorization: Bearer abc.def-ghi', 'Authorization: Bearer [redacted]'],
    ['token eyJhbGciOi.eyJzdWIi.c2ln here', 'token [redacted-jwt] here'],
    ['https://x/y?sig=abc123&se=2026', 'https://x/y?sig=[redacted]&se=2026'],
    ['client_secret=s3cr3t password=hunter2', 'client_secret=[redacted] password=[redacted]'],
    ['plain message', 'plain message'],
  ])('%s', (input, expected) => {
    expect(sanitiseError(input)).toBe(expected);
  });
  it('bounds the length to 500 characters', () => {
    const out = sanitiseError('x'.repeat(10_000));
    expect(out).toHaveLength(500);
    expect(out.endsWith('…')).toBe(true);
  });
});

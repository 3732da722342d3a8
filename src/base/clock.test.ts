import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { fileClock, readClockText } from './clock.js';

const real = new Date('2026-11-29T06:00:00.000Z');

describe('the test clock', () => {
  it('reads an ISO time, an offset, or nothing (the real time)', () => {
    expect(readClockText('2027-01-02T03:04:05Z', real).toISOString()).toBe(
      '2027-01-02T03:04:05.000Z',
    );
    expect(readClockText('+8d\n', real).toISOString()).toBe('2026-12-07T06:00:00.000Z');
    expect(readClockText('-90m', real).toISOString()).toBe('2026-11-29T04:30:00.000Z');
    expect(readClockText('+30s', real).toISOString()).toBe('2026-11-29T06:00:30.000Z');
    expect(readClockText('  ', real)).toBe(real);
  });

  it('refuses anything else rather than running on the real time', () => {
    for (const bad of ['tomorrow', '8d', '+8w', '2027-13-45T00:00:00Z', '1700000000']) {
      expect(() => readClockText(bad, real), bad).toThrow(/neither an ISO 8601 time/);
    }
  });

  it('follows the file as it changes; an absent file is the real time', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wardroom-clock-'));
    const file = path.join(dir, 'clock');
    const clock = fileClock(file);
    const before = Date.now();
    expect(clock().getTime()).toBeGreaterThanOrEqual(before);
    await writeFile(file, '2030-05-06T07:08:09Z');
    expect(clock().toISOString()).toBe('2030-05-06T07:08:09.000Z');
    await writeFile(file, '+2d');
    expect(clock().getTime()).toBeGreaterThanOrEqual(before + 2 * 86_400_000);
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused in production, with a clear configuration error', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', WARDROOM_TEST_CLOCK_FILE: '/tmp/clock' }),
    ).toThrow(/WARDROOM_TEST_CLOCK_FILE: a test clock is refused when NODE_ENV=production/);
    expect(
      loadConfig({ NODE_ENV: 'test', WARDROOM_TEST_CLOCK_FILE: '/tmp/clock' }).testClockFile,
    ).toBe('/tmp/clock');
    expect(loadConfig({}).deletionCoolingOffDays).toBe(7);
  });
});

/**
 * A person's audit key is forgotten by every process once it is erased:
 * a second process (its own PersonKeys, listening on the database like a
 * server does) holding the key in its cache drops it when the erasing
 * transaction commits, heard through NOTIFY alone. And the cache is
 * bounded: past `maxKeys`, the least recently used key goes first.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userPrincipal } from '../../src/db/principal.js';
import { erasePersonKeys, recordEvent } from '../../src/modules/audit/index.js';
import { PersonKeys, subscribePersonKeyEvents } from '../../src/modules/audit/person-keys.js';
import { localKek } from '../../src/modules/crypto/index.js';
import { memberToken, newWorkspace, startTestApp, type TestApp } from '../support/app.js';

const masterKey = randomBytes(32);
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ masterKey });
});
afterAll(async () => {
  await t.close();
});

/** A member who acted once, so their key exists. */
async function personWithKey(): Promise<{ ws: string; person: string; userId: string }> {
  const ws = await newWorkspace(t);
  const { userId } = await memberToken(t, ws, 'member');
  const origin = { correlationId: randomBytes(8).toString('hex'), ip: '192.0.2.1' };
  await t.db.withTenant(userPrincipal(ws.id, userId, origin), (tx) =>
    recordEvent(tx, { action: 'test.acted' }),
  );
  return { ws: ws.id, person: `user:${userId}`, userId };
}

describe('person keys across processes', () => {
  it('are forgotten by another process through NOTIFY when erased', async () => {
    const { ws, person, userId } = await personWithKey();
    // Another process: its own cache, not reachable from this one except through the database.
    const elsewhere = new PersonKeys(localKek(masterKey));
    const stop = await subscribePersonKeyEvents(t.db, elsewhere);
    try {
      const read = await t.db.withTenant(userPrincipal(ws, userId), (tx) =>
        elsewhere.read(tx, [person]),
      );
      expect(read.map(([p]) => p)).toEqual([person]);
      expect(elsewhere.cached(person)).toBeDefined();
      await t.db.withSystem('test: erase', (tx) => erasePersonKeys(tx, userId));
      await expect.poll(() => elsewhere.cached(person)).toBeUndefined();
      const again = await t.db.withTenant(userPrincipal(ws, userId), (tx) =>
        elsewhere.read(tx, [person]),
      );
      expect(again).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('keep at most maxKeys unwrapped, dropping the least recently used', async () => {
    const people = [await personWithKey(), await personWithKey(), await personWithKey()];
    const keys = new PersonKeys(localKek(masterKey), { maxKeys: 2 });
    const [a, b, c] = people.map((p) => p.person) as [string, string, string];
    const read = (person: string) =>
      t.db.withTenant(userPrincipal(people[0]!.ws, people[0]!.userId), (tx) =>
        keys.read(tx, [person]),
      );
    await read(a);
    await read(b);
    expect(keys.cached(a)).toBeDefined(); // a is now the most recently used
    await read(c);
    expect(keys.cached(b)).toBeUndefined();
    expect(keys.cached(a)).toBeDefined();
    expect(keys.cached(c)).toBeDefined();
  });
});

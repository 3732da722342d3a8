/**
 * `npm run bench:app-costs`: what the pieces of a request that the same-SQL
 * reference does not do cost in this process, in µs per request, with
 * nothing of the server in the way (no sockets, no database): opening a
 * page of 50 sealed messages (the envelope, and raw libsodium on the same
 * bytes), serializing that page (zod's encode, the compiled serializer,
 * plain JSON.stringify), and building and compiling a query with Kysely.
 * Medians of alternating rounds; a shared machine drifts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import sodium from 'sodium-native';
import { z } from 'zod';
import { serializerCompiler as zodSerializer } from 'fastify-type-provider-zod';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector } from 'kysely';
import { PostgresQueryCompiler } from 'kysely';
import { openEnvelope, sealEnvelope } from '../src/modules/crypto/index.js';
import { compileJsonSerializer } from '../src/http/serializer.js';
import type { DB } from '../src/db/schema.js';
import { median } from './stats.js';

const ITEMS = 50;
const key = randomBytes(32);
const tenantId = randomUUID();
const conversationId = randomUUID();
const content = Buffer.from('x'.repeat(200));
const rows = Array.from({ length: ITEMS }, () => {
  const id = randomUUID();
  const place = {
    tenantId,
    table: 'messages',
    column: 'content',
    rowId: id,
    bound: [conversationId, 'user', null],
  };
  const envelope = sealEnvelope(key, { keyId: randomUUID(), keyVersion: 1 }, place, content);
  // The same plaintext sealed by raw libsodium, with a 46-byte AD like the envelope's header.
  const ad = randomBytes(46);
  const nonce = randomBytes(24);
  const raw = Buffer.alloc(content.length + 16);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(raw, content, ad, null, nonce, key);
  return { id, place, envelope, raw: { ad, nonce, ciphertext: raw } };
});

const message = z.object({
  id: z.string(),
  conversation_id: z.string(),
  author_type: z.enum(['user', 'agent', 'system']),
  author_id: z.string().nullable(),
  content: z.string(),
  created_at: z.string(),
});
const pageSchema = z.object({ items: z.array(message), next_cursor: z.string().nullable() });
const page = {
  items: rows.map((r) => ({
    id: r.id,
    conversation_id: conversationId,
    author_type: 'user' as const,
    author_id: null,
    content: content.toString('utf8'),
    created_at: new Date().toISOString(),
  })),
  next_cursor: null,
};
const viaZod = zodSerializer({ schema: pageSchema, method: 'GET', url: '/', httpStatus: '200' });
const compiled = compileJsonSerializer(pageSchema)!;
const kysely = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const work: Record<string, () => unknown> = {
  'open 50 envelopes (ours)': () => rows.map((r) => openEnvelope(key, r.envelope, r.place)),
  'open 50 (raw libsodium, same sizes, no AD built)': () =>
    rows.map(({ raw }) => {
      const out = Buffer.allocUnsafe(raw.ciphertext.length - 16);
      sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        out,
        null,
        raw.ciphertext,
        raw.ad,
        raw.nonce,
        key,
      );
      return out;
    }),
  'serialize the page: zod encode + JSON.stringify': () => viaZod(page),
  'serialize the page: compiled (fast-json-stringify)': () => compiled(page),
  'serialize the page: plain JSON.stringify': () => JSON.stringify(page),
  'build + compile the token lookup (Kysely)': () =>
    kysely
      .selectFrom('api_tokens as t')
      .innerJoin('memberships as m', (j) =>
        j.onRef('m.tenant_id', '=', 't.tenant_id').onRef('m.user_id', '=', 't.user_id'),
      )
      .innerJoin('workspaces as w', 'w.tenant_id', 't.tenant_id')
      .select(['t.secret_hash', 't.revoked_at', 'm.user_id', 'm.role', 'w.shredded_at'])
      .where('t.id', '=', randomUUID())
      .compile(),
};

function microseconds(fn: () => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) fn();
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

const results = new Map<string, number[]>();
for (let round = 0; round < 15; round += 1) {
  for (const [name, fn] of Object.entries(work)) {
    if (round === 0) microseconds(fn, 2000); // warm-up
    const list = results.get(name) ?? [];
    list.push(microseconds(fn, 500));
    results.set(name, list);
  }
}
for (const [name, list] of results) {
  console.log(`${median(list).toFixed(1).padStart(8)} µs  ${name}`);
}

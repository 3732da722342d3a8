/**
 * The files of a personal export (any member: what they wrote and what the
 * workspace records about them, readable), in the zip's order; the manifest
 * last, with the counts.
 */
import { principalOf } from '../../../db/tenant-tx.js';
import {
  myAuditRows,
  myConversationRows,
  myMessageRows,
  myPrivacyRequestRows,
  myTokenRows,
  profileRow,
  type PersonalSource,
} from './personal-rows.js';
import type { EntryCounts, ZipEntry } from './zip.js';

export const PERSONAL_FILES = {
  profile: 'profile.json',
  messages: 'messages.jsonl',
  conversations: 'conversations.jsonl',
  tokens: 'api_tokens.jsonl',
  audit: 'audit.jsonl',
  requests: 'privacy_requests.jsonl',
  manifest: 'manifest.json',
} as const;

export function personalEntries(src: PersonalSource, id: string, counts: EntryCounts): ZipEntry[] {
  const f = PERSONAL_FILES;
  return [
    { name: f.profile, kind: 'json', value: () => profileRow(src) },
    { name: f.messages, kind: 'jsonl', rows: () => myMessageRows(src) },
    { name: f.conversations, kind: 'jsonl', rows: () => myConversationRows(src) },
    { name: f.tokens, kind: 'jsonl', rows: () => myTokenRows(src) },
    { name: f.audit, kind: 'jsonl', rows: () => myAuditRows(src) },
    { name: f.requests, kind: 'jsonl', rows: () => myPrivacyRequestRows(src) },
    {
      name: f.manifest,
      kind: 'json',
      value: () =>
        Promise.resolve({
          export_id: id,
          workspace_id: principalOf(src.tx).tenantId,
          scope: 'personal',
          user_id: src.userId,
          form: 'readable',
          counts: { ...counts },
        }),
    },
  ];
}

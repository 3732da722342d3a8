/** The public per-recipient opt-out: ask for a code, then confirm with it. No session needed. */
import { api } from './client';

export function startOptOut(email: string): Promise<{ status: 'code_sent' }> {
  return api.post('/privacy/optout', { email });
}

export function confirmOptOut(
  email: string,
  code: string,
): Promise<{ status: 'opted_out'; delete_by: string }> {
  return api.post('/privacy/optout/confirm', { email, code });
}

/** What the composition root gives the deletion code (config, a server secret, the mailer). */
import type { Mailer } from '../../mail/index.js';

export interface DeletionSettings {
  /** WARDROOM_DELETION_COOLING_OFF_DAYS. */
  readonly coolingOffDays: number;
  /** Seals the receipt's address: `receiptKey(auth secret)` (receipt-seal.ts). */
  readonly receiptKey: Buffer;
  /** Sends the scheduled, cancelled and receipt emails; without it none is sent. */
  readonly mailer?: Pick<Mailer, 'send'> | undefined;
}

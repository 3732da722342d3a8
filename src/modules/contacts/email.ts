/**
 * The one shape of an email address that contacts and the opt-out accept
 * (the same check as sign-in and the mailer's), so an address stored as a
 * contact can always be opted out, and mailed, as typed.
 */
import { z } from 'zod';

export const contactEmail = z.email().max(320);

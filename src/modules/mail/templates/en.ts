/** English: the default, and the fallback for a language with no catalog. */
import { html, page } from './html.js';
import type { Catalog } from './types.js';

export const en: Catalog = {
  sign_in_code: {
    subject: (d) => `Your Wardroom sign-in code: ${d.code}`,
    text: (d) =>
      `Your Wardroom sign-in code is:\n\n    ${d.code}\n\n` +
      `It is valid for ${d.validMinutes} minutes and works once.\n\n` +
      `If you did not try to sign in, ignore this email: nobody can sign in without the code.\n`,
    html: (d) =>
      page(
        'en',
        'Your Wardroom sign-in code',
        html`<p>Your Wardroom sign-in code is:</p>
          <p style="font-size: 2em; font-family: monospace; letter-spacing: 0.2em">
            <strong>${d.code}</strong>
          </p>
          <p>It is valid for ${d.validMinutes} minutes and works once.</p>
          <p>
            If you did not try to sign in, ignore this email: nobody can sign in without the code.
          </p>`,
      ),
  },
  invitation: {
    subject: (d) => `${d.inviterName} invited you to ${d.workspaceName} on Wardroom`,
    text: (d) =>
      `${d.inviterName} invited you to the workspace "${d.workspaceName}" on Wardroom.\n\n` +
      `Sign in with this email address at:\n\n    ${d.consoleUrl}\n\n` +
      `You will be sent a one-time code to sign in; no password is needed.\n`,
    html: (d) =>
      page(
        'en',
        'Your Wardroom invitation',
        html`<p>
            ${d.inviterName} invited you to the workspace <strong>${d.workspaceName}</strong> on
            Wardroom.
          </p>
          <p>Sign in with this email address at <a href="${d.consoleUrl}">${d.consoleUrl}</a>.</p>
          <p>You will be sent a one-time code to sign in; no password is needed.</p>`,
      ),
  },
};

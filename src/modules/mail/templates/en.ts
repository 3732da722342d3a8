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
  llm_budget_soft_limit: {
    subject: (d) => `Wardroom: LLM spend passed the soft limit (${d.scope}, this ${d.period})`,
    text: (d) =>
      `LLM spend in workspace ${d.workspaceId} passed a budget's soft limit.\n\n` +
      `Budget: ${d.scope}, per ${d.period} (UTC)\n` +
      `Spent this ${d.period}: $${d.spentUsd}\n` +
      `Soft limit: $${d.softLimitUsd}\n` +
      `Hard limit: $${d.hardLimitUsd} (calls that would pass it are refused)\n\n` +
      `This notice is sent once per ${d.period}. Budgets are on the Budgets page of the console.\n`,
    html: (d) =>
      page(
        'en',
        'LLM spend passed the soft limit',
        html`<p>
            LLM spend in workspace <code>${d.workspaceId}</code> passed a budget's soft limit.
          </p>
          <ul>
            <li>Budget: ${d.scope}, per ${d.period} (UTC)</li>
            <li>Spent this ${d.period}: $${d.spentUsd}</li>
            <li>Soft limit: $${d.softLimitUsd}</li>
            <li>Hard limit: $${d.hardLimitUsd} (calls that would pass it are refused)</li>
          </ul>
          <p>
            This notice is sent once per ${d.period}. Budgets are on the Budgets page of the
            console.
          </p>`,
      ),
  },
  llm_key_suspended: {
    subject: (d) => `Wardroom: LLM key ${d.key} suspended (unusual spend)`,
    text: (d) =>
      `Wardroom suspended the LLM key ${d.key} of workspace ${d.workspaceId}: it spent ` +
      `$${d.spentUsd} in ${d.windowMinutes} minutes, above the tripwire of $${d.thresholdUsd}.\n\n` +
      `Calls with this key are refused until an owner resumes it. If you did not expect this ` +
      `spend, revoke or replace the key before resuming.\n`,
    html: (d) =>
      page(
        'en',
        'LLM key suspended',
        html`<p>
            Wardroom suspended the LLM key <code>${d.key}</code> of workspace
            <code>${d.workspaceId}</code>: it spent $${d.spentUsd} in ${d.windowMinutes} minutes,
            above the tripwire of $${d.thresholdUsd}.
          </p>
          <p>
            Calls with this key are refused until an owner resumes it. If you did not expect this
            spend, revoke or replace the key before resuming.
          </p>`,
      ),
  },
  privacy_request_reminder: {
    subject: (d) =>
      d.overdue > 0
        ? `Wardroom: ${d.overdue} privacy request(s) past their legal deadline`
        : `Wardroom: ${d.nearDue} privacy request(s) due soon`,
    text: (d) =>
      `Privacy (data subject) requests in workspace ${d.workspaceId} need an answer.\n\n` +
      `Past their legal deadline: ${d.overdue}\n` +
      `Due within the next days: ${d.nearDue}\n` +
      `Earliest deadline: ${d.earliestDueOn} (UTC)\n\n` +
      `The requests, their deadlines and the law that sets them are under Settings, Data ` +
      `residency, in the console. Each reminder is sent once per deadline.\n`,
    html: (d) =>
      page(
        'en',
        'Privacy requests need an answer',
        html`<p>
            Privacy (data subject) requests in workspace <code>${d.workspaceId}</code> need an
            answer.
          </p>
          <ul>
            <li>Past their legal deadline: ${d.overdue}</li>
            <li>Due within the next days: ${d.nearDue}</li>
            <li>Earliest deadline: ${d.earliestDueOn} (UTC)</li>
          </ul>
          <p>
            The requests, their deadlines and the law that sets them are under Settings, Data
            residency, in the console. Each reminder is sent once per deadline.
          </p>`,
      ),
  },
  privacy_optout_code: {
    subject: (d) => `Your Wardroom opt-out code: ${d.code}`,
    text: (d) =>
      `Someone asked that this email address be deleted from the contacts of every workspace ` +
      `on this Wardroom service, and not be added again.\n\n` +
      `To confirm, enter this code on the opt-out page:\n\n    ${d.code}\n\n` +
      `It is valid for ${d.validMinutes} minutes and works once. If you did not ask for this, ` +
      `ignore this email: nothing changes without the code.\n`,
    html: (d) =>
      page(
        'en',
        'Your Wardroom opt-out code',
        html`<p>
            Someone asked that this email address be deleted from the contacts of every workspace on
            this Wardroom service, and not be added again.
          </p>
          <p>To confirm, enter this code on the opt-out page:</p>
          <p style="font-size: 2em; font-family: monospace; letter-spacing: 0.2em">
            <strong>${d.code}</strong>
          </p>
          <p>
            It is valid for ${d.validMinutes} minutes and works once. If you did not ask for this,
            ignore this email: nothing changes without the code.
          </p>`,
      ),
  },
  privacy_optout_confirmed: {
    subject: () => 'Your Wardroom opt-out is confirmed',
    text: (d) =>
      `Your opt-out is confirmed. No workspace on this Wardroom service can add this address as ` +
      `a contact from now on, and every contact record with it is deleted by ${d.deleteBy} ` +
      `at the latest.\n\nThis service keeps only a keyed hash of the address, to refuse it ` +
      `later; not the address itself.\n`,
    html: (d) =>
      page(
        'en',
        'Your opt-out is confirmed',
        html`<p>
            Your opt-out is confirmed. No workspace on this Wardroom service can add this address as
            a contact from now on, and every contact record with it is deleted by
            <strong>${d.deleteBy}</strong> at the latest.
          </p>
          <p>
            This service keeps only a keyed hash of the address, to refuse it later; not the address
            itself.
          </p>`,
      ),
  },
  privacy_export_ready: {
    subject: (d) => `Your Wardroom export of ${d.workspaceName} is ready`,
    text: (d) =>
      `The ${d.form} export of the workspace "${d.workspaceName}" is ready. Download it at:\n\n` +
      `    ${d.url}\n\nThe link works until ${d.expiresAt} (UTC). Anyone holding it can ` +
      `download the file, so do not forward this email. Each download is recorded in the ` +
      `workspace's audit log.\n`,
    html: (d) =>
      page(
        'en',
        'Your Wardroom export is ready',
        html`<p>
            The ${d.form} export of the workspace <strong>${d.workspaceName}</strong> is ready.
          </p>
          <p><a href="${d.url}">Download the export</a></p>
          <p>
            The link works until ${d.expiresAt} (UTC). Anyone holding it can download the file, so
            do not forward this email. Each download is recorded in the workspace's audit log.
          </p>`,
      ),
  },
  account_deletion_scheduled: {
    subject: () => 'Your Wardroom account will be deleted',
    text: (d) =>
      `Your Wardroom account is scheduled for deletion. It will be deleted after ${d.runsAfter} ` +
      `(UTC). Until then your account works as before, and you can cancel the deletion on your ` +
      `account page:\n\n    ${d.consoleUrl}\n\nIf you did not ask for this, sign in and cancel ` +
      `it now, then end your other sessions.\n`,
    html: (d) =>
      page(
        'en',
        'Your Wardroom account will be deleted',
        html`<p>
            Your Wardroom account is scheduled for deletion. It will be deleted after
            <strong>${d.runsAfter}</strong> (UTC).
          </p>
          <p>
            Until then your account works as before, and you can cancel the deletion on your
            <a href="${d.consoleUrl}">account page</a>.
          </p>
          <p>
            If you did not ask for this, sign in and cancel it now, then end your other sessions.
          </p>`,
      ),
  },
  account_deletion_cancelled: {
    subject: () => 'The deletion of your Wardroom account was cancelled',
    text: (d) =>
      `The scheduled deletion of your Wardroom account was cancelled by ${d.by}. Your account ` +
      `stays as it is.\n`,
    html: (d) =>
      page(
        'en',
        'Deletion cancelled',
        html`<p>
          The scheduled deletion of your Wardroom account was cancelled by ${d.by}. Your account
          stays as it is.
        </p>`,
      ),
  },
  account_deletion_receipt: {
    subject: () => 'Your Wardroom account was deleted',
    text: (d) =>
      `Your Wardroom account was deleted on ${d.completedAt} (UTC), reference ${d.reference}.\n\n` +
      `Your email address was replaced by a meaningless one and your name by "Deleted User" in ` +
      `${d.workspaces} workspace(s); your language preference was cleared; ${d.revokedSessions} ` +
      `session(s) and ${d.revokedTokens} API token(s) were ended.\n\nThis is the last email ` +
      `Wardroom sends to this address: it no longer holds it.\n`,
    html: (d) =>
      page(
        'en',
        'Your Wardroom account was deleted',
        html`<p>
            Your Wardroom account was deleted on ${d.completedAt} (UTC), reference
            <code>${d.reference}</code>.
          </p>
          <p>
            Your email address was replaced by a meaningless one and your name by “Deleted User” in
            ${d.workspaces} workspace(s); your language preference was cleared; ${d.revokedSessions}
            session(s) and ${d.revokedTokens} API token(s) were ended.
          </p>
          <p>This is the last email Wardroom sends to this address: it no longer holds it.</p>`,
      ),
  },
  workspace_purge_warning: {
    subject: (d) =>
      `Wardroom: ${d.workspaceName} will be deleted in ${d.daysBefore === 1 ? '1 day' : `${d.daysBefore} days`}`,
    text: (d) =>
      `The subscription of the workspace "${d.workspaceName}" (${d.workspaceId}) was cancelled, ` +
      `and its automatic post-cancellation purge is on. At ${d.purgeAt} (UTC) the workspace ` +
      `will be crypto-shredded and its stored files deleted. This cannot be undone.\n\n` +
      `To keep it, reactivate the subscription, or turn the purge off on the Billing page of ` +
      `the console; either cancels the purge. To keep a copy, export the workspace first.\n`,
    html: (d) =>
      page(
        'en',
        'Your workspace will be deleted',
        html`<p>
            The subscription of the workspace <strong>${d.workspaceName}</strong>
            (<code>${d.workspaceId}</code>) was cancelled, and its automatic post-cancellation purge
            is on.
          </p>
          <p>
            At ${d.purgeAt} (UTC) the workspace will be crypto-shredded and its stored files
            deleted. <strong>This cannot be undone.</strong>
          </p>
          <p>
            To keep it, reactivate the subscription, or turn the purge off on the Billing page of
            the console; either cancels the purge. To keep a copy, export the workspace first.
          </p>`,
      ),
  },
  workspace_purge_receipt: {
    subject: (d) => `Wardroom: workspace ${d.workspaceId} was deleted (receipt ${d.receiptId})`,
    text: (d) =>
      `The workspace ${d.workspaceId} was purged after its subscription was cancelled.\n\n` +
      `Crypto-shredded at: ${d.shreddedAt} (UTC)\n` +
      `Data key versions destroyed: ${d.keyVersions}\n` +
      `Stored files deleted: ${d.objectsDeleted}\n\n` +
      `The signed receipt follows. Save it as a file and check it with ` +
      `\`wardroom keys verify-receipt FILE --public-key KEY\`, with the key published at ` +
      `/.well-known/wardroom-audit-key:\n\n${d.receiptJson}\n`,
    html: (d) =>
      page(
        'en',
        'Your workspace was deleted',
        html`<p>
            The workspace <code>${d.workspaceId}</code> was purged after its subscription was
            cancelled.
          </p>
          <ul>
            <li>Crypto-shredded at: ${d.shreddedAt} (UTC)</li>
            <li>Data key versions destroyed: ${d.keyVersions}</li>
            <li>Stored files deleted: ${d.objectsDeleted}</li>
          </ul>
          <p>
            The signed receipt follows. Save it as a file and check it with
            <code>wardroom keys verify-receipt FILE --public-key KEY</code>, with the key published
            at <code>/.well-known/wardroom-audit-key</code>.
          </p>
          <pre>${d.receiptJson}</pre>`,
      ),
  },
};

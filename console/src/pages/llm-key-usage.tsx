/**
 * Each LLM key's usage this UTC month on the LLM keys page (admins; the
 * API's GET /llm/usage): calls, tokens and cost per key, the workspace's
 * own keys (BYOK: the provider bills the workspace) apart from the
 * operator's platform keys (metered and invoiced by the operator).
 */
import type { ReactNode } from 'react';
import { getUsage, type KeyUsage } from '../api/budgets';
import type { Credential } from '../api/credentials';
import { Loaded, useLoad } from '../ui/load';
import { formatUsd } from '../usd';
import { keyName } from './budget-suspensions';

const count = (n: number): string => n.toLocaleString('en-US');

export function KeyUsageSection(props: {
  readonly ws: string;
  readonly credentials: readonly Credential[];
}): ReactNode {
  const usage = useLoad(() => getUsage(props.ws), props.ws);
  return (
    <section aria-labelledby="key-usage-title">
      <h2 id="key-usage-title">Usage this month</h2>
      <Loaded load={usage} label="usage">
        {(data) => {
          const month = new Date(data.month_start).toLocaleDateString('en-US', {
            month: 'long',
            year: 'numeric',
            timeZone: 'UTC',
          });
          const byok = data.keys.filter((k) => k.key_source === 'byok');
          const platform = data.keys.filter((k) => k.key_source === 'platform');
          const offline = data.keys.filter((k) => k.key_source === 'offline');
          return (
            <>
              <p>
                LLM calls since the start of {month} (UTC), by key. Calls still under way are not
                counted until they finish.
              </p>
              <UsageTable
                title="Your own keys (BYOK)"
                note={`The provider bills you directly for these calls: ${formatUsd(data.byok_cost_micros)} at list prices. They are not on Wardroom's invoice.`}
                rows={byok}
                credentials={props.credentials}
                empty="No calls with your own keys this month."
              />
              <UsageTable
                title="Platform keys"
                note={`Calls through the operator's keys, invoiced by the operator: ${formatUsd(data.platform_cost_micros)}.`}
                rows={platform}
                credentials={props.credentials}
                empty="No calls with platform keys this month."
              />
              {offline.length === 0 ? null : (
                <UsageTable
                  title="Offline provider"
                  note="Calls answered without any key (no model was called); costs are what they would have been."
                  rows={offline}
                  credentials={props.credentials}
                  empty=""
                />
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function UsageTable(props: {
  readonly title: string;
  readonly note: string;
  readonly rows: readonly KeyUsage[];
  readonly credentials: readonly Credential[];
  readonly empty: string;
}): ReactNode {
  return (
    <>
      <h3>{props.title}</h3>
      <p>{props.note}</p>
      {props.rows.length === 0 ? (
        <p className="empty">{props.empty}</p>
      ) : (
        <table>
          <caption className="visually-hidden">{props.title}: usage this month</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Provider</th>
              <th scope="col">Calls</th>
              <th scope="col">Input tokens</th>
              <th scope="col">Output tokens</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((k) => (
              <tr key={k.key}>
                <td>{keyName(k, props.credentials)}</td>
                <td>{k.provider}</td>
                <td>
                  {count(k.calls)}
                  {k.cache_hits > 0 ? (
                    <span className="hint"> ({count(k.cache_hits)} from the cache)</span>
                  ) : null}
                </td>
                <td>{count(k.tokens_in)}</td>
                <td>{count(k.tokens_out)}</td>
                <td>{formatUsd(k.cost_micros)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

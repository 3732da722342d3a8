/**
 * Settings → Data residency (admins): the workspace's data region and the
 * law new privacy requests default to there; the privacy (data subject)
 * requests with their legal deadlines, moved from state to state; "Create
 * request". Owners also change the region: a logical tag (Phase 1) that
 * routes LLM calls and sets the legal context of new requests; existing
 * requests keep the law they were received under. Owners export the
 * workspace here, on its own or for an access request, and download it.
 */
import { useId, useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import {
  getResidency,
  REGIONS,
  setRegion,
  type Region,
  type Residency,
} from '../api/privacy-requests';
import { hasRole } from '../roles';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';
import { ExportsPanel } from './exports-panel';
import { PrivacyRequests } from './privacy-requests';

export function ResidencyPage(): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return <ResidencySettings key={current.workspace_id} membership={current} />;
}

const REGION_NAMES: Readonly<Record<Region, string>> = {
  us: 'United States (us)',
  eu: 'European Union (eu)',
  'me-south': 'Middle East (me-south)',
  'ap-northeast': 'Asia Pacific (ap-northeast)',
};

function ResidencySettings(props: { readonly membership: Membership }): ReactNode {
  const ws = props.membership.workspace_id;
  const owner = hasRole(props.membership, 'owner');
  const load = useLoad(() => getResidency(ws), ws);
  // An export started for a request shows in the list; one completed shows its request completed.
  const [exportsSeen, setExportsSeen] = useState(0);
  const [requestsSeen, setRequestsSeen] = useState(0);
  return (
    <section aria-labelledby="residency-title">
      <h1 id="residency-title">Data residency</h1>
      <Loaded load={load} label="the data region">
        {(residency) => <RegionPanel ws={ws} residency={residency} owner={owner} />}
      </Loaded>
      <PrivacyRequests
        ws={ws}
        owner={owner}
        refresh={requestsSeen}
        exported={() => setExportsSeen((n) => n + 1)}
      />
      {owner ? (
        <ExportsPanel
          ws={ws}
          scope="workspace"
          refresh={exportsSeen}
          onCompleted={() => setRequestsSeen((n) => n + 1)}
        />
      ) : null}
    </section>
  );
}

function RegionPanel(props: {
  readonly ws: string;
  readonly residency: Residency;
  readonly owner: boolean;
}): ReactNode {
  const id = useId();
  // The answer to a change is the new residency: shown in place, without a reload.
  const [residency, setResidency] = useState(props.residency);
  const [region, setChoice] = useState<Region>(residency.region);
  const [saved, setSaved] = useState('');
  const save = useSubmit(async () => {
    setSaved('');
    const now = await setRegion(props.ws, region);
    setResidency(now);
    setSaved(`The region is now ${REGION_NAMES[now.region]}.`);
  });
  return (
    <div className="panel">
      <h2>Region</h2>
      <p>
        This workspace&apos;s region: <strong>{REGION_NAMES[residency.region]}</strong>. New privacy
        requests default to <strong>{residency.default_law.name}</strong>
        {residency.default_law.statutory ? '' : ' (no statutory number of days: Wardroom’s target'}
        {residency.default_law.statutory ? '' : ')'} unless the requester&apos;s jurisdiction sets
        an earlier deadline.
      </p>
      <p>
        The region is logical: it routes LLM calls to that region&apos;s providers and sets the
        legal context of new requests. It does not move stored data.
      </p>
      {props.owner ? (
        <form onSubmit={save.submit} aria-describedby={`${id}-error`}>
          <label htmlFor={`${id}-region`}>Change the region</label>
          <select
            id={`${id}-region`}
            value={region}
            onChange={(e) => setChoice(e.target.value as Region)}
          >
            {REGIONS.map((code) => (
              <option key={code} value={code}>
                {REGION_NAMES[code]} — {residency.regions.find((r) => r.code === code)?.law}
              </option>
            ))}
          </select>
          <button type="submit" disabled={save.busy || region === residency.region}>
            {save.busy ? 'Saving…' : 'Save region'}
          </button>
          <ErrorLine id={`${id}-error`} error={save.error} />
          <p role="status">{saved}</p>
        </form>
      ) : (
        <p className="hint">Only owners can change the region.</p>
      )}
    </div>
  );
}

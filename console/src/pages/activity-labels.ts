/**
 * Readable names for audit actions a person looks for on the Activity page
 * (the action itself stays beside it, for filtering). Actions not listed
 * show as they are.
 */
const LABELS: Readonly<Record<string, string>> = {
  'privacy.request.received': 'Privacy request received',
  'privacy.request.state_changed': 'Privacy request moved',
  'privacy.request.extended': 'Privacy request deadline extended',
  'privacy.request.reminder': 'Privacy request deadline reminder',
  'privacy_request.created': 'Privacy request stored',
  'privacy_request.updated': 'Privacy request updated',
  'workspace.region_changed': 'Data region changed',
  'privacy.export.created': 'Export requested',
  'privacy.export.started': 'Export started',
  'privacy.export.completed': 'Export completed',
  'privacy.export.failed': 'Export failed',
  'privacy.request.exported': 'Privacy request answered by an export',
  'object.downloaded': 'File downloaded',
};

export function actionLabel(action: string): string | undefined {
  return Object.hasOwn(LABELS, action) ? LABELS[action] : undefined;
}

/**
 * What the key commands share: workspace id arguments, and the operator
 * principal their changes are recorded under (actor_type `ops`).
 */
import os from 'node:os';
import { z } from 'zod';
import { operatorPrincipal, type Principal } from '../db/principal.js';
import { AppError } from '../base/errors.js';

const uuid = z.uuid();

export function workspaceId(value: string): string {
  if (!uuid.safeParse(value).success) throw new AppError('validation_failed', 'not a workspace id');
  return value.toLowerCase();
}

/** The operator running the CLI, as recorded in audit events. */
export function operator(tenantId: string, command?: string): Principal {
  const id = `cli:${os.userInfo().username}`;
  return operatorPrincipal(tenantId, command === undefined ? { id } : { id, name: command });
}

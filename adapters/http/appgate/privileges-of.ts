/** An Appgate administrative privilege: what `type` of action on which `target` objects, in which scope. */
export interface Privilege {
  readonly type: string;
  readonly target: string;
  readonly scope: { readonly all: boolean; readonly ids: readonly string[]; readonly tags: readonly string[] };
}

const everything = { all: true, ids: [], tags: [] } as const;

/**
 * Latchkey roles (POST /v1/admin/users `roles`) as Appgate privileges. Appgate's own types and targets,
 * scoped to all objects; a role not listed here grants nothing (fail closed).
 * - admin: every action on every target, and the audit logs.
 * - auditor: read-only on everything, and the audit logs.
 * - operator: read-only on everything, plus the day-to-day appliance actions.
 */
const roles: Readonly<Record<string, { readonly privileges: readonly Privilege[]; readonly auditLogs: boolean }>> = {
  admin: { privileges: [{ type: 'All', target: 'All', scope: everything }], auditLogs: true },
  auditor: { privileges: [{ type: 'View', target: 'All', scope: everything }], auditLogs: true },
  operator: {
    privileges: [
      { type: 'View', target: 'All', scope: everything },
      { type: 'CheckStatus', target: 'Appliance', scope: everything },
      { type: 'Backup', target: 'Appliance', scope: everything },
      { type: 'Reboot', target: 'Appliance', scope: everything },
    ],
    auditLogs: false,
  },
};

/** The union of the privileges of the user's roles (each once), and whether any of them opens the audit logs. */
export const privilegesOf = (userRoles: readonly string[]): { privileges: Privilege[]; canAccessAuditLogs: boolean } => {
  const privileges: Privilege[] = [];
  let canAccessAuditLogs = false;
  for (const role of userRoles) {
    const grant = Object.hasOwn(roles, role) ? roles[role] : undefined;
    if (grant === undefined) continue;
    canAccessAuditLogs ||= grant.auditLogs;
    for (const p of grant.privileges) if (!privileges.some((q) => q.type === p.type && q.target === p.target)) privileges.push(p);
  }
  return { privileges, canAccessAuditLogs };
};

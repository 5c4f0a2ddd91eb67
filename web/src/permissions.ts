import { can, isRole, type Permission } from '../../src/modules/org/domain/roles';

export type { Permission };

/**
 * Whether the signed-in role holds a permission — the server's own table (src/modules/org/domain/roles.ts),
 * so the UI hides what the server would refuse. The server decides; the UI only hides menu entries and buttons.
 */
export function may(role: string | undefined, permission: Permission): boolean {
  return role !== undefined && isRole(role) && can(role, permission);
}

import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from './roles.js';

describe('the permission table', () => {
  it('grants every permission to some role, names only known permissions, and lists none twice', () => {
    for (const p of PERMISSIONS) expect(ROLES.some((r) => can(r, p)), p).toBe(true);
    for (const r of ROLES) {
      expect(ROLE_PERMISSIONS[r].every((p) => (PERMISSIONS as readonly string[]).includes(p))).toBe(true);
      expect(new Set(ROLE_PERMISSIONS[r]).size, r).toBe(ROLE_PERMISSIONS[r].length);
    }
  });

  it('gives admin every permission and the auditor nothing that writes', () => {
    expect(PERMISSIONS.filter((p) => !can('admin', p))).toEqual([]);
    expect(ROLE_PERMISSIONS.auditor.filter((p) => !/\.(read|view|items|securityLog)$/.test(p))).toEqual([]);
  });
});

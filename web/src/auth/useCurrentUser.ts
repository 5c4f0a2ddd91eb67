import { useMe } from '../api/queries';
import type { User } from '../api/types';

/** Inside RequireAuth the user is known; this saves every screen from checking for null. */
export function useCurrentUser(): User {
  const { data } = useMe();
  if (!data) throw new Error('useCurrentUser outside RequireAuth');
  return data;
}

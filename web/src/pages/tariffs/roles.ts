import { may } from '../../permissions';

/** Who may draft and publish prices (tariffs.write / tariffs.publish). The UI only hides buttons. */
export const canManageTariffs = (role: string | undefined) => may(role, 'tariffs.write') && may(role, 'tariffs.publish');

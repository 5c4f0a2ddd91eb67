/** Who may draft and publish prices (server: permissions tariffs.write / tariffs.publish). The UI only hides buttons. */
export const canManageTariffs = (role: string | undefined) => role === 'admin' || role === 'marketing';

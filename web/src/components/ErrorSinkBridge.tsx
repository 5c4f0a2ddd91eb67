import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { setErrorSink } from '../api/errors';
import { queryKeys } from '../api/queries';

/**
 * Connects the query cache's error reports to the screen: 401 forgets the session (the route guard then
 * sends the user to /login), anything else pops an antd message with the server's `detail`.
 */
export function ErrorSinkBridge() {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { t } = useTranslation();

  useEffect(() => {
    setErrorSink({
      notify: (text) => void message.error({ content: text, key: text, duration: 5 }),
      unauthenticated: () => {
        const hadUser = Boolean(queryClient.getQueryData(queryKeys.me));
        queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== queryKeys.me[0] });
        queryClient.setQueryData(queryKeys.me, null);
        if (hadUser) void message.warning({ content: t('login.sessionExpired'), key: 'session-expired' });
      },
    });
    return () => setErrorSink(null);
  }, [message, queryClient, t]);

  return null;
}

import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router-dom';
import { createQueryClient } from './api/queries';
import { AppRoutes } from './AppRoutes';
import { ErrorSinkBridge } from './components/ErrorSinkBridge';
import { theme } from './theme';

/** Providers: data cache, antd theme + locale (follows the i18next language), router. */
export function Root() {
  const [queryClient] = useState(createQueryClient);
  const { i18n } = useTranslation();
  const english = i18n.language === 'en-US';
  dayjs.locale(english ? 'en' : 'zh-cn');

  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider locale={english ? enUS : zhCN} theme={theme}>
        <AntApp>
          <BrowserRouter>
            <ErrorSinkBridge />
            <AppRoutes />
          </BrowserRouter>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}

import { AlipayOutlined, ThunderboltFilled, WechatFilled } from '@ant-design/icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Brand } from '../../components/Brand';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import './pay.css';

/** Channel colours and marks as customers know them. */
export const CHANNEL_LOOK: Record<string, { color: string; icon: ReactNode }> = {
  wechatpay: { color: '#07c160', icon: <WechatFilled /> },
  alipay: { color: '#1677ff', icon: <AlipayOutlined /> },
  gridapp: { color: '#00706b', icon: <ThunderboltFilled /> },
};

/** The frame of the public payment pages: brand and language on top, one narrow column, no staff menu. */
export function PayShell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="pay-shell">
      <div className="pay-top">
        <Brand size={16} />
        <LanguageSwitch dark />
      </div>
      <main className="pay-main">{children}</main>
      <div className="pay-foot">{t('pay.footer')}</div>
    </div>
  );
}

/** A label and a value on one line. */
export function PayRow({ label, children, testId }: { label: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <div className="pay-row">
      <span>{label}</span>
      <span data-testid={testId}>{children}</span>
    </div>
  );
}

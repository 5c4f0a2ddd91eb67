import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { changeLanguage, type Language } from '../i18n';

/** 中文 / EN: switches i18next, and with it antd's locale and dayjs (see Root). */
export function LanguageSwitch({ dark = false }: { dark?: boolean }) {
  const { i18n, t } = useTranslation();
  return (
    <Segmented<Language>
      size="small"
      aria-label={t('header.language')}
      data-testid="language-switch"
      value={i18n.language as Language}
      onChange={(lang) => changeLanguage(lang)}
      options={[
        { label: '中文', value: 'zh-CN' },
        { label: 'EN', value: 'en-US' },
      ]}
      className={dark ? 'lang-switch-dark' : undefined}
    />
  );
}

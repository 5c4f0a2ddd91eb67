import { ThunderboltFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/** The product mark: 颗粒归仓 with a bolt, for the header and the login page. */
export function Brand({ color = '#fff', size = 18 }: { color?: string; size?: number }) {
  const { t } = useTranslation();
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8, color, fontSize: size, fontWeight: 600, whiteSpace: 'nowrap' }}>
      <span
        style={{
          display: 'inline-grid',
          placeItems: 'center',
          width: size + 10,
          height: size + 10,
          borderRadius: 6,
          background: '#ffd54a',
          color: '#004d4a',
          fontSize: size - 2,
        }}
      >
        <ThunderboltFilled />
      </span>
      {t('app.name')}
    </span>
  );
}

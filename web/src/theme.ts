import type { ThemeConfig } from 'antd';

/** A calm utility back-office look: State Grid teal, square-ish corners, dense tables. */
export const BRAND = '#00706b';
export const BRAND_DARK = '#004d4a';

export const theme: ThemeConfig = {
  token: {
    colorPrimary: BRAND,
    // antd derives muddy grey tints from a dark teal; the light ones are given explicitly.
    colorPrimaryBg: '#e6f2f1',
    colorPrimaryBgHover: '#d2e9e7',
    colorPrimaryBorder: '#a6d1cd',
    colorPrimaryBorderHover: '#74b8b2',
    controlItemBgActive: '#e6f2f1',
    controlItemBgActiveHover: '#d2e9e7',
    borderRadius: 4,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Helvetica Neue', Arial, sans-serif",
  },
  components: {
    Menu: { itemSelectedBg: '#e6f2f1', itemSelectedColor: BRAND },
    Layout: { headerBg: BRAND_DARK, headerHeight: 52, headerPadding: '0 20px', siderBg: '#fff', bodyBg: '#f2f4f5' },
    Table: { headerBg: '#f5f7f8', cellPaddingBlockSM: 6 },
    Card: { headerFontSize: 15 },
    Descriptions: { labelBg: '#f7f9fa' },
  },
};

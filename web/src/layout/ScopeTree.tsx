import { ApartmentOutlined, BankOutlined, DeploymentUnitOutlined, UserOutlined } from '@ant-design/icons';
import { Empty, Skeleton, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { useOrgTree } from '../api/queries';
import type { OrgTree } from '../api/types';
import { localName } from '../format';
import { filtersFromParams, keyOfScope, paramsFromFilters, scopeOfKey } from '../scope';

/**
 * Company → stations → area managers → transformer areas, as far as the server lets this user see.
 * Picking a node narrows the customer search to it (the URL carries the choice).
 */
export function ScopeTree() {
  const { t, i18n } = useTranslation();
  const tree = useOrgTree();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const onSearch = location.pathname === '/customers';
  const filters = filtersFromParams(onSearch ? params : new URLSearchParams());

  const data = useMemo(() => (tree.data ? toTreeData(tree.data, t) : []), [tree.data, t, i18n.language]);
  const defaultExpanded = useMemo(() => (tree.data ? expandedKeys(tree.data) : []), [tree.data]);
  const selected = onSearch ? keyOfScope(filters, tree.data) : null;

  if (tree.isPending) return <Skeleton active paragraph={{ rows: 6 }} style={{ padding: 16 }} />;
  if (!tree.data) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('scope.empty')} />;

  const select = (key: string) => {
    // Keep the words and filters already typed; replace only the scope.
    const { stationId: _s, areaId: _a, managerUserId: _m, ...rest } = filters;
    const nextParams = paramsFromFilters({ ...rest, ...scopeOfKey(key) });
    const qs = nextParams.toString();
    navigate(qs ? `/customers?${qs}` : '/customers');
  };

  return (
    <div style={{ padding: '4px 8px 16px' }}>
      <Typography.Text type="secondary" style={{ display: 'block', padding: '8px 8px 6px', fontSize: 12 }}>
        {t('scope.title')}
      </Typography.Text>
      <Tree
        className="scope-tree"
        data-testid="scope-tree"
        showIcon
        blockNode
        treeData={data}
        defaultExpandedKeys={defaultExpanded}
        selectedKeys={selected ? [selected] : []}
        onSelect={(_keys, info) => select(String(info.node.key))}
      />
    </div>
  );
}

function toTreeData(tree: OrgTree, t: (k: string, o?: Record<string, unknown>) => string): DataNode[] {
  return [
    {
      key: `company:${tree.company.id}`,
      title: localName(tree.company),
      icon: <BankOutlined />,
      children: tree.stations.map((station) => ({
        key: `station:${station.id}`,
        title: localName(station),
        icon: <ApartmentOutlined />,
        children: station.managers.map((manager) => ({
          // Areas without a manager are grouped under a node that cannot be a filter of its own.
          key: manager.userId ? `manager:${station.id}:${manager.userId}` : `unassigned:${station.id}`,
          title: manager.name ?? t('scope.unassigned'),
          icon: <UserOutlined />,
          selectable: Boolean(manager.userId),
          children: manager.areas.map((area) => ({
            key: `area:${area.id}`,
            title: area.name,
            icon: <DeploymentUnitOutlined />,
            isLeaf: true,
          })),
        })),
      })),
    },
  ];
}

/** Open down to the managers; with a single station (station staff) open its managers too. */
function expandedKeys(tree: OrgTree): string[] {
  const keys: string[] = [`company:${tree.company.id}`];
  for (const station of tree.stations) {
    keys.push(`station:${station.id}`);
    if (tree.stations.length === 1) {
      for (const m of station.managers) keys.push(m.userId ? `manager:${station.id}:${m.userId}` : `unassigned:${station.id}`);
    }
  }
  return keys;
}

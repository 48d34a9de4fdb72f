/** borg stores paths without a leading slash; the empty string is the archive's root. */
export function normalizeArchivePath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

export interface Crumb {
  label: string;
  path: string;
}

export function breadcrumbs(path: string): Crumb[] {
  const parts = normalizeArchivePath(path).split('/').filter(Boolean);
  return [
    { label: 'Archive root', path: '' },
    ...parts.map((part, index) => ({ label: part, path: parts.slice(0, index + 1).join('/') })),
  ];
}

export function parentPath(path: string): string {
  const parts = normalizeArchivePath(path).split('/');
  parts.pop();
  return parts.join('/');
}

/** Drops paths already covered by a selected parent folder, since restoring it includes them. */
export function collapseSelection(paths: string[]): string[] {
  const sorted = [...new Set(paths.map(normalizeArchivePath))].sort();
  return sorted.filter(
    (path) =>
      !sorted.some((other) => other !== path && (other === '' || path.startsWith(`${other}/`))),
  );
}

const TYPE_LABELS: Record<string, string> = {
  d: 'Folder',
  '-': 'File',
  l: 'Symlink',
  b: 'Block device',
  c: 'Character device',
  p: 'FIFO',
  s: 'Socket',
  h: 'Hard link',
};

export const itemTypeLabel = (type: string) => TYPE_LABELS[type] ?? type;

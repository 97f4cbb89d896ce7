const DECIMAL_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * Sizes the way file managers show them: decimal units, one decimal below 10 (`1.2 MB`),
 * whole numbers above (`800 KB`).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 999.6 KB rounds to 1000 KB: show it as 1 MB instead.
  if (rounded >= 1000 && unit < DECIMAL_UNITS.length - 1) return `1 ${DECIMAL_UNITS[unit + 1]}`;
  return `${rounded} ${DECIMAL_UNITS[unit]}`;
}

/** Part sizes are chosen in binary units by S3 tools (`8 MiB`), so they are shown that way. */
export function formatPartSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (Number.isInteger(mib)) return `${mib} MiB`;
  const kib = bytes / 1024;
  if (Number.isInteger(kib)) return `${kib} KiB`;
  return `${bytes} B`;
}

/** How a column of a {@link formatTable} table is aligned. */
export type ColumnAlign = 'left' | 'right';

/** A column of a {@link formatTable} table. */
export interface TableColumn {
  header: string;
  /** @default 'right' (numbers) */
  align?: ColumnAlign;
}

/**
 * A plain-text table: a header row, a rule, one line per row; columns padded to their widest cell.
 * Cells are printed as given, so format numbers before.
 */
export function formatTable(columns: readonly TableColumn[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i]!;
        return (column.align ?? 'right') === 'left' ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A number with thousands separators and at most `digits` decimals, e.g. `12,345.6`. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A byte count in binary units, e.g. `1.52 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

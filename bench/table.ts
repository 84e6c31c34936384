/** The one table `npm run bench` prints: a row per figure, with its target and verdict where it has one. */

export interface Row {
  readonly figure: string;
  readonly value: string;
  /** How the value was obtained, e.g. "median of 21". */
  readonly runs: string;
  readonly target?: string;
  /** Undefined when the figure has no target. */
  readonly pass?: boolean;
}

export function renderTable(rows: readonly Row[]): string {
  const header = ['Figure', 'Value', 'Runs', 'Target', 'Result'];
  const lines = rows.map((row) => [
    row.figure,
    row.value,
    row.runs,
    row.target ?? '—',
    row.pass === undefined ? '—' : row.pass ? 'pass' : '**miss**',
  ]);
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.map(escape).join(' | ')} |`).join('\n');
}

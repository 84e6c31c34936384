import type { Logger } from '../../src/log.js';

/** A Logger that keeps its lines, `level: message`, with the fields as JSON when there are any. */
export function memoryLog(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>): void => {
    lines.push(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

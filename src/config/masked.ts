import { schema, schemaKeys, type Config } from './schema.js';

/** Shown in place of a secret that is set. */
export const MASKED = '[Sensitive]';

/** The effective configuration for people to read (`check`): sensitive keys masked, and passwords inside URLs. */
export function maskedConfig(config: Config): Record<string, unknown> {
  const sensitive = new Set(schemaKeys().filter((key) => lookup(schema, key)?.['sensitive'] === true));
  const mask = (node: object, prefix: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(node).map(([key, value]: [string, unknown]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        if (sensitive.has(path)) return [key, value ? MASKED : ''];
        if (typeof value === 'string') return [key, withoutUrlPassword(value)];
        if (Array.isArray(value)) return [key, value];
        return [key, typeof value === 'object' && value !== null ? mask(value, path) : value];
      }),
    );
  return mask(config, '');
}

function lookup(node: object, key: string): Record<string, unknown> | undefined {
  return key.split('.').reduce<Record<string, unknown> | undefined>((at, part) => at?.[part] as Record<string, unknown> | undefined, node as Record<string, unknown>);
}

/** mqtt.js takes credentials from `mqtt://user:password@host` too. */
function withoutUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = '*****';
    return url.toString();
  } catch {
    return value;
  }
}

import { withoutUrlCredentials } from '../redaction/redact.js';
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
        // mqtt.js takes credentials from `mqtt://user:password@host` too.
        if (typeof value === 'string') return [key, withoutUrlCredentials(value)];
        if (Array.isArray(value)) return [key, value];
        return [key, typeof value === 'object' && value !== null ? mask(value, path) : value];
      }),
    );
  return mask(config, '');
}

/**
 * What lines show openly about the configuration: every setting's name and every value that is not
 * sensitive. The redactor leaves a secret alone that is part of one of these (see createRedactor).
 */
export function shownSettings(config: Config): string[] {
  const values: string[] = [];
  const collect = (node: Record<string, unknown>): void => {
    for (const value of Object.values(node)) {
      if (typeof value === 'string' && value !== MASKED && value !== '') values.push(value);
      else if (typeof value === 'object' && value !== null) collect(value as Record<string, unknown>);
    }
  };
  collect(maskedConfig(config));
  return [...schemaKeys(), ...values];
}

function lookup(node: object, key: string): Record<string, unknown> | undefined {
  return key.split('.').reduce<Record<string, unknown> | undefined>((at, part) => at?.[part] as Record<string, unknown> | undefined, node as Record<string, unknown>);
}

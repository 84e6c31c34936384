/**
 * The Supervisor's rules for an app's config.yaml, as its developer documentation states them
 * (developers.home-assistant.io, "App configuration"): required keys, the architectures, the option types
 * of `schema`, and that every default in `options` fits its type. Returns every problem found; [] is valid.
 */

export const ARCHES = ['armhf', 'armv7', 'aarch64', 'amd64', 'i386'] as const;
const REQUIRED = ['name', 'version', 'slug', 'description', 'arch'] as const;
const STARTUP = ['initialize', 'system', 'services', 'application', 'once'];
const BOOT = ['auto', 'manual', 'manual_only'];
const SERVICE = /^(mqtt|mysql):(provide|want|need)$/;
const RANGE = String.raw`(?:\((-?\d+(?:\.\d+)?)?,(-?\d+(?:\.\d+)?)?\))?`;
const TYPE = new RegExp(String.raw`^(str${RANGE}|bool|int${RANGE}|float${RANGE}|email|url|password|port|match\(.+\)|list\(([^|)]+(?:\|[^|)]+)*)\)|device(?:\(.+\))?)(\?)?$`);

export function configProblems(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of REQUIRED) if (config[key] === undefined || config[key] === '') problems.push(`${key}: is required`);
  for (const key of ['name', 'version', 'slug', 'description'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'string') problems.push(`${key}: must be a string`);
  }
  if (typeof config['slug'] === 'string' && !/^[-_.A-Za-z0-9]+$/.test(config['slug'])) problems.push('slug: must be URI friendly');
  const arch = config['arch'];
  if (!Array.isArray(arch) || arch.length === 0) problems.push('arch: must be a non-empty list');
  else for (const name of arch) if (!(ARCHES as readonly unknown[]).includes(name)) problems.push(`arch: ${String(name)} is not one of ${ARCHES.join(', ')}`);
  if (config['startup'] !== undefined && !STARTUP.includes(text(config['startup']))) problems.push('startup: unknown value');
  if (config['boot'] !== undefined && !BOOT.includes(text(config['boot']))) problems.push('boot: unknown value');
  if (config['init'] !== undefined && typeof config['init'] !== 'boolean') problems.push('init: must be true or false');
  if (config['url'] !== undefined && !URL.canParse(text(config['url']))) problems.push('url: must be a URL');
  const services = config['services'] ?? [];
  if (!Array.isArray(services)) problems.push('services: must be a list');
  else for (const service of services) if (!SERVICE.test(String(service))) problems.push(`services: ${String(service)} is not service:provide|want|need`);
  const image = config['image'];
  // The version is the tag: the image names no tag of its own.
  if (image !== undefined && (typeof image !== 'string' || /:[^/]*$/.test(image))) problems.push('image: must be a name without a tag');
  return [...problems, ...optionProblems(config['options'] ?? {}, config['schema'] ?? {})];
}

function optionProblems(options: unknown, schema: unknown): string[] {
  if (!isRecord(options)) return ['options: must be a dictionary'];
  if (schema === false) return [];
  if (!isRecord(schema)) return ['schema: must be a dictionary or false'];
  const problems: string[] = [];
  for (const [name, type] of Object.entries(schema)) {
    const match = typeof type === 'string' ? TYPE.exec(type) : null;
    if (!match) {
      problems.push(`schema.${name}: ${JSON.stringify(type)} is not a Supervisor type`);
      continue;
    }
    if (name in options) {
      const problem = valueProblem(String(type).replace(/\?$/, ''), options[name]);
      if (problem) problems.push(`options.${name}: ${problem}`);
    }
  }
  for (const name of Object.keys(options)) if (!(name in schema)) problems.push(`options.${name}: has no schema`);
  return problems;
}

function valueProblem(type: string, value: unknown): string | undefined {
  const [, base = '', inside = ''] = /^(\w+)(?:\((.*)\))?$/.exec(type) ?? [];
  const [min, max] = inside.split(',').map((bound) => (bound === '' ? undefined : Number(bound)));
  const inRange = (n: number): boolean => (min === undefined || n >= min) && (max === undefined || n <= max);
  switch (base) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'int':
      return Number.isInteger(value) && inRange(value as number) ? undefined : `must be a whole number in ${inside || 'any range'}`;
    case 'float':
      return typeof value === 'number' && inRange(value) ? undefined : 'must be a number';
    case 'port':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535 ? undefined : 'must be a port';
    case 'list':
      return inside.split('|').includes(String(value)) ? undefined : `must be one of ${inside}`;
    case 'url':
      return typeof value === 'string' && URL.canParse(value) ? undefined : 'must be a URL';
    case 'match':
      return typeof value === 'string' && new RegExp(`^${inside}$`).test(value) ? undefined : `must match ${inside}`;
    default:
      return typeof value === 'string' ? undefined : 'must be a string';
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Width and height from a PNG's IHDR chunk; undefined when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

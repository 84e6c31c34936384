/**
 * Pure: one typed builder per Home Assistant component this daemon uses. Each returns the component's
 * entry for a device-based discovery payload; keys are built in a fixed order so payloads compare exactly.
 */

export type Platform = 'binary_sensor' | 'sensor' | 'button';

export interface Component {
  readonly platform: Platform;
  readonly [option: string]: unknown;
}

/** What every entity of one device shares. */
export interface EntityContext {
  /** Prefix of unique ids and default entity ids, e.g. `plex_home_user_7b4af7a9f26254bd`. */
  readonly idPrefix: string;
  readonly stateTopic: string;
  readonly availabilityTopic: string;
}

interface EntityOptions {
  /** Suffix of the unique id: never change it, or Home Assistant sees a new entity. */
  readonly key: string;
  /** null names the entity after its device (the device's main entity). */
  readonly name: string | null;
  readonly icon?: string;
  readonly diagnostic?: boolean;
}

export interface BinarySensorOptions extends EntityOptions {
  /** A boolean field of the state document. */
  readonly field: string;
  readonly deviceClass?: 'connectivity' | 'problem';
  /** On when the field is false, e.g. a `problem` sensor over `authenticated`. */
  readonly invert?: boolean;
}

export interface SensorOptions extends EntityOptions {
  readonly valueTemplate: string;
  readonly deviceClass?: 'timestamp';
  readonly stateClass?: 'measurement';
  readonly unit?: string;
  readonly entityPicture?: string;
  /** The state document (or a template over it) becomes the entity's attributes. */
  readonly attributesTemplate?: string;
}

export interface ButtonOptions extends EntityOptions {
  readonly commandTopic: string;
  readonly payloadPress: string;
}

export function binarySensor(context: EntityContext, options: BinarySensorOptions): Component {
  // A null field (not known yet) renders "None", which Home Assistant shows as unknown.
  const [whenTrue, whenFalse] = options.invert ? ['OFF', 'ON'] : ['ON', 'OFF'];
  const template =
    `{% if value_json.${options.field} is none %}None` +
    `{% elif value_json.${options.field} %}${whenTrue}{% else %}${whenFalse}{% endif %}`;
  return {
    platform: 'binary_sensor',
    ...common(context, options, 'binary_sensor'),
    ...(options.deviceClass ? { device_class: options.deviceClass } : {}),
    state_topic: context.stateTopic,
    value_template: template,
    ...availability(context),
  };
}

export function sensor(context: EntityContext, options: SensorOptions): Component {
  return {
    platform: 'sensor',
    ...common(context, options, 'sensor'),
    ...(options.deviceClass ? { device_class: options.deviceClass } : {}),
    ...(options.stateClass ? { state_class: options.stateClass } : {}),
    ...(options.unit ? { unit_of_measurement: options.unit } : {}),
    ...(options.entityPicture ? { entity_picture: options.entityPicture } : {}),
    state_topic: context.stateTopic,
    value_template: options.valueTemplate,
    ...(options.attributesTemplate
      ? { json_attributes_topic: context.stateTopic, json_attributes_template: options.attributesTemplate }
      : {}),
    ...availability(context),
  };
}

export function button(context: EntityContext, options: ButtonOptions): Component {
  return {
    platform: 'button',
    ...common(context, options, 'button'),
    command_topic: options.commandTopic,
    payload_press: options.payloadPress,
    ...availability(context),
  };
}

function common(context: EntityContext, options: EntityOptions, platform: Platform): Record<string, unknown> {
  const id = `${context.idPrefix}_${options.key}`;
  return {
    name: options.name,
    unique_id: id,
    // Replaces `object_id`, which Home Assistant 2025.10 deprecated: the entity id it suggests.
    default_entity_id: `${platform}.${id}`,
    ...(options.icon ? { icon: options.icon } : {}),
    ...(options.diagnostic ? { entity_category: 'diagnostic' } : {}),
  };
}

function availability(context: EntityContext): Record<string, unknown> {
  return { availability: [{ topic: context.availabilityTopic }] };
}

/**
 * Pure: one typed builder per Home Assistant component this daemon uses. Each returns the component's
 * entry for a device-based discovery payload; keys are built in a fixed order so payloads compare exactly.
 */

export type Platform = 'binary_sensor' | 'sensor' | 'button' | 'event' | 'image';

export interface Component {
  readonly platform: Platform;
  readonly [option: string]: unknown;
}

/** What every entity of one device shares. */
export interface EntityContext {
  /** Prefix of unique ids, from stable ids only, e.g. `plex_home_user_7b4af7a9f26254bd`. */
  readonly idPrefix: string;
  /** Prefix of the entity ids Home Assistant is asked for: readable, e.g. `plex_little_one`. */
  readonly entityIdPrefix: string;
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
  /** The field may be null (not known yet), which Home Assistant then shows as unknown. */
  readonly nullable?: boolean;
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

export interface EventOptions extends EntityOptions {
  /** Every `event_type` the entity may fire; Home Assistant rejects a payload naming another. */
  readonly eventTypes: readonly string[];
  /** Events have a topic of their own, not the device's retained state topic. */
  readonly eventsTopic: string;
}

export interface ImageOptions extends EntityOptions {
  /** Renders the picture's URL from the device's state document (`url_topic` is the state topic). */
  readonly urlTemplate: string;
}

export function binarySensor(context: EntityContext, options: BinarySensorOptions): Component {
  const field = `value_json.${options.field}`;
  const [whenTrue, whenFalse] = options.invert ? ['OFF', 'ON'] : ['ON', 'OFF'];
  // "None" is the payload Home Assistant shows as unknown.
  const template = options.nullable
    ? `{% if ${field} is none %}None{% elif ${field} %}${whenTrue}{% else %}${whenFalse}{% endif %}`
    : `{{ '${whenTrue}' if ${field} else '${whenFalse}' }}`;
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

/** Home Assistant's MQTT event: fires on each non-retained JSON payload carrying `event_type`. */
export function event(context: EntityContext, options: EventOptions): Component {
  return {
    platform: 'event',
    ...common(context, options, 'event'),
    event_types: [...options.eventTypes],
    state_topic: options.eventsTopic,
    ...availability(context),
  };
}

/** Home Assistant's MQTT image by URL: Home Assistant fetches the picture itself from the rendered URL. */
export function image(context: EntityContext, options: ImageOptions): Component {
  return {
    platform: 'image',
    ...common(context, options, 'image'),
    url_topic: context.stateTopic,
    url_template: options.urlTemplate,
    ...availability(context),
  };
}

function common(context: EntityContext, options: EntityOptions, platform: Platform): Record<string, unknown> {
  return {
    name: options.name,
    unique_id: `${context.idPrefix}_${options.key}`,
    // Replaces `object_id`, deprecated in Home Assistant 2025.10. Only a suggestion for a new entity:
    // Home Assistant keeps an entity's id once created, so a rename never breaks automations.
    default_entity_id: `${platform}.${context.entityIdPrefix}_${options.key}`,
    ...(options.icon ? { icon: options.icon } : {}),
    ...(options.diagnostic ? { entity_category: 'diagnostic' } : {}),
  };
}

function availability(context: EntityContext): Record<string, unknown> {
  return { availability: [{ topic: context.availabilityTopic }] };
}

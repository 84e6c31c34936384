import { entityPictureUrl } from './picture.js';

/**
 * Pure: the avatar URL Home Assistant may fetch for a user's `image` entity, or null when there is none
 * it could use. The image entity renders its URL from the state document's `thumb` (url_template), so
 * that thumb itself must already be what entity_picture would use (src/ha/picture.ts): absolute http(s),
 * no credentials. Home Assistant's image platform logs an error per message for anything else, so a
 * relative or odd thumb means no avatar entity (the main entity still gets its picture, made absolute).
 */
export function avatarUrl(thumb: string): string | null {
  if (!/^https?:\/\/[^/]/i.test(thumb)) return null;
  return entityPictureUrl(thumb) === undefined ? null : thumb;
}

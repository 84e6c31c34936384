/**
 * Pure: a user's `thumb` as Home Assistant's `entity_picture`, which must be an absolute http(s) URL: any
 * other value makes Home Assistant reject the whole entity, not just its picture.
 *
 * plex.tv's avatars live on plex.tv itself (`https://plex.tv/users/<uuid>/avatar?c=…`), whatever
 * `plex.apiUrl` points at, so a relative or protocol-relative thumb is read against https://plex.tv.
 */

export const AVATAR_BASE = 'https://plex.tv/';

/** The absolute http(s) URL for `thumb`, or undefined when there is none to give (empty, data:, javascript:…). */
export function entityPictureUrl(thumb: string): string | undefined {
  const raw = thumb.trim();
  if (raw === '') return undefined;
  let url: URL;
  try {
    // An absolute URL keeps its own scheme and host; anything else is resolved against plex.tv.
    url = new URL(raw, AVATAR_BASE);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  // Credentials in a picture URL would be published, retained, to every subscriber.
  if (url.username !== '' || url.password !== '') return undefined;
  // URL's own serialisation: spaces and other unsafe characters percent-encoded.
  return url.href;
}

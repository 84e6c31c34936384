/**
 * Pure: the avatar URL Home Assistant may fetch for a user's `image` entity, or null when there is none
 * it could use. Home Assistant's image platform rejects anything but an absolute URL (and logs an error
 * per message), and it fetches the picture itself, so only http(s) with a host and no credentials pass.
 * plex.tv sends absolute thumbs today; a relative or odd one means "no avatar entity", never a broken one.
 * (Issue 8 adds a helper that makes thumbs absolute for entity_picture; the two belong together.)
 */
export function avatarUrl(thumb: string): string | null {
  if (thumb === '') return null;
  let url: URL;
  try {
    url = new URL(thumb);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.hostname === '' || url.username !== '' || url.password !== '') return null;
  return thumb;
}

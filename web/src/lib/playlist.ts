const PLAYLIST = /\.m3u8(\?|$)/;

/** Whether `url` names an HLS playlist (the API's streaming ladders and protected previews). */
export function isPlaylist(url: string): boolean {
  return PLAYLIST.test(url);
}

import { useEffect, useRef, type VideoHTMLAttributes } from "react";
import { useApi } from "@/api/context";
import { isPlaylist } from "@/lib/playlist";

/** Whether hls.js can play here (Media Source Extensions). It is preferred to a browser's own
 * HLS (Safari's, Chromium's newer one), which cannot send the token the API's playlists need. */
function hlsJsPlays(): boolean {
  return (
    typeof window !== "undefined" && ("MediaSource" in window || "ManagedMediaSource" in window)
  );
}

type Props = Omit<VideoHTMLAttributes<HTMLVideoElement>, "src"> & {
  src: string;
  /** What to play when the stream cannot be (a video processed before ladders existed). */
  fallback?: string;
};

/** A video that also streams HLS (the API's adaptive ladders and protected previews) where the
 * browser cannot: hls.js, loaded only then, fetches the API's playlists with the session's token
 * (the segments are signed storage URLs and get no token). */
export function StreamVideo({ src, fallback, ...props }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  const { session } = useApi();
  const viaHlsJs = isPlaylist(src) && hlsJsPlays();

  useEffect(() => {
    const video = ref.current;
    if (!video || !viaHlsJs) return;
    let stopped = false;
    let destroy = () => {};
    void (async () => {
      const [{ default: Hls }, token] = await Promise.all([import("hls.js"), session.current()]);
      if (stopped || !Hls.isSupported()) return;
      const origin = globalThis.location.origin;
      const player = new Hls({
        xhrSetup: (xhr, url) => {
          if (token && new URL(url, origin).origin === origin) {
            xhr.setRequestHeader("Authorization", `Bearer ${token}`);
          }
        },
      });
      destroy = () => player.destroy();
      player.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal || !fallback) return;
        player.destroy();
        video.src = fallback;
      });
      player.loadSource(src);
      player.attachMedia(video);
    })();
    return () => {
      stopped = true;
      destroy();
    };
  }, [src, fallback, viaHlsJs, session]);

  return <video ref={ref} src={viaHlsJs ? undefined : src} {...props} />;
}

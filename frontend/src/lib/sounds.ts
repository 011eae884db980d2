// The reactions' sounds (soundPlayer.ts: WebAudio, a mute toggle) and the app's hook for
// the toggle.
import { useSyncExternalStore } from "react";
import { isMuted, subscribeMuted } from "./soundPlayer";

export * from "./soundPlayer";

export function useMuted(): boolean {
  return useSyncExternalStore(subscribeMuted, isMuted, isMuted);
}

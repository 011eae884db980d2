// What every children's screen needs: the group, its workshop, its photos, the queue.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { loadPhotos, loadSession, loadSessionWithPhotos, type Group, type Photo, type Workshop } from "../lib/api";
import { errorCodeOf } from "../lib/graphql";
import { getUploadQueue } from "../lib/queueInstance";
import type { QueueSnapshot, UploadQueue } from "../lib/uploadQueue";
import { usePolling } from "../lib/usePolling";

// The instructors' announcement (and the phase) ride on this poll: every iPad must show an
// announcement within 5 s, request time included.
const SESSION_REFRESH_MS = 3000;

export interface KidsSession {
  group: Group;
  workshop: Workshop;
  photos: Photo[];
  refreshPhotos: () => Promise<void>;
  refreshSession: () => Promise<void>;
  removePhotoLocally: (id: string) => void;
  queue: UploadQueue;
}

const SessionContext = createContext<KidsSession | null>(null);

export function useKidsSession(): KidsSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useKidsSession outside KidsSessionProvider");
  return session;
}

export function useQueueSnapshot(queue: UploadQueue): QueueSnapshot {
  return useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
}

type LoadState = { kind: "loading" } | { kind: "loggedOut" } | { kind: "error"; error: unknown } | { kind: "ready" };

export function KidsSessionProvider({ children, loggedOut, failed, loading }: {
  children: ReactNode; loggedOut: ReactNode; failed: (error: unknown, retry: () => void) => ReactNode; loading: ReactNode;
}) {
  const queue = getUploadQueue();
  const [state, setState] = useState<LoadState>({ kind: "loading" });
  const [group, setGroup] = useState<Group | null>(null);
  const [workshop, setWorkshop] = useState<Workshop | null>(null);
  const [photos, setPhotos] = useState<Photo[]>([]);

  const refreshPhotos = useCallback(async () => {
    setPhotos(await loadPhotos());
  }, []);

  const refreshSession = useCallback(async () => {
    try {
      const session = await loadSessionWithPhotos();
      if (!session.me || !session.workshop) {
        setState({ kind: "loggedOut" });
        return;
      }
      setGroup(session.me);
      setWorkshop(session.workshop);
      setPhotos(session.photos);
      setState({ kind: "ready" });
    } catch (error) {
      setState(errorCodeOf(error) === "UNAUTHENTICATED" ? { kind: "loggedOut" } : { kind: "error", error });
    }
  }, []);

  useEffect(() => {
    void refreshSession();
  }, [refreshSession]);

  // The instructors move the phase on (e.g. open the ranking): pick it up without a reload.
  usePolling(async () => {
    try {
      const session = await loadSession();
      if (session.workshop) setWorkshop(session.workshop);
      if (!session.me) setState({ kind: "loggedOut" });
    } catch (error) {
      if (errorCodeOf(error) === "UNAUTHENTICATED") setState({ kind: "loggedOut" });
    }
  }, SESSION_REFRESH_MS, state.kind === "ready");

  // Send what is queued (also what a previous page load left) once we know who we are.
  useEffect(() => {
    if (state.kind !== "ready" || !group) return;
    queue.setOwner(group.id);
    void queue.start();
    return queue.onUploaded((photo) => {
      setPhotos((current) => (current.some((p) => p.id === photo.id) ? current : [...current, photo]));
    });
  }, [state.kind, queue, group]);

  const value = useMemo<KidsSession | null>(() => (group && workshop ? {
    group, workshop, photos, refreshPhotos, refreshSession, queue,
    removePhotoLocally: (id: string) => setPhotos((current) => current.filter((p) => p.id !== id)),
  } : null), [group, workshop, photos, refreshPhotos, refreshSession, queue]);

  if (state.kind === "loading") return <>{loading}</>;
  if (state.kind === "loggedOut") return <>{loggedOut}</>;
  if (state.kind === "error") return <>{failed(state.error, () => void refreshSession())}</>;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

// The upload queue: every photo is first written to IndexedDB, then a worker sends one or
// two at a time. Network errors, 5xx and 429 are retried with backoff; a photo the BFF
// refuses (4xx validation) is dropped with a message. The queue survives a reload (items
// are read back from IndexedDB on start) and wakes up on the browser's `online` event.
// Sending the same photo twice is harmless: the BFF de-duplicates by content hash.
import type { UploadedPhoto } from "./api";
import { GraphQLRequestError, type ErrorCode } from "./graphql";

export interface QueuedPhoto {
  id: string;          // client id, stable across retries and reloads
  classId: string;
  data: ArrayBuffer;   // bytes, not a Blob: every IndexedDB stores ArrayBuffers reliably
  type: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  owner?: string;      // the group that took it: another group's login on this iPad never sends it
}

export type { UploadedPhoto } from "./api";

export type ItemStatus = "waiting" | "sending" | "retrying";
export interface QueueItemView {
  id: string;
  classId: string;
  status: ItemStatus;
  progress: number;    // 0..1 of the current attempt
  attempts: number;
  blob: Blob;
  lastError?: ErrorCode;
}
export interface DroppedPhoto { id: string; classId: string; code: ErrorCode }
export interface QueueSnapshot { items: QueueItemView[]; dropped: DroppedPhoto[]; online: boolean }

export type Uploader = (photo: QueuedPhoto, blob: Blob, onProgress: (fraction: number) => void) => Promise<UploadedPhoto>;

export interface UploadQueueOptions {
  uploader: Uploader;
  idb?: IDBFactory;
  dbName?: string;
  concurrency?: number;
  /** Delay before attempt n+1 after n failures, in ms. */
  backoff?: (failures: number) => number;
  now?: () => number;
  newId?: () => string;
}

const STORE = "photos";
const DROP_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "BAD_USER_INPUT", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE", "NOT_FOUND", "FAILED_PRECONDITION",
  "FORBIDDEN", "CONFLICT", "GRAPHQL_VALIDATION_FAILED",
]);

/** Retry anything that is not the photo's own fault; UNAUTHENTICATED waits for a new login. */
export function shouldDrop(err: unknown): boolean {
  if (err instanceof GraphQLRequestError) return DROP_CODES.has(err.code) && !err.retryable;
  return false;
}

export function defaultBackoff(failures: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * A random client id. Not crypto.randomUUID(): that exists only in secure contexts, and a
 * laptop workshop (`pictolab up`) serves the iPads plain http://192.168.x.y:8000.
 */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDb(idb: IDBFactory, name: string): Promise<IDBDatabase> {
  const req = idb.open(name, 1);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: "id" });
  };
  return request(req);
}

export class UploadQueue {
  private readonly options: Required<Omit<UploadQueueOptions, "idb">> & { idb: IDBFactory };
  private db: Promise<IDBDatabase> | null = null;
  private readonly records = new Map<string, QueuedPhoto>();
  private readonly views = new Map<string, QueueItemView>();
  private readonly inFlight = new Set<string>();
  private dropped: DroppedPhoto[] = [];
  private snapshotCache: QueueSnapshot | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly uploadedListeners = new Set<(photo: UploadedPhoto) => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private loaded: Promise<void> | null = null;
  private owner: string | undefined;
  private online = typeof navigator === "undefined" ? true : navigator.onLine !== false;
  private readonly onOnline = () => {
    this.online = true;
    this.retryNow();
  };
  private readonly onOffline = () => {
    this.online = false;
    this.changed();
  };

  constructor(options: UploadQueueOptions) {
    this.options = {
      idb: options.idb ?? globalThis.indexedDB,
      dbName: options.dbName ?? "pictolab-uploads",
      concurrency: options.concurrency ?? 2,
      backoff: options.backoff ?? defaultBackoff,
      now: options.now ?? Date.now,
      newId: options.newId ?? newClientId,
      uploader: options.uploader,
    };
  }

  private database(): Promise<IDBDatabase> {
    this.db ??= openDb(this.options.idb, this.options.dbName);
    return this.db;
  }

  private async write(record: QueuedPhoto): Promise<void> {
    const tx = (await this.database()).transaction(STORE, "readwrite");
    await request(tx.objectStore(STORE).put(record));
  }

  private async remove(id: string): Promise<void> {
    const tx = (await this.database()).transaction(STORE, "readwrite");
    await request(tx.objectStore(STORE).delete(id));
  }

  /** Read what a previous page load left behind. */
  private load(): Promise<void> {
    this.loaded ??= (async () => {
      const tx = (await this.database()).transaction(STORE, "readonly");
      const stored = await request(tx.objectStore(STORE).getAll() as IDBRequest<QueuedPhoto[]>);
      for (const record of stored) {
        if (this.records.has(record.id)) continue;
        // A reload is a fresh start: try now rather than waiting out an old backoff.
        this.track({ ...record, nextAttemptAt: 0 });
      }
      this.changed();
    })();
    return this.loaded;
  }

  private track(record: QueuedPhoto): void {
    this.records.set(record.id, record);
    this.views.set(record.id, {
      id: record.id, classId: record.classId, status: record.attempts ? "retrying" : "waiting",
      progress: 0, attempts: record.attempts, blob: new Blob([record.data], { type: record.type }),
    });
  }

  /**
   * Whose photos to show and send. If the iPad is logged in as another group, photos the
   * previous group queued stay in IndexedDB until that group logs in again.
   */
  setOwner(owner: string | undefined): void {
    if (owner === this.owner) return;
    this.owner = owner;
    this.changed();
    if (this.running) this.pump();
  }

  private mine(record: QueuedPhoto): boolean {
    return record.owner === undefined || this.owner === undefined || record.owner === this.owner;
  }

  /** Start sending (and resume whatever a previous page load left in IndexedDB). */
  async start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      if (typeof window !== "undefined") {
        window.addEventListener("online", this.onOnline);
        window.addEventListener("offline", this.onOffline);
      }
    }
    await this.load();
    this.pump();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (typeof window !== "undefined") {
      window.removeEventListener("online", this.onOnline);
      window.removeEventListener("offline", this.onOffline);
    }
  }

  /** Queue a photo; it is in IndexedDB when the promise resolves. */
  async add(blob: Blob, classId: string): Promise<string> {
    const record: QueuedPhoto = {
      id: this.options.newId(), classId, data: await blob.arrayBuffer(), type: blob.type || "image/jpeg",
      createdAt: this.options.now(), attempts: 0, nextAttemptAt: 0, owner: this.owner,
    };
    await this.write(record);
    this.track(record);
    this.changed();
    if (this.running) this.pump();
    return record.id;
  }

  /** Forget the back-off and try every waiting photo now (the network came back). */
  retryNow(): void {
    for (const record of this.records.values()) record.nextAttemptAt = 0;
    this.changed();
    if (this.running) this.pump();
  }

  dismissDropped(id: string): void {
    this.dropped = this.dropped.filter((d) => d.id !== id);
    this.changed();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  onUploaded(listener: (photo: UploadedPhoto) => void): () => void {
    this.uploadedListeners.add(listener);
    return () => this.uploadedListeners.delete(listener);
  }

  getSnapshot = (): QueueSnapshot => {
    this.snapshotCache ??= {
      items: [...this.views.values()].filter((v) => this.mine(this.records.get(v.id)!)).map((v) => ({ ...v })),
      dropped: [...this.dropped],
      online: this.online,
    };
    return this.snapshotCache;
  };

  /** Photos of the current owner still to send. */
  get size(): number {
    return [...this.records.values()].filter((r) => this.mine(r)).length;
  }

  /** Resolves once nothing of the current owner is left to send or in flight. */
  async whenEmpty(pollMs = 20): Promise<void> {
    while (this.size > 0 || this.inFlight.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private changed(): void {
    this.snapshotCache = null;
    this.listeners.forEach((listener) => listener());
  }

  private pump(): void {
    if (!this.running) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const now = this.options.now();
    const waiting = [...this.records.values()]
      .filter((r) => !this.inFlight.has(r.id) && this.mine(r))
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const record of waiting) {
      if (this.inFlight.size >= this.options.concurrency) break;
      if (record.nextAttemptAt <= now) void this.send(record);
    }
    const later = waiting.filter((r) => !this.inFlight.has(r.id));
    if (later.length && this.inFlight.size < this.options.concurrency) {
      const soonest = Math.min(...later.map((r) => r.nextAttemptAt));
      this.timer = setTimeout(() => this.pump(), Math.max(0, soonest - now));
    }
  }

  private setView(id: string, patch: Partial<QueueItemView>): void {
    const view = this.views.get(id);
    if (!view) return;
    this.views.set(id, { ...view, ...patch });
    this.changed();
  }

  private async send(record: QueuedPhoto): Promise<void> {
    this.inFlight.add(record.id);
    const view = this.views.get(record.id)!;
    this.setView(record.id, { status: "sending", progress: 0 });
    try {
      const photo = await this.options.uploader(record, view.blob,
        (fraction) => this.setView(record.id, { progress: Math.min(1, Math.max(0, fraction)) }));
      await this.forget(record.id);
      this.uploadedListeners.forEach((listener) => listener(photo));
    } catch (err) {
      const code: ErrorCode = err instanceof GraphQLRequestError ? err.code : "INTERNAL";
      if (shouldDrop(err)) {
        await this.forget(record.id);
        this.dropped = [...this.dropped, { id: record.id, classId: record.classId, code }];
      } else {
        record.attempts += 1;
        record.nextAttemptAt = this.options.now() + this.options.backoff(record.attempts);
        if (code === "NETWORK") this.online = typeof navigator === "undefined" ? this.online : navigator.onLine !== false;
        await this.write(record).catch(() => undefined);
        this.setView(record.id, { status: "retrying", progress: 0, attempts: record.attempts, lastError: code });
      }
    } finally {
      this.inFlight.delete(record.id);
      this.changed();
      this.pump();
    }
  }

  private async forget(id: string): Promise<void> {
    await this.remove(id);
    this.records.delete(id);
    this.views.delete(id);
  }
}

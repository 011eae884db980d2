import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { GraphQLRequestError } from "./graphql";
import { newClientId, shouldDrop, UploadQueue, type QueuedPhoto, type Uploader, type UploadedPhoto } from "./uploadQueue";

function photoBlob(text: string): Blob {
  return new Blob([text], { type: "image/jpeg" });
}

/** An uploader that records what it got and answers from a script of outcomes. */
function scriptedUploader(script: ((photo: QueuedPhoto) => Error | null)[]) {
  const calls: { id: string; classId: string; body: string }[] = [];
  let call = 0;
  const uploader: Uploader = async (photo, blob, onProgress) => {
    const body = await blob.text();
    calls.push({ id: photo.id, classId: photo.classId, body });
    onProgress(0.5);
    const outcome = (script[call] ?? (() => null))(photo);
    call += 1;
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (outcome) throw outcome;
    onProgress(1);
    return { id: `server-${photo.id}`, classId: photo.classId, url: `/media/photos/server-${photo.id}`, width: 4, height: 3 } satisfies UploadedPhoto;
  };
  return { uploader, calls };
}

const fastBackoff = () => 5;

describe("UploadQueue", () => {
  it("stores each photo in IndexedDB, uploads it and removes it", async () => {
    const idb = new IDBFactory();
    const { uploader, calls } = scriptedUploader([]);
    const queue = new UploadQueue({ uploader, idb, backoff: fastBackoff });
    const uploaded: UploadedPhoto[] = [];
    queue.onUploaded((p) => uploaded.push(p));
    await queue.add(photoBlob("a"), "cls-1");
    await queue.add(photoBlob("b"), "cls-2");
    expect(queue.size).toBe(2);
    await queue.start();
    await queue.whenEmpty();
    queue.stop();
    expect(calls.map((c) => [c.classId, c.body])).toEqual([["cls-1", "a"], ["cls-2", "b"]]);
    expect(uploaded.map((p) => p.classId)).toEqual(["cls-1", "cls-2"]);
    // Nothing left for a reload to find.
    const again = new UploadQueue({ uploader, idb });
    await again.start();
    expect(again.size).toBe(0);
    again.stop();
  });

  it("retries after network errors, 5xx and 429 until the photo arrives", async () => {
    const { uploader, calls } = scriptedUploader([
      () => new GraphQLRequestError("offline", "NETWORK", 0),
      () => new GraphQLRequestError("HTTP 503", "UNAVAILABLE", 503),
      () => new GraphQLRequestError("slow down", "RATE_LIMITED", 429),
    ]);
    const queue = new UploadQueue({ uploader, idb: new IDBFactory(), backoff: fastBackoff });
    const uploaded: UploadedPhoto[] = [];
    queue.onUploaded((p) => uploaded.push(p));
    const id = await queue.add(photoBlob("x"), "cls");
    await queue.start();
    await queue.whenEmpty();
    queue.stop();
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.id))).toEqual(new Set([id]));  // the same client id every time
    expect(uploaded).toHaveLength(1);
    expect(queue.getSnapshot().dropped).toEqual([]);
  });

  it("drops a photo the server refuses, with the reason, and goes on with the rest", async () => {
    const { uploader, calls } = scriptedUploader([
      () => new GraphQLRequestError("not an image", "UNSUPPORTED_MEDIA_TYPE", 200),
      () => null,
    ]);
    const queue = new UploadQueue({ uploader, idb: new IDBFactory(), backoff: fastBackoff, concurrency: 1 });
    const bad = await queue.add(photoBlob("bad"), "cls");
    await queue.add(photoBlob("good"), "cls");
    await queue.start();
    await queue.whenEmpty();
    queue.stop();
    expect(calls.map((c) => c.body)).toEqual(["bad", "good"]);
    expect(queue.getSnapshot().dropped).toEqual([{ id: bad, classId: "cls", code: "UNSUPPORTED_MEDIA_TYPE" }]);
    queue.dismissDropped(bad);
    expect(queue.getSnapshot().dropped).toEqual([]);
  });

  it("keeps failed photos across a reload and sends them from the new page", async () => {
    const idb = new IDBFactory();
    const offline = scriptedUploader(Array(100).fill(() => new GraphQLRequestError("offline", "NETWORK", 0)));
    const first = new UploadQueue({ uploader: offline.uploader, idb, backoff: () => 60_000 });
    await first.add(photoBlob("one"), "a");
    await first.add(photoBlob("two"), "b");
    await first.start();
    // Let both attempts fail, then "reload": the first page is gone.
    while (offline.calls.length < 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    first.stop();
    expect(first.getSnapshot().items.map((i) => i.status)).toEqual(["retrying", "retrying"]);

    const online = scriptedUploader([]);
    const second = new UploadQueue({ uploader: online.uploader, idb, backoff: fastBackoff });
    await second.start();
    await second.whenEmpty();
    second.stop();
    expect(online.calls.map((c) => [c.classId, c.body]).sort()).toEqual([["a", "one"], ["b", "two"]]);
  });

  it("sends at most `concurrency` photos at once", async () => {
    let active = 0;
    let peak = 0;
    const uploader: Uploader = async (photo) => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 10));
      active -= 1;
      return { id: photo.id, classId: photo.classId, url: "", width: 4, height: 3 };
    };
    const queue = new UploadQueue({ uploader, idb: new IDBFactory(), concurrency: 2 });
    for (let i = 0; i < 6; i += 1) await queue.add(photoBlob(String(i)), "c");
    await queue.start();
    await queue.whenEmpty();
    queue.stop();
    expect(peak).toBe(2);
  });

  it("reports per-photo progress of the current attempt", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const uploader: Uploader = async (photo, _blob, onProgress) => {
      onProgress(0.4);
      await gate;
      return { id: photo.id, classId: photo.classId, url: "", width: 4, height: 3 };
    };
    const queue = new UploadQueue({ uploader, idb: new IDBFactory() });
    await queue.add(photoBlob("p"), "c");
    await queue.start();
    await new Promise((r) => setTimeout(r, 5));
    const [item] = queue.getSnapshot().items;
    expect(item.status).toBe("sending");
    expect(item.progress).toBeCloseTo(0.4);
    release();
    await queue.whenEmpty();
    queue.stop();
  });

  it("tries again at once when the browser comes back online", async () => {
    const { uploader, calls } = scriptedUploader([() => new GraphQLRequestError("offline", "NETWORK", 0)]);
    const queue = new UploadQueue({ uploader, idb: new IDBFactory(), backoff: () => 60_000 });
    await queue.add(photoBlob("o"), "c");
    await queue.start();
    while (calls.length < 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 10));
    expect(queue.size).toBe(1);  // waiting out a one-minute backoff
    window.dispatchEvent(new Event("online"));
    await queue.whenEmpty();
    queue.stop();
    expect(calls).toHaveLength(2);
  });

  it("sends only the logged-in group's photos; another group's wait for it", async () => {
    const idb = new IDBFactory();
    const { uploader, calls } = scriptedUploader([]);
    const panda = new UploadQueue({ uploader, idb });
    panda.setOwner("panda");
    await panda.add(photoBlob("panda photo"), "c");  // queued, never started: the Wi-Fi was down

    const fox = new UploadQueue({ uploader, idb, backoff: fastBackoff });
    fox.setOwner("fox");
    await fox.add(photoBlob("fox photo"), "c");
    await fox.start();
    await fox.whenEmpty();
    expect(calls.map((c) => c.body)).toEqual(["fox photo"]);
    expect(fox.getSnapshot().items).toEqual([]);  // the panda's photo is not shown to the fox

    fox.setOwner("panda");  // the panda group scans its card again
    await fox.whenEmpty();
    fox.stop();
    expect(calls.map((c) => c.body)).toEqual(["fox photo", "panda photo"]);
  });
});

describe("newClientId", () => {
  it("makes 128-bit hex ids without crypto.randomUUID (missing on plain-http LAN pages)", () => {
    const original = crypto.randomUUID;
    Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
    try {
      const ids = new Set(Array.from({ length: 100 }, () => newClientId()));
      expect(ids.size).toBe(100);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      Object.defineProperty(crypto, "randomUUID", { value: original, configurable: true });
    }
  });
});

describe("shouldDrop", () => {
  it.each([
    ["BAD_USER_INPUT", 200, true],
    ["UNSUPPORTED_MEDIA_TYPE", 200, true],
    ["PAYLOAD_TOO_LARGE", 413, true],
    ["FAILED_PRECONDITION", 200, true],
    ["NETWORK", 0, false],
    ["UNAVAILABLE", 502, false],
    ["RATE_LIMITED", 429, false],
    ["INTERNAL", 500, false],
    ["UNAUTHENTICATED", 200, false],
  ] as const)("%s (HTTP %d) -> drop=%s", (code, status, drop) => {
    expect(shouldDrop(new GraphQLRequestError("x", code, status))).toBe(drop);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApiClient } from "@/api/client";
import { ApiError } from "@/api/errors";
import { apiError, FakeApi, json } from "@/test/fake-api";
import {
  savedUploadOf,
  savedUploads,
  uploadFile,
  xhrTransport,
  type SavedUpload,
  type StorageRequest,
  type StorageResponse,
  type UploadOut,
  type UploadProgress,
} from "./upload";

const UPLOAD_ID = "5b0c7a2e-0000-4000-8000-000000000001";
const GIG_ID = "9d1e2f30-0000-4000-8000-000000000002";
const LATER = new Date(Date.now() + 3600_000).toISOString();

function uploadOut(overrides: Partial<UploadOut> = {}): UploadOut {
  return {
    id: UPLOAD_ID,
    owner_id: "6f1c1f8e-0000-4000-8000-000000000001",
    kind: "video",
    purpose: "gig_gallery",
    target_id: GIG_ID,
    filename: "reel.mp4",
    content_type: "video/mp4",
    size: 10,
    state: "pending",
    failure_reason: null,
    public: true,
    probe: null,
    original: null,
    derived: {},
    created_at: "2026-11-20T10:00:00Z",
    completed_at: null,
    ready_at: null,
    ...overrides,
  };
}

/** A 10-byte video: in 4-byte parts, 3 of them (4 + 4 + 2). */
function video(name = "reel.mp4") {
  return new File([new Uint8Array(10)], name, { type: "video/mp4", lastModified: 1_700_000_000 });
}

const partUrl = (n: number, batch = "a") =>
  `https://store.test/media/reel.mp4?part=${n}&sig=${batch}`;
const partOf = (request: StorageRequest) => Number(new URL(request.url).searchParams.get("part"));
const sizeOf = (request: StorageRequest) => (request.body instanceof Blob ? request.body.size : -1);

/** Storage behind a fake transport: reports half then all of each body, answers an ETag. */
function fakeStorage(
  answer: (
    request: StorageRequest,
    attempt: number,
  ) => StorageResponse | Promise<StorageResponse> = (request) => ({
    status: 200,
    etag: `"etag-${partOf(request)}"`,
  }),
) {
  const requests: StorageRequest[] = [];
  const attempts = new Map<string, number>();
  const transport = async (request: StorageRequest): Promise<StorageResponse> => {
    requests.push(request);
    const key = String(partOf(request));
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const size = sizeOf(request);
    request.onProgress(Math.floor(size / 2));
    const response = await answer(request, attempt);
    if (response.status === 200) request.onProgress(size);
    return response;
  };
  return { transport, requests };
}

function multipartApi(partSize = 4, partCount = 3) {
  return new FakeApi()
    .on("POST /v1/uploads/video", () =>
      json(201, {
        upload: uploadOut(),
        single: null,
        multipart: {
          part_size: partSize,
          part_count: partCount,
          parts: Array.from({ length: partCount }, (_, i) => ({
            part_number: i + 1,
            url: partUrl(i + 1),
          })),
        },
        expires_at: LATER,
      }),
    )
    .on(`POST /v1/uploads/${UPLOAD_ID}/parts`, async (request) => {
      const { part_numbers } = (await request.json()) as { part_numbers: number[] };
      return json(200, {
        parts: part_numbers.map((n) => ({ part_number: n, url: partUrl(n, "fresh") })),
        expires_at: LATER,
      });
    })
    .on(`POST /v1/uploads/${UPLOAD_ID}/complete`, () =>
      json(200, uploadOut({ state: "processing", completed_at: "2026-11-20T10:01:00Z" })),
    );
}

function clientOf(api: FakeApi) {
  return createApiClient({ baseUrl: "http://reelbyte.test", fetch: api.fetch }).client;
}

const target = { kind: "video", purpose: "gig_gallery", targetId: GIG_ID } as const;
const noWait = () => 0;

beforeEach(() => localStorage.clear());
afterEach(() => localStorage.clear());

describe("a direct upload", () => {
  it("PUTs the file with exactly the signed headers, reports progress, then completes", async () => {
    const api = new FakeApi()
      .on("POST /v1/uploads/image", () =>
        json(201, {
          upload: uploadOut({ kind: "image", filename: "still.png", content_type: "image/png" }),
          single: {
            method: "PUT",
            url: "https://store.test/media/still.png?sig=1",
            headers: { "Content-Type": "image/png" },
            fields: {},
          },
          multipart: null,
          expires_at: LATER,
        }),
      )
      .on(`POST /v1/uploads/${UPLOAD_ID}/complete`, () =>
        json(200, uploadOut({ kind: "image", state: "processing" })),
      );
    const storage = fakeStorage(() => ({ status: 200, etag: '"whole"' }));
    const progress: UploadProgress[] = [];
    const file = new File([new Uint8Array(8)], "still.png", { type: "image/png" });

    const upload = await uploadFile({
      client: clientOf(api),
      kind: "image",
      purpose: "gig_gallery",
      targetId: GIG_ID,
      file,
      transport: storage.transport,
      onProgress: (p) => progress.push(p),
    });

    expect(upload.state).toBe("processing");
    expect(JSON.parse(api.calls("POST /v1/uploads/image")[0]!.body)).toEqual({
      filename: "still.png",
      size: 8,
      content_type: "image/png",
      purpose: "gig_gallery",
      target_id: GIG_ID,
    });
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]).toMatchObject({
      method: "PUT",
      url: "https://store.test/media/still.png?sig=1",
      headers: { "Content-Type": "image/png" },
      body: file,
    });
    expect(progress.map((p) => p.loaded)).toEqual([0, 4, 8, 8]);
    expect(progress.at(-1)).toMatchObject({ uploadId: UPLOAD_ID, total: 8 });
    expect(JSON.parse(api.calls(`POST /v1/uploads/${UPLOAD_ID}/complete`)[0]!.body)).toEqual({});
    expect(savedUploads(target)).toEqual([]); // nothing kept for a one-request upload
  });

  it("rejects with the API's error when the file may not be uploaded", async () => {
    const api = new FakeApi().on("POST /v1/uploads/video", () =>
      apiError(413, "upload_too_large", "The file is larger than files of this kind may be."),
    );
    const storage = fakeStorage();

    const failure = uploadFile({
      client: clientOf(api),
      ...target,
      file: video(),
      transport: storage.transport,
    });

    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({
      code: "upload_too_large",
      message: "The file is larger than files of this kind may be.",
    });
    expect(storage.requests).toHaveLength(0);
  });
});

describe("a multipart upload", () => {
  it("sends every part and completes with the ETags in part order", async () => {
    const api = multipartApi();
    // Part 1 answers last: the completion must still list the parts in order.
    const storage = fakeStorage(async (request) => {
      if (partOf(request) === 1) await new Promise((resolve) => setTimeout(resolve, 20));
      return { status: 200, etag: `"etag-${partOf(request)}"` };
    });
    const progress: number[] = [];

    const upload = await uploadFile({
      client: clientOf(api),
      ...target,
      file: video(),
      transport: storage.transport,
      onProgress: (p) => progress.push(p.loaded),
    });

    expect(upload.state).toBe("processing");
    expect(storage.requests.map(partOf).sort()).toEqual([1, 2, 3]);
    expect(storage.requests.map(sizeOf).sort()).toEqual([2, 4, 4]);
    expect(
      storage.requests.every((r) => r.method === "PUT" && Object.keys(r.headers).length === 0),
    ).toBe(true);
    expect(JSON.parse(api.calls(`POST /v1/uploads/${UPLOAD_ID}/complete`)[0]!.body)).toEqual({
      parts: [
        { part_number: 1, etag: '"etag-1"' },
        { part_number: 2, etag: '"etag-2"' },
        { part_number: 3, etag: '"etag-3"' },
      ],
    });
    // Progress counts across the parts and never goes back.
    expect(progress.at(-1)).toBe(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(savedUploads(target)).toEqual([]); // done: nothing left to resume
  });

  it("sends a failed part again, with backoff, and completes", async () => {
    const api = multipartApi();
    const storage = fakeStorage((request, attempt) =>
      partOf(request) === 2 && attempt < 3
        ? { status: attempt === 1 ? 500 : 0, etag: null }
        : { status: 200, etag: `"etag-${partOf(request)}"` },
    );
    const delays: number[] = [];

    await uploadFile({
      client: clientOf(api),
      ...target,
      file: video(),
      transport: storage.transport,
      retryDelay: (attempt) => {
        delays.push(attempt);
        return 0;
      },
    });

    expect(storage.requests.filter((r) => partOf(r) === 2)).toHaveLength(3);
    expect(delays).toEqual([1, 2]);
    expect(api.calls(`POST /v1/uploads/${UPLOAD_ID}/complete`)).toHaveLength(1);
  });

  it("asks for a fresh URL when storage refuses a part's URL", async () => {
    const api = multipartApi();
    const storage = fakeStorage((request) =>
      request.url === partUrl(3)
        ? { status: 403, etag: null }
        : { status: 200, etag: `"etag-${partOf(request)}"` },
    );

    await uploadFile({
      client: clientOf(api),
      ...target,
      file: video(),
      transport: storage.transport,
      retryDelay: noWait,
    });

    expect(JSON.parse(api.calls(`POST /v1/uploads/${UPLOAD_ID}/parts`)[0]!.body)).toEqual({
      part_numbers: [3],
    });
    expect(storage.requests.filter((r) => partOf(r) === 3).map((r) => r.url)).toEqual([
      partUrl(3),
      partUrl(3, "fresh"),
    ]);
  });

  it("gives up on a part after three retries and keeps what was sent", async () => {
    const api = multipartApi();
    const storage = fakeStorage((request) =>
      partOf(request) === 3
        ? { status: 0, etag: null }
        : { status: 200, etag: `"etag-${partOf(request)}"` },
    );

    const failure = uploadFile({
      client: clientOf(api),
      ...target,
      file: video(),
      transport: storage.transport,
      retryDelay: noWait,
      concurrency: 1,
    });

    await expect(failure).rejects.toMatchObject({ code: "storage_upload_failed" });
    expect(storage.requests.filter((r) => partOf(r) === 3)).toHaveLength(4);
    expect(api.calls(`POST /v1/uploads/${UPLOAD_ID}/complete`)).toHaveLength(0);
    const [saved] = savedUploads(target);
    expect(saved).toMatchObject({ uploadId: UPLOAD_ID, partCount: 3 });
    expect(saved?.etags).toEqual({ "1": '"etag-1"', "2": '"etag-2"' });
  });
});

describe("resuming", () => {
  function savedState(etags: Record<string, string>): SavedUpload {
    const file = video();
    return {
      uploadId: UPLOAD_ID,
      kind: "video",
      purpose: "gig_gallery",
      targetId: GIG_ID,
      name: file.name,
      size: file.size,
      lastModified: file.lastModified,
      partSize: 4,
      partCount: 3,
      etags,
      savedAt: Date.now(),
    };
  }

  it("after a reload, sends only the parts storage does not have yet", async () => {
    const api = multipartApi();
    const storage = fakeStorage();
    const file = video();
    // What an earlier page left in localStorage: parts 1 and 2 are in storage.
    const earlier = savedState({ "1": '"etag-1"', "2": '"etag-2"' });
    localStorage.setItem(
      `reelbyte:upload:video|gig_gallery|${GIG_ID}|reel.mp4|10|1700000000`,
      JSON.stringify(earlier),
    );
    expect(savedUploadOf(target, file)?.uploadId).toBe(UPLOAD_ID);
    const progress: UploadProgress[] = [];

    await uploadFile({
      client: clientOf(api),
      ...target,
      file,
      transport: storage.transport,
      onProgress: (p) => progress.push(p),
    });

    expect(api.calls("POST /v1/uploads/video")).toHaveLength(0); // no new upload
    expect(JSON.parse(api.calls(`POST /v1/uploads/${UPLOAD_ID}/parts`)[0]!.body)).toEqual({
      part_numbers: [3],
    });
    expect(storage.requests.map(partOf)).toEqual([3]);
    expect(progress[0]).toMatchObject({ loaded: 8, resumedBytes: 8, total: 10 });
    expect(JSON.parse(api.calls(`POST /v1/uploads/${UPLOAD_ID}/complete`)[0]!.body)).toEqual({
      parts: [
        { part_number: 1, etag: '"etag-1"' },
        { part_number: 2, etag: '"etag-2"' },
        { part_number: 3, etag: '"etag-3"' },
      ],
    });
    expect(savedUploadOf(target, file)).toBeNull();
  });

  it("after a dropped connection, the same file goes on from the first missing part", async () => {
    const api = multipartApi();
    let online = true;
    const storage = fakeStorage((request) => {
      if (partOf(request) === 2) online = false; // the connection drops during part 2
      return online
        ? { status: 200, etag: `"etag-${partOf(request)}"` }
        : { status: 0, etag: null };
    });
    const options = {
      client: clientOf(api),
      ...target,
      file: video(),
      transport: storage.transport,
      retryDelay: noWait,
      concurrency: 1,
    };

    await expect(uploadFile(options)).rejects.toMatchObject({ code: "storage_upload_failed" });
    online = true;
    storage.requests.length = 0;
    const retried = fakeStorage();
    await uploadFile({ ...options, transport: retried.transport });

    expect(api.calls("POST /v1/uploads/video")).toHaveLength(1);
    expect(retried.requests.map(partOf)).toEqual([2, 3]);
    const completion = JSON.parse(api.calls(`POST /v1/uploads/${UPLOAD_ID}/complete`)[0]!.body);
    expect(completion.parts.map((p: { part_number: number }) => p.part_number)).toEqual([1, 2, 3]);
  });

  it("starts over when the API no longer has the saved upload", async () => {
    const api = multipartApi().on(`POST /v1/uploads/${UPLOAD_ID}/parts`, () =>
      apiError(409, "upload_not_pending", "This upload is no longer waiting for its file."),
    );
    localStorage.setItem(
      `reelbyte:upload:video|gig_gallery|${GIG_ID}|reel.mp4|10|1700000000`,
      JSON.stringify(savedState({ "1": '"etag-1"' })),
    );
    const storage = fakeStorage();

    await uploadFile({
      client: clientOf(api),
      ...target,
      file: video(),
      transport: storage.transport,
    });

    expect(api.calls("POST /v1/uploads/video")).toHaveLength(1);
    expect(storage.requests.map(partOf).sort()).toEqual([1, 2, 3]);
  });
});

describe("aborting", () => {
  it("stops the upload, never completes it and keeps it resumable", async () => {
    const api = multipartApi();
    const controller = new AbortController();
    const storage = fakeStorage((request) =>
      partOf(request) === 1
        ? { status: 200, etag: '"etag-1"' }
        : new Promise<StorageResponse>((_, reject) => {
            request.signal.addEventListener("abort", () =>
              reject(new DOMException("stopped", "AbortError")),
            );
            controller.abort(); // the person presses Cancel while part 2 is on its way
          }),
    );

    const failure = uploadFile({
      client: clientOf(api),
      ...target,
      file: video(),
      transport: storage.transport,
      signal: controller.signal,
      concurrency: 1,
    });

    await expect(failure).rejects.toMatchObject({ name: "AbortError" });
    expect(storage.requests.map(partOf)).toEqual([1, 2]);
    expect(api.calls(`POST /v1/uploads/${UPLOAD_ID}/complete`)).toHaveLength(0);
    expect(savedUploads(target)[0]?.etags).toEqual({ "1": '"etag-1"' });
  });
});

describe("the browser's transport", () => {
  /** Just enough of XMLHttpRequest to see what the transport does with it. */
  class FakeXhr {
    static last: FakeXhr | null = null;
    method = "";
    url = "";
    headers: Record<string, string> = {};
    body: unknown = null;
    status = 0;
    aborted = false;
    upload: { onprogress: ((event: { loaded: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    ontimeout: (() => void) | null = null;
    onabort: (() => void) | null = null;
    responseHeaders: Record<string, string> = {};
    constructor() {
      FakeXhr.last = this;
    }
    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(name: string, value: string) {
      this.headers[name] = value;
    }
    getResponseHeader(name: string) {
      return this.responseHeaders[name.toLowerCase()] ?? null;
    }
    send(body: unknown) {
      this.body = body;
    }
    abort() {
      this.aborted = true;
      this.onabort?.();
    }
  }

  beforeEach(() => vi.stubGlobal("XMLHttpRequest", FakeXhr));
  afterEach(() => vi.unstubAllGlobals());

  it("sends only the signed headers, reports progress and reads the ETag", async () => {
    const body = new Blob([new Uint8Array(6)]);
    const loaded: number[] = [];
    const sent = xhrTransport({
      method: "PUT",
      url: "https://store.test/part?sig=1",
      headers: { "Content-Type": "video/mp4", "Content-Length": "6" },
      body,
      signal: new AbortController().signal,
      onProgress: (bytes) => loaded.push(bytes),
    });
    const xhr = FakeXhr.last!;
    xhr.upload.onprogress?.({ loaded: 3 });
    xhr.status = 200;
    xhr.responseHeaders = { etag: '"abc"' };
    xhr.onload?.();

    await expect(sent).resolves.toEqual({ status: 200, etag: '"abc"' });
    expect(xhr).toMatchObject({ method: "PUT", url: "https://store.test/part?sig=1", body });
    expect(xhr.headers).toEqual({ "Content-Type": "video/mp4" }); // the browser sets the length
    expect(loaded).toEqual([3]);
  });

  it("answers status 0 when storage cannot be reached, and aborts with the signal", async () => {
    const request = (signal: AbortSignal) =>
      xhrTransport({
        method: "PUT",
        url: "https://store.test/part",
        headers: {},
        body: new Blob(["x"]),
        signal,
        onProgress: () => undefined,
      });
    const unreachable = request(new AbortController().signal);
    FakeXhr.last!.onerror?.();
    await expect(unreachable).resolves.toEqual({ status: 0, etag: null });

    const controller = new AbortController();
    const stopped = request(controller.signal);
    controller.abort();
    await expect(stopped).rejects.toMatchObject({ name: "AbortError" });
    expect(FakeXhr.last!.aborted).toBe(true);
  });
});

/**
 * The upload engine, free of React: the browser sends files straight to storage.
 *
 * Follows src/reelbyte/media (router.py, service.py): `POST /v1/uploads/{kind}` answers either
 * `single` (one presigned request: a PUT of the bytes with exactly the given headers, or a POST
 * of a form) or `multipart` (`part_size` bytes per part, the last the rest; URLs for the first
 * parts, more from `POST /v1/uploads/{id}/parts`); `POST /v1/uploads/{id}/complete` then names
 * every part with the ETag its PUT answered, and the server checks and processes the file.
 *
 * A multipart upload's progress (its id and each sent part's ETag) is kept in localStorage under
 * the file's identity (name, size, last modified, and what it is for), so that the same file
 * picked again after a reload or a dropped connection goes on from the parts still missing. The
 * API gives up uploads still pending after a day; so does this.
 *
 * Storage is on another origin: every request to it is a plain CORS request (no credentials)
 * with only the headers the API says were signed. It must answer CORS and expose `ETag`.
 */
import type { Client } from "openapi-fetch";
import { unwrap } from "@/api/client";
import { ApiError, isApiError } from "@/api/errors";
import type { components, paths } from "@/api/schema";

type Schemas = components["schemas"];
export type UploadOut = Schemas["UploadOut"];
export type UploadKind = Schemas["UploadKind"];
export type UploadPurpose = Schemas["UploadPurpose"];
type UploadStarted = Schemas["UploadStarted"];
type PartUrl = Schemas["PartUrl"];

/** How many part URLs one `POST /v1/uploads/{id}/parts` may ask for (media/rules.py). */
export const PART_URLS_PER_REQUEST = 50;
/** A failed request to storage is sent again this many times. */
export const MAX_RETRIES = 3;
const RESUME_PREFIX = "reelbyte:upload:";
/** The API sweeps uploads pending for a day; stop offering to resume a little before. */
const RESUME_FOR_MS = 23 * 60 * 60 * 1000;
/** Ask for fresh part URLs this long before the ones we have expire. */
const URL_MARGIN_MS = 60 * 1000;
/** Headers a page may not set (the browser sets them from the body). */
const FORBIDDEN_HEADERS = new Set(["content-length", "host", "connection"]);

/** What the kinds take (media/rules.py): for `accept`, hints and a type the browser left out. */
export const KIND_FORMATS: Record<
  UploadKind,
  { types: Record<string, string[]>; maxBytes: number }
> = {
  video: {
    types: {
      "video/mp4": [".mp4", ".m4v"],
      "video/quicktime": [".mov"],
      "video/x-msvideo": [".avi"],
    },
    maxBytes: 500_000_000,
  },
  image: {
    types: {
      "image/jpeg": [".jpg", ".jpeg"],
      "image/png": [".png"],
      "image/gif": [".gif"],
      "image/webp": [".webp"],
    },
    maxBytes: 10_000_000,
  },
  document: { types: { "application/pdf": [".pdf"] }, maxBytes: 5_000_000 },
};

// --- the transport: one request to storage -------------------------------------------------

export interface StorageRequest {
  method: "PUT" | "POST";
  url: string;
  /** Exactly the headers to send (the signed ones). */
  headers: Record<string, string>;
  body: Blob | FormData;
  signal: AbortSignal;
  /** Bytes of the body sent so far. */
  onProgress: (loaded: number) => void;
}

/** `status` 0 when storage could not be reached; `etag` is the response's ETag header. */
export interface StorageResponse {
  status: number;
  etag: string | null;
}

export type Transport = (request: StorageRequest) => Promise<StorageResponse>;

export function abortError(): DOMException {
  return new DOMException("The upload was stopped.", "AbortError");
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/** The browser's transport: XMLHttpRequest, because fetch reports no upload progress. */
export const xhrTransport: Transport = (request) =>
  new Promise((resolve, reject) => {
    if (request.signal.aborted) {
      reject(abortError());
      return;
    }
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    const done = () => request.signal.removeEventListener("abort", abort);
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers)) {
      if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => request.onProgress(event.loaded);
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, etag: xhr.getResponseHeader("ETag") });
    };
    // A network failure, or a CORS refusal (which the page is not told apart from one).
    xhr.onerror = xhr.ontimeout = () => {
      done();
      resolve({ status: 0, etag: null });
    };
    xhr.onabort = () => {
      done();
      reject(abortError());
    };
    request.signal.addEventListener("abort", abort, { once: true });
    xhr.send(request.body);
  });

// --- what is kept to resume ----------------------------------------------------------------

/** What a file is uploaded for: with the file's identity, the key of its saved progress. */
export interface UploadTarget {
  kind: UploadKind;
  purpose: UploadPurpose;
  targetId?: string | null;
}

export interface SavedUpload {
  uploadId: string;
  kind: UploadKind;
  purpose: UploadPurpose;
  targetId: string | null;
  name: string;
  size: number;
  lastModified: number;
  partSize: number;
  partCount: number;
  /** part number → ETag, for the parts storage has. */
  etags: Record<string, string>;
  savedAt: number;
}

/** The slice of the Web Storage API used (localStorage by default; tests may give their own). */
export type ResumeStore = Pick<Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;

function defaultStore(): ResumeStore | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: uploads work, they just cannot resume after a reload
  }
}

function resumeKey(target: UploadTarget, file: Pick<File, "name" | "size" | "lastModified">) {
  const parts = [
    target.kind,
    target.purpose,
    target.targetId ?? "",
    file.name,
    file.size,
    file.lastModified,
  ];
  return RESUME_PREFIX + parts.map((part) => encodeURIComponent(String(part))).join("|");
}

function keyOf(saved: SavedUpload): string {
  return resumeKey(saved, { name: saved.name, size: saved.size, lastModified: saved.lastModified });
}

function isFresh(saved: SavedUpload, now: number): boolean {
  return now - saved.savedAt < RESUME_FOR_MS;
}

function read(store: ResumeStore, key: string): SavedUpload | null {
  try {
    const value = store.getItem(key);
    return value === null ? null : (JSON.parse(value) as SavedUpload);
  } catch {
    return null;
  }
}

function write(store: ResumeStore | null, saved: SavedUpload): void {
  try {
    store?.setItem(keyOf(saved), JSON.stringify(saved));
  } catch {
    // full or disabled: the upload goes on, it just cannot resume after a reload
  }
}

/** The saved progress of this file for this target, if an unfinished upload of it is resumable. */
export function savedUploadOf(
  target: UploadTarget,
  file: File,
  store: ResumeStore | null = defaultStore(),
  now = Date.now(),
): SavedUpload | null {
  if (!store) return null;
  const saved = read(store, resumeKey(target, file));
  if (saved && isFresh(saved, now)) return saved;
  if (saved) store.removeItem(resumeKey(target, file));
  return null;
}

/** Every unfinished upload saved for this target (to offer to resume it), stale ones dropped. */
export function savedUploads(
  target: UploadTarget,
  store: ResumeStore | null = defaultStore(),
  now = Date.now(),
): SavedUpload[] {
  if (!store) return [];
  const found: SavedUpload[] = [];
  const stale: string[] = [];
  for (let index = 0; index < store.length; index++) {
    const key = store.key(index);
    if (!key?.startsWith(RESUME_PREFIX)) continue;
    const saved = read(store, key);
    if (!saved || !isFresh(saved, now)) stale.push(key);
    else if (
      saved.kind === target.kind &&
      saved.purpose === target.purpose &&
      saved.targetId === (target.targetId ?? null)
    )
      found.push(saved);
  }
  for (const key of stale) store.removeItem(key);
  return found.sort((a, b) => b.savedAt - a.savedAt);
}

export function forgetSaved(saved: SavedUpload, store: ResumeStore | null = defaultStore()): void {
  store?.removeItem(keyOf(saved));
}

/** Bytes of a saved upload that storage already has. */
export function savedBytes(saved: SavedUpload): number {
  return Object.keys(saved.etags).reduce(
    (sum, part) => sum + partBytes(saved.size, saved.partSize, Number(part)),
    0,
  );
}

function partBytes(size: number, partSize: number, partNumber: number): number {
  return Math.min(partSize, size - (partNumber - 1) * partSize);
}

// --- the upload ----------------------------------------------------------------------------

export interface UploadProgress {
  /** Known once the API has started (or the saved state named) the upload. */
  uploadId: string | null;
  loaded: number;
  total: number;
  /** Bytes storage had already when this run began (a resumed upload). */
  resumedBytes: number;
}

export interface UploadOptions extends UploadTarget {
  client: Client<paths>;
  file: File;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** Default: XMLHttpRequest. */
  transport?: Transport;
  /** Default: localStorage; null keeps nothing. */
  store?: ResumeStore | null;
  /** Milliseconds to wait before retry `attempt` (1, 2, 3): default 1 s, 2 s, 4 s. */
  retryDelay?: (attempt: number) => number;
  /** Parts in flight at once. */
  concurrency?: number;
}

/** The file's MIME type; the browser leaves it empty for some files (.mov on some systems). */
export function contentTypeOf(file: File, kind: UploadKind): string {
  if (file.type) return file.type;
  const name = file.name.toLowerCase();
  for (const [type, extensions] of Object.entries(KIND_FORMATS[kind].types)) {
    if (extensions.some((extension) => name.endsWith(extension))) return type;
  }
  return "application/octet-stream";
}

/** A failed request to storage, in the API's error shape so it shows like any other. */
function storageError(status: number): ApiError {
  const message =
    status === 0
      ? "The file could not be sent to storage. Check your connection and try again."
      : status === 403
        ? "Storage refused the file: the upload link may have expired. Try again."
        : `Storage did not take the file (HTTP ${status}). Try again in a moment.`;
  return new ApiError(status, { error: "storage_upload_failed", message });
}

function missingEtag(): ApiError {
  return new ApiError(0, {
    error: "storage_etag_hidden",
    message:
      "Storage took the part but hid its ETag (its CORS settings must expose ETag), so the upload cannot be completed.",
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}

const ok = (status: number) => status >= 200 && status < 300;

/** Errors after which a saved upload cannot go on: start the file again. */
const GONE = new Set([
  "upload_not_found",
  "upload_not_pending",
  "upload_not_multipart",
  "upload_parts_invalid",
  "upload_size_mismatch",
  "upload_content_mismatch",
]);

class Run {
  readonly options: UploadOptions;
  readonly signal: AbortSignal;
  readonly transport: Transport;
  readonly store: ResumeStore | null;
  readonly retryDelay: (attempt: number) => number;
  uploadId: string | null = null;
  resumedBytes = 0;

  constructor(options: UploadOptions) {
    this.options = options;
    this.signal = options.signal ?? new AbortController().signal;
    this.transport = options.transport ?? xhrTransport;
    this.store = options.store === undefined ? defaultStore() : options.store;
    this.retryDelay = options.retryDelay ?? ((attempt) => 1000 * 2 ** (attempt - 1));
  }

  get client() {
    return this.options.client;
  }

  report(loaded: number): void {
    this.options.onProgress?.({
      uploadId: this.uploadId,
      loaded: Math.min(loaded, this.options.file.size),
      total: this.options.file.size,
      resumedBytes: this.resumedBytes,
    });
  }

  /** Send one request to storage, again after a failure (up to MAX_RETRIES times, waiting
   * longer each time); `url` gives the URL for each attempt (a fresh one after a refusal). */
  async send(
    url: (attempt: number, lastStatus: number) => Promise<string>,
    request: Omit<StorageRequest, "url" | "signal">,
    signal: AbortSignal,
  ): Promise<StorageResponse> {
    let lastStatus = 0;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await sleep(this.retryDelay(attempt), signal);
      const target = await url(attempt, lastStatus);
      let response: StorageResponse;
      try {
        response = await this.transport({ ...request, url: target, signal });
      } catch (error) {
        if (isAbortError(error) || signal.aborted) throw abortError();
        response = { status: 0, etag: null };
      }
      if (ok(response.status)) return response;
      lastStatus = response.status;
      request.onProgress(0);
      if (attempt >= MAX_RETRIES) throw storageError(response.status);
    }
  }

  async start(): Promise<UploadStarted> {
    const { client, file, kind, purpose, targetId } = this.options;
    const body = {
      filename: file.name,
      size: file.size,
      content_type: contentTypeOf(file, kind),
      purpose,
      target_id: targetId ?? null,
    };
    const signal = this.signal;
    switch (kind) {
      case "video":
        return unwrap(client.POST("/v1/uploads/video", { body, signal }));
      case "image":
        return unwrap(client.POST("/v1/uploads/image", { body, signal }));
      case "document":
        return unwrap(client.POST("/v1/uploads/document", { body, signal }));
    }
  }

  async complete(uploadId: string, parts?: { part_number: number; etag: string }[]) {
    return unwrap(
      this.client.POST("/v1/uploads/{upload_id}/complete", {
        params: { path: { upload_id: uploadId } },
        body: parts ? { parts } : {},
        signal: this.signal,
      }),
    );
  }

  async single(started: UploadStarted & { single: NonNullable<UploadStarted["single"]> }) {
    const { file } = this.options;
    const { single } = started;
    let body: Blob | FormData = file;
    if (single.method === "POST") {
      const form = new FormData();
      for (const [name, value] of Object.entries(single.fields)) form.append(name, value);
      form.append("file", file);
      body = form;
    }
    await this.send(
      async () => single.url,
      { method: single.method, headers: single.headers, body, onProgress: (n) => this.report(n) },
      this.signal,
    );
    this.report(file.size);
    return this.complete(started.upload.id);
  }

  async parts(saved: SavedUpload, first: { parts: PartUrl[]; expiresAt: string } | null) {
    const { file } = this.options;
    const urls = new Map<number, string>();
    let refreshAt = Infinity;
    const take = (parts: PartUrl[], expires: string) => {
      for (const part of parts) urls.set(part.part_number, part.url);
      // Renewed ahead of time only when they live long enough by our clock (which may differ
      // from the server's); a URL refused anyway is renewed before its part is sent again.
      const lifetime = Date.parse(expires) - Date.now();
      refreshAt = lifetime > 2 * URL_MARGIN_MS ? Date.now() + lifetime - URL_MARGIN_MS : Infinity;
    };
    if (first) take(first.parts, first.expiresAt);

    const done = (n: number) => String(n) in saved.etags;
    const missing: number[] = [];
    for (let n = 1; n <= saved.partCount; n++) if (!done(n)) missing.push(n);

    let doneBytes = savedBytes(saved);
    this.resumedBytes = doneBytes;
    const inFlight = new Map<number, number>();
    const progress = () => {
      let loaded = doneBytes;
      for (const bytes of inFlight.values()) loaded += bytes;
      this.report(loaded);
    };
    progress();

    // One inner signal: the first part that fails for good stops the others.
    const inner = new AbortController();
    const stopInner = () => inner.abort();
    this.signal.addEventListener("abort", stopInner, { once: true });

    let refreshing: Promise<void> | null = null;
    const refresh = (from: number) => {
      refreshing ??= (async () => {
        const wanted = missing.filter((n) => n >= from && !done(n));
        const answer = await unwrap(
          this.client.POST("/v1/uploads/{upload_id}/parts", {
            params: { path: { upload_id: saved.uploadId } },
            body: { part_numbers: wanted.slice(0, PART_URLS_PER_REQUEST) },
            signal: inner.signal,
          }),
        );
        take(answer.parts, answer.expires_at);
      })().finally(() => {
        refreshing = null;
      });
      return refreshing;
    };
    const urlFor = async (n: number, stale: boolean): Promise<string> => {
      if (stale) urls.delete(n);
      for (let asked = 0; ; asked++) {
        const url = urls.get(n);
        if (url !== undefined && Date.now() < refreshAt) return url;
        if (url !== undefined) urls.clear(); // they all expire together
        if (asked > 2) throw storageError(0);
        await (refreshing ?? refresh(n));
      }
    };

    const sendPart = async (n: number) => {
      const start = (n - 1) * saved.partSize;
      const body = file.slice(start, start + partBytes(saved.size, saved.partSize, n));
      inFlight.set(n, 0);
      const response = await this.send(
        // A refused URL (expired, say) is replaced before it is tried again.
        (attempt, lastStatus) => urlFor(n, attempt > 0 && lastStatus >= 400 && lastStatus < 500),
        {
          method: "PUT",
          headers: {},
          body,
          onProgress: (loaded) => {
            inFlight.set(n, loaded);
            progress();
          },
        },
        inner.signal,
      );
      inFlight.delete(n);
      if (!response.etag) throw missingEtag();
      saved.etags[String(n)] = response.etag;
      saved.savedAt = Date.now();
      write(this.store, saved);
      doneBytes += body.size;
      progress();
    };

    const queue = [...missing];
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) await sendPart(n);
    };
    const workers = Array.from(
      { length: Math.min(Math.max(1, this.options.concurrency ?? 3), queue.length) },
      () =>
        worker().catch((error: unknown) => {
          inner.abort();
          throw error;
        }),
    );
    const results = await Promise.allSettled(workers);
    this.signal.removeEventListener("abort", stopInner);
    if (this.signal.aborted) throw abortError();
    const failure = results.find(
      (result): result is PromiseRejectedResult =>
        result.status === "rejected" && !isAbortError(result.reason),
    );
    if (failure) throw failure.reason;

    const parts = Object.entries(saved.etags)
      .map(([part, etag]) => ({ part_number: Number(part), etag }))
      .sort((a, b) => a.part_number - b.part_number);
    return this.complete(saved.uploadId, parts);
  }

  /** Go on with a saved multipart upload, or start one; then complete it. */
  async run(): Promise<UploadOut> {
    const { file } = this.options;
    const resumable = savedUploadOf(this.options, file, this.store);
    if (resumable) {
      this.uploadId = resumable.uploadId;
      try {
        return await this.finish(resumable, this.parts(resumable, null));
      } catch (error) {
        if (!isApiError(error) || !GONE.has(error.code)) throw error;
        this.resumedBytes = 0; // the API no longer has it: send the whole file again
      }
    }
    const started = await this.start();
    this.uploadId = started.upload.id;
    this.report(0);
    if (started.multipart) {
      const saved: SavedUpload = {
        uploadId: started.upload.id,
        kind: this.options.kind,
        purpose: this.options.purpose,
        targetId: this.options.targetId ?? null,
        name: file.name,
        size: file.size,
        lastModified: file.lastModified,
        partSize: started.multipart.part_size,
        partCount: started.multipart.part_count,
        etags: {},
        savedAt: Date.now(),
      };
      write(this.store, saved);
      const first = { parts: started.multipart.parts, expiresAt: started.expires_at };
      return this.finish(saved, this.parts(saved, first));
    }
    if (started.single) return this.single({ ...started, single: started.single });
    throw new ApiError(500, {
      error: "upload_not_started",
      message: "The API did not say where to send the file.",
    });
  }

  /** The saved state goes once the upload is complete, or can no longer be completed. */
  async finish(saved: SavedUpload, completing: Promise<UploadOut>): Promise<UploadOut> {
    try {
      const upload = await completing;
      forgetSaved(saved, this.store);
      return upload;
    } catch (error) {
      if (isApiError(error) && GONE.has(error.code)) forgetSaved(saved, this.store);
      throw error;
    }
  }
}

/**
 * Upload `file` for `purpose` (and `targetId`): resolves to the upload once the API has it
 * (its state `processing`, then `ready` or `failed`). Rejects with an ApiError (from the API or
 * storage), or an AbortError when `signal` aborts; a multipart upload stopped either way can be
 * resumed by calling this again with the same file.
 */
export async function uploadFile(options: UploadOptions): Promise<UploadOut> {
  try {
    return await new Run(options).run();
  } catch (error) {
    // openapi-fetch's aborted calls come back as network errors: say what happened
    if (options.signal?.aborted) throw abortError();
    throw error;
  }
}

/** Give up an upload for good: its saved progress, and the pending upload on the API (which
 * would otherwise count against the quota until the API sweeps it). */
export async function discardUpload(
  client: Client<paths>,
  uploadId: string | null,
  saved: SavedUpload | null,
  store: ResumeStore | null = defaultStore(),
): Promise<void> {
  if (saved) forgetSaved(saved, store);
  const id = uploadId ?? saved?.uploadId;
  if (!id) return;
  try {
    await unwrap(client.DELETE("/v1/uploads/{upload_id}", { params: { path: { upload_id: id } } }));
  } catch {
    // already gone, or unreachable: the API sweeps pending uploads after a day
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toLocaleString(undefined, { maximumFractionDigits: value < 10 ? 1 : 0 })} ${units[unit]}`;
}

import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApiClient } from "@/api/client";
import { ApiContext } from "@/api/context";
import type { StorageRequest, StorageResponse, UploadOut } from "@/lib/upload";
import { apiError, deferred, FakeApi, json } from "@/test/fake-api";
import { Uploader } from "./uploader";

const UPLOAD_ID = "5b0c7a2e-0000-4000-8000-000000000001";
const ORDER_ID = "0a1b2c3d-0000-4000-8000-000000000003";
const LATER = new Date(Date.now() + 3600_000).toISOString();

function uploadOut(overrides: Partial<UploadOut> = {}): UploadOut {
  return {
    id: UPLOAD_ID,
    owner_id: "6f1c1f8e-0000-4000-8000-000000000001",
    kind: "video",
    purpose: "deliverable",
    target_id: ORDER_ID,
    filename: "final-cut.mp4",
    content_type: "video/mp4",
    size: 1000,
    state: "pending",
    failure_reason: null,
    public: false,
    probe: null,
    original: null,
    derived: {},
    created_at: "2026-11-20T10:00:00Z",
    completed_at: null,
    ready_at: null,
    ...overrides,
  };
}

function storageApi() {
  return new FakeApi()
    .on("POST /v1/uploads/video", () =>
      json(201, {
        upload: uploadOut(),
        single: {
          method: "PUT",
          url: "https://store.test/orders/final-cut.mp4?sig=1",
          headers: { "Content-Type": "video/mp4" },
          fields: {},
        },
        multipart: null,
        expires_at: LATER,
      }),
    )
    .on(`POST /v1/uploads/${UPLOAD_ID}/complete`, () =>
      json(200, uploadOut({ state: "processing" })),
    )
    .on(`DELETE /v1/uploads/${UPLOAD_ID}`, () => new Response(null, { status: 204 }));
}

/** Storage that takes half the file, then waits for the test to let the rest through. */
function slowStorage() {
  const release = deferred<true>();
  const requests: StorageRequest[] = [];
  const transport = async (request: StorageRequest): Promise<StorageResponse> => {
    requests.push(request);
    request.onProgress(500);
    await new Promise<void>((resolve, reject) => {
      request.signal.addEventListener("abort", () =>
        reject(new DOMException("stopped", "AbortError")),
      );
      void release.promise.then(() => resolve());
    });
    request.onProgress(1000);
    return { status: 200, etag: '"whole"' };
  };
  return { transport, requests, release: () => release.resolve(true) };
}

function renderUploader(api: FakeApi, props: Partial<Parameters<typeof Uploader>[0]> = {}) {
  const onUploaded = vi.fn();
  const client = createApiClient({ baseUrl: "http://reelbyte.test", fetch: api.fetch });
  const user = userEvent.setup();
  render(
    <ApiContext value={client}>
      <Uploader
        kind="video"
        purpose="deliverable"
        targetId={ORDER_ID}
        label="Delivery video"
        onUploaded={onUploaded}
        {...props}
      />
    </ApiContext>,
  );
  return { user, onUploaded };
}

const finalCut = () =>
  new File([new Uint8Array(1000)], "final-cut.mp4", { type: "video/mp4", lastModified: 1 });

beforeEach(() => localStorage.clear());
afterEach(() => localStorage.clear());

describe("the uploader", () => {
  it("shows the file's progress, then hands the upload over", async () => {
    const api = storageApi();
    const storage = slowStorage();
    const { user, onUploaded } = renderUploader(api, { transport: storage.transport });

    const input = screen.getByLabelText("Choose a file for Delivery video");
    expect(input).toHaveAccessibleDescription(/MP4, MOV, AVI up to 500 MB/);
    await user.upload(input, finalCut());

    const bar = await screen.findByRole("progressbar", { name: "Uploading final-cut.mp4" });
    await waitFor(() => expect(bar).toHaveAttribute("aria-valuenow", "50"));
    expect(screen.getByText(/50% · 500 B of 1 kB/)).toBeInTheDocument();
    expect(onUploaded).not.toHaveBeenCalled();

    storage.release();

    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    expect(onUploaded).toHaveBeenCalledWith(
      expect.objectContaining({ id: UPLOAD_ID, state: "processing" }),
    );
    expect(screen.getByText("Uploaded")).toBeInTheDocument();
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("final-cut.mp4 uploaded.");
    expect(storage.requests[0]?.headers).toEqual({ "Content-Type": "video/mp4" });
  });

  it("shows the API's error when the file is refused", async () => {
    const api = storageApi().on("POST /v1/uploads/video", () =>
      apiError(413, "upload_too_large", "The file is larger than files of this kind may be.", {
        max_bytes: 500_000_000,
      }),
    );
    const storage = slowStorage();
    const { user, onUploaded } = renderUploader(api, { transport: storage.transport });

    await user.upload(screen.getByLabelText("Choose a file for Delivery video"), finalCut());

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The file is larger than files of this kind may be. The limit is 500 MB.",
    );
    // Sending the same file again would not help.
    expect(
      screen.queryByRole("button", { name: "Try final-cut.mp4 again" }),
    ).not.toBeInTheDocument();
    expect(storage.requests).toHaveLength(0);
    expect(onUploaded).not.toHaveBeenCalled();
  });

  it("offers to try again when storage could not be reached", async () => {
    const api = storageApi();
    let attempts = 0;
    const transport = async (): Promise<StorageResponse> => {
      attempts++;
      return attempts <= 4 ? { status: 0, etag: null } : { status: 200, etag: '"whole"' };
    };
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { user, onUploaded } = renderUploader(api, { transport });
      await user.upload(screen.getByLabelText("Choose a file for Delivery video"), finalCut());
      await vi.advanceTimersByTimeAsync(8000); // the three retries' backoff

      expect(await screen.findByRole("alert")).toHaveTextContent(/check your connection/i);
      await user.click(screen.getByRole("button", { name: "Try final-cut.mp4 again" }));

      await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    } finally {
      vi.useRealTimers();
    }
  });

  it("cancels an upload: it stops, and the API forgets it", async () => {
    const api = storageApi();
    const storage = slowStorage();
    const { user, onUploaded } = renderUploader(api, { transport: storage.transport });

    await user.upload(screen.getByLabelText("Choose a file for Delivery video"), finalCut());
    await screen.findByRole("progressbar");
    await user.click(screen.getByRole("button", { name: "Cancel uploading final-cut.mp4" }));

    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Upload of final-cut.mp4 cancelled.");
    await waitFor(() => expect(api.calls(`DELETE /v1/uploads/${UPLOAD_ID}`)).toHaveLength(1));
    expect(api.calls(`POST /v1/uploads/${UPLOAD_ID}/complete`)).toHaveLength(0);
    expect(onUploaded).not.toHaveBeenCalled();
  });

  it("names an unfinished upload of an earlier visit, to resume with the same file", async () => {
    localStorage.setItem(
      `reelbyte:upload:video|deliverable|${ORDER_ID}|final-cut.mp4|1000|1`,
      JSON.stringify({
        uploadId: UPLOAD_ID,
        kind: "video",
        purpose: "deliverable",
        targetId: ORDER_ID,
        name: "final-cut.mp4",
        size: 1000,
        lastModified: 1,
        partSize: 400,
        partCount: 3,
        etags: { "1": '"e1"' },
        savedAt: Date.now(),
      }),
    );
    const api = storageApi().on(`POST /v1/uploads/${UPLOAD_ID}/parts`, () =>
      json(200, {
        parts: [2, 3].map((n) => ({ part_number: n, url: `https://store.test/p?part=${n}` })),
        expires_at: LATER,
      }),
    );
    const storage = slowStorage();
    const { user, onUploaded } = renderUploader(api, { transport: storage.transport });

    const unfinished = screen.getByRole("list", { name: "Delivery video: unfinished uploads" });
    expect(within(unfinished).getByText(/stopped at 1 of 3 parts/)).toBeInTheDocument();

    await user.upload(screen.getByLabelText("Choose a file for Delivery video"), finalCut());
    expect(await screen.findByText(/Resumed: 400 B were already sent/)).toBeInTheDocument();
    storage.release();

    await waitFor(() => expect(onUploaded).toHaveBeenCalledTimes(1));
    expect(storage.requests.map((r) => new URL(r.url).searchParams.get("part"))).toEqual([
      "2",
      "3",
    ]);
    expect(api.calls("POST /v1/uploads/video")).toHaveLength(0);
    expect(
      screen.queryByRole("list", { name: "Delivery video: unfinished uploads" }),
    ).not.toBeInTheDocument();
  });
});

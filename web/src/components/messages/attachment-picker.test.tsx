import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiClient } from "@/api/client";
import { ApiContext } from "@/api/context";
import type { StorageRequest, StorageResponse, Transport, UploadOut } from "@/lib/upload";
import { apiError, deferred, FakeApi, json } from "@/test/fake-api";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { AttachButton, AttachmentStatus } from "./attachment-picker";
import { kindOfFile, useMessageAttachment } from "./use-message-attachment";

const UPLOAD_ID = "5b0c7a2e-0000-4000-8000-000000000009";
const CONVERSATION = "11111111-1111-4111-8111-111111111111";
const LATER = new Date(Date.now() + 3600_000).toISOString();

function uploadOut(overrides: Partial<UploadOut> = {}): UploadOut {
  return {
    id: UPLOAD_ID,
    owner_id: "6f1c1f8e-0000-4000-8000-000000000001",
    kind: "image",
    purpose: "message_attachment",
    target_id: CONVERSATION,
    filename: "still.png",
    content_type: "image/png",
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

/** The API: the image is taken, then processed (ready on the second look). */
function api() {
  let looks = 0;
  return new FakeApi()
    .on("POST /v1/uploads/image", () =>
      json(201, {
        upload: uploadOut(),
        single: {
          method: "PUT",
          url: "https://store.test/messages/still.png?sig=1",
          headers: { "Content-Type": "image/png" },
          fields: {},
        },
        multipart: null,
        expires_at: LATER,
      }),
    )
    .on(`POST /v1/uploads/${UPLOAD_ID}/complete`, () =>
      json(200, uploadOut({ state: "processing" })),
    )
    .on(`GET /v1/uploads/${UPLOAD_ID}`, () => {
      looks += 1;
      return json(200, uploadOut({ state: looks > 1 ? "ready" : "processing" }));
    })
    .on(`DELETE /v1/uploads/${UPLOAD_ID}`, () => new Response(null, { status: 204 }));
}

/** Storage that takes half the file, then waits for the test to let the rest through. */
function slowStorage(): { transport: Transport; release: () => void } {
  const release = deferred<true>();
  const transport = async (request: StorageRequest): Promise<StorageResponse> => {
    request.onProgress(500);
    await release.promise;
    request.onProgress(1000);
    return { status: 200, etag: '"whole"' };
  };
  return { transport, release: () => release.resolve(true) };
}

function Composer({ transport }: { transport?: Transport }) {
  const attaching = useMessageAttachment(CONVERSATION, transport);
  return (
    <div>
      {attaching.attachment && (
        <AttachmentStatus attachment={attaching.attachment} onRemove={attaching.clear} />
      )}
      <AttachButton onPick={(file) => void attaching.pick(file)} disabled={attaching.busy} />
      <p>{attaching.readyUpload ? `ready: ${attaching.readyUpload.id}` : "nothing to send"}</p>
    </div>
  );
}

function renderComposer(fake: FakeApi, transport?: Transport) {
  const client = createApiClient({ baseUrl: "http://reelbyte.test", fetch: fake.fetch });
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <ApiContext value={client}>
      <QueryClientProvider client={queries}>
        <Composer transport={transport} />
      </QueryClientProvider>
    </ApiContext>,
  );
  return userEvent.setup({ applyAccept: false });
}

const still = () => new File([new Uint8Array(1000)], "still.png", { type: "image/png" });

beforeEach(() => localStorage.clear());
afterEach(() => localStorage.clear());

describe("the message attachment", () => {
  it("uploads with progress, waits until the API has processed it, then is ready to send", async () => {
    const fake = api();
    const storage = slowStorage();
    const user = renderComposer(fake, storage.transport);

    await user.upload(screen.getByLabelText("Attach a file"), still());
    const bar = await screen.findByRole("progressbar", { name: "Uploading still.png" });
    await waitFor(() => expect(bar).toHaveAttribute("aria-valuenow", "50"));
    expect(screen.getByText("50% uploaded")).toBeInTheDocument();
    expect(screen.getByLabelText("Attach a file")).toBeDisabled();

    storage.release();
    expect(await screen.findByText("Preparing still.png…")).toBeInTheDocument();
    expect(screen.getByText("nothing to send")).toBeInTheDocument();
    expect(await screen.findByText("Ready to send", {}, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.getByText(`ready: ${UPLOAD_ID}`)).toBeInTheDocument();
    const started = fake.calls("POST /v1/uploads/image")[0]!;
    expect(JSON.parse(started.body)).toMatchObject({
      purpose: "message_attachment",
      target_id: CONVERSATION,
      filename: "still.png",
    });

    // Removed before sending: the upload is deleted.
    await user.click(screen.getByRole("button", { name: "Remove still.png" }));
    await waitFor(() => expect(fake.calls(`DELETE /v1/uploads/${UPLOAD_ID}`)).toHaveLength(1));
    expect(screen.getByText("nothing to send")).toBeInTheDocument();
  });

  it("refuses a kind of file a message cannot take, before sending anything", async () => {
    const fake = api();
    const user = renderComposer(fake);
    await user.upload(
      screen.getByLabelText("Attach a file"),
      new File(["hi"], "notes.txt", { type: "text/plain" }),
    );
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "notes.txt cannot be sent: attach a video (MP4, MOV, AVI), an image (JPG, PNG, GIF, WEBP) or a PDF.",
    );
    expect(fake.seen).toHaveLength(0);
  });

  it("shows the API's refusal of a file too large, with the limit", async () => {
    const fake = api().on("POST /v1/uploads/image", () =>
      apiError(413, "upload_too_large", "This file is too large.", { max_bytes: 10_000_000 }),
    );
    const user = renderComposer(fake);
    await user.upload(screen.getByLabelText("Attach a file"), still());
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "This file is too large. The limit is 10 MB.",
    );
    expect(screen.getByText("nothing to send")).toBeInTheDocument();
  });

  it("files a file under its kind by type, or by name when the browser gave no type", () => {
    expect(kindOfFile(new File([], "a.mov", { type: "video/quicktime" }))).toBe("video");
    expect(kindOfFile(new File([], "a.MOV"))).toBe("video");
    expect(kindOfFile(new File([], "brief.pdf", { type: "application/pdf" }))).toBe("document");
    expect(kindOfFile(new File([], "a.webp"))).toBe("image");
    expect(kindOfFile(new File([], "a.zip", { type: "application/zip" }))).toBeNull();
  });
});

import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SocketLike } from "@/api/notification-socket";
import {
  CLIENT_ID,
  CREATOR_ID,
  delivery,
  loggedIn,
  ORDER_ID,
  orderDetail,
  videoDeliverable,
} from "@/components/order/test-fixtures";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { renderApp } from "@/test/render";
import { thread } from "./test-fixtures";

const PATH = `/orders/${ORDER_ID}`;
const COMMENTS = "/v1/deliveries/delivery-1/comments";

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(frame: unknown) {
    act(() => {
      this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(frame) }));
    });
  }
  close() {}
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal("WebSocket", FakeSocket);
});
afterEach(() => vi.unstubAllGlobals());

const SPEC_REPORT = {
  status: "failed" as const,
  error: null,
  spec: { frame_rate: { fps: 30, tolerance: 0.05 } },
  measurements: {},
  items: [
    {
      check: "frame_rate",
      status: "failed" as const,
      expected: "30 ± 0.05",
      measured: 25,
      unit: "fps",
      message: "The video runs at 25 fps; the package asks for 30.",
    },
  ],
};

function reviewed(
  threads = [thread({ author_id: CREATOR_ID })],
  as: "client" | "creator" = "client",
) {
  const item = videoDeliverable();
  const order = orderDetail({
    deliveries: [
      delivery({
        deliverables: [{ ...item, file: { ...item.file!, spec_report: SPEC_REPORT } }],
      }),
    ],
  });
  return loggedIn(new FakeApi(), as)
    .on(`GET /v1/orders/${ORDER_ID}`, () => json(200, order))
    .on(`GET ${COMMENTS}`, () => json(200, threads))
    .on("POST /v1/ws/ticket", () => json(200, { ticket: "T-1", expires_in: 45 }));
}

describe("the review of a delivered video", () => {
  it("lists the comments by timecode, marks them on the timeline and shows the spec check", async () => {
    renderApp(PATH, reviewed());

    const comment = await screen.findByRole("listitem", { name: "Comment at 00:05" });
    expect(within(comment).getByText("Cut a beat earlier here.")).toBeInTheDocument();
    expect(within(comment).getByText("Creator")).toBeInTheDocument();
    expect(within(comment).queryByRole("button", { name: "Edit" })).not.toBeInTheDocument();
    const spec = screen.getByRole("region", { name: /Spec check/ });
    expect(within(spec).getByText("Frame rate")).toBeInTheDocument();
    expect(within(spec).getByText("25 fps")).toBeInTheDocument();
    expect(within(spec).getAllByText("Failed")).toHaveLength(2);
  });

  it("posts a comment at the player's moment", async () => {
    const api = reviewed([]);
    api.on(`POST ${COMMENTS}`, () => json(201, thread({ author_id: CLIENT_ID })));
    const { user } = renderApp(PATH, api);

    await user.click(await screen.findByRole("button", { name: "Comment at 00:00" }));
    await user.type(screen.getByLabelText("Comment at 00:00"), "Warmer grade, please.");
    await user.click(screen.getByRole("button", { name: "Post comment" }));

    await waitFor(() => expect(api.calls(`POST ${COMMENTS}`)).toHaveLength(1));
    expect(JSON.parse(api.calls(`POST ${COMMENTS}`)[0]!.body)).toEqual({
      text: "Warmer grade, please.",
      timecode_ms: 0,
      x: null,
      y: null,
    });
    await waitFor(() =>
      expect(screen.queryByLabelText("Comment at 00:00")).not.toBeInTheDocument(),
    );
  });

  it("resolves a thread and replies to it", async () => {
    const api = reviewed();
    api
      .on("PUT /v1/delivery-comments/comment-1/resolve", () =>
        json(200, thread({ resolved: true })),
      )
      .on(`POST ${COMMENTS}`, () => json(201, thread({ id: "reply-1", parent_id: "comment-1" })));
    const { user } = renderApp(PATH, api);

    const comment = await screen.findByRole("listitem", { name: "Comment at 00:05" });
    await user.click(within(comment).getByRole("button", { name: "Resolve" }));
    await waitFor(() =>
      expect(api.calls("PUT /v1/delivery-comments/comment-1/resolve")).toHaveLength(1),
    );
    await user.click(within(comment).getByRole("button", { name: "Reply" }));
    await user.type(within(comment).getByLabelText("Reply to the comment at 00:05"), "Will do.");
    await user.click(within(comment).getByRole("button", { name: "Post reply" }));
    await waitFor(() => expect(api.calls(`POST ${COMMENTS}`)).toHaveLength(1));
    expect(JSON.parse(api.calls(`POST ${COMMENTS}`)[0]!.body)).toEqual({
      text: "Will do.",
      parent_id: "comment-1",
    });
  });

  it("edits and deletes the viewer's own comment", async () => {
    const api = reviewed([thread({ author_id: CLIENT_ID })]);
    api
      .on("PATCH /v1/delivery-comments/comment-1", () =>
        json(200, thread({ author_id: CLIENT_ID, text: "Two beats earlier." })),
      )
      .on("DELETE /v1/delivery-comments/comment-1", () => new Response(null, { status: 204 }));
    const { user } = renderApp(PATH, api);

    const comment = await screen.findByRole("listitem", { name: "Comment at 00:05" });
    expect(within(comment).getByText("You")).toBeInTheDocument();
    await user.click(within(comment).getByRole("button", { name: "Edit" }));
    const text = within(comment).getByLabelText("Edit the comment");
    await user.clear(text);
    await user.type(text, "Two beats earlier.");
    await user.click(within(comment).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.calls("PATCH /v1/delivery-comments/comment-1")).toHaveLength(1));
    expect(JSON.parse(api.calls("PATCH /v1/delivery-comments/comment-1")[0]!.body)).toEqual({
      text: "Two beats earlier.",
    });

    await user.click(await within(comment).findByRole("button", { name: "Delete" }));
    await waitFor(() =>
      expect(api.calls("DELETE /v1/delivery-comments/comment-1")).toHaveLength(1),
    );
  });

  it("reads the comments again when the other party's comment arrives on the socket", async () => {
    const api = reviewed();
    renderApp(PATH, api);
    await screen.findByRole("listitem", { name: "Comment at 00:05" });
    const chat = () => FakeSocket.all.find((socket) => socket.url.includes("/v1/ws/chat?"));
    await waitFor(() => expect(chat()).toBeDefined());
    expect(chat()!.url).toContain("ticket=T-1");
    const before = api.calls(`GET ${COMMENTS}`).length;

    chat()!.send({
      type: "delivery_comment",
      data: {
        event: "created",
        order_id: ORDER_ID,
        delivery_id: "delivery-1",
        actor_id: CREATOR_ID,
        comment: thread(),
      },
    });
    await waitFor(() => expect(api.calls(`GET ${COMMENTS}`).length).toBe(before + 1));
  });

  it("shows why the original cannot be downloaded yet", async () => {
    const api = reviewed();
    api.on("GET /v1/uploads/upload-1/download-url", () =>
      apiError(
        403,
        "delivery_not_released",
        "The original is released once the order is approved.",
      ),
    );
    const { user } = renderApp(PATH, api);

    await user.click(await screen.findByRole("button", { name: "Download original" }));
    expect(
      await screen.findByText("The original is released once the order is approved."),
    ).toBeInTheDocument();
  });

  it("bundles the open comments with a revision request", async () => {
    const api = reviewed();
    api.on(`POST /v1/orders/${ORDER_ID}/request-revision`, () =>
      json(200, orderDetail({ status: "revision_requested" })),
    );
    const { user } = renderApp(PATH, api);
    await screen.findByRole("listitem", { name: "Comment at 00:05" });

    await user.click(screen.getByRole("button", { name: "Request a revision" }));
    const dialog = await screen.findByRole("dialog", { name: "Request a revision" });
    expect(within(dialog).getByRole("checkbox", { name: /1 open comment/ })).toBeChecked();
    await user.type(within(dialog).getByLabelText("What should change"), "See the comments.");
    await user.click(within(dialog).getByRole("button", { name: "Request revision" }));

    await waitFor(() =>
      expect(api.calls(`POST /v1/orders/${ORDER_ID}/request-revision`)).toHaveLength(1),
    );
    expect(
      JSON.parse(api.calls(`POST /v1/orders/${ORDER_ID}/request-revision`)[0]!.body),
    ).toMatchObject({ include_open_comments: true });
  });
});

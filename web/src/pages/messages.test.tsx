import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationOut, MessageOut, PresenceOut } from "@/api/messages";
import type { SocketLike } from "@/api/notification-socket";
import { FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const CONVERSATION = "11111111-1111-4111-8111-111111111111";

function message(id: number, sender: string, content: string): MessageOut {
  return {
    id,
    conversation_id: CONVERSATION,
    sender_id: sender,
    content,
    attachment_url: null,
    attachment: null,
    client_id: null,
    created_at: "2026-12-01T10:00:00Z",
    edited: false,
    edited_at: null,
    deleted: false,
    deleted_at: null,
    hidden: false,
  };
}

type AttachedFile = NonNullable<MessageOut["attachment"]>;

function attached(kind: AttachedFile["kind"], filename: string): AttachedFile {
  const url = `https://store.test/messages/${filename}?sig=1`;
  return {
    upload_id: `upload-${filename}`,
    kind,
    filename,
    content_type: kind === "document" ? "application/pdf" : `${kind}/x`,
    size: 2048,
    probe: null,
    file: { url, content_type: "application/octet-stream", expires_at: null },
    derived:
      kind === "image"
        ? { thumbnail: { url: `${url}&thumb`, content_type: "image/jpeg", expires_at: null } }
        : {},
  };
}

function chat({
  archived = false,
  presence = { user_id: "creator-1", online: false, last_seen_at: null },
  messages = [message(1, "creator-1", "Hi Sam"), message(2, "client-1", "Hello Maya")],
}: { archived?: boolean; presence?: PresenceOut; messages?: MessageOut[] } = {}) {
  const state = { archived };
  const conversation = (): ConversationOut => ({
    id: CONVERSATION,
    participant: {
      id: "creator-1",
      username: "maya",
      full_name: "Maya Creator",
      avatar_url: null,
      role: "creator",
    },
    order_id: null,
    project_id: null,
    created_at: "2026-12-01T09:00:00Z",
    last_activity_at: "2026-12-01T10:00:00Z",
    last_message: messages.at(-1) ?? null,
    unread_count: 1,
    archived: state.archived,
    participant_last_read_message_id: 2,
    participant_presence: presence,
  });
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile()))
    .on("POST /v1/ws/ticket", () => json(503, { error: "realtime_unavailable", message: "Later." }))
    .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
    .on("GET /v1/conversations/unread-count", () => json(200, { total: 1, conversations: {} }))
    .on("GET /v1/users/me/blocked", () => json(200, { items: [] }))
    .on("GET /v1/conversations", (request) => {
      const listed = new URL(request.url).searchParams.get("archived") === "true";
      const items = listed === state.archived ? [conversation()] : [];
      return json(200, { items, next_cursor: null });
    })
    .on(`POST /v1/conversations/${CONVERSATION}/unarchive`, () => {
      state.archived = false;
      return json(200, conversation());
    })
    .on(`DELETE /v1/conversations/${CONVERSATION}`, () => {
      state.archived = true;
      return new Response(null, { status: 204 });
    })
    .on(`GET /v1/conversations/${CONVERSATION}`, () => json(200, conversation()))
    .on(`GET /v1/conversations/${CONVERSATION}/messages`, () =>
      json(200, { items: [...messages].reverse(), next_cursor: null }),
    )
    .on(`POST /v1/conversations/${CONVERSATION}/messages`, async (request) => {
      const body = (await request.json()) as { content: string; client_id: string };
      const sent = {
        ...message(messages.length + 1, "client-1", body.content),
        client_id: body.client_id,
      };
      messages.push(sent);
      return json(201, sent);
    })
    .on("POST /v1/messages/1/read", () =>
      json(200, {
        conversation_id: CONVERSATION,
        last_read_message_id: 1,
        last_read_at: "2026-12-01T10:01:00Z",
        unread_count: 0,
      }),
    );
}

/** A browser WebSocket stand-in: `deliver` plays a frame from the server. */
class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  deliver(frame: unknown) {
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
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the messages page", () => {
  it("shows the inbox and the conversation, marks it read, and sends with Enter", async () => {
    const api = chat();
    const { user } = renderApp(`/messages/${CONVERSATION}`, api);

    const inbox = await screen.findByRole("navigation", { name: "Conversations" });
    expect(await within(inbox).findByText("You: Hello Maya")).toBeInTheDocument();
    const thread = await screen.findByRole("region", { name: "Messages" });
    expect(within(thread).getByText("Hi Sam")).toBeInTheDocument();
    expect(within(thread).getByText("Seen")).toBeInTheDocument();
    // No socket (503): the newest message of the other person is marked read over HTTP.
    await waitFor(() => expect(api.calls("POST /v1/messages/1/read")).toHaveLength(1));

    const box = screen.getByLabelText("Message");
    await user.type(box, "Line one{Shift>}{Enter}{/Shift}Line two");
    expect(box).toHaveValue("Line one\nLine two");
    await user.type(box, "{Enter}");
    await waitFor(() => expect(box).toHaveValue(""));
    expect(await within(thread).findByText(/Line two/)).toBeInTheDocument();
    expect(api.calls(`POST /v1/conversations/${CONVERSATION}/messages`)).toHaveLength(1);
  });
});

describe("presence", () => {
  it("shows the snapshot when the conversation opens, then follows the live frames", async () => {
    const api = chat({
      presence: { user_id: "creator-1", online: true, last_seen_at: "2026-12-01T10:00:00Z" },
    }).on("POST /v1/ws/ticket", () => json(200, { ticket: "T-1", expires_in: 45 }));
    renderApp(`/messages/${CONVERSATION}`, api);

    const header = await screen.findByRole("region", { name: "Conversation with Maya Creator" });
    expect(await within(header).findByText(/@maya · Online/)).toBeInTheDocument();
    const inbox = screen.getByRole("navigation", { name: "Conversations" });
    expect(within(inbox).getByText("(online)", { exact: false })).toBeInTheDocument();

    await waitFor(() =>
      expect(FakeSocket.all.some((socket) => socket.url.includes("/v1/ws/chat?"))).toBe(true),
    );
    const socket = FakeSocket.all.find((item) => item.url.includes("/v1/ws/chat?"))!;
    const lastSeen = new Date(Date.now() - 5 * 60_000).toISOString();
    socket.deliver({
      type: "presence",
      data: { user_id: "creator-1", online: false, last_seen_at: lastSeen },
    });
    expect(await within(header).findByText(/Last seen 5 minutes ago/)).toBeInTheDocument();
    expect(within(inbox).queryByText("(online)", { exact: false })).not.toBeInTheDocument();
  });

  it("says nothing about someone never seen", async () => {
    renderApp(`/messages/${CONVERSATION}`, chat());
    const header = await screen.findByRole("region", { name: "Conversation with Maya Creator" });
    expect(await within(header).findByText("@maya")).toBeInTheDocument();
    expect(within(header).queryByText(/Online|Last seen/)).not.toBeInTheDocument();
  });
});

describe("the archive", () => {
  it("archives from the conversation, lists it under Archived and brings it back", async () => {
    const api = chat();
    const { user } = renderApp(`/messages/${CONVERSATION}`, api);
    const inbox = await screen.findByRole("navigation", { name: "Conversations" });
    expect(await within(inbox).findByText("You: Hello Maya")).toBeInTheDocument();

    await user.click(await screen.findByRole("button", { name: "Archive" }));
    expect(await screen.findByText(/Archived. A new message brings it back/)).toBeInTheDocument();
    expect(await within(inbox).findByText("No conversations yet")).toBeInTheDocument();

    await user.click(within(inbox).getByRole("link", { name: "Archived" }));
    expect(await within(inbox).findByText("You: Hello Maya")).toBeInTheDocument();
    expect(api.seen.some((call) => call.search.includes("archived=true"))).toBe(true);
    expect(within(inbox).getByRole("link", { name: /Maya Creator/ })).toHaveAttribute(
      "href",
      `/messages/${CONVERSATION}?view=archived`,
    );

    await user.click(
      within(inbox).getByRole("button", { name: "Unarchive the conversation with Maya Creator" }),
    );
    expect(await within(inbox).findByText("No archived conversations")).toBeInTheDocument();
    expect(api.calls(`POST /v1/conversations/${CONVERSATION}/unarchive`)).toHaveLength(1);
    // The open conversation knows it is back.
    expect(await screen.findByRole("button", { name: "Archive" })).toBeInTheDocument();
  });

  it("shows an archived conversation with Unarchive, and its unread count", async () => {
    const api = chat({ archived: true });
    const { user } = renderApp(`/messages/${CONVERSATION}?view=archived`, api);
    const inbox = await screen.findByRole("navigation", { name: "Conversations" });
    expect(await within(inbox).findByText("1")).toBeInTheDocument();
    expect(within(inbox).getByText("unread", { exact: false })).toBeInTheDocument();

    await user.click(await screen.findByRole("button", { name: "Unarchive" }));
    expect(await screen.findByText("Back in your inbox.")).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Archive" })).toBeInTheDocument();
  });
});

describe("attachments in the thread", () => {
  it("shows an image's thumbnail, a video player and a link to a document", async () => {
    const messages = [
      { ...message(1, "creator-1", "a still"), attachment: attached("image", "still.png") },
      { ...message(2, "creator-1", "the cut"), attachment: attached("video", "cut.mp4") },
      { ...message(3, "client-1", "the brief"), attachment: attached("document", "brief.pdf") },
    ];
    renderApp(`/messages/${CONVERSATION}`, chat({ messages }));
    const thread = await screen.findByRole("region", { name: "Messages" });

    const image = await within(thread).findByRole("img", { name: "still.png" });
    expect(image).toHaveAttribute("src", "https://store.test/messages/still.png?sig=1&thumb");
    expect(image.closest("a")).toHaveAttribute(
      "href",
      "https://store.test/messages/still.png?sig=1",
    );
    const video = within(thread).getByLabelText("cut.mp4");
    expect(video.tagName).toBe("VIDEO");
    expect(video).toHaveAttribute("src", "https://store.test/messages/cut.mp4?sig=1");
    expect(within(thread).getByRole("link", { name: /brief\.pdf/ })).toHaveAttribute(
      "href",
      "https://store.test/messages/brief.pdf?sig=1",
    );
  });
});

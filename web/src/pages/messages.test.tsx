import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationOut, MessageOut } from "@/api/messages";
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

function chat() {
  const messages = [message(1, "creator-1", "Hi Sam"), message(2, "client-1", "Hello Maya")];
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
    archived: false,
    participant_last_read_message_id: 2,
  });
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile()))
    .on("POST /v1/ws/ticket", () => json(503, { error: "realtime_unavailable", message: "Later." }))
    .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
    .on("GET /v1/conversations/unread-count", () => json(200, { total: 1, conversations: {} }))
    .on("GET /v1/users/me/blocked", () => json(200, { items: [] }))
    .on("GET /v1/conversations", () => json(200, { items: [conversation()], next_cursor: null }))
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

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
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

import { QueryClient, type InfiniteData } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import {
  flattenMessages,
  mergeMessage,
  messageKeys,
  parseChatFrame,
  receivedPresence,
  streamChat,
  type ConversationOut,
  type ConversationPage,
  type MessageOut,
  type MessagePage,
} from "./messages";
import type { SocketLike } from "./notification-socket";

function message(id: number, extra: Partial<MessageOut> = {}): MessageOut {
  return {
    id,
    conversation_id: "c1",
    sender_id: "u1",
    content: `message ${id}`,
    attachment_url: null,
    attachment: null,
    client_id: null,
    created_at: "2026-12-01T10:00:00Z",
    edited: false,
    edited_at: null,
    deleted: false,
    deleted_at: null,
    hidden: false,
    ...extra,
  };
}

const data = (...pages: MessageOut[][]) => ({
  pages: pages.map((items): MessagePage => ({ items, next_cursor: null })),
  pageParams: pages.map(() => null),
});

describe("messages in the cache", () => {
  it("adds a new message once, and replaces a known one by id or client_id", () => {
    let cached = mergeMessage(data([message(2), message(1)]), message(3));
    cached = mergeMessage(cached, message(3));
    cached = mergeMessage(cached, message(2, { content: "edited", edited: true }));
    expect(flattenMessages(cached).map((m) => [m.id, m.content])).toEqual([
      [1, "message 1"],
      [2, "edited"],
      [3, "message 3"],
    ]);
    cached = mergeMessage(
      data([message(5, { client_id: "abc" })]),
      message(5, { client_id: "abc" }),
    );
    expect(flattenMessages(cached)).toHaveLength(1);
  });

  it("flattens pages oldest first without duplicates across pages", () => {
    const flat = flattenMessages(data([message(4), message(3)], [message(3), message(2)]));
    expect(flat.map((m) => m.id)).toEqual([2, 3, 4]);
  });

  it("reads only chat frames", () => {
    expect(parseChatFrame(JSON.stringify({ type: "typing", data: { user_id: "u" } }))).toEqual({
      type: "typing",
      data: { user_id: "u" },
    });
    expect(parseChatFrame(JSON.stringify({ type: "delivery_comment", data: {} }))).toBeNull();
    expect(parseChatFrame("not json")).toBeNull();
  });
});

class FakeSocket implements SocketLike {
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  sent: string[] = [];
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {}
}

describe("streamChat", () => {
  it("sends frames when open, reconnects after a drop and asks to catch up", async () => {
    vi.useFakeTimers();
    const sockets: FakeSocket[] = [];
    const onReconnect = vi.fn();
    const onFrame = vi.fn();
    const stream = streamChat({
      getTicket: () => Promise.resolve("t"),
      onFrame,
      onReconnect,
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      backoff: () => 10,
      origin: "http://localhost",
    });
    await vi.runAllTimersAsync();
    expect(stream.send({ type: "read", data: { message_id: 1 } })).toBe(false);
    sockets[0]!.onopen?.(new Event("open"));
    expect(stream.send({ type: "read", data: { message_id: 1 } })).toBe(true);
    expect(sockets[0]!.sent).toEqual(['{"type":"read","data":{"message_id":1}}']);
    sockets[0]!.onmessage?.(
      new MessageEvent("message", { data: JSON.stringify({ type: "message", data: message(1) }) }),
    );
    expect(onFrame).toHaveBeenCalledTimes(1);
    sockets[0]!.onclose?.(new CloseEvent("close", { code: 1006 }));
    await vi.advanceTimersByTimeAsync(20);
    expect(sockets).toHaveLength(2);
    expect(onReconnect).not.toHaveBeenCalled();
    sockets[1]!.onopen?.(new Event("open"));
    expect(onReconnect).toHaveBeenCalledTimes(1);
    stream.stop();
    vi.useRealTimers();
  });
});

describe("streamChat with a parser of its own", () => {
  it("hands over only the frames its parser reads (the review comments ride the chat socket)", async () => {
    vi.useFakeTimers();
    const sockets: FakeSocket[] = [];
    const onFrame = vi.fn();
    const stream = streamChat<{ delivery_id: string }>({
      getTicket: () => Promise.resolve("t"),
      onFrame,
      onReconnect: () => undefined,
      parse: (data) => {
        const frame = JSON.parse(String(data)) as { type: string; data: { delivery_id: string } };
        return frame.type === "delivery_comment" ? frame.data : null;
      },
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      origin: "http://localhost",
    });
    await vi.runAllTimersAsync();
    expect(sockets[0]!.url).toBe("ws://localhost/v1/ws/chat?ticket=t");
    for (const frame of [
      { type: "message", data: message(1) },
      { type: "delivery_comment", data: { delivery_id: "d1" } },
    ]) {
      sockets[0]!.onmessage?.(new MessageEvent("message", { data: JSON.stringify(frame) }));
    }
    expect(onFrame.mock.calls).toEqual([[{ delivery_id: "d1" }]]);
    stream.stop();
    vi.useRealTimers();
  });
});

describe("presence in the cache", () => {
  it("updates every cached conversation with that person, and only those", () => {
    const queryClient = new QueryClient();
    const conversation = (id: string, participant: string): ConversationOut => ({
      id,
      participant: {
        id: participant,
        username: participant,
        full_name: participant,
        avatar_url: null,
        role: "creator",
      },
      order_id: null,
      project_id: null,
      created_at: "2026-12-01T09:00:00Z",
      last_activity_at: "2026-12-01T10:00:00Z",
      last_message: null,
      unread_count: 0,
      archived: false,
      participant_last_read_message_id: null,
      participant_presence: { user_id: participant, online: false, last_seen_at: null },
    });
    queryClient.setQueryData(messageKeys.conversation("c1"), conversation("c1", "maya"));
    queryClient.setQueryData<InfiniteData<ConversationPage>>(messageKeys.inboxOf(false), {
      pages: [
        { items: [conversation("c1", "maya"), conversation("c2", "sam")], next_cursor: null },
      ],
      pageParams: [null],
    });
    const online = { user_id: "maya", online: true, last_seen_at: "2026-12-01T10:05:00Z" };
    receivedPresence(queryClient, online);

    expect(
      queryClient.getQueryData<ConversationOut>(messageKeys.conversation("c1"))
        ?.participant_presence,
    ).toEqual(online);
    const inbox = queryClient.getQueryData<InfiniteData<ConversationPage>>(
      messageKeys.inboxOf(false),
    );
    expect(inbox?.pages[0]?.items.map((item) => item.participant_presence.online)).toEqual([
      true,
      false,
    ]);
  });
});

import { Link } from "react-router";
import { useUnreadMessages } from "@/api/messages";
import { Button } from "@/components/ui/button";

function ChatIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" className="size-5">
      <path
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
        d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"
      />
    </svg>
  );
}

/** The header's link to the inbox, with the unread total. */
export default function MessagesLink() {
  const unread = useUnreadMessages().data?.total ?? 0;
  return (
    <Button asChild variant="ghost" size="icon" className="relative">
      <Link to="/messages" aria-label={unread === 0 ? "Messages" : `Messages, ${unread} unread`}>
        <ChatIcon />
        {unread > 0 && (
          <span
            aria-hidden="true"
            className="absolute top-1 right-1 flex h-4 min-w-4 items-center justify-center rounded-full bg-destructive px-1 text-[0.625rem] leading-none font-semibold text-destructive-foreground"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </Link>
    </Button>
  );
}

import { useNavigate } from "react-router";
import { useAuth } from "@/auth/auth-context";
import { errorMessage } from "@/api/errors";
import { useStartConversation } from "@/api/messages";
import { Button } from "@/components/ui/button";

/** "Message …": starts (or finds) the conversation with this person and opens it. Nothing for
 * visitors or for oneself. */
export function MessageButton({
  participantId,
  orderId,
  label = "Message",
}: {
  participantId: string;
  orderId?: string;
  label?: string;
}) {
  const { user } = useAuth();
  const navigate = useNavigate();
  const start = useStartConversation();
  if (!user || user.id === participantId) return null;
  return (
    <span className="inline-flex flex-col gap-1">
      <Button
        variant="outline"
        disabled={start.isPending}
        onClick={() =>
          start.mutate(
            { participant_id: participantId, ...(orderId ? { order_id: orderId } : {}) },
            { onSuccess: (conversation) => void navigate(`/messages/${conversation.id}`) },
          )
        }
      >
        {label}
      </Button>
      {start.error && (
        <span role="alert" className="text-sm text-destructive">
          {errorMessage(start.error)}
        </span>
      )}
    </span>
  );
}

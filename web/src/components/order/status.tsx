import { Badge } from "@/components/ui/badge";
import { isKnownStatus, statusLabel, STATUSES } from "./status-model";

export function StatusBadge({ status, className }: { status: string; className?: string }) {
  const variant = isKnownStatus(status) ? STATUSES[status].variant : "outline";
  return (
    <Badge variant={variant} className={className}>
      {statusLabel(status)}
    </Badge>
  );
}

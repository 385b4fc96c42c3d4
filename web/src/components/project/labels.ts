import type { ProjectStatus, ProposalStatus } from "@/api/projects";
import type { BadgeProps } from "@/components/ui/badge";

export const PROJECT_STATUS: Record<
  ProjectStatus,
  { label: string; variant: BadgeProps["variant"] }
> = {
  open: { label: "Open", variant: "success" },
  in_progress: { label: "In progress", variant: "info" },
  completed: { label: "Completed", variant: "secondary" },
  cancelled: { label: "Closed", variant: "secondary" },
};

export const PROJECT_STATUSES = Object.keys(PROJECT_STATUS) as ProjectStatus[];

export function projectStatusLabel(status: ProjectStatus): string {
  return PROJECT_STATUS[status].label;
}

export const PROPOSAL_STATUS: Record<
  ProposalStatus,
  { label: string; variant: BadgeProps["variant"] }
> = {
  pending: { label: "Pending", variant: "warning" },
  accepted: { label: "Accepted", variant: "success" },
  rejected: { label: "Declined", variant: "secondary" },
  withdrawn: { label: "Withdrawn", variant: "secondary" },
};

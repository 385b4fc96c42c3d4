import { Link, Navigate, useParams } from "react-router";
import { useProposal } from "@/api/projects";
import { LoadFailure, PageLoading } from "@/components/states";

/** A proposal (where its notifications point): shown on its project's page. */
export function Component() {
  const { proposalId = "" } = useParams();
  const proposal = useProposal(proposalId);
  if (proposal.isPending) return <PageLoading label="Loading the proposal" />;
  if (proposal.isError) {
    return (
      <LoadFailure
        error={proposal.error}
        onRetry={() => void proposal.refetch()}
        what="this proposal"
        notFound={{
          pageTitle: "Proposal not found",
          title: "This proposal is not here",
          children: (
            <Link to="/projects" className="underline">
              Browse projects
            </Link>
          ),
        }}
      />
    );
  }
  return <Navigate to={`/projects/${proposal.data.project_id}`} replace />;
}
Component.displayName = "ProposalPage";

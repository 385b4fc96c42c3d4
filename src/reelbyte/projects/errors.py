"""Errors of projects, invites and proposals.

A state-machine refusal (accepting a withdrawn proposal, cancelling a project that is no longer
open) is `core.errors.InvalidTransition` (`invalid_transition`, details `{entity, from, to}`);
changing what is somebody else's is `core.errors.NotOwner` (`not_owner`).
"""

from __future__ import annotations

from reelbyte.core.errors import BadRequest, Conflict, Forbidden, NotFound, ValidationFailed


class ProjectNotFound(NotFound):
    code = "project_not_found"
    message = "No such project."


class ProposalNotFound(NotFound):
    code = "proposal_not_found"
    message = "No such proposal."


class InviteNotFound(NotFound):
    code = "invite_not_found"
    message = "That creator is not invited to this project."


class ProjectNotOpen(Conflict):
    code = "project_not_open"
    message = "Only an open project can do this."


class ProposalNotPending(Conflict):
    code = "proposal_not_pending"
    message = "Only a pending proposal can do this."


class ProposalExists(Conflict):
    code = "proposal_exists"
    message = "You have already sent a proposal for this project."


class DeadlinePassed(Conflict):
    code = "deadline_passed"
    message = "The project's deadline has passed."


class ProjectHasAcceptedProposal(Conflict):
    code = "project_has_accepted_proposal"
    message = "A project with an accepted proposal cannot be deleted."


class TooManyInvites(Conflict):
    code = "too_many_invites"
    message = "This project has as many invites as it can have."


class OwnProject(Forbidden):
    code = "own_project"
    message = "You cannot send a proposal for your own project."


class InvalidInvitee(BadRequest):
    code = "invalid_invitee"
    message = "Invite an active creator other than yourself."


class InvalidBudgetRange(BadRequest):
    code = "invalid_budget_range"
    message = "The lower end of a budget range must not be above its upper end."


class CurrencyMismatch(BadRequest):
    """An amount in another currency than the one it must be in (a project's budget, a
    proposal's price, a milestone's amount, a withdrawal): shared by projects, orders and
    payments. `details` says which currency came and which was expected."""

    code = "currency_mismatch"
    message = "The amount is not in the currency it must be in."


class InvalidSkill(BadRequest):
    code = "invalid_skill"
    message = "Each skill has 1 to 50 characters, one of them not a space, and no control characters."


class ProposalMilestonesDoNotAddUp(ValidationFailed):
    code = "proposal_milestones_do_not_add_up"
    message = "The proposal's milestones must add up exactly to its price."

"""Errors of orders, deliveries, milestones and disputes.

A move the order, milestone or dispute state machine does not allow is
`core.errors.InvalidTransition` (`invalid_transition`, details `{entity, from, to}`); what only
the order's client or only its creator may do is `core.errors.NotOwner` (`not_owner`) for the
other party. An amount in another currency is `projects.errors.CurrencyMismatch`.
"""

from __future__ import annotations

from reelbyte.core.errors import BadRequest, Conflict, Forbidden, NotFound, ValidationFailed


class OrderNotFound(NotFound):
    code = "order_not_found"
    message = "No such order."


class MilestoneNotFound(NotFound):
    code = "milestone_not_found"
    message = "No such milestone."


class DisputeNotFound(NotFound):
    code = "dispute_not_found"
    message = "No such dispute."


class OrderableGigNotFound(NotFound):
    code = "orderable_gig_not_found"
    message = "No such active gig."


class PackageNotInGig(BadRequest):
    code = "package_not_in_gig"
    message = "That package is not one of this gig's."


class OwnGig(Forbidden):
    code = "own_gig"
    message = "You cannot order your own gig."


class OrderNotActive(Conflict):
    code = "order_not_active"
    message = "This can be done only while the order is being worked on."


class UsesMilestones(Conflict):
    code = "uses_milestones"
    message = "This order goes milestone by milestone."


class NoRevisionsLeft(Conflict):
    code = "no_revisions_left"
    message = "No revisions remain on this order."


class CancellationPending(Conflict):
    code = "cancellation_pending"
    message = "You already asked to cancel; the other party must accept."


class NotAProposalOrder(Conflict):
    code = "not_a_proposal_order"
    message = "Only an order made from a proposal can be split into milestones."


class MilestonesNotPlannable(Conflict):
    code = "milestones_not_plannable"
    message = "Milestones are planned once, before any payment."


class MilestonesDoNotAddUp(BadRequest):
    code = "milestones_do_not_add_up"
    message = "The milestones must add up to the order amount."


class InvalidSplitAmounts(BadRequest):
    code = "invalid_amounts"
    message = "Amounts must be zero or more, in the order's currency."


class SplitMismatch(BadRequest):
    code = "split_mismatch"
    message = "The refund and the release must add up to exactly the held amount."


class DeliveryNotFound(NotFound):
    code = "delivery_not_found"
    message = "No such delivery."


class DeliveryCommentNotFound(NotFound):
    code = "delivery_comment_not_found"
    message = "No such comment."


class CommentsClosed(Conflict):
    code = "comments_closed"
    message = "The order is completed or cancelled: its review comments are read-only."


class TimecodePastVideo(BadRequest):
    code = "timecode_past_video"
    message = "The timecode is past the end of the delivered video."


class ReplyToReply(BadRequest):
    code = "reply_to_reply"
    message = "Reply to the thread's first comment: replies are not nested."


class ReplyNotResolvable(BadRequest):
    code = "reply_not_resolvable"
    message = "Resolve the thread on its first comment, not on a reply."


class CommentDeleted(Conflict):
    code = "comment_deleted"
    message = "This comment was deleted."


class CommentsNotInOrder(BadRequest):
    code = "comments_not_in_order"
    message = "Some comments are not live top-level comments on this order's deliveries."


class MilestoneTotalMismatch(ValidationFailed):
    code = "milestone_total_mismatch"
    message = "The milestones must still add up to the order's amount: change amounts together."


class MilestoneNotEditable(Conflict):
    code = "milestone_not_editable"
    message = "Only a milestone not yet funded can be changed."


class DuplicateMilestone(ValidationFailed):
    code = "duplicate_milestone"
    message = "Each milestone may be listed once."

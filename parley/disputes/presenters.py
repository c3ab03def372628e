"""What a reader sees of a dispute, shared by the page, the API and the PDF record."""

from dataclasses import dataclass
from typing import Any

from parley.accounts.models import User
from parley.core.clock import now

from . import selectors
from .models import Dispute, Proposal, TimelineEntry
from .rules import NextStep, escalation_opens_at, next_step
from .states import ROLE_LABELS, Action, Role, State, actions_for


@dataclass
class DisputeView:
    dispute: Dispute
    role: Role
    actions: list[str]
    next: NextStep
    offers: list[Proposal]
    timeline: list[TimelineEntry]
    acceptable: Proposal | None
    refundable: Any
    escalation_opens_at: Any

    @property
    def who_label(self) -> str:
        return str(ROLE_LABELS[self.next.who]) if self.next.who else ""


def dispute_view(user: User, dispute: Dispute) -> DisputeView:
    """The dispute as ``user`` may act on it: their side, the actions open to them right now."""
    role = selectors.role_of(user, dispute)
    state = State(dispute.state)
    acceptable = None
    actions = [str(a) for a in actions_for(state, role)] if role else []
    if Action.ACCEPT in actions:
        other = Role.SELLER if role == Role.BUYER else Role.BUYER
        acceptable = selectors.latest_offer(dispute, by=other)
        if acceptable is None:
            actions.remove(Action.ACCEPT)
    if Action.ESCALATE in actions and now() < escalation_opens_at(dispute.opened_at):
        actions.remove(Action.ESCALATE)
    if Action.PROVIDE_INFO in actions and dispute.info_requested_from != role:
        actions.remove(Action.PROVIDE_INFO)
    return DisputeView(
        dispute=dispute,
        role=role,
        actions=actions,
        next=next_step(state, dispute.deadline_at, dispute.opened_at, dispute.info_requested_from),
        offers=list(dispute.proposals.select_related("author")),
        timeline=list(
            dispute.timeline.select_related("author", "proposal").prefetch_related(
                "evidence__attachment", "evidence__message", "evidence__message_author"
            )
        ),
        acceptable=acceptable,
        refundable=selectors.refundable_amount(dispute.order),
        escalation_opens_at=escalation_opens_at(dispute.opened_at),
    )

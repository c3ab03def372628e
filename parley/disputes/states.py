"""The dispute's states and every allowed transition, as data that code, tests and docs read.

``TRANSITIONS[(state, action)]`` says who may take that action in that state and which states
it can lead to (``accept`` leads to a refund or to a return, depending on the accepted offer).
Anything not in the table is refused. ``python -m parley.disputes.states`` prints the table.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class State(StrEnum):
    AWAITING_SELLER = "awaiting_seller"
    NEGOTIATING = "negotiating"
    AWAITING_RETURN = "awaiting_return"
    RETURN_SHIPPED = "return_shipped"
    ESCALATED = "escalated"
    INFO_REQUESTED = "info_requested"
    RESOLVED = "resolved"
    RETURN_EXPIRED = "return_expired"
    WITHDRAWN = "withdrawn"
    DECIDED = "decided"


STATE_LABELS = {
    State.AWAITING_SELLER: _("waiting for the seller's answer"),
    State.NEGOTIATING: _("negotiating"),
    State.AWAITING_RETURN: _("waiting for the return"),
    State.RETURN_SHIPPED: _("return on its way"),
    State.ESCALATED: _("with the arbitrator"),
    State.INFO_REQUESTED: _("arbitrator asked for information"),
    State.RESOLVED: _("resolved"),
    State.RETURN_EXPIRED: _("closed: item not returned in time"),
    State.WITHDRAWN: _("withdrawn by the buyer"),
    State.DECIDED: _("decided by the arbitrator"),
}

CLOSED_STATES = frozenset({State.RESOLVED, State.RETURN_EXPIRED, State.WITHDRAWN, State.DECIDED})
OPEN_STATES = frozenset(set(State) - CLOSED_STATES)


class Role(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    ARBITRATOR = "arbitrator"
    SYSTEM = "system"


class Action(StrEnum):
    OPEN = "open"  # creates the dispute (no state before it); see rules.opening_window
    ACCEPT = "accept"
    COUNTER = "counter"
    REJECT = "reject"
    COMMENT = "comment"
    WITHDRAW = "withdraw"
    ESCALATE = "escalate"
    SHIP_RETURN = "ship_return"
    CONFIRM_RECEIPT = "confirm_receipt"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    DECIDE = "decide"
    # Taken by the deadline jobs when nobody acted in time.
    SELLER_TIMEOUT = "seller_timeout"
    RETURN_TIMEOUT = "return_timeout"
    RECEIPT_TIMEOUT = "receipt_timeout"
    INFO_TIMEOUT = "info_timeout"


ACTION_LABELS = {
    Action.OPEN: _("opened the dispute"),
    Action.ACCEPT: _("accepted the offer"),
    Action.COUNTER: _("made an offer"),
    Action.REJECT: _("rejected the proposal"),
    Action.COMMENT: _("commented"),
    Action.WITHDRAW: _("withdrew the dispute"),
    Action.ESCALATE: _("escalated to an arbitrator"),
    Action.SHIP_RETURN: _("shipped the item back"),
    Action.CONFIRM_RECEIPT: _("confirmed receipt of the returned item"),
    Action.REQUEST_INFO: _("asked for more information"),
    Action.PROVIDE_INFO: _("answered the arbitrator"),
    Action.DECIDE: _("made the decision"),
    Action.SELLER_TIMEOUT: _("the seller did not answer in time: the buyer's proposal is accepted"),
    Action.RETURN_TIMEOUT: _("the item was not shipped back in time: closed without refund"),
    Action.RECEIPT_TIMEOUT: _("receipt was not confirmed in time: the refund is recorded"),
    Action.INFO_TIMEOUT: _("no answer in time: the arbitrator decides with what there is"),
}

ROLE_LABELS = {
    Role.BUYER: _("Buyer"),
    Role.SELLER: _("Seller"),
    Role.ARBITRATOR: _("Arbitrator"),
    Role.SYSTEM: _("Parley"),
}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    targets: tuple[State, ...]


def _rule(roles: set[Role], *targets: State) -> Rule:
    return Rule(frozenset(roles), targets)


BUYER, SELLER, ARBITRATOR, SYSTEM = Role.BUYER, Role.SELLER, Role.ARBITRATOR, Role.SYSTEM
S = State
A = Action
PARTIES = {BUYER, SELLER}
AGREED = (S.RESOLVED, S.AWAITING_RETURN)

TRANSITIONS: dict[tuple[State, Action], Rule] = {
    (S.AWAITING_SELLER, A.ACCEPT): _rule({SELLER}, *AGREED),
    (S.AWAITING_SELLER, A.COUNTER): _rule({SELLER}, S.NEGOTIATING),
    (S.AWAITING_SELLER, A.REJECT): _rule({SELLER}, S.NEGOTIATING),
    (S.AWAITING_SELLER, A.COMMENT): _rule(PARTIES, S.AWAITING_SELLER),
    (S.AWAITING_SELLER, A.WITHDRAW): _rule({BUYER}, S.WITHDRAWN),
    (S.AWAITING_SELLER, A.SELLER_TIMEOUT): _rule({SYSTEM}, *AGREED),
    (S.NEGOTIATING, A.ACCEPT): _rule(PARTIES, *AGREED),
    (S.NEGOTIATING, A.COUNTER): _rule(PARTIES, S.NEGOTIATING),
    (S.NEGOTIATING, A.COMMENT): _rule(PARTIES, S.NEGOTIATING),
    (S.NEGOTIATING, A.WITHDRAW): _rule({BUYER}, S.WITHDRAWN),
    (S.NEGOTIATING, A.ESCALATE): _rule({BUYER}, S.ESCALATED),
    (S.AWAITING_RETURN, A.SHIP_RETURN): _rule({BUYER}, S.RETURN_SHIPPED),
    (S.AWAITING_RETURN, A.COMMENT): _rule(PARTIES, S.AWAITING_RETURN),
    (S.AWAITING_RETURN, A.WITHDRAW): _rule({BUYER}, S.WITHDRAWN),
    (S.AWAITING_RETURN, A.RETURN_TIMEOUT): _rule({SYSTEM}, S.RETURN_EXPIRED),
    (S.RETURN_SHIPPED, A.CONFIRM_RECEIPT): _rule({SELLER}, S.RESOLVED),
    (S.RETURN_SHIPPED, A.COMMENT): _rule(PARTIES, S.RETURN_SHIPPED),
    (S.RETURN_SHIPPED, A.WITHDRAW): _rule({BUYER}, S.WITHDRAWN),
    (S.RETURN_SHIPPED, A.RECEIPT_TIMEOUT): _rule({SYSTEM}, S.RESOLVED),
    (S.ESCALATED, A.COMMENT): _rule(PARTIES, S.ESCALATED),
    (S.ESCALATED, A.WITHDRAW): _rule({BUYER}, S.WITHDRAWN),
    (S.ESCALATED, A.REQUEST_INFO): _rule({ARBITRATOR}, S.INFO_REQUESTED),
    (S.ESCALATED, A.DECIDE): _rule({ARBITRATOR}, S.DECIDED),
    (S.INFO_REQUESTED, A.COMMENT): _rule(PARTIES, S.INFO_REQUESTED),
    (S.INFO_REQUESTED, A.WITHDRAW): _rule({BUYER}, S.WITHDRAWN),
    (S.INFO_REQUESTED, A.PROVIDE_INFO): _rule(PARTIES, S.ESCALATED),
    (S.INFO_REQUESTED, A.DECIDE): _rule({ARBITRATOR}, S.DECIDED),
    (S.INFO_REQUESTED, A.INFO_TIMEOUT): _rule({SYSTEM}, S.ESCALATED),
}

# The system action each waiting state's deadline triggers.
DEADLINE_ACTIONS: dict[State, Action] = {
    S.AWAITING_SELLER: A.SELLER_TIMEOUT,
    S.AWAITING_RETURN: A.RETURN_TIMEOUT,
    S.RETURN_SHIPPED: A.RECEIPT_TIMEOUT,
    S.INFO_REQUESTED: A.INFO_TIMEOUT,
}


def allowed(state: State, action: Action, role: Role) -> bool:
    rule = TRANSITIONS.get((state, action))
    return rule is not None and role in rule.roles


def actions_for(state: State, role: Role) -> list[Action]:
    """The actions ``role`` may take in ``state``, in the table's order."""
    return [a for (s, a), rule in TRANSITIONS.items() if s == state and role in rule.roles]


def table_text() -> str:
    rows = [f"{'state':<16} {'action':<16} {'roles':<26} next state"]
    for (state, action), rule in TRANSITIONS.items():
        roles = ",".join(sorted(rule.roles))
        rows.append(f"{state:<16} {action:<16} {roles:<26} {' | '.join(rule.targets)}")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table_text())

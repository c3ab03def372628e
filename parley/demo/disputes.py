"""Demo disputes, one in each state worth seeing, with ages relative to ``now``.

These are fixtures, written directly with their past timestamps (the services only ever write
"now"). Loading again first removes the demo orders' disputes, timeline included — the one
place the append-only timeline is cleared, because demo history is invented anyway.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from parley.accounts.models import User
from parley.disputes.models import (
    Decision,
    Dispute,
    Evidence,
    Proposal,
    Refund,
    TimelineEntry,
)
from parley.disputes.rules import deadline_for
from parley.disputes.states import Action, Role, State
from parley.marketplace.models import Order

from .marketplace import ORDERS

DAY = timedelta(days=1)
SELLERS = {"uyutny-dom": "seller", "tekhnoplyus": "seller2"}


def _clear(numbers: list[str]) -> None:
    disputes = Dispute.objects.filter(order__number__in=numbers)
    Evidence.objects.filter(dispute__in=disputes).delete()
    Refund.objects.filter(dispute__in=disputes).delete()
    Decision.objects.filter(dispute__in=disputes).delete()
    TimelineEntry.objects.filter(dispute__in=disputes).delete()
    disputes.update(agreed_proposal=None)
    Proposal.objects.filter(dispute__in=disputes).delete()
    disputes.delete()


class _Story:
    """Write one dispute's history step by step, each step at its own moment."""

    def __init__(self, order: Order, users: dict[str, User], at: datetime, **fields: object):
        self.order = order
        self.buyer = users["buyer"]
        self.seller = users[SELLERS[order.store.slug]]
        self.dispute = Dispute.objects.create(
            order=order,
            state=State.AWAITING_SELLER,
            opened_at=at,
            state_changed_at=at,
            deadline_at=deadline_for(State.AWAITING_SELLER, at),
            **fields,
        )

    def offer(self, role: Role, at: datetime, amount: str, *, ret: bool = False, note: str = ""):
        self.dispute.proposals.filter(status=Proposal.Status.OPEN).update(
            status=Proposal.Status.SUPERSEDED
        )
        return Proposal.objects.create(
            dispute=self.dispute,
            author=self.buyer if role == Role.BUYER else self.seller,
            author_role=role,
            refund_amount=Decimal(amount),
            return_item=ret,
            return_shipping_paid_by="seller" if ret else "",
            note=note,
            status=Proposal.Status.OPEN,
            created_at=at,
        )

    def step(
        self, role: Role, action: Action, at: datetime, to: State, text: str = "", **extra: object
    ) -> None:
        author = {Role.BUYER: self.buyer, Role.SELLER: self.seller}.get(role, extra.pop("by", None))
        TimelineEntry.objects.create(
            dispute=self.dispute,
            at=at,
            author=author,
            role=role,
            action=action,
            from_state="" if action == Action.OPEN else self.dispute.state,
            to_state=to,
            text=text,
            **extra,
        )
        self.dispute.state = to
        self.dispute.state_changed_at = at
        self.dispute.deadline_at = deadline_for(to, at)
        self.dispute.save()


def load_disputes(users: dict[str, User], now: datetime) -> None:
    _clear([o.number for o in ORDERS])
    orders = {o.number: o for o in Order.objects.select_related("store")}

    # Negotiating: the seller answered with a counter-offer two days ago.
    s = _Story(orders["PD-1006"], users, now - 3 * DAY, reason="not_as_described",
               description="Салфетки пришли серые, а на фото были бежевые.")  # fmt: skip
    p = s.offer(Role.BUYER, now - 3 * DAY, "800.00")
    s.step(Role.BUYER, Action.OPEN, now - 3 * DAY, State.AWAITING_SELLER,
           s.dispute.description, proposal=p)  # fmt: skip
    p = s.offer(Role.SELLER, now - 2 * DAY, "500.00", note="Цвет зависит от освещения на фото.")
    s.step(Role.SELLER, Action.COUNTER, now - 2 * DAY, State.NEGOTIATING, p.note, proposal=p)

    # Opened 16 days ago without agreement: the buyer may escalate now.
    s = _Story(orders["PD-1007"], users, now - 16 * DAY, reason="damaged",
               description="Левый наушник не работает с первого дня.")  # fmt: skip
    p = s.offer(Role.BUYER, now - 16 * DAY, "2500.00")
    s.step(Role.BUYER, Action.OPEN, now - 16 * DAY, State.AWAITING_SELLER,
           s.dispute.description, proposal=p)  # fmt: skip
    s.step(Role.SELLER, Action.REJECT, now - 14 * DAY, State.NEGOTIATING,
           "Мы проверяем каждую пару перед отправкой — всё работало.")  # fmt: skip
    p = s.offer(Role.BUYER, now - 12 * DAY, "2000.00", note="Готова уступить.")
    s.step(Role.BUYER, Action.COUNTER, now - 12 * DAY, State.NEGOTIATING, p.note, proposal=p)

    # Escalated five days ago, waiting for the arbitrator.
    s = _Story(orders["PD-1008"], users, now - 22 * DAY, reason="not_received",
               description="Трек-номер не отслеживается, посылки нет.")  # fmt: skip
    p = s.offer(Role.BUYER, now - 22 * DAY, "3490.00")
    s.step(Role.BUYER, Action.OPEN, now - 22 * DAY, State.AWAITING_SELLER,
           s.dispute.description, proposal=p)  # fmt: skip
    p = s.offer(Role.SELLER, now - 20 * DAY, "1000.00", note="Посылка в пути, подождите.")
    s.step(Role.SELLER, Action.COUNTER, now - 20 * DAY, State.NEGOTIATING, p.note, proposal=p)
    s.dispute.escalated_at = now - 5 * DAY
    s.step(Role.BUYER, Action.ESCALATE, now - 5 * DAY, State.ESCALATED,
           "Прошло больше месяца, посылки нет.")  # fmt: skip

    # Decided ten days ago with a partial refund.
    arbitrator = users["arbitrator"]
    s = _Story(orders["PD-1009"], users, now - 35 * DAY, reason="damaged",
               description="Корпус аккумулятора треснул.")  # fmt: skip
    p = s.offer(Role.BUYER, now - 35 * DAY, "2490.00")
    s.step(Role.BUYER, Action.OPEN, now - 35 * DAY, State.AWAITING_SELLER,
           s.dispute.description, proposal=p)  # fmt: skip
    s.step(Role.SELLER, Action.REJECT, now - 33 * DAY, State.NEGOTIATING,
           "Трещина появилась после получения.")  # fmt: skip
    s.dispute.escalated_at = now - 19 * DAY
    s.step(Role.BUYER, Action.ESCALATE, now - 19 * DAY, State.ESCALATED)
    reason = "Фото подтверждают трещину, но аккумулятор работает: частичный возврат."
    Decision.objects.create(
        dispute=s.dispute, arbitrator=arbitrator, outcome=Decision.Outcome.PARTIAL_REFUND,
        refund_amount=Decimal("1200.00"), reason=reason, decided_at=now - 10 * DAY,
    )  # fmt: skip
    s.dispute.closed_at = now - 10 * DAY
    s.step(Role.ARBITRATOR, Action.DECIDE, now - 10 * DAY, State.DECIDED, reason, by=arbitrator,
           data={"outcome": "partial_refund", "refund_amount": "1200.00"})  # fmt: skip
    Refund.objects.create(
        order=s.order, dispute=s.dispute, amount=Decimal("1200.00"), currency="RUB",
        cause=Refund.Cause.DECISION, created_at=now - 10 * DAY,
    )  # fmt: skip

    # Agreed with a return two days ago: the buyer has until the deadline to ship it back.
    s = _Story(orders["PD-1010"], users, now - 10 * DAY, reason="not_as_described",
               description="Кружка меньше, чем указано: 250 мл вместо 350.")  # fmt: skip
    p = s.offer(Role.BUYER, now - 10 * DAY, "890.00", ret=True)
    s.step(Role.BUYER, Action.OPEN, now - 10 * DAY, State.AWAITING_SELLER,
           s.dispute.description, proposal=p)  # fmt: skip
    p.status = Proposal.Status.ACCEPTED
    p.save(update_fields=["status"])
    s.dispute.agreed_proposal = p
    s.step(Role.SELLER, Action.ACCEPT, now - 2 * DAY, State.AWAITING_RETURN, proposal=p)
    _schedule(s.dispute)


def _schedule(dispute: Dispute) -> None:
    from parley.disputes.tasks import dispute_deadline

    pk, deadline = dispute.pk, dispute.deadline_at
    transaction.on_commit(lambda: dispute_deadline.using(run_after=deadline).enqueue(dispute_id=pk))

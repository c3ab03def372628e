"""What a notification can be about, and how it reads.

Texts are kept as untranslated templates and rendered in the reader's language when shown or
mailed, so a notification written for a Russian seller reads in English once they switch.
Parameters are plain values (names, numbers, a short excerpt) given by the calling service.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    label: Promise
    title: Promise


KINDS: dict[str, Kind] = {
    "message_new": Kind(_("New messages"), _("New message from %(sender)s")),
    "review_reply": Kind(
        _("Replies to my reviews"), _("%(store)s replied to your review of %(product)s")
    ),
    "reply_reminder": Kind(
        _("Unanswered buyer messages"),
        _("%(buyer)s has been waiting %(hours)s hours for an answer from %(store)s"),
    ),
    "dispute_opened": Kind(_("Disputes: opened"), _("Dispute on order %(order)s was opened")),
    "dispute_answered": Kind(
        _("Disputes: seller's answer"), _("The seller answered the dispute on order %(order)s")
    ),
    "dispute_offer": Kind(
        _("Disputes: offers"), _("A new offer in the dispute on order %(order)s")
    ),
    "dispute_escalated": Kind(
        _("Disputes: escalated"), _("The dispute on order %(order)s went to arbitration")
    ),
    "dispute_info_requested": Kind(
        _("Disputes: information requested"),
        _("The arbitrator asks for more information on order %(order)s"),
    ),
    "dispute_decided": Kind(
        _("Disputes: decisions"), _("The dispute on order %(order)s was decided")
    ),
    "dispute_deadline": Kind(
        _("Disputes: deadlines approaching"),
        _("Dispute on order %(order)s: %(percent)s%% of the time to act has passed"),
    ),
    "dispute_refund": Kind(_("Disputes: refunds"), _("A refund was recorded for order %(order)s")),
}


def kind_choices() -> list[tuple[str, Promise]]:
    return [(code, kind.label) for code, kind in KINDS.items()]

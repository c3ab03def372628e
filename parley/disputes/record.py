"""The printable dispute record (PDF): everything both sides and the arbitrator saw.

Built with fpdf2 and a Unicode TrueType font (DejaVu Sans, Debian's ``fonts-dejavu-core``) so
Cyrillic prints; times are in the reader's time zone with its name.
"""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Dispute
from .presenters import DisputeView

FONT = "DejaVu"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


class _Record(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        fonts = Path(settings.DISPUTE_RECORD_FONT_DIR)
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def heading(self, text: str, size: int = 12) -> None:
        self.ln(2)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 9)

    def line(self, text: str) -> None:
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    def fact(self, label: str, value: object) -> None:
        self.line(f"{label}: {value}")


def dispute_record_pdf(view: DisputeView) -> bytes:
    """Render the record of ``view.dispute`` as the reader (already permitted) would see it."""
    dispute: Dispute = view.dispute
    order = dispute.order
    pdf = _Record()
    pdf.heading(
        _("Dispute #%(id)s · order %(number)s") % {"id": dispute.pk, "number": order.number}, 15
    )
    pdf.fact(_("Store"), order.store.name)
    pdf.fact(_("Buyer"), order.buyer.public_name)
    pdf.fact(_("State"), dispute.state_label)
    pdf.fact(_("What went wrong"), dispute.get_reason_display())
    pdf.fact(_("Opened"), _when(dispute.opened_at))
    pdf.fact(_("Total paid"), f"{order.total_paid} {order.currency}")
    pdf.line(dispute.description)

    pdf.heading(_("Offers"))
    for offer in view.offers:
        ret = _("with return") if offer.return_item else ""
        pdf.line(
            f"{_when(offer.created_at)} · {offer.author.public_name} · {offer.refund_amount} "
            f"{offer.currency} {ret} · {offer.get_status_display()}"
        )

    pdf.heading(_("Timeline"))
    for entry in view.timeline:
        who = entry.author.public_name if entry.author else entry.role_label
        pdf.set_font(FONT, "B", 9)
        pdf.line(f"{_when(entry.at)} · {who} ({entry.role_label}) · {entry.label}")
        pdf.set_font(FONT, "", 9)
        if entry.text:
            pdf.line(entry.text)
        for item in entry.evidence.all():
            if item.attachment_id:
                photo = item.attachment
                label = _("Video %(name)s") if item.kind == "video" else _("Photo %(name)s")
                pdf.line(
                    f"  {label % {'name': photo.original_name}} · SHA-256 "
                    f"{photo.sha256} · {_('received')} {_when(photo.received_at)}"
                )
            else:
                state = (
                    _("text unchanged")
                    if item.message_unchanged
                    else _("the text was changed after it was cited")
                )
                pdf.line(
                    "  "
                    + _("Chat message #%(id)s by %(author)s")
                    % {"id": item.message_id, "author": item.message_author.public_name}
                    + f" · {_when(item.message_sent_at)}"
                )
                pdf.line(f"  «{item.message.body}»")
                pdf.line(f"  SHA-256 {item.message_text_sha256} · {state}")

    decision = getattr(dispute, "decision", None)
    if decision is not None:
        pdf.heading(_("Arbitrator's decision"))
        pdf.fact(_("Decision"), decision.get_outcome_display())
        pdf.fact(_("Refund"), f"{decision.refund_amount} {decision.currency}")
        pdf.fact(_("Decided"), _when(decision.decided_at))
        pdf.line(decision.reason)

    refunds = list(dispute.refunds.all())
    if refunds:
        pdf.heading(_("Refunds"))
        for refund in refunds:
            pdf.line(
                f"{_when(refund.created_at)} · {refund.amount} {refund.currency} · "
                f"{refund.get_cause_display()}"
            )
    return bytes(pdf.output())

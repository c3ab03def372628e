"""Reads of reviews: the product's public list, who may review, and the store's feed."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, QuerySet
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import User
from parley.attachments.models import Attachment
from parley.core.clock import now
from parley.core.errors import NotFound
from parley.marketplace.models import OrderLine, Product, Store
from parley.marketplace.selectors import store_ids_for_member

from . import rules
from .models import Review, ReviewPhoto, ReviewRevision, SellerReply, SellerReplyRevision


class Refusal(StrEnum):
    """Why someone cannot review a product; each has a message the reader understands."""

    LOG_IN = "log_in"
    NOT_BUYER = "not_buyer"
    NOT_DELIVERED = "not_delivered"
    ALREADY_REVIEWED = "already_reviewed"


REFUSAL_MESSAGES = {
    Refusal.LOG_IN: _("Log in to review a product you bought."),
    Refusal.NOT_BUYER: _("Only buyers of this product can review it."),
    Refusal.NOT_DELIVERED: _("You can review this product once your order is delivered."),
    Refusal.ALREADY_REVIEWED: _("You have already reviewed this purchase."),
}


@dataclass(frozen=True)
class Eligibility:
    """The order lines a user may review now, or the reason there are none."""

    lines: list[OrderLine] = field(default_factory=list)
    refusal: Refusal | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def message(self) -> Any:
        return REFUSAL_MESSAGES[self.refusal] if self.refusal else ""


def review_eligibility(user: User, product: Product, order_number: str = "") -> Eligibility:
    """Only the buyer of a delivered or completed order line, once per line."""
    if not user.is_authenticated:
        return Eligibility(refusal=Refusal.LOG_IN)
    bought = OrderLine.objects.filter(order__buyer=user, product=product).select_related("order")
    if order_number:
        bought = bought.filter(order__number=order_number)
        if not bought.exists():
            raise NotFound()
    if not bought.exists():
        return Eligibility(refusal=Refusal.NOT_BUYER)
    received = bought.filter(order__status__in=rules.REVIEWABLE_ORDER_STATUSES)
    if not received.exists():
        return Eligibility(refusal=Refusal.NOT_DELIVERED)
    free = list(received.filter(review__isnull=True).order_by("order__placed_at", "id"))
    if not free:
        return Eligibility(refusal=Refusal.ALREADY_REVIEWED)
    return Eligibility(lines=free)


def _with_related(qs: QuerySet[Review]) -> QuerySet[Review]:
    return qs.select_related(
        "author", "product__store", "order_line__order", "reply", "reply__author"
    ).prefetch_related("photos__attachment")


def review_photo_is_public(user: User, attachment: Attachment) -> bool:
    """Photos of reviews of products on sale are public, like the reviews themselves."""
    return ReviewPhoto.objects.filter(
        attachment=attachment, review__product__is_active=True
    ).exists()


def reviews_for_product(product: Product) -> QuerySet[Review]:
    """Newest first, each with the store's reply."""
    return _with_related(Review.objects.filter(product=product))


def review_summary(product: Product) -> dict[str, Any]:
    """The count and the average rating (None without reviews), rounded to one decimal."""
    totals = Review.objects.filter(product=product).aggregate(count=Count("id"), avg=Avg("rating"))
    average = round(totals["avg"], 1) if totals["avg"] is not None else None
    return {"count": totals["count"], "average": average}


def get_review(review_id: int) -> Review:
    """A public review of a product on sale."""
    review = _with_related(Review.objects.filter(pk=review_id, product__is_active=True)).first()
    if review is None:
        raise NotFound()
    return review


def get_review_for_author(user: User, review_id: int) -> Review:
    """The user's own review; anybody else's is reported as missing."""
    if not user.is_authenticated:
        raise NotFound()
    review = _with_related(Review.objects.filter(pk=review_id, author=user)).first()
    if review is None:
        raise NotFound()
    return review


def get_review_for_member(user: User, review_id: int) -> Review:
    """A review of a product of a store the user works in; others do not see it this way."""
    review = _with_related(
        Review.objects.filter(pk=review_id, product__store_id__in=store_ids_for_member(user))
    ).first()
    if review is None:
        raise NotFound()
    return review


def review_edit_closes_at(review: Review) -> datetime:
    return review.created_at + settings.REVIEW_EDIT_WINDOW


def review_is_editable(review: Review) -> bool:
    """The last moment of the window is still inside it."""
    return now() <= review_edit_closes_at(review)


def reply_edit_closes_at(reply: SellerReply) -> datetime:
    return reply.created_at + settings.REVIEW_REPLY_EDIT_WINDOW


def reply_is_editable(reply: SellerReply) -> bool:
    return now() <= reply_edit_closes_at(reply)


class FeedShow(StrEnum):
    UNANSWERED = "unanswered"
    ALL = "all"


def store_feed(
    store: Store, *, show: FeedShow = FeedShow.UNANSWERED, rating: int | None = None
) -> QuerySet[Review]:
    """The store's reviews for its staff: questions first, then the newest.

    The caller has already checked that the reader works in this store.
    """
    qs = Review.objects.filter(product__store=store)
    if show == FeedShow.UNANSWERED:
        qs = qs.filter(reply__isnull=True)
    if rating is not None:
        qs = qs.filter(rating=rating)
    return _with_related(qs).order_by("-is_question", "-created_at", "-id")


def unanswered_count(store: Store) -> int:
    return Review.objects.filter(product__store=store, reply__isnull=True).count()


def unanswered_questions_count(store: Store) -> int:
    return Review.objects.filter(product__store=store, reply__isnull=True, is_question=True).count()


def review_history(
    review: Review,
) -> tuple[QuerySet[ReviewRevision], QuerySet[SellerReplyRevision]]:
    """Earlier wordings of a review and of its reply, oldest first; edits never erase."""
    return (
        ReviewRevision.objects.filter(review=review),
        SellerReplyRevision.objects.filter(reply__review=review).select_related("author"),
    )

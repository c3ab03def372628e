"""Writing reviews and the store's replies: who may, how often, and for how long."""

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import User
from parley.attachments.models import Attachment
from parley.attachments.services import attachments_create_from_uploads
from parley.core.clock import now
from parley.core.errors import ErrorCode, Invalid, NotFound, ParleyError
from parley.marketplace.models import Product
from parley.marketplace.selectors import is_store_member

from . import rules
from .models import Review, ReviewPhoto, ReviewRevision, SellerReply, SellerReplyRevision
from .selectors import (
    REFUSAL_MESSAGES,
    Refusal,
    reply_is_editable,
    review_eligibility,
    review_is_editable,
)


def _refuse(refusal: Refusal) -> ParleyError:
    return ParleyError(
        ErrorCode.PERMISSION_DENIED, REFUSAL_MESSAGES[refusal], detail={"reason": str(refusal)}
    )


def _clean_rating(rating: Any) -> int:
    if (
        isinstance(rating, bool)
        or not isinstance(rating, int)
        or not rules.RATING_MIN <= rating <= rules.RATING_MAX
    ):
        raise Invalid(
            _("Choose a rating from %(min)d to %(max)d stars.")
            % {"min": rules.RATING_MIN, "max": rules.RATING_MAX},
            field="rating",
        )
    return rating


def _clean_text(text: str, limit: int) -> str:
    text = text.strip()
    if "\x00" in text:
        raise Invalid(_("The text contains characters that cannot be stored."), field="text")
    if not text:
        raise Invalid(_("Write a few words."), field="text")
    if len(text) > limit:
        raise Invalid(_("Keep this under %(limit)d characters.") % {"limit": limit}, field="text")
    return text


def _photos_error(error: ParleyError) -> ParleyError:
    """Attachments explain what is wrong with a photo; say it is about the review's photos."""
    error.detail = {**error.detail, "field": "photos"}
    return error


def _own_unused_photos(actor: User, photo_ids: Sequence[int]) -> list[Attachment]:
    if len(set(photo_ids)) != len(photo_ids):
        raise Invalid(_("The same photo is attached twice."), field="photos")
    found = {a.pk: a for a in Attachment.objects.filter(pk__in=photo_ids, owner=actor)}
    if len(found) != len(photo_ids):
        raise Invalid(_("A photo was not found among your uploads."), field="photos")
    if ReviewPhoto.objects.filter(attachment_id__in=photo_ids).exists():
        raise Invalid(_("This photo is already shown with a review."), field="photos")
    return [found[pk] for pk in photo_ids]


def review_create(
    *,
    actor: User,
    product: Product,
    rating: int,
    text: str,
    is_question: bool = False,
    order_number: str = "",
    photo_ids: Sequence[int] = (),
    uploads: Sequence[UploadedFile] = (),
) -> Review:
    """Review one bought, delivered order line of this product (the oldest not yet reviewed).

    ``order_number`` picks the purchase when the buyer bought the product more than once.
    Photos are either already uploaded (``photo_ids``, the caller's own) or uploaded now
    (``uploads``); the attachments app checks and re-encodes them exactly as for messages.
    """
    rating = _clean_rating(rating)
    text = _clean_text(text, rules.TEXT_MAX_LENGTH)
    if len(photo_ids) + len(uploads) > rules.PHOTOS_MAX:
        raise Invalid(
            _("At most %(limit)d photos per review.") % {"limit": rules.PHOTOS_MAX},
            field="photos",
        )
    eligibility = review_eligibility(actor, product, order_number)
    if not eligibility.allowed:
        raise _refuse(eligibility.refusal)
    photos = _own_unused_photos(actor, list(photo_ids))
    try:
        with transaction.atomic():
            review = Review.objects.create(
                order_line=eligibility.lines[0],
                product=product,
                author=actor,
                rating=rating,
                text=text,
                is_question=is_question,
                created_at=now(),
            )
            if uploads:
                try:
                    photos += attachments_create_from_uploads(owner=actor, uploads=uploads)
                except ParleyError as error:
                    raise _photos_error(error) from None
            ReviewPhoto.objects.bulk_create(
                ReviewPhoto(review=review, attachment=photo, position=position)
                for position, photo in enumerate(photos)
            )
            return review
    except IntegrityError:  # the same line reviewed a moment ago from another tab
        raise _refuse(Refusal.ALREADY_REVIEWED) from None


def review_update(
    *, actor: User, review: Review, rating: int, text: str, is_question: bool
) -> Review:
    """Change one's own review while the edit window is open; the old wording is kept."""
    if review.author_id != actor.pk:
        raise NotFound()
    rating = _clean_rating(rating)
    text = _clean_text(text, rules.TEXT_MAX_LENGTH)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if not review_is_editable(locked):
            raise ParleyError(
                ErrorCode.PERMISSION_DENIED,
                _("The time to edit this review is over."),
                detail={"reason": "edit_window_closed"},
            )
        ReviewRevision.objects.create(
            review=locked,
            rating=locked.rating,
            text=locked.text,
            is_question=locked.is_question,
            written_at=locked.edited_at or locked.created_at,
        )
        locked.rating, locked.text, locked.is_question = rating, text, is_question
        locked.edited_at = now()
        locked.save(update_fields=["rating", "text", "is_question", "edited_at"])
    return locked


def _check_member(actor: User, review: Review) -> None:
    if not is_store_member(actor, review.product.store):
        raise NotFound()


def seller_reply_create(*, actor: User, review: Review, text: str) -> SellerReply:
    """Answer a review in public for the store; a review gets one reply, later edited."""
    _check_member(actor, review)
    text = _clean_text(text, rules.REPLY_MAX_LENGTH)
    already = ParleyError(
        ErrorCode.CONFLICT,
        _("This review already has the store's reply; edit it instead."),
        detail={"reason": "already_replied"},
    )
    try:
        with transaction.atomic():
            locked = Review.objects.select_for_update().get(pk=review.pk)
            if SellerReply.objects.filter(review=locked).exists():
                raise already
            return SellerReply.objects.create(
                review=locked, author=actor, text=text, created_at=now()
            )
    except IntegrityError:
        raise already from None


def seller_reply_update(*, actor: User, review: Review, text: str) -> SellerReply:
    """Change the store's reply while its edit window is open; the old wording is kept."""
    _check_member(actor, review)
    text = _clean_text(text, rules.REPLY_MAX_LENGTH)
    with transaction.atomic():
        reply = SellerReply.objects.select_for_update().filter(review=review).first()
        if reply is None:
            raise NotFound()
        if not reply_is_editable(reply):
            raise ParleyError(
                ErrorCode.PERMISSION_DENIED,
                _("The time to edit this reply is over."),
                detail={"reason": "edit_window_closed"},
            )
        SellerReplyRevision.objects.create(
            reply=reply,
            author_id=reply.author_id,
            text=reply.text,
            written_at=reply.edited_at or reply.created_at,
        )
        reply.author, reply.text, reply.edited_at = actor, text, now()
        reply.save(update_fields=["author", "text", "edited_at"])
    return reply

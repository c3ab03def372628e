"""Reviews over JSON: the same services as the pages."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from parley.accounts.auth import api_auth
from parley.core.schemas import ErrorOut
from parley.marketplace.selectors import get_product, get_store_for_member

from . import rules, selectors, services
from .models import Review
from .schemas import (
    FeedPage,
    ReplyIn,
    ReplyOut,
    ReplyVersionOut,
    ReviewCreateIn,
    ReviewEligibilityOut,
    ReviewHistoryOut,
    ReviewIn,
    ReviewOut,
    ReviewPage,
    ReviewPhotoOut,
    ReviewVersionOut,
)

router = Router(tags=["reviews"])


class PageQuery(Schema):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=20, ge=1, le=100)


class FeedQuery(PageQuery):
    show: selectors.FeedShow = selectors.FeedShow.UNANSWERED
    rating: int | None = Field(default=None, ge=rules.RATING_MIN, le=rules.RATING_MAX)


def review_out(review: Review) -> ReviewOut:
    reply = getattr(review, "reply", None)
    return ReviewOut(
        id=review.pk,
        product_id=review.product_id,
        product_title=review.product.title,
        author=review.author.public_name,
        rating=review.rating,
        text=review.text,
        is_question=review.is_question,
        created_at=review.created_at,
        edited_at=review.edited_at,
        editable_until=selectors.review_edit_closes_at(review),
        reply=ReplyOut(
            store=review.product.store.name,
            author=reply.author.public_name,
            text=reply.text,
            created_at=reply.created_at,
            edited_at=reply.edited_at,
            editable_until=selectors.reply_edit_closes_at(reply),
        )
        if reply
        else None,
        photos=[
            ReviewPhotoOut(
                id=photo.attachment_id,
                width=photo.attachment.width,
                height=photo.attachment.height,
                url=reverse("reviews:photo", args=[photo.attachment_id]),
                thumbnail_url=reverse("reviews:photo-thumbnail", args=[photo.attachment_id]),
            )
            for photo in review.photos.all()
        ],
        url=f"{review.product.get_absolute_url()}#review-{review.pk}",
    )


@router.get("/products/{product_id}/reviews", response={200: ReviewPage, 404: ErrorOut}, auth=None)
def reviews_list(request: HttpRequest, product_id: int, page: Query[PageQuery]):
    """The product's reviews, newest first, with the average rating."""
    product = get_product(product_id)
    qs = selectors.reviews_for_product(product)
    summary = selectors.review_summary(product)
    items = qs[page.offset : page.offset + page.limit]
    return ReviewPage(
        count=summary["count"],
        average=summary["average"],
        items=[review_out(r) for r in items],
    )


@router.get(
    "/products/{product_id}/review-eligibility",
    response={200: ReviewEligibilityOut, 401: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def review_eligibility(request: HttpRequest, product_id: int):
    """Whether the caller may review this product now, and if not, why."""
    eligibility = selectors.review_eligibility(request.auth, get_product(product_id))
    return ReviewEligibilityOut(
        allowed=eligibility.allowed,
        reason=str(eligibility.refusal) if eligibility.refusal else None,
        message=str(eligibility.message),
        order_numbers=sorted({line.order.number for line in eligibility.lines}),
    )


@router.post(
    "/products/{product_id}/reviews",
    response={201: ReviewOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def review_create(request: HttpRequest, product_id: int, body: ReviewCreateIn):
    """Review a delivered purchase; 403 says why not (`detail.reason`)."""
    review = services.review_create(
        actor=request.auth,
        product=get_product(product_id),
        rating=body.rating,
        text=body.text,
        is_question=body.is_question,
        order_number=body.order_number,
        photo_ids=body.photo_ids,
    )
    return Status(201, review_out(selectors.get_review(review.pk)))


@router.get("/reviews/{review_id}", response={200: ReviewOut, 404: ErrorOut}, auth=None)
def review_get(request: HttpRequest, review_id: int):
    return review_out(selectors.get_review(review_id))


@router.get(
    "/reviews/{review_id}/history",
    response={200: ReviewHistoryOut, 404: ErrorOut},
    auth=None,
)
def review_history(request: HttpRequest, review_id: int):
    """Earlier wordings of the review and of the store's reply, oldest first."""
    revisions, reply_revisions = selectors.review_history(selectors.get_review(review_id))
    return ReviewHistoryOut(
        review=[
            ReviewVersionOut(
                rating=r.rating, text=r.text, is_question=r.is_question, written_at=r.written_at
            )
            for r in revisions
        ],
        reply=[
            ReplyVersionOut(author=r.author.public_name, text=r.text, written_at=r.written_at)
            for r in reply_revisions
        ],
    )


@router.put(
    "/reviews/{review_id}",
    response={200: ReviewOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def review_update(request: HttpRequest, review_id: int, body: ReviewIn):
    """Edit one's own review while its edit window is open."""
    review = services.review_update(
        actor=request.auth,
        review=selectors.get_review_for_author(request.auth, review_id),
        rating=body.rating,
        text=body.text,
        is_question=body.is_question,
    )
    return review_out(selectors.get_review(review.pk))


@router.post(
    "/reviews/{review_id}/reply",
    response={
        201: ReviewOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    auth=api_auth,
)
def reply_create(request: HttpRequest, review_id: int, body: ReplyIn):
    """The store's public reply; only the store's members, once per review (409 after)."""
    review = selectors.get_review_for_member(request.auth, review_id)
    services.seller_reply_create(actor=request.auth, review=review, text=body.text)
    return Status(201, review_out(selectors.get_review(review.pk)))


@router.put(
    "/reviews/{review_id}/reply",
    response={200: ReviewOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def reply_update(request: HttpRequest, review_id: int, body: ReplyIn):
    """Edit the store's reply while its edit window is open."""
    review = selectors.get_review_for_member(request.auth, review_id)
    services.seller_reply_update(actor=request.auth, review=review, text=body.text)
    return review_out(selectors.get_review(review.pk))


@router.get(
    "/workspace/stores/{slug}/reviews",
    response={200: FeedPage, 401: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def store_feed(request: HttpRequest, slug: str, query: Query[FeedQuery]):
    """The store's feed for its members: questions first, then the newest."""
    store = get_store_for_member(request.auth, slug)
    qs = selectors.store_feed(store, show=query.show, rating=query.rating)
    items = qs[query.offset : query.offset + query.limit]
    return FeedPage(count=qs.count(), items=[review_out(r) for r in items])

"""The reviews block on the product page, so the marketplace page needs no reviews import."""

from typing import Any

from django import template

from parley.core.pagination import paginate
from parley.marketplace.models import Product
from parley.marketplace.selectors import is_store_member

from .. import rules, selectors
from ..forms import ReplyForm, ReviewCreateForm

register = template.Library()


@register.inclusion_tag("reviews/product_reviews.html", takes_context=True)
def product_reviews(context: dict[str, Any], product: Product) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    eligibility = selectors.review_eligibility(user, product)
    page = paginate(request, selectors.reviews_for_product(product), rules.REVIEWS_PER_PAGE)
    form = None
    if eligibility.allowed:
        form = ReviewCreateForm(initial={"order_number": eligibility.lines[0].order.number})
    return {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "product": product,
        "page": page,
        "summary": selectors.review_summary(product),
        "eligibility": eligibility,
        "form": form,
        "reply_form": ReplyForm(),
        "is_member": is_store_member(user, product.store),
    }


@register.filter
def editable_by(review: Any, user: Any) -> bool:
    """Whether this reader may still edit this review now."""
    return review.author_id == user.pk and selectors.review_is_editable(review)


@register.inclusion_tag("reviews/includes/stars.html")
def stars(rating: float | None) -> dict[str, Any]:
    filled = round(rating or 0)
    return {
        "rating": rating,
        "filled": "★" * filled,
        "empty": "☆" * (rules.RATING_MAX - filled),
        "max": rules.RATING_MAX,
    }

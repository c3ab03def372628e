"""The numbers the review rules rest on; the edit windows are settings (REVIEW_*_EDIT_WINDOW)."""

from parley.marketplace.models import Order

RATING_MIN = 1
RATING_MAX = 5
TEXT_MAX_LENGTH = 4000
REPLY_MAX_LENGTH = 2000
PHOTOS_MAX = 5
# Only what reached the buyer can be reviewed.
REVIEWABLE_ORDER_STATUSES = (Order.Status.DELIVERED, Order.Status.COMPLETED)
REVIEWS_PER_PAGE = 10
FEED_PER_PAGE = 20

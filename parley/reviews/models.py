"""Reviews of bought products, the store's public reply, and the history of both.

A review belongs to one order line (a verified purchase), so a buyer reviews each thing bought
once. Edits never overwrite silently: the previous wording goes into a revision row first.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parley.attachments.models import Attachment
from parley.marketplace.models import OrderLine, Product

from . import rules


class Review(models.Model):
    order_line = models.OneToOneField(
        OrderLine, on_delete=models.PROTECT, related_name="review", verbose_name=_("order line")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("product")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("author"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("text"), max_length=rules.TEXT_MAX_LENGTH)
    is_question = models.BooleanField(_("contains a question"), default=False)
    created_at = models.DateTimeField(_("written"))
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="review_product_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=rules.RATING_MIN) & Q(rating__lte=rules.RATING_MAX),
                name="review_rating_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ★{self.rating}"


class ReviewPhoto(models.Model):
    """A photo shown with a review; each uploaded photo belongs to one review only."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    attachment = models.OneToOneField(
        Attachment, on_delete=models.PROTECT, related_name="review_photo"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.review} #{self.position}"


class ReviewRevision(models.Model):
    """A review's wording as it was before an edit."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="revisions")
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("text"))
    is_question = models.BooleanField(_("contains a question"))
    written_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("review revision")
        verbose_name_plural = _("review revisions")
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"{self.review} @ {self.written_at:%Y-%m-%d %H:%M}"


class SellerReply(models.Model):
    """The store's one public answer under a review."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="reply", verbose_name=_("review")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_replies",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"), max_length=rules.REPLY_MAX_LENGTH)
    created_at = models.DateTimeField(_("written"))
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("seller reply")
        verbose_name_plural = _("seller replies")

    def __str__(self) -> str:
        return f"↳ {self.review}"


class SellerReplyRevision(models.Model):
    """A reply's wording as it was before an edit, and who had written it."""

    reply = models.ForeignKey(SellerReply, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    written_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("seller reply revision")
        verbose_name_plural = _("seller reply revisions")
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"{self.reply} @ {self.written_at:%Y-%m-%d %H:%M}"

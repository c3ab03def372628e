"""The small marketplace core the conversations hang on: stores, products, orders.

An integrator feeds these from the host marketplace; Parley only reads them to decide who
may talk to whom and when a dispute may be opened.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.core.clock import now

MONEY_DIGITS = 12
MONEY_PLACES = 2


def money_field(verbose_name: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs
    )


def currency_field() -> models.CharField:
    return models.CharField(_("currency"), max_length=3, default="RUB")


class Store(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    working_hours = models.CharField(_("working hours"), max_length=120, blank=True)
    messengers = models.CharField(
        _("messengers"),
        max_length=255,
        blank=True,
        help_text=_("For example: Telegram @store"),
    )
    away_message = models.TextField(_("away notice"), max_length=500, blank=True)
    away_until = models.DateField(_("back on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketplace:store", args=[self.slug])

    @property
    def is_away(self) -> bool:
        """The away notice shows until the end of its return date (in the current time zone)."""
        return (
            bool(self.away_message)
            and self.away_until is not None
            and self.away_until >= timezone.localdate(now())
        )

    @property
    def has_contacts(self) -> bool:
        return any(
            (self.contact_email, self.contact_phone, self.address, self.working_hours,
             self.messengers)
        )  # fmt: skip


class StoreMembership(models.Model):
    """A seller's place in a store: the owner edits the store, staff answer buyers."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        STAFF = "staff", _("staff")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="store_memberships",
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.STAFF)

    class Meta:
        verbose_name = _("store member")
        verbose_name_plural = _("store members")
        constraints = [
            models.UniqueConstraint(fields=["store", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store} ({self.role})"


class ShippingMethod(models.Model):
    """How an order travels; its protection period bounds when a dispute may be opened."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    protection_days = models.PositiveIntegerField(_("buyer protection, days"))

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["protection_days", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(protection_days__gt=0), name="shipping_protection_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def protection_period(self) -> timedelta:
        return timedelta(days=self.protection_days)


class Product(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    price = money_field(_("price"))
    currency = currency_field()
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("marketplace:product", args=[self.pk])


class Order(models.Model):
    class Status(models.TextChoices):
        PAID = "paid", _("paid, awaiting shipment")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    SHIPPED_STATUSES = (Status.SHIPPED, Status.DELIVERED, Status.COMPLETED)

    number = models.CharField(_("number"), max_length=32, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    shipping_method = models.ForeignKey(
        ShippingMethod, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    total_paid = money_field(_("total paid"))
    currency = currency_field()
    placed_at = models.DateTimeField(_("placed"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["buyer", "-placed_at"], name="order_buyer_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(total_paid__gte=0), name="order_paid_not_negative"),
            models.CheckConstraint(
                condition=~Q(status__in=["shipped", "delivered", "completed"])
                | Q(shipped_at__isnull=False),
                name="order_shipped_has_time",
            ),
            models.CheckConstraint(
                condition=Q(delivered_at__isnull=True)
                | (Q(shipped_at__isnull=False) & Q(delivered_at__gte=models.F("shipped_at"))),
                name="order_delivered_after_shipped",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("marketplace:order", args=[self.number])

    @property
    def protection_ends_at(self) -> datetime | None:
        """Shipment time plus the shipping method's protection period; None before shipment."""
        if self.shipped_at is None:
            return None
        return self.shipped_at + self.shipping_method.protection_period


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    title = models.CharField(_("title"), max_length=200, help_text=_("As it was when ordered."))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = money_field(_("unit price"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.title} × {self.quantity}"

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity

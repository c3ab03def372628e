from django.contrib import admin

from .models import Order, OrderLine, Product, ShippingMethod, Store, StoreMembership


class MembershipInline(admin.TabularInline):
    model = StoreMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "contact_email", "contact_phone")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "protection_days")
    list_editable = ("protection_days",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "store", "price", "currency", "is_active")
    list_filter = ("store", "is_active")
    search_fields = ("title",)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "buyer", "store", "status", "total_paid", "shipped_at")
    list_filter = ("status", "store", "shipping_method")
    search_fields = ("number", "buyer__username")
    autocomplete_fields = ["buyer"]
    inlines = [OrderLineInline]

"""Read-only views of disputes for staff: every change goes through the services."""

from django.contrib import admin

from .models import Decision, Dispute, Proposal, Refund, TimelineEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    fields = ["at", "role", "author", "action", "from_state", "to_state", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "state", "reason", "opened_at", "deadline_at"]
    list_filter = ["state", "reason"]
    search_fields = ["order__number"]
    inlines = [TimelineInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["id", "dispute", "author_role", "refund_amount", "return_item", "status"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "dispute", "amount", "currency", "cause", "created_at"]
    list_filter = ["cause"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["dispute", "outcome", "refund_amount", "arbitrator", "decided_at"]

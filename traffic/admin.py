"""The admin of traffic: the request log, blocked and suspicious addresses.

Blocks go through traffic.services (which refresh every worker's blocklist); the log and
the flags are read-only.
"""

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hub.admin import ReadOnlyAdmin
from traffic import services as traffic
from traffic.models import BlockedIP, RequestLog, SuspiciousIP


@admin.register(RequestLog)
class RequestLogAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "ip",
        "method",
        "path",
        "status",
        "duration_ms",
        "operation_type",
        "operation_name",
        "user",
        "auth_failed",
    )
    list_filter = ("status", "operation_type", "auth_failed", "method")
    search_fields = ("=ip", "operation_name", "root_fields", "path")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT over the busiest table on every page


class BlockedIPForm(forms.ModelForm):
    class Meta:
        model = BlockedIP
        fields = ("ip", "reason", "expires_at")

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError("The block must end in the future.")
        return expires_at


@admin.register(BlockedIP)
class BlockedIPAdmin(admin.ModelAdmin):
    """Blocks go through the traffic services, which refresh every worker's blocklist."""

    form = BlockedIPForm
    list_display = ("ip", "reason", "created_at", "expires_at", "active")
    search_fields = ("=ip", "reason")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return ("ip", "created_at") if obj else ("created_at",)

    @admin.display(boolean=True)
    def active(self, obj):
        return obj.is_active()

    def save_model(self, request, obj, form, change):
        saved = traffic.block_ip(ip=obj.ip, reason=obj.reason, expires_at=obj.expires_at)
        obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request, obj):
        traffic.unblock_ip(ip=obj.ip)

    def delete_queryset(self, request, queryset):
        traffic.unblock_ips(ips=list(queryset.values_list("ip", flat=True)))


@admin.register(SuspiciousIP)
class SuspiciousIPAdmin(ReadOnlyAdmin):
    list_display = (
        "ip",
        "reason",
        "request_count",
        "auth_failure_count",
        "first_detected_at",
        "last_detected_at",
        "blocked",
    )
    list_filter = ("reason",)
    search_fields = ("=ip",)
    actions = ["block_addresses"]

    def get_queryset(self, request):
        blocks = BlockedIP.objects.filter(ip=OuterRef("ip"))
        return super().get_queryset(request).annotate(is_blocked=Exists(blocks))

    @admin.display(boolean=True, ordering="is_blocked")
    def blocked(self, obj):
        return obj.is_blocked

    @admin.action(description="Block the selected addresses")
    def block_addresses(self, request, queryset):
        for suspect in queryset:
            traffic.block_ip(ip=suspect.ip, reason=f"Flagged: {suspect.get_reason_display()}")
        self.message_user(request, f"Blocked {queryset.count()} flagged address(es).")

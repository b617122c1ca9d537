"""Operator views. Secrets are never shown (encrypted fields excluded); audit rows are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from wallets.admin_display import SCREENSHOT, memory_text, screenshot_html, timeline_html
from wallets.artifacts import ArtifactNotFound, artifact_content_type, artifact_resolve
from wallets.exceptions import ValidationFailed
from wallets.models import (
    BrowserWorker,
    NetworkChange,
    OutboxEvent,
    SecurityEvent,
    SessionCommand,
    SignatureRequest,
    Transaction,
    Wallet,
    WalletAccount,
    WalletPolicy,
    WalletSession,
)
from wallets.services import wallet_policy_changed
from wallets.services.policies import policy_rules_clean


def _link(obj: Model | None, label: str | None = None) -> str:
    if obj is None:
        return "-"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the service: visible, not editable by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ArtifactMixin:
    """Adds an 'artifact' link, the failure screenshot inline, the row's steps as a timeline, and a
    staff-only view streaming the artifact's files from ARTIFACTS_DIR."""

    model: type[Model]
    admin_site: admin.AdminSite

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_artifact"
        view = self.admin_site.admin_view(self.artifact_view)
        return [path("<uuid:pk>/artifact/", view, name=name), *super().get_urls()]  # type: ignore[misc]

    @admin.display(description="failure artifact")
    def artifact(self, obj: Any) -> str:
        if not obj.artifact_path:
            return "-"
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_artifact", args=[obj.pk])
        return format_html('<a href="{}">open</a>', url)

    @admin.display(description="failure screenshot")
    def failure_screenshot(self, obj: Any) -> str:
        try:
            artifact_resolve(stored_path=obj.artifact_path, file_name=SCREENSHOT)
        except ArtifactNotFound:
            return "-"
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_artifact", args=[obj.pk])
        return screenshot_html(f"{url}?file={SCREENSHOT}")

    @admin.display(description="timeline")
    def timeline(self, obj: Any) -> str:
        return timeline_html(obj.progress or [])

    def artifact_view(self, request: HttpRequest, pk: Any) -> HttpResponseBase:
        if not self.has_view_permission(request):  # type: ignore[attr-defined]
            raise Http404
        obj = get_object_or_404(self.model, pk=pk)
        try:
            target = artifact_resolve(stored_path=obj.artifact_path, file_name=request.GET.get("file", ""))  # type: ignore[attr-defined]
        except ArtifactNotFound:
            raise Http404("artifact not found") from None
        if target.is_dir():
            files = sorted(p.name for p in target.iterdir() if p.is_file())
            return render(
                request,
                "admin/wallets/artifact_index.html",
                {"obj": obj, "files": files, "opts": self.model._meta},
            )
        response = FileResponse(target.open("rb"), content_type=artifact_content_type(target))
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        return response


class WalletPolicyForm(forms.ModelForm):
    class Meta:
        model = WalletPolicy
        fields = WalletPolicy.RULES

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data.update(policy_rules_clean({name: data.get(name) for name in WalletPolicy.RULES}))
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None
        return data


class WalletPolicyInline(admin.StackedInline):
    """Staff edit a wallet's policy here; each saved change is a policy_changed security event."""

    model = WalletPolicy
    form = WalletPolicyForm
    can_delete = False
    extra = 1  # a wallet without a policy shows an empty one to fill in
    max_num = 1
    fields = WalletPolicy.RULES

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)


class WalletAccountInline(admin.TabularInline):
    """The wallet's accounts beyond its first: read only (added and imported through the API, which
    encrypts an imported key; the key is never shown)."""

    model = WalletAccount
    fields = ("address", "kind", "hd_index", "label", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ("label", "address", "owner", "created_at")
    list_filter = ("created_at",)
    search_fields = ("label", "address", "owner__username", "id")
    fields = ("id", "owner", "label", "address", "created_at")  # encrypted_* are never listed
    inlines = (WalletPolicyInline, WalletAccountInline)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Policy rows are validated like the API's (WalletPolicyForm) and every change is recorded with
        its before and after."""
        if formset.model is not WalletPolicy:
            super().save_formset(request, form, formset, change)
            return
        unset = WalletPolicy().rules()
        befores = {
            id(f): WalletPolicy.objects.get(pk=f.instance.pk).rules() if f.instance.pk else unset
            for f in formset.forms
            if f.has_changed()
        }
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if id(inline_form) in befores:
                wallet_policy_changed(
                    policy=inline_form.instance, actor=request.user, before=befores[id(inline_form)]
                )

    readonly_fields = ("id", "owner", "address", "created_at")
    list_select_related = ("owner",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # wallets are imported through the API, which encrypts the secrets


@admin.register(WalletSession)
class WalletSessionAdmin(ArtifactMixin, ReadOnlyAdmin):
    list_display = (
        "id",
        "wallet_link",
        "status",
        "dapp_origin",
        "worker",
        "metamask_version",
        "browser_memory",
        "created_at",
        "expires_at",
        "artifact",
    )
    list_filter = ("status", "worker", "metamask_version", "error_kind")
    search_fields = ("id", "dapp_url", "wallet__address", "wallet__label", "task_id")
    list_select_related = ("wallet",)
    readonly_fields = (
        "wallet_link",
        "operations",
        "metamask_version",
        "browser_memory",
        "timeline",
        "artifact",
        "failure_screenshot",
    )
    # What happened first (state, build, memory, steps, failure), then what was asked, then bookkeeping.
    fields = (
        *("status", "metamask_version", "browser_memory", "timeline", "error", "error_kind"),
        *("failure_screenshot", "artifact", "artifact_path"),
        *("wallet_link", "operations", "dapp_url", "dapp_origin", "network", "chain_id", "account"),
        "accounts",
        *("worker", "task_id", "ttl_seconds", "created_at", "opened_at", "last_activity_at"),
        *("expires_at", "closed_at"),
    )

    @admin.display(description="browser memory")
    def browser_memory(self, obj: WalletSession) -> str:
        return memory_text(obj.browser_rss_bytes, obj.browser_rss_at)

    @admin.display(description="wallet")
    def wallet_link(self, obj: WalletSession) -> str:
        return _link(obj.wallet)

    @admin.display(description="operations")
    def operations(self, obj: WalletSession) -> str:
        lists = (
            ("transaction", "transactions"),
            ("signaturerequest", "signature requests"),
            ("networkchange", "network changes"),
            ("sessioncommand", "commands"),
        )
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse(f"admin:wallets_{model}_changelist") + f"?session__id__exact={obj.pk}", label)
                for model, label in lists
            ),
        )


# Detail pages show what was asked, then what happened, then this bookkeeping (the fields of the abstract
# Operation model would otherwise come first).
_OPERATION_BOOKKEEPING = (
    "account",
    "error",
    "error_kind",
    "timeline",
    "artifact",
    "failure_screenshot",
    "artifact_path",
    "task_id",
    "attempts",
    "created_at",
    "claimed_at",
)
_OPERATION_DISPLAYS = ("session_link", "timeline", "artifact", "failure_screenshot")


@admin.register(Transaction)
class TransactionAdmin(ArtifactMixin, ReadOnlyAdmin):
    list_display = ("id", "session_link", "status", "to", "value_wei", "tx_hash", "created_at", "artifact")
    list_filter = ("status", "error_kind")
    search_fields = ("id", "tx_hash", "to", "task_id", "session__id")
    list_select_related = ("session",)
    readonly_fields = _OPERATION_DISPLAYS
    fields = (
        *("session_link", "status", "network", "to", "value_wei", "data", "gas"),
        *("tx_hash", "block_number", "receipt_status", "gas_used"),
        *_OPERATION_BOOKKEEPING,
        *("submitted_at", "finished_at", "updated_at"),
    )

    @admin.display(description="session")
    def session_link(self, obj: Transaction) -> str:
        return _link(obj.session, str(obj.session_id))


@admin.register(SignatureRequest)
class SignatureRequestAdmin(ArtifactMixin, ReadOnlyAdmin):
    list_display = ("id", "session_link", "method", "status", "created_at", "artifact")
    list_filter = ("status", "method", "error_kind")
    search_fields = ("id", "task_id", "session__id")
    list_select_related = ("session",)
    readonly_fields = _OPERATION_DISPLAYS
    fields = (
        *("session_link", "status", "method", "payload", "signature"),
        *_OPERATION_BOOKKEEPING,
        *("finished_at", "updated_at"),
    )

    @admin.display(description="session")
    def session_link(self, obj: SignatureRequest) -> str:
        return _link(obj.session, str(obj.session_id))


@admin.register(NetworkChange)
class NetworkChangeAdmin(ArtifactMixin, ReadOnlyAdmin):
    list_display = ("id", "session_link", "status", "requested_chain", "chain_id", "created_at", "artifact")
    list_filter = ("status", "error_kind")
    search_fields = ("id", "task_id", "session__id")
    list_select_related = ("session",)
    readonly_fields = _OPERATION_DISPLAYS
    fields = (
        *("session_link", "status", "network", "chain_id"),
        *_OPERATION_BOOKKEEPING,
        *("finished_at", "updated_at"),
    )

    @admin.display(description="session")
    def session_link(self, obj: NetworkChange) -> str:
        return _link(obj.session, str(obj.session_id))

    @admin.display(description="requested chain")
    def requested_chain(self, obj: NetworkChange) -> str:
        return f"{obj.network.get('name', '')} ({obj.network.get('chain_id')})"


@admin.register(SessionCommand)
class SessionCommandAdmin(ArtifactMixin, ReadOnlyAdmin):
    list_display = ("id", "session_link", "kind", "status", "result", "created_at", "artifact")
    list_filter = ("kind", "status", "error_kind")
    search_fields = ("id", "task_id", "session__id")
    list_select_related = ("session",)
    readonly_fields = _OPERATION_DISPLAYS
    fields = (
        *("session_link", "kind", "status", "params", "result"),
        *_OPERATION_BOOKKEEPING,
        *("finished_at", "updated_at"),
    )

    @admin.display(description="session")
    def session_link(self, obj: SessionCommand) -> str:
        return _link(obj.session, str(obj.session_id))


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "severity", "actor_repr", "ip", "wallet_link", "session_link")
    list_filter = ("kind", "severity", "created_at")
    search_fields = ("actor_repr", "ip", "kind")
    readonly_fields = ("wallet_link", "session_link")
    exclude = ("wallet", "session")
    list_select_related = ("wallet", "session")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # append-only audit trail

    @admin.display(description="wallet")
    def wallet_link(self, obj: SecurityEvent) -> str:
        return _link(obj.wallet)

    @admin.display(description="session")
    def session_link(self, obj: SecurityEvent) -> str:
        return _link(obj.session, str(obj.session_id) if obj.session_id else None)


@admin.register(BrowserWorker)
class BrowserWorkerAdmin(ReadOnlyAdmin):
    list_display = ("hostname", "last_seen", "live", "sessions_open", "browsers_running", "rss_bytes")
    search_fields = ("hostname",)

    @admin.display(boolean=True)
    def live(self, obj: BrowserWorker) -> bool:
        return obj.is_live


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    """Events waiting for Kafka (published_at empty) and why the last try failed."""

    list_display = ("id", "type", "key", "created_at", "published_at", "attempts", "last_error")
    list_filter = ("type", ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("key", "event_id")

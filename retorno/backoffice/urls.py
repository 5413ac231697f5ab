from django.urls import path
from django.views.i18n import set_language

from retorno.backoffice import views, views_queue

app_name = "backoffice"
urlpatterns = [
    path("", views_queue.dashboard, name="dashboard"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("language", set_language, name="language"),
    path("store", views.store_switch, name="store_switch"),
    path("returns", views_queue.queue, name="queue"),
    path("returns/export", views_queue.queue_export_view, name="queue_export"),
    path("returns/bulk", views_queue.queue_bulk, name="queue_bulk"),
    path("returns/views", views_queue.saved_view_save, name="saved_view_save"),
    path(
        "returns/views/<int:view_id>/delete",
        views_queue.saved_view_delete,
        name="saved_view_delete",
    ),
    path("returns/<str:rma>", views.return_detail, name="return"),
    path("returns/<str:rma>/approve", views.return_approve, name="return_approve"),
    path("returns/<str:rma>/reject", views.return_reject, name="return_reject"),
    path("returns/<str:rma>/cancel", views.return_cancel, name="return_cancel"),
    path("returns/<str:rma>/override", views.return_override, name="return_override"),
]

# Warehouse: receiving, inspection, dispositions, return-to-vendor batches.
from retorno.backoffice import views_warehouse  # noqa: E402

urlpatterns += [
    path("receiving", views_warehouse.receiving_scan, name="receiving"),
    path("receiving/<str:rma>", views_warehouse.receiving_return, name="receiving_return"),
    path("receiving/<str:rma>/scan", views_warehouse.receiving_count, name="receiving_count"),
    path("receiving/<str:rma>/close", views_warehouse.receiving_close, name="receiving_close"),
    path(
        "receiving/<str:rma>/parcel",
        views_warehouse.receiving_parcel_check,
        name="receiving_parcel_check",
    ),
    path("inspection/<str:rma>", views_warehouse.inspection_page, name="inspection"),
    path(
        "inspection/<str:rma>/items/<str:line>",
        views_warehouse.inspection_save,
        name="inspection_save",
    ),
    path(
        "inspection/<str:rma>/dispositions/<int:inspection_id>",
        views_warehouse.disposition_save,
        name="disposition_save",
    ),
    path("rtv", views_warehouse.rtv_batches, name="rtv"),
    path("rtv/<int:batch_id>.csv", views_warehouse.rtv_batch_csv, name="rtv_csv"),
    path("rtv/<int:batch_id>/ship", views_warehouse.rtv_batch_ship, name="rtv_ship"),
]

from retorno.backoffice import views_pickups  # noqa: E402

urlpatterns += [
    path("pickups", views_pickups.desk, name="pickups_desk"),
    path("pickups/<str:rma>", views_pickups.desk_act, name="pickups_desk_act"),
]

# Finance: the refund and charge ledgers, a return's refund preview and execution, claims.
from retorno.backoffice import views_finance  # noqa: E402

urlpatterns += [
    *(
        route
        for ledger, one in (("refunds", "refund"), ("charges", "charge"))
        for route in (
            path(f"finance/{ledger}", views_finance.payments, {"ledger": ledger}, name=ledger),
            path(
                f"finance/{ledger}/<int:attempt_id>",
                views_finance.payment_detail,
                {"ledger": ledger},
                name=one,
            ),
            path(
                f"finance/{ledger}/<int:attempt_id>/retry",
                views_finance.payment_retry,
                {"ledger": ledger},
                name=f"{one}_retry",
            ),
            path(
                f"finance/{ledger}/<int:attempt_id>/mark-paid",
                views_finance.payment_mark_paid,
                {"ledger": ledger},
                name=f"{one}_mark_paid",
            ),
        )
    ),
    path(
        "finance/charges/<int:charge_id>/release-exchange",
        views_finance.charge_release_exchange,
        name="charge_release_exchange",
    ),
    path("finance/returns/<str:rma>/refund", views_finance.return_refund, name="return_refund"),
    path(
        "finance/returns/<str:rma>/refund/execute",
        views_finance.return_refund_execute,
        name="return_refund_execute",
    ),
    path("finance/claims", views_finance.claims, name="claims"),
    path("finance/claims/<str:number>", views_finance.claim_detail, name="claim"),
    path("finance/claims/<str:number>/resolve", views_finance.claim_resolve, name="claim_resolve"),
    path("finance/claims/<str:number>/reject", views_finance.claim_reject, name="claim_reject"),
]

# Store settings (admins): carrier accounts and allocation rules.
from retorno.backoffice import views_carrier_rules_form, views_carriers  # noqa: E402

urlpatterns += [
    path("carriers", views_carriers.carriers, name="carriers"),
    path("carriers/rules", views_carriers.rules_publish, name="carriers_rules_publish"),
    path("carriers/rules/try", views_carriers.rules_try, name="carriers_rules_try"),
    path("carriers/rules/form", views_carrier_rules_form.rules_form, name="carriers_rules_form"),
    path("carriers/<slug:code>/enabled", views_carriers.carrier_enabled, name="carrier_enabled"),
]

# Adding and editing carrier accounts (admins); their secrets are write-only.
from retorno.backoffice import views_carrier_accounts  # noqa: E402

urlpatterns += [
    path("carriers/new/<slug:kind>", views_carrier_accounts.carrier_new, name="carrier_new"),
    path("carriers/<slug:code>/edit", views_carrier_accounts.carrier_edit, name="carrier_edit"),
]

# Claims opened by an agent for a shopper (from a return's page or by order number).
from retorno.backoffice import views_claims  # noqa: E402

urlpatterns += [
    path("claims/open", views_claims.claim_open, name="claim_open"),
    path("claims/opened/<str:number>", views_claims.claim_opened, name="claim_opened"),
]

# Evidence photos, for staff of the photo's store.
from retorno.backoffice import views_photos  # noqa: E402

urlpatterns += [path("photos/<path:name>", views_photos.photo, name="photo")]

# Finance exports.
from retorno.backoffice import views_exports  # noqa: E402

urlpatterns += [path("finance/export", views_exports.finance_export, name="finance_export")]

# Store settings (admins): the return policy with its versions and "Try it", warehouse documents.
from retorno.backoffice import views_policy_form, views_settings, views_simulator  # noqa: E402

urlpatterns += [
    path("settings/policy", views_settings.policy, name="settings_policy"),
    path("settings/policy/publish", views_settings.policy_publish, name="settings_policy_publish"),
    path("settings/policy/form", views_policy_form.policy_form, name="settings_policy_form"),
    path("settings/policy/try", views_settings.policy_try, name="settings_policy_try"),
    path(
        "settings/policy/simulate",
        views_simulator.policy_simulate_page,
        name="settings_policy_simulate",
    ),
    path(
        "settings/policy/versions/<int:number>",
        views_settings.policy_version,
        name="settings_policy_version",
    ),
    path("settings/warehouse", views_settings.warehouse, name="settings_warehouse"),
    path(
        "settings/warehouse/suppliers",
        views_settings.supplier_save,
        name="settings_supplier_save",
    ),
    path(
        "settings/warehouse/<slug:kind>",
        views_settings.warehouse_publish,
        name="settings_warehouse_publish",
    ),
]

# Analytics (analysts, admins): the figures of the API's /analytics, charted, with exports.
from retorno.backoffice import (  # noqa: E402
    views_analytics,
    views_analytics_digest,
    views_analytics_money,
    views_analytics_suppliers,
)

urlpatterns += [
    path("analytics", views_analytics.overview, name="analytics"),
    path("analytics/sizing", views_analytics.fit_page, name="analytics_fit"),
    path("analytics/suppliers", views_analytics.suppliers_page, name="analytics_suppliers"),
    path(
        "analytics/suppliers/evidence.pdf",
        views_analytics_suppliers.evidence_pdf,
        name="analytics_evidence_pdf",
    ),
    path(
        "analytics/suppliers/thresholds",
        views_analytics_suppliers.thresholds_save,
        name="analytics_thresholds_save",
    ),
    path("analytics/operations", views_analytics.operations_page, name="analytics_operations"),
    path("analytics/money", views_analytics_money.money_page, name="analytics_money"),
    path("analytics/digest", views_analytics_digest.digest_page, name="analytics_digest"),
    path(
        "analytics/digest/subscription",
        views_analytics_digest.digest_subscription,
        name="analytics_digest_subscription",
    ),
    path("analytics/export/<slug:name>.csv", views_analytics.export, name="analytics_export"),
]

# Comment insight (analysts, admins): what shoppers' comments say per product and reason.
from retorno.backoffice import views_insight  # noqa: E402

urlpatterns += [path("insight/comments", views_insight.insight_panel, name="insight")]

# A customer's returns and abuse signals.
from retorno.backoffice import views_customers  # noqa: E402

urlpatterns += [
    path("customers", views_customers.customer_list, name="customers"),
    path("customers/<int:customer_id>", views_customers.customer_detail, name="customer"),
]

# Webhook endpoints (admins): their secrets are shown once; deliveries can be replayed.
from retorno.backoffice import (  # noqa: E402
    views_shopify,
    views_stripe,
    views_webhooks,
    views_woocommerce,
)

urlpatterns += [
    path("settings/webhooks", views_webhooks.webhooks, name="webhooks"),
    path("settings/shopify", views_shopify.shopify, name="shopify"),
    path("settings/shopify/check", views_shopify.shopify_check, name="shopify_check"),
    path("settings/shopify/backfill", views_shopify.shopify_backfill, name="shopify_backfill"),
    path(
        "settings/shopify/disconnect", views_shopify.shopify_disconnect, name="shopify_disconnect"
    ),
    path(
        "settings/shopify/webhooks/<int:receipt_id>/retry",
        views_shopify.shopify_receipt_retry,
        name="shopify_receipt_retry",
    ),
    path("settings/woocommerce", views_woocommerce.woocommerce_page, name="woocommerce"),
    path(
        "settings/woocommerce/check",
        views_woocommerce.woocommerce_check,
        name="woocommerce_check",
    ),
    path(
        "settings/woocommerce/backfill",
        views_woocommerce.woocommerce_backfill,
        name="woocommerce_backfill",
    ),
    path(
        "settings/woocommerce/disconnect",
        views_woocommerce.woocommerce_disconnect,
        name="woocommerce_disconnect",
    ),
    path(
        "settings/woocommerce/webhooks/<int:receipt_id>/retry",
        views_woocommerce.woocommerce_receipt_retry,
        name="woocommerce_receipt_retry",
    ),
    path("settings/stripe", views_stripe.stripe_page, name="stripe"),
    path("settings/stripe/check", views_stripe.stripe_check, name="stripe_check"),
    path("settings/stripe/disconnect", views_stripe.stripe_disconnect, name="stripe_disconnect"),
    path(
        "settings/webhooks/<int:endpoint_id>",
        views_webhooks.webhook_endpoint,
        name="webhook_endpoint",
    ),
    path(
        "settings/webhooks/<int:endpoint_id>/rotate",
        views_webhooks.webhook_rotate,
        name="webhook_rotate",
    ),
    path(
        "settings/webhooks/<int:endpoint_id>/delete",
        views_webhooks.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "settings/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay",
        views_webhooks.webhook_replay,
        name="webhook_replay",
    ),
]

# API keys (admins): a new key is shown once; revoked keys stay listed.
from retorno.backoffice import views_api_keys  # noqa: E402

urlpatterns += [
    path("settings/api-keys", views_api_keys.api_keys, name="api_keys"),
    path(
        "settings/api-keys/<int:key_id>/revoke",
        views_api_keys.api_key_revoke,
        name="api_key_revoke",
    ),
]

# The store's message log (agents, admins): every message to shoppers, sent again on request.
from retorno.backoffice import views_messages  # noqa: E402

urlpatterns += [
    path("messages", views_messages.message_log, name="messages"),
    path("messages/<int:message_id>", views_messages.message_detail, name="message"),
    path("messages/<int:message_id>/send", views_messages.message_send, name="message_send"),
]

# CSV imports of orders and the catalogue (admins): dry run, mapping, import with progress.
from retorno.backoffice import views_imports  # noqa: E402

urlpatterns += [
    path("settings/imports", views_imports.imports, name="imports"),
    path("settings/imports/<int:import_id>", views_imports.import_detail, name="import_detail"),
    path(
        "settings/imports/<int:import_id>/start",
        views_imports.import_start,
        name="import_start",
    ),
]

# The team (owners, admins, managers), invitations' links, password resets by e-mail, and the
# audit log of staff actions.
from django.contrib.auth import views as auth_views  # noqa: E402
from django.urls import reverse_lazy  # noqa: E402

from retorno.backoffice import views_team  # noqa: E402
from retorno.backoffice.signin_forms import StaffPasswordReset  # noqa: E402

urlpatterns += [
    path("settings/team", views_team.team_page, name="team"),
    path("settings/team/<int:user_id>/role", views_team.member_role, name="team_role"),
    path(
        "settings/team/<int:user_id>/deactivate",
        views_team.member_deactivate,
        name="team_deactivate",
    ),
    path(
        "settings/team/<int:user_id>/reactivate",
        views_team.member_reactivate,
        name="team_reactivate",
    ),
    path(
        "settings/team/invites/<int:invite_id>/resend",
        views_team.invite_resend,
        name="team_invite_resend",
    ),
    path(
        "settings/team/invites/<int:invite_id>/revoke",
        views_team.invite_revoke,
        name="team_invite_revoke",
    ),
    path("invite/<str:token>", views_team.invite_accept, name="invite_accept"),
    path("settings/audit", views_team.audit_log, name="audit"),
    path(
        "password-reset",
        auth_views.PasswordResetView.as_view(
            template_name="backoffice/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            form_class=StaffPasswordReset,
            success_url=reverse_lazy("backoffice:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent",
        auth_views.PasswordResetDoneView.as_view(
            template_name="backoffice/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="backoffice/password_reset_confirm.html",
            success_url=reverse_lazy("backoffice:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="backoffice/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

# Settings as forms (owners, admins): the brand with its preview, the message channels, and the
# first-run checklist.
from retorno.backoffice import (  # noqa: E402
    views_branding,
    views_message_templates,
    views_methods,
    views_onboarding,
)

urlpatterns += [
    path("settings/branding", views_branding.branding, name="branding"),
    path(
        "settings/notifications",
        views_branding.notification_channels,
        name="notification_channels",
    ),
    path("settings/return-methods", views_methods.return_methods, name="return_methods"),
    path(
        "settings/message-templates",
        views_message_templates.message_templates,
        name="message_templates",
    ),
    path(
        "settings/message-templates/test",
        views_message_templates.message_template_test,
        name="message_template_test",
    ),
    path("settings/start", views_onboarding.onboarding_page, name="onboarding"),
    path("settings/start/<slug:step>", views_onboarding.onboarding_step, name="onboarding_step"),
]

# Every booking of every return, newest first.
from retorno.backoffice import views_shipments  # noqa: E402

urlpatterns += [path("shipments", views_shipments.shipment_list, name="shipments")]

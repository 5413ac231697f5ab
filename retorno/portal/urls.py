from django.urls import path

from retorno.portal import views, views_tracking

app_name = "portal"
urlpatterns = [
    path("", views.site_home, name="site_home"),
    path("language", views.set_language, name="language"),
    path("s/<slug:slug>/", views.store_home, name="store"),
    path("s/<slug:slug>/policy/", views.policy_page, name="policy"),
    path("s/<slug:slug>/o/<str:token>/", views.order_link, name="order_link"),
    path("s/<slug:slug>/order/", views.order_items, name="order"),
    path("s/<slug:slug>/resolution/", views.resolution_step, name="resolution"),
    path("s/<slug:slug>/review/", views.review, name="review"),
    path("s/<slug:slug>/done/<str:token>/", views.done, name="done"),
    path("r/<str:token>", views_tracking.tracking_page, name="tracking"),
    path("r/<str:token>/cancel", views_tracking.tracking_cancel, name="tracking_cancel"),
    path("r/<str:token>/pickup", views_tracking.tracking_pickup, name="tracking_pickup"),
]

from retorno.portal import views_recovery  # noqa: E402

urlpatterns += [
    path("r/<str:token>/recovery", views_recovery.recovery, name="recovery"),
    path("r/<str:token>/label.pdf", views_recovery.label, name="label"),
]

from retorno.portal import views_claims  # noqa: E402

urlpatterns += [
    path("s/<slug:slug>/claim/", views_claims.claim_report, name="claim"),
    path("s/<slug:slug>/claim/<str:number>/", views_claims.claim_done, name="claim_done"),
]

from retorno.portal import views_shop  # noqa: E402

urlpatterns += [
    path("s/<slug:slug>/shop/", views_shop.shop_now, name="shop"),
]

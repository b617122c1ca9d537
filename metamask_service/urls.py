from django.contrib import admin
from django.urls import include, path
from django_prometheus import exports
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("wallets.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Same metrics as the separate :8080 listener, for setups that scrape the API port.
    path("metrics", exports.ExportToDjangoView, name="prometheus-django-metrics"),
]

handler404 = "metamask_service.errors.not_found"
handler500 = "metamask_service.errors.server_error"

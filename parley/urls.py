from django.contrib import admin
from django.urls import include, path, re_path

from parley.api import api, api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("parley.accounts.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("", include("parley.reviews.urls")),
    path("workspace/", include("parley.workspace.urls")),
    path("", include("parley.messaging.urls")),
    path("notifications/", include("parley.notifications.urls")),
    path("messages/search/", include("parley.search.urls")),
    path("", include("parley.messaging.chat_urls")),
    path("", include("parley.disputes.urls")),
    path("", include("parley.marketplace.urls")),
]

from django.urls import path

from . import views

app_name = "disputes"
urlpatterns = [
    path("orders/<str:number>/dispute/", views.dispute_open, name="open"),
    path("disputes/", views.buyer_disputes, name="mine"),
    path("disputes/<int:dispute_id>/", views.dispute_detail, name="detail"),
    path("disputes/<int:dispute_id>/record.pdf", views.dispute_record, name="record"),
    path("disputes/<int:dispute_id>/<slug:action>/", views.dispute_act, name="act"),
    path("disputes/evidence/<int:attachment_id>/", views.evidence_photo, name="evidence"),
    path(
        "disputes/evidence/<int:attachment_id>/thumbnail/",
        views.evidence_photo,
        {"thumbnail": True},
        name="evidence-thumbnail",
    ),
    path("seller/disputes/", views.seller_disputes, name="seller"),
    path("arbitration/", views.arbitration_queue, name="queue"),
]

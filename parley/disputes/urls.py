from django.urls import path

from . import views

app_name = "disputes"
urlpatterns = [
    path("orders/<str:number>/dispute/", views.dispute_open, name="open"),
    path("disputes/", views.buyer_disputes, name="mine"),
    path("disputes/<int:dispute_id>/", views.dispute_detail, name="detail"),
    path("disputes/<int:dispute_id>/<slug:action>/", views.dispute_act, name="act"),
    path("seller/disputes/", views.seller_disputes, name="seller"),
    path("arbitration/", views.arbitration_queue, name="queue"),
]

"""Review photos go through the attachments app exactly like message photos, and are public."""

import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from parley.attachments.models import Attachment
from parley.attachments.services import attachment_create_from_upload
from parley.marketplace.models import Product
from parley.reviews import services
from parley.reviews.models import Review, ReviewPhoto

from ..conftest import bearer_for, client_for
from ..images import GPS_IFD, hostile_files, photo_bytes, photo_with_gps, upload
from .conftest import delivered_order


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post_review(client, product, photos, **fields):
    data = {"rating": "5", "text": "С фото", "photos": photos} | fields
    return client.post(reverse("reviews:new", args=[product.pk]), data)


@pytest.mark.django_db
def test_photos_from_the_page_are_re_encoded_and_shown_to_anyone(cast, product):
    response = post_review(
        client_for(cast.buyer), product, [upload(photo_with_gps()), upload(photo_bytes("PNG"))]
    )
    assert response.status_code == 302
    photos = list(Review.objects.get().photos.select_related("attachment"))
    assert [p.position for p in photos] == [0, 1]
    page = client_for(None).get(product.get_absolute_url()).content.decode()
    first = photos[0].attachment_id
    assert reverse("reviews:photo-thumbnail", args=[first]) in page
    served = client_for(None).get(reverse("reviews:photo", args=[first]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert not image.getexif().get_ifd(GPS_IFD)
    thumb = client_for(None).get(reverse("reviews:photo-thumbnail", args=[first]))
    assert thumb.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status"), [("svg", 400), ("html", 400), ("truncated_jpeg", 400), ("bomb", 400)]
)
def test_hostile_files_are_refused_like_message_photos(cast, product, settings, kind, status):
    data, name, content_type = hostile_files()[kind]
    response = post_review(
        client_for(cast.buyer, "en"), product, [upload(data, name, content_type)]
    )
    assert response.status_code == status
    assert 'class="errorlist"' in response.content.decode()
    assert not Review.objects.exists() and not Attachment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_at_most_five_photos(cast, product, settings):
    six = [upload(photo_bytes(), f"p{n}.jpg") for n in range(6)]
    response = post_review(client_for(cast.buyer, "en"), product, six)
    assert (
        response.status_code == 400 and "At most 5 photos per review." in response.content.decode()
    )
    assert not Review.objects.exists() and stored_files(settings) == []
    five = [upload(photo_bytes(), f"p{n}.jpg") for n in range(5)]
    assert post_review(client_for(cast.buyer), product, five).status_code == 302
    assert ReviewPhoto.objects.count() == 5


@pytest.mark.django_db
def test_refused_review_stores_no_photo(cast, product, settings):
    response = post_review(client_for(cast.other_buyer, "en"), product, [upload(photo_bytes())])
    assert response.status_code == 400
    assert "Only buyers of this product can review it." in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(settings) == []


@pytest.mark.django_db
def test_api_review_with_uploaded_photo_ids(cast, product):
    headers = bearer_for(cast.buyer)
    uploaded = client_for(None).post(
        "/api/v1/attachments", {"files": [upload(photo_bytes())]}, headers=headers
    )
    photo_id = uploaded.json()[0]["id"]
    created = client_for(None).post(
        f"/api/v1/products/{product.pk}/reviews",
        json.dumps({"rating": 4, "text": "Фото", "photo_ids": [photo_id]}),
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201
    photo = created.json()["photos"][0]
    assert photo["id"] == photo_id and photo["url"] == f"/reviews/photos/{photo_id}/"


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["someone_elses", "duplicate", "already_used", "missing"])
def test_api_refuses_photos_that_are_not_the_callers_to_give(cast, product, case):
    mine = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes()))
    theirs = attachment_create_from_upload(owner=cast.other_buyer, upload=upload(photo_bytes()))
    if case == "already_used":
        other = delivered_order(cast.buyer, cast.store).lines.get().product
        services.review_create(
            actor=cast.buyer, product=other, rating=5, text="Раньше", photo_ids=[mine.pk]
        )
    ids = {
        "someone_elses": [theirs.pk],
        "duplicate": [mine.pk, mine.pk],
        "already_used": [mine.pk],
        "missing": [999999],
    }[case]
    before = Review.objects.count()
    response = client_for(None).post(
        f"/api/v1/products/{product.pk}/reviews",
        json.dumps({"rating": 4, "text": "Фото", "photo_ids": ids}),
        content_type="application/json",
        headers=bearer_for(cast.buyer),
    )
    assert response.status_code == 400 and response.json()["detail"]["field"] == "photos"
    assert Review.objects.count() == before


@pytest.mark.django_db
def test_photos_not_shown_with_a_review_are_not_served(cast, product):
    loose = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes()))
    assert client_for(cast.buyer).get(reverse("reviews:photo", args=[loose.pk])).status_code == 404
    assert client_for(None).get(reverse("reviews:photo", args=[999999])).status_code == 404
    services.review_create(
        actor=cast.buyer, product=product, rating=5, text="Фото", photo_ids=[loose.pk]
    )
    assert client_for(None).get(reverse("reviews:photo", args=[loose.pk])).status_code == 200
    Product.objects.filter(pk=product.pk).update(is_active=False)
    assert client_for(None).get(reverse("reviews:photo", args=[loose.pk])).status_code == 404

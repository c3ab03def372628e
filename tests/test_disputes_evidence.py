"""Evidence: photos through the attachments service, chat messages cited with a checksum,
and downloads only for the dispute's sides and arbitrators."""

import hashlib
import json
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from parley.core.errors import NotFound
from parley.disputes import services
from parley.disputes.models import Dispute, Evidence
from parley.messaging.models import Message
from parley.messaging.services import conversation_open, message_send

from .conftest import bearer_for, client_for
from .images import photo_bytes, photo_with_gps, upload


@pytest.fixture(autouse=True)
def _media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


@pytest.fixture
def chat(cast) -> list[Message]:
    conversation = conversation_open(actor=cast.buyer, store=cast.store, order=cast.order)
    asked, _ = message_send(actor=cast.buyer, conversation=conversation, body="Кружка со сколом!")
    answered, _ = message_send(
        actor=cast.seller, conversation=conversation, body="Пришлите фото, вернём 30%."
    )
    return [asked, answered]


def open_with_evidence(client, cast, chat, photo: bytes) -> Dispute:
    response = client.post(
        reverse("disputes:open", args=[cast.order.number]),
        {
            "reason": "damaged",
            "description": "Скол на ручке.",
            "resolution": "refund_only",
            "refund_amount": "300.00",
            "photos": [upload(photo)],
            "messages": [str(chat[1].pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Dispute.objects.get()


@pytest.mark.django_db
def test_the_form_takes_a_photo_and_a_cited_chat_message(cast, chat):
    client = client_for(cast.buyer, "en")
    form = client.get(reverse("disputes:open", args=[cast.order.number])).content.decode()
    assert "Пришлите фото, вернём 30%." in form
    dispute = open_with_evidence(client, cast, chat, photo_with_gps())
    photo = Evidence.objects.get(dispute=dispute, kind="photo").attachment
    assert len(photo.sha256) == 64 and photo.received_at is not None
    cited = Evidence.objects.get(dispute=dispute, kind="chat")
    assert cited.message == chat[1] and cited.message_author == cast.seller
    assert cited.message_sent_at == chat[1].created_at
    assert cited.message_text_sha256 == hashlib.sha256(chat[1].body.encode()).hexdigest()
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert "Пришлите фото, вернём 30%." in page and "text unchanged" in page
    assert reverse("disputes:evidence-thumbnail", args=[photo.pk]) in page


@pytest.mark.django_db
def test_a_changed_message_shows_it_no_longer_matches(cast, chat):
    dispute = open_with_evidence(client_for(cast.buyer, "en"), cast, chat, photo_bytes())
    Message.objects.filter(pk=chat[1].pk).update(body="Ничего не обещали.")
    page = client_for(cast.seller, "en").get(dispute.get_absolute_url()).content.decode()
    assert "the text was changed after it was cited" in page


@pytest.mark.django_db
def test_evidence_photos_are_served_only_to_the_dispute_sides(cast, chat):
    dispute = open_with_evidence(client_for(cast.buyer), cast, chat, photo_bytes())
    photo = Evidence.objects.get(dispute=dispute, kind="photo").attachment
    url = reverse("disputes:evidence", args=[photo.pk])
    for user in (cast.buyer, cast.seller, cast.arbitrator):
        response = client_for(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == photo.content_type
    for user in (cast.other_buyer, cast.other_seller, None):
        assert client_for(user).get(url).status_code == 404


@pytest.mark.django_db
def test_only_messages_of_this_buyer_and_store_can_be_cited(cast, chat):
    elsewhere = conversation_open(actor=cast.other_buyer, store=cast.store)
    foreign, _ = message_send(actor=cast.other_buyer, conversation=elsewhere, body="чужое")
    with pytest.raises(NotFound):
        services.dispute_open(
            actor=cast.buyer, order_number=cast.order.number, reason="other", description="x",
            refund_amount=Decimal("1"), return_item=False,
            evidence=services.EvidenceIn(message_ids=[foreign.pk]),
        )  # fmt: skip
    assert not Dispute.objects.exists()


@pytest.mark.django_db
def test_api_cites_uploaded_photos_and_messages_in_a_comment(cast, chat):
    client = client_for(None)
    dispute = services.dispute_open(
        actor=cast.buyer, order_number=cast.order.number, reason="other", description="x",
        refund_amount=Decimal("1"), return_item=False,
    )  # fmt: skip
    seller = bearer_for(cast.seller)
    uploaded = client.post(
        "/api/v1/attachments", {"files": [upload(photo_bytes())]}, headers=seller
    ).json()
    response = client.post(
        f"/api/v1/disputes/{dispute.pk}/comments",
        json.dumps(
            {"text": "Вот переписка", "attachment_ids": [uploaded[0]["id"]],
             "message_ids": [chat[0].pk]}
        ),
        content_type="application/json",
        headers=seller,
    )  # fmt: skip
    assert response.status_code == 200, response.content
    evidence = response.json()["timeline"][-1]["evidence"]
    assert {e["kind"] for e in evidence} == {"photo", "chat"}
    chat_item = next(e for e in evidence if e["kind"] == "chat")
    assert chat_item["message_unchanged"] is True and chat_item["message_author"]
    # Someone else's photo id is not found, and nothing is added.
    other = client.post(
        "/api/v1/attachments", {"files": [upload(photo_bytes())]},
        headers=bearer_for(cast.other_seller),
    ).json()  # fmt: skip
    response = client.post(
        f"/api/v1/disputes/{dispute.pk}/comments",
        json.dumps({"text": "чужое фото", "attachment_ids": [other[0]["id"]]}),
        content_type="application/json",
        headers=seller,
    )
    assert response.status_code == 404
    assert Evidence.objects.count() == 2


@pytest.mark.django_db
def test_the_pdf_record_has_the_timeline_citations_checksums_and_decision(cast, chat):
    import io

    import time_machine
    from pypdf import PdfReader

    from .disputes_kit import DAY

    with time_machine.travel(cast.order.shipped_at + 7 * DAY, tick=False) as traveller:
        dispute = open_with_evidence(client_for(cast.buyer), cast, chat, photo_bytes())
        services.dispute_reject(actor=cast.seller, dispute_id=dispute.pk, reason="Скола не было.")
        traveller.shift(15 * 86400)
        services.dispute_escalate(actor=cast.buyer, dispute_id=dispute.pk)
        services.dispute_decide(
            actor=cast.arbitrator, dispute_id=dispute.pk, outcome="partial_refund",
            refund_amount=Decimal("150.00"), reason="Скол виден на фото.",
        )  # fmt: skip
    response = client_for(cast.seller, "ru").get(reverse("disputes:record", args=[dispute.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    photo = Evidence.objects.get(kind="photo").attachment
    cited = Evidence.objects.get(kind="chat")
    for expected in (
        "Спор №", "Скол на ручке.", "Пришлите фото, вернём 30%.", "Скол виден на фото.",
        "частичный возврат", "150.00", photo.sha256, cited.message_text_sha256,
    ):  # fmt: skip
        assert expected in text.replace("\n", " "), expected
    assert (
        client_for(cast.other_seller).get(reverse("disputes:record", args=[dispute.pk])).status_code
        == 404
    )

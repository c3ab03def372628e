"""The demo marketplace gains conversations that show every messaging case at once."""

import os

import pytest
from django.core.management import call_command

from parley.accounts.models import User
from parley.attachments.models import Attachment
from parley.marketplace.models import Store
from parley.messaging import selectors
from parley.messaging.models import Conversation, Message


def load() -> None:
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_demo_conversations_cover_every_case_and_load_twice_without_duplicates():
    load()
    counts = (Conversation.objects.count(), Message.objects.count(), Attachment.objects.count())
    load()
    assert counts == (
        Conversation.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
    )
    buyer, seller, seller2 = (User.objects.get(username=n) for n in ("buyer", "seller", "seller2"))
    mine = list(selectors.conversations_for(buyer))
    assert {c.store.slug for c in mine} == {"uyutny-dom", "tekhnoplyus", "knizhnaya-lavka"}
    assert any(c.order and c.order.number == "PD-1002" for c in mine)  # started from an order
    assert any(c.unread for c in mine) and any(not c.unread for c in mine)
    photos = Message.objects.filter(conversation__store__slug="knizhnaya-lavka").get()
    assert photos.photos.count() == 2
    assert selectors.unread_total_for(seller) >= 1 and selectors.unread_total_for(seller2) >= 1
    answered = Conversation.objects.filter(first_reply_at__isnull=False).count()
    assert answered >= 5
    stats = selectors.store_reply_stats(Store.objects.get(slug="uyutny-dom"))
    assert stats.enough and stats.median_hours == 4

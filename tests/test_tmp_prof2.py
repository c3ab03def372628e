import time
from django.db import connection
from parley.messaging import services
from parley.messaging.models import Message
from parley.messaging.services import Draft
from parley.core.realtime import collecting
from parley.core.clock import now
from .factories import UserFactory, StoreFactory, MembershipFactory

def test_prof(db, django_capture_on_commit_callbacks):
    convs = []
    for i in range(32):
        buyer = UserFactory(username=f"b{i}"); seller = UserFactory(username=f"s{i}")
        store = StoreFactory(name=f"st{i}", slug=f"st{i}"); MembershipFactory(store=store, user=seller)
        convs.append((buyer, services.conversation_open(actor=buyer, store=store)))
    def run(k):
        def go():
            with django_capture_on_commit_callbacks(execute=True):
                services.messages_send([Draft(b, c.pk, f"hello {k}", client_id=f"c{k}") for b, c in convs])
        return collecting(go)
    for k in range(5): run(k)
    t = time.perf_counter()
    for k in range(5, 45): run(k)
    print("\nper batch ms", (time.perf_counter() - t) / 40 * 1000)
    objs = lambda k: [Message(conversation_id=c.pk, seq=1000+k, sender_id=b.pk, from_store=False, body="x", context={}, client_id=f"z{k}", created_at=now()) for b, c in convs]
    t = time.perf_counter()
    for k in range(40): Message.objects.bulk_create(objs(k))
    print("bulk_create 32 ms", (time.perf_counter() - t) / 40 * 1000)
    t = time.perf_counter()
    for k in range(40): objs(k+100)
    print("just objects 32 ms", (time.perf_counter() - t) / 40 * 1000)

from django.core.management.base import BaseCommand
from django.db import transaction

from parley.core.clock import now
from parley.demo.accounts import DEMO_PASSWORD, DEMO_USERS, load_users
from parley.demo.disputes import load_disputes
from parley.demo.marketplace import ORDERS, load_marketplace
from parley.demo.messaging import CONVERSATIONS, load_messaging
from parley.demo.reviews import load_reviews


class Command(BaseCommand):
    help = "Load the demo marketplace (safe to run again: it updates, never duplicates)."

    def handle(self, *args: object, **options: object) -> None:
        moment = now()
        with transaction.atomic():
            self.stdout.write("Demo accounts…")
            users = load_users()
            self.stdout.write("Stores, products, shipping methods and orders…")
            load_marketplace(users, moment)
            self.stdout.write("Reviews, seller replies and an away notice…")
            load_reviews(users, moment)
            self.stdout.write("Conversations and messages…")
            load_messaging(users, moment)
            self.stdout.write("Disputes in every state…")
            load_disputes(users, moment)
        self.stdout.write(self.style.SUCCESS("Demo marketplace loaded."))
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, name, role, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {name:<18} {role}")
        self.stdout.write("")
        self.stdout.write("Orders of the demo buyers:")
        for order in ORDERS:
            self.stdout.write(f"  {order.number}  {order.buyer:<7} {order.note}")
        self.stdout.write("")
        self.stdout.write("Conversations of the demo buyer (Message Center):")
        for conversation in CONVERSATIONS:
            if conversation.note:
                self.stdout.write(f"  {conversation.store:<16} {conversation.note}")

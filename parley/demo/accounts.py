"""Demo accounts: one per role, all with the same published password."""

from parley.accounts.models import User

DEMO_PASSWORD = "parley-demo"  # noqa: S105  (published in the README)

DEMO_USERS = [
    # username, display name, role description, is_arbitrator
    ("buyer", "Анна Покупкина", "buyer", False),
    ("buyer2", "Борис Заказов", "buyer", False),
    ("seller", "Ольга Продавцова", "seller: owner of «Уютный дом»", False),
    (
        "seller2",
        "Пётр Техников",
        "seller: owner of «ТехноПлюс» and «Книжная лавка»",
        False,
    ),
    ("arbitrator", "Ирина Арбитрова", "arbitrator", True),
]


def load_users() -> dict[str, User]:
    users = {}
    for username, name, _role, is_arbitrator in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "display_name": name,
                "email": f"{username}@parley.localhost",
                "is_arbitrator": is_arbitrator,
                "is_staff": is_arbitrator,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        users[username] = user
    return users

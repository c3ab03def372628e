"""Production settings pass Django's deployment checks; misconfiguration fails at start."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from .chat_client import served_chat

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment
    # never has it.
    unset = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d",
        ALLOWED_HOSTS="parley.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_several_server_processes_need_redis():
    result = run_manage("serve", "--workers", "2", "--no-worker", REDIS_URL="")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_postgresql_connections_come_from_a_pool_unless_turned_off():
    script = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d.get('OPTIONS', {}).get('pool'))"
    )
    url = "postgres://parley@db.example.com:5432/parley"
    pooled = run_manage("shell", "-c", script, DATABASE_URL=url)
    assert pooled.stdout.splitlines()[-1] == (
        "0 {'min_size': 2, 'max_size': 20, 'timeout': 10.0}"
    ), pooled.stderr
    plain = run_manage("shell", "-c", script, DATABASE_URL=url, DATABASE_POOL="false")
    assert plain.stdout.splitlines()[-1] == "60 None", plain.stderr


def test_postgresql_runs_without_jit_and_keeps_the_options_given_in_the_url():
    script = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    url = "postgres://parley@db.example.com:5432/parley?options=-c%20statement_timeout%3D5000"
    result = run_manage("shell", "-c", script, DATABASE_URL=url, DATABASE_POOL="false")
    assert result.stdout.splitlines()[-1] == (
        "{'options': '-c statement_timeout=5000 -c jit=off'}"
    ), result.stderr


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_postgresql_connection_compiles_no_statement():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_serve_answers_pages_and_the_chat_socket(tmp_path):
    """``manage.py serve`` as ``make run`` starts it: a page over HTTP, and the chat socket
    through the WebSocket protocol it names."""
    database = {"SQLITE_PATH": str(tmp_path / "serve.sqlite3")}
    assert run_manage("migrate", "--no-input", **database).returncode == 0
    make_token = (
        "from parley.accounts.models import User;"
        "from parley.accounts.services import api_token_create;"
        "user = User.objects.create_user('served', password='x' * 12);"
        "print(api_token_create(user=user, name='serve test')[1])"
    )
    token = run_manage("shell", "-c", make_token, **database).stdout.split()[-1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(port)],
        cwd=ROOT, env={**environment, **database},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.2)
        with served_chat(port, token):
            pass  # it answered with its hello
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    assert server.returncode == 0

"""GONGHUI_ENV=production refuses to start with DEBUG on, a demo or missing key, or no
ALLOWED_HOSTS; with proper keys, `manage.py check --deploy` has nothing to say.

Settings are read once per process, so each case starts a fresh Python with its own
environment (and a throwaway GONGHUI_VAR_DIR)."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

import pytest

from gonghui import settings as demo_settings
from gonghui.core.testing import BASE_DIR, CLEARED_ENV

REFUSAL = "GONGHUI_ENV=production"


def production_env(tmp_path, **overrides: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CLEARED_ENV
        and k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "DEBUG"}
        and k not in {"ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}
    }
    env |= {
        "GONGHUI_ENV": "production",
        "GONGHUI_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "gonghui.settings",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "gonghui.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://gonghui.example.org",
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """What every entry point (manage.py, gunicorn's wsgi) does first."""
    return run(env, "-c", "import gonghui.settings")


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": demo_settings.DEMO_SECRET_KEY}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY must be set"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS must be set"),
        (
            {"FIELD_ENCRYPTION_KEYS": demo_settings.DEMO_FIELD_ENCRYPTION_KEY},
            "FIELD_ENCRYPTION_KEYS must be set",
        ),
        ({"BLIND_INDEX_KEY": None}, "BLIND_INDEX_KEY must be set"),
        ({"BLIND_INDEX_KEY": demo_settings.DEMO_BLIND_INDEX_KEY}, "BLIND_INDEX_KEY must be set"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must name"),
    ],
)
def test_production_refuses_to_start_without_proper_settings(tmp_path, overrides, complaint):
    finished = load_settings(production_env(tmp_path, **overrides))

    assert finished.returncode != 0
    assert "ImproperlyConfigured" in finished.stderr
    assert REFUSAL in finished.stderr and complaint in finished.stderr


def test_production_starts_with_proper_settings(tmp_path):
    finished = load_settings(production_env(tmp_path))

    assert finished.returncode == 0, finished.stderr


def test_manage_py_refuses_to_run_with_the_demo_keys_in_production(tmp_path):
    env = production_env(
        tmp_path,
        SECRET_KEY=demo_settings.DEMO_SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=demo_settings.DEMO_FIELD_ENCRYPTION_KEY,
        BLIND_INDEX_KEY=demo_settings.DEMO_BLIND_INDEX_KEY,
    )

    finished = run(env, str(BASE_DIR / "manage.py"), "check")

    assert finished.returncode != 0
    assert "not the demo key" in finished.stderr


def test_check_deploy_is_clean_in_production_with_proper_keys(tmp_path):
    finished = run(production_env(tmp_path), str(BASE_DIR / "manage.py"), "check", "--deploy")

    assert finished.returncode == 0, finished.stderr
    assert "System check identified no issues (0 silenced)." in finished.stdout
    assert "WARNINGS" not in finished.stdout + finished.stderr

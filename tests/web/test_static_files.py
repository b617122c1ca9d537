"""Static files (admin CSS/JS, Swagger UI assets) are served in every way the README starts the service.

Each mode starts the real app on a loopback port, exactly as a new user or the cluster would, and looks at it
in headless Chromium (the admin logged in as a staff user must be styled; Swagger UI at /api/docs/ must
render every operation of the schema) and with plain HTTP requests for every /static/ URL the pages use:

- ``runserver``: ``manage.py runserver`` on the embedded defaults (base settings, fresh VAR_DIR, no
  collectstatic), as the README's API examples were captured;
- ``demo``: gunicorn with the embedded defaults, as ``make demo`` starts the API (fresh VAR_DIR, no
  collectstatic);
- ``production``: production settings on PostgreSQL/Redis after ``manage.py collectstatic --noinput`` into
  STATIC_ROOT (what the API pod's init container in k8s/base/api.yaml runs), gunicorn as k8s/base/api.yaml
  starts it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from cryptography.fernet import Fernet
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import require_services
from tests.support.live_app import headless_chromium, http_get, run_checked, running, wait_http
from tests.support.servers import free_port

BIN = Path(sys.executable).parent
MANAGE = [sys.executable, "manage.py"]
# What `make demo` drops from its children's environment (metamask_service/devstack/demo.py).
EMBEDDED_DROPPED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "VAR_DIR")
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
TRANSPARENT = "rgba(0, 0, 0, 0)"


@dataclass(frozen=True)
class LiveApp:
    mode: str
    base_url: str
    username: str
    password: str


def _clean_environ() -> dict[str, str]:
    """The caller's environment without what would point the app at another static dir or an exporter."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PROMETHEUS_", "prometheus_", "STATIC_", "WHITENOISE_"))
    }


def _embedded_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in _clean_environ().items() if k not in EMBEDDED_DROPPED}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "metamask_service.settings.base",
            "VAR_DIR": str(var_dir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _production_env(tmp: Path, request: pytest.FixtureRequest, django_db_blocker: Any) -> dict[str, str]:
    require_services()
    request.getfixturevalue("django_db_setup")  # the test database, migrated
    from django.db import connection

    with django_db_blocker.unblock():
        test_db = connection.settings_dict["NAME"]
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = _clean_environ()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "metamask_service.settings.production",
            # The pytest-django test database: the staff user made here is deleted again below.
            "DATABASE_URL": urlunsplit((parts.scheme, parts.netloc, "/" + test_db, parts.query, "")),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "VAR_DIR": str(tmp / "var"),
            "STATIC_ROOT": str(tmp / "static"),
            # Its own cache key prefix: other tests clear the default prefix's keys (rate-limit counters).
            "CACHE_KEY_PREFIX": f"mm-web-{secrets.token_hex(4)}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _gunicorn(port: int, *, k8s: bool) -> list[str]:
    if k8s:  # k8s/base/api.yaml
        return [
            str(BIN / "gunicorn"),
            "--config=metamask_service/gunicorn.conf.py",
            "metamask_service.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--threads=4",
            "--timeout=60",
        ]
    # metamask_service/devstack/demo.py
    return [str(BIN / "gunicorn"), "metamask_service.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1",
            "--threads", "4"]  # fmt: skip


# pytest-django creates the test database only for items marked as using it.
@pytest.fixture(
    scope="module", params=["runserver", "demo", pytest.param("production", marks=pytest.mark.django_db)]
)
def live_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any
) -> Iterator[LiveApp]:
    mode: str = request.param
    tmp = tmp_path_factory.mktemp(f"web-{mode}")
    port = free_port()
    username, password = f"staff-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    if mode == "production":
        env = _production_env(tmp, request, django_db_blocker)
        collected = run_checked([*MANAGE, "collectstatic", "--noinput"], env)
        assert "static files copied" in collected
        argv = _gunicorn(port, k8s=True)
        # Production cookies are Secure; Chromium keeps those for http://localhost (a secure context).
        host = "localhost"
    else:
        env = _embedded_env(tmp / "var")
        run_checked([*MANAGE, "migrate", "--noinput", "-v", "0"], env)
        argv = (
            [*MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"]
            if mode == "runserver"
            else _gunicorn(port, k8s=False)
        )
        host = "127.0.0.1"
    run_checked(
        [*MANAGE, "createsuperuser", "--noinput", "--username", username, "--email", "staff@localhost"],
        {**env, "DJANGO_SUPERUSER_PASSWORD": password},
    )
    log = tmp / "server.log"
    try:
        with running(argv, env, log) as proc:
            base_url = f"http://{host}:{port}"
            wait_http(f"{base_url}/api/schema/", proc, log)
            yield LiveApp(mode, base_url, username, password)
    finally:
        if mode == "production":
            from django.contrib.auth import get_user_model

            with django_db_blocker.unblock():
                get_user_model().objects.filter(username=username).delete()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with headless_chromium() as driver:
        yield driver


def _static_urls(base_url: str, html: str) -> list[str]:
    """Every stylesheet and script under /static/ the page links to, as absolute URLs."""
    found = re.findall(r"""<(?:link|script)\b[^>]*\b(?:href|src)=["']([^"']*/static/[^"']*)["']""", html)
    return sorted({urljoin(base_url + "/", url) for url in found})


def _failed_static_loads(driver: webdriver.Chrome) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "/static/" in entry["message"]
    ]


def _assert_served(app: LiveApp, urls: list[str]) -> None:
    assert urls, "the page links no /static/ files"
    for url in urls:
        answer = http_get(url, headers={"Accept-Encoding": "gzip"})
        assert answer.status == 200, f"{app.mode}: {url} -> HTTP {answer.status}"
        assert answer.body, url
        kind = answer.headers.get("Content-Type", "")
        if url.endswith(".css"):
            assert kind.startswith("text/css"), (url, kind)
        if url.endswith(".js"):
            assert "javascript" in kind, (url, kind)
        if app.mode == "production":
            # Manifest storage: content-hashed names, cached for good, precompressed text served.
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
            assert "immutable" in answer.headers.get("Cache-Control", ""), url
            if url.endswith((".css", ".js")):
                assert answer.headers.get("Content-Encoding") == "gzip", url
    missing = http_get(urls[0].rsplit("/", 1)[0] + "/no-such-file.css")
    assert missing.status == 404


def test_whitenoise_answers_static_requests_right_after_security_middleware() -> None:
    from django.conf import settings

    security = settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    assert settings.MIDDLEWARE[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    # runserver must not take /static/ over (it would serve only with DEBUG on).
    apps = settings.INSTALLED_APPS
    assert apps.index("whitenoise.runserver_nostatic") < apps.index("django.contrib.staticfiles")


def test_admin_is_styled_for_a_logged_in_staff_user(live_app: LiveApp, browser: webdriver.Chrome) -> None:
    _failed_static_loads(browser)  # reading the console log empties it
    browser.get(f"{live_app.base_url}/admin/login/?next=/admin/")
    browser.find_element(By.ID, "id_username").send_keys(live_app.username)
    browser.find_element(By.ID, "id_password").send_keys(live_app.password)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "user-tools"))
    assert urlsplit(browser.current_url).path == "/admin/"
    assert live_app.username in browser.find_element(By.ID, "user-tools").text.lower()  # CSS: uppercase

    sheets = browser.execute_script(
        "return Array.from(document.styleSheets).map(s => {"
        "  let rules = -1; try { rules = s.cssRules.length; } catch (e) {}"
        "  return {href: s.href || '', rules: rules}; });"
    )
    base_css = [s for s in sheets if "/static/admin/css/base" in s["href"]]
    assert base_css, f"{live_app.mode}: admin base.css not among the page's stylesheets: {sheets}"
    assert base_css[0]["rules"] > 100, f"{live_app.mode}: base.css did not load: {base_css}"
    header = browser.execute_script(
        "const s = getComputedStyle(document.getElementById('header'));"
        "return {background: s.backgroundColor, display: s.display};"
    )
    # base.css: `#header { display: flex; background: var(--header-bg) }`; unstyled it is a transparent block.
    assert header["display"] == "flex", (live_app.mode, header)
    assert header["background"] != TRANSPARENT, (live_app.mode, header)
    assert _failed_static_loads(browser) == []

    _assert_served(live_app, _static_urls(live_app.base_url, browser.page_source))


def test_swagger_ui_renders_every_operation(live_app: LiveApp, browser: webdriver.Chrome) -> None:
    schema = json.loads(http_get(f"{live_app.base_url}/api/schema/?format=json").body)
    operations = sorted(
        (path, method) for path, item in schema["paths"].items() for method in item if method in HTTP_METHODS
    )
    assert ("/api/v1/wallets/", "post") in operations

    _failed_static_loads(browser)
    browser.get(f"{live_app.base_url}/api/docs/")
    wait = WebDriverWait(browser, 30)
    wait.until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#swagger-ui .info .title"),
        f"{live_app.mode}: Swagger UI did not render (browser log: {_failed_static_loads(browser)[:4]})",
    )
    assert "MetaMask service API" in browser.find_element(By.CSS_SELECTOR, "#swagger-ui .info .title").text
    wait.until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= len(operations),
        f"{live_app.mode}: Swagger UI shows fewer than the schema's {len(operations)} operations",
    )
    rendered = sorted(
        (
            block.find_element(By.CSS_SELECTOR, ".opblock-summary-path").get_attribute("data-path"),
            block.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text.lower(),
        )
        for block in browser.find_elements(By.CSS_SELECTOR, ".opblock")
    )
    assert rendered == operations
    # swagger-ui.css applied: an operation block is laid out as Swagger UI draws it, not as a bare div.
    border = browser.execute_script(
        "return getComputedStyle(document.querySelector('.opblock')).borderTopStyle;"
    )
    assert border == "solid", (live_app.mode, border)
    assert _failed_static_loads(browser) == []

    html = http_get(f"{live_app.base_url}/api/docs/").body.decode()
    urls = _static_urls(live_app.base_url, html)
    assert any("swagger-ui-dist/swagger-ui-bundle" in u for u in urls), urls
    assert any("swagger-ui-dist/swagger-ui" in u and u.endswith(".css") for u in urls), urls
    assert not any(urlsplit(u).hostname not in {"127.0.0.1", "localhost"} for u in urls), urls
    _assert_served(live_app, urls)

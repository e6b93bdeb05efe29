"""``craftledger serve --port P``: every public URL -- credential ids, issuer DIDs, status lists,
QR codes -- names the address served, so the README's online ``craftledger vc verify`` works on
any port. Real processes: the server on a free port with a fresh data dir, the verifier as a
subprocess resolving the DID and status lists over HTTP."""

from __future__ import annotations

import io
import json
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import segno

from service.cli.serve import public_base_url, served_base_url
from service.config import ConfigurationError, Settings
from tests.support.server import CLI, REPO, base_env, mint_admin_token, request, serving


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def test_a_demo_served_on_another_port_verifies_online(tmp_path: Path) -> None:
    env = base_env(tmp_path / "var")
    log = tmp_path / "serve.log"
    with serving(env, "--demo", log=log, within=120) as (url, _):
        assert not url.endswith(":8000")
        assert f"public base URL {url} (from --host/--port" in log.read_text()
        token = mint_admin_token(env)
        status, _, listed = request(
            f"{url}/api/v1/certificates?limit=1", headers={"Authorization": f"Bearer {token}"}
        )
        assert status == 200 and listed["items"], listed
        number = listed["items"][0]["number"]
        credential: dict[str, Any] = json.loads(
            fetch(f"{url}/api/v1/certificates/{number}/credential")
        )
        netloc = url.removeprefix("http://")
        did = credential["issuer"]["id"]
        assert credential["id"].startswith(f"{url}/api/v1/certificates/{number}/credential")
        assert did.startswith("did:web:" + netloc.replace(":", "%3A") + ":organisations:")
        listed_at = credential["credentialStatus"]["statusListCredential"]
        assert listed_at.startswith(f"{url}/api/v1/status-lists/")
        controller = json.loads(fetch(f"{url}/organisations/{did.rsplit(':', 1)[1]}/did.json"))
        assert controller["id"] == did
        page = f"{url}/c/{number}"
        expected = io.BytesIO()
        segno.make(page, error="m", micro=False).save(
            expected, kind="svg", scale=6, border=2, title=page
        )
        assert fetch(f"{page}/qr.svg") == expected.getvalue()

        cert = tmp_path / "cert.json"
        cert.write_text(json.dumps(credential, ensure_ascii=False))
        verified = subprocess.run(
            [*CLI, "vc", "verify", "--timeout", "10", str(cert)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "passed   signature" in verified.stdout
        assert "passed   status" in verified.stdout  # the status lists were fetched online
        assert verified.stdout.strip().endswith("credential verified")


def test_every_interface_is_named_as_this_machine_and_said_so(tmp_path: Path) -> None:
    env = base_env(tmp_path / "var")
    log = tmp_path / "serve.log"
    with serving(env, log=log, host="0.0.0.0") as (url, _):
        _, _, key = request(f"{url}/api/v1/audit/public-key")
        assert key["controller"] == f"{url}/api/v1/audit/public-key"
    text = log.read_text()
    assert f"public base URL {url} (from --port; --host 0.0.0.0 is every interface" in text
    assert "set CRAFTLEDGER_BASE_URL to the address others use" in text


def test_the_configured_base_url_wins_and_is_said_so(tmp_path: Path) -> None:
    env = base_env(tmp_path / "var")
    env["CRAFTLEDGER_BASE_URL"] = "https://ledger.example.org/"
    log = tmp_path / "serve.log"
    with serving(env, log=log) as (url, _):
        _, _, key = request(f"{url}/api/v1/audit/public-key")
        assert key["controller"] == "https://ledger.example.org/api/v1/audit/public-key"
    assert "public base URL https://ledger.example.org (from CRAFTLEDGER_BASE_URL)" in (
        log.read_text()
    )


@pytest.mark.parametrize("bad", ["ledger.example.org", "ftp://x", "http://h:port", "http://h?a=1"])
def test_a_bad_base_url_is_refused_in_one_line(tmp_path: Path, bad: str) -> None:
    env = base_env(tmp_path / "var")
    env["CRAFTLEDGER_BASE_URL"] = bad
    done = subprocess.run(
        [*CLI, "serve", "--port", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: CRAFTLEDGER_BASE_URL must be an http(s) URL")
    assert repr(bad) in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),
        ("::", 8000, "http://127.0.0.1:8000"),
        ("::1", 9000, "http://[::1]:9000"),
        ("ledger.local", 80, "http://ledger.local"),
    ],
)
def test_the_served_base_url(host: str, port: int, expected: str) -> None:
    assert served_base_url(host, port) == expected


def test_a_loopback_base_url_on_another_port_is_pointed_out(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, base_url="http://127.0.0.1:8000")
    url, note = public_base_url(settings, "127.0.0.1", 8123)
    assert url == "http://127.0.0.1:8000"
    assert note == (
        "from CRAFTLEDGER_BASE_URL; note it names port 8000 and this server listens on 8123"
    )
    assert public_base_url(settings, "127.0.0.1", 8000)[1] == "from CRAFTLEDGER_BASE_URL"


def test_settings_read_and_check_the_base_url(tmp_path: Path) -> None:
    env = {"CRAFTLEDGER_DATA_DIR": str(tmp_path), "CRAFTLEDGER_BASE_URL": "https://a.example/x/"}
    assert Settings.from_env(env).base_url == "https://a.example/x"
    assert Settings.from_env({"CRAFTLEDGER_DATA_DIR": str(tmp_path)}).base_url is None
    with pytest.raises(ConfigurationError, match="CRAFTLEDGER_BASE_URL"):
        Settings.from_env({**env, "CRAFTLEDGER_BASE_URL": "https://user:pw@a.example"})

"""Secret scan: every planted credential is found and replaced; look-alikes are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.frontend.secrets import is_env_file, scan_text

REPOS = Path(__file__).parents[1] / "fixtures" / "repos"
PLANTED = (REPOS / "secrets.planted.txt").read_text().split()
SECRET_FILES = sorted(p for p in (REPOS / "secrets").rglob("*") if p.is_file())


def scanned(rel: str):
    return scan_text(rel, (REPOS / "secrets" / rel).read_text())


def test_no_planted_value_survives_the_scan():
    cleaned = "".join(
        scan_text(p.relative_to(REPOS / "secrets").as_posix(), p.read_text()).clean_text for p in SECRET_FILES
    )
    assert len(PLANTED) >= 15
    leaked = [value for value in PLANTED if value in cleaned]
    assert leaked == []


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (
            "app/settings.py",
            {(12, "aws-access-key"), (13, "aws-secret-key"), (16, "generic-secret"), (18, "url-password")},
        ),
        (
            "app/clients.py",
            {
                (5, "stripe-key"),
                (7, "google-api-key"),
                (10, "github-token"),
                (16, "slack-token"),
                (23, "anthropic-key"),
                (24, "generic-secret"),
                (27, "openai-key"),
                (30, "jwt"),
            },
        ),
        ("app/crypto.py", {(3, "private-key")}),
        ("keys/deploy_key.pem", {(1, "private-key")}),
    ],
)
def test_each_rule_reports_path_line_and_rule(rel, expected):
    result = scanned(rel)
    assert {(r.line, r.rule) for r in result.redactions} == expected
    assert all(r.path == rel and r.action == "redacted" for r in result.redactions)
    assert not result.exclude_file


def test_redaction_keeps_line_numbers_and_marks_the_spot():
    original = (REPOS / "secrets" / "app/crypto.py").read_text()
    result = scanned("app/crypto.py")
    assert result.clean_text.count("\n") == original.count("\n")
    assert 'DEPLOY_KEY = """<redacted:private-key>' in result.clean_text
    assert result.clean_text.splitlines()[-2:] == original.splitlines()[-2:]  # the code after the key is intact


def test_url_credentials_lose_only_the_password():
    line = scanned("app/settings.py").clean_text.splitlines()[17]
    assert line == 'DATABASE_URL = "postgres://app:<redacted:url-password>@db.internal:5432/app"'


def test_look_alikes_are_not_flagged():
    result = scanned("app/settings.py")
    flagged_lines = {r.line for r in result.redactions}
    text = result.clean_text.splitlines()
    for needle in (
        'DB_PASSWORD = os.environ["PW"]',
        'SECRET_KEY = os.environ.get("SECRET_KEY", "")',
        'token_type = "bearer"',
        'api_key = "changeme"',
        'admin_password = ""',
        'session_secret = get_secret("session")',
        'github_token = "${GITHUB_TOKEN}"',
        'password_hint = "at least twelve characters"',
        'PUBLIC_DATABASE_URL = "postgres://localhost:5432/app"',
        'HOMEPAGE = "https://user@example.com/docs"',
        'COMMIT = "3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345"',
    ):
        line = text.index(needle) + 1  # still present, unchanged
        assert line not in flagged_lines


@pytest.mark.parametrize(
    "snippet",
    [
        'tokenizer = "sentence-transformers/all-MiniLM-L6-v2"',
        'ACCESS_TOKEN_NAME = "ACCESS_TOKEN"',
        'password = "<your password>"',
        'password = "xxxxxxxxxxxx"',
        'secret = "%(secret)s"',
        'auth_token = f"Bearer {self.token}"',
        'if password == "Kc-Fixture-Hunter2-abc": pass',
        'api_key = settings.api_key or "AKIAIOSFODNN7EXAMPLE"',
        "# the RSA key must start with -----BEGIN RSA PRIVATE KEY----- and end with the END line",
        'password_file = "/run/secrets/db-password-2024"',
        'default_token_class = "app.auth.tokens.BearerToken"',
    ],
)
def test_plain_code_is_left_alone(snippet):
    result = scan_text("mod.py", snippet + "\n")
    assert result.redactions == []
    assert result.clean_text == snippet + "\n"


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ('password: str = "n0t-Hunter2-Xq7ZvB"', "generic-secret"),
        ('{"apiKey": "4f9Q2x7LmN0pR8sT1vW3"}', "generic-secret"),
        ('db_password := "Zq8-xW3vR7tY2uP"', "generic-secret"),
        ("const GITLAB = 'glpat-" + "Ab3dE6gH9jK2mN5pQ8sT" + "';", "gitlab-token"),
        (
            "hook = 'https://hooks.slack.com/services/" + "T0A1B2C3D/B9Z8Y7X6W/abcdEFGH1234ijklMNOP" + "'",
            "slack-webhook",
        ),
    ],
)
def test_other_shapes_are_found(snippet, rule):
    result = scan_text("mod.py", snippet + "\n")
    assert [r.rule for r in result.redactions] == [rule]
    assert f"<redacted:{rule}>" in result.clean_text


def test_yaml_values_need_no_quotes():
    result = scan_text("deploy/config.yaml", "database:\n  password: Zq8xW3vR7tY2uP9k\n  user: app\n")
    assert [(r.line, r.rule) for r in result.redactions] == [(2, "generic-secret")]
    assert "Zq8xW3vR7tY2uP9k" not in result.clean_text


@pytest.mark.parametrize("rel", [".env", "deploy/production.env"])
def test_env_files_are_excluded_whole(rel):
    result = scanned(rel)
    assert result.exclude_file
    assert result.clean_text == ""
    assert [(r.line, r.rule, r.action) for r in result.redactions] == [(1, "env-file", "file-excluded")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".env", True),
        (".env.local", True),
        ("config/.env.example", True),
        ("prod.env", True),
        ("environment.py", False),
        ("env.py", False),
        (".envrc", False),
    ],
)
def test_env_file_names(name, expected):
    assert is_env_file(name) is expected


def test_result_unpacks_like_a_tuple():
    text, redactions, exclude = scan_text("a.py", "x = 1\n")
    assert (text, redactions, exclude) == ("x = 1\n", [], False)

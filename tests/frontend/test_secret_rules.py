"""The rule table and one test per rule family: each provider format is found by its own rule (values random,
generated now), and look-alikes of each family are left alone."""

from __future__ import annotations

import random
import re

import pytest

from compiler.frontend.secret_rules import GITLEAKS, KC, RULES
from compiler.frontend.secrets import scan_text
from kctest.secrets_corpus import values

SEED = random.SystemRandom().randrange(1 << 30)
V = values(SEED)

# kind -> (snippet holding the value, the rule that must name the redaction)
CASES = {
    "aws-access-key": ('key_id = "{v}"', "aws-access-key"),
    "aws-secret-key": ('aws_secret_access_key = "{v}"', "aws-secret-key"),
    "github-pat": ("export GH={v}", "github-token"),
    "github-oauth": ("token: '{v}'", "github-token"),
    "github-fine-grained": ('ghToken := "{v}"', "github-token"),
    "gitlab-pat": ("push with `{v}`", "gitlab-token"),
    "slack-bot": ('SLACK = "{v}"', "slack-token"),
    "slack-webhook": ('hook = "{v}"', "slack-webhook"),
    "stripe-live": ("stripe.api_key = '{v}'", "stripe-key"),
    "stripe-restricted": ('fmt.Println("{v}")', "stripe-key"),
    "google-api-key": ('const MAPS = "{v}";', "google-api-key"),
    "gcp-oauth-secret": ('client_secret = "{v}"', "gcp-oauth"),
    "anthropic-key": ('Anthropic(api_key="{v}")', "anthropic-key"),
    "openai-key": ('OpenAI(api_key="{v}")', "openai-key"),
    "jwt": ('export const session = "{v}";', "jwt"),
    "pypi-token": ('"""Upload with {v} as the password."""', "pypi-token"),
    "npm-comment": ("// npm token: {v}", "npm-token"),
    "npmrc-token": ("//registry.npmjs.org/:_authToken={v}", "npm-token"),
    "sendgrid-key": ('SendGridAPIClient("{v}")', "sendgrid-key"),
    "twilio-sid": ('Client("{v}", token)', "twilio-key"),
    "twilio-auth-token": ('Client("SK' + "0123456789abcdef" * 2 + '", "{v}")', "hex-secret"),
    "mailgun-key": ("Mailgun ({v}) when SendGrid is down", "mailgun-key"),
    "heroku-key": ('HEROKU_API_KEY = "{v}"', "heroku-legacy-key"),
    "digitalocean-token": ('var doToken = "{v}"', "digitalocean-token"),
    "shopify-token": ("accessToken: '{v}'", "shopify-token"),
    "square-token": ("square: {{ token: '{v}' }}", "square-token"),
    "azure-storage-key": ('"AccountName=r;AccountKey={v};EndpointSuffix=core.windows.net"', "azure-storage-key"),
    "rsa-private-key": ('KEY = """{v}"""', "private-key"),
    "openssh-private-key": ("{v}", "private-key"),
    "discord-bot-token": ('discord_bot_token = "{v}"', "discord-token"),
    "telegram-bot-token": ('TELEGRAM = "{v}"  # the receipts bot', "telegram-bot-token"),
    "datadog-api-key": ("dd_api_key: {v}", "datadog-key"),
    "vault-token": ("the Vault agent logs in with {v}.", "hashicorp-token"),
    "postgres-password": ('DATABASE_URL = "postgres://app:{v}@db.internal:5432/app"', "url-password"),
    "mysql-password": ("mysql://reader:{v}@replica:3306/db", "url-password"),
    "mongodb-password": ("mongodb+srv://worker:{v}@cluster0.example.net/jobs", "url-password"),
    "redis-password": ("cache: redis://default:{v}@cache:6379/0", "url-password"),
    "url-basic-auth": ("see https://docs:{v}@docs.internal.test/", "url-password"),
    "bearer-js": ('fetch(url, {{ headers: {{ Authorization: "Bearer {v}" }} }});', "bearer-token"),
    "bearer-curl-md": ('curl -H "Authorization: Bearer {v}" https://api.test/health', "bearer-token"),
    "basic-auth-header": ("return 'Basic {v}';", "bearer-token"),
    "python-password": ('db_password = "{v}"', "generic-secret"),
    "toml-client-secret": ('client_secret = "{v}"', "generic-secret"),
    "go-hmac-key": ('const hmacKey = "{v}"', "generic-secret"),
    "docstring-prose-token": ('"""Use the token {v} to sign in."""', "high-entropy-token"),
    "ts-webhook-secret": ("// webhook signing secret: {v}", "hex-secret"),
    "markdown-prose-key": ("the staging key was `{v}` (rotate it)", "high-entropy-token"),
    "author-notes-token": ("The CI bot pushes releases with {v}.", "github-token"),
}


def test_every_rule_says_where_it_comes_from():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)) >= 30
    for rule in RULES:
        assert rule.kind in ("token", "text", "entropy", "assignment")
        assert rule.source in (GITLEAKS, KC) or "licence" in rule.source or "Apache" in rule.source
        assert rule.description
        re.compile(rule.regex)
        assert all(keyword == keyword.lower() for keyword in rule.keywords if rule.kind != "assignment")
        assert rule.keywords or rule.context, rule.id  # every rule is gated by a word


def test_every_planted_kind_has_a_family_case():
    assert set(CASES) <= set(V) and len(set(V) - set(CASES)) <= 2  # env-secret: the file is left out whole


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_family_is_found_by_its_own_rule(kind):
    template, rule = CASES[kind]
    text = template.format(v=V[kind]) + "\n"
    result = scan_text("planted/file.txt" if "yaml" not in kind else "deploy/config.yaml", text)
    assert V[kind] not in result.clean_text, f"seed {SEED}"
    assert rule in {r.rule for r in result.redactions}, (f"seed {SEED}", result.redactions)
    assert result.clean_text.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    "text",
    [
        'key_id = "AKIAIOSFODNN7EXAMPLE"',  # AWS's documented example
        'request_id = "123e4567-e89b-42d3-a456-426614174000"',  # a UUID without "heroku"
        'commit = "3f786850e387550fdab836ed7e6dc881de23001b"',  # a digest without a credential word
        '"compiler/index/tokens.py": "7052c29b50db61974bdd6e053eac502ce2729f5a1e304c01c22d8bb0c1e862b2",',
        'data = b"VGhpcyBpcyBhIEJhc2U2NCBlbmNvZGVkIG1lc3NhZ2Uu"',  # base64 of plain text
        'name = "TestCaseForHTTPClient2Server3"',
        'path = "src/components/AuthProvider2024/index.tsx"',
        'HEXDIGITS = frozenset("0123456789abcdefABCDEF")',
        "Bearer authentication is described in RFC 6750 and basic auth in RFC 7617.",
        "task-runner-with-a-very-long-name-and-more-words-2024",
        "def test_known_miss_is_redacted_for_every_provider_format_2024(): pass",
        # long CamelCase names in code: defined or called, never a credential (zap's benchmarks)
        "func BenchmarkZapJSONFloat32AndComplex64(b *testing.B) {",
        "func (e *jsonEncoder) AppendComplex128AsFloat64Pair2(v complex128) {}",
        "    b.Run(BenchmarkZapJSONFloat32AndComplex64(b))",
        'tokenizer = "sentence-transformers/all-MiniLM-L6-v2"',
        'color = "#ff00aa"',
        "url = 'https://user@example.com/docs/getting-started'",
        "mailgun_domain = 'mg.example.com'  # key-names are listed in the dashboard",
    ],
)
def test_look_alikes_of_each_family_are_left_alone(text):
    assert scan_text("x.py", text + "\n").clean_text == text + "\n"


def test_a_file_without_token_runs_or_keywords_is_returned_as_is():
    text = "def add(a, b):\n    return a + b\n" * 1000
    result = scan_text("m.py", text)
    assert result.clean_text is text and result.redactions == []

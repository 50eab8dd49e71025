"""A repository full of planted secrets, generated at run time, and a byte-level search for them afterwards.

In: a folder and a seed. Out: ``plant`` writes a small multi-language project (Python, JavaScript,
TypeScript, Go, markdown, author notes, YAML, TOML, ``.env``, ``.npmrc``, a key file) holding one secret of each of 40+
kinds, in docstrings, comments, strings, call arguments, prose, code blocks and config, and returns the
``Planted`` values; ``find_leaks`` reads every byte of the given trees (corpora, index files, sqlite and
pickle caches, sites, saved answers) and reports each planted value, or a 16+ character piece of one, found
in them, raw or lower-cased. ``exercise`` runs what a user runs on such a repository: ``kc build`` with its
index, ``kc site``, ``kc search`` and ``kc ask`` aimed at the planted files, keeping the answers as files.

The values are random (``random.Random(seed)``) and never real; each is built to match its provider's
published format (prefix, alphabet, length, checksum-free), so a detector that knows the format finds it.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import string
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Planted", "plant", "values", "find_leaks", "exercise", "QUESTIONS"]

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"


@dataclass(frozen=True)
class Planted:
    """One planted secret: what kind, the value, the file it sits in."""

    kind: str
    value: str
    path: str


class _Values:
    """Random values in real token formats; every draw has at least two digits, two upper and two lower letters
    where its alphabet has them (as almost every real random token does)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def draw(self, alphabet: str, n: int) -> str:
        while True:
            value = "".join(self.rng.choice(alphabet) for _ in range(n))
            if self._mixed(value, alphabet):
                return value

    @staticmethod
    def _mixed(value: str, alphabet: str) -> bool:
        checks = [(str.isdigit, any(c.isdigit() for c in alphabet))]
        checks += [(str.isupper, any(c.isupper() for c in alphabet)), (str.islower, any(c.islower() for c in alphabet))]
        return all(sum(test(c) for c in value) >= 2 for test, wanted in checks if wanted)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def uuid(self) -> str:
        h = self.draw(HEX, 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def b64(self, raw_len: int) -> str:
        return base64.b64encode(self.rng.randbytes(raw_len)).decode()

    def jwt(self) -> str:
        def part(obj) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        header = part({"alg": "HS256", "typ": "JWT"})
        payload = part({"sub": self.draw(ALNUM, 12), "iat": int(self.digits(10))})
        return f"{header}.{payload}.{self.draw(URLSAFE, 43)}"

    def pem(self, label: str) -> str:
        body = self.b64(48 * 12)
        lines = textwrap.wrap(body, 64)
        return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def _kinds(v: _Values) -> dict[str, str]:
    """kind -> value, in 40+ formats."""
    return {
        "aws-access-key": "AKIA" + v.draw(string.ascii_uppercase + "234567", 16),
        "aws-secret-key": v.draw(B64, 40),
        "github-pat": "ghp_" + v.draw(ALNUM, 36),
        "github-oauth": "gho_" + v.draw(ALNUM, 36),
        "github-fine-grained": "github_pat_" + v.draw(ALNUM, 22) + "_" + v.draw(ALNUM, 59),
        "gitlab-pat": "glpat-" + v.draw(URLSAFE, 20),
        "slack-bot": f"xoxb-{v.digits(11)}-{v.digits(13)}-{v.draw(ALNUM, 24)}",
        "slack-webhook": f"https://hooks.slack.com/services/T{v.draw(string.ascii_uppercase + string.digits, 8)}"
        f"/B{v.draw(string.ascii_uppercase + string.digits, 10)}/{v.draw(ALNUM, 24)}",
        "stripe-live": "sk_live_" + v.draw(ALNUM, 24),
        "stripe-restricted": "rk_live_" + v.draw(ALNUM, 24),
        "google-api-key": "AIza" + v.draw(URLSAFE, 35),
        "gcp-oauth-secret": "GOCSPX-" + v.draw(URLSAFE, 28),
        "anthropic-key": "sk-ant-api03-" + v.draw(URLSAFE, 93) + "AA",
        "openai-key": "sk-proj-" + v.draw(URLSAFE, 48),
        "jwt": v.jwt(),
        "pypi-token": "pypi-AgEIcHlwaS5vcmc" + v.draw(URLSAFE, 70),
        "npm-comment": "npm_" + v.draw(ALNUM, 36),
        "npmrc-token": "npm_" + v.draw(ALNUM, 36),
        "sendgrid-key": f"SG.{v.draw(URLSAFE, 22)}.{v.draw(URLSAFE, 43)}",
        "twilio-sid": "SK" + v.draw(HEX, 32),
        "twilio-auth-token": v.draw(HEX, 32),
        "mailgun-key": "key-" + v.draw(HEX, 32),
        "heroku-key": v.uuid(),
        "digitalocean-token": "dop_v1_" + v.draw(HEX, 64),
        "shopify-token": "shpat_" + v.draw(HEX, 32),
        "square-token": "EAAA" + v.draw(URLSAFE, 60),
        "azure-storage-key": v.b64(64),
        "rsa-private-key": v.pem("RSA PRIVATE KEY"),
        "openssh-private-key": v.pem("OPENSSH PRIVATE KEY"),
        "discord-bot-token": "M" + v.draw(ALNUM, 25) + "." + v.draw(URLSAFE, 6) + "." + v.draw(URLSAFE, 38),
        "telegram-bot-token": v.digits(9) + ":AA" + v.draw(URLSAFE, 33),
        "datadog-api-key": v.draw(HEX, 32),
        "vault-token": "hvs." + v.draw(URLSAFE, 92),
        "postgres-password": v.draw(ALNUM, 18),
        "mysql-password": v.draw(ALNUM + "_", 16),
        "mongodb-password": v.draw(ALNUM, 20),
        "redis-password": v.draw(ALNUM, 24),
        "url-basic-auth": v.draw(ALNUM, 14),
        "bearer-js": v.draw(ALNUM, 40),
        "bearer-curl-md": v.draw(ALNUM, 36),
        "basic-auth-header": base64.b64encode(f"deploy:{v.draw(ALNUM, 16)}".encode()).decode(),
        "python-password": v.draw(ALNUM + "!#%^", 16),
        "toml-client-secret": v.draw(ALNUM, 32),
        "yaml-password": v.draw(ALNUM, 18),
        "go-hmac-key": v.draw(ALNUM, 48),
        "docstring-prose-token": v.draw(ALNUM, 40),
        "ts-webhook-secret": v.draw(HEX, 40),
        "env-secret": v.draw(ALNUM, 32),
        "markdown-prose-key": v.draw(ALNUM, 32),
        "author-notes-token": "ghp_" + v.draw(ALNUM, 36),
    }


def _files(s: dict[str, str]) -> dict[str, str]:
    """relative path -> text, each secret placed the way people place them."""
    return {
        "README.md": f"""# Payments gateway

A small service that takes payments and sends receipts.

## Setup

Ask ops for the staging key; the one we used last week was `{s["markdown-prose-key"]}` (rotate it).
The docs site lives at https://docs:{s["url-basic-auth"]}@docs.internal.test/ for now.
""",
        "docs/deploy.md": f"""# Deploying

Check the health endpoint with the deploy token:

```sh
curl -H "Authorization: Bearer {s["bearer-curl-md"]}" https://api.payments.test/health
```

The worker reads its queue from

```text
mongodb+srv://worker:{s["mongodb-password"]}@cluster0.payments.test/jobs
```

GitLab pushes with `{s["gitlab-pat"]}` and the Vault agent logs in with {s["vault-token"]}.
""",
        "payments/settings.py": f'''"""Settings for the payments service."""

AWS_ACCESS_KEY_ID = "{s["aws-access-key"]}"
aws_secret_access_key = "{s["aws-secret-key"]}"
DATABASE_URL = "postgres://payments:{s["postgres-password"]}@db.internal:5432/payments"
REPLICA_URL = "mysql://reader:{s["mysql-password"]}@replica.internal:3306/payments"
STRIPE_KEY = "{s["stripe-live"]}"
db_password = "{s["python-password"]}"
AZURE_STORAGE = (
    "DefaultEndpointsProtocol=https;AccountName=receipts;AccountKey={s["azure-storage-key"]};"
    "EndpointSuffix=core.windows.net"
)
SIGNING_KEY = """{s["rsa-private-key"]}"""
''',
        "payments/clients.py": f'''"""Clients for the services the gateway talks to."""

from twilio.rest import Client


def sms_client():
    """Twilio, for receipts by SMS."""
    return Client("{s["twilio-sid"]}", "{s["twilio-auth-token"]}")


def mail_client(SendGridAPIClient):
    """SendGrid first, Mailgun ({s["mailgun-key"]}) when it is down."""
    return SendGridAPIClient("{s["sendgrid-key"]}")


def llm_clients(openai, anthropic):
    # both keys are for the summarise-receipts experiment
    return openai.OpenAI(api_key="{s["openai-key"]}"), anthropic.Anthropic(api_key="{s["anthropic-key"]}")


def publish():
    """Upload the client library with {s["pypi-token"]} as the password."""


def login():
    """Use the token {s["docstring-prose-token"]} to sign in to the admin console."""
''',
        "payments/notify.py": f'''"""Notifications: Slack, Discord, Telegram."""

SLACK_BOT = "{s["slack-bot"]}"
SLACK_WEBHOOK = "{s["slack-webhook"]}"
discord_bot_token = "{s["discord-bot-token"]}"
TELEGRAM = "{s["telegram-bot-token"]}"  # the receipts bot
''',
        "web/api.js": f"""// Browser client for the payments API.
// npm publish token (do not commit!): {s["npm-comment"]}
const MAPS_KEY = "{s["google-api-key"]}";

export async function fetchReceipts(url) {{
  return fetch(url, {{ headers: {{ Authorization: "Bearer {s["bearer-js"]}" }} }});
}}

export const session = "{s["jwt"]}";
""",
        "web/client.ts": f"""/** Typed client for the admin console. */
export const config = {{
  shopify: {{ accessToken: '{s["shopify-token"]}' }},
  square: {{ token: '{s["square-token"]}' }},
  github: '{s["github-oauth"]}',
}};

const webhookSecret = '{s["ts-webhook-secret"]}';

export function authHeader(): string {{
  return 'Basic {s["basic-auth-header"]}';
}}
""",
        "cmd/gateway/main.go": f"""// Command gateway serves the payments API.
package main

import "fmt"

const hmacKey = "{s["go-hmac-key"]}"

// doToken deploys droplets.
var doToken = "{s["digitalocean-token"]}"

func main() {{
	ghToken := "{s["github-fine-grained"]}"
	fmt.Println(len(hmacKey), len(doToken), len(ghToken), "{s["stripe-restricted"]}")
}}
""",
        "deploy/config.yaml": f"""service: payments
database:
  user: payments
  password: {s["yaml-password"]}
heroku:
  api_key: {s["heroku-key"]}
datadog:
  dd_api_key: {s["datadog-api-key"]}
cache: redis://default:{s["redis-password"]}@cache.internal:6379/0
github_token: {s["github-pat"]}
""",
        "config/app.toml": f"""[oauth]
client_id = "payments-console"
client_secret = "{s["toml-client-secret"]}"
google_client_secret = "{s["gcp-oauth-secret"]}"
""",
        "CONCEPTS.md": f"""# Concepts

## Payments

files: payments/*.py

Taking a payment and sending its receipt. The CI bot pushes releases with {s["author-notes-token"]}.
""",
        ".env": f"SECRET_KEY={s['env-secret']}\nDEBUG=false\n",
        ".npmrc": f"//registry.npmjs.org/:_authToken={s['npmrc-token']}\n",
        "keys/deploy_key": s["openssh-private-key"] + "\n",
    }


def values(seed: int) -> dict[str, str]:
    """kind -> a random value in that kind's format (what ``plant`` writes)."""
    return _kinds(_Values(seed))


def plant(root: Path, seed: int) -> list[Planted]:
    """Write the repository under ``root`` and return what was planted where (one value per kind)."""
    secrets = values(seed)
    files = _files(secrets)
    planted = []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for kind, value in secrets.items():
        where = [rel for rel, text in files.items() if value in text]
        assert len(where) == 1, (kind, where)
        planted.append(Planted(kind, value, where[0]))
    return planted


def _pieces(value: str) -> list[str]:
    """The value and every 16+ character piece of it between non-alphanumerics (what tokenizers keep)."""
    pieces = [value] + [p for p in re.split(r"[^A-Za-z0-9]+", value) if len(p) >= 16 and p != value]
    if "\n" in value:  # a key block: its body lines
        pieces = [line for line in value.splitlines() if len(line) >= 16 and "-----" not in line]
    return pieces


def find_leaks(paths: list[Path], planted: list[Planted]) -> list[tuple[str, str]]:
    """``(kind, file)`` for every planted value (or a 16+ character piece of one) found in any file under ``paths``.

    Every byte is searched, raw and lower-cased, so values inside sqlite databases, pickles, JSON and
    compressed-free binary indexes are found too.
    """
    needles = [(p.kind, piece.encode()) for p in planted for piece in _pieces(p.value)]
    leaks: list[tuple[str, str]] = []
    for root in paths:
        files = [root] if root.is_file() else sorted(f for f in root.rglob("*") if f.is_file())
        for file in files:
            data = file.read_bytes()
            lowered = data.lower()
            for kind, needle in needles:
                if needle in data or needle.lower() in lowered:
                    leaks.append((kind, str(file)))
    return sorted(set(leaks))


QUESTIONS = (
    "how does the gateway send receipts by SMS with Twilio?",
    "which AWS key and database password does the payments service use?",
    "how do I check the health endpoint with curl after deploying?",
    "what token does the browser client send in the Authorization header?",
)


def _kc(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "compiler.cli", *args], capture_output=True, text=True, timeout=600, env=env
    )


def exercise(repo: Path, workdir: Path, questions: tuple[str, ...] = QUESTIONS) -> list[Path]:
    """Build ``repo`` with its index into ``workdir/corpus``, build the site, ask and search; return every
    output folder to search for leaks (corpus, index and cache under ``.kc``, site, answers)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    corpus, site, answers = workdir / "corpus", workdir / "site", workdir / "answers"
    answers.mkdir(parents=True, exist_ok=True)
    steps = [("build", ["build", str(repo), "--out", str(corpus), "--quiet"])]
    steps.append(("site", ["site", "--corpus", str(corpus), "--out", str(site)]))
    for n, question in enumerate(questions):
        steps.append((f"search-{n}", ["search", question, "--corpus", str(corpus), "--json", "-k", "10"]))
        steps.append((f"ask-{n}", ["ask", question, "--corpus", str(corpus), "--backend", "offline", "--no-stream"]))
    for name, args in steps:
        result = _kc(*args, env=env)
        (answers / f"{name}.txt").write_text(f"{result.returncode}\n{result.stdout}\n{result.stderr}", encoding="utf-8")
        if result.returncode != 0:
            raise RuntimeError(f"kc {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
    return [corpus, workdir / ".kc", site, answers]

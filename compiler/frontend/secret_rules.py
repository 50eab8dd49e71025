"""The secret detector's rules, as data: one frozen ``SecretRule`` per credential format.

In: nothing (a leaf table). Out: ``RULES``, read by ``compiler.frontend.secrets``, which compiles them and
decides from their keywords which rules run where. Modelled on the gitleaks default ruleset (an id, a
regex, the keywords that must occur before the regex runs, an entropy floor); rules written from the
providers' published token formats say so in ``source``. Rule families:

* cloud: AWS access key id and secret key, GCP API key, OAuth client secret and access token, Azure
  storage account key, DigitalOcean, Heroku, Hashicorp Vault and Terraform Cloud tokens
* code hosting and packages: GitHub (``ghp_ gho_ ghu_ ghs_ ghr_ github_pat_``), GitLab, PyPI, npm
* messaging and SaaS: Slack tokens and webhooks, Discord and Telegram bot tokens, Twilio, SendGrid,
  Mailgun, Stripe, Square, Shopify, Datadog
* AI providers: OpenAI and Anthropic API keys
* structural: private key blocks (PEM, OpenSSH, PGP), JWTs, passwords in URLs (Postgres, MySQL,
  MongoDB, Redis, AMQP, any ``scheme://user:PASSWORD@host``), ``Authorization: Bearer|Basic`` values
* generic: quoted values assigned to secret-ish names (``password``, ``token``, ``api_key``, ...), unquoted
  ones in config files, hex secrets and high-entropy tokens in a credential context or quoted

Kinds (how the engine runs a rule):

* ``token``: the secret is a long run of token characters with a recognisable prefix; the regex runs
  only in a window around such a run (the run finder is the first prefilter), and only when one of the
  rule's keywords occurs in that window (lower-cased); ``context`` words, when given, must occur on the
  line before the token
* ``text``: the regex runs over the whole text (or its lower-cased copy when ``lowered``) when one of
  the keywords occurs in the lower-cased text
* ``entropy``: applied by the engine to every long run that is quoted or follows a credential word on its
  line; ``entropy`` is the Shannon floor in bits per character
* ``assignment``: the engine builds one ``NAME = "value"`` pattern per keyword
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SecretRule", "RULES", "CONTEXT_WORDS", "GITLEAKS", "KC"]

GITLEAKS = "adapted from gitleaks default rules (MIT)"
KC = "kc (written from the provider's documented token format)"


@dataclass(frozen=True)
class SecretRule:
    """One detector rule; ``group`` names the regex group holding the secret (0: the whole match)."""

    id: str
    kind: str  # token | text | entropy | assignment
    regex: str
    keywords: tuple[str, ...]  # lower-case literals; the rule runs only where one occurs (token rules: or none)
    source: str
    description: str = ""
    group: int | str = 0
    entropy: float = 0.0  # minimum Shannon entropy (bits per character) of the secret
    context: tuple[str, ...] = ()  # token rules: a word that must precede the token on its line
    lowered: bool = False  # text rules: run the regex on the lower-cased text (same offsets)


_B64 = r"[A-Za-z0-9+/]"
# Words that, earlier on a token's line, make it a credential (the entropy rules' context).
CONTEXT_WORDS = (
    "passw",
    "pwd",
    "secret",
    "token",
    "key",
    "auth",
    "credential",
    "bearer",
    "sid",
    "twilio",
    "hmac",
)

# Order is priority: when two findings overlap, the rule listed first names the redaction.
RULES: tuple[SecretRule, ...] = (
    SecretRule(
        "private-key",
        "text",
        # BEGIN, a body that holds base64 (checked by the engine), END; an unterminated block takes the
        # base64 lines after BEGIN. A bare mention of the BEGIN line in prose matches nothing. The body never
        # holds "--", so a lazy scan for END stops at the next BEGIN or END line (linear time).
        r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:(?:[A-Za-z0-9+/=\s\\:,.()\"']|-(?!-)){40,20000}?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
        r"|(?:(?:\s|\\n)*[A-Za-z0-9+/=]{40,})+)",
        ("private key",),
        GITLEAKS,
        "PEM, OpenSSH and PGP private key blocks",
    ),
    SecretRule(
        "aws-access-key",
        "token",
        r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}(?![A-Za-z0-9])",
        ("akia", "asia", "abia", "acca", "a3t"),
        GITLEAKS,
        "AWS access key id",
    ),
    SecretRule(
        "github-token",
        "token",
        r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})(?![A-Za-z0-9_])",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        GITLEAKS,
        "GitHub personal, OAuth, user-to-server, server-to-server and refresh tokens; fine-grained PATs",
    ),
    SecretRule(
        "gitlab-token",
        "token",
        r"(?:glpat|glptt|glrt|gldt|glft|glsoat)-[A-Za-z0-9_-]{20,}",
        ("glpat-", "glptt-", "glrt-", "gldt-", "glft-", "glsoat-"),
        GITLEAKS,
        "GitLab personal, pipeline-trigger, runner, deploy, feed and OAuth tokens",
    ),
    SecretRule(
        "slack-token",
        "token",
        r"(?:xox[abposre]-|xapp-)[A-Za-z0-9-]{10,250}",
        ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xapp-"),
        GITLEAKS,
        "Slack bot, user, app, refresh and configuration tokens",
    ),
    SecretRule(
        "slack-webhook",
        "token",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}",
        ("hooks.slack.com",),
        GITLEAKS,
        "Slack incoming webhook URL",
    ),
    SecretRule(
        "stripe-key",
        "token",
        r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,247}(?![A-Za-z0-9])",
        ("_live_", "_test_"),
        GITLEAKS,
        "Stripe secret, restricted and publishable keys",
    ),
    SecretRule(
        "google-api-key",
        "token",
        r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
        ("aiza",),
        GITLEAKS,
        "Google Cloud / Firebase API key",
    ),
    SecretRule(
        "gcp-oauth",
        "token",
        r"GOCSPX-[A-Za-z0-9_-]{28}|ya29\.[A-Za-z0-9_-]{30,}",
        ("gocspx-", "ya29."),
        GITLEAKS,
        "Google OAuth client secret and access token",
    ),
    SecretRule(
        "anthropic-key",
        "token",
        r"sk-ant-[A-Za-z0-9_-]{20,}",
        ("sk-ant-",),
        GITLEAKS,
        "Anthropic API and admin keys",
    ),
    SecretRule(
        "openai-key",
        "token",
        r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{32,}",
        ("sk-",),
        GITLEAKS,
        "OpenAI project, service-account, admin and legacy keys",
        entropy=3.0,
    ),
    SecretRule(
        "jwt",
        "token",
        r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        ("eyj",),
        GITLEAKS,
        "JSON Web Token (header and payload both JSON objects)",
    ),
    SecretRule(
        "pypi-token",
        "token",
        r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        ("pypi-ageichlwas5vcmc",),
        GITLEAKS,
        "PyPI upload token (a macaroon for pypi.org)",
    ),
    SecretRule(
        "npm-token",
        "token",
        r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])",
        ("npm_",),
        GITLEAKS,
        "npm access token",
    ),
    SecretRule(
        "sendgrid-key",
        "token",
        r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
        ("sg.",),
        GITLEAKS,
        "SendGrid API key",
    ),
    SecretRule(
        "twilio-key",
        "token",
        r"(?:SK|AC)[0-9a-fA-F]{32}(?![0-9A-Za-z])",
        ("sk", "ac"),
        GITLEAKS,
        "Twilio API key SID and account SID",
    ),
    SecretRule(
        "mailgun-key",
        "token",
        r"(?:key|pubkey)-[0-9a-f]{32}(?![0-9a-zA-Z])",
        ("key-",),
        GITLEAKS,
        "Mailgun private and public API keys",
    ),
    SecretRule(
        "digitalocean-token",
        "token",
        r"do[opr]_v1_[a-f0-9]{64}",
        ("dop_v1_", "doo_v1_", "dor_v1_"),
        GITLEAKS,
        "DigitalOcean personal access, OAuth and refresh tokens",
    ),
    SecretRule(
        "shopify-token",
        "token",
        r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
        ("shpat_", "shpca_", "shppa_", "shpss_"),
        GITLEAKS,
        "Shopify access tokens and shared secret",
    ),
    SecretRule(
        "square-token",
        "token",
        r"sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}|EAAA[A-Za-z0-9_+-]{60}",
        ("sq0atp-", "sq0csp-", "eaaa"),
        GITLEAKS,
        "Square access token and OAuth secret",
    ),
    SecretRule(
        "azure-storage-key",
        "token",
        r"(?i:AccountKey)=(" + _B64 + r"{86}==)",
        ("accountkey=",),
        GITLEAKS,
        "Azure storage account key in a connection string",
        group=1,
    ),
    SecretRule(
        "heroku-key",
        "token",
        r"HRKU-[A-Za-z0-9_-]{58,}",
        ("hrku-",),
        GITLEAKS,
        "Heroku API key (HRKU- format)",
    ),
    SecretRule(
        "heroku-legacy-key",
        "token",
        r"(?<![0-9a-fA-F-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9a-fA-F-])",
        (),
        GITLEAKS,
        "Heroku API key of the UUID format, after the word heroku",
        context=("heroku",),
    ),
    SecretRule(
        "hashicorp-token",
        "token",
        r"hv[sb]\.[A-Za-z0-9_-]{90,}|[a-z0-9]{14}\.atlasv1\.[a-z0-9_=-]{60,70}",
        ("hvs.", "hvb.", "atlasv1"),
        GITLEAKS,
        "Hashicorp Vault service and batch tokens, Terraform Cloud API token",
    ),
    SecretRule(
        "discord-token",
        "token",
        r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}",
        (),
        GITLEAKS,
        "Discord bot token (after the word discord)",
        context=("discord",),
    ),
    SecretRule(
        "telegram-bot-token",
        "token",
        r"(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])",
        (":aa",),
        GITLEAKS,
        "Telegram bot token",
    ),
    SecretRule(
        "datadog-key",
        "token",
        r"(?<![0-9a-zA-Z])[0-9a-f]{32}(?:[0-9a-f]{8})?(?![0-9a-zA-Z])",
        (),
        GITLEAKS,
        "Datadog API (32 hex) and application (40 hex) keys, after the word datadog or dd_api/dd_app",
        context=("datadog", "dd_api", "dd_app", "dd-api", "dd-app"),
    ),
    SecretRule(
        "aws-secret-key",
        "text",
        r"aws[\w.-]{0,20}?(?:secret|sk)[\w.-]{0,20}[\"']?\s*(?:=|:|:=|=>)\s*[\"']?([a-z0-9/+]{40})(?![a-z0-9/+])",
        ("aws",),
        GITLEAKS,
        "AWS secret access key assigned to an aws...secret name",
        group=1,
        entropy=3.0,
        lowered=True,
    ),
    SecretRule(
        "bearer-token",
        "text",
        r"(?:bearer|basic)[ \t]+([a-z0-9._~+/-]{12,}=*)",
        ("bearer ", "basic "),
        KC,
        "Authorization: Bearer / Basic header values, in code, strings, curl lines and prose",
        group=1,
        entropy=3.0,
        lowered=True,
    ),
    SecretRule(
        "url-password",
        "text",
        r"://[^/\s:@'\"<>]{1,100}:([^/\s@'\"<>]{1,200})@[\w.-]",
        ("://",),
        GITLEAKS,
        "password in a URL: postgres, mysql, mongodb(+srv), redis, amqp, http basic auth",
        group=1,
    ),
    SecretRule(
        "generic-secret",
        "assignment",
        r"",
        (
            r"passw(?:or)?d",
            "pwd",
            "secret",
            "token",
            "credentials?",
            r"auth(?:orization)?",
            "key",
        ),
        GITLEAKS,
        "a quoted literal of 8+ random-looking characters assigned to a secret-ish name (generic-api-key); "
        "key covers api_key, access_key, auth_key, private_key",
        group="value",
        entropy=3.0,
    ),
    SecretRule(
        "hex-secret",
        "entropy",
        r"[0-9a-fA-F]{32,128}",
        CONTEXT_WORDS,
        KC,
        "32+ hex digits, quoted or bare, after a credential word on the same line",
    ),
    SecretRule(
        "high-entropy-token",
        "entropy",
        r"[A-Za-z0-9_+/=-]{20,}",
        CONTEXT_WORDS,
        "adapted from detect-secrets high-entropy string plugins (Apache-2.0)",
        "20+ token characters mixing upper case, lower case and digits, quoted or after a credential word "
        "(32-64 letters and digits anywhere)",
        entropy=4.0,
    ),
)

"""Secret scan: find credentials in a file's text and replace them before any parser sees it.

Runs on every file, first, so nothing downstream (symbols, docstrings, excerpts,
the search index, prompts) can ever carry a secret. The rules follow gitleaks and
detect-secrets:

* ``private-key``: a PEM/OpenSSH/PGP private key block, replaced whole (its line count is kept)
* ``aws-access-key``, ``aws-secret-key``, ``github-token``, ``gitlab-token``, ``slack-token``,
  ``slack-webhook``, ``stripe-key``, ``google-api-key``, ``anthropic-key``, ``openai-key``,
  ``jwt``: provider formats with a recognisable prefix
* ``url-password``: ``scheme://user:PASSWORD@host``; only the password is replaced
* ``generic-secret``: ``password|passwd|pwd|secret|token|api_key|access_key|auth_key|private_key|
  credential(s)`` assigned a quoted literal (``=``, ``:``, ``:=``, ``=>``, a type annotation allowed)
* ``env-file``: ``.env``, ``.env.*`` (templates like ``.env.example`` too: they often hold
  real values) and ``*.env`` are left out whole (``action="file-excluded"``)

What ``generic-secret`` deliberately does NOT flag (a false positive hides real
documentation, a false negative leaks; these are the cases where the value cannot be a
hard-coded credential):

* values that are not a quoted literal right after the ``=``: function calls,
  ``os.environ[...]``, f-strings, concatenations, comparisons (``==``)
* values shorter than 8 characters, containing whitespace, or with low entropy
  (under 3 bits per character: ``aaaaaaaa``, ``12121212``)
* placeholders: ``changeme``, ``example``, ``placeholder``, ``dummy``, ``redacted``,
  ``your_...``, ``<...>``, ``${...}``, ``{{...}}``, ``%(name)s``, ``$VAR``, ``xxxx``/``****``
* names whose keyword is part of a longer word (``tokenizer``) or that describe a secret
  rather than hold one (``token_type``, ``password_hint``, ``secret_name``, ``api_key_env``,
  ``token_url``, ``password_field``, ...)
* values that are identifiers, dotted names or paths (``"ACCESS_TOKEN"``, ``"app.auth.Token"``,
  ``"/run/secrets/db"``)

A ``Redaction`` records path, line and rule, never the value. Speed: every rule has a
cheap substring prefilter and a precompiled regex; a file with no candidate costs a
handful of ``in`` checks.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from compiler.model import Redaction

__all__ = ["SecretScan", "scan_text", "is_env_file", "marker"]


@dataclass(frozen=True)
class SecretScan:
    """The text with every secret replaced by a marker, and where the secrets were."""

    clean_text: str
    redactions: list[Redaction] = field(default_factory=list)
    exclude_file: bool = False

    def __iter__(self):
        """Unpack as ``clean_text, redactions, exclude_file``."""
        return iter((self.clean_text, self.redactions, self.exclude_file))


def marker(rule: str) -> str:
    """The text a secret is replaced with."""
    return f"<redacted:{rule}>"


@dataclass(frozen=True)
class _Rule:
    name: str
    prefilter: str  # a regex led by a literal: the pattern runs only when it occurs in the text
    pattern: re.Pattern[str]
    group: int | str = 0  # the group holding the secret
    boundary: bool = False  # the match must not follow a letter, digit or "_" (a \b would slow the scan)


# Ordered by priority: when two findings overlap, the rule listed first wins.
_PROVIDER_RULES: tuple[_Rule, ...] = (
    _Rule(
        "private-key",
        "PRIVATE KEY",
        # BEGIN, a body that holds base64 (checked after the match), END; an unterminated block
        # takes the base64 lines after BEGIN. A bare mention of the BEGIN line in prose matches nothing.
        re.compile(
            r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[A-Za-z0-9+/=\s\\:,.()\"'-]{40,20000}?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
            r"|(?:(?:\s|\\n)*[A-Za-z0-9+/=]{40,})+)"
        ),
    ),
    _Rule(
        "aws-access-key",
        "A(?:KIA|SIA|BIA|CCA|3T)",
        re.compile(r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}(?![A-Za-z0-9])"),
        boundary=True,
    ),
    _Rule(
        "github-token",
        "gh(?:[pousr]_|ithub_pat_)",
        re.compile(r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})(?![A-Za-z0-9_])"),
        boundary=True,
    ),
    _Rule("gitlab-token", "glpat-", re.compile(r"glpat-[A-Za-z0-9_-]{20,}"), boundary=True),
    _Rule("slack-token", "xox", re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,250}"), boundary=True),
    _Rule(
        "slack-webhook",
        r"hooks\.slack\.com",
        re.compile(r"hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/_-]{20,}"),
    ),
    _Rule(
        "stripe-key",
        "_(?:live|test)_",
        re.compile(r"[sr]k_(?:live|test)_[A-Za-z0-9]{16,247}(?![A-Za-z0-9])"),
        boundary=True,
    ),
    _Rule("google-api-key", "AIza", re.compile(r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), boundary=True),
    _Rule("anthropic-key", "sk-ant-", re.compile(r"sk-ant-[A-Za-z0-9_-]{20,}"), boundary=True),
    _Rule("openai-key", "sk-", re.compile(r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{32,}"), boundary=True),
    _Rule("jwt", "eyJ", re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"), boundary=True),
    _Rule("pypi-token", "pypi-", re.compile(r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"), boundary=True),
    _Rule("npm-token", "npm_", re.compile(r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"), boundary=True),
    _Rule("sendgrid-key", r"SG\.", re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"), boundary=True),
    _Rule("twilio-key", "(?:SK|AC)[0-9a-f]", re.compile(r"(?:SK|AC)[0-9a-f]{32}(?![0-9A-Za-z])"), boundary=True),
    _Rule(
        "bearer-token",
        "(?i:bearer|basic) ",
        re.compile(r"(?i:bearer|basic)[ \t]+([A-Za-z0-9._~+/-]{16,}=*)"),
        group=1,
    ),
    _Rule("url-password", "://", re.compile(r"://[^/\s:@'\"<>]{1,100}:([^/\s@'\"<>]{1,200})@[\w.-]"), group=1),
)

# A bare run of 32+ letters and digits mixing upper case, lower case and digits with high entropy: a
# random token in prose, a docstring or an argument (hex digests have no upper case and are left alone).
_RANDOM_TOKEN = _Rule(
    "high-entropy-token", "", re.compile(r"(?<![A-Za-z0-9_+/.$-])[A-Za-z0-9_+/-]{32,200}"), boundary=True
)
_HEX_IN_CONTEXT = _Rule("hex-secret", "", re.compile(r"[\"'`]([0-9a-fA-F]{32,128})[\"'`]"), group=1)
# Words before a quoted hex value on its line that say it is a credential (a Twilio SID counts).
_HEX_CONTEXT = re.compile(r"(?i)auth|token|secret|key|sid|twilio|hmac|(?:SK|AC)[0-9a-f]{32}")

# These two run on the lower-cased text (same offsets), so their keywords are plain literals.
_AWS_SECRET = _Rule(
    "aws-secret-key",
    "aws",
    re.compile(
        r"aws[\w.-]{0,20}?(?:secret|sk)[\w.-]{0,20}[\"']?\s*(?:=|:|:=|=>)\s*[\"']?([a-z0-9/+]{40})(?![a-z0-9/+])"
    ),
    group=1,
    boundary=True,
)
_GENERIC = _Rule("generic-secret", "", re.compile(""), group="value")
_GENERIC_KEYWORDS = (
    r"passw(?:or)?d",
    "pwd",
    "secret",
    "token",
    r"api[_-]?key",
    r"access[_-]?key",
    r"auth[_-]?key",
    r"private[_-]?key",
    "credentials?",
    r"auth(?:orization)?",
    "key",
)
# sre scans fast for a pattern led by a literal and slowly for an alternation whose branches start
# with different letters (every position tries every branch): one pattern per keyword is 2x faster.
_GENERIC_PATTERNS = tuple(
    re.compile(
        f"({keyword})"
        r"([\w.-]{0,40})[\"']?"  # the rest of the name (its suffix says what it holds)
        r"(?:\s*:\s*[\w\[\]., |]{1,40}?)?"  # an optional type annotation: password: str = "..."
        r"\s*(?:=|:|:=|=>)\s*"
        r"(?P<quote>[\"'`])(?P<value>[^\"'`\s\\]{8,200})(?P=quote)"
    )
    for keyword in _GENERIC_KEYWORDS
)
_PREFILTERS = tuple((re.compile(rule.prefilter), rule) for rule in _PROVIDER_RULES)
_PRIORITY = {
    rule.name: index
    for index, rule in enumerate((*_PROVIDER_RULES, _AWS_SECRET, _GENERIC, _HEX_IN_CONTEXT, _RANDOM_TOKEN))
}
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{40}")

_PLACEHOLDER_WORDS = (
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "example",
    "placeholder",
    "dummy",
    "redacted",
    "your_",
    "your-",
    "yourpass",
    "yourtoken",
    "yoursecret",
    "insert",
    "replace",
    "sample",
    "notasecret",
    "not-a-secret",
    "not_a_secret",
    "fake",
    "xxxx",
    "****",
    "....",
    "<redacted",
)
_PLACEHOLDER_SHAPES = re.compile(
    r"^(?:\$\{.*\}|\{\{.*\}\}|<.*>|%\(.*\)[sd]|\$[A-Za-z_][A-Za-z0-9_]*|\{[\w.]*\}|(.)\1*)$"
)
# Words joined by separators or case ("access_token", "ACCESS_TOKEN", "waitForTaskToken") and
# dotted names ("app.auth.Token") name something; a credential has digits in random places.
_IDENTIFIER_LIKE = re.compile(
    r"^(?:[a-z]+(?:[_.-][a-z]+)*|[A-Z]+(?:_[A-Z]+)*|[A-Za-z][a-z]+(?:[A-Z][a-z]+)+|[A-Z][a-z]+(?:-[A-Z][a-z]+)+"
    r"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)$"
)
_NAME_SUFFIXES_THAT_DESCRIBE = frozenset(
    """
    type types kind class cls hint hints field fields name names label labels prompt prompts
    file files path paths dir url uri endpoint env var vars header headers length len min max
    count size policy pattern regex format prefix suffix mode expiry expires expiration ttl
    timeout lifetime error errors message msg param params id ids placeholder description desc
    help doc docs attr attribute column col key_name store manager provider backend service
    source validator generator reset changed required strength hash hashed salt rounds
    """.split()
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ENV_FILE = re.compile(r"^(?:\.env(?:\..+)?|.+\.env)$")
_UNQUOTED_CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".ini", ".cfg", ".conf", ".properties"})
_UNQUOTED_ASSIGNMENT = re.compile(
    r"(?im)^[ \t]*[\w.-]*(passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?)"
    r"([\w.-]{0,40})[ \t]*[:=][ \t]*(?P<value>[^\s\"'#][^\s#]{7,199})[ \t]*$"
)


def is_env_file(path: str) -> bool:
    """True for ``.env``, ``.env.local``, ``production.env`` ...: files that exist to hold secrets."""
    return bool(_ENV_FILE.match(_file_name(path)))


def _file_name(path: str) -> str:
    """``PurePosixPath(path).name``, without building a path object for every file scanned."""
    name = path.rpartition("/")[2]
    if name and name != ".":
        return name
    return PurePosixPath(path).name  # "a/", "a/.": let pathlib normalise


def _suffix(path: str) -> str:
    """``PurePosixPath(path).suffix``: from the last dot of the name, unless the name starts or ends with it."""
    name = _file_name(path)
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def scan_text(path: str, text: str) -> SecretScan:
    """Replace every secret in ``text`` with a marker; ``path`` picks file-level rules and names the findings."""
    if is_env_file(path):
        return SecretScan("", [Redaction(path, 1, "env-file", "file-excluded")], True)
    findings: list[tuple[int, int, int, str]] = []  # start, end, priority, rule
    # Each check below is a pass over the whole text; "sk-" leads two rules, so one pass rules out both.
    has_sk = "sk-" in text
    for prefilter, rule in _PREFILTERS:
        if rule.prefilter.startswith("sk-") and not has_sk:
            continue
        if prefilter.search(text):
            findings.extend(_rule_findings(rule, rule.pattern, text, text))
    # str.lower() keeps offsets when it keeps the length (always, except for a few letters like "İ").
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text.translate(_ASCII_LOWER)
    if "aws" in lowered:
        findings.extend(_rule_findings(_AWS_SECRET, _AWS_SECRET.pattern, text, lowered))
    for pattern in _GENERIC_PATTERNS:
        findings.extend(_rule_findings(_GENERIC, pattern, text, lowered))
    if _HEX_HINT.search(lowered):
        findings.extend(_hex_findings(text))
    findings.extend(_random_token_findings(text))
    if _suffix(path).lower() in _UNQUOTED_CONFIG_SUFFIXES or _file_name(path) == ".npmrc":
        findings.extend(_unquoted_findings(text))
    if not findings:
        return SecretScan(text)
    return _apply(path, text, findings)


def _rule_findings(rule: _Rule, pattern: re.Pattern[str], text: str, searched: str) -> list[tuple[int, int, int, str]]:
    """Findings of one rule's pattern; ``searched`` is ``text`` or its lower-cased copy (same offsets)."""
    found = []
    for match in pattern.finditer(searched):
        start = match.start()
        if rule.boundary and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        finding = _accept(rule, text, *match.span(rule.group), match)
        if finding:
            found.append(finding)
    return found


def _accept(rule: _Rule, text: str, start: int, end: int, match: re.Match[str]) -> tuple[int, int, int, str] | None:
    """The finding, unless the value is a placeholder, a name, or too regular to be a credential."""
    value = text[start:end]
    if rule.name == "private-key":
        if not _BASE64_RUN.search(value):
            return None  # prose between two BEGIN/END mentions, not a key
    elif _is_placeholder(value):
        return None  # AKIAIOSFODNN7EXAMPLE, sk-xxxxxxxx..., postgres://user:<password>@
    elif rule.name == "generic-secret":
        if _describes_secret(text[match.start(2) : match.end(2)]) or _IDENTIFIER_LIKE.match(value):
            return None
        if value[0] in "/.~#" or not _looks_random(value):  # paths, colours, comments
            return None
    elif rule.name in ("openai-key", "aws-secret-key") and not _looks_random(value):
        return None
    return start, end, _PRIORITY[rule.name], rule.name


_HEX_HINT = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}")
_HAS_UPPER = re.compile(r"[A-Z]")
_HAS_LOWER = re.compile(r"[a-z]")
_HAS_DIGIT = re.compile(r"[0-9]")


def _hex_findings(text: str) -> list[tuple[int, int, int, str]]:
    """Quoted hex values of 32+ digits with a credential word earlier on the same line (up to 80 characters)."""
    found = []
    priority = _PRIORITY[_HEX_IN_CONTEXT.name]
    for match in _HEX_IN_CONTEXT.pattern.finditer(text):
        start, end = match.span(1)
        line_start = max(text.rfind("\n", 0, start) + 1, start - 81)
        if _HEX_CONTEXT.search(text, line_start, start - 1):
            found.append((start, end, priority, _HEX_IN_CONTEXT.name))
    return found


def _random_token_findings(text: str) -> list[tuple[int, int, int, str]]:
    """Runs of 32+ token characters that mix cases and digits and look random (entropy >= 4 bits)."""
    found = []
    priority = _PRIORITY[_RANDOM_TOKEN.name]
    for match in _RANDOM_TOKEN.pattern.finditer(text):
        value = match.group()
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "_.$"):
            continue
        if "/" in value or "_" in value.strip("_") and value.count("_") > 2:
            continue  # paths, snake_case names
        if not (_HAS_UPPER.search(value) and _HAS_LOWER.search(value) and _HAS_DIGIT.search(value)):
            continue
        if sum(c.isdigit() for c in value) < 3 or _entropy(value) < 4.0:
            continue
        found.append((start, match.end(), priority, _RANDOM_TOKEN.name))
    return found


def _unquoted_findings(text: str) -> list[tuple[int, int, int, str]]:
    """``password: hunter2hunter`` in YAML/INI files, where values go unquoted."""
    found = []
    priority = _PRIORITY["generic-secret"]
    for match in _UNQUOTED_ASSIGNMENT.finditer(text):
        value = match.group("value")
        if _describes_secret(match.group(2)) or _is_placeholder(value) or _IDENTIFIER_LIKE.match(value):
            continue
        if value[0] in "/.~!&*|>[{" or not _looks_random(value):
            continue  # YAML tags, anchors, block scalars, flow collections, paths
        start, end = match.span("value")
        found.append((start, end, priority, "generic-secret"))
    return found


def _describes_secret(name_rest: str) -> bool:
    """True when the name around the keyword says it holds something about a secret, not the secret.

    ``name_rest`` is what follows the keyword: ``_type`` in ``token_type``, ``izer`` in ``tokenizer``.
    """
    if not name_rest:
        return False
    rest = _CAMEL.sub("_", name_rest).lower()
    if rest[0] not in "_.-":
        if rest in ("s", "es"):
            return False  # tokens, secrets, passwords
        if rest.startswith(("s_", "s.", "s-")):
            rest = rest[1:]
        else:
            return True  # the keyword is part of a longer word: tokenizer, secretary, keyboard
    parts = [p for p in re.split(r"[_.-]", rest) if p]
    return bool(parts) and parts[-1] in _NAME_SUFFIXES_THAT_DESCRIBE


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    if _PLACEHOLDER_SHAPES.match(value):
        return True
    return any(word in lowered for word in _PLACEHOLDER_WORDS) or lowered in (
        "password",
        "passwd",
        "secret",
        "token",
        "none",
        "null",
        "undefined",
        "true",
        "false",
        "pass",
        "test",
    )


def _looks_random(value: str) -> bool:
    """Enough entropy to be a credential rather than a word (Shannon entropy >= 3 bits per character)."""
    if len(value) < 8:
        return False
    return _entropy(value) >= 3.0


def _entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def _apply(path: str, text: str, findings: list[tuple[int, int, int, str]]) -> SecretScan:
    """Replace the non-overlapping findings, keeping every newline so line numbers stay true."""
    findings.sort(key=lambda f: (f[0], f[2], -f[1]))
    kept: list[tuple[int, int, str]] = []
    for start, end, _priority, rule in findings:
        if kept and start < kept[-1][1]:
            previous = kept[-1]
            # An overlap: keep the finding from the more specific rule, widened to cover both.
            kept[-1] = (previous[0], max(previous[1], end), previous[2])
            continue
        kept.append((start, end, rule))
    pieces: list[str] = []
    redactions: list[Redaction] = []
    cursor = 0
    line = 1
    for start, end, rule in kept:
        line += text.count("\n", cursor, start)
        pieces.append(text[cursor:start])
        secret = text[start:end]
        pieces.append(marker(rule) + "\n" * secret.count("\n"))
        redactions.append(Redaction(path, line, rule))
        line += secret.count("\n")
        cursor = end
    pieces.append(text[cursor:])
    return SecretScan("".join(pieces), redactions)

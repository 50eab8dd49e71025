"""Secret scan: find credentials in a file's text and replace them before any parser sees it.

In: a path and the file's text. Out: a ``SecretScan`` (the text with every secret replaced by
``<redacted:RULE>``, newlines kept, and one ``Redaction`` per secret: path, line, rule, never the value).
Runs on every file, first, so nothing downstream (symbols, docstrings, comments, excerpts, the search
index, prompts) can ever carry a secret.

The rules are data, in ``compiler.frontend.secret_rules`` (modelled on the gitleaks default ruleset; the
module's docstring lists the families: cloud, code hosting and packages, messaging and SaaS, AI
providers, private keys / JWTs / URL passwords / Authorization headers, generic assignments and
high-entropy tokens). This module compiles and runs them:

* ``token`` rules: one pass finds every run of 20+ token characters (``[A-Za-z0-9_+/-]``, found with
  ``bytes.translate`` and ``bytes.find``, so a file without one costs two C-speed passes); around each run
  one combined keyword regex says which rules' keywords occur, and only those rules' regexes run there
* ``entropy`` rules on the same runs: hex secrets after a credential word on the line (``token``,
  ``key``, ``secret``, ``sid``, ``hmac``, ...), and tokens mixing cases and digits with high entropy that
  are quoted or follow such a word (or, 32-64 letters and digits, stand anywhere); base64 that decodes
  to text is data, not a secret
* ``text`` rules (private keys, AWS secret keys, ``Bearer``/``Basic`` values, URL passwords): run over
  the whole text when one of their keywords occurs in it
* ``generic-secret``: ``password|passwd|pwd|secret|token|api_key|access_key|auth_key|private_key|
  credential(s)|auth|key`` assigned a quoted literal (``=``, ``:``, ``:=``, ``=>``, a type annotation
  allowed); in YAML/INI/``.npmrc`` config unquoted values too
* ``env-file``: ``.env``, ``.env.*`` (templates like ``.env.example`` too: they often hold real values)
  and ``*.env`` are left out whole (``action="file-excluded"``)

What ``generic-secret`` deliberately does NOT flag (a false positive hides real documentation, a false
negative leaks; these are the cases where the value cannot be a hard-coded credential):

* values that are not a quoted literal right after the ``=``: function calls, ``os.environ[...]``,
  f-strings, concatenations, comparisons (``==``)
* values shorter than 8 characters, containing whitespace, or with low entropy
  (under 3 bits per character: ``aaaaaaaa``, ``12121212``)
* placeholders: ``changeme``, ``example``, ``placeholder``, ``dummy``, ``redacted``,
  ``your_...``, ``<...>``, ``${...}``, ``{{...}}``, ``%(name)s``, ``$VAR``, ``xxxx``/``****``
* names whose keyword is part of a longer word (``tokenizer``) or that describe a secret
  rather than hold one (``token_type``, ``password_hint``, ``secret_name``, ``api_key_env``,
  ``token_url``, ``password_field``, ...)
* values that are identifiers, dotted names or paths (``"ACCESS_TOKEN"``, ``"app.auth.Token"``,
  ``"/run/secrets/db"``)
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from compiler.frontend.secret_rules import RULES, SecretRule
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


# ---- the rules, compiled --------------------------------------------------------------------------------------

_BY_KIND: dict[str, tuple[SecretRule, ...]] = {
    kind: tuple(rule for rule in RULES if rule.kind == kind) for kind in ("token", "text", "entropy", "assignment")
}
_PRIORITY = {rule.id: index for index, rule in enumerate(RULES)}
# Rules with a literal prefix must not start inside a longer word (a \b would slow every pattern).
_BOUNDARY = frozenset(rule.id for rule in _BY_KIND["token"] if rule.keywords)
_TEXT_RULES = tuple((rule, re.compile(rule.regex)) for rule in _BY_KIND["text"])

# Token rules: one alternation of every keyword, run on the lower-cased window around a long run.
_KEYWORD_RULES: dict[str, list[SecretRule]] = {}
for _rule in _BY_KIND["token"]:
    for _keyword in _rule.keywords:
        _KEYWORD_RULES.setdefault(_keyword, []).append(_rule)
_TOKEN_KEYWORDS = re.compile("|".join(re.escape(k) for k in sorted(_KEYWORD_RULES, key=len, reverse=True)))
_CONTEXT_ONLY = tuple(rule for rule in _BY_KIND["token"] if not rule.keywords)  # e.g. a UUID after "heroku"
_CONTEXT_ONLY_WORDS = re.compile("|".join(re.escape(word) for rule in _CONTEXT_ONLY for word in rule.context))

_HEX_RULE, _ENTROPY_RULE = (
    next(r for r in _BY_KIND["entropy"] if r.id == name) for name in ("hex-secret", "high-entropy-token")
)
# A Twilio key or account SID earlier on the line makes the next hex value its auth token.
# A word that is part of a file name ("tokens.py": "<sha256>") is no context.
_CONTEXT = re.compile(
    "(?:" + "|".join([*(re.escape(word) for word in _ENTROPY_RULE.keywords), "(?:sk|ac)[0-9a-f]{32}"]) + ")"
    r"(?![\w-]*\.(?:py|pyi|js|jsx|ts|tsx|go|md|rst|txt|json|ya?ml|toml|cfg|ini|html|css|rs|java|rb|c|h|cpp)\b)"
)

_GENERIC = _BY_KIND["assignment"][0]
# sre scans fast for a pattern led by a literal and slowly for an alternation whose branches start
# with different letters (every position tries every branch): one pattern per keyword is 2x faster.
# Each pattern runs from the first occurrence of its keyword's literal prefix.
_GENERIC_PATTERNS = tuple(
    (
        re.match(r"[a-z]+", keyword).group(),
        re.compile(
            f"({keyword})"
            r"([\w.-]{0,40})[\"']?"  # the rest of the name (its suffix says what it holds)
            r"(?:\s*:\s*[\w\[\]., |]{1,40}?)?"  # an optional type annotation: password: str = "..."
            r"\s*(?:=|:|:=|=>)\s*"
            r"(?P<quote>[\"'`])(?P<value>[^\"'`\s\\]{8,200})(?P=quote)"
        ),
    )
    for keyword in _GENERIC.keywords
)

# A run of token characters: bytes.translate maps each to "a" and everything else to " ", so a
# run of _RUN_MIN is one bytes.find of "a" * _RUN_MIN (non-ASCII text is encoded with "?" per
# character, so byte offsets are character offsets).
_RUN_MIN = 20
_RUN_NEEDLE = b"a" * _RUN_MIN
_RUN_TABLE = bytes(
    ord("a") if chr(c).isascii() and (chr(c).isalnum() or chr(c) in "_+/-") else ord(" ") for c in range(256)
)
_LOOKBACK = 24  # how far before a run a token's prefix may start ("hooks.slack.com/", "SG.", "AccountKey=")
_LOOKAHEAD = 4096  # how far past a run a token may go (JWT segments, SendGrid's second part)
_KEYWORD_OFFSET = 16  # how far before its keyword a token may start ("sk_live_", "123456789:AA", "<14>.atlasv1.")
_KEYWORD_REACH = 24  # how far into a run a token's keyword may end ("pypi-AgEIcHlwaS5vcmc")
_CONTEXT_SPAN = 100  # how far back on the line a credential word counts
# Token rules matched at a position: up to _KEYWORD_OFFSET characters, then the token.
_ANCHORED = {
    rule.id: re.compile(rf"[^\n]{{0,{_KEYWORD_OFFSET}}}?(?P<_token>{rule.regex})")
    for rule in RULES
    if rule.kind == "token"
}
_HAS_DIGIT = re.compile(r"[0-9]")
_DOCUMENTED_EXAMPLE = re.compile(r"example|e\.g\.|sample")
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}){1,2}$")
_CODE_NAME_BEFORE = re.compile(r"(?:\bfunc|\bdef|\bclass|\btype|\bfunction|\binterface|\bstruct)\s+(?:\([^()]*\)\s*)?$")
_SEQUENCE = re.compile(r"(?i)012345|123456|234567|345678|456789|abcdef|bcdefg|cdefgh|defghi|uvwxyz")

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{40}")
_HEX = re.compile(r"[0-9a-fA-F]{32,128}")
_ALNUM_TOKEN = re.compile(r"[A-Za-z0-9]{32,64}")
_WORDY = re.compile(r"[A-Z]?[a-z]{3,}|[0-9]{4,}")  # words, and dates or versions
_QUOTES = "\"'`"

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
    r"^(?:[a-z]+(?:[_.-][a-z]+)*(?:[_.-][0-9]{1,4})?|[A-Z]+(?:_[A-Z]+)*|[A-Za-z][a-z]+(?:[A-Z][a-z]+)+|[A-Z][a-z]+(?:-[A-Z][a-z]+)+"
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
    py pyi js jsx ts tsx go md rst txt json yaml yml toml cfg ini html css
    """.split()  # the last ones: a file name ("tokens.py": "<sha256>")
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ENV_FILE = re.compile(r"^(?:\.env(?:\..+)?|.+\.env)$")
_UNQUOTED_CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".ini", ".cfg", ".conf", ".properties"})
_UNQUOTED_ASSIGNMENT = re.compile(
    r"(?im)^[ \t]*[\w.-]*(passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?)"
    r"([\w.-]{0,40})[ \t]*[:=][ \t]*(?P<value>[^\s\"'#][^\s#]{7,199})[ \t]*$"
)


_UNQUOTED_CONFIG_NAMES = frozenset({".npmrc", ".pypirc", ".netrc", ".yarnrc", ".yarnrc.yml"})


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


Finding = tuple[int, int, int, str]  # start, end, priority, rule id


def scan_text(path: str, text: str) -> SecretScan:
    """Replace every secret in ``text`` with a marker; ``path`` picks file-level rules and names the findings."""
    if is_env_file(path):
        return SecretScan("", [Redaction(path, 1, "env-file", "file-excluded")], True)
    # str.lower() keeps offsets when it keeps the length (always, except for a few letters like "İ").
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text.translate(_ASCII_LOWER)
    findings: list[Finding] = []
    for rule, pattern in _TEXT_RULES:
        if any(keyword in lowered for keyword in rule.keywords):
            findings.extend(_rule_findings(rule, pattern, text, lowered if rule.lowered else text))
    for literal, pattern in _GENERIC_PATTERNS:
        first = lowered.find(literal)
        if first >= 0:
            findings.extend(_rule_findings(_GENERIC, pattern, text, lowered, first))
    findings.extend(_run_findings(text, lowered))
    if _suffix(path).lower() in _UNQUOTED_CONFIG_SUFFIXES or _file_name(path) in _UNQUOTED_CONFIG_NAMES:
        findings.extend(_unquoted_findings(text))
    if not findings:
        return SecretScan(text)
    return _apply(path, text, findings)


def _rule_findings(
    rule: SecretRule, pattern: re.Pattern[str], text: str, searched: str, pos: int = 0, endpos: int | None = None
) -> list[Finding]:
    """Findings of one rule's pattern; ``searched`` is ``text`` or its lower-cased copy (same offsets)."""
    found = []
    boundary = rule.id in _BOUNDARY
    for match in pattern.finditer(searched, pos, len(searched) if endpos is None else endpos):
        start = match.start()
        if boundary and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        finding = _accept(rule, text, *match.span(rule.group), match)
        if finding:
            found.append(finding)
    return found


def _accept(rule: SecretRule, text: str, start: int, end: int, match: re.Match[str]) -> Finding | None:
    """The finding, unless the value is a placeholder, a name, or too regular to be a credential."""
    value = text[start:end]
    if rule.id == "private-key":
        if not _BASE64_RUN.search(value):
            return None  # prose between two BEGIN/END mentions, not a key
    elif _is_placeholder(value):
        return None  # AKIAIOSFODNN7EXAMPLE, sk-xxxxxxxx..., postgres://user:<password>@
    elif rule.id == "generic-secret":
        if _describes_secret(text[match.start(2) : match.end(2)]) or _IDENTIFIER_LIKE.match(value):
            return None
        if value[0] in "/.~" or _COLOUR.match(value) or value[0] == "#" and _IDENTIFIER_LIKE.match(value[1:]):
            return None  # paths, colours, anchors ("#document")
    elif rule.id == "bearer-token" and (_IDENTIFIER_LIKE.match(value) or not any(c.isdigit() for c in value)):
        return None  # "Bearer authentication", "basic usage.of-the-api"
    if rule.entropy and _entropy(value) < rule.entropy:
        return None
    return start, end, _PRIORITY[rule.id], rule.id


def _run_findings(text: str, lowered: str) -> list[Finding]:
    """Token, context-only and entropy rules, each run only around runs of 20+ token characters.

    Linear in the text: every step looks a bounded distance around a run (regexes are anchored at the
    keyword they were triggered by), so a long line of many runs costs no more than many short lines.
    """
    classes = text.encode("ascii", "replace").translate(_RUN_TABLE)
    run_start = classes.find(_RUN_NEEDLE)
    found: list[Finding] = []
    size = len(text)
    line_start = previous_end = 0
    while run_start >= 0:
        run_end = classes.find(b" ", run_start + _RUN_MIN)
        if run_end < 0:
            run_end = size
        newline = text.rfind("\n", previous_end, run_start)
        if newline >= 0:
            line_start = newline + 1
        previous_end = run_end
        newline = text.find("\n", run_end, run_end + _LOOKAHEAD)
        window_end = newline if newline >= 0 else min(size, run_end + _LOOKAHEAD)
        count = len(found)
        window_start = max(line_start, run_start - _LOOKBACK)
        for keyword in _TOKEN_KEYWORDS.finditer(lowered, window_start, min(run_end, run_start + _KEYWORD_REACH)):
            for rule in _KEYWORD_RULES[keyword.group()]:
                if rule.context and not _has_context(rule, lowered, line_start, run_start):
                    continue
                start = max(line_start, keyword.start() - _KEYWORD_OFFSET)
                match = _ANCHORED[rule.id].match(text, start, window_end)
                if match and match.start("_token") < run_end and match.end("_token") > run_start:
                    finding = _token_finding(rule, text, match)
                    if finding:
                        found.append(finding)
        if len(found) == count and _HAS_DIGIT.search(text, run_start, run_end):
            # no provider format: maybe a key known by the word before it, a hex secret or a random token
            context_only = _CONTEXT_ONLY_WORDS.search(lowered, max(line_start, run_start - _CONTEXT_SPAN), run_start)
            for rule in _CONTEXT_ONLY if context_only else ():
                if _has_context(rule, lowered, line_start, run_start):
                    match = _ANCHORED[rule.id].match(text, run_start, window_end)
                    finding = _token_finding(rule, text, match) if match else None
                    if finding:
                        found.append(finding)
            if len(found) == count:
                finding = _entropy_finding(text, run_start, run_end, lowered, line_start)
                if finding:
                    found.append(finding)
        run_start = classes.find(_RUN_NEEDLE, run_end)
    return found


def _token_finding(rule: SecretRule, text: str, match: re.Match[str]) -> Finding | None:
    """The finding of an anchored token match, unless it starts inside a word or is a placeholder."""
    start = match.start("_token")
    if rule.id in _BOUNDARY and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
        return None
    group = "_token" if rule.group == 0 else rule.group
    if isinstance(group, int):
        group += 1  # the anchoring group comes first
    return _accept(rule, text, *match.span(group), match)


def _has_context(rule: SecretRule, lowered: str, line_start: int, start: int) -> bool:
    """True when one of the rule's context words occurs on the line, at most _CONTEXT_SPAN characters before."""
    before = lowered[max(line_start, start - _CONTEXT_SPAN) : start]
    return any(word in before for word in rule.context)


def _entropy_finding(text: str, start: int, end: int, lowered: str, line_start: int) -> Finding | None:
    """A hex secret after a credential word, or a random-looking token that is quoted or follows one.

    The cheap shape checks come first: most runs are names and paths and stop there.
    """
    value = text[start:end]
    context_start = max(line_start, start - _CONTEXT_SPAN)
    if _HEX.fullmatch(value):
        if _CONTEXT.search(lowered, context_start, start) and not _DOCUMENTED_EXAMPLE.search(
            lowered, context_start, start
        ):
            return start, end, _PRIORITY[_HEX_RULE.id], _HEX_RULE.id
        return None
    if value.islower() or value.isupper() or "/" in value or value.strip("_").count("_") > 2:
        return None  # one case only (names, constants), paths, model ids, snake_case names
    if _is_code_name(text, start, end, line_start):
        return None  # ``func BenchmarkJSONFloat32AndComplex64(``: a name being defined or called
    digits = sum(map(str.isdigit, value))
    if digits < 2 or _wordy(value):
        return None
    if _DOCUMENTED_EXAMPLE.search(lowered, context_start, start):
        return None  # "Workspace ID (for example, `wrkspc_011CZkZaBF1tNoB5wlCeusgy`)": a documented sample
    threshold = min(_ENTROPY_RULE.entropy, 0.85 * math.log2(len(value)))
    if not (start > 0 and text[start - 1] in _QUOTES or _CONTEXT.search(lowered, context_start, start)):
        # a bare run in prose: only clearly random ones
        if digits < 4 or not _ALNUM_TOKEN.fullmatch(value):
            return None
        threshold = 4.3
    if _entropy(value) < threshold or _decodes_to_text(value) or _IDENTIFIER_LIKE.match(value):
        return None
    if _SEQUENCE.search(value):  # an alphabet: "0123456789ABCDEF", "abcdefghijklmnop..."
        return None
    return start, end, _PRIORITY[_ENTROPY_RULE.id], _ENTROPY_RULE.id


def _is_code_name(text: str, start: int, end: int, line_start: int) -> bool:
    """True when the run is a name in code: called (``Name(``) or right after a definition keyword
    (``func``, ``def``, ``class``, ``type``, ``function``, Go's ``func (r *T)``). A credential is a value,
    never called and never defined."""
    if start > 0 and text[start - 1] in _QUOTES:
        return False  # a quoted literal is a value whatever follows it
    return text.startswith("(", end) or bool(_CODE_NAME_BEFORE.search(text, line_start, start))


def _wordy(value: str) -> bool:
    """True when most of the value is words, dates and versions (``TestCaseForHTTPClient2Server3``,
    ``BetaToolComputerUse20250124``), not random characters."""
    return sum(map(len, _WORDY.findall(value))) * 10 >= len(value) * 7


def _decodes_to_text(value: str) -> bool:
    """True for base64 whose bytes are mostly printable text: encoded data, not a credential."""
    body = value.rstrip("=")
    if len(body) < 16 or "-" in body or "_" in body:
        return False
    try:
        data = base64.b64decode(body[: len(body) // 4 * 4], validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return False  # random bytes are almost never UTF-8
    printable = sum(c.isprintable() or c in "\t\n\r" for c in decoded)
    return printable >= 0.9 * len(decoded)


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
    return any(_stands_alone(lowered, word) for word in _PLACEHOLDER_WORDS if word in lowered) or lowered in (
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


def _stands_alone(lowered: str, word: str) -> bool:
    """True when ``word`` occurs in ``lowered`` with no letter right before or after it ("7EXAMPLE", "your-token",
    "sk-xxxx"), not inside a random run ("qTNcwFaKEKO"), where a placeholder word turns up by chance."""
    start = lowered.find(word)
    while start >= 0:
        end = start + len(word)
        before_ok = start == 0 or not lowered[start - 1].isalpha() or lowered[start - 1] == word[0]
        after_ok = (
            end == len(lowered) or not lowered[end].isalpha() or not word[-1].isalpha() or word[-1] == lowered[end]
        )
        if before_ok and after_ok:
            return True
        start = lowered.find(word, start + 1)
    return False


def _looks_random(value: str) -> bool:
    """Enough entropy to be a credential rather than a word (Shannon entropy >= 3 bits per character)."""
    if len(value) < 8:
        return False
    return _entropy(value) >= 3.0


_C_LOG_C = [c * math.log2(c) if c else 0.0 for c in range(256)]


def _entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    total = len(value)
    if not total:
        return 0.0
    # H = log2(n) - sum(c * log2(c)) / n, with c * log2(c) looked up for the usual small counts
    counts = Counter(value).values()
    if total < len(_C_LOG_C):
        weights = sum(map(_C_LOG_C.__getitem__, counts))
    else:
        weights = sum(c * math.log2(c) for c in counts)
    return math.log2(total) - weights / total


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

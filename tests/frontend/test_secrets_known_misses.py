"""The misses listed in issue 15: each planted value (random, generated here) must not survive the scan."""

import random
import string

import pytest

from compiler.frontend.secrets import scan_text

_RNG = random.Random(15)


def _rand(alphabet: str, n: int) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
PYPI = "pypi-AgEIcHlwaS5vcmc" + _rand(_ALNUM + "_-", 70)
TWILIO_SID = "SK" + _rand(_HEX, 32)
TWILIO_TOKEN = _rand(_HEX, 32)
SENDGRID = "SG." + _rand(_ALNUM, 22) + "." + _rand(_ALNUM, 43)
BEARER = _rand(_ALNUM, 40)
CURL_BEARER = _rand(_ALNUM, 36)
HMAC = _rand(_ALNUM, 48)
PROSE = "Ab3" + _rand(_ALNUM, 37)
NPM = "npm_" + _rand(_ALNUM, 36)
NPMRC = "npm_" + _rand(_ALNUM, 36)

CASES = [
    ("a.py", f'def f():\n    """Upload with {PYPI} as the password."""\n', PYPI),
    ("b.py", f'client = Client("{TWILIO_SID}", "{TWILIO_TOKEN}")\n', TWILIO_SID),
    ("b.py", f'client = Client("{TWILIO_SID}", "{TWILIO_TOKEN}")\n', TWILIO_TOKEN),
    ("c.py", f'sg = SendGridAPIClient("{SENDGRID}")\n', SENDGRID),
    ("d.js", f'fetch(url, {{headers: {{Authorization: "Bearer {BEARER}"}}}});\n', BEARER),
    ("e.md", f'```sh\ncurl -H "Authorization: Bearer {CURL_BEARER}" https://api.test\n```\n', CURL_BEARER),
    ("f.go", f'package f\n\nconst hmacKey = "{HMAC}"\n', HMAC),
    ("g.py", f'"""Use the token {PROSE} to sign in."""\n', PROSE),
    ("h.js", f"// npm token: {NPM}\n", NPM),
    (".npmrc", f"//registry.npmjs.org/:_authToken={NPMRC}\n", NPMRC),
]


@pytest.mark.parametrize(("path", "text", "value"), CASES)
def test_known_miss_is_redacted(path, text, value):
    clean = scan_text(path, text).clean_text
    assert value not in clean
    assert "<redacted:" in clean


@pytest.mark.parametrize(
    "text",
    [
        'commit = "3f786850e387550fdab836ed7e6dc881de23001b"\n',
        'url = "https://example.org/docs/getting-started"\n',
        'test_id = "123e4567-e89b-12d3-a456-426614174000"\n',
        "name = compile_the_knowledge_core_from_sources_now\n",
    ],
)
def test_ordinary_code_is_left_alone(text):
    assert scan_text("x.py", text).clean_text == text

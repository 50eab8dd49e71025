"""``kc serve``'s HTTP API on a tiny compiled repository: streamed answers, learners, quizzes, limits, guards."""

from __future__ import annotations

import concurrent.futures
import json

import httpx
import pytest

from kctest.serve_process import ask

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def client():
    with httpx.Client(timeout=60) as http:
        yield http


def test_health_and_pages(app_url, client):
    health = client.get(f"{app_url}/api/health")
    assert health.status_code == 200 and health.json()["ready"] is True
    chat = client.get(f"{app_url}/chat")
    assert chat.status_code == 200 and 'data-kc="question"' in chat.text
    assert "script-src 'self'" in chat.headers["content-security-policy"]
    assert 'src="/static/chat.js"' in chat.text and "http" not in chat.text.split("<body>")[1].split("</body>")[0]
    site = client.get(f"{app_url}/site/")
    assert site.status_code == 200 and 'data-kc="chat-link"' in site.text
    assert client.get(f"{app_url}/site/../../etc/passwd").status_code == 404
    assert client.get(f"{app_url}/static/../app.py").status_code == 404


def test_ask_streams_plan_deltas_citations_done_in_order(app_url, client):
    events = ask(client, app_url, "api-reader", "how does retrying work with backoff?")
    names = [name for name, _ in events]
    assert names[0] == "plan" and names[-2:] == ["citations", "done"]
    assert set(names[1:-2]) == {"delta"} and len(names) > 3
    plan = events[0][1]
    assert "retry-and-backoff" in plan["targets"] and plan["steps"]
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert "backoff_delay" in text
    citations = events[-2][1]["citations"]
    assert citations and all(c["url"].startswith("/site/reference/") for c in citations if c["url"])
    first = next(c for c in citations if c["url"])
    assert f"kc-ref={first['path']}:{first['start']}-{first['end']}" in first["url"]
    page = client.get(app_url + first["url"].split("#")[0])
    assert page.status_code == 200 and first["url"].split("#")[1] in page.text
    assert events[-1][1]["backend"] == "offline"


def test_profiles_progress_and_isolation(app_url, client):
    saved = client.post(
        f"{app_url}/api/learners",
        json={"name": "ada", "level": "novice", "background": "java, sql", "goal": "fix retries"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["learner"] == {
        "name": "ada",
        "level": "novice",
        "background": ["java", "sql"],
        "goal": "fix retries",
    }
    names = [p["name"] for p in client.get(f"{app_url}/api/learners").json()["learners"]]
    assert "ada" in names
    ask(client, app_url, "ada", "how does retrying work with backoff?")
    ada = {
        e["concept"]: e["status"]
        for e in client.get(f"{app_url}/api/progress", params={"learner": "ada"}).json()["path"]
    }
    grace = {
        e["concept"]: e["status"]
        for e in client.get(f"{app_url}/api/progress", params={"learner": "grace"}).json()["path"]
    }
    assert ada["retry-and-backoff"] == "explained"
    assert set(grace.values()) == {"new"}, "one learner's questions never show in another's progress"
    bad = client.post(f"{app_url}/api/learners", json={"name": "no spaces or <tags>"})
    assert bad.status_code == 400 and "error" in bad.json()


def test_quiz_flow_records_the_result(app_url, client):
    quiz = client.post(f"{app_url}/api/quiz", json={"learner": "quizzer", "concept": "retry-and-backoff"})
    assert quiz.status_code == 200, quiz.text
    data = quiz.json()
    assert data["concept"] == "retry-and-backoff" and data["questions"]
    assert all("answer" not in q for q in data["questions"]), "the answers stay on the server"
    graded = client.post(
        f"{app_url}/api/quiz/grade", json={"learner": "quizzer", "answers": [0] * len(data["questions"])}
    )
    assert graded.status_code == 200, graded.text
    result = graded.json()
    status = {e["concept"]: e["status"] for e in result["path"]}["retry-and-backoff"]
    assert status == ("passed" if result["passed"] else "failed")
    again = client.post(f"{app_url}/api/quiz/grade", json={"learner": "quizzer", "answers": [0]})
    assert again.status_code == 400 and "no open quiz" in again.json()["error"]


def test_limits_are_clear_errors(app_url, client):
    long_question = client.post(f"{app_url}/api/ask", json={"learner": "x", "question": "why " * 600})
    assert long_question.status_code == 400 and "over 2000 characters" in long_question.json()["error"]
    huge = client.post(
        f"{app_url}/api/ask",
        content=json.dumps({"learner": "x", "question": "a" * 70_000}),
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert (
        client.post(f"{app_url}/api/ask", content="not json", headers={"content-type": "application/json"}).status_code
        == 400
    )
    blank = client.post(f"{app_url}/api/ask", json={"learner": "x", "question": "   "})
    assert blank.status_code == 400
    deep = client.post(
        f"{app_url}/api/ask", content="[" * 5000 + "]" * 5000, headers={"content-type": "application/json"}
    )
    assert deep.status_code == 400


def test_cross_site_and_foreign_host_requests_are_refused(app_url, client):
    port = app_url.rsplit(":", 1)[1]
    cross = client.post(f"{app_url}/api/quiz", json={"learner": "x"}, headers={"origin": "http://evil.example"})
    assert cross.status_code == 403
    form = client.post(
        f"{app_url}/api/quiz", content="learner=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 403
    same = client.post(f"{app_url}/api/quiz", json={"learner": "x"}, headers={"origin": f"http://127.0.0.1:{port}"})
    assert same.status_code == 200
    rebinding = client.get(f"{app_url}/api/health", headers={"host": f"evil.example:{port}"})
    assert rebinding.status_code == 421


def test_concurrent_learners_keep_their_own_state(app_url):
    learners = [f"parallel-{i}" for i in range(4)]

    def one(name: str) -> list[str]:
        with httpx.Client(timeout=120) as http:
            return [n for n, _ in ask(http, app_url, name, "how does the client retry a request?")]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        runs = list(pool.map(one, learners * 2))
    assert all(run[0] == "plan" and run[-1] == "done" for run in runs)
    with httpx.Client(timeout=60) as http:
        for name in learners:
            state = {
                e["concept"]: e["status"]
                for e in http.get(f"{app_url}/api/progress", params={"learner": name}).json()["path"]
            }
            assert "explained" in state.values(), (name, state)


def test_token_is_required_on_every_request_when_set(tiny_corpus, tmp_path):
    from kctest.serve_process import running_app

    with running_app(tiny_corpus, tmp_path, token="s3cret-token") as url, httpx.Client(timeout=60) as http:
        assert http.get(f"{url}/api/health").status_code == 401
        assert http.get(f"{url}/chat").status_code == 401
        assert http.get(f"{url}/site/").status_code == 401
        assert http.get(f"{url}/api/health", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert http.get(f"{url}/api/health", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
        login = http.get(f"{url}/?token=s3cret-token", follow_redirects=False)
        assert login.status_code == 303 and "HttpOnly" in login.headers["set-cookie"]
        assert http.get(f"{url}/chat", headers={"cookie": "kc_token=s3cret-token"}).status_code == 200


def test_non_loopback_host_needs_a_token(tiny_corpus, monkeypatch):
    from compiler.cli import main

    monkeypatch.delenv("KC_SERVE_TOKEN", raising=False)
    assert main(["serve", "--corpus", str(tiny_corpus), "--host", "0.0.0.0"]) != 0

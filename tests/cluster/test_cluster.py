"""The cluster as production runs it (``scripts/cluster.sh``): two app nodes and two job workers behind
nginx, sessions in PostgreSQL, files in the object store, jobs in the database queue.

Runs when ``CLUSTER_URL`` points at the proxy of a running cluster started with ``CLUSTER_DIR`` (its
pid files) and ``JOB_STEP_HOLD_DIR`` set; ``.ci/run`` does that after the PostgreSQL pass."""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from PIL import Image
from websockets.sync.client import connect

CLUSTER_URL = os.environ.get("CLUSTER_URL", "").rstrip("/")
pytestmark = [pytest.mark.cluster, pytest.mark.skipif(not CLUSTER_URL, reason="no cluster: CLUSTER_URL is not set")]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "quality2026"


def node(n: int) -> str:
    """App node ``n`` directly (the proxy's port + n)."""
    parts = urllib.parse.urlsplit(CLUSTER_URL)
    return f"{parts.scheme}://{parts.hostname}:{parts.port + n}"


class Client:
    """A browser's cookie jar over urllib; redirects are not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
        req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - the cluster's http URL
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, url: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None):
        fields = {"csrfmiddlewaretoken": self.csrf(), **fields}
        if not files:
            return self.request(url, urllib.parse.urlencode(fields).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in fields.items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, content_type) in files.items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                       f"Content-Type: {content_type}\r\n\r\n".encode())
            body.write(content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        return self.request(url, body.getvalue(), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def log_in(self, base: str, email: str) -> None:
        self.request(f"{base}/accounts/login/")
        status, _, _ = self.post(f"{base}/accounts/login/", {"username": email, "password": PASSWORD})
        assert status == 302, f"login of {email} failed: {status}"


def cluster_env() -> dict[str, str]:
    out = subprocess.run(["bash", "scripts/cluster.sh", "env"], cwd=ROOT, capture_output=True, text=True, check=True)
    env = dict(os.environ)
    for line in out.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return env


def shell(code: str) -> str:
    """Run Python in the cluster's own environment (its database), the way an operator would."""
    out = subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "shell", "-c", code], cwd=ROOT,
                         env=cluster_env(), capture_output=True, text=True, timeout=120, check=True)
    return out.stdout.strip().splitlines()[-1]


def cluster_dir() -> Path:
    return Path(os.environ.get("CLUSTER_DIR", ROOT / "var" / "cluster"))


def pid_of(name: str) -> int:
    return int((cluster_dir() / "run" / f"{name}.pid").read_text())


def restart(kind: str, n: int) -> None:
    subprocess.run(["bash", "scripts/cluster.sh", kind, str(n)], cwd=ROOT, check=True, timeout=120)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_signed_in_on_one_node_is_signed_in_on_the_other_and_through_the_proxy():
    browser = Client()
    browser.log_in(node(1), "operator@demo.qualityweek.ru")
    for base in (node(2), CLUSTER_URL, CLUSTER_URL, CLUSTER_URL):
        status, body, _ = browser.request(f"{base}/accounts/profile/")
        assert status == 200, (base, status)
        assert "operator@demo.qualityweek.ru" in body.decode()


def test_photo_uploaded_through_node_a_is_served_by_node_b():
    # An activity the demo school plans now (through the service, as the representative would).
    activity = shell(
        "from qualityweek.activities import services; from qualityweek.activities.models import ActivityType; "
        "from qualityweek.campaigns.selectors import current_campaign; from qualityweek.core.audit import Actor; "
        "from qualityweek.directory.models import User; "
        "u = User.objects.get(email='school@demo.qualityweek.ru'); c = current_campaign(); "
        "org = u.roles.filter(organisation__isnull=False).first().organisation; "
        "print(services.plan_activity(actor=Actor(user=u), campaign=c, organisation=org, "
        "type=ActivityType.objects.get(code='quality_lesson'), title='Урок качества (кластер)', "
        "starts_on=c.quality_day, ends_on=c.quality_day, format='in_person').pk)")
    browser = Client()
    browser.log_in(node(1), "school@demo.qualityweek.ru")
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 40, 40)).save(picture, "JPEG")
    last_photo = ("from qualityweek.activities.models import Photo; "
                  f"print(Photo.objects.filter(activity_id={activity}).order_by('-pk')"
                  ".values_list('pk', flat=True).first())")
    before = shell(last_photo)
    status, body, _ = browser.post(f"{node(1)}/activities/{activity}/photos/", {},
                                   files={"photos": ("cluster.jpg", picture.getvalue(), "image/jpeg")})
    assert status in (200, 302), body[:500]
    photo = shell(last_photo)
    assert photo != before, "no photo was created"
    # A job worker re-encodes it; node B serves the thumbnail from the object store.
    thumb = wait_for(lambda: (r := browser.request(f"{node(2)}/activities/photos/{photo}/thumb/"))[0] == 200 and r,
                     60, "the thumbnail on node B")
    assert thumb[1][:3] == b"\xff\xd8\xff"
    assert thumb[2]["Content-Type"] == "image/jpeg"
    stranger = Client()
    stranger.log_in(node(2), "company@demo.qualityweek.ru")
    assert stranger.request(f"{node(2)}/activities/photos/{photo}/thumb/")[0] == 404


def _start_export(browser: Client, base: str, path: str = "/directory/organisations/export/",
                  fields: dict[str, str] | None = None) -> str:
    status, _, headers = browser.post(f"{base}{path}", fields or {"q": ""})
    assert status == 302, status
    match = re.search(r"/jobs/([0-9a-f-]{36})/", headers["Location"])
    assert match, headers["Location"]
    return match.group(1)


def _progress(browser: Client, base: str, job: str) -> str:
    return browser.request(f"{base}/jobs/{job}/progress/")[1].decode()


def test_job_started_on_node_a_runs_on_a_worker_and_shows_on_node_b():
    browser = Client()
    browser.log_in(node(1), "operator@demo.qualityweek.ru")
    job = _start_export(browser, node(1))
    wait_for(lambda: "Готово" in _progress(browser, node(2), job), 60, "the export to finish")
    status, body, _ = browser.request(f"{node(2)}/jobs/{job}/download/")
    assert status == 200
    assert body[:2] == b"PK"


def test_websocket_echo_through_the_proxy():
    ws_url = CLUSTER_URL.replace("http", "ws", 1)
    for _ in range(4):  # both nodes take sockets (round robin)
        with connect(f"{ws_url}/ws/health/", additional_headers={"Origin": CLUSTER_URL}) as ws:
            ws.send(json.dumps({"type": "echo", "text": "через прокси"}))
            assert json.loads(ws.recv(timeout=10)) == {"type": "echo", "text": "через прокси"}


def test_proxy_keeps_serving_while_a_node_stops():
    failures: list[str] = []
    served = 0
    stop = threading.Event()

    def visitor():
        nonlocal served
        browser = Client()
        while not stop.is_set():
            status, _, _ = browser.request(f"{CLUSTER_URL}/healthz")
            if status == 200:
                served += 1
            else:
                failures.append(str(status))

    thread = threading.Thread(target=visitor)
    thread.start()
    try:
        time.sleep(1)
        os.kill(pid_of("node1"), signal.SIGTERM)
        time.sleep(3)
        status, body, _ = Client().request(f"{CLUSTER_URL}/readyz")
        assert status == 200, body
    finally:
        stop.set()
        thread.join(30)
        restart("node", 1)
    # One visitor: at most the one request in flight when the node went away may fail.
    assert len(failures) <= 1, failures
    assert served > 20


def test_the_other_worker_finishes_the_job_of_a_worker_killed_mid_job():
    hold_dir = os.environ.get("JOB_STEP_HOLD_DIR", "")
    if not hold_dir:
        pytest.skip("the cluster was started without JOB_STEP_HOLD_DIR")
    flag = Path(hold_dir) / "activities.export"  # an idempotent job: the reaper queues it again
    flag.parent.mkdir(parents=True, exist_ok=True)
    flag.touch()
    browser = Client()
    browser.log_in(CLUSTER_URL, "operator@demo.qualityweek.ru")
    killed = 0
    try:
        job = _start_export(browser, CLUSTER_URL, "/activities/export/", {"format": "csv"})
        wait_for(lambda: "Выполняется" in _progress(browser, CLUSTER_URL, job), 60, "the job to start")
        worker = shell("from django_tasks_db.models import DBTaskResult; "
                       f"print(DBTaskResult.objects.get(status='RUNNING', args_kwargs__kwargs__job_id='{job}')"
                       ".worker_ids[-1])")
        killed = int(worker.removeprefix("worker"))
        os.kill(pid_of(worker), signal.SIGKILL)
    finally:
        flag.unlink(missing_ok=True)
    try:
        # The lease expires, the surviving worker's reaper queues the job again, and it runs there.
        wait_for(lambda: "Готово" in _progress(browser, CLUSTER_URL, job), 120, "the other worker to finish the job")
    finally:
        if killed:
            restart("worker", killed)
    attempts = shell(f"from qualityweek.core.models import Job; print(Job.objects.get(pk='{job}').attempts)")
    assert int(attempts) == 2


def _quiz_socket(base: str, cookie: str = ""):
    headers = {"Origin": CLUSTER_URL, **({"Cookie": cookie} if cookie else {})}
    return connect(f"{base.replace('http', 'ws', 1)}/ws/quiz/", additional_headers=headers, legacy=True)


def _frame(ws, kind: str, timeout: float = 20) -> dict:
    while True:
        msg = json.loads(ws.recv(timeout=timeout))
        if msg["type"] == kind:
            return msg


def _join(base: str, pin: str, **frame) -> tuple:
    ws = _quiz_socket(base)
    ws.send(json.dumps({"type": "join", "pin": pin, **frame}))
    joined = _frame(ws, "joined")
    return ws, joined, _frame(ws, "state")


def test_a_live_quiz_spans_both_nodes_and_survives_one_stopping():
    """QUIZ_STORE=redis: the host on node 1, players on both nodes (node 2's relayed to node 1); node 1
    stops; everyone reconnects through node 2, which takes the game over from Redis, scores intact."""
    game_id, pin = shell(
        "from qualityweek.core.audit import Actor; from qualityweek.directory.models import User; "
        "from qualityweek.quizzes import services; from qualityweek.quizzes.models import Quiz; "
        "u = User.objects.get(email='teacher@demo.qualityweek.ru'); "
        "q = Quiz.objects.filter(organisation__people__user=u, questions__isnull=False).distinct().first(); "
        "g = services.start_game(actor=Actor(user=u), quiz=q); print(g.pk, g.pin)").split()
    browser = Client()
    browser.log_in(node(1), "teacher@demo.qualityweek.ru")
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
    sockets = []
    try:
        host = _quiz_socket(node(1), cookie)
        sockets.append(host)
        host.send(json.dumps({"type": "host", "game": int(game_id)}))
        assert _frame(host, "state")["phase"] == "lobby"
        players = [_join(base, pin, nickname=name) for base, name in
                   ((node(1), "Игрок один"), (node(2), "Игрок два"), (node(2), "Игрок три"))]
        sockets += [ws for ws, _, _ in players]
        host.send(json.dumps({"type": "next"}))
        for n, (ws, _, _) in enumerate(players):
            question = _frame(ws, "question")
            ws.send(json.dumps({"type": "answer", "answer_id": f"c-{n}", "question": question["index"],
                                "value": [0]}))
        host.send(json.dumps({"type": "reveal"}))
        scores = [_frame(ws, "result")["score"] for ws, _, _ in players]

        os.kill(pid_of("node1"), signal.SIGKILL)  # a crash: its channel is gone at once
        time.sleep(0.5)
        far = players[1][0]
        far.send(json.dumps({"type": "state"}))  # relayed to the node that stopped: reconnect
        assert _frame(far, "error")["code"] == "moved"
        host = _quiz_socket(node(2), cookie)
        sockets.append(host)
        host.send(json.dumps({"type": "host", "game": int(game_id)}))
        # The owner snapshots a reveal before anyone sees it: node 2 resumes in the same reveal.
        assert _frame(host, "state")["phase"] == "reveal"
        back = [_join(node(2), pin, token=joined["token"]) for _, joined, _ in players]
        sockets += [ws for ws, _, _ in back]
        assert [state["score"] for _, _, state in back] == scores
        host.send(json.dumps({"type": "end"}))
        assert _frame(host, "finished")["podium"]
    finally:
        for ws in sockets:
            ws.close()
        restart("node", 1)
    stored = shell(f"from qualityweek.quizzes.models import Game; g = Game.objects.get(pk={game_id}); "
                   "print(g.status, g.players.count(), g.answers.count())")
    assert stored.split()[:2] == ["finished", "3"]

"""Kubernetes watches: the sandbox's watch streams, checked with kubectl as
an independent client, and albatross get --watch against them.

The world is tests/worlds/alb-healthy.yaml with six ingresses, each on
its own load balancer, and timing.controllerStart delayed, so that every
client lists the ingresses without an address and then watches the
controller set the six addresses. Faults end the watch streams after a
few events (watchEvents) and compact the cluster (compact), which forces
restarts and 410 Expired.
"""

import copy
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import yaml

import sandbox
from sandbox import Sandbox
from test_screen import Screen, row

INGRESSES = ["web-%d" % i for i in range(6)]
CLUSTER_PATH = "/k8s/us-east-2/shop"
TOO_OLD = re.compile(r"^too old resource version: (\d+) \((\d+)\)$")


def write_world(directory, controller_start):
    """alb-healthy with six ingresses; returns its path."""
    with open(os.path.join(sandbox.TEST_WORLDS, "alb-healthy.yaml")) as f:
        world = yaml.safe_load(f)
    world["timing"]["controllerStart"] = controller_start
    cluster = world["clusters"][0]
    template = cluster["ingresses"][0]
    cluster["ingresses"] = []
    for i, name in enumerate(INGRESSES):
        ingress = copy.deepcopy(template)
        ingress["name"] = name
        ingress["rules"][0]["host"] = "web%d.example.com" % i
        cluster["ingresses"].append(ingress)
    path = os.path.join(directory, "six-ingresses.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(world, f)
    return path


class WatchBase(unittest.TestCase):
    controller_start = 3
    faults = ()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        args = []
        for spec in self.faults:
            args += ["--fault", spec]
        self.sb = Sandbox(world=write_world(self.tmp.name, self.controller_start),
                          args=args).start()

    def tearDown(self):
        self.sb.stop()
        self.tmp.cleanup()

    def final_addresses(self):
        """Each ingress's address once the controller has run, from kubectl."""
        deadline = time.monotonic() + 20
        while True:
            out = self.sb.kubectl("get", "ingresses", "-A", "-o", "json").stdout
            items = json.loads(out)["items"]
            addresses = {}
            for item in items:
                lb = item.get("status", {}).get("loadBalancer", {}).get("ingress") or [{}]
                addresses[item["metadata"]["name"]] = lb[0].get("hostname")
            if all(addresses.values()) or time.monotonic() > deadline:
                return addresses
            time.sleep(0.2)

    def start_raw_watch(self, resource, query):
        """kubectl get --raw reading a watch stream whole."""
        path = "%s%s?%s" % (CLUSTER_PATH, resource, query)
        cache = os.path.join(self.sb.dir.name, "kubectl-cache")
        return subprocess.Popen(["kubectl", "--cache-dir", cache, "get", "--raw", path],
                                env=self.sb.client_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def read_raw_watch(self, proc):
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        self.assertEqual(proc.returncode, 0, err)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def raw_watch(self, resource, query):
        return self.read_raw_watch(self.start_raw_watch(resource, query))




class SandboxWatch(WatchBase):
    """The sandbox's side, read by kubectl. The controller never runs, so
    the cluster's resourceVersion stays that of the world file."""

    controller_start = 86400

    def list_version(self, resource):
        path = CLUSTER_PATH + resource
        return json.loads(self.sb.kubectl("get", "--raw", path).stdout)["metadata"]["resourceVersion"]


class SandboxWatchExpiredTest(SandboxWatch):
    faults = ("k8s:compact=1",)

    def test_compacted_version_is_expired(self):
        events = self.raw_watch("/apis/networking.k8s.io/v1/ingresses",
                                "watch=1&timeoutSeconds=5&resourceVersion=3")
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["type"], "ERROR")
        status = events[0]["object"]
        self.assertEqual(status["kind"], "Status")
        self.assertEqual(status["code"], 410)
        self.assertEqual(status["reason"], "Expired")
        match = TOO_OLD.match(status["message"])
        self.assertIsNotNone(match, status["message"])
        self.assertEqual(match.group(1), "3")
        self.assertGreater(int(match.group(2)), 3)
        self.assertIn("compacted at resourceVersion", self.sb.output())

    def test_watch_from_compaction_point_runs(self):
        rv = self.list_version("/api/v1/serviceaccounts")
        events = self.raw_watch("/api/v1/serviceaccounts",
                                "watch=1&timeoutSeconds=1&resourceVersion=" + rv)
        self.assertEqual([e for e in events if e["type"] == "ERROR"], [])



class SandboxWatchBookmarkTest(SandboxWatch):
    def test_bookmarks_only_when_allowed(self):
        """A watch from version 1 gets every service account, whose
        versions come first in the world, then a BOOKMARK at the
        cluster's version when bookmarks are allowed."""
        rv = self.list_version("/api/v1/serviceaccounts")
        query = "watch=1&timeoutSeconds=2&resourceVersion=1"
        marked = self.raw_watch("/api/v1/serviceaccounts", query + "&allowWatchBookmarks=true")
        plain = self.raw_watch("/api/v1/serviceaccounts", query)
        self.assertEqual([e["type"] for e in marked], ["ADDED", "BOOKMARK"])
        bookmark = marked[-1]["object"]
        self.assertEqual(bookmark["kind"], "ServiceAccount")
        self.assertEqual(bookmark["metadata"]["resourceVersion"], rv)
        self.assertGreater(int(rv), int(marked[0]["object"]["metadata"]["resourceVersion"]))
        self.assertEqual([e["type"] for e in plain], ["ADDED"])


class SandboxWatchCloseTest(SandboxWatch):
    faults = ("k8s:watchEvents=2,watchSeconds=2",)

    def test_stream_ends_after_two_events(self):
        events = self.raw_watch("/apis/networking.k8s.io/v1/ingresses",
                                "watch=1&timeoutSeconds=30&resourceVersion=1")
        self.assertEqual([e["type"] for e in events], ["ADDED", "ADDED"])
        self.assertEqual([e["object"]["metadata"]["name"] for e in events], INGRESSES[:2])

    def test_quiet_stream_ends_after_two_seconds(self):
        rv = self.list_version("/apis/networking.k8s.io/v1/ingresses")
        start = time.monotonic()
        events = self.raw_watch("/apis/networking.k8s.io/v1/ingresses",
                                "watch=1&timeoutSeconds=30&resourceVersion=" + rv)
        self.assertEqual(events, [])
        self.assertLess(time.monotonic() - start, 15, "the stream was not closed")


class SandboxWatchCutTest(SandboxWatch):
    faults = ("k8s:watchEvents=2,watchCut=1",)

    def test_stream_ends_inside_second_event(self):
        path = "%s/apis/networking.k8s.io/v1/ingresses?watch=1&resourceVersion=1" % CLUSTER_PATH
        out = self.sb.kubectl("get", "--raw", path, timeout=30).stdout
        first, second = out.split("\n")
        self.assertEqual(json.loads(first)["object"]["metadata"]["name"], INGRESSES[0])
        self.assertTrue(second.startswith('{"type":"ADDED"'), second)
        with self.assertRaises(ValueError):
            json.loads(second)
        self.assertIn("cut inside its last event", self.sb.output())


class SandboxKubectlWatchTest(WatchBase):
    """kubectl get --watch lists, watches from the list's version and
    exits when the stream ends; the controller runs after its list."""

    controller_start = 12
    faults = ("k8s:watchEvents=3",)

    def test_kubectl_watch_sees_three_changes(self):
        start = time.monotonic()
        out = self.sb.kubectl("get", "ingresses", "-A", "--watch", "--output-watch-events",
                              "-o", "json", "--request-timeout=40s", timeout=60).stdout
        self.assertLess(time.monotonic() - start, 35, "the stream was not closed")
        events = []
        decoder, at = json.JSONDecoder(), 0
        while out[at:].strip():
            event, at = decoder.raw_decode(out, len(out) - len(out[at:].lstrip()))
            events.append(event)
        rows = [(e["type"], e["object"]["metadata"]["name"],
                 (e["object"]["status"]["loadBalancer"].get("ingress") or [{}])[0].get("hostname"))
                for e in events]
        self.assertEqual(rows[:6], [("ADDED", name, None) for name in INGRESSES])
        self.assertEqual(len(rows), 9, rows)
        listed = self.sb.albatross("get", "ingresses", "-o", "json").stdout
        addresses = {i["name"]: i["address"] for i in json.loads(listed)["items"]}
        for kind, name, address in rows[6:]:
            self.assertEqual(kind, "MODIFIED")
            self.assertEqual(address, addresses[name])


class AlbatrossWatch(WatchBase):
    """albatross get ingresses --watch -o json, parsed."""

    def watch(self, seconds, *args):
        log = os.path.join(self.tmp.name, "albatross.log")
        res = self.sb.albatross("get", "ingresses", "--watch", "--watch-timeout",
                                str(seconds), "-o", "json", "--log", log, *args,
                                timeout=seconds + 30, ALBATROSS_RETRY_BASE_MS="50")
        events = [json.loads(line) for line in res.stdout.splitlines()]
        with open(log) as f:
            self.log = f.read()
        return events, res.stderr

    def check_changes(self, events):
        """Six ADDED without an address, then exactly one change per
        ingress, with the address kubectl reads."""
        initial, changes = events[:6], events[6:]
        self.assertEqual([e["type"] for e in initial], ["ADDED"] * 6)
        self.assertEqual(sorted(e["object"]["name"] for e in initial), INGRESSES)
        self.assertEqual([e["object"]["address"] for e in initial], [None] * 6)
        names = [e["object"]["name"] for e in changes]
        self.assertEqual(sorted(names), INGRESSES, "one change each: %r" % changes)
        self.assertEqual({e["type"] for e in changes}, {"MODIFIED"})
        want = self.final_addresses()
        got = {e["object"]["name"]: e["object"]["address"] for e in changes}
        self.assertEqual(got, want)

    def watch_versions(self):
        found = re.findall(r"watching ingresses from resourceVersion (\d+)", self.log)
        return [int(v) for v in found]


class AlbatrossWatchRestartTest(AlbatrossWatch):
    faults = ("k8s:watchEvents=2",)

    def test_restart_resumes_from_last_version(self):
        events, stderr = self.watch(self.controller_start + 6)
        self.check_changes(events)
        versions = self.watch_versions()
        self.assertGreaterEqual(len(versions), 4, self.log)
        self.assertEqual(versions, sorted(versions), "each restart resumes later")
        self.assertNotIn("expired", stderr)


class AlbatrossWatchCutTest(AlbatrossWatch):
    faults = ("k8s:watchEvents=2,watchCut=1",)

    def test_cut_event_is_sent_again(self):
        events, stderr = self.watch(self.controller_start + 8)
        self.check_changes(events)
        self.assertIn("the stream ended inside an event", stderr)


class AlbatrossWatchExpiredTest(AlbatrossWatch):
    faults = ("k8s:watchEvents=2,compact=1",)

    def test_expired_version_relists(self):
        events, stderr = self.watch(self.controller_start + 6)
        self.check_changes(events)
        self.assertRegex(stderr, r"watch of ingresses on shop: resourceVersion "
                                 r"\d+ expired \(too old resource version: \d+ \(\d+\)\); "
                                 r"listing again")
        listed = re.findall(r"http GET \S+/ingresses 200", self.log)
        self.assertGreaterEqual(len(listed), 2, "the list, then the relist")


class AlbatrossWatchCliTest(WatchBase):
    controller_start = 0

    def start_watch(self, *args):
        proc = subprocess.Popen([sandbox.ALBATROSS, "get", "serviceaccounts", "--watch"] + list(args),
                                env=self.sb.client_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        header = proc.stdout.readline()
        self.assertIn("EVENT", header)
        self.assertIn("ADDED", proc.stdout.readline())
        return proc

    def test_signals_end_watch_cleanly(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=sig):
                proc = self.start_watch()
                proc.send_signal(sig)
                out, err = proc.communicate(timeout=10)
                self.assertEqual(proc.returncode, 0, err)
                self.assertEqual(err, "")

    def test_watch_timeout_ends_watch(self):
        start = time.monotonic()
        res = self.sb.albatross("get", "sa", "-w", "--watch-timeout", "1")
        self.assertLess(time.monotonic() - start, 15)
        self.assertTrue(res.stdout.startswith("EVENT"), res.stdout)

    def test_readonly_namespace_watch(self):
        res = self.sb.albatross("--readonly", "get", "sa", "-n", "kube-system", "--watch",
                                "--watch-timeout", "1", "-o", "json")
        events = [json.loads(line) for line in res.stdout.splitlines()]
        self.assertEqual([e["object"]["name"] for e in events], ["aws-load-balancer-controller"])
        self.assertEqual(events[0]["type"], "ADDED")
        self.assertEqual(events[0]["object"]["namespace"], "kube-system")
        self.assertEqual(res.stderr, "")

    def test_yaml_watch_documents(self):
        res = self.sb.albatross("get", "sa", "--watch", "--watch-timeout", "1", "-o", "yaml")
        docs = list(yaml.safe_load_all(res.stdout))
        self.assertEqual([d["type"] for d in docs], ["ADDED"])
        self.assertEqual(docs[0]["object"]["name"], "aws-load-balancer-controller")
        self.assertEqual(docs[0]["object"]["roleArn"], "arn:aws:iam::111122223333:role/lbc")

    def test_invalid_watch_options(self):
        cases = [
            (["get", "roles", "--watch"], "cannot watch roles"),
            (["get", "sa", "--watch-timeout", "5"], "needs --watch"),
            (["get", "sa", "--watch", "--watch-timeout", "0"], "invalid --watch-timeout"),
            (["get", "sa", "--watch", "--watch-timeout", "5s"], "invalid --watch-timeout"),
            (["describe", "ingress", "--watch"], "--watch works only with get"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                res = self.sb.albatross(*args, check=False)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertIn(message, res.stderr)


class ScreenWatchTest(WatchBase):
    """The UI watches the opened cluster: the watch requests do not count
    as loading, and an expired watch lists again."""

    faults = ("k8s:watchEvents=2,compact=1",)

    def test_ingress_pane_follows_watch(self):
        if not shutil.which("tmux"):
            self.skipTest("tmux is not installed")
        screen = Screen(self.sb, ["--cluster", "shop"], ALBATROSS_RETRY_BASE_MS="50")
        self.addCleanup(screen.close)
        screen.wait_for("Clusters (1)")
        screen.keys("4")
        screen.wait_for("Ingresses of shop", *INGRESSES)
        text = screen.wait_for("watch of ingresses on shop: resourceVersion",
                               "expired", timeout=self.controller_start + 20)
        text = screen.wait_gone(" loading ")
        for name in INGRESSES:
            line = row(text, "web", name)
            self.assertIsNotNone(line, text)
        deadline = time.monotonic() + 20
        while True:
            text = screen.settled_text()
            lines = [row(text, "web", name) or "" for name in INGRESSES]
            if all("active" in line for line in lines):
                break
            self.assertLess(time.monotonic(), deadline, text)
            time.sleep(0.2)


if __name__ == "__main__":
    unittest.main()

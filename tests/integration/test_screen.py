"""The terminal UI driven through tmux against the sandbox's demo world:
every pane shows the world's objects, the filter, drilling from a service
account to its role and back, help, quit, resize, NO_COLOR and broken
themes. What the panes should show is read from the world file, so the
test follows the world when it changes."""

import fnmatch
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import yaml

import sandbox
from sandbox import Sandbox

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
WIDTH, HEIGHT = 160, 45
WAIT = 20  # seconds for a screen to show what a step expects

_sessions = itertools.count()


def expand(items):
    """World file items with `count` copies, {n} replaced in every string."""
    out = []
    for item in items or []:
        count = item.get("count")
        if count is None:
            out.append(item)
            continue
        for n in range(1, count + 1):
            out.append(_substitute(item, str(n)))
    return out


def _substitute(value, n):
    if isinstance(value, str):
        return value.replace("{n}", n)
    if isinstance(value, dict):
        return {k: _substitute(v, n) for k, v in value.items() if k != "count"}
    if isinstance(value, list):
        return [_substitute(v, n) for v in value]
    return value


class World:
    """What the demo world holds, in the terms the panes show."""

    def __init__(self, path):
        with open(path) as f:
            self.data = yaml.safe_load(f)
        self.account = str(self.data["account"])
        self.clusters = self.data.get("clusters") or []
        self.roles = expand(self.data.get("roles"))
        self.role_arns = {self.role_arn(r): r for r in self.roles}
        self.policies = {p["name"]: p for p in self.data.get("policies") or []}

    def role_arn(self, role):
        return "arn:aws:iam::%s:role%s%s" % (self.account, role.get("path", "/"),
                                             role["name"])

    def policy_arn(self, ref):
        """An attachedPolicies entry as the ARN IAM lists."""
        if ref.startswith("arn:"):
            return ref
        policy = self.policies[ref]
        return "arn:aws:iam::%s:policy%s%s" % (self.account,
                                               policy.get("path", "/"), ref)

    def service_accounts(self, cluster):
        return expand(cluster.get("serviceAccounts"))

    def ingresses(self, cluster):
        return expand(cluster.get("ingresses"))

    def role_status(self, sa):
        """The ROLE STATUS the UI must show, judged from the world's trust
        policies with StringEquals and StringLike on the sub claim only."""
        arn = (sa.get("annotations") or {}).get("eks.amazonaws.com/role-arn")
        if not arn:
            return "none"
        if arn not in self.role_arns:
            return "missing role"
        cluster = next(c for c in self.clusters if sa in self.service_accounts(c))
        if cluster.get("oidcProvider") is False:
            return "no OIDC provider"
        subject = "system:serviceaccount:%s:%s" % (sa.get("namespace", "default"),
                                                  sa["name"])
        trust = self.role_arns[arn]["trustPolicy"]
        for statement in trust["Statement"]:
            patterns = []
            for op, keys in (statement.get("Condition") or {}).items():
                for key, values in keys.items():
                    if key.endswith(":sub"):
                        values = values if isinstance(values, list) else [values]
                        patterns += [(op, v) for v in values]
            allowed = [v for op, v in patterns
                       if v == subject or (op == "StringLike" and
                                           fnmatch.fnmatchcase(subject, v))]
            if allowed or not patterns:
                broad = not patterns or any(
                    op == "StringLike" and ("*" in v.split(":")[2] or v.split(":")[3] == "*")
                    for op, v in patterns)
                return "too broad" if broad else "ok"
        return "not trusted"

    def cluster_with(self, kind, test):
        """The first cluster with an item of kind passing test, and it."""
        for cluster in self.clusters:
            for item in expand(cluster.get(kind)):
                if test(item):
                    return cluster, item
        raise unittest.SkipTest("the world has no %s like that" % kind)


def row(screen, *cells):
    """The screen line with the cells in this order, separated by blanks."""
    pattern = r"(^|\s)" + r"\s+".join(re.escape(c) for c in cells) + r"(\s|$)"
    for line in screen.splitlines():
        if re.search(pattern, line):
            return line
    return None


class Screen:
    """albatross in a detached tmux session on a private socket."""

    def __init__(self, box, args=(), width=WIDTH, height=HEIGHT, **env):
        self.socket = "albatross-test-%d-%d" % (os.getpid(), next(_sessions))
        self.dir = tempfile.mkdtemp(prefix="albatross-screen-")
        conf = os.path.join(self.dir, "tmux.conf")
        with open(conf, "w") as f:
            # Keep the pane after albatross exits, to read its last screen.
            f.write("set -g remain-on-exit on\n")
            f.write('set -g default-terminal "tmux-256color"\n')
        # tmux 3.3 sometimes marks a pane dead without its exit status, so
        # a shell around albatross writes the status to a file.
        self.status_file = os.path.join(self.dir, "status")
        self.env = box.client_env(STATUS_FILE=self.status_file, **env)
        cmd = ["tmux", "-L", self.socket, "-f", conf, "new-session", "-d",
               "-x", str(width), "-y", str(height)]
        for key in sorted(box.env) + sorted(env) + ["STATUS_FILE"]:
            cmd += ["-e", "%s=%s" % (key, self.env[key])]
        cmd += ["--", "sh", "-c", '"$@"; echo $? > "$STATUS_FILE.tmp" && '
                'mv "$STATUS_FILE.tmp" "$STATUS_FILE"', "sh",
                sandbox.ALBATROSS] + list(args)
        subprocess.run(cmd, env=self.env, check=True, timeout=10)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket] + list(args),
                              env=self.env, capture_output=True, text=True,
                              timeout=10)

    def close(self):
        self.tmux("kill-server")
        shutil.rmtree(self.dir, ignore_errors=True)

    def text(self, escapes=False):
        args = ["capture-pane", "-p"] + (["-e"] if escapes else [])
        return self.tmux(*args).stdout

    def lines(self):
        return self.settled_text().split("\n")

    def keys(self, *keys):
        self.tmux("send-keys", *keys)

    def type(self, text):
        self.tmux("send-keys", "-l", text)

    def settled_text(self):
        """The screen once two captures agree: never one caught while
        albatross is halfway through drawing it."""
        screen = self.text()
        for _ in range(20):
            time.sleep(0.05)
            again = self.text()
            if again == screen:
                break
            screen = again
        return screen

    def wait_for(self, *texts, timeout=WAIT):
        """Waits until every text is on screen; returns the screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.settled_text()
            if all(t in screen for t in texts):
                return screen
            if time.monotonic() > deadline:
                missing = [t for t in texts if t not in screen]
                raise AssertionError("%r not on screen after %ds:\n%s" %
                                     (missing, timeout, screen))
            time.sleep(0.1)

    def wait_gone(self, *texts, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while True:
            screen = self.settled_text()
            if not any(t in screen for t in texts):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError("%r still on screen after %ds:\n%s" %
                                     (texts, timeout, screen))
            time.sleep(0.1)

    def wait_exit(self, timeout=WAIT):
        """Waits for albatross to exit; returns its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.status_file):
                with open(self.status_file) as f:
                    return int(f.read())
            time.sleep(0.05)
        raise AssertionError("albatross still running after %ds:\n%s" %
                             (timeout, self.text()))

    def wait_idle(self):
        """Waits until nothing is loading (the spinner line is gone)."""
        return self.wait_gone(" loading ")


class ScreenTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        cls.world = World(DEMO)
        cls.box = Sandbox()
        cls.box.start()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()

    def open(self, *args, **env):
        screen = Screen(self.box, args, **env)
        self.addCleanup(screen.close)
        return screen

    def open_cluster(self, screen, name):
        """From the clusters pane, filters for name and presses Enter."""
        screen.wait_for(name)
        screen.keys("/")
        screen.type(name)
        screen.keys("Enter", "Enter")
        screen.wait_for("Service accounts of %s" % name)
        return screen.wait_idle()

    def test_clusters_pane_lists_world(self):
        screen = self.open()
        names = [c["name"] for c in self.world.clusters]
        text = screen.wait_for(*names)
        text = screen.wait_idle()
        self.assertIn("account %s" % self.world.account, text)
        for cluster in self.world.clusters:
            line = row(text, cluster["name"], cluster["region"],
                       cluster.get("status", "ACTIVE"),
                       str(cluster.get("version", "1.29")))
            self.assertIsNotNone(line, "no row for %s:\n%s" % (cluster["name"], text))
            oidc = "yes" if cluster.get("oidc") else "no"
            if cluster.get("oidc") and cluster.get("oidcProvider") is False:
                oidc = "no provider"
            self.assertRegex(line, r"\s%s\s" % oidc)
        self.assertIn("%d clusters" % len(names), screen.lines()[HEIGHT - 1])

    def test_service_accounts_of_cluster(self):
        cluster, _ = self.world.cluster_with("serviceAccounts", lambda sa: True)
        screen = self.open()
        text = self.open_cluster(screen, cluster["name"])
        accounts = self.world.service_accounts(cluster)
        for sa in accounts:
            line = row(text, sa.get("namespace", "default"), sa["name"])
            self.assertIsNotNone(line, "no row for %s:\n%s" % (sa["name"], text))
            arn = (sa.get("annotations") or {}).get("eks.amazonaws.com/role-arn", "-")
            self.assertIn(arn, line)
            self.assertTrue(line.rstrip().endswith(self.world.role_status(sa)),
                            "%s: %r" % (sa["name"], line))
        self.assertIn("%d service accounts" % len(accounts), screen.lines()[HEIGHT - 1])

    def test_all_clusters_mode(self):
        screen = self.open()
        screen.wait_for(self.world.clusters[0]["name"])
        screen.keys(":")
        screen.type("sa all")
        screen.keys("Enter")
        screen.wait_for("Service accounts of all clusters", "CLUSTER")
        screen.wait_idle()
        total = sum(len(self.world.service_accounts(c)) for c in self.world.clusters)
        self.assertIn("%d service accounts" % total, screen.lines()[HEIGHT - 1])
        for cluster in self.world.clusters:
            accounts = self.world.service_accounts(cluster)
            if not accounts:
                continue
            # Filtered by the cluster's name, its rows fit on the screen.
            screen.keys("/")
            screen.type(cluster["name"])
            screen.keys("Enter")
            text = screen.wait_for('filter "%s"' % cluster["name"])
            for sa in accounts:
                self.assertIsNotNone(row(text, cluster["name"],
                                         sa.get("namespace", "default"), sa["name"]),
                                     "no row for %s:\n%s" % (sa["name"], text))
            screen.keys("Escape")
            screen.wait_gone('filter "')

    def test_filter_and_escape(self):
        cluster, wanted = self.world.cluster_with(
            "serviceAccounts", lambda sa: sa.get("namespace") not in (None, "default"))
        screen = self.open()
        self.open_cluster(screen, cluster["name"])
        accounts = self.world.service_accounts(cluster)
        term = wanted["namespace"].upper()  # the filter ignores case
        screen.keys("/")
        screen.type(term)
        screen.keys("Enter")

        def matches(sa):
            cells = [sa.get("namespace", "default"), sa["name"],
                     (sa.get("annotations") or {}).get("eks.amazonaws.com/role-arn", "-"),
                     self.world.role_status(sa)]
            return any(term.lower() in c.lower() for c in cells)

        expected = [sa for sa in accounts if matches(sa)]
        text = screen.wait_for('filter "%s"' % term)
        self.assertIn("%d of %d service accounts" % (len(expected), len(accounts)), text)
        for sa in accounts:
            line = row(text, sa.get("namespace", "default"), sa["name"])
            if sa in expected:
                self.assertIsNotNone(line, "%s filtered out:\n%s" % (sa["name"], text))
            else:
                self.assertIsNone(line, "%s not filtered out:\n%s" % (sa["name"], text))
        screen.keys("Escape")
        text = screen.wait_gone('filter "')
        for sa in accounts:
            self.assertIsNotNone(row(text, sa.get("namespace", "default"), sa["name"]), text)

    def test_enter_opens_role_and_escape_returns(self):
        cluster, sa = self.world.cluster_with(
            "serviceAccounts", lambda sa: self.world.role_status(sa) == "ok")
        arn = sa["annotations"]["eks.amazonaws.com/role-arn"]
        role = self.world.role_arns[arn]
        screen = self.open()
        self.open_cluster(screen, cluster["name"])
        screen.keys("/")
        screen.type(sa["name"])
        screen.keys("Enter")
        screen.wait_for('filter "%s"' % sa["name"])
        screen.keys("Enter")
        screen.wait_for("Role %s" % role["name"], "Trust policy")
        text = screen.wait_idle()
        self.assertIsNotNone(row(text, "ARN", arn), text)
        version = role["trustPolicy"]["Version"]
        self.assertIn('"Version": "%s"' % version, text)
        attached = role.get("attachedPolicies") or []
        self.assertIn("Attached policies (%d)" % len(attached), text)
        for ref in attached:
            self.assertIn(self.world.policy_arn(ref), text)
        inline = role.get("inlinePolicies") or {}
        self.assertIn("Inline policies (%d)" % len(inline), text)
        for name in inline:
            self.assertIsNotNone(row(text, name), text)
        self.assertIsNotNone(row(text, cluster["name"], "%s/%s" % (
            sa.get("namespace", "default"), sa["name"])), text)

        screen.keys("Escape")
        text = screen.wait_for("Service accounts of %s" % cluster["name"])
        self.assertIn('filter "%s"' % sa["name"], text)

    def test_roles_pane_and_its_users(self):
        used = {}
        for cluster in self.world.clusters:
            for sa in self.world.service_accounts(cluster):
                arn = (sa.get("annotations") or {}).get("eks.amazonaws.com/role-arn")
                if arn in self.world.role_arns:
                    used.setdefault(arn, []).append((cluster["name"], sa))
        arn, users = max(used.items(), key=lambda kv: len(kv[1]))
        role = self.world.role_arns[arn]
        screen = self.open()
        cluster_names = {name for name, _ in users}
        screen.wait_for(self.world.clusters[0]["name"])

        for name in cluster_names:  # a role's users count once loaded
            screen.keys(":")
            screen.type("sa %s" % name)
            screen.keys("Enter")
            screen.wait_for("Service accounts of %s" % name)
            screen.wait_idle()

        screen.keys("3")
        screen.wait_for("IAM roles (%d)" % len(self.world.roles))
        screen.keys("/")
        screen.type(role["name"])
        screen.keys("Enter")
        text = screen.wait_for('filter "%s"' % role["name"])
        line = row(text, role["name"], role.get("path", "/"))
        self.assertIsNotNone(line, text)
        self.assertTrue(line.rstrip().endswith(" %d" % len(users)), line)

        screen.keys("Enter")
        text = screen.wait_for("Service accounts using role %s" % role["name"])
        for name, sa in users:
            self.assertIsNotNone(row(text, name, sa.get("namespace", "default"),
                                     sa["name"]), text)

    def test_ingresses_pane(self):
        cluster, _ = self.world.cluster_with("ingresses", lambda ing: True)
        screen = self.open()
        self.open_cluster(screen, cluster["name"])
        screen.keys("4")
        screen.wait_for("Ingresses of %s" % cluster["name"])
        text = screen.wait_idle()
        ingresses = self.world.ingresses(cluster)
        for ing in ingresses:
            hosts = ",".join(r["host"] for r in ing.get("rules", []) if r.get("host"))
            klass = ing.get("ingressClassName") or \
                (ing.get("annotations") or {}).get("kubernetes.io/ingress.class", "-")
            line = row(text, ing.get("namespace", "default"), ing["name"], klass)
            self.assertIsNotNone(line, "no row for %s:\n%s" % (ing["name"], text))
            # A narrow HOSTS column cuts the list; its start is always shown.
            self.assertIn(" %s" % (hosts[:16] or "*"), line)
        self.assertIn("%d ingresses" % len(ingresses), screen.lines()[HEIGHT - 1])

    def test_help_lists_keys(self):
        screen = self.open()
        screen.wait_for(self.world.clusters[0]["name"])
        screen.keys("?")
        text = screen.wait_for("Help:", ":reload")
        for keys, command in (("q", ":q"), ("?", ":help"), ("1", ":clusters"),
                              ("2", ":sa"), ("3", ":roles"), ("4", ":ing"),
                              ("r", ":reload")):
            self.assertTrue(any(l.startswith(keys + " ") and command in l
                                for l in text.splitlines()),
                            "%s %s not in help:\n%s" % (keys, command, text))
        for keys in ("Esc", "Enter", "/", ":", "Down j", "Up k"):
            self.assertTrue(any(l.startswith(keys + " ") for l in text.splitlines()),
                            "%s not in help:\n%s" % (keys, text))
        screen.keys("Escape")
        screen.wait_for("Clusters (")

    def test_slow_credential_process_keeps_keys_working(self):
        # The process sleeps before it prints the sandbox's keys; the UI
        # must open its help while the identity is still loading.
        script = os.path.join(self.box.dir.name, "slow-credentials.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nsleep 4\nprintf '{\"Version\": 1, "
                    "\"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}'\n"
                    % (self.box.env["AWS_ACCESS_KEY_ID"],
                       self.box.env["AWS_SECRET_ACCESS_KEY"]))
        os.chmod(script, 0o700)
        config = os.path.join(self.box.dir.name, "slow-credentials.config")
        with open(config, "w") as f:
            f.write("[default]\ncredential_process = %s\n" % script)
        start = time.monotonic()
        screen = self.open(AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
                           AWS_CONFIG_FILE=config)
        screen.wait_for("loading identity")
        screen.keys("?")
        screen.wait_for("Help:", ":reload", timeout=3)
        self.assertLess(time.monotonic() - start, 4,
                        "the help opened only after the process ended")
        screen.keys("Escape")
        screen.wait_for("account %s   caller arn:" % self.world.account)
        self.assertGreaterEqual(time.monotonic() - start, 4)
        screen.keys("q")
        self.assertEqual(screen.wait_exit(), 0)

    @unittest.skipUnless(shutil.which("aws"), "the aws CLI is not installed")
    def test_slow_exec_plugin_keeps_keys_working(self):
        # A kubeconfig whose user is an exec plugin that sleeps before the
        # aws CLI makes its token. Every list of the cluster waits for one
        # run, and the panes switch while it sleeps.
        cluster = json.loads(self.box.aws(
            "--region", "us-east-2", "eks", "describe-cluster", "--name",
            "alb-demo-cluster").stdout)["cluster"]
        runs = os.path.join(self.box.dir.name, "plugin-runs")
        plugin = os.path.join(self.box.dir.name, "slow-get-token.sh")
        with open(plugin, "w") as f:
            f.write("#!/bin/sh\necho run >> %s\nsleep 3\nexec aws --region "
                    "us-east-2 eks get-token --cluster-name alb-demo-cluster "
                    "--output json\n" % runs)
        os.chmod(plugin, 0o700)
        config = os.path.join(self.box.dir.name, "slow-plugin.kubeconfig")
        with open(config, "w") as f:
            f.write("clusters:\n- name: c\n  cluster:\n    server: %s\n"
                    "    certificate-authority-data: %s\n"
                    "users:\n- name: u\n  user:\n    exec:\n"
                    "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                    "      command: %s\n"
                    "contexts:\n- name: plugin-context\n"
                    "  context: {cluster: c, user: u}\n"
                    "current-context: plugin-context\n"
                    % (cluster["endpoint"],
                       cluster["certificateAuthority"]["data"], plugin))
        start = time.monotonic()
        screen = self.open(KUBECONFIG=config)
        screen.wait_for("loading objects of alb-demo-cluster")
        screen.keys("2")
        screen.wait_for("Service accounts of alb-demo-cluster", "loading",
                        timeout=2)
        self.assertLess(time.monotonic() - start, 3,
                        "the pane opened only after the plugin ended")
        demo = next(c for c in self.world.clusters
                    if c["name"] == "alb-demo-cluster")
        sa = self.world.service_accounts(demo)[0]
        screen.wait_for(sa["name"])
        self.assertGreaterEqual(time.monotonic() - start, 3)
        with open(runs) as f:
            self.assertEqual(f.read(), "run\n")
        screen.keys("q")
        self.assertEqual(screen.wait_exit(), 0)

    def test_pane_keys_in_help(self):
        cluster, _ = self.world.cluster_with("serviceAccounts", lambda sa: True)
        screen = self.open()
        self.open_cluster(screen, cluster["name"])
        screen.keys("?")
        text = screen.wait_for("Help: keys of the service accounts pane")
        self.assertTrue(text.split("\n")[4].startswith("a "), text)
        self.assertIn("Toggle all clusters", text.split("\n")[4])

    def test_command_completes_with_tab(self):
        screen = self.open()
        screen.wait_for(self.world.clusters[0]["name"])
        screen.keys(":")
        screen.type("rol")
        screen.keys("Tab")
        screen.wait_for(":roles")
        screen.keys("Enter")
        screen.wait_for("IAM roles (%d)" % len(self.world.roles))

    def test_unknown_command_reports_error(self):
        screen = self.open()
        screen.wait_for(self.world.clusters[0]["name"])
        screen.keys(":")
        screen.type("nosuch")
        screen.keys("Enter")
        screen.wait_for('unknown command ":nosuch"')

    def test_reload_keeps_rows(self):
        cluster, sa = self.world.cluster_with("serviceAccounts", lambda sa: True)
        screen = self.open()
        self.open_cluster(screen, cluster["name"])
        screen.keys("r")
        text = screen.wait_idle()
        self.assertIsNotNone(row(text, sa.get("namespace", "default"), sa["name"]), text)
        # The note announcing the reload goes once the reload has finished.
        self.assertNotIn("reloading %s" % cluster["name"], text)

    def test_quit_exits_zero(self):
        screen = self.open()
        screen.wait_for(self.world.clusters[0]["name"])
        screen.keys("q")
        self.assertEqual(screen.wait_exit(), 0)

    def test_command_quit_exits_zero(self):
        screen = self.open()
        screen.wait_for(self.world.clusters[0]["name"])
        screen.keys(":")
        screen.type("q")
        screen.keys("Enter")
        self.assertEqual(screen.wait_exit(), 0)

    def test_resize_keeps_layout(self):
        screen = self.open()
        name = self.world.clusters[0]["name"]
        screen.wait_for(name)
        screen.wait_idle()
        for width, height in ((80, 20), (60, 12), (200, 50)):
            screen.tmux("resize-window", "-x", str(width), "-y", str(height))
            deadline = time.monotonic() + WAIT
            while True:
                lines = screen.lines()
                ok = (len(lines) >= height and lines[0].startswith("account ")
                      and lines[2].strip().startswith("Clusters (")
                      and "clusters" in lines[height - 1]
                      and all(len(l) <= width for l in lines))
                if ok or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            self.assertTrue(ok, "layout broken at %dx%d:\n%s" % (width, height,
                                                                 "\n".join(lines)))
            self.assertIn("NAME", lines[3])
            self.assertIn(name[:8], lines[4])


# A world whose objects carry terminal escape sequences and wide
# characters, as a hostile or careless cluster could.
HOSTILE_WORLD = """\
account: "111122223333"
regions: [us-west-2]
credentials:
  - accessKeyId: AKIAIOSFODNN7EXAMPLE
    secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    user: tester
clusters:
  - name: hostile
    region: us-west-2
    serviceAccounts:
      - namespace: default
        name: title-setter
        annotations:
          eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/\\e]0;pwned\\a\\e[31mred\\x9b"
      - namespace: default
        name: wide
        annotations:
          eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/\u6771\u4eac"
  - name: unreachable
    region: us-west-2
    endpoint: https://127.0.0.1:1
"""


class HostileTextTest(unittest.TestCase):

    def setUp(self):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        world = os.path.join(self.dir.name, "hostile.yaml")
        with open(world, "w") as f:
            f.write(HOSTILE_WORLD)
        self.box = Sandbox(world=world)
        self.box.start()
        self.addCleanup(self.box.stop)

    def test_escape_sequences_never_reach_terminal(self):
        screen = Screen(self.box, ["--cluster", "hostile"])
        self.addCleanup(screen.close)
        screen.wait_for("hostile")
        screen.keys("2")
        text = screen.wait_for("title-setter", "wide")
        text = screen.wait_idle()
        line = row(text, "default", "title-setter")
        self.assertIsNotNone(line, text)
        # ESC, BEL and the 8-bit CSI are shown as U+FFFD; the sequences
        # after them stay visible text instead of changing the terminal.
        self.assertIn("role/\ufffd]0;pwned\ufffd\ufffd[31mred\ufffd", line)
        title = screen.tmux("display-message", "-p", "#{pane_title}").stdout
        self.assertNotIn("pwned", title)
        self.assertTrue(line.rstrip().endswith("missing role"), line)
        # Double-width characters take two columns each, so the status
        # column stays aligned with the row above.
        wide = row(text, "default", "wide")
        self.assertIn("role/\u6771\u4eac", wide)
        self.assertTrue(wide.rstrip().endswith("missing role"), wide)
        cells = lambda l: len(l.rstrip()) + sum(1 for c in l if "\u4e00" <= c <= "\u9fff")
        self.assertEqual(cells(line), cells(wide))

    def test_failed_cluster_shows_error(self):
        screen = Screen(self.box, ["--cluster", "hostile"])
        self.addCleanup(screen.close)
        screen.wait_for("unreachable")
        screen.keys(":")
        screen.type("sa unreachable")
        screen.keys("Enter")
        screen.wait_for("Service accounts of unreachable")
        text = screen.wait_idle()
        lines = text.split("\n")
        # The pane shows the whole error, wrapped, where its rows would be.
        table = " ".join(l.strip() for l in lines[4:HEIGHT - 1] if l.strip())
        self.assertIn("https://127.0.0.1:1", table)
        self.assertRegex(table, r"(?i)(fail|refused|cannot|error)")
        self.assertIn("0 service accounts", lines[HEIGHT - 1])
        self.assertIn("unreachable", lines[HEIGHT - 1])


# Colour parameters of SGR sequences: 30-37, 39-47, 49, 90-97, 100-107 and
# 38;5;N or 48;5;N.
_COLOR = re.compile(r"\x1b\[([0-9;]*)m")


def sgr_codes(text):
    """Every parameter of every SGR sequence in text."""
    return [int(p) for params in _COLOR.findall(text)
            for p in params.split(";") if p]


def colors_in(text):
    return [code for code in sgr_codes(text)
            if code in (38, 48) or 30 <= code <= 37 or 40 <= code <= 47
            or 90 <= code <= 97 or 100 <= code <= 107]


class ColorTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        cls.world = World(DEMO)
        cls.box = Sandbox()
        cls.box.start()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()

    def screen_with(self, *args, **env):
        screen = Screen(self.box, args, **env)
        self.addCleanup(screen.close)
        screen.wait_for(self.world.clusters[0]["name"])
        screen.wait_idle()
        return screen.text(escapes=True)

    def test_default_theme_has_colors(self):
        self.assertTrue(colors_in(self.screen_with()))

    def test_no_color_keeps_attributes_only(self):
        text = self.screen_with(NO_COLOR="1")
        self.assertEqual(colors_in(text), [])
        self.assertIn(7, sgr_codes(text), "the selected row is not in reverse video")

    def test_mono_theme_has_no_colors(self):
        text = self.screen_with("--theme", "mono")
        self.assertEqual(colors_in(text), [])

    def test_broken_theme_exits_2_with_line(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "broken.yaml")
            with open(path, "w") as f:
                f.write("title: {fg: red}\nok: {fg: green}\nheadr: {fg: blue}\n")
            res = self.box.albatross("--theme", path, check=False)
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("%s:3: " % path, res.stderr)
        self.assertIn('unknown role "headr"', res.stderr)

    def test_missing_theme_exits_2(self):
        res = self.box.albatross("--theme", "no-such-theme", check=False)
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn('theme "no-such-theme" not found', res.stderr)


if __name__ == "__main__":
    unittest.main()

"""Secrets, privileges and files in full runs against the sandbox.

The CLI for every kind and format and the UI through every pane, with
--debug and --log, must not show or write the secret access key, the
session token or an EKS token anywhere. With --readonly no mutating request
reaches the sandbox. Files albatross writes are private, and an insecure
kubeconfig cluster works only with a warning."""

import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

import yaml

import sandbox
from sandbox import Sandbox
from test_screen import HEIGHT, Screen

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE-session-token/sandbox+secret=="
KINDS = ("clusters", "serviceaccounts", "roles", "ingresses")

# AWS operations that change nothing, by prefix; AssumeRoleWithWebIdentity
# only returns credentials.
READ_ACTIONS = ("Get", "List", "Describe", "AssumeRoleWithWebIdentity")


def world_with_session_token(path):
    """The demo world whose first credential needs a session token."""
    with open(DEMO) as f:
        world = yaml.safe_load(f)
    world["credentials"][0]["sessionToken"] = SESSION_TOKEN
    with open(path, "w") as f:
        yaml.safe_dump(world, f)
    return world


class FullRun:
    """Every command of a session, with its outputs collected as bytes."""

    def __init__(self, box, home, extra_args=()):
        self.box = box
        self.home = home
        self.args = ["--debug", "--log", os.path.join(home, "albatross.log")] + list(extra_args)
        self.env = box.client_env(
            HOME=home, XDG_STATE_HOME=os.path.join(home, "state"),
            XDG_CONFIG_HOME=os.path.join(home, "config"),
            XDG_CACHE_HOME=os.path.join(home, "cache"), LC_ALL="C.UTF-8")
        self.outputs = {}

    def cli(self, *args, check=True):
        res = subprocess.run([sandbox.ALBATROSS] + self.args + list(args),
                             env=self.env, capture_output=True, timeout=120)
        name = " ".join(args)
        self.outputs["stdout of " + name] = res.stdout
        self.outputs["stderr of " + name] = res.stderr
        if check and res.returncode != 0:
            raise AssertionError("albatross %s exited %d: %s" % (
                name, res.returncode, res.stderr.decode(errors="replace")))
        return res

    def every_kind(self, cluster):
        for kind in KINDS:
            for fmt in ("table", "json", "yaml"):
                self.cli("get", kind, "--cluster", cluster, "-o", fmt)
        for fmt in ("table", "json", "yaml"):
            self.cli("describe", "ingress", "--cluster", cluster, "-o", fmt)
        # Failures print server and client errors to stderr.
        self.cli("get", "sa", "--cluster", "no-such-cluster", check=False)
        self.cli("get", "sa", "--context", "no-such-context", check=False)

    def ui(self, world):
        """The UI through every pane, a role's description and help."""
        screen = Screen(self.box, self.args, **{k: v for k, v in self.env.items()
                                                if k.startswith(("HOME", "XDG_", "LC_"))})
        try:
            first = world["clusters"][0]["name"]
            screen.wait_for(first)
            screen.wait_idle()
            captures = [screen.text(escapes=True)]
            for keys, title in (("2", "Service accounts"), ("3", "IAM roles"),
                                ("4", "Ingresses"), ("1", "Clusters")):
                screen.keys(keys)
                screen.wait_for(title)
                screen.wait_idle()
                captures.append(screen.text(escapes=True))
            screen.keys("3")
            screen.wait_for("IAM roles")
            screen.keys("d")
            screen.wait_for("Trust policy")
            screen.wait_idle()
            captures.append(screen.text(escapes=True))
            screen.keys("Escape", "?")
            screen.wait_for("Help")
            captures.append(screen.text(escapes=True))
            screen.keys("Escape", "q")
            screen.wait_exit()
            self.outputs["tmux screens"] = "\n".join(captures).encode()
            history = screen.tmux("capture-pane", "-p", "-e", "-S", "-", "-E", "-")
            self.outputs["tmux history"] = history.stdout.encode()
        finally:
            screen.close()

    def files(self):
        """Every file written under the home directory."""
        for top, _, names in os.walk(self.home):
            for name in names:
                path = os.path.join(top, name)
                if os.path.isfile(path):
                    with open(path, "rb") as f:
                        yield path, f.read()


class SecretsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        cls.dir = tempfile.TemporaryDirectory()
        world_file = os.path.join(cls.dir.name, "world.yaml")
        cls.world = world_with_session_token(world_file)
        cls.box = Sandbox(world=world_file)
        cls.box.start()
        cls.home = os.path.join(cls.dir.name, "home")
        os.mkdir(cls.home)
        cls.session = FullRun(cls.box, cls.home)
        cls.session.every_kind(cls.world["clusters"][0]["name"])
        cls.session.ui(cls.world)

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()
        cls.dir.cleanup()

    def secrets(self):
        secret = self.box.env["AWS_SECRET_ACCESS_KEY"]
        self.assertEqual(self.box.env.get("AWS_SESSION_TOKEN"), SESSION_TOKEN)
        return {"secret access key": secret.encode(),
                "session token": SESSION_TOKEN.encode(),
                "EKS token": b"k8s-aws-v1."}

    def test_no_secret_in_any_output(self):
        outputs = dict(self.session.outputs)
        outputs.update(("file " + p, data) for p, data in self.session.files())
        self.assertTrue(any(k.startswith("file ") and k.endswith("albatross.log")
                            for k in outputs), sorted(outputs))
        for what, secret in self.secrets().items():
            for name, data in outputs.items():
                self.assertNotIn(secret, data, "%s in %s" % (what, name))

    def test_debug_log_shows_redacted_requests(self):
        with open(os.path.join(self.home, "albatross.log"), "rb") as f:
            log = f.read().decode()
        self.assertIn("with --debug", log)
        # Every kind of request was logged, with its credentials redacted.
        self.assertRegex(log, r"http > POST https://127\.0\.0\.1:\d+/ \(body \d+ bytes\)")
        self.assertRegex(log, r"http > GET https://127\.0\.0\.1:\d+/k8s/")
        self.assertRegex(log, r"Authorization: AWS4-HMAC-SHA256 Credential=AKIA\w+/"
                              r"\d{8}/[\w-]+/\w+/aws4_request, SignedHeaders=[\w;-]+, "
                              r"Signature=\[redacted\]")
        self.assertIn("Authorization: Bearer [redacted]", log)
        self.assertIn("X-Amz-Security-Token: [redacted]", log)
        self.assertNotRegex(log, r"Signature=[0-9a-f]{64}")

    def test_log_file_private(self):
        log = os.path.join(self.home, "albatross.log")
        self.assertEqual(stat.S_IMODE(os.stat(log).st_mode), 0o600)


class CredentialProcessSecretsTest(unittest.TestCase):
    """Keys printed by a credential_process stay out of the output and of
    the debug log."""

    def test_process_keys_not_logged(self):
        with Sandbox() as box:
            secret = box.env["AWS_SECRET_ACCESS_KEY"]
            doc = {"Version": 1, "AccessKeyId": box.env["AWS_ACCESS_KEY_ID"],
                   "SecretAccessKey": secret}
            if box.env.get("AWS_SESSION_TOKEN"):
                doc["SessionToken"] = box.env["AWS_SESSION_TOKEN"]
            script = os.path.join(box.dir.name, "keys.sh")
            with open(script, "w") as f:
                f.write("#!/bin/sh\ncat <<'EOF'\n%s\nEOF\n" % json.dumps(doc))
            os.chmod(script, 0o700)
            config = os.path.join(box.dir.name, "config")
            with open(config, "w") as f:
                f.write("[default]\ncredential_process = %s\n" % script)
            log = os.path.join(box.dir.name, "albatross.log")
            res = box.albatross("--debug", "--log", log, "get", "roles",
                                AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
                                AWS_SESSION_TOKEN="", AWS_CONFIG_FILE=config)
            with open(log) as f:
                text = f.read()
            self.assertIn("credentials from credential_process of profile "
                          "default", text)
            for name, data in (("log", text), ("stdout", res.stdout),
                               ("stderr", res.stderr)):
                self.assertNotIn(secret, data, name)
                if "SessionToken" in doc:
                    self.assertNotIn(doc["SessionToken"], data, name)


class FilesTest(unittest.TestCase):
    """The default log location under XDG_STATE_HOME and ~/.local/state."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
        cls.box.start()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()

    def check_private(self, log):
        self.assertTrue(os.path.exists(log), log)
        self.assertEqual(stat.S_IMODE(os.stat(log).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(log)).st_mode), 0o700)
        with open(log) as f:
            self.assertIn("started", f.read())

    def test_xdg_state_home(self):
        with tempfile.TemporaryDirectory() as home:
            state = os.path.join(home, "xdg", "state")
            old = os.umask(0o022)
            try:
                self.box.albatross("get", "roles", HOME=home, XDG_STATE_HOME=state)
            finally:
                os.umask(old)
            self.check_private(os.path.join(state, "albatross", "albatross.log"))
            self.assertEqual(stat.S_IMODE(os.stat(state).st_mode), 0o700)

    def test_default_under_home(self):
        with tempfile.TemporaryDirectory() as home:
            own = os.path.join(home, ".local", "state", "albatross")
            os.makedirs(own, 0o755)
            os.chmod(own, 0o755)
            log = os.path.join(own, "albatross.log")
            with open(log, "w") as f:
                f.write("an old log\n")
            os.chmod(log, 0o644)
            env = {"HOME": home, "XDG_STATE_HOME": ""}
            self.box.albatross("get", "roles", **env)
            self.check_private(log)


class ReadonlyTest(unittest.TestCase):
    """With --readonly, the sandbox receives only reads: GET for Kubernetes
    and EKS, and Get, List and Describe actions for the query APIs."""

    def test_no_mutating_request_reaches_sandbox(self):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        with open(DEMO) as f:
            world = yaml.safe_load(f)
        with Sandbox() as box, tempfile.TemporaryDirectory() as home:
            run = FullRun(box, home, ["--readonly"])
            for cluster in world["clusters"]:
                for kind in KINDS:
                    run.cli("get", kind, "--cluster", cluster["name"])
            run.ui(world)
            log = box.output()
        requests = re.findall(r"^albatross-sandbox: ([A-Z]+) (\S+) \d{3}", log, re.M)
        actions = re.findall(r"^albatross-sandbox: (sts|iam|ec2) (\w+)$", log, re.M)
        self.assertTrue(any("/k8s/" in url for _, url in requests), log[-2000:])
        self.assertTrue(any(name.startswith("List") for _, name in actions), log[-2000:])
        for method, url in requests:
            if "/k8s/" in url or url.startswith("/clusters"):
                self.assertIn(method, ("GET", "HEAD"), url)
            else:
                # Query and ec2 calls POST to "/"; their actions are below.
                self.assertEqual((method, url), ("POST", "/"))
        for service, name in actions:
            self.assertTrue(name.startswith(READ_ACTIONS), "%s %s" % (service, name))


class InsecureTlsTest(unittest.TestCase):
    """A kubeconfig cluster without CA data reaches the sandbox only with
    insecure-skip-tls-verify, and then with a warning."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
        cls.box.start()
        with open(cls.box.env["KUBECONFIG"]) as f:
            cls.kubeconfig = yaml.safe_load(f)

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()

    def write_kubeconfig(self, insecure):
        config = yaml.safe_load(yaml.safe_dump(self.kubeconfig))
        for entry in config["clusters"]:
            del entry["cluster"]["certificate-authority-data"]
            if insecure:
                entry["cluster"]["insecure-skip-tls-verify"] = True
        path = os.path.join(self.box.dir.name, "insecure-%d.yaml" % insecure)
        with open(path, "w") as f:
            yaml.safe_dump(config, f)
        return path, config["contexts"][0]["name"]

    def test_insecure_cluster_works_with_warning(self):
        path, context = self.write_kubeconfig(insecure=True)
        res = self.box.albatross("get", "sa", "--context", context, KUBECONFIG=path)
        self.assertIn("NAMESPACE", res.stdout)
        self.assertGreater(len(res.stdout.splitlines()), 1)
        self.assertIn("warning: TLS verification is off", res.stderr)
        self.assertIn("insecure-skip-tls-verify", res.stderr)

    def test_without_ca_fails_on_certificate(self):
        path, context = self.write_kubeconfig(insecure=False)
        res = self.box.albatross("get", "sa", "--context", context, check=False,
                                 KUBECONFIG=path)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertEqual(res.stdout, "")
        self.assertRegex(res.stderr, r"(?i)certificate")
        self.assertIn("certificate-authority", res.stderr)
        self.assertNotIn("warning", res.stderr)

    def test_insecure_warning_on_status_line(self):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        path, context = self.write_kubeconfig(insecure=True)
        screen = Screen(self.box, ["--context", context], KUBECONFIG=path)
        self.addCleanup(screen.close)
        screen.wait_for("warning: TLS verification is off")
        text = screen.wait_idle()
        self.assertIn("warning: TLS verification is off", text.split("\n")[HEIGHT - 1])
        screen.keys("2")
        text = screen.wait_for("Service accounts of")
        self.assertIn("service accounts", text.split("\n")[HEIGHT - 1])


if __name__ == "__main__":
    unittest.main()

"""Start albatross-sandbox for a test and hand out its client environment.

The sandbox writes KEY=value lines to --env-file once it accepts
connections; tests pass that environment to albatross, the aws CLI and
kubectl. Every address in it is on loopback.
"""

import os
import shlex
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, os.environ.get("ALBATROSS_BIN", "."))
ALBATROSS = os.path.join(BIN, "albatross")
SANDBOX = os.path.join(BIN, "albatross-sandbox")
WORLDS = os.path.join(ROOT, "sandbox", "worlds")
TEST_WORLDS = os.path.join(ROOT, "tests", "worlds")

# Variables that could send a client anywhere but the sandbox.
_SCRUBBED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
             "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_DEFAULT_REGION",
             "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "KUBECONFIG")


def read_env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return env


class Sandbox:
    """A running sandbox; use as a context manager."""

    def __init__(self, world=None, args=(), timeout=15):
        self.world = world
        self.args = list(args)
        self.timeout = timeout
        self.proc = None
        self.env = None
        self.dir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.dir = tempfile.TemporaryDirectory(prefix="albatross-test-")
        env_file = os.path.join(self.dir.name, "sandbox.env")
        cmd = [SANDBOX, "--env-file", env_file] + self.args
        if self.world:
            cmd += ["--world", self.world]
        self.log = open(os.path.join(self.dir.name, "sandbox.log"), "w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.timeout
        while not os.path.exists(env_file) or os.path.getsize(env_file) == 0:
            if self.proc.poll() is not None:
                raise RuntimeError("sandbox exited with %d: %s" % (self.proc.returncode, self.output()))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("sandbox wrote no env file in %ds" % self.timeout)
            time.sleep(0.02)
        time.sleep(0.05)  # the file is written whole, then renamed; be safe
        self.env = read_env_file(env_file)
        return self

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.dir:
            self.log.close()
            self.dir.cleanup()
            self.dir = None

    def client_env(self, **extra):
        """os.environ without AWS or kube settings, plus the sandbox's."""
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        env.update(self.env)
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        env["AWS_MAX_ATTEMPTS"] = "1"
        env["HOME"] = self.dir.name  # no ~/.aws or ~/.kube of the user's
        env.update(extra)
        return env

    def albatross(self, *args, check=True, timeout=60, **extra):
        """Runs albatross with the sandbox's environment."""
        res = subprocess.run([ALBATROSS] + list(args), env=self.client_env(**extra),
                             capture_output=True, text=True, timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError("albatross %s exited %d: %s" % (" ".join(args), res.returncode, res.stderr))
        return res

    def aws(self, *args, check=True, timeout=60):
        """Runs the aws CLI against the sandbox; --endpoint-url is always given
        because awscli v2 ignores AWS_ENDPOINT_URL."""
        cmd = ["aws", "--endpoint-url", self.env["AWS_ENDPOINT_URL"],
               "--region", self.env["AWS_REGION"], "--output", "json"] + list(args)
        res = subprocess.run(cmd, env=self.client_env(), capture_output=True,
                             text=True, timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError("%s exited %d: %s" % (" ".join(cmd), res.returncode, res.stderr))
        return res

    def kubectl(self, *args, check=True, timeout=60):
        cache = os.path.join(self.dir.name, "kubectl-cache")
        cmd = ["kubectl", "--cache-dir", cache] + list(args)
        res = subprocess.run(cmd, env=self.client_env(), capture_output=True,
                             text=True, timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError("%s exited %d: %s" % (" ".join(cmd), res.returncode, res.stderr))
        return res

"""Hostile text from the account and the cluster: tests/worlds/hostile.yaml
plus an annotation of two megabytes.

Escape sequences, control characters, bidirectional overrides, invalid
UTF-8 and wide characters must reach neither the UI's terminal nor the
CLI's output unfiltered, and the layout must stay intact."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import unittest

import yaml

import sandbox
from sandbox import Sandbox
from test_screen import HEIGHT, WIDTH, Screen, row

HOSTILE = os.path.join(sandbox.TEST_WORLDS, "hostile.yaml")
BIG = 2 << 20  # bytes of the long annotation

# What a terminal acts on: C0 controls but newline, DEL, C1 controls and
# bidirectional controls, as text decoded from UTF-8.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
                     "\u202a-\u202e\u2066-\u2069]")
# The only sequences albatross itself may send: SGR attributes.
_SEQUENCE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[^\[])")


def hostile_world(path):
    """hostile.yaml plus a service account whose role-arn annotation is
    BIG bytes of escape sequences and wide characters."""
    with open(HOSTILE) as f:
        world = yaml.safe_load(f)
    chunk = "\x1b[2J\u6771\x9b" + "x" * 26
    big = chunk * (BIG // len(chunk.encode()) + 1)
    world["clusters"][0]["serviceAccounts"].append({
        "namespace": "default", "name": "huge",
        "annotations": {"eks.amazonaws.com/role-arn": big}})
    with open(path, "w") as f:
        yaml.safe_dump(world, f, allow_unicode=True)


def cells(text):
    """Terminal columns of text: wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def check_terminal_safe(test, data, what):
    """data (bytes) is valid UTF-8 with nothing a terminal would act on."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        test.fail("%s is not valid UTF-8: %s" % (what, e))
    found = _UNSAFE.search(text)
    test.assertIsNone(found, "%s holds %r near %r" % (
        what, found and found.group(), found and text[max(0, found.start() - 40):found.end() + 10]))
    return text


class HostileCliTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        world = os.path.join(cls.dir.name, "hostile.yaml")
        hostile_world(world)
        cls.box = Sandbox(world=world)
        cls.box.start()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()
        cls.dir.cleanup()

    def run_cli(self, *args, command="get"):
        """albatross get (or command), its stdout and stderr as bytes."""
        res = subprocess.run([sandbox.ALBATROSS, command] + list(args),
                             env=self.box.client_env(LC_ALL="C.UTF-8"),
                             capture_output=True, timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr[-2000:])
        return res

    def test_table_output_filtered(self):
        for kind in ("sa", "ing", "roles", "clusters"):
            res = self.run_cli(kind, "--cluster", "hostile")
            self.assertNotIn(b"\x1b", res.stdout, kind)
            check_terminal_safe(self, res.stdout, "get %s" % kind)
            check_terminal_safe(self, res.stderr, "stderr of get %s" % kind)

    def test_describe_filtered(self):
        for fmt in ("table", "json", "yaml"):
            res = self.run_cli("ingress", "default/hostile-ingress", "--cluster",
                               "hostile", "-o", fmt, command="describe")
            text = check_terminal_safe(self, res.stdout, "describe -o %s" % fmt)
            self.assertIn("hostile-ingress", text)
            check_terminal_safe(self, res.stderr, "stderr of describe")

    def test_table_columns_aligned(self):
        text = self.run_cli("sa", "--cluster", "hostile").stdout.decode()
        lines = [l for l in text.split("\n") if l]
        self.assertEqual(len(lines), 7)
        end = cells(lines[0][:lines[0].index("CLUSTER")]) + len("hostile")
        for line in lines[1:]:
            self.assertTrue(line.endswith(" hostile"), line[-200:])
            self.assertEqual(cells(line), end, line[:200])

    def test_json_and_yaml_keep_text_as_data(self):
        res = self.run_cli("sa", "--cluster", "hostile", "-o", "json")
        self.assertNotIn(b"\x1b", res.stdout)
        check_terminal_safe(self, res.stdout, "get sa -o json")
        items = {i["name"]: i for i in json.loads(res.stdout)["items"]}
        # The escape sequence is still there, as JSON escapes.
        self.assertIn("\x1b]0;pwned\x07", items["title-setter"]["roleArn"])
        self.assertIn("\u202e", items["bidi"]["roleArn"])
        # Invalid UTF-8 became U+FFFD.
        self.assertIn("bad\ufffd\ufffdutf8", items["invalid-utf8"]["roleArn"])
        self.assertGreaterEqual(len(items["huge"]["roleArn"].encode()), BIG)

        res = self.run_cli("sa", "--cluster", "hostile", "-o", "yaml")
        check_terminal_safe(self, res.stdout, "get sa -o yaml")
        items = {i["name"]: i for i in yaml.safe_load(res.stdout)["items"]}
        self.assertIn("\x1b]0;pwned\x07", items["title-setter"]["roleArn"])

    def test_error_from_server_filtered(self):
        res = subprocess.run([sandbox.ALBATROSS, "get", "sa", "--cluster",
                              "no\x1b[2Jsuch"],
                             env=self.box.client_env(LC_ALL="C.UTF-8"),
                             capture_output=True, timeout=60)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn(b"no?[2Jsuch", res.stderr)
        check_terminal_safe(self, res.stderr, "stderr")


class HostileScreenTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        cls.dir = tempfile.TemporaryDirectory()
        world = os.path.join(cls.dir.name, "hostile.yaml")
        hostile_world(world)
        cls.box = Sandbox(world=world)
        cls.box.start()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()
        cls.dir.cleanup()

    def open(self):
        screen = Screen(self.box, ["--cluster", "hostile"])
        self.addCleanup(screen.close)
        return screen

    def check_intact(self, screen, pane_title):
        """The header, the pane title and the status line are where they
        belong, no line is wider than the terminal, only SGR sequences were
        sent, and the terminal's title and screen mode are unchanged."""
        lines = screen.lines()
        self.assertGreaterEqual(len(lines), HEIGHT)
        self.assertTrue(lines[0].startswith("account "), "\n".join(lines))
        self.assertIn(pane_title, lines[2])
        self.assertRegex(lines[HEIGHT - 1], r"\d+ ", "\n".join(lines))
        for line in lines:
            self.assertLessEqual(cells(line), WIDTH, line)
        escaped = screen.text(escapes=True)
        for seq in _SEQUENCE.findall(escaped):
            self.assertTrue(seq.startswith("[") and seq.endswith("m"),
                            "sequence ESC%s reached the screen" % seq)
        fmt = "#{pane_title}|#{alternate_on}|#{cursor_flag}"
        title, alternate, _ = screen.tmux("display-message", "-p", fmt).stdout.strip().split("|")
        self.assertNotIn("pwned", title)
        self.assertEqual(alternate, "1", "albatross left the alternate screen")
        return "\n".join(lines)

    def test_service_accounts_pane(self):
        screen = self.open()
        screen.wait_for("hostile")
        screen.keys("2")
        screen.wait_for("title-setter", "invalid-utf8", "huge")
        screen.wait_idle()
        text = self.check_intact(screen, "Service accounts of hostile")
        self.assertIn("6 service accounts", text.split("\n")[HEIGHT - 1])
        line = row(text, "default", "title-setter")
        self.assertIn("role/\ufffd]0;pwned\ufffd\ufffd[31mred\ufffd", line)
        line = row(text, "default", "invalid-utf8")
        self.assertIn("bad\ufffd\ufffdutf8", line)
        line = row(text, "default", "bidi")
        self.assertIn("role/\ufffdelor-live\ufffdx\ufffd", line)
        line = row(text, "kube-system", "newlines")
        self.assertIsNotNone(line, text)
        self.assertIn("role/a\ufffdb\ufffdc d", line)
        # Every row ends in its status column, however long its ARN.
        for name in ("title-setter", "wide", "bidi", "invalid-utf8", "huge"):
            line = row(text, "default", name)
            self.assertTrue(line.rstrip().endswith("missing role"), line)

    def test_role_with_hostile_trust_policy(self):
        screen = self.open()
        screen.wait_for("hostile")
        screen.keys("3")
        screen.wait_for("IAM roles (2)")
        screen.keys("/")
        screen.type("hostile-role")
        screen.keys("Enter")
        screen.wait_for('filter "hostile-role"')
        text = self.check_intact(screen, "IAM roles")
        line = row(text, "hostile-role")
        self.assertIn("/\ufffdhtap/", line)
        screen.keys("d")
        screen.wait_for("Trust policy", "pwned-trust")
        screen.wait_idle()
        text = self.check_intact(screen, "hostile-role")
        # JSON escapes in the document stay visible text; characters that
        # JSON carries raw (C1, bidirectional) are replaced.
        self.assertIn("oidc-provider/\\u001b]0;pwned-trust\\u0007", text)
        self.assertIn('"\\u001b[31msub\\u001b[0m"', text)
        self.assertIn("serviceaccount:\ufffddefault:wide\ufffd1;1H", text)
        self.assertIn("Description  \ufffd2J clears", text)

    def test_ingresses_pane(self):
        screen = self.open()
        screen.wait_for("hostile")
        screen.keys("4")
        screen.wait_for("hostile-ingress")
        screen.wait_idle()
        text = self.check_intact(screen, "Ingresses of hostile")
        line = row(text, "default", "hostile-ingress")
        self.assertIn("alb\ufffd[5m", line)
        self.assertIn("shop\ufffd[2K.example.com", line)


if __name__ == "__main__":
    unittest.main()

"""make run's script, sandbox/demo.sh, in tmux: it opens the UI on the
demo world, and quitting the UI stops the sandbox and removes its files."""

import glob
import os
import subprocess
import tempfile
import time
import unittest

import sandbox

DEMO_SH = os.path.join(sandbox.ROOT, "sandbox", "demo.sh")


class DemoScript(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="albatross-demo-test-")
        self.socket = os.path.join(self.tmp.name, "tmux")
        self.addCleanup(self.tmp.cleanup)
        self.addCleanup(lambda: subprocess.run(["tmux", "-S", self.socket, "kill-server"],
                                               capture_output=True))

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.socket] + list(args),
                              capture_output=True, text=True, check=True).stdout

    def wait_for(self, text, seconds=30):
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.tmux("capture-pane", "-p", "-t", "demo")
            if text in screen:
                return screen
            time.sleep(0.2)
        self.fail("%r did not appear; the screen was:\n%s" % (text, screen))

    def test_opens_ui_and_stops_sandbox_on_quit(self):
        env_tmp = os.path.join(self.tmp.name, "t")
        os.mkdir(env_tmp)
        status = os.path.join(self.tmp.name, "status")
        command = "TMPDIR=%s HOME=%s sh %s; echo $? > %s" % (env_tmp, self.tmp.name, DEMO_SH, status)
        self.tmux("new-session", "-d", "-s", "demo", "-x", "150", "-y", "40", command)
        self.wait_for("alb-demo-cluster")
        self.wait_for("account 111122223333")
        self.assertEqual(len(glob.glob(os.path.join(env_tmp, "albatross-demo.*"))), 1)

        self.tmux("send-keys", "-t", "demo", "q")
        deadline = time.monotonic() + 15
        while not os.path.exists(status) and time.monotonic() < deadline:
            time.sleep(0.1)
        with open(status) as f:
            self.assertEqual(f.read().strip(), "0")
        self.assertEqual(glob.glob(os.path.join(env_tmp, "albatross-*")), [],
                         "the demo or the sandbox left files behind")


if __name__ == "__main__":
    unittest.main()

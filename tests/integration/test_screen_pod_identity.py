"""The service account pane and description with EKS Pod Identity, driven
through tmux against tests/worlds/pod-identity.yaml: the POD IDENTITY
column next to the IRSA role, and `d` describing both mechanisms with
the conflict, untrusted-role and missing-agent findings."""

import os
import shutil
import unittest

import sandbox
from sandbox import Sandbox
from test_screen import Screen, row

WORLD = os.path.join(sandbox.TEST_WORLDS, "pod-identity.yaml")
ROLE = "arn:aws:iam::111122223333:role/"
REGION = "us-east-2"


class PodsScreen(unittest.TestCase):
    """A sandbox of the world for the class, and the pods cluster's
    service accounts pane; the tests are in the subclasses."""

    @classmethod
    def setUpClass(cls):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        cls.box = Sandbox(world=WORLD).start()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()

    def open_pods(self):
        screen = Screen(self.box, ("--cluster", "pods"))
        self.addCleanup(screen.close)
        screen.wait_for("pods")
        screen.keys("2")
        screen.wait_for("Service accounts of pods", "POD IDENTITY")
        screen.wait_idle()
        # The associations arrive after the service accounts.
        return screen, screen.wait_for("pod-writer (conflict)")

    def describe(self, screen, name):
        screen.keys("/")
        screen.type(name)
        screen.keys("Enter")
        screen.wait_for('filter "%s"' % name)
        screen.keys("d")
        return screen.wait_for("Service account apps/%s" % name)


class PodIdentityScreenTest(PodsScreen):

    def test_column_beside_irsa_role(self):
        _, text = self.open_pods()
        expected = [
            ("conflict", "pod-writer (conflict)", ROLE + "irsa-reader"),
            ("pod-only", "pod-reader", "-"),
            ("same-role", "pod-reader", ROLE + "pod-reader"),
            ("untrusted", "irsa-reader (not trusted)", "-"),
            ("irsa-only", "-", ROLE + "irsa-reader"),
            ("nothing", "-", "-"),
        ]
        for name, pod, irsa in expected:
            with self.subTest(name=name):
                self.assertIsNotNone(row(text, "apps", name, pod, irsa), text)

    def test_describe_shows_conflict(self):
        screen, _ = self.open_pods()
        text = self.describe(screen, "conflict")
        self.assertIn("Identity        conflict", text)
        self.assertIsNotNone(row(text, "Role", ROLE + "irsa-reader"), text)
        self.assertIsNotNone(row(text, "Role", ROLE + "pod-writer"), text)
        self.assertIn("Conflict: IRSA and Pod Identity give different roles",
                      text)
        self.assertIsNotNone(row(text, "IRSA", ROLE + "irsa-reader"), text)
        self.assertIsNotNone(row(text, "Pod Identity", ROLE + "pod-writer"),
                             text)
        screen.keys("Escape")
        screen.wait_for("Service accounts of pods")

    def test_describe_flags_untrusted_role(self):
        screen, _ = self.open_pods()
        text = self.describe(screen, "untrusted")
        self.assertIsNotNone(row(text, "Status", "not trusted"), text)
        self.assertIn("does not trust the service principal "
                      "pods.eks.amazonaws.com", text)
        self.assertIn("The Pod Identity agent cannot assume the "
                      "association's role", text)
        self.assertNotIn("Conflict:", text)

    def test_describe_same_role_has_no_finding(self):
        screen, _ = self.open_pods()
        text = self.describe(screen, "same-role")
        self.assertIn("Identity        both", text)
        self.assertNotIn("Findings", text)


class MissingAgentScreenTest(PodsScreen):
    """The same world after the eks-pod-identity-agent add-on is deleted,
    in a sandbox of its own: every association loses its credentials."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box.aws("--region", REGION, "eks", "delete-addon", "--cluster-name",
                    "pods", "--addon-name", "eks-pod-identity-agent")

    def test_describe_flags_missing_agent(self):
        screen, _ = self.open_pods()
        text = self.describe(screen, "pod-only")
        self.assertIn("Findings", text)
        self.assertIn("The cluster has no eks-pod-identity-agent add-on", text)


if __name__ == "__main__":
    unittest.main()

"""The EKS identity actions driven through tmux against the sandbox:
associating a cluster's IAM OIDC provider from the clusters pane, and
creating and deleting a service account's EKS Pod Identity association
from the service accounts pane. Each shows its calls before the
confirmation, sends nothing until y, and updates the pane afterwards.
Under --readonly the write is rejected and never reaches the sandbox.
The aws CLI reads the sandbox afterwards, and OpenSSL's command line
computes the thumbprint the preview must show. The checks the UI makes
before an action starts are repeated by the action layer, which
build/tools/action_tool drives here the way the UI does."""

import json
import os
import re
import shutil
import subprocess
import unittest

import sandbox
from sandbox import Sandbox
from test_oidc import last_cert_sha1
from test_screen import HEIGHT, Screen, row

ACCOUNT = "111122223333"
DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
POD_WORLD = os.path.join(sandbox.TEST_WORLDS, "pod-identity.yaml")
NO_PROVIDER = "legacy-batch"        # demo: oidc: true, oidcProvider: false
NO_PROVIDER_REGION = "us-west-2"
WITH_PROVIDER = "alb-demo-cluster"
TOOL = os.path.join(sandbox.ROOT, os.environ.get("ALBATROSS_BUILD", "build"),
                    "tools", "action_tool")


def role(name):
    return "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)


def filter_rows(screen, text):
    screen.keys("/")
    screen.type(text)
    screen.keys("Enter")
    return screen.wait_for('filter "%s"' % text)


def command(screen, name):
    """Runs the `:` command name, the readonly tests' way to the action."""
    screen.keys(":")
    screen.type(name)
    screen.keys("Enter")


@unittest.skipUnless(shutil.which("tmux"), "tmux is not installed")
@unittest.skipUnless(shutil.which("aws"), "the aws CLI is not installed")
@unittest.skipUnless(shutil.which("openssl"), "openssl is not installed")
class AssociateOidcScreenTest(unittest.TestCase):
    """Each test gets its own sandbox: associating changes the account."""

    def setUp(self):
        self.box = Sandbox(DEMO).start()
        self.addCleanup(self.box.stop)

    def open(self, *args):
        screen = Screen(self.box, args)
        self.addCleanup(screen.close)
        screen.wait_for(WITH_PROVIDER)
        screen.wait_idle()
        return screen

    def select_cluster(self, screen, name):
        text = filter_rows(screen, name)
        self.assertIsNotNone(row(text, name), text)
        return text

    def providers(self):
        out = self.box.aws("iam", "list-open-id-connect-providers").stdout
        return [p["Arn"] for p in json.loads(out)["OpenIDConnectProviderList"]]

    def issuer(self):
        out = self.box.aws("--region", NO_PROVIDER_REGION, "eks",
                           "describe-cluster", "--name", NO_PROVIDER).stdout
        return json.loads(out)["cluster"]["identity"]["oidc"]["issuer"]

    def port(self):
        return int(self.box.env["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])

    def test_associate_shows_call_then_provider(self):
        before = self.providers()
        screen = self.open()
        text = self.select_cluster(screen, NO_PROVIDER)
        self.assertIsNotNone(row(text, NO_PROVIDER, NO_PROVIDER_REGION),
                             text)
        self.assertIn("no provider", row(text, NO_PROVIDER))
        screen.keys("O")
        text = screen.wait_for("Confirm associate oidc-provider",
                               "CreateOpenIDConnectProvider")
        self.assertIn(self.issuer(), text)
        self.assertIn("sts.amazonaws.com", text)
        self.assertIn(last_cert_sha1(self.port()), text)
        self.assertIn("TagResource", text)
        self.assertEqual(self.providers(), before, "sent before the confirmation")
        screen.keys("y")
        screen.wait_for("done: ")
        host = self.issuer()[len("https://"):]
        created = [a for a in self.providers() if a not in before]
        self.assertEqual(created, ["arn:aws:iam::%s:oidc-provider/%s"
                                   % (ACCOUNT, host)])
        text = screen.wait_gone("no provider")
        line = row(text, NO_PROVIDER, NO_PROVIDER_REGION)
        self.assertIsNotNone(line, text)
        self.assertIn(" yes ", line)

    def test_cluster_with_provider_rejected(self):
        before = len(self.box.output())
        screen = self.open()
        self.select_cluster(screen, WITH_PROVIDER)
        screen.keys("O")
        text = screen.wait_for("has an IAM OIDC provider already")
        self.assertIn(WITH_PROVIDER, text)
        self.assertNotIn("Confirm associate", text)
        self.assertNotIn("CreateOpenIDConnectProvider",
                         self.box.output()[before:])

    def test_help_lists_associate_key(self):
        screen = self.open()
        self.assertIn("O oidc", screen.lines()[HEIGHT - 1])
        screen.keys("?")
        text = screen.wait_for("Help: keys of the clusters pane")
        line = next((l for l in text.splitlines() if l.startswith("O ")), None)
        self.assertIsNotNone(line, text)
        self.assertIn(":associate-oidc", line)
        self.assertIn("Associate an IAM OIDC provider", line)

    def test_readonly_rejects_associate(self):
        before_providers = self.providers()
        screen = self.open("--readonly")
        since = len(self.box.output())
        self.select_cluster(screen, NO_PROVIDER)
        command(screen, "associate-oidc")
        screen.wait_for("Confirm associate oidc-provider",
                        "session is read-only")
        screen.keys("y")
        text = screen.wait_for("rejected: the session is read-only")
        self.assertIn("nothing was sent", text)
        log = self.box.output()[since:]
        self.assertNotIn("CreateOpenIDConnectProvider", log)
        self.assertNotIn("TagResource", log)
        self.assertEqual(self.providers(), before_providers)


class PodWorldTest(unittest.TestCase):
    """One sandbox of tests/worlds/pod-identity.yaml for the class: each
    test acts on service accounts of its own."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox(world=POD_WORLD).start()

    @classmethod
    def tearDownClass(cls):
        cls.box.stop()


@unittest.skipUnless(shutil.which("tmux"), "tmux is not installed")
@unittest.skipUnless(shutil.which("aws"), "the aws CLI is not installed")
class PodIdentityActionsScreenTest(PodWorldTest):

    def open(self, *args):
        screen = Screen(self.box, ("--cluster", "pods") + args)
        self.addCleanup(screen.close)
        screen.wait_for("pods")
        screen.keys("2")
        screen.wait_for("Service accounts of pods", "POD IDENTITY")
        screen.wait_idle()
        # The associations arrive after the service accounts.
        screen.wait_for("pod-writer (conflict)")
        return screen

    def select(self, screen, name):
        text = filter_rows(screen, name)
        self.assertIsNotNone(row(text, "apps", name), text)
        return text

    def associations(self, name):
        out = self.box.aws("--region", "us-east-2", "eks",
                           "list-pod-identity-associations", "--cluster-name",
                           "pods", "--namespace", "apps", "--service-account",
                           name).stdout
        return json.loads(out)["associations"]

    def writes(self, since):
        return re.findall(r"^albatross-sandbox: (POST|DELETE) "
                          r"(/clusters/[^ ]*pod-identity-associations[^ ]*) ",
                          self.box.output()[since:], re.M)

    def pick_role(self, screen, account, name):
        screen.wait_for("Associate (EKS Pod Identity) apps/%s" % account)
        filter_rows(screen, "role/" + name)
        screen.keys("Enter")

    def test_create_shows_call_then_column(self):
        self.assertEqual(self.associations("nothing"), [])
        screen = self.open()
        self.select(screen, "nothing")
        screen.keys("P")
        self.pick_role(screen, "nothing", "pod-reader")
        text = screen.wait_for("Confirm create podidentityassociation",
                               "CreatePodIdentityAssociation")
        self.assertIn("/clusters/pods/pod-identity-associations", text)
        self.assertIn(role("pod-reader"), text)
        self.assertIn('"serviceAccount":"nothing"', text.replace(" ", ""))
        self.assertNotIn("EKS will reject", text)
        self.assertEqual(self.associations("nothing"), [],
                         "sent before the confirmation")
        screen.keys("y")
        screen.wait_for("done: ")
        listed = self.associations("nothing")
        self.assertEqual([a["serviceAccount"] for a in listed], ["nothing"])
        text = screen.wait_for("pod-reader")
        line = row(text, "apps", "nothing", "pod-reader")
        self.assertIsNotNone(line, text)

    def test_create_warns_of_untrusted_role(self):
        screen = self.open()
        self.select(screen, "irsa-only")
        screen.keys("P")
        self.pick_role(screen, "irsa-only", "pod-no-tag-session")
        text = screen.wait_for("Confirm create podidentityassociation")
        self.assertIn("EKS will reject role pod-no-tag-session", text)
        self.assertIn("sts:TagSession", text)
        screen.keys("Escape")
        screen.wait_for("cancelled: nothing was sent")
        self.assertEqual(self.associations("irsa-only"), [])

    def test_create_rejected_when_associated(self):
        before = self.associations("conflict")
        screen = self.open()
        self.select(screen, "conflict")
        screen.keys("P")
        text = screen.wait_for("has pod identity association")
        self.assertIn("already: delete it first", text)
        self.assertNotIn("Confirm create", text)
        self.assertEqual(self.associations("conflict"), before)

    def test_cluster_without_issuer_rejected(self):
        since = len(self.box.output())
        screen = self.open()
        screen.keys("1")
        screen.wait_for("Clusters (")
        text = filter_rows(screen, "empty")
        self.assertIsNotNone(row(text, "empty"), text)
        screen.keys("O")
        text = screen.wait_for("EKS reports no OIDC issuer for cluster empty")
        self.assertNotIn("Confirm associate", text)
        self.assertNotIn("CreateOpenIDConnectProvider",
                         self.box.output()[since:])

    def test_delete_asks_then_clears_column(self):
        [assoc] = self.associations("pod-only")
        screen = self.open()
        text = self.select(screen, "pod-only")
        self.assertIsNotNone(row(text, "apps", "pod-only", "pod-reader"), text)
        screen.keys("X")
        text = screen.wait_for("Confirm delete podidentityassociation",
                               "DeletePodIdentityAssociation")
        self.assertIn(assoc["associationId"], text)
        self.assertEqual(len(self.associations("pod-only")), 1,
                         "sent before the confirmation")
        screen.keys("y")
        screen.wait_for("done: ")
        self.assertEqual(self.associations("pod-only"), [])
        text = screen.wait_gone("pod-reader")
        line = row(text, "apps", "pod-only", "-")
        self.assertIsNotNone(line, text)

    def test_readonly_rejects_create_and_delete(self):
        since = len(self.box.output())
        screen = self.open("--readonly")
        self.select(screen, "irsa-only")
        command(screen, "podidentity")
        self.pick_role(screen, "irsa-only", "pod-reader")
        screen.wait_for("Confirm create podidentityassociation",
                        "session is read-only")
        screen.keys("y")
        text = screen.wait_for("rejected: the session is read-only")
        self.assertIn("nothing was sent", text)
        screen.keys("Escape")
        self.select(screen, "same-role")
        command(screen, "delete-podidentity")
        screen.wait_for("Confirm delete podidentityassociation",
                        "session is read-only")
        screen.keys("y")
        screen.wait_for("rejected: the session is read-only")
        self.assertEqual(self.writes(since), [])
        self.assertEqual(self.associations("irsa-only"), [])
        self.assertEqual(len(self.associations("same-role")), 1)

    def test_help_lists_pod_identity_keys(self):
        screen = self.open()
        screen.keys("?")
        text = screen.wait_for("Help: keys of the service accounts pane")
        lines = text.splitlines()
        for key, words in (("P", "Create an EKS Pod Identity association"),
                           ("X", "Delete the service account's EKS Pod")):
            self.assertTrue(any(l.startswith(key + " ") and words in l
                                for l in lines),
                            "%s %s not in help:\n%s" % (key, words, text))
        screen.keys("Escape")
        screen.keys(":")
        screen.type("podid")
        screen.keys("Tab")
        screen.wait_for(":podidentity")


@unittest.skipUnless(os.path.exists(TOOL), "build/tools/action_tool is not "
                     "built: run make unit")
class IdentityActionLayerTest(PodWorldTest):
    """The kinds' own checks, which the UI's early messages repeat."""

    def tool(self, *args):
        since = len(self.box.output())
        res = subprocess.run([TOOL, "--cluster", "pods"] + list(args),
                             env=self.box.client_env(), capture_output=True,
                             text=True, timeout=60)
        log = self.box.output()[since:]
        writes = re.findall(r"^albatross-sandbox: (POST|DELETE) (\S+) ", log,
                            re.M)
        return res, writes, log

    def test_create_rejected_when_associated(self):
        res, writes, _ = self.tool("create-podidentityassociation",
                                   "namespace=apps", "service_account=conflict",
                                   "role_arn=" + role("pod-reader"))
        self.assertEqual(res.returncode, 1)
        self.assertIn("ResourceInUseException", res.stderr)
        self.assertIn("already: delete it first", res.stderr)
        self.assertEqual(writes, [])

    def test_delete_without_association_rejected(self):
        res, writes, _ = self.tool("delete-podidentityassociation",
                                   "namespace=apps", "service_account=nothing")
        self.assertEqual(res.returncode, 1)
        self.assertIn("ResourceNotFoundException", res.stderr)
        self.assertIn("apps/nothing", res.stderr)
        self.assertEqual(writes, [])

    def test_associate_rejected_with_provider(self):
        res, _, log = self.tool("associate-oidc-provider")
        self.assertEqual(res.returncode, 1)
        self.assertIn("AlreadyExists: cluster pods has an IAM OIDC provider "
                      "already", res.stderr)
        self.assertNotIn("CreateOpenIDConnectProvider", log)

    def test_readonly_create_sends_nothing(self):
        res, writes, _ = self.tool("--readonly", "create-podidentityassociation",
                                   "namespace=apps", "service_account=nothing",
                                   "role_arn=" + role("pod-reader"))
        self.assertEqual(res.returncode, 1)
        self.assertIn("ReadOnly", res.stderr)
        self.assertIn("step EKS CreatePodIdentityAssociation: failed",
                      res.stdout)
        self.assertEqual(writes, [])


if __name__ == "__main__":
    unittest.main()

"""The demo world's newcomer walkthrough in the UI, driven through tmux.

legacy-batch has no IAM OIDC provider and no controller. On it the keys
alone associate the provider (O), give the app's service account an
IRSA role stack (C) and install the AWS Load Balancer Controller (I),
whose rollout the progress view shows. The ingresses pane then shows
the ingresses' new ALBs. Last, K deletes the app's role stack and X
uninstalls the controller. The aws CLI and kubectl judge each step, so
the test fails if a key only prints a message.
"""

import json
import os
import shutil
import time
import unittest

import sandbox
from sandbox import Sandbox
from test_screen import Screen, row

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
ACCOUNT = "111122223333"
CLUSTER = "legacy-batch"
REGION = "us-west-2"
CONTEXT = "arn:aws:eks:%s:%s:cluster/%s" % (REGION, ACCOUNT, CLUSTER)
APP_NS, APP_NAME = "batch", "report-exporter"
APP_STACK = "eksctl-%s-addon-iamserviceaccount-%s-%s" % (CLUSTER, APP_NS, APP_NAME)
APP_POLICY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
CONTROLLER_STACK = ("eksctl-%s-addon-iamserviceaccount-kube-system-"
                    "aws-load-balancer-controller" % CLUSTER)
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
INSTALLED = 'the AWS Load Balancer Controller v2.4.7 runs in "%s"' % CLUSTER
REMOVED = 'the AWS Load Balancer Controller is uninstalled from "%s"' % CLUSTER
# The world's clock runs 20 times as fast, so ALBs turn active quickly.
CLOCK = ("--clock-speed", "20")


def poll(probe, seconds=60):
    """probe's first true value within seconds, else its last."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


@unittest.skipUnless(shutil.which("tmux"), "tmux is not installed")
@unittest.skipUnless(shutil.which("aws"), "the aws CLI is not installed")
@unittest.skipUnless(shutil.which("kubectl"), "kubectl is not installed")
class UiWalkthroughTest(unittest.TestCase):

    def setUp(self):
        self.box = Sandbox(world=DEMO, args=CLOCK).start()
        self.addCleanup(self.box.stop)
        self.screen = Screen(self.box, (), width=200, height=140,
                             NO_COLOR="1", ALBATROSS_APPLY_POLL_MS="100",
                             AWS_REGION=REGION)
        self.addCleanup(self.screen.close)
        self.screen.wait_for(CLUSTER)
        self.screen.wait_idle()

    # ---- oracles ----

    def aws(self, *args):
        """The aws CLI's JSON reply in legacy-batch's region, or None."""
        res = self.box.aws("--region", REGION, *args, check=False)
        if res.returncode != 0:
            return None
        return json.loads(res.stdout) if res.stdout.strip() else {}

    def stacks(self):
        return [s["StackName"]
                for s in self.aws("cloudformation", "describe-stacks")["Stacks"]]

    def app_role_arn(self):
        out = self.box.kubectl("--context", CONTEXT, "-n", APP_NS, "get",
                               "serviceaccount", APP_NAME, "-o", "json").stdout
        annotations = json.loads(out)["metadata"].get("annotations") or {}
        return annotations.get(ROLE_ANNOTATION)

    def ingress_hostname(self, name):
        out = self.box.kubectl("--context", CONTEXT, "-n", APP_NS, "get",
                               "ingress", name, "-o", "json").stdout
        lb = json.loads(out)["status"].get("loadBalancer") or {}
        return (lb.get("ingress") or [{}])[0].get("hostname")

    def deployment(self):
        res = self.box.kubectl("--context", CONTEXT, "-n", "kube-system", "get",
                               "deployment", "aws-load-balancer-controller",
                               "-o", "json", check=False)
        return json.loads(res.stdout) if res.returncode == 0 else None

    # ---- keys ----

    def command(self, text):
        self.screen.keys(":")
        self.screen.type(text)
        self.screen.keys("Enter")

    def select(self, text):
        self.screen.keys("/")
        self.screen.type(text)
        self.screen.keys("Enter")
        return self.screen.wait_for('filter "%s"' % text)

    def open_cluster_row(self):
        self.screen.keys("1")
        self.screen.wait_for("Clusters (")
        self.screen.wait_idle()
        text = self.select(CLUSTER)
        self.assertIsNotNone(row(text, CLUSTER, REGION), text)
        return text

    def open_app_account(self):
        self.command("sa " + CLUSTER)
        self.screen.wait_for("Service accounts of " + CLUSTER)
        self.screen.wait_idle()
        text = self.select(APP_NAME)
        self.assertIsNotNone(row(text, APP_NS, APP_NAME), text)

    # ---- the walk ----

    def associate_provider(self):
        text = self.open_cluster_row()
        self.assertIn("no provider", row(text, CLUSTER))
        self.screen.keys("O")
        self.screen.wait_for("Confirm associate oidc-provider",
                             "CreateOpenIDConnectProvider")
        self.screen.keys("y")
        self.screen.wait_for("done: ")
        self.screen.wait_gone("no provider")
        issuer = self.aws("eks", "describe-cluster", "--name", CLUSTER)[
            "cluster"]["identity"]["oidc"]["issuer"]
        arns = [p["Arn"] for p in self.aws("iam", "list-open-id-connect-providers")[
            "OpenIDConnectProviderList"]]
        self.assertIn("arn:aws:iam::%s:oidc-provider/%s"
                      % (ACCOUNT, issuer[len("https://"):]), arns)

    def create_app_role(self):
        self.open_app_account()
        self.screen.keys("C")
        self.screen.wait_for("Create a role for %s/%s" % (APP_NS, APP_NAME))
        self.screen.type(APP_POLICY)
        self.screen.keys("Enter")
        self.screen.wait_for("Confirm create role", "CreateStack", APP_STACK)
        self.screen.keys("y")
        self.screen.wait_for("Progress: ", "CREATE_COMPLETE", timeout=60)
        self.screen.wait_for("done: ", timeout=60)
        self.screen.keys("Escape")
        outputs = self.aws("cloudformation", "describe-stacks", "--stack-name",
                           APP_STACK)["Stacks"][0]["Outputs"]
        role_arn = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "Role1")
        self.assertEqual(self.app_role_arn(), role_arn)
        return role_arn

    def install_controller(self):
        self.open_cluster_row()
        self.screen.keys("I")
        self.screen.wait_for("install the AWS Load Balancer Controller on " + CLUSTER)
        self.screen.keys("y")
        text = self.screen.wait_for(INSTALLED, timeout=180)
        # The progress view showed the rollout as it happened.
        self.assertIn("is rolled out", text)
        dep = self.deployment()
        self.assertIsNotNone(dep)
        self.assertEqual(dep["status"].get("availableReplicas"), dep["spec"]["replicas"])
        self.assertIn(CONTROLLER_STACK, self.stacks())
        self.screen.keys("Escape")

    def see_albs(self):
        """Both ingresses get an ALB; the pane shows the address ELBv2
        reports for it."""
        hostnames = {name: poll(lambda: self.ingress_hostname(name))
                     for name in ("reports", "jobs-api")}
        dns = {lb["DNSName"] for lb in
               self.aws("elbv2", "describe-load-balancers")["LoadBalancers"]}
        for name, host in hostnames.items():
            self.assertIsNotNone(host, "ingress %s got no ALB" % name)
            self.assertIn(host, dns)
        self.command("ing " + CLUSTER)
        self.screen.wait_for("reports")
        text = self.screen.wait_for(hostnames["reports"], timeout=60)
        self.assertIn(hostnames["reports"], row(text, APP_NS, "reports") or "", text)

    def delete_app_role(self, role_arn):
        self.open_app_account()
        self.screen.keys("K")
        self.screen.wait_for("Confirm delete role", "DeleteStack", APP_STACK)
        self.screen.type(APP_NAME)
        self.screen.keys("Enter")
        self.screen.wait_for("done: ", timeout=60)
        self.screen.keys("Escape")
        self.assertNotIn(APP_STACK, self.stacks())
        self.assertIsNone(self.app_role_arn())
        self.assertIsNone(self.aws("iam", "get-role", "--role-name",
                                   role_arn.rsplit("/", 1)[1]))

    def uninstall_controller(self):
        self.open_cluster_row()
        self.screen.keys("X")
        self.screen.wait_for("uninstall the AWS Load Balancer Controller from " + CLUSTER)
        self.screen.keys("y")
        self.screen.wait_for(REMOVED, timeout=180)
        self.assertIsNone(self.deployment())
        self.assertNotIn(CONTROLLER_STACK, self.stacks())

    def test_walkthrough_then_undo(self):
        self.associate_provider()
        role_arn = self.create_app_role()
        self.install_controller()
        self.see_albs()
        self.delete_app_role(role_arn)
        self.uninstall_controller()


if __name__ == "__main__":
    unittest.main()

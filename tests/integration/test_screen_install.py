"""Installing the AWS Load Balancer Controller from the clusters pane,
driven through tmux against the sandbox: `I` asks first, `n` sends
nothing, `y` runs the installation on the UI's worker with the progress
view, and the result is checked with kubectl and the aws CLI: the
Deployment rolled out, the IRSA stack exists, and the world's ingress
gets an ALB from the sandbox's controller. `X` then uninstalls it and
the Deployment and the stack are gone. Under --readonly the same keys
reach no write."""

import json
import os
import shutil
import time
import unittest

import sandbox
from sandbox import Sandbox
from test_screen import Screen

WORLD = os.path.join(sandbox.TEST_WORLDS, "lbc-install.yaml")
CLUSTER = "shop"
STACK = ("eksctl-shop-addon-iamserviceaccount-kube-system-"
         "aws-load-balancer-controller")
QUESTION = "install the AWS Load Balancer Controller on shop"
DONE = 'the AWS Load Balancer Controller v2.4.7 runs in "shop"'
REMOVED = 'the AWS Load Balancer Controller is uninstalled from "shop"'


def poll(probe, seconds=60):
    """probe's first true value within seconds, else its last."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


class InstallFromUiTest(unittest.TestCase):

    def setUp(self):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        self.box = Sandbox(world=WORLD).start()
        self.addCleanup(self.box.stop)

    def open(self, *args):
        screen = Screen(self.box, args, width=160, height=140, NO_COLOR="1",
                        ALBATROSS_APPLY_POLL_MS="100")
        self.addCleanup(screen.close)
        screen.wait_for("clusters")
        screen.wait_idle()
        screen.keys("/")
        screen.type(CLUSTER)
        screen.keys("Enter")
        screen.wait_idle()
        return screen

    def deployment(self):
        res = self.box.kubectl("get", "deployment",
                               "aws-load-balancer-controller", "-n",
                               "kube-system", "-o", "json", check=False)
        return json.loads(res.stdout) if res.returncode == 0 else None

    def stacks(self):
        out = self.box.aws("cloudformation", "describe-stacks",
                           "--region", "us-east-2").stdout
        return [s["StackName"] for s in json.loads(out)["Stacks"]]

    def test_install_then_uninstall(self):
        screen = self.open()
        screen.keys("I")
        screen.wait_for(QUESTION)
        screen.keys("n")
        screen.wait_idle()
        self.assertIsNone(self.deployment())
        self.assertNotIn(STACK, self.stacks())

        screen.keys("I")
        screen.wait_for(QUESTION)
        screen.keys("y")
        screen.wait_for("install the AWS Load Balancer Controller on shop",
                        timeout=30)
        screen.wait_for(DONE, timeout=120)

        dep = self.deployment()
        self.assertIsNotNone(dep)
        status = dep["status"]
        self.assertEqual(status.get("availableReplicas"),
                         dep["spec"]["replicas"])
        self.assertIn(STACK, self.stacks())

        def hostname():
            ing = self.box.kubectl("get", "ingress", "web", "-n", "web",
                                   "-o", "json")
            lb = json.loads(ing.stdout)["status"].get("loadBalancer", {})
            return (lb.get("ingress") or [{}])[0].get("hostname")
        name = poll(hostname)
        self.assertTrue(name and name.endswith(".elb.amazonaws.com"), name)

        screen.keys("Escape")
        screen.wait_idle()
        screen.keys("X")
        screen.wait_for("uninstall the AWS Load Balancer Controller from "
                        "shop")
        screen.keys("y")
        screen.wait_for(REMOVED, timeout=120)
        self.assertIsNone(self.deployment())
        self.assertNotIn(STACK, self.stacks())

    def test_readonly_makes_no_write(self):
        screen = self.open("--readonly")
        screen.keys("I")
        screen.wait_for(QUESTION)
        screen.keys("y")
        screen.wait_for("failed", timeout=60)
        self.assertIsNone(self.deployment())
        self.assertNotIn(STACK, self.stacks())


if __name__ == "__main__":
    unittest.main()

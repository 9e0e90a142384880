"""albatross install|upgrade controller's check of the node roles: a node
role that may create or delete load balancers gets a warning with the
command that removes the policy, and the install goes on.

The world is tests/worlds/lbc-node-roles.yaml. The aws CLI is the oracle
for the roles' policies after the fix commands ran.
"""

import json
import os
import re
import shutil
import unittest

import sandbox
from sandbox import Sandbox
from test_screen import Screen

WORLD = os.path.join(sandbox.TEST_WORLDS, "lbc-node-roles.yaml")
CLUSTER = "shop"
REGION = "us-east-2"
ACCOUNT = "111122223333"
POLICY_ARN = "arn:aws:iam::%s:policy/AWSLoadBalancerControllerIAMPolicy" % ACCOUNT
ELB_FULL_ACCESS = "arn:aws:iam::aws:policy/ElasticLoadBalancingFullAccess"
NG1_ROLE = "eksctl-shop-nodegroup-ng-1-NodeInstanceRole-A1B2C3D4E5F6"
FAST = ("--poll-interval", "100")
FIX = re.compile(r"node group [^:]+: remove the policy with: (albatross .*)$")


def run(sb, verb, *args):
    return sb.albatross(verb, "controller", "--cluster", CLUSTER, *FAST, *args,
                        check=False, timeout=120, AWS_REGION=REGION)


def warnings(res):
    return [line for line in res.stdout.splitlines() if "[!]" in line]


def node_warnings(res, nodegroup):
    """The warnings about nodegroup's node role, in order."""
    return [w for w in warnings(res) if "node group %s:" % nodegroup in w]


def finding_and_fix(test, res, nodegroup):
    """The two warnings about one policy of nodegroup's role: the finding
    and the line with the command that removes the policy."""
    lines = node_warnings(res, nodegroup)
    test.assertEqual(len(lines), 2, res.stdout)
    return lines[0], lines[1]


def attached_arns(sb, role):
    out = sb.aws("iam", "list-attached-role-policies", "--role-name", role).stdout
    return [p["PolicyArn"] for p in json.loads(out)["AttachedPolicies"]]


def inline_names(sb, role):
    out = sb.aws("iam", "list-role-policies", "--role-name", role).stdout
    return json.loads(out)["PolicyNames"]


class FirstInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(world=WORLD).start()
        cls.res = run(cls.sb, "install")

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()

    def test_install_still_succeeds(self):
        self.assertEqual(self.res.returncode, 0, self.res.stdout + self.res.stderr)
        self.assertIn("runs in \"shop\"", self.res.stdout)

    def test_attached_policy_warning(self):
        finding, fix = finding_and_fix(self, self.res, "ng-1")
        self.assertIn("node role %s" % NG1_ROLE, finding)
        self.assertIn("managed policy %s, which grants" % POLICY_ARN, finding)
        self.assertIn("elasticloadbalancing:CreateLoadBalancer", finding)
        self.assertIn("elasticloadbalancing:DeleteLoadBalancer", finding)
        self.assertTrue(fix.endswith("node group ng-1: remove the policy with: "
                                     "albatross detach policy %s --role %s"
                                     % (POLICY_ARN, NG1_ROLE)), fix)

    def test_inline_policy_warning(self):
        finding, fix = finding_and_fix(self, self.res, "ng-2")
        self.assertIn("inline policy alb-ingress, which grants", finding)
        self.assertTrue(fix.endswith("albatross delete policy alb-ingress "
                                     "--inline --role shop-legacy-nodes"), fix)

    def test_deny_in_other_policy_wins(self):
        self.assertEqual(node_warnings(self.res, "ng-3"), [])
        self.assertIn("[✔]  node group ng-3: node role shop-guarded-nodes cannot "
                      "create or delete load balancers", self.res.stdout)

    def test_condition_may_grant(self):
        finding, fix = finding_and_fix(self, self.res, "ng-4")
        self.assertIn("which may grant elasticloadbalancing:CreateLoadBalancer "
                      "(statement 1 has a Condition", finding)
        self.assertNotIn("DeleteLoadBalancer", finding)
        self.assertTrue(fix.endswith("albatross delete policy tagged-lb "
                                     "--inline --role shop-tagged-nodes"), fix)

    def test_aws_managed_policy_warning(self):
        finding, fix = finding_and_fix(self, self.res, "ng-6")
        self.assertIn("managed policy %s, which grants" % ELB_FULL_ACCESS, finding)
        self.assertNotIn("AmazonEC2ReadOnlyAccess", finding)
        self.assertTrue(fix.endswith("albatross detach policy %s --role shop-elb-nodes"
                                     % ELB_FULL_ACCESS), fix)

    def test_missing_role_is_warning(self):
        lines = node_warnings(self.res, "ng-5")
        self.assertEqual(len(lines), 1, self.res.stdout)
        self.assertIn("could not read node role arn:aws:iam::%s:role/"
                      "eksctl-shop-nodegroup-ng-5-NodeInstanceRole-" % ACCOUNT, lines[0])
        self.assertIn("NoSuchEntity", lines[0])

    def test_reason_logged_once(self):
        self.assertEqual(self.res.stdout.count("instance metadata service"), 1)

    def test_check_runs_before_changes(self):
        out = self.res.stdout
        self.assertLess(out.index("node group ng-1:"), out.index("steps for the AWS"))


class FixAndInstallAgain(unittest.TestCase):
    """Runs the fix commands that the warnings name, then installs again."""

    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(world=WORLD).start()
        cls.first = run(cls.sb, "install")
        cls.upgrade = run(cls.sb, "upgrade", "--version", "v2.5.4")
        cls.fixes = []
        for line in warnings(cls.first):
            m = FIX.search(line)
            if m:
                cls.fixes.append(m.group(1).split())
        cls.fixed = [cls.sb.albatross(*cmd[1:], check=False) for cmd in cls.fixes]
        cls.again = run(cls.sb, "install")

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()

    def test_upgrade_warns_too(self):
        self.assertEqual(self.upgrade.returncode, 0, self.upgrade.stdout + self.upgrade.stderr)
        finding, fix = finding_and_fix(self, self.upgrade, "ng-1")
        self.assertIn("managed policy %s" % POLICY_ARN, finding)
        self.assertTrue(fix.endswith("albatross detach policy %s --role %s"
                                     % (POLICY_ARN, NG1_ROLE)), fix)

    def test_fix_commands_succeed(self):
        self.assertEqual(len(self.fixes), 4, self.fixes)
        for cmd, res in zip(self.fixes, self.fixed):
            self.assertEqual(res.returncode, 0, "%s: %s" % (" ".join(cmd), res.stderr))

    def test_aws_cli_sees_policies_removed(self):
        self.assertNotIn(POLICY_ARN, attached_arns(self.sb, NG1_ROLE))
        self.assertIn("arn:aws:iam::%s:policy/node-basics" % ACCOUNT,
                      attached_arns(self.sb, NG1_ROLE))
        self.assertEqual(inline_names(self.sb, "shop-legacy-nodes"), [])
        self.assertEqual(inline_names(self.sb, "shop-tagged-nodes"), [])
        self.assertEqual(attached_arns(self.sb, "shop-elb-nodes"),
                         ["arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"])

    def test_second_install_has_no_node_warning(self):
        self.assertEqual(self.again.returncode, 0, self.again.stdout + self.again.stderr)
        for ng in ("ng-1", "ng-2", "ng-3", "ng-4", "ng-6"):
            self.assertEqual(node_warnings(self.again, ng), [], ng)
        self.assertNotIn("instance metadata service", self.again.stdout)
        self.assertIn("[✔]  node group ng-1: node role %s cannot create or "
                      "delete load balancers" % NG1_ROLE, self.again.stdout)


class ProgressView(unittest.TestCase):
    """`I` on the clusters pane runs the same check, and its warnings
    reach the progress view's events."""

    def setUp(self):
        if not shutil.which("tmux"):
            raise unittest.SkipTest("tmux is not installed")
        self.sb = Sandbox(world=WORLD).start()
        self.addCleanup(self.sb.stop)

    def test_install_shows_node_warnings(self):
        screen = Screen(self.sb, (), width=200, height=140, NO_COLOR="1",
                        ALBATROSS_APPLY_POLL_MS="100")
        self.addCleanup(screen.close)
        screen.wait_for("clusters")
        screen.wait_idle()
        screen.keys("/")
        screen.type(CLUSTER)
        screen.keys("Enter")
        screen.wait_idle()
        screen.keys("I")
        screen.wait_for("install the AWS Load Balancer Controller on shop")
        screen.keys("y")
        screen.wait_for('runs in "shop"', timeout=120)
        text = screen.text()
        self.assertIn("[!]  node group ng-1: node role %s has managed policy" % NG1_ROLE, text)
        self.assertIn("[!]  node group ng-2: remove the policy with: albatross delete "
                      "policy alb-ingress --inline --role shop-legacy-nodes", text)


if __name__ == "__main__":
    unittest.main()

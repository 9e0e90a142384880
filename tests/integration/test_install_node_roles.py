"""albatross install|upgrade controller's check of the node roles: a node
role that may create or delete load balancers gets a warning with the
command that removes the policy, and the install goes on.

The world is tests/worlds/lbc-node-roles.yaml. The aws CLI is the oracle
for the roles' policies after the fix commands ran.
"""

import json
import os
import re
import unittest

import sandbox
from sandbox import Sandbox

WORLD = os.path.join(sandbox.TEST_WORLDS, "lbc-node-roles.yaml")
CLUSTER = "shop"
REGION = "us-east-2"
ACCOUNT = "111122223333"
POLICY_ARN = "arn:aws:iam::%s:policy/AWSLoadBalancerControllerIAMPolicy" % ACCOUNT
NG1_ROLE = "eksctl-shop-nodegroup-ng-1-NodeInstanceRole-A1B2C3D4E5F6"
FAST = ("--poll-interval", "100")
FIX = re.compile(r"To remove it: (albatross .*)$")


def run(sb, verb, *args):
    return sb.albatross(verb, "controller", "--cluster", CLUSTER, *FAST, *args,
                        check=False, timeout=120, AWS_REGION=REGION)


def warnings(res):
    return [line for line in res.stdout.splitlines() if "[!]" in line]


def node_warning(res, nodegroup):
    """The one warning about nodegroup's policies, or None."""
    found = [w for w in warnings(res) if "node group %s:" % nodegroup in w]
    if len(found) > 1:
        raise AssertionError("several warnings for %s: %s" % (nodegroup, found))
    return found[0] if found else None


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
        line = node_warning(self.res, "ng-1")
        self.assertIsNotNone(line, self.res.stdout)
        self.assertIn("node role %s" % NG1_ROLE, line)
        self.assertIn("managed policy %s, which grants" % POLICY_ARN, line)
        self.assertIn("elasticloadbalancing:CreateLoadBalancer", line)
        self.assertIn("elasticloadbalancing:DeleteLoadBalancer", line)
        self.assertTrue(line.endswith("albatross detach policy %s --role %s"
                                      % (POLICY_ARN, NG1_ROLE)), line)

    def test_inline_policy_warning(self):
        line = node_warning(self.res, "ng-2")
        self.assertIsNotNone(line, self.res.stdout)
        self.assertIn("inline policy alb-ingress, which grants", line)
        self.assertTrue(line.endswith("albatross delete policy alb-ingress "
                                      "--inline --role shop-legacy-nodes"), line)

    def test_deny_in_other_policy_wins(self):
        self.assertIsNone(node_warning(self.res, "ng-3"))
        self.assertIn("[✔]  node group ng-3: node role shop-guarded-nodes cannot "
                      "create or delete load balancers", self.res.stdout)

    def test_condition_may_grant(self):
        line = node_warning(self.res, "ng-4")
        self.assertIsNotNone(line, self.res.stdout)
        self.assertIn("which may grant elasticloadbalancing:CreateLoadBalancer "
                      "(statement 1 has a Condition", line)
        self.assertNotIn("DeleteLoadBalancer", line)

    def test_missing_role_is_warning(self):
        line = [w for w in warnings(self.res) if "node group ng-5" in w]
        self.assertEqual(len(line), 1, self.res.stdout)
        self.assertIn("could not read node role arn:aws:iam::%s:role/"
                      "eksctl-shop-nodegroup-ng-5-NodeInstanceRole-" % ACCOUNT, line[0])
        self.assertIn("NoSuchEntity", line[0])

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
        line = node_warning(self.upgrade, "ng-1")
        self.assertIsNotNone(line, self.upgrade.stdout)
        self.assertIn("albatross detach policy %s --role %s" % (POLICY_ARN, NG1_ROLE), line)

    def test_fix_commands_succeed(self):
        self.assertEqual(len(self.fixes), 3, self.fixes)
        for cmd, res in zip(self.fixes, self.fixed):
            self.assertEqual(res.returncode, 0, "%s: %s" % (" ".join(cmd), res.stderr))

    def test_aws_cli_sees_policies_removed(self):
        self.assertNotIn(POLICY_ARN, attached_arns(self.sb, NG1_ROLE))
        self.assertIn("arn:aws:iam::%s:policy/node-basics" % ACCOUNT,
                      attached_arns(self.sb, NG1_ROLE))
        self.assertEqual(inline_names(self.sb, "shop-legacy-nodes"), [])
        self.assertEqual(inline_names(self.sb, "shop-tagged-nodes"), [])

    def test_second_install_has_no_node_warning(self):
        self.assertEqual(self.again.returncode, 0, self.again.stdout + self.again.stderr)
        for ng in ("ng-1", "ng-2", "ng-3", "ng-4"):
            self.assertIsNone(node_warning(self.again, ng), ng)
        self.assertIn("[✔]  node group ng-1: node role %s cannot create or "
                      "delete load balancers" % NG1_ROLE, self.again.stdout)


if __name__ == "__main__":
    unittest.main()

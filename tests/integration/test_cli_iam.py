"""albatross create policy|role, attach|detach policy, delete role.

Two judges check the commands: the sandbox's own log of the requests it
served, and the aws CLI. They show the role's trust policy, that the IRSA
join of albatross get now finds the role, and that --dry-run and
--readonly send no change.
"""

import json
import os
import re
import tempfile
import unittest

import sandbox
from sandbox import Sandbox

DEMO = os.path.join(sandbox.WORLDS, "demo.yaml")
ACCOUNT = "111122223333"
ISSUER = "oidc.eks.us-east-2.amazonaws.com/id/9B2471C9D67EF4BEE86F463AAEEFD5A5"
PROVIDER = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, ISSUER)
PERMISSIONS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::reports/*"}],
}
READ_ACTIONS = ("Get", "List", "Describe")


def actions(log):
    """The IAM actions the sandbox served, in order, from its log."""
    return re.findall(r"^albatross-sandbox: iam (\w+)$", log, re.M)


def served(log):
    """(action, HTTP status) of each IAM call the sandbox replied to: an
    action line, then the first status line after it."""
    calls, action = [], None
    for line in log.splitlines():
        m = re.match(r"albatross-sandbox: iam (\w+)$", line)
        if m:
            action = m.group(1)
        m = re.match(r"albatross-sandbox: POST / (\d{3}) ", line)
        if m and action:
            calls.append((action, m.group(1)))
            action = None
    return calls


class CliIamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(world=DEMO).start()
        cls.dir = tempfile.TemporaryDirectory(prefix="albatross-iam-")

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()
        cls.dir.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_new_requests(self, *args):
        """Runs albatross; returns its result and the sandbox log lines
        written meanwhile."""
        before = len(self.sb.output())
        res = self.sb.albatross(*args, check=False)
        return res, self.sb.output()[before:]

    def service_account(self, namespace, name):
        res = self.sb.albatross("get", "sa", "--cluster", "alb-demo-cluster",
                                "-n", namespace, "-o", "json")
        items = json.loads(res.stdout)["items"]
        return next(i for i in items if i["name"] == name)

    def get_role(self, name):
        res = self.sb.aws("iam", "get-role", "--role-name", name, check=False)
        return json.loads(res.stdout)["Role"] if res.returncode == 0 else None

    def test_create_role_makes_irsa_ok(self):
        self.assertEqual(self.service_account("payments", "payments-api")["roleStatus"],
                         "missing role")
        policy = self.write("reports.json", json.dumps(PERMISSIONS))
        res = self.sb.albatross("create", "policy", "reports-read", "-f", policy)
        policy_arn = "arn:aws:iam::%s:policy/reports-read" % ACCOUNT
        self.assertIn(policy_arn, res.stdout)
        self.sb.albatross("--region", "us-east-2", "create", "role", "payments-api-irsa",
                          "--cluster", "alb-demo-cluster", "--namespace", "payments",
                          "--serviceaccount", "payments-api", "--policy", policy_arn)

        sa = self.service_account("payments", "payments-api")
        self.assertEqual(sa["roleStatus"], "ok", sa["roleReason"])
        roles = json.loads(self.sb.albatross("get", "roles", "-o", "json").stdout)["items"]
        self.assertIn("payments-api-irsa", [r["name"] for r in roles])
        # The aws CLI reads the trust policy eksctl would have written.
        role = self.get_role("payments-api-irsa")
        self.assertEqual(role["Description"], 'IAM role for serviceaccount "payments/payments-api"')
        self.assertEqual(role["AssumeRolePolicyDocument"], {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    ISSUER + ":sub": "system:serviceaccount:payments:payments-api",
                    ISSUER + ":aud": "sts.amazonaws.com"}},
            }],
        })
        attached = json.loads(self.sb.aws("iam", "list-attached-role-policies", "--role-name",
                                          "payments-api-irsa").stdout)["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in attached], [policy_arn])

        # delete role names what still keeps it, then works once detached.
        res = self.sb.albatross("delete", "role", "payments-api-irsa", check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("DeleteConflict", res.stderr)
        self.assertIn("albatross detach policy %s --role payments-api-irsa" % policy_arn,
                      res.stderr)
        self.sb.albatross("detach", "policy", policy_arn, "--role", "payments-api-irsa")
        self.sb.albatross("delete", "role", "payments-api-irsa")
        self.assertIsNone(self.get_role("payments-api-irsa"))
        self.assertEqual(self.service_account("payments", "payments-api")["roleStatus"],
                         "missing role")

    def test_attach_and_detach_policy(self):
        policy = self.write("attach.json", json.dumps(PERMISSIONS))
        self.sb.albatross("create", "policy", "attach-me", "-f", policy,
                          "--description", "for the attach test")
        arn = "arn:aws:iam::%s:policy/attach-me" % ACCOUNT
        got = json.loads(self.sb.aws("iam", "get-policy", "--policy-arn", arn).stdout)["Policy"]
        self.assertEqual(got["Description"], "for the attach test")
        role = "eksctl-alb-demo-cluster-addon-iamserviceacco-Role1-1Q2W3E4R5T6Y"
        res = self.sb.albatross("attach", "policy", arn, "--role", role)
        self.assertIn("attached %s to role %s" % (arn, role), res.stdout)
        listed = json.loads(self.sb.aws("iam", "list-attached-role-policies", "--role-name",
                                        role).stdout)["AttachedPolicies"]
        self.assertIn(arn, [p["PolicyArn"] for p in listed])
        self.sb.albatross("detach", "policy", arn, "--role", role)
        listed = json.loads(self.sb.aws("iam", "list-attached-role-policies", "--role-name",
                                        role).stdout)["AttachedPolicies"]
        self.assertNotIn(arn, [p["PolicyArn"] for p in listed])
        res = self.sb.albatross("detach", "policy", arn, "--role", role, check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("NoSuchEntity", res.stderr)

    def test_dry_run_sends_no_change(self):
        policy = self.write("dry.json", json.dumps(PERMISSIONS))
        res, log = self.run_new_requests("create", "policy", "dry-policy", "-f", policy,
                                         "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("IAM CreatePolicy", res.stdout)
        self.assertIn('"Action": "s3:GetObject"', res.stdout)
        self.assertEqual(actions(log), [])
        for args in (("attach", "policy", "arn:aws:iam::aws:policy/ReadOnlyAccess", "--role", "x"),
                     ("delete", "role", "x")):
            res, log = self.run_new_requests(*args, "--dry-run")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(actions(log), [])

        res, log = self.run_new_requests("--region", "us-east-2", "create", "role", "dry-role",
                                         "--cluster", "alb-demo-cluster", "--namespace", "web",
                                         "--serviceaccount", "app", "--policy",
                                         "arn:aws:iam::aws:policy/ReadOnlyAccess", "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("IAM CreateRole", res.stdout)
        self.assertIn("IAM AttachRolePolicy", res.stdout)
        self.assertIn('"%s:sub": "system:serviceaccount:web:app"' % ISSUER, res.stdout)
        self.assertEqual(actions(log), ["ListOpenIDConnectProviders"])
        self.assertIsNone(self.get_role("dry-role"))

    def test_readonly_rejects_every_write(self):
        policy = self.write("ro.json", json.dumps(PERMISSIONS))
        commands = [
            ("create", "policy", "ro-policy", "-f", policy),
            ("attach", "policy", "arn:aws:iam::aws:policy/ReadOnlyAccess", "--role", "x"),
            ("detach", "policy", "arn:aws:iam::aws:policy/ReadOnlyAccess", "--role", "x"),
            ("delete", "role", "eksctl-alb-demo-cluster-addon-iamserviceacco-Role1-1Q2W3E4R5T6Y"),
            ("--region", "us-east-2", "create", "role", "ro-role", "--cluster",
             "alb-demo-cluster", "--namespace", "web", "--serviceaccount", "app"),
        ]
        for args in commands:
            with self.subTest(args=args[:2]):
                res, log = self.run_new_requests("--readonly", *args)
                self.assertEqual(res.returncode, 1, res.stdout)
                self.assertIn("ReadOnly", res.stderr)
                self.assertIn("--readonly", res.stderr)
                for action in actions(log):
                    self.assertTrue(action.startswith(READ_ACTIONS), action)
        self.assertIsNone(self.get_role("ro-role"))

    def test_policy_file_errors_name_position(self):
        bad = self.write("bad.json", '{"Version": "2012-10-17",\n'
                                     ' "Statement": [{"Effect": "Allow"},]}\n')
        res, log = self.run_new_requests("create", "policy", "bad", "-f", bad)
        self.assertEqual(res.returncode, 1)
        self.assertIn("%s:2:36: invalid JSON: a comma before ']'" % bad, res.stderr)
        self.assertEqual(actions(log), [])
        not_policy = self.write("list.json", "[]")
        res = self.sb.albatross("create", "policy", "bad", "-f", not_policy, check=False)
        self.assertIn("not an IAM policy", res.stderr)
        res = self.sb.albatross("create", "policy", "bad", check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("needs -f POLICY.json", res.stderr)
        # IAM's own check, sent back by the sandbox.
        principal = self.write("principal.json", json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                           "Principal": "*"}]}))
        res = self.sb.albatross("create", "policy", "bad", "-f", principal, check=False)
        self.assertIn("MalformedPolicyDocument: Policy document should not specify a principal.",
                      res.stderr)

    def test_role_needs_oidc_provider(self):
        res, log = self.run_new_requests("--region", "us-west-2", "create", "role", "lb",
                                          "--cluster", "legacy-batch", "--namespace", "batch",
                                          "--serviceaccount", "worker")
        self.assertEqual(res.returncode, 1)
        self.assertIn("eksctl utils associate-iam-oidc-provider --cluster legacy-batch "
                      "--region us-west-2 --approve", res.stderr)
        self.assertIn("albatross associate oidc-provider --cluster legacy-batch "
                      "--region us-west-2", res.stderr)
        self.assertNotIn("CreateRole", actions(log))
        res = self.sb.albatross("create", "role", "lb", "--cluster", "alb-demo-cluster",
                                "--namespace", "batch", "--serviceaccount", "worker",
                                check=False)
        self.assertIn("not found in region us-east-1: pass --region", res.stderr)
        res = self.sb.albatross("create", "role", "lb", "--cluster", "alb-demo-cluster",
                                check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("needs --namespace NS", res.stderr)


LONE_ROLE_WORLD = """\
account: "111122223333"
regions: [us-east-1]
credentials:
  - accessKeyId: AKIAIOSFODNN7EXAMPLE
    secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    user: tester
roles:
  - name: lone
    trustPolicy:
      Statement:
        - {Effect: Allow, Action: sts:AssumeRole, Principal: {Service: ec2.amazonaws.com}}
"""


class LostReplyTest(unittest.TestCase):
    """Every 2xx reply of IAM is cut mid-body: the call succeeds on the
    server, the client retries, and the retry meets the changed state."""

    def test_retried_delete_reports_lost_reply(self):
        with tempfile.TemporaryDirectory() as tmp:
            world = os.path.join(tmp, "world.yaml")
            with open(world, "w") as f:
                f.write(LONE_ROLE_WORLD)
            with Sandbox(world=world, args=["--fault", "iam:close=1"]) as sb:
                res = sb.albatross("delete", "role", "lone", check=False,
                                   AWS_MAX_ATTEMPTS="3", ALBATROSS_RETRY_BASE_MS="1")
                log = sb.output()
        self.assertEqual(res.returncode, 1)
        self.assertEqual(served(log), [("DeleteRole", "200"), ("DeleteRole", "404")])
        self.assertIn("NoSuchEntity", res.stderr)
        self.assertIn("role lone was not found after 2 attempts", res.stderr)
        self.assertIn("may have made the change", res.stderr)

    def test_retried_create_reports_lost_reply(self):
        with Sandbox(world=DEMO, args=["--fault", "iam:close=1"]) as sb, \
                tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "p.json")
            with open(path, "w") as f:
                json.dump(PERMISSIONS, f)
            res = sb.albatross("create", "policy", "lost-reply", "-f", path, check=False,
                               AWS_MAX_ATTEMPTS="3", ALBATROSS_RETRY_BASE_MS="1")
            log = sb.output()
        self.assertEqual(res.returncode, 1)
        self.assertEqual(served(log), [("CreatePolicy", "200"), ("CreatePolicy", "409")])
        self.assertIn("EntityAlreadyExists", res.stderr)
        self.assertIn("policy lost-reply already exists after 2 attempts", res.stderr)
        self.assertIn("may have created it", res.stderr)


if __name__ == "__main__":
    unittest.main()

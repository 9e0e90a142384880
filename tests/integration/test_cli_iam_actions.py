"""The IAM actions of the shared action layer from the command line:
put|delete policy --inline, update role --trust-policy, describe policy,
and create and delete role --stack.

The aws CLI judges what changed in IAM and CloudFormation, kubectl the
ServiceAccount's annotation, and the sandbox's log which calls arrived:
a --dry-run sends reads only and prints a diff of the document against
the one IAM holds, and --readonly lets no write reach the sandbox.
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
CLUSTER = "alb-demo-cluster"
ISSUER = "oidc.eks.us-east-2.amazonaws.com/id/9B2471C9D67EF4BEE86F463AAEEFD5A5"
# The demo's controller role, trusted by aws-system/alb-ingress-controller.
ROLE = "eksctl-alb-demo-cluster-addon-iamserviceacco-Role1-1Q2W3E4R5T6Y"
POLICY_ARN = "arn:aws:iam::%s:policy/AWSLoadBalancerControllerIAMPolicy" % ACCOUNT
READS = ("Get", "List", "Describe")
READ_ONLY_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def policy(*actions):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions),
                           "Resource": "*"}]}


def served(log):
    """(service, action) of each AWS call the sandbox served."""
    return re.findall(r"^albatross-sandbox: (iam|cloudformation) (\w+)$", log, re.M)


def writes(log):
    """The AWS actions that change something, and the Kubernetes writes."""
    aws = [a for _, a in served(log) if not a.startswith(READS)]
    k8s = re.findall(r"^albatross-sandbox: (POST|PUT|PATCH|DELETE) /k8s/", log, re.M)
    return aws + k8s


class IamActionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(world=DEMO).start()
        cls.dir = tempfile.TemporaryDirectory(prefix="albatross-actions-")

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()
        cls.dir.cleanup()

    def write(self, name, doc):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(json.dumps(doc) if not isinstance(doc, str) else doc)
        return path

    def run_logged(self, *args):
        """Runs albatross; returns its result and the sandbox log lines
        written meanwhile."""
        before = len(self.sb.output())
        res = self.sb.albatross(*args, check=False)
        return res, self.sb.output()[before:]

    def inline(self, role, name):
        res = self.sb.aws("iam", "get-role-policy", "--role-name", role,
                          "--policy-name", name, check=False)
        return json.loads(res.stdout)["PolicyDocument"] if res.returncode == 0 else None

    def trust(self, role):
        res = self.sb.aws("iam", "get-role", "--role-name", role)
        return json.loads(res.stdout)["Role"]["AssumeRolePolicyDocument"]

    # ---- inline policies ----

    def test_put_and_delete_inline_policy(self):
        first = self.write("first.json", policy("s3:GetObject"))
        second = self.write("second.json", policy("s3:GetObject", "s3:PutObject"))

        res, log = self.run_logged("put", "policy", "reports", "--role", ROLE,
                                   "-f", first, "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("IAM PutRolePolicy", res.stdout)
        self.assertIn("has no inline policy reports yet", res.stdout)
        self.assertEqual(writes(log), [])
        self.assertIn(("iam", "GetRolePolicy"), served(log))
        self.assertIsNone(self.inline(ROLE, "reports"))

        res = self.sb.albatross("put", "policy", "reports", "--role", ROLE, "-f", first)
        self.assertIn("put inline policy reports on role %s" % ROLE, res.stdout)
        self.assertEqual(self.inline(ROLE, "reports"), policy("s3:GetObject"))

        # The dry run of a change diffs it against what IAM holds.
        res, log = self.run_logged("put", "policy", "reports", "--role", ROLE,
                                   "-f", second, "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("diff of the inline policy reports of role %s:" % ROLE, res.stdout)
        self.assertIn('  -       "Action": ["s3:GetObject"],', res.stdout)
        self.assertIn('  +       "Action": ["s3:GetObject", "s3:PutObject"],', res.stdout)
        self.assertEqual(writes(log), [])
        self.assertEqual(self.inline(ROLE, "reports"), policy("s3:GetObject"))

        res, log = self.run_logged("delete", "policy", "reports", "--inline",
                                   "--role", ROLE, "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("IAM DeleteRolePolicy", res.stdout)
        self.assertIn('  -       "Action": ["s3:GetObject"],', res.stdout)
        self.assertEqual(writes(log), [])

        res = self.sb.albatross("delete", "policy", "reports", "--inline", "--role", ROLE)
        self.assertIn("deleted inline policy reports of role %s" % ROLE, res.stdout)
        self.assertIsNone(self.inline(ROLE, "reports"))
        listed = json.loads(self.sb.aws("iam", "list-role-policies", "--role-name",
                                        ROLE).stdout)["PolicyNames"]
        self.assertNotIn("reports", listed)

    def test_delete_missing_inline_policy_fails_before_writing(self):
        res, log = self.run_logged("delete", "policy", "nothing-here", "--inline",
                                   "--role", ROLE)
        self.assertEqual(res.returncode, 1)
        self.assertIn("NoSuchEntity", res.stderr)
        self.assertIn("has no inline policy nothing-here", res.stderr)
        self.assertEqual(writes(log), [])

    def test_delete_policy_needs_inline(self):
        res = self.sb.albatross("delete", "policy", "p", "--role", ROLE, check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("add --inline --role ROLE", res.stderr)

    # ---- the trust policy ----

    def test_update_trust_policy_diffs_against_current(self):
        role = "trust-update"
        old = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}
        self.sb.aws("iam", "create-role", "--role-name", role,
                    "--assume-role-policy-document", json.dumps(old))
        new = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}
        path = self.write("trust.json", new)

        res, log = self.run_logged("update", "role", role, "--trust-policy", path,
                                   "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("IAM UpdateAssumeRolePolicy", res.stdout)
        self.assertIn("diff of the trust policy of role %s:" % role, res.stdout)
        self.assertIn('  -         "Service": "ec2.amazonaws.com"', res.stdout)
        self.assertIn('  +         "Service": "lambda.amazonaws.com"', res.stdout)
        diff = res.stdout.split("diff of the trust policy")[1].splitlines()
        action = next(line for line in diff if '"Action"' in line)
        self.assertTrue(action.startswith("    "), action)  # unchanged
        self.assertEqual(writes(log), [])
        self.assertEqual(self.trust(role), old)

        res = self.sb.albatross("update", "role", role, "--trust-policy", path)
        self.assertIn("updated the trust policy of role %s" % role, res.stdout)
        self.assertEqual(self.trust(role), new)

    def test_update_trust_policy_rejects_bad_json(self):
        path = self.write("bad.json", '{"Version": "2012-10-17", "Statement": [1,]}')
        res, log = self.run_logged("update", "role", ROLE, "--trust-policy", path)
        self.assertEqual(res.returncode, 1)
        self.assertIn("bad.json:1:43: invalid JSON: a comma before ']'", res.stderr)
        self.assertEqual(served(log), [])

    # ---- describe policy ----

    def test_describe_policy_lists_default_version_statements(self):
        res = self.sb.albatross("describe", "policy", POLICY_ARN)
        got = json.loads(self.sb.aws("iam", "get-policy", "--policy-arn",
                                     POLICY_ARN).stdout)["Policy"]
        version = json.loads(self.sb.aws(
            "iam", "get-policy-version", "--policy-arn", POLICY_ARN,
            "--version-id", got["DefaultVersionId"]).stdout)["PolicyVersion"]
        statements = version["Document"]["Statement"]
        self.assertIn("Default version: %s" % got["DefaultVersionId"], res.stdout)
        self.assertIn("Attachments:     %d" % got["AttachmentCount"], res.stdout)
        numbered = re.findall(r"^  (\d+)\. (Allow|Deny)$", res.stdout, re.M)
        self.assertEqual([int(n) for n, _ in numbered], list(range(1, len(statements) + 1)))
        self.assertEqual([e for _, e in numbered], [s["Effect"] for s in statements])
        # Every action of the document is listed, one a line.
        for st in statements:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            for action in actions:
                self.assertRegex(res.stdout, r"(?m)^ +(Action +)?%s$" % re.escape(action))
        self.assertIn("Document:", res.stdout)

    def test_describe_missing_policy(self):
        res = self.sb.albatross("describe", "policy", "arn:aws:iam::%s:policy/none" % ACCOUNT,
                                check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("describe policy failed: NoSuchEntity", res.stderr)

    # ---- create role --stack ----

    def test_create_role_stack_for_service_account(self):
        stack = "eksctl-%s-addon-iamserviceaccount-payments-payments-api" % CLUSTER
        args = ("--region", "us-east-2", "create", "role", "--stack", "--cluster",
                CLUSTER, "--service-account", "payments/payments-api", "--policy",
                READ_ONLY_POLICY, "--poll-interval", "50")
        res, log = self.run_logged(*args, "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("CloudFormation CreateStack", res.stdout)
        self.assertIn("StackName: %s" % stack, res.stdout)
        self.assertIn("alpha.eksctl.io/iamserviceaccount-name=payments/payments-api",
                      res.stdout)
        self.assertIn('"%s:sub": "system:serviceaccount:payments:payments-api"' % ISSUER,
                      res.stdout)
        self.assertEqual(writes(log), [])

        res, log = self.run_logged(*args)
        self.assertEqual(res.returncode, 0, res.stderr)
        got = json.loads(self.sb.aws("--region", "us-east-2", "cloudformation",
                                     "describe-stacks", "--stack-name", stack).stdout)
        st = got["Stacks"][0]
        self.assertEqual(st["StackStatus"], "CREATE_COMPLETE")
        tags = {t["Key"]: t["Value"] for t in st["Tags"]}
        self.assertEqual(tags["alpha.eksctl.io/cluster-name"], CLUSTER)
        self.assertEqual(tags["alpha.eksctl.io/iamserviceaccount-name"],
                         "payments/payments-api")
        arn = next(o["OutputValue"] for o in st["Outputs"] if o["OutputKey"] == "Role1")
        self.assertIn("created role %s" % arn, res.stdout)

        role = arn.rsplit("/", 1)[1]
        trust = self.trust(role)["Statement"][0]
        self.assertEqual(trust["Principal"]["Federated"],
                         "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, ISSUER))
        self.assertEqual(trust["Condition"], {"StringEquals": {
            ISSUER + ":sub": "system:serviceaccount:payments:payments-api",
            ISSUER + ":aud": "sts.amazonaws.com"}})
        attached = json.loads(self.sb.aws("iam", "list-attached-role-policies",
                                          "--role-name", role).stdout)
        self.assertEqual([p["PolicyArn"] for p in attached["AttachedPolicies"]],
                         [READ_ONLY_POLICY])

        ctx = next(n for n in self.sb.kubectl("config", "get-contexts", "-o",
                                              "name").stdout.split()
                   if n.endswith("cluster/" + CLUSTER))
        sa = json.loads(self.sb.kubectl("--context", ctx, "get", "serviceaccount",
                                        "payments-api", "-n", "payments", "-o",
                                        "json").stdout)
        self.assertEqual(sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"], arn)

        # A second run finds the complete stack and creates nothing.
        res, log = self.run_logged(*args)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn("CreateStack", [a for _, a in served(log)])

    def test_create_role_stack_in_cluster_region(self):
        # The session's region comes from the sandbox's AWS_REGION and
        # staging is in eu-west-1, so the stack must go to eu-west-1.
        session = self.sb.env["AWS_REGION"]
        self.assertNotEqual(session, "eu-west-1")
        stack = "eksctl-staging-addon-iamserviceaccount-web-frontend"
        args = ("create", "role", "--stack", "--cluster", "staging",
                "--service-account", "web/frontend", "--poll-interval", "50")
        res, log = self.run_logged(*args, "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("CloudFormation CreateStack\n  Region: eu-west-1\n",
                      res.stdout)
        self.assertEqual(writes(log), [])

        res, log = self.run_logged(*args)
        self.assertEqual(res.returncode, 0, res.stderr)
        got = json.loads(self.sb.aws("--region", "eu-west-1", "cloudformation",
                                     "describe-stacks", "--stack-name",
                                     stack).stdout)
        st = got["Stacks"][0]
        self.assertEqual(st["StackStatus"], "CREATE_COMPLETE")
        self.assertIn(":eu-west-1:", st["StackId"])
        arn = next(o["OutputValue"] for o in st["Outputs"]
                   if o["OutputKey"] == "Role1")
        self.assertIn("created role %s" % arn, res.stdout)
        elsewhere = self.sb.aws("--region", session, "cloudformation",
                                "describe-stacks", "--stack-name", stack,
                                check=False)
        self.assertNotEqual(elsewhere.returncode, 0,
                            "stack also in %s" % session)
        self.assertIn("does not exist", elsewhere.stderr)

    def sa_annotations(self, ns, name):
        ctx = next(n for n in self.sb.kubectl("config", "get-contexts", "-o",
                                              "name").stdout.split()
                   if n.endswith("cluster/" + CLUSTER))
        sa = json.loads(self.sb.kubectl("--context", ctx, "get", "serviceaccount",
                                        name, "-n", ns, "-o", "json").stdout)
        return sa["metadata"].get("annotations", {}), ctx

    def create_stack_role(self, account):
        res = self.sb.albatross("--region", "us-east-2", "create", "role", "--stack",
                                "--cluster", CLUSTER, "--service-account", account,
                                "--poll-interval", "50")
        return re.search(r"created role (\S+)", res.stdout).group(1)

    def test_delete_role_stack_undoes_create(self):
        stack = "eksctl-%s-addon-iamserviceaccount-payments-ledger" % CLUSTER
        arn = self.create_stack_role("payments/ledger")
        args = ("--region", "us-east-2", "delete", "role", "--stack", "--cluster",
                CLUSTER, "--service-account", "payments/ledger", "--poll-interval", "50")

        res, log = self.run_logged(*args, "--dry-run")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("CloudFormation DeleteStack", res.stdout)
        self.assertIn("StackName: %s" % stack, res.stdout)
        self.assertIn("PATCH /api/v1/namespaces/payments/serviceaccounts/ledger", res.stdout)
        self.assertIn("Content-Type: application/json-patch+json", res.stdout)
        self.assertIn('"op":"test"', res.stdout)
        self.assertEqual(writes(log), [])

        res, log = self.run_logged("--readonly", *args)
        self.assertEqual(res.returncode, 1, res.stdout)
        self.assertIn("ReadOnly", res.stderr)
        self.assertEqual(writes(log), [])

        res, log = self.run_logged(*args)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("deleted the role stack of serviceaccount payments/ledger",
                      res.stdout)
        lookup = self.sb.aws("--region", "us-east-2", "cloudformation", "describe-stacks",
                             "--stack-name", stack, check=False)
        self.assertNotEqual(lookup.returncode, 0)
        self.assertIn("does not exist", lookup.stderr)
        role = self.sb.aws("iam", "get-role", "--role-name", arn.rsplit("/", 1)[1],
                           check=False)
        self.assertIn("NoSuchEntity", role.stderr)
        annotations, _ = self.sa_annotations("payments", "ledger")
        self.assertNotIn("eks.amazonaws.com/role-arn", annotations)

        # With the stack gone there is nothing left to delete.
        res, log = self.run_logged(*args)
        self.assertEqual(res.returncode, 1)
        self.assertIn("stack %s does not exist" % stack, res.stderr)
        self.assertEqual(writes(log), [])

    def test_delete_role_stack_keeps_other_annotation(self):
        self.create_stack_role("payments/audit")
        other = "arn:aws:iam::%s:role/%s" % (ACCOUNT, ROLE)
        _, ctx = self.sa_annotations("payments", "audit")
        self.sb.kubectl("--context", ctx, "annotate", "--overwrite", "serviceaccount",
                        "audit", "-n", "payments", "eks.amazonaws.com/role-arn=" + other)
        res = self.sb.albatross("--region", "us-east-2", "delete", "role", "--stack",
                                "--cluster", CLUSTER, "--service-account",
                                "payments/audit", "--poll-interval", "50", check=False)
        self.assertEqual(res.returncode, 0, res.stderr)
        annotations, _ = self.sa_annotations("payments", "audit")
        self.assertEqual(annotations.get("eks.amazonaws.com/role-arn"), other)

    def test_create_role_stack_needs_oidc_provider(self):
        res, log = self.run_logged("--region", "us-west-2", "create", "role", "--stack",
                                   "--cluster", "legacy-batch", "--service-account",
                                   "batch/worker")
        self.assertEqual(res.returncode, 1)
        self.assertIn("eksctl utils associate-iam-oidc-provider --cluster legacy-batch",
                      res.stderr)
        self.assertEqual(writes(log), [])

    # ---- --readonly ----

    def test_readonly_refuses_each_action_before_the_sandbox(self):
        doc = self.write("ro.json", policy("s3:GetObject"))
        commands = [
            ("put", "policy", "ro", "--role", ROLE, "-f", doc),
            ("delete", "policy", "ro", "--inline", "--role", ROLE),
            ("update", "role", ROLE, "--trust-policy", doc),
            ("--region", "us-east-2", "create", "role", "--stack", "--cluster", CLUSTER,
             "--service-account", "web/readonly-sa"),
        ]
        self.sb.aws("iam", "put-role-policy", "--role-name", ROLE, "--policy-name",
                    "ro", "--policy-document", json.dumps(policy("s3:ListBucket")))
        before_trust = self.trust(ROLE)
        for args in commands:
            with self.subTest(args=args[:3]):
                res, log = self.run_logged("--readonly", *args)
                self.assertEqual(res.returncode, 1, res.stdout)
                self.assertIn("ReadOnly", res.stderr)
                self.assertEqual(writes(log), [])
        self.assertEqual(self.inline(ROLE, "ro"), policy("s3:ListBucket"))
        self.assertEqual(self.trust(ROLE), before_trust)


if __name__ == "__main__":
    unittest.main()
